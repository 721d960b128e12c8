import { unmaskCrc, utf8Decode, type RangeSource, type TensorData, crc32cFast } from '@tfsave/core';
import type { BundleReadOptions, RawEntry } from './bundle-reader.js';
import { entryDtype, type BundleEntryProto } from './entry.js';
import { E, hex32 } from './errors.js';
import { assertInside, readWithCrc, READ_CHUNK_BYTES } from './pipelined-read.js';
import { decodeTensor, numElements } from './tensor-codec.js';

/** What the scanning functions need from a reader (a {@link BundleReader} provides it). */
export interface ScanTarget {
  readonly rawEntries: readonly RawEntry[];
  readonly options: BundleReadOptions;
  readonly indexName: string;
  dataSource(shard: number): Promise<RangeSource>;
}

/** Options of whole-bundle reads ({@link scanRows}, `BundleReader.readAll`). */
export interface ScanOptions {
  /**
   * Neighbouring tensors of one shard are read together in requests of up to this many bytes
   * (start and end rounded out to 4 KiB); a tensor larger than this is read on its own in
   * pipelined 16 MiB chunks. Default {@link SCAN_BATCH_BYTES} (4 MiB: larger fresh buffers cost
   * more page faults than they save in requests).
   */
  readonly batchBytes?: number;
  /**
   * While one request is checksummed, the next ones are already in flight, up to this many bytes
   * in all (always at least the next request, whatever its size). Several positioned reads run in
   * parallel in Node's IO threads and keep the copy from the page cache off the critical path.
   * Default {@link SCAN_READ_AHEAD_BYTES} (8 MiB); 0 keeps just one request ahead. Sources with
   * latency (HTTP) gain from more.
   */
  readonly readAheadBytes?: number;
}

/** Options of {@link readTensorChunks}. */
export interface ChunkOptions {
  /** Bytes per chunk, rounded down to a whole number of elements. Default 16 MiB. */
  readonly chunkBytes?: number;
}

/** A row read by {@link scanRows}: its table row and its verified, decoded data. */
export interface ScannedRow {
  readonly row: RawEntry;
  readonly name: string;
  readonly data: TensorData;
}

/** Default request size of whole-bundle reads. */
export const SCAN_BATCH_BYTES = 4 << 20;

/**
 * Default read-ahead of whole-bundle reads: two 4 MiB requests in flight while one is checksummed.
 * A third one was not faster on 1 GiB reads: with four fresh 4 MiB buffers alive at once, V8 ran
 * about six major GCs per GiB (none with three).
 */
export const SCAN_READ_AHEAD_BYTES = 8 << 20;

const ALIGN = 4096;
/** Largest hole between two tensors that are still fetched in one request. */
const MAX_GAP = 64 << 10;

interface Batch {
  readonly shard: number;
  readonly start: number;
  readonly end: number;
  readonly rows: RawEntry[];
}

function planBatches(rows: readonly RawEntry[], batchBytes: number): Batch[] {
  const sorted = [...rows].sort((a, b) => a.entry.shard_id - b.entry.shard_id || a.entry.offset - b.entry.offset);
  const out: Batch[] = [];
  let cur: { shard: number; start: number; end: number; rows: RawEntry[] } | undefined;
  for (const r of sorted) {
    const { shard_id: shard, offset, size } = r.entry;
    const start = offset - (offset % ALIGN);
    if (cur !== undefined && cur.shard === shard && offset - cur.end <= MAX_GAP && offset + size - cur.start <= batchBytes) {
      cur.rows.push(r);
      cur.end = Math.max(cur.end, offset + size);
      continue;
    }
    if (cur !== undefined) out.push(cur);
    cur = { shard, start, end: offset + size, rows: [r] };
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

/** Bytes a batch's request covers. */
function span(b: Batch): number {
  return b.end - b.start;
}

type Loaded = { kind: 'bytes'; src: RangeSource; start: number; bytes: Uint8Array } | { kind: 'large'; src: RangeSource; bytes: Uint8Array; crc: number };

/**
 * Starts reading a batch. Once its shard is open the read request is issued before this returns
 * (no await first), so the caller's checksum work overlaps the file system's copy.
 */
function load(target: ScanTarget, opened: Map<number, RangeSource>, b: Batch, batchBytes: number): Promise<Loaded> {
  const src = opened.get(b.shard);
  if (src !== undefined) return loadFrom(src, b, batchBytes);
  return target.dataSource(b.shard).then((s) => {
    opened.set(b.shard, s);
    return loadFrom(s, b, batchBytes);
  });
}

async function loadFrom(src: RangeSource, b: Batch, batchBytes: number): Promise<Loaded> {
  for (const r of b.rows) assertInside(src, r.entry, utf8Decode(r.key));
  const first = b.rows[0]!.entry;
  if (b.rows.length === 1 && first.size > batchBytes) {
    const { bytes, crc } = await readWithCrc(src, first.offset, first.size);
    return { kind: 'large', src, bytes, crc };
  }
  const rounded = b.end + ((ALIGN - (b.end % ALIGN)) % ALIGN);
  const end = Math.min(rounded, src.byteLength);
  return { kind: 'bytes', src, start: b.start, bytes: await src.read(b.start, end - b.start) };
}

/**
 * Reads and verifies `rows` (whole tensors or single slices; default: every row that is not a
 * partitioned tensor's full entry) in data-file order. Neighbouring tensors are fetched in
 * large aligned requests, and the next requests (up to `readAheadBytes`) are in flight while the
 * current tensors are checksummed, so IO and CRC overlap. Yielded data may be views into a shared
 * request buffer.
 * @throws FormatError as `BundleReader.readTensor` (checksum, truncated, limits).
 */
export async function* scanRows(target: ScanTarget, options: ScanOptions = {}, rows?: readonly RawEntry[]): AsyncGenerator<ScannedRow> {
  const batchBytes = options.batchBytes ?? SCAN_BATCH_BYTES;
  if (!(batchBytes >= 1)) throw new RangeError(`batchBytes must be at least 1, got ${batchBytes}`);
  const list = rows ?? target.rawEntries.filter((r) => r.entry.slices.length === 0);
  for (const r of list) {
    const key = utf8Decode(r.key);
    entryDtype(r.entry, key, target.indexName);
    numElements(r.entry.shape, key, target.indexName, target.options);
  }
  const readAhead = options.readAheadBytes ?? SCAN_READ_AHEAD_BYTES;
  if (!(readAhead >= 0)) throw new RangeError(`readAheadBytes must be at least 0, got ${readAhead}`);
  const batches = planBatches(list, batchBytes);
  const opened = new Map<number, RangeSource>();
  const inFlight: Array<Promise<Loaded>> = [];
  let issued = 0;
  let inFlightBytes = 0;
  const fill = (): void => {
    while (issued < batches.length && (inFlight.length === 0 || inFlightBytes + span(batches[issued]!) <= readAhead)) {
      const p = load(target, opened, batches[issued]!, batchBytes);
      // An unawaited rejection of a prefetch is reported when it is awaited, in file order.
      p.catch(() => undefined);
      inFlight.push(p);
      inFlightBytes += span(batches[issued++]!);
    }
  };
  fill();
  for (let i = 0; i < batches.length; i++) {
    const loaded = await inFlight.shift()!;
    inFlightBytes -= span(batches[i]!);
    fill();
    for (const row of batches[i]!.rows) {
      const name = utf8Decode(row.key);
      const dtype = entryDtype(row.entry, name, target.indexName);
      const e = row.entry;
      if (loaded.kind === 'large') {
        yield { row, name, data: decodeTensor(dtype, e.shape, loaded.bytes, e.crc32c, name, loaded.src.name, e.offset, target.options, loaded.crc) };
        continue;
      }
      const bytes = loaded.bytes.subarray(e.offset - loaded.start, e.offset - loaded.start + e.size);
      yield { row, name, data: decodeTensor(dtype, e.shape, bytes, e.crc32c, name, loaded.src.name, e.offset, target.options) };
    }
  }
}

/**
 * Streams one stored tensor's bytes in chunks without materializing it, so tensors larger than
 * memory (or than 2 GiB) can be processed. The next chunk is read while the caller works on the
 * current one; the CRC-32C is accumulated chunk by chunk and checked after the last chunk:
 * treat the data as unverified until iteration completes without an error.
 * Chunks hold whole elements (`chunkBytes` rounded down to the element size). The `maxElements`
 * limit does not apply: nothing larger than one chunk is ever allocated.
 * @throws FormatError `unsupported` for string tensors and partitioned tensors (read those with
 *   `readTensor`), `checksum` after the last chunk on a mismatch, `truncated` before the first
 *   chunk when the tensor runs past its data file.
 */
export async function* readTensorChunks(target: ScanTarget, name: string, entry: BundleEntryProto, options: ChunkOptions = {}): AsyncGenerator<Uint8Array> {
  const dtype = entryDtype(entry, name, target.indexName);
  if (entry.slices.length > 0) throw E.unsupported(`tensor ${JSON.stringify(name)} is partitioned; read it with readTensor`, 'chunked-partitioned', { path: target.indexName });
  if (dtype.size === 0) throw E.unsupported(`tensor ${JSON.stringify(name)} has dtype ${dtype.name}, which cannot be streamed in chunks`, 'chunked-dtype', { path: target.indexName });
  const n = numElements(entry.shape, name, target.indexName, { maxElements: Number.MAX_SAFE_INTEGER });
  if (n * dtype.size !== entry.size) {
    throw E.malformed(`tensor ${JSON.stringify(name)} of ${dtype.name}[${entry.shape.join(',')}] needs ${n * dtype.size} bytes but its entry has ${entry.size}`, 'size-mismatch', { path: target.indexName, offset: entry.offset });
  }
  const asked = options.chunkBytes ?? READ_CHUNK_BYTES;
  const chunk = Math.floor(asked / dtype.size) * dtype.size;
  if (!(chunk >= dtype.size)) throw new RangeError(`chunkBytes must hold at least one ${dtype.name} element (${dtype.size} bytes), got ${asked}`);
  const src = await target.dataSource(entry.shard_id);
  assertInside(src, entry, name);
  const end = entry.offset + entry.size;
  const readAt = (pos: number): Promise<Uint8Array> => src.read(pos, Math.min(chunk, end - pos));
  let crc = 0;
  let pending = entry.size > 0 ? readAt(entry.offset) : undefined;
  for (let pos = entry.offset; pos < end; ) {
    const part = await pending!;
    const next = pos + part.length;
    pending = next < end ? readAt(next) : undefined;
    pending?.catch(() => undefined);
    crc = crc32cFast(crc, part);
    pos = next;
    yield part;
  }
  const stored = unmaskCrc(entry.crc32c);
  if (crc !== stored) {
    throw E.checksum(`tensor checksum mismatch for ${JSON.stringify(name)}: stored ${hex32(stored)} != computed ${hex32(crc)} (after streaming ${entry.size} bytes)`, 'tensor-crc', { path: src.name, offset: entry.offset });
  }
}
