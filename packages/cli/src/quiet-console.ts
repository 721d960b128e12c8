/**
 * The HDF5 library (h5wasm) prints `HDF5-DIAG` error stacks through the
 * console even when the error is handled. The CLI promises one clean line per
 * failure, so those blocks are dropped (kept with `TFSAVE_DEBUG=1`).
 */

const DIAG = /^(HDF5-DIAG|\s+#\d{3}:|\s+(major|minor):)/;

/** True when a console line belongs to an HDF5 diagnostic block. */
export function isHdf5Diagnostic(line: string): boolean {
  return DIAG.test(line);
}

/** Filters HDF5 diagnostics out of `console.error` / `console.warn` (unless TFSAVE_DEBUG=1). */
export function quietHdf5Diagnostics(env: Readonly<Record<string, string | undefined>> = process.env): void {
  if (env['TFSAVE_DEBUG'] === '1') return;
  for (const method of ['error', 'warn'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      if (args.length === 1 && typeof args[0] === 'string' && isHdf5Diagnostic(args[0])) return;
      original(...args);
    };
  }
}
