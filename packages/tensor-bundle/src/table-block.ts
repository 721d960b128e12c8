import { ByteBuilder, ByteCursor, crc32cUpdate, maskCrc, unmaskCrc } from '@tfsave/core';
import { E, hex32 } from './errors.js';
import { snappyDecompress } from './snappy.js';

/** One key/value pair of a table block. Both views point into the block's bytes. */
export interface BlockEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** Compression type byte of a block trailer: 0 = none, 1 = snappy. */
export type BlockCompression = 0 | 1;

/**
 * Checks a block's trailer (masked CRC32C over contents + type byte) and
 * returns the uncompressed contents.
 * @param raw the block contents followed by its 5-byte trailer.
 * @param offset the block's offset in the file (for error messages).
 * @throws FormatError `checksum` on a CRC mismatch, `unsupported` for an unknown compression type.
 */
export function unwrapBlock(raw: Uint8Array, offset: number, path?: string): Uint8Array {
  if (raw.length < 5) throw E.truncated(`block at ${offset} has ${raw.length} bytes, less than its 5-byte trailer`, { path, offset });
  const n = raw.length - 5;
  const type = raw[n]!;
  const stored = new DataView(raw.buffer, raw.byteOffset + n + 1, 4).getUint32(0, true);
  const computed = crc32cUpdate(0, raw.subarray(0, n + 1));
  if (unmaskCrc(stored) !== computed) {
    throw E.checksum(`block checksum mismatch: stored ${hex32(unmaskCrc(stored))} (masked ${hex32(stored)}) != computed ${hex32(computed)} for the ${n}-byte block at ${offset}`, 'block-crc', { path, offset });
  }
  const contents = raw.subarray(0, n);
  if (type === 0) return contents;
  if (type === 1) return snappyDecompress(contents, path);
  throw E.unsupported(`block compression type ${type} (only 0 = none and 1 = snappy exist)`, 'compression', { path, offset: offset + n });
}

/**
 * Decodes the entries of an uncompressed block (prefix-compressed keys + restart array).
 * @throws FormatError `malformed`/`truncated` for inconsistent lengths or a shared prefix longer than the previous key.
 */
export function parseBlock(contents: Uint8Array, offset: number, path?: string): BlockEntry[] {
  if (contents.length < 4) throw E.truncated(`block at ${offset} of ${contents.length} bytes has no restart count`, { path, offset });
  const dv = new DataView(contents.buffer, contents.byteOffset, contents.byteLength);
  const numRestarts = dv.getUint32(contents.length - 4, true);
  const maxRestarts = Math.floor((contents.length - 4) / 4);
  if (numRestarts > maxRestarts) {
    throw E.malformed(`block declares ${numRestarts} restarts but only ${maxRestarts} fit in its ${contents.length} bytes`, 'restarts', { path, offset });
  }
  const dataEnd = contents.length - 4 - 4 * numRestarts;
  const c = new ByteCursor(contents.subarray(0, dataEnd), 'tensor-bundle', path, offset);
  const out: BlockEntry[] = [];
  let prev: Uint8Array = new Uint8Array(0);
  while (c.remaining > 0) {
    const shared = c.varint32('entry shared length');
    const nonShared = c.varint32('entry key length');
    const valueLen = c.varint32('entry value length');
    if (shared > prev.length) throw c.malformed(`entry shares ${shared} key bytes but the previous key has ${prev.length}`, 'shared-prefix');
    const suffix = c.take(nonShared, 'entry key');
    const value = c.take(valueLen, 'entry value');
    let key: Uint8Array;
    if (shared === 0) key = suffix;
    else {
      key = new Uint8Array(shared + nonShared);
      key.set(prev.subarray(0, shared));
      key.set(suffix, shared);
    }
    out.push({ key, value });
    prev = key;
  }
  return out;
}

/** Builds one block: prefix-compressed entries with a restart point every `restartInterval` entries. */
export class BlockBuilder {
  private readonly buf = new ByteBuilder(4096);
  private readonly restarts: number[] = [0];
  private counter = 0;
  private last: Uint8Array = new Uint8Array(0);
  private count = 0;

  /** @param restartInterval entries between restart points (TF: 16 for data blocks, 1 for the index block). */
  constructor(private readonly restartInterval: number) {}

  /** Number of entries added since the last reset. */
  get entries(): number {
    return this.count;
  }

  /** Adds an entry; keys must arrive in strictly increasing bytewise order. */
  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.counter < this.restartInterval) {
      const m = Math.min(this.last.length, key.length);
      while (shared < m && this.last[shared] === key[shared]) shared++;
    } else {
      this.restarts.push(this.buf.length);
      this.counter = 0;
    }
    this.buf.varint(shared).varint(key.length - shared).varint(value.length);
    this.buf.bytes(key.subarray(shared)).bytes(value);
    this.last = key;
    this.counter++;
    this.count++;
  }

  /** Size the block will have once finished (TF's CurrentSizeEstimate). */
  sizeEstimate(): number {
    return this.buf.length + 4 * this.restarts.length + 4;
  }

  /** Returns the finished block contents and resets the builder. */
  finish(): Uint8Array {
    for (const r of this.restarts) this.buf.u32(r);
    this.buf.u32(this.restarts.length);
    const out = this.buf.toBytes();
    this.buf.reset();
    this.restarts.length = 0;
    this.restarts.push(0);
    this.counter = 0;
    this.count = 0;
    this.last = new Uint8Array(0);
    return out;
  }
}

/** Appends the 5-byte trailer (type byte + masked CRC32C over contents and type). */
export function blockWithTrailer(contents: Uint8Array, type: BlockCompression = 0): Uint8Array {
  const out = new Uint8Array(contents.length + 5);
  out.set(contents);
  out[contents.length] = type;
  const crc = maskCrc(crc32cUpdate(0, out.subarray(0, contents.length + 1)));
  new DataView(out.buffer).setUint32(contents.length + 1, crc, true);
  return out;
}
