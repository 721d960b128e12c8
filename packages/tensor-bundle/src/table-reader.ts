import { ByteCursor, type RangeSource } from '@tfsave/core';
import { E } from './errors.js';
import { BLOCK_TRAILER_LENGTH, FOOTER_LENGTH, parseFooter, readBlockHandle, type BlockHandle } from './table-footer.js';
import { parseBlock, unwrapBlock, type BlockEntry } from './table-block.js';

/** Limits applied while reading a table. */
export interface TableLimits {
  /** Largest block accepted, in bytes. Default 64 MiB. */
  readonly maxBlockBytes?: number;
  /** Largest number of entries accepted. Default 10 000 000. */
  readonly maxEntries?: number;
}

/** All entries of a table file, in key order. */
export interface TableContents {
  readonly entries: BlockEntry[];
  readonly dataBlocks: BlockHandle[];
  /** True when any block is snappy-compressed (TF ≥ 1.1 never writes those). */
  readonly compressed: boolean;
}

async function readBlock(source: RangeSource, h: BlockHandle, limits: TableLimits, seen?: { compressed: boolean }): Promise<Uint8Array> {
  const max = limits.maxBlockBytes ?? 64 << 20;
  if (h.size > max) throw E.limit(`block of ${h.size} bytes at ${h.offset} is over the ${max}-byte limit`, 'block-too-large', { path: source.name, offset: h.offset });
  if (h.offset + h.size + BLOCK_TRAILER_LENGTH > source.byteLength) {
    throw E.truncated(`block [${h.offset}, +${h.size + BLOCK_TRAILER_LENGTH}) runs past the end of the ${source.byteLength}-byte file`, { path: source.name, offset: h.offset });
  }
  const raw = await source.read(h.offset, h.size + BLOCK_TRAILER_LENGTH);
  if (seen !== undefined && raw[h.size] === 1) seen.compressed = true;
  return unwrapBlock(raw, h.offset, source.name);
}

/**
 * Reads a whole table (SSTable) file: footer, index block, then every data block,
 * verifying each block checksum. Entries must be in strictly increasing key order.
 * @throws FormatError for any truncation, checksum mismatch or malformed block.
 */
export async function readTable(source: RangeSource, limits: TableLimits = {}): Promise<TableContents> {
  const len = source.byteLength;
  if (len < FOOTER_LENGTH) throw E.truncated(`file of ${len} bytes is too short for the ${FOOTER_LENGTH}-byte table footer`, { path: source.name, offset: 0 });
  const footer = parseFooter(await source.read(len - FOOTER_LENGTH, FOOTER_LENGTH), len, source.name);
  const seen = { compressed: false };
  const indexBytes = await readBlock(source, footer.index, limits, seen);
  const indexEntries = parseBlock(indexBytes, footer.index.offset, source.name);
  const dataBlocks: BlockHandle[] = [];
  for (const ie of indexEntries) {
    const c = new ByteCursor(ie.value, 'tensor-bundle', source.name, footer.index.offset);
    const h = readBlockHandle(c);
    if (h.offset + h.size + BLOCK_TRAILER_LENGTH > footer.index.offset && h.offset < footer.index.offset + footer.index.size) {
      throw E.malformed(`data block [${h.offset}, +${h.size}) overlaps the index block`, 'bad-handle', { path: source.name, offset: footer.index.offset });
    }
    dataBlocks.push(h);
  }
  const maxEntries = limits.maxEntries ?? 10_000_000;
  const entries: BlockEntry[] = [];
  let prev: Uint8Array | undefined;
  for (const h of dataBlocks) {
    const contents = await readBlock(source, h, limits, seen);
    for (const e of parseBlock(contents, h.offset, source.name)) {
      if (prev !== undefined && compareBytes(prev, e.key) >= 0) {
        throw E.malformed(`table keys out of order in block at ${h.offset}`, 'key-order', { path: source.name, offset: h.offset });
      }
      prev = e.key;
      entries.push(e);
      if (entries.length > maxEntries) throw E.limit(`table has more than ${maxEntries} entries`, 'too-many-entries', { path: source.name });
    }
  }
  return { entries, dataBlocks, compressed: seen.compressed };
}

/** Bytewise (memcmp) comparison of two keys. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
