import { ByteBuilder, ByteCursor } from '@tfsave/core';
import { E } from './errors.js';

/** Size of a table footer in bytes: two padded block handles (40) + magic (8). */
export const FOOTER_LENGTH = 48;
/** Size of the trailer after each block: compression type byte + masked CRC32C. */
export const BLOCK_TRAILER_LENGTH = 5;
const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;

/** Location of a block inside a table file (size excludes the 5-byte trailer). */
export interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

/** The decoded 48-byte footer of a table file. */
export interface TableFooter {
  readonly metaindex: BlockHandle;
  readonly index: BlockHandle;
}

/** Answers whether the last 8 bytes of `tail` are the table magic number. Never throws. */
export function hasTableMagic(tail: Uint8Array): boolean {
  if (tail.length < 8) return false;
  const v = new DataView(tail.buffer, tail.byteOffset + tail.length - 8, 8);
  return v.getUint32(0, true) === MAGIC_LO && v.getUint32(4, true) === MAGIC_HI;
}

/** Reads a varint64 offset/size pair. */
export function readBlockHandle(c: ByteCursor): BlockHandle {
  const offset = c.varintSafe('block handle offset');
  const size = c.varintSafe('block handle size');
  return { offset, size };
}

/** Appends a block handle as two varints. */
export function writeBlockHandle(b: ByteBuilder, h: BlockHandle): void {
  b.varint(h.offset).varint(h.size);
}

/**
 * Parses a table footer.
 * @param bytes exactly the last 48 bytes of the file.
 * @param fileLength the file's length, to check that both handles lie inside it.
 * @throws FormatError `truncated` for short input, `malformed` for a bad magic or handle.
 */
export function parseFooter(bytes: Uint8Array, fileLength: number, path?: string): TableFooter {
  const at = fileLength - FOOTER_LENGTH;
  if (bytes.length !== FOOTER_LENGTH) throw E.truncated(`file of ${fileLength} bytes is too short for the ${FOOTER_LENGTH}-byte table footer`, { path, offset: 0 });
  if (!hasTableMagic(bytes)) {
    const v = new DataView(bytes.buffer, bytes.byteOffset + 40, 8);
    const got = (BigInt(v.getUint32(4, true)) << 32n) | BigInt(v.getUint32(0, true));
    throw E.malformed(`footer magic 0x${got.toString(16)} != 0xdb4775248b80fb57`, 'bad-magic', { path, offset: at + 40 });
  }
  const c = new ByteCursor(bytes.subarray(0, 40), 'tensor-bundle', path, at);
  const metaindex = readBlockHandle(c);
  const index = readBlockHandle(c);
  for (const [what, h] of [['metaindex', metaindex], ['index', index]] as const) {
    if (h.offset + h.size + BLOCK_TRAILER_LENGTH > at) {
      throw E.malformed(`${what} block [${h.offset}, +${h.size}) runs past the footer at ${at}`, 'bad-handle', { path, offset: at });
    }
  }
  return { metaindex, index };
}

/** Encodes a 48-byte footer. */
export function encodeFooter(f: TableFooter): Uint8Array {
  const b = new ByteBuilder(FOOTER_LENGTH);
  writeBlockHandle(b, f.metaindex);
  writeBlockHandle(b, f.index);
  while (b.length < 40) b.u8(0);
  b.u32(MAGIC_LO).u32(MAGIC_HI);
  return b.toBytes();
}
