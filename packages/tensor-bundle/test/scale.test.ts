import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CountingSource, crc32cUpdate, toHex, isFormatError, MemoryOpener, type RangeSource, type SourceOpener } from '@tfsave/core';
import { tensorflow } from '@tfsave/protos';
import { BundleReader, BundleWriter, MemoryBundleSinkFactory, encodeEntry, parseEntry, type BundleEntryProto } from '../src/index.js';
import { DirOpener } from '@tfsave/core/node';
import { openBundle } from '../src/node/index.js';
import { crc32cOfZeros, FAR_OFFSET, HUGE_ELEMENTS, HUGE_OFFSET, makeSparseBundle } from './sparse-bundle.js';
import { makeTensor } from './tensors.js';

test('no 4 GiB offset limit: a tensor stored past 5 GiB of a sparse data file opens, lists, reads and verifies', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensor-bundle-sparse-'));
  try {
    const { prefix, far } = await makeSparseBundle(dir, true);
    assert.ok(statSync(`${prefix}.data-00000-of-00001`).size > 5 * 2 ** 30);
    const r = await openBundle(prefix);
    const info = r.entries().find((e) => e.name === 'far')!;
    assert.equal(info.offset, FAR_OFFSET);
    assert.ok(info.offset > 2 ** 32);
    assert.deepEqual((await r.readTensor('far')).data, far);
    assert.equal(r.entries().find((e) => e.name === 'huge')!.size, HUGE_ELEMENTS * 4);
    await r.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Opens the sparse bundle's real files, but serves reads that fall inside the all-zero hole from
 * one shared zero buffer: page-faulting 2 GiB of fresh read buffers takes 5–10 s on the shared test
 * VM, and what is under test here is the reader's chunking and checksum arithmetic past 2^31.
 */
class HoleFromMemory implements SourceOpener {
  readonly name: string;
  private readonly zeros = new Uint8Array(16 << 20);
  readonly lengths: number[] = [];
  constructor(private readonly inner: DirOpener) {
    this.name = inner.name;
  }
  async open(p: string): Promise<RangeSource> {
    const src = await this.inner.open(p);
    if (!p.includes('.data-')) return src;
    const zeros = this.zeros;
    const lengths = this.lengths;
    return {
      name: src.name,
      byteLength: src.byteLength,
      async read(offset: number, length: number): Promise<Uint8Array> {
        lengths.push(length);
        const inHole = offset >= HUGE_OFFSET && offset + length <= HUGE_OFFSET + HUGE_ELEMENTS * 4 && length <= zeros.length;
        return inHole ? zeros.subarray(0, length) : src.read(offset, length);
      },
      close: () => src.close?.() ?? Promise.resolve(),
    };
  }
  exists(p: string): Promise<boolean> {
    return this.inner.exists(p);
  }
}

test('a tensor over 2 GiB (in the sparse file\'s hole) streams in chunks, checksum verified at the end, never whole in memory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensor-bundle-huge-'));
  try {
    await makeSparseBundle(dir, true);
    const opener = new HoleFromMemory(new DirOpener(dir));
    const r = await BundleReader.open(opener, 'sparse');
    let total = 0;
    let chunks = 0;
    for await (const c of r.readTensorChunks('huge', { chunkBytes: 16 << 20 })) {
      total += c.length;
      chunks++;
      assert.equal(c[0], 0);
    }
    assert.equal(total, HUGE_ELEMENTS * 4);
    assert.ok(total > 2 ** 31);
    assert.equal(chunks, Math.ceil(total / (16 << 20)));
    assert.ok(Math.max(...opener.lengths) <= 16 << 20);
    // and a wrong stored checksum for it is reported after the last chunk
    await makeSparseBundle(dir, true, false, true);
    const bad = await BundleReader.open(new HoleFromMemory(new DirOpener(dir)), 'sparse');
    await assert.rejects(async () => { for await (const _ of bad.readTensorChunks('huge')) void _; }, (e: unknown) => isFormatError(e) && e.kind === 'checksum');
    await r.close();
    await bad.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad checksum on the tensor past 5 GiB is detected', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensor-bundle-sparse-bad-'));
  try {
    const { prefix } = await makeSparseBundle(dir, false, true);
    const r = await openBundle(prefix);
    await assert.rejects(r.readTensor('far'), (e: unknown) => isFormatError(e) && e.kind === 'checksum' && e.offset === FAR_OFFSET);
    await assert.rejects(r.verifyAll(), (e: unknown) => isFormatError(e) && e.kind === 'checksum');
    await r.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the entry encoder writes offsets and sizes past 4 GiB as 64-bit varints that decode exactly', () => {
  const e: BundleEntryProto = { dtype: 1, shape: [2 ** 33 + 1], unknown_rank: false, shard_id: 3, offset: 5 * 2 ** 30 + 12345, size: 2 ** 35 + 4, crc32c: 0xdeadbeef, slices: [] };
  const bytes = encodeEntry(e);
  assert.deepEqual(parseEntry(bytes, 'x'), e);
  const m = tensorflow.BundleEntryProto.decode(bytes);
  assert.equal(String(m.offset), String(5 * 2 ** 30 + 12345));
  // after shard_id (field 3: 0x18 0x03): field 4 (offset) as 0x20 + a 5-byte varint of 0x140003039,
  // then field 5 (size) as 0x28 + the 6-byte varint of 2^35 + 4: both above 32 bits
  const at = toHex(bytes).indexOf('180320') / 2 + 2;
  assert.deepEqual([...bytes.subarray(at, at + 6)], [0x20, 0xb9, 0xe0, 0x80, 0x80, 0x14]);
  assert.deepEqual([...bytes.subarray(at + 6, at + 13)], [0x28, 0x84, 0x80, 0x80, 0x80, 0x80, 0x01]);
});

test('crc32cOfZeros (used to index the hole) agrees with a direct checksum', () => {
  for (const n of [0, 1, 15, 4096, 100_003]) assert.equal(crc32cOfZeros(n), crc32cUpdate(0, new Uint8Array(n)), `n=${n}`);
  assert.equal(HUGE_OFFSET % 4096, 0);
});

async function memoryBundle(): Promise<{ opener: MemoryOpener; names: string[] }> {
  const f = new MemoryBundleSinkFactory();
  const w = new BundleWriter(f, 'ck');
  const names: string[] = [];
  const dtypes = ['float32', 'float64', 'int8', 'string', 'int64', 'bfloat16', 'complex128', 'bool'];
  for (let i = 0; i < 40; i++) {
    const name = `t${String(i).padStart(2, '0')}`;
    await w.add(name, makeTensor(dtypes[i % dtypes.length]!, [1 + (i % 7), 1 + ((i * 13) % 300)], i));
    names.push(name);
  }
  await w.addSlice('part', [4, 6], [{ start: 0, length: 2 }, { start: 0 }], makeTensor('float32', [2, 6], 90));
  await w.addSlice('part', [4, 6], [{ start: 2, length: 2 }, { start: 0 }], makeTensor('float32', [2, 6], 91));
  names.push('part');
  await w.finish();
  return { opener: new MemoryOpener(f.files), names };
}

class Counting implements SourceOpener {
  readonly name = 'counting';
  readonly sources = new Map<string, CountingSource>();
  constructor(private readonly inner: SourceOpener) {}
  async open(p: string): Promise<RangeSource> {
    const s = new CountingSource(await this.inner.open(p));
    this.sources.set(p, s);
    return s;
  }
  exists(p: string): Promise<boolean> {
    return this.inner.exists(p);
  }
  list(p: string): Promise<string[]> {
    return this.inner.list?.(p) ?? Promise.resolve([]);
  }
}

test('readAll yields every tensor equal to readTensor, reading neighbours in few large aligned requests', async () => {
  const { opener, names } = await memoryBundle();
  const counting = new Counting(opener);
  const r = await BundleReader.open(counting, 'ck');
  const want = new Map<string, unknown>();
  for (const n of names) want.set(n, (await r.readTensor(n)).data);
  for (const batchBytes of [1, 1000, 1 << 20]) {
    const fresh = new Counting(opener);
    const r2 = await BundleReader.open(fresh, 'ck');
    const got = new Map<string, unknown>();
    for await (const t of r2.readAll({ batchBytes })) got.set(t.name, t.data);
    assert.deepEqual([...got.keys()].sort(), [...names].sort());
    for (const n of names) assert.deepEqual(got.get(n), want.get(n), `${n} (batchBytes ${batchBytes})`);
    const data = fresh.sources.get('ck.data-00000-of-00001')!;
    const size = data.byteLength;
    if (batchBytes === 1 << 20) assert.ok(data.reads <= 3, `${data.reads} reads`); // one batch + one per slice of the partitioned tensor
    for (const [off] of data.ranges.slice(0, batchBytes === 1 << 20 ? 1 : 0)) assert.equal(off % 4096, 0);
    assert.ok(data.bytesRead <= 2 * size + 4096);
    assert.equal(await r2.verifyAll({ batchBytes }), names.length - 1 + 2);
    await r2.close();
  }
  await r.close();
});

/** Serves reads a macrotask later and records the most requests (and bytes) that were in flight at once. */
class Overlapping implements SourceOpener {
  readonly name = 'overlapping';
  inFlight = 0;
  inFlightBytes = 0;
  maxInFlight = 0;
  maxInFlightBytes = 0;
  largest = 0;
  constructor(private readonly inner: SourceOpener) {}
  async open(p: string): Promise<RangeSource> {
    const src = await this.inner.open(p);
    return {
      name: src.name,
      byteLength: src.byteLength,
      read: async (offset: number, length: number): Promise<Uint8Array> => {
        this.inFlight++;
        this.inFlightBytes += length;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        this.maxInFlightBytes = Math.max(this.maxInFlightBytes, this.inFlightBytes);
        this.largest = Math.max(this.largest, length);
        await new Promise((resolve) => setImmediate(resolve));
        this.inFlight--;
        this.inFlightBytes -= length;
        return src.read(offset, length);
      },
    };
  }
  exists(p: string): Promise<boolean> {
    return this.inner.exists(p);
  }
}

test('readAll keeps up to readAheadBytes of requests in flight (at least the next one), with the same tensors whatever the depth', async () => {
  const { opener, names } = await memoryBundle();
  const want = new Map<string, unknown>();
  const plain = await BundleReader.open(opener, 'ck');
  for (const n of names) want.set(n, (await plain.readTensor(n)).data);
  const depth: Record<number, Overlapping> = {};
  for (const readAheadBytes of [0, 8192, 1 << 20]) {
    const o = new Overlapping(opener);
    const r = await BundleReader.open(o, 'ck');
    for await (const t of r.readAll({ batchBytes: 1000, readAheadBytes })) assert.deepEqual(t.data, want.get(t.name), `${t.name} (readAheadBytes ${readAheadBytes})`);
    depth[readAheadBytes] = o;
  }
  assert.equal(depth[0]!.maxInFlight, 1, 'readAheadBytes 0: one request ahead, no more');
  // the budget counts tensor bytes; a request also has its 4 KiB rounding, and one request always goes ahead
  const d8 = depth[8192]!;
  assert.ok(d8.maxInFlight >= 2 && d8.maxInFlightBytes <= 8192 + d8.largest + 2 * 4096 * d8.maxInFlight, `8 KiB: ${d8.maxInFlight} requests, ${d8.maxInFlightBytes} bytes, largest ${d8.largest}`);
  assert.ok(depth[1 << 20]!.maxInFlight > depth[8192]!.maxInFlight, `1 MiB: ${depth[1 << 20]!.maxInFlight} requests in flight`);
  await assert.rejects(async () => {
    for await (const _ of plain.readAll({ readAheadBytes: -1 })) void _;
  }, RangeError);
});

test('readTensorChunks: whole-element chunks, same bytes as readTensor, checksum error only after the last chunk', async () => {
  const f = new MemoryBundleSinkFactory();
  const w = new BundleWriter(f, 'ck');
  const t = makeTensor('float64', [1000], 5);
  await w.add('x', t);
  await w.add('s', makeTensor('string', [3], 1));
  await w.addSlice('p', [4], [{ start: 0, length: 4 }], makeTensor('float32', [4], 2));
  await w.finish();
  const r = await BundleReader.open(new MemoryOpener(f.files), 'ck');
  const parts: Uint8Array[] = [];
  for await (const c of r.readTensorChunks('x', { chunkBytes: 1001 })) parts.push(c);
  assert.deepEqual(parts.map((p) => p.length), [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]);
  const joined = new Float64Array(new Uint8Array(parts.flatMap((p) => [...p])).buffer);
  assert.deepEqual(joined, t.data);
  await assert.rejects(async () => { for await (const _ of r.readTensorChunks('s')) void _; }, (e: unknown) => isFormatError(e) && e.kind === 'unsupported');
  await assert.rejects(async () => { for await (const _ of r.readTensorChunks('p')) void _; }, (e: unknown) => isFormatError(e) && e.kind === 'unsupported');
  await assert.rejects(async () => { for await (const _ of r.readTensorChunks('x', { chunkBytes: 7 })) void _; }, RangeError);

  const data = f.files.get('ck.data-00000-of-00001')!;
  data[4000] = data[4000]! ^ 0x10;
  const bad = await BundleReader.open(new MemoryOpener(f.files), 'ck');
  let seen = 0;
  await assert.rejects(async () => {
    for await (const c of bad.readTensorChunks('x', { chunkBytes: 4096 })) seen += c.length;
  }, (e: unknown) => isFormatError(e) && e.kind === 'checksum' && /after streaming 8000 bytes/.test(e.message));
  assert.equal(seen, 8000);
});
