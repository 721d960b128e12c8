/**
 * Shared by the standalone protobuf formats (`*.meta`, `keras_metadata.pb`,
 * `fingerprint.pb`): read the whole file and decode it strictly, turning a
 * decode failure into one `FormatError` that names the message expected.
 */
import { DEFAULT_LIMITS } from '@tfsave/saved-model';
import { FormatError, isFormatError, readAll } from '@tfsave/core';
import type { Located } from '../locate.js';
import type { FormatName } from '../model.js';

/** Reads the whole file of a located single-file input (within the SavedModel protobuf size limit). */
export async function readProtoFile(located: Located): Promise<Uint8Array> {
  const src = await located.opener.open(located.target);
  try {
    return await readAll(src, DEFAULT_LIMITS.maxFileBytes);
  } finally {
    await src.close?.();
  }
}

/**
 * Runs `decode` over `bytes`; any `FormatError` it throws (or an empty file)
 * becomes a `FormatError` of `format` saying which message was expected,
 * keeping the reason, the kind and the offset.
 * @throws FormatError `truncated` for an empty file, else as `decode`.
 */
export function decodeAs<T>(format: FormatName, expected: string, bytes: Uint8Array, path: string, decode: (bytes: Uint8Array) => T): T {
  if (bytes.length === 0) throw new FormatError(`empty file, expected ${expected}`, { format, kind: 'truncated', code: 'empty', path });
  try {
    return decode(bytes);
  } catch (e) {
    if (!isFormatError(e)) throw e;
    throw rebrand(e, format, expected, path);
  }
}

/** A copy of `e` under `format`, saying that the bytes are not `expected`. */
export function rebrand(e: FormatError, format: FormatName, expected: string, path: string): FormatError {
  let reason = e.message.slice(e.format.length + 2);
  const where = e.offset !== undefined ? ` at offset ${e.offset}` : '';
  if (where !== '' && reason.endsWith(where)) reason = reason.slice(0, -where.length);
  return new FormatError(`not ${expected}: ${reason}`, { format, kind: e.kind, code: e.code, path, offset: e.offset, cause: e });
}
