import { ByteBuilder } from '@tfsave/core';
import { BlockBuilder, blockWithTrailer } from './table-block.js';
import { encodeFooter, writeBlockHandle, type BlockHandle } from './table-footer.js';
import { compareBytes } from './table-reader.js';

/** Table options; defaults are TensorFlow's. */
export interface TableWriterOptions {
  /** Target uncompressed data block size. Default 262144 (256 KiB), as TF. */
  readonly blockSize?: number;
  /** Entries between restart points in data blocks. Default 16. */
  readonly restartInterval?: number;
}

/**
 * LevelDB's FindShortestSeparator: a short key k with start <= k < limit.
 * Upstream: tensorflow/core/lib/io/table_builder.cc (FindShortestSeparator).
 */
export function shortestSeparator(start: Uint8Array, limit: Uint8Array): Uint8Array {
  const min = Math.min(start.length, limit.length);
  let i = 0;
  while (i < min && start[i] === limit[i]) i++;
  if (i < min) {
    const b = start[i]!;
    if (b < 0xff && b + 1 < limit[i]!) {
      const out = start.slice(0, i + 1);
      out[i] = b + 1;
      return out;
    }
  }
  return start;
}

/** LevelDB's FindShortSuccessor: a short key k >= key (first non-0xff byte incremented, rest dropped). */
export function shortSuccessor(key: Uint8Array): Uint8Array {
  for (let i = 0; i < key.length; i++) {
    if (key[i] !== 0xff) {
      const out = key.slice(0, i + 1);
      out[i] = key[i]! + 1;
      return out;
    }
  }
  return key;
}

/**
 * Builds a table file in memory, byte-identical to TensorFlow's TableBuilder
 * with compression off. Chunks are appended to `chunks` as blocks complete.
 */
export class TableWriter {
  /** Output chunks in file order. */
  readonly chunks: Uint8Array[] = [];
  private offset = 0;
  private readonly data: BlockBuilder;
  private readonly index = new BlockBuilder(1);
  private readonly blockSize: number;
  private lastKey: Uint8Array | undefined;
  private pendingHandle: BlockHandle | undefined;

  constructor(options: TableWriterOptions = {}) {
    this.blockSize = options.blockSize ?? 262144;
    this.data = new BlockBuilder(options.restartInterval ?? 16);
  }

  /**
   * Adds one entry.
   * @throws RangeError when keys are not strictly increasing.
   */
  add(key: Uint8Array, value: Uint8Array): void {
    if (this.lastKey !== undefined && compareBytes(this.lastKey, key) >= 0) throw new RangeError('table keys must be strictly increasing');
    if (this.data.entries > 0 && key.length + value.length >= 2 * this.blockSize) this.flush();
    if (this.pendingHandle !== undefined) {
      this.addIndex(shortestSeparator(this.lastKey!, key), this.pendingHandle);
      this.pendingHandle = undefined;
    }
    this.data.add(key, value);
    this.lastKey = key;
    if (this.data.sizeEstimate() >= this.blockSize) this.flush();
  }

  private addIndex(key: Uint8Array, h: BlockHandle): void {
    const b = new ByteBuilder(20);
    writeBlockHandle(b, h);
    this.index.add(key, b.toBytes());
  }

  private emit(contents: Uint8Array): BlockHandle {
    const h = { offset: this.offset, size: contents.length };
    const block = blockWithTrailer(contents);
    this.chunks.push(block);
    this.offset += block.length;
    return h;
  }

  private flush(): void {
    if (this.data.entries === 0) return;
    this.pendingHandle = this.emit(this.data.finish());
  }

  /** Writes the last data block, the empty metaindex block, the index block and the footer. */
  finish(): Uint8Array[] {
    this.flush();
    const metaindex = this.emit(new BlockBuilder(16).finish());
    if (this.pendingHandle !== undefined) {
      this.addIndex(shortSuccessor(this.lastKey!), this.pendingHandle);
      this.pendingHandle = undefined;
    }
    const index = this.emit(this.index.finish());
    const footer = encodeFooter({ metaindex, index });
    this.chunks.push(footer);
    this.offset += footer.length;
    return this.chunks;
  }
}
