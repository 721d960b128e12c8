import { dtypeFromCode, dtypeFromName, maskCrc, utf8Encode, type ByteSink, type DTypeInfo, type SinkFactory, type TensorData, crc32cFast } from '@tfsave/core';
import { tensorflow } from '@tfsave/protos';
import { encodeEntry, type BundleEntryProto, type SliceExtent } from './entry.js';
import { dataFilename, indexFilename } from './naming.js';
import { encodeSliceKey, sliceShape } from './slices.js';
import { compareBytes } from './table-reader.js';
import { TableWriter, type TableWriterOptions } from './table-writer.js';
import { encodeStringTensor, numElements, tensorBytes } from './tensor-codec.js';

/** A sink factory that can change the final name of a pending file before commit. */
export interface RenamingSinkFactory extends SinkFactory {
  /** Changes the name a pending file will get on commit. */
  rename(from: string, to: string): void;
}

/** Options of {@link BundleWriter}. */
export interface BundleWriterOptions extends TableWriterOptions {
  /**
   * Start a new data shard when adding a tensor would take the current one past this size.
   * Needs a {@link RenamingSinkFactory} (the shard count is known only at the end). Default: no limit.
   */
  readonly maxShardBytes?: number;
  /** Fixed number of shards; tensors then choose theirs with `add(..., { shard })`. Default 1. */
  readonly numShards?: number;
}

/** Per-tensor options of {@link BundleWriter.add}. */
export interface AddOptions {
  /** Shard to write to when `numShards` was given. Default 0. */
  readonly shard?: number;
}

/** A tensor value for writing: typed array (or string elements) + dtype + shape. */
export interface TensorInput {
  /** TF Python dtype name (`float32`…) or DataType code. */
  readonly dtype: string | number;
  readonly shape: readonly number[];
  readonly data: TensorData | ArrayBufferView;
}

function resolveDtype(d: string | number): DTypeInfo {
  const info = typeof d === 'number' ? dtypeFromCode(d) : dtypeFromName(d);
  if (info === undefined || info.name === 'resource' || info.name === 'variant') throw new RangeError(`cannot write dtype ${d}`);
  return info;
}

/**
 * Streaming tensor-bundle writer. Tensor bytes go to the data shard as each
 * tensor is added; only the (small) index entries are kept until {@link finish},
 * which writes `<prefix>.index` last and commits the factory (data files first).
 * Output is byte-identical to TF's BundleWriter for the same tensors in the same order.
 */
export class BundleWriter {
  private readonly entries = new Map<string, { key: Uint8Array; entry: BundleEntryProto }>();
  private readonly sinks: ByteSink[] = [];
  private readonly names: string[] = [];
  private current = 0;
  private finished = false;

  constructor(private readonly factory: SinkFactory, readonly prefix: string, private readonly options: BundleWriterOptions = {}) {
    if (options.maxShardBytes !== undefined && !('rename' in factory)) throw new RangeError('maxShardBytes needs a RenamingSinkFactory');
    if (options.maxShardBytes !== undefined && options.numShards !== undefined) throw new RangeError('give maxShardBytes or numShards, not both');
  }

  private async sink(shard: number): Promise<ByteSink> {
    while (this.sinks.length <= shard) {
      const n = this.sinks.length;
      const name = this.options.maxShardBytes !== undefined ? `${this.prefix}.data-${String(n).padStart(5, '0')}-partial` : dataFilename(this.prefix, n, this.options.numShards ?? 1);
      this.names.push(name);
      this.sinks.push(await this.factory.create(name));
    }
    return this.sinks[shard]!;
  }

  private async pickShard(size: number, opts: AddOptions): Promise<number> {
    const fixed = this.options.numShards ?? 1;
    if (this.options.maxShardBytes === undefined) {
      const s = opts.shard ?? 0;
      if (!(s >= 0 && s < fixed)) throw new RangeError(`shard ${s} is outside 0..${fixed - 1}`);
      return s;
    }
    const cur = await this.sink(this.current);
    if (cur.position > 0 && cur.position + size > this.options.maxShardBytes) this.current++;
    return this.current;
  }

  private addEntry(key: Uint8Array, entry: BundleEntryProto): void {
    const k = Array.from(key, (b) => b.toString(16).padStart(2, '0')).join('');
    if (this.entries.has(k)) throw new RangeError(`duplicate tensor key ${JSON.stringify(new TextDecoder().decode(key))}`);
    this.entries.set(k, { key, entry });
  }

  private async writeData(dtype: DTypeInfo, t: TensorInput, opts: AddOptions): Promise<Omit<BundleEntryProto, 'slices' | 'shape' | 'unknown_rank' | 'dtype'>> {
    if (this.finished) throw new RangeError('writer is finished');
    let bytes: Uint8Array;
    let crc: number;
    const n = numElements(t.shape, '', undefined, { maxElements: Number.MAX_SAFE_INTEGER });
    if (dtype.name === 'string') {
      const els = t.data as readonly Uint8Array[];
      if (!Array.isArray(els) || els.length !== n) throw new RangeError(`string tensor needs ${n} byte-array elements`);
      ({ bytes, crc32c: crc } = encodeStringTensor(els));
    } else {
      bytes = tensorBytes(t.data as ArrayBufferView);
      if (bytes.length !== n * dtype.size) throw new RangeError(`${dtype.name}[${t.shape.join(',')}] needs ${n * dtype.size} bytes, got ${bytes.length}`);
      crc = -1;
    }
    const shard = await this.pickShard(bytes.length, opts);
    const sink = await this.sink(shard);
    const offset = sink.position;
    // Start the write, then checksum while the file system works (the bytes are not
    // modified: the caller awaits add()).
    const written = sink.write(bytes);
    if (crc === -1) crc = maskCrc(crc32cFast(0, bytes));
    await written;
    return { shard_id: shard, offset, size: bytes.length, crc32c: crc };
  }

  /**
   * Appends a tensor to the current data shard.
   * @throws RangeError for a duplicate name, a size/shape mismatch or an unwritable dtype.
   */
  async add(name: string, tensor: TensorInput, opts: AddOptions = {}): Promise<void> {
    const dtype = resolveDtype(tensor.dtype);
    const key = utf8Encode(name);
    if (key.length === 0 || key[0] === 0) throw new RangeError('tensor names must be non-empty and not start with a NUL byte');
    const where = await this.writeData(dtype, tensor, opts);
    this.addEntry(key, { dtype: dtype.code, shape: [...tensor.shape], unknown_rank: false, slices: [], ...where });
  }

  /**
   * Appends one slice of a partitioned tensor (TF's AddSlice). The full-tensor entry
   * lists every slice added under that name and, as after TF's MergeBundles, carries
   * the shard of its first slice.
   */
  async addSlice(name: string, fullShape: readonly number[], slice: readonly SliceExtent[], tensor: TensorInput, opts: AddOptions = {}): Promise<void> {
    const dtype = resolveDtype(tensor.dtype);
    const nameKey = utf8Encode(name);
    const want = sliceShape(fullShape, slice);
    if (want.join(',') !== tensor.shape.join(',')) throw new RangeError(`slice shape [${tensor.shape.join(',')}] != [${want.join(',')}]`);
    const where = await this.writeData(dtype, tensor, opts);
    this.addEntry(encodeSliceKey(nameKey, slice), { dtype: dtype.code, shape: [...tensor.shape], unknown_rank: false, slices: [], ...where });
    const k = Array.from(nameKey, (b) => b.toString(16).padStart(2, '0')).join('');
    const full = this.entries.get(k);
    if (full === undefined) {
      this.entries.set(k, { key: nameKey, entry: { dtype: dtype.code, shape: [...fullShape], unknown_rank: false, shard_id: where.shard_id, offset: 0, size: 0, crc32c: 0, slices: [slice] } });
    } else {
      (full.entry.slices as SliceExtent[][]).push([...slice]);
    }
  }

  /** Number of data shards so far. */
  get shardCount(): number {
    return Math.max(this.sinks.length, this.options.numShards ?? 1);
  }

  /** Closes the data shards, writes the index and commits every file (data first, index last). */
  async finish(): Promise<void> {
    if (this.finished) throw new RangeError('writer is finished');
    this.finished = true;
    try {
      const total = this.shardCount;
      for (let i = 0; i < total; i++) await this.sink(i);
      for (const s of this.sinks) await s.close();
      if (this.options.maxShardBytes !== undefined) {
        const f = this.factory as RenamingSinkFactory;
        this.names.forEach((n, i) => f.rename(n, dataFilename(this.prefix, i, total)));
      }
      const table = new TableWriter(this.options);
      const header: tensorflow.IBundleHeaderProto = { num_shards: total, version: { producer: 1 } };
      table.add(new Uint8Array(0), tensorflow.BundleHeaderProto.encode(header).finish());
      const rows = [...this.entries.values()].sort((a, b) => compareBytes(a.key, b.key));
      for (const r of rows) table.add(r.key, encodeEntry(r.entry));
      const index = await this.factory.create(indexFilename(this.prefix));
      for (const c of table.finish()) await index.write(c);
      await index.close();
      await this.factory.commit();
    } catch (e) {
      await this.factory.abort();
      throw e;
    }
  }

  /** Discards everything written so far. */
  async abort(): Promise<void> {
    this.finished = true;
    await this.factory.abort();
  }
}
