import { errorsFor } from '@tfsave/core';

/** Format name used in every error this package throws. */
export const FORMAT = 'tensor-bundle';

/** Error factory for the `tensor-bundle` format (see {@link errorsFor}). */
export const E = errorsFor(FORMAT);

/** Formats a 32-bit checksum as `0x` + 8 hex digits for error messages. */
export function hex32(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}
