import { crc32cFast } from '@tfsave/core';
import type { RangeSource } from '@tfsave/core';
import type { BundleEntryProto } from './entry.js';
import { E } from './errors.js';

/** Chunk size of {@link readWithCrc}; ranges up to twice this are read in one request. */
export const READ_CHUNK_BYTES = 16 << 20;

/**
 * Checks that an entry's byte range lies inside its data file, before anything is read.
 * @throws FormatError `truncated` naming the key, the range and the file size.
 */
export function assertInside(src: RangeSource, entry: Pick<BundleEntryProto, 'offset' | 'size'>, key: string): void {
  if (entry.offset + entry.size > src.byteLength) {
    throw E.truncated(`tensor ${JSON.stringify(key)} [${entry.offset}, +${entry.size}) runs past the end of the ${src.byteLength}-byte data file`, { path: src.name, offset: entry.offset });
  }
}

/** A source that can also fill a caller's buffer (core's node `FileSource` can). */
interface FillableSource extends RangeSource {
  readInto(offset: number, target: Uint8Array): Promise<void>;
}

function canFill(src: RangeSource): src is FillableSource {
  return typeof (src as Partial<FillableSource>).readInto === 'function';
}

/**
 * Reads `[offset, offset + size)` and computes its (unmasked) CRC-32C. Large ranges are read
 * in 16 MiB chunks with the next read already in flight while the current chunk is checksummed,
 * so IO and CRC overlap; a source with `readInto` (local files) reads each chunk straight into
 * the result, others through a chunk buffer that is then copied. The caller has checked that
 * the range lies inside the source.
 */
export async function readWithCrc(src: RangeSource, offset: number, size: number): Promise<{ bytes: Uint8Array; crc: number }> {
  if (size <= 2 * READ_CHUNK_BYTES) {
    const bytes = await src.read(offset, size);
    return { bytes, crc: crc32cFast(0, bytes) };
  }
  const out = new Uint8Array(size);
  const fetch = (pos: number): Promise<Uint8Array> => {
    const length = Math.min(READ_CHUNK_BYTES, size - pos);
    if (!canFill(src)) return src.read(offset + pos, length);
    const part = out.subarray(pos, pos + length);
    return src.readInto(offset + pos, part).then(() => part);
  };
  let crc = 0;
  let pending = fetch(0);
  for (let pos = 0; pos < size; ) {
    const part = await pending;
    const next = pos + part.length;
    if (next < size) {
      pending = fetch(next);
      // An unawaited rejection is reported when it is awaited on the next turn.
      pending.catch(() => undefined);
    }
    crc = crc32cFast(crc, part);
    if (part.buffer !== out.buffer) out.set(part, pos);
    pos = next;
  }
  return { bytes: out, crc };
}
