import { dtypeFromCode, tensorSha256, typedArrayFromBytes, utf8Decode, utf8Encode, type RangeSource, type SourceOpener, type TensorData } from '@tfsave/core';
import { tensorflow } from '@tfsave/protos';
import { E } from './errors.js';
import { entryDtype, parseEntry, type BundleEntryProto, type EntryLimits, type SliceExtent } from './entry.js';
import { dataFilename, indexFilename } from './naming.js';
import { encodeSliceKey, placeSlice, sliceShape } from './slices.js';
import { assertInside, readWithCrc } from './pipelined-read.js';
import { readTensorChunks, scanRows, type ChunkOptions, type ScanOptions } from './bundle-scan.js';
import { readTable, type TableLimits } from './table-reader.js';
import { decodeTensor, numElements, type TensorLimits } from './tensor-codec.js';

/** Options for {@link openBundle}; every limit has a documented default. */
export interface BundleReadOptions extends TableLimits, EntryLimits, TensorLimits {}

/** The decoded `BundleHeaderProto` (key `""`). */
export interface BundleHeader {
  readonly num_shards: number;
  readonly endianness: 'little' | 'big';
  readonly version: { readonly producer: number; readonly min_consumer: number; readonly bad_consumers: readonly number[] };
}

/** A listing row: what the index says about one tensor. */
export interface BundleEntryInfo {
  /** Tensor name (the table key decoded as UTF-8). */
  readonly name: string;
  /** TF's Python dtype name (`float32`, `bfloat16`, `string`…). */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Stored byte size (0 for a partitioned tensor's full entry). */
  readonly size: number;
  readonly shard: number;
  readonly offset: number;
  /** True when the tensor is stored as slices (partitioned variable). */
  readonly partitioned: boolean;
}

/** A tensor read from a bundle. */
export interface Tensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** A raw table row (key bytes + decoded entry), including slice rows. */
export interface RawEntry {
  readonly key: Uint8Array;
  readonly entry: BundleEntryProto;
}

/** The JSON contract shared by `inspect --json` across formats. */
export interface InspectJson {
  readonly format: 'tensor-bundle';
  readonly entries: Array<{ name: string; dtype: string; shape: number[]; sha256: string }>;
}

function keyString(key: Uint8Array): string {
  return utf8Decode(key);
}

/**
 * A lazily opened tensor bundle: the index is read on open; data shards are
 * opened on first use and only the bytes of the requested tensor are read.
 */
export class BundleReader {
  private readonly shards = new Map<number, Promise<RangeSource>>();
  private readonly byName = new Map<string, RawEntry>();
  private readonly byKeyHex = new Map<string, RawEntry>();

  private constructor(
    private readonly opener: SourceOpener,
    /** The prefix, relative to the opener. */
    readonly prefix: string,
    /** The decoded header. */
    readonly header: BundleHeader,
    /** Every table row after the header, in key order. */
    readonly rawEntries: readonly RawEntry[],
    private readonly limits: BundleReadOptions,
    private readonly indexPath: string,
    /** True when the index uses snappy-compressed blocks (written by TF < 1.1). */
    readonly compressedIndex: boolean,
  ) {
    for (const r of rawEntries) {
      if (r.key[0] === 0) this.byKeyHex.set(hexKey(r.key), r);
      else this.byName.set(keyString(r.key), r);
    }
  }

  /**
   * Opens `<prefix>.index` through `opener`; reads footer, index block and data blocks only.
   * @throws FormatError `unsupported` ("unsupported V1 checkpoint") for a pre-2016 V1 table,
   *   and any table/entry error.
   */
  static async open(opener: SourceOpener, prefix: string, options: BundleReadOptions = {}): Promise<BundleReader> {
    const indexName = indexFilename(prefix);
    if (!(await opener.exists(indexName)) && (await opener.exists(prefix))) {
      const src = await opener.open(prefix);
      try {
        await readTable(src, options);
      } finally {
        await src.close?.();
      }
      throw E.unsupported(`unsupported V1 checkpoint: ${prefix} is a TensorSliceWriter table without a .index file (written by TF < 1.0 Saver V1); re-save it with a current TF`, 'v1-checkpoint', { path: src.name });
    }
    const src = await opener.open(indexName);
    let table;
    try {
      table = await readTable(src, options);
    } finally {
      await src.close?.();
    }
    const path = src.name;
    const first = table.entries[0];
    if (first === undefined || first.key.length !== 0) {
      throw E.malformed(`index has no header entry (key "")`, 'no-header', { path });
    }
    if (first.value[0] === 0x0a) {
      throw E.unsupported('unsupported V1 checkpoint: the header is a SavedTensorSlices message, not a BundleHeaderProto', 'v1-checkpoint', { path });
    }
    const header = parseHeader(first.value, path);
    const rows: RawEntry[] = [];
    for (const e of table.entries.slice(1)) {
      const entry = parseEntry(e.value, keyString(e.key), path, options);
      if (entry.slices.length === 0 && entry.shard_id >= header.num_shards) {
        throw E.malformed(`entry ${JSON.stringify(keyString(e.key))} names shard ${entry.shard_id} of ${header.num_shards}`, 'bad-shard', { path });
      }
      rows.push({ key: e.key, entry });
    }
    return new BundleReader(opener, prefix, header, rows, options, path, table.compressed);
  }

  /** Lists the tensors (slice rows of partitioned tensors are folded into their full entry). */
  entries(): BundleEntryInfo[] {
    const out: BundleEntryInfo[] = [];
    for (const [name, { entry }] of this.byName) {
      out.push({
        name,
        dtype: dtypeFromCode(entry.dtype)?.name ?? `dtype_${entry.dtype}`,
        shape: entry.shape,
        size: entry.size,
        shard: entry.shard_id,
        offset: entry.offset,
        partitioned: entry.slices.length > 0,
      });
    }
    return out;
  }

  /** True when a tensor of that name exists. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The decoded entry proto of a tensor. @throws FormatError `malformed` (code `no-such-tensor`) for an unknown name. */
  entry(name: string): BundleEntryProto {
    const r = this.byName.get(name);
    if (r === undefined) throw E.malformed(`no tensor named ${JSON.stringify(name)}`, 'no-such-tensor', { path: this.indexPath });
    return r.entry;
  }

  /** The limits this reader was opened with. */
  get options(): BundleReadOptions {
    return this.limits;
  }

  /** The index file's name (for error messages). */
  get indexName(): string {
    return this.indexPath;
  }

  /** Opens (once, then cached until {@link close}) the source of data shard `id`. */
  dataSource(id: number): Promise<RangeSource> {
    return this.shard(id, this.header.num_shards);
  }

  private shard(id: number, total: number): Promise<RangeSource> {
    let p = this.shards.get(id);
    if (p === undefined) {
      p = this.opener.open(dataFilename(this.prefix, id, total));
      p.catch(() => this.shards.delete(id));
      this.shards.set(id, p);
    }
    return p;
  }

  /** Reads the stored bytes of an entry (no checksum check). */
  async readStoredBytes(entry: BundleEntryProto, key: string): Promise<{ bytes: Uint8Array; path: string }> {
    const src = await this.shard(entry.shard_id, this.header.num_shards);
    assertInside(src, entry, key);
    return { bytes: await src.read(entry.offset, entry.size), path: src.name };
  }

  private async decodeRow(entry: BundleEntryProto, key: string): Promise<TensorData> {
    const dtype = entryDtype(entry, key, this.indexPath);
    numElements(entry.shape, key, this.indexPath, this.limits);
    if (dtype.name === 'string') {
      const { bytes, path } = await this.readStoredBytes(entry, key);
      return decodeTensor(dtype, entry.shape, bytes, entry.crc32c, key, path, entry.offset, this.limits);
    }
    const src = await this.shard(entry.shard_id, this.header.num_shards);
    assertInside(src, entry, key);
    const { bytes, crc } = await readWithCrc(src, entry.offset, entry.size);
    return decodeTensor(dtype, entry.shape, bytes, entry.crc32c, key, src.name, entry.offset, this.limits, crc);
  }

  /**
   * Reads one tensor, verifying its checksum. Partitioned tensors are reassembled from their slices.
   * @throws FormatError for an unknown name, a checksum mismatch, or truncated data.
   */
  async readTensor(name: string): Promise<Tensor> {
    const entry = this.entry(name);
    const dtype = entryDtype(entry, name, this.indexPath);
    if (entry.slices.length === 0) {
      return { name, dtype: dtype.name, shape: entry.shape, data: await this.decodeRow(entry, name) };
    }
    if (dtype.size === 0) throw E.unsupported(`partitioned ${dtype.name} tensor ${JSON.stringify(name)}`, 'dtype', { path: this.indexPath });
    const n = numElements(entry.shape, name, this.indexPath, this.limits);
    const rows = this.sliceRows(name);
    const stored = rows.reduce((a, r) => a + r.row.entry.size, 0);
    if (stored < n * dtype.size) {
      throw E.malformed(`partitioned tensor ${JSON.stringify(name)} of ${n * dtype.size} bytes has only ${stored} bytes of slices`, 'slice-coverage', { path: this.indexPath });
    }
    const full = new Uint8Array(n * dtype.size);
    const nameBytes = utf8Encode(name);
    for (const slice of entry.slices) {
      const key = encodeSliceKey(nameBytes, slice);
      const row = this.byKeyHex.get(hexKey(key));
      if (row === undefined) throw E.malformed(`slice row of ${JSON.stringify(name)} is missing`, 'missing-slice', { path: this.indexPath });
      const want = sliceShape(entry.shape, slice);
      if (row.entry.shape.join(',') !== want.join(',')) throw E.malformed(`slice of ${JSON.stringify(name)} has shape [${row.entry.shape.join(',')}], expected [${want.join(',')}]`, 'slice-shape', { path: this.indexPath });
      const part = (await this.decodeRow(row.entry, name)) as ArrayBufferView;
      try {
        placeSlice(full, entry.shape, slice, new Uint8Array(part.buffer, part.byteOffset, part.byteLength), dtype.size);
      } catch (e) {
        throw E.malformed(`slice of ${JSON.stringify(name)} does not fit: ${(e as Error).message}`, 'slice-range', { path: this.indexPath, cause: e });
      }
    }
    const tensor = typedArrayFromBytes(dtype, full);
    return { name, dtype: dtype.name, shape: entry.shape, data: tensor };
  }

  /** Decodes one raw row (a whole tensor or a single slice), verifying its checksum. */
  readRow(row: RawEntry): Promise<TensorData> {
    return this.decodeRow(row.entry, keyString(row.key));
  }

  /** Slice rows of a partitioned tensor: each slice with its row. */
  sliceRows(name: string): Array<{ slice: readonly SliceExtent[]; row: RawEntry }> {
    const entry = this.entry(name);
    const nameBytes = utf8Encode(name);
    return entry.slices.map((slice) => {
      const row = this.byKeyHex.get(hexKey(encodeSliceKey(nameBytes, slice)));
      if (row === undefined) throw E.malformed(`slice row of ${JSON.stringify(name)} is missing`, 'missing-slice', { path: this.indexPath });
      return { slice, row };
    });
  }

  /**
   * Reads every tensor and verifies every checksum, in data-file order with large aligned
   * requests and the next ones in flight while the current tensors are checksummed.
   * Returns the number of stored tensors (and slices) checked.
   * @throws FormatError `checksum`, `truncated`… for the first bad tensor.
   */
  async verifyAll(options: ScanOptions = {}): Promise<number> {
    let n = 0;
    for await (const _ of scanRows(this, options)) n++;
    return n;
  }

  /**
   * Reads every tensor, verified, in one pass: stored tensors
   * in data-file order (IO of the next request overlapping the checksum of the current one), then
   * partitioned tensors reassembled from their slices. Data may be views into a shared request buffer.
   */
  async *readAll(options: ScanOptions = {}): AsyncGenerator<Tensor> {
    const whole = this.rawEntries.filter((r) => r.entry.slices.length === 0 && r.key[0] !== 0);
    for await (const { name, row, data } of scanRows(this, options, whole)) {
      yield { name, dtype: entryDtype(row.entry, name, this.indexPath).name, shape: row.entry.shape, data };
    }
    for (const r of this.rawEntries) {
      if (r.entry.slices.length > 0) yield await this.readTensor(keyString(r.key));
    }
  }

  /**
   * Streams one tensor's stored bytes in chunks (never the whole tensor in memory); the checksum
   * is checked after the last chunk. See {@link readTensorChunks} for the rules and errors.
   */
  readTensorChunks(name: string, options: ChunkOptions = {}): AsyncGenerator<Uint8Array> {
    return readTensorChunks(this, name, this.entry(name), options);
  }

  /** The `inspect --json` document: name, dtype, shape and sha256 of every tensor. */
  async inspectJson(): Promise<InspectJson> {
    const entries: InspectJson['entries'] = [];
    for (const info of this.entries()) {
      const t = await this.readTensor(info.name);
      entries.push({ name: info.name, dtype: info.dtype, shape: [...info.shape], sha256: tensorSha256(t.data) });
    }
    return { format: 'tensor-bundle', entries };
  }

  /** Closes every opened data shard. */
  async close(): Promise<void> {
    for (const p of this.shards.values()) {
      try {
        await (await p).close?.();
      } catch {
        /* already reported when opened */
      }
    }
    this.shards.clear();
  }
}


function hexKey(k: Uint8Array): string {
  let s = '';
  for (const b of k) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * Decodes the header entry.
 * @throws FormatError `malformed` for bad bytes, `unsupported` for a newer min_consumer or a big-endian bundle.
 */
export function parseHeader(bytes: Uint8Array, path?: string): BundleHeader {
  let m: tensorflow.BundleHeaderProto;
  try {
    m = tensorflow.BundleHeaderProto.decode(bytes);
  } catch (e) {
    throw E.malformed(`header is not a valid BundleHeaderProto: ${(e as Error).message}`, 'header-proto', { path, cause: e });
  }
  const version = { producer: m.version?.producer ?? 0, min_consumer: m.version?.min_consumer ?? 0, bad_consumers: m.version?.bad_consumers ?? [] };
  if (version.min_consumer > 1) throw E.unsupported(`bundle needs consumer version ${version.min_consumer}, this reader is version 1`, 'version', { path });
  if (version.bad_consumers.includes(1)) throw E.unsupported('bundle lists consumer version 1 as bad', 'version', { path });
  if (m.num_shards < 1 || m.num_shards > 99999) throw E.malformed(`header declares ${m.num_shards} shards`, 'num-shards', { path });
  if (m.endianness === 1) throw E.unsupported('big-endian bundles are not supported', 'endianness', { path });
  return { num_shards: m.num_shards, endianness: 'little', version };
}
