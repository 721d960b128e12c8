import { ByteCursor } from '@tfsave/core';
import { E } from './errors.js';

/** Options for {@link snappyDecompress}. */
export interface SnappyOptions {
  /** Largest uncompressed size accepted. Default 64 MiB (table blocks are 256 KiB in practice). */
  readonly maxOutputBytes?: number;
}

/**
 * Decompresses one raw snappy block (no framing): a varint uncompressed length
 * followed by literal and copy elements.
 * Upstream algorithm: google/snappy format_description.txt.
 * @throws FormatError `truncated` when an element runs past the input, `malformed`
 *   for a bad copy offset or a length mismatch, `limit` for an oversize output.
 */
export function snappyDecompress(input: Uint8Array, path?: string, options: SnappyOptions = {}): Uint8Array {
  const max = options.maxOutputBytes ?? 64 << 20;
  const c = new ByteCursor(input, 'tensor-bundle', path);
  const n = c.varint32('snappy uncompressed length');
  if (n > max) throw E.limit(`snappy block declares ${n} bytes, over the ${max}-byte limit`, 'snappy-too-large', { path });
  // A 3-byte copy element yields at most 64 bytes: anything beyond ~22x the input is a lie.
  if (n > input.length * 22 + 64) throw E.malformed(`snappy block of ${input.length} bytes cannot expand to the ${n} bytes it declares`, 'snappy-ratio', { path });
  const out = new Uint8Array(n);
  let o = 0;
  while (c.remaining > 0) {
    const tag = c.u8('snappy tag');
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        len = 0;
        for (let i = 0; i < extra; i++) len |= c.u8('snappy literal length') << (8 * i);
        len >>>= 0;
      }
      len += 1;
      if (len > n - o) throw E.malformed(`snappy literal of ${len} bytes overflows the ${n}-byte output`, 'snappy-overflow', { path, offset: c.pos });
      out.set(c.take(len, 'snappy literal'), o);
      o += len;
      continue;
    }
    let len: number;
    let off: number;
    if (kind === 1) {
      len = ((tag >>> 2) & 7) + 4;
      off = ((tag >>> 5) << 8) | c.u8('snappy copy offset');
    } else if (kind === 2) {
      len = (tag >>> 2) + 1;
      off = c.u8('snappy copy offset') | (c.u8('snappy copy offset') << 8);
    } else {
      len = (tag >>> 2) + 1;
      off = c.u32('snappy copy offset');
    }
    if (off === 0 || off > o) throw E.malformed(`snappy copy offset ${off} at output position ${o} is invalid`, 'snappy-offset', { path, offset: c.pos });
    if (len > n - o) throw E.malformed(`snappy copy of ${len} bytes overflows the ${n}-byte output`, 'snappy-overflow', { path, offset: c.pos });
    for (let i = 0; i < len; i++, o++) out[o] = out[o - off]!;
  }
  if (o !== n) throw E.truncated(`snappy block produced ${o} of ${n} declared bytes`, { path });
  return out;
}
