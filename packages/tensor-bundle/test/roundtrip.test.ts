import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CountingSource, crc32c, isFormatError, MemoryOpener, toHex, varintLength } from '@tfsave/core';
import {
  BundleReader, BundleWriter, MemoryBundleSinkFactory, encodeFooter, parseFooter, shortSuccessor, shortestSeparator,
  snappyDecompress, TableWriter, readTable, encodeSliceKey, toFloat32, toStrings, readWithCrc, READ_CHUNK_BYTES, type TensorInput,
} from '../src/index.js';
import { MemorySource } from '@tfsave/core';
import { FileSource } from '@tfsave/core/node';
import { fixtures, wild } from './helpers.js';
import { makeTensor, row } from './tensors.js';

const DTYPES = ['float32', 'float64', 'int32', 'uint8', 'int16', 'int8', 'string', 'complex64', 'int64', 'bool', 'bfloat16', 'uint16', 'complex128', 'float16', 'uint32', 'uint64'];

test('the minimal worked example from the spec is what the writer produces', async () => {
  const f = new MemoryBundleSinkFactory();
  const w = new BundleWriter(f, 'ckpt');
  await w.add('v', { dtype: 'float32', shape: [2], data: Float32Array.of(1, 2) });
  await w.finish();
  assert.equal(toHex(f.files.get('ckpt.data-00000-of-00001')!), '0000803f00000040');
  const index = f.files.get('ckpt.index')!;
  assert.equal(
    toHex(index),
    '00000608011a02080100010f760801120412020802280835593ce53500000000010000000030559358' +
      '000000000100000000c0f2a1b00001027700240000000001000000009460b2cd2908360e' +
      '0'.repeat(72) + '57fb808b247547db',
  );
});

test('separator and successor rules follow LevelDB', () => {
  const b = (s: string) => new TextEncoder().encode(s);
  const s = (u: Uint8Array) => new TextDecoder().decode(u);
  assert.equal(s(shortestSeparator(b('abcdef'), b('abzzz'))), 'abd');
  assert.equal(s(shortestSeparator(b('abc'), b('abd'))), 'abc');
  assert.equal(s(shortestSeparator(b('ab'), b('abc'))), 'ab');
  assert.equal(s(shortSuccessor(b('optimizer/x'))), 'p');
  assert.deepEqual([...shortSuccessor(Uint8Array.of(0xff, 0xff, 3))], [0xff, 0xff, 4]);
});

test('footer round-trips and a bad magic names both values', () => {
  const f = encodeFooter({ metaindex: { offset: 100, size: 8 }, index: { offset: 113, size: 40 } });
  assert.equal(f.length, 48);
  assert.deepEqual(parseFooter(f, 1000), { metaindex: { offset: 100, size: 8 }, index: { offset: 113, size: 40 } });
  f[47] = 0;
  assert.throws(() => parseFooter(f, 1000), /footer magic 0x.* != 0xdb4775248b80fb57/);
});

test('snappy literals and copies decode; a bad copy offset is a FormatError', () => {
  // "abcabcabcabc": literal "abc" then copy(len 9, offset 3)
  const enc = Uint8Array.of(12, 2 << 2, 97, 98, 99, ((9 - 4) << 2) | 1 | (0 << 5), 3);
  assert.equal(new TextDecoder().decode(snappyDecompress(enc)), 'abcabcabcabc');
  assert.throws(() => snappyDecompress(Uint8Array.of(4, ((4 - 4) << 2) | 1, 9)), { name: 'FormatError' });
});

test('tables with many entries split into 256 KiB blocks and read back in order', async () => {
  const t = new TableWriter();
  const keys: string[] = [];
  for (let i = 0; i < 5000; i++) keys.push(`key/${String(i).padStart(6, '0')}`);
  for (const k of keys) t.add(new TextEncoder().encode(k), new Uint8Array(100).fill(7));
  const chunks = t.finish();
  const bytes = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) { bytes.set(c, o); o += c.length; }
  const back = await readTable(new MemorySource(bytes));
  assert.ok(back.dataBlocks.length >= 2);
  assert.deepEqual(back.entries.map((e) => new TextDecoder().decode(e.key)), keys);
});

test('slice keys use OrderedCode (0x00, escaped name, rank, signed start/length)', () => {
  const k = encodeSliceKey(new TextEncoder().encode('w'), [{ start: 1, length: 3 }, { start: 0 }]);
  assert.equal(toHex(k), '00' + '77' + '0001' + '0102' + '81' + '83' + '80' + '7f');
});

const tensorArb = fc.record({
  dtype: fc.constantFrom(...DTYPES),
  shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
  seed: fc.integer({ min: 0, max: 1 << 20 }),
});

test('property: random tensor sets round-trip through write → read (any sharding)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.startsWith('\0')), tensorArb), { maxLength: 12, selector: (x) => x[0] }), fc.option(fc.integer({ min: 1, max: 300 })), async (items, maxShard) => {
      const f = new MemoryBundleSinkFactory();
      const w = new BundleWriter(f, 'p', maxShard === null ? {} : { maxShardBytes: maxShard });
      const want: ReturnType<typeof row>[] = [];
      for (const [name, spec] of items) {
        const t: TensorInput = makeTensor(spec.dtype, spec.shape, spec.seed);
        await w.add(name, t);
        want.push(row(name, t));
      }
      await w.finish();
      const r = await BundleReader.open(new MemoryOpener(f.files), 'p');
      const got = (await r.inspectJson()).entries;
      const key = (x: { name: string }) => x.name;
      assert.deepEqual(new Map(got.map((g) => [key(g), g])), new Map(want.map((g) => [key(g), g])));
    }),
    { numRuns: 60 },
  );
});

const ckpt = join(fixtures, 'tutorial-tf-keras/training_2/cp-0000.ckpt');

async function readEverything(files: Map<string, Uint8Array>): Promise<void> {
  const r = await BundleReader.open(new MemoryOpener(files), 'cp-0000.ckpt', { maxElements: 1 << 22 });
  await r.verifyAll();
  for (const e of r.entries()) await r.readTensor(e.name);
}

function fixtureFiles(): Map<string, Uint8Array> {
  return new Map([
    ['cp-0000.ckpt.index', new Uint8Array(readFileSync(`${ckpt}.index`))],
    ['cp-0000.ckpt.data-00000-of-00001', new Uint8Array(readFileSync(`${ckpt}.data-00000-of-00001`))],
  ]);
}

test('property: any truncation or bit flip of a real checkpoint gives a value or a FormatError', async () => {
  const base = fixtureFiles();
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('cp-0000.ckpt.index', 'cp-0000.ckpt.data-00000-of-00001'), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 7 }), fc.boolean(), async (file, where, bit, truncate) => {
        const files = new Map(base);
        const orig = files.get(file)!;
        const at = Math.min(orig.length - 1, Math.floor(where * orig.length));
        if (truncate) files.set(file, orig.slice(0, at));
        else {
          const m = orig.slice();
          m[at]! ^= 1 << bit;
          files.set(file, m);
        }
        try {
          await readEverything(files);
        } catch (e) {
          if (!isFormatError(e)) throw e;
        }
      }),
    { numRuns: 400 },
  );
});

test('every single-bit flip in a real .index is detected (checksums) or harmless', async () => {
  const base = fixtureFiles();
  const index = base.get('cp-0000.ckpt.index')!;
  const footer = parseFooter(index.subarray(index.length - 48), index.length);
  const indexHandleAt = index.length - 48 + varintLength(footer.metaindex.offset) + varintLength(footer.metaindex.size);
  const indexHandleEnd = indexHandleAt + varintLength(footer.index.offset) + varintLength(footer.index.size);
  const unread = (i: number) =>
    (i >= footer.metaindex.offset && i < footer.metaindex.offset + footer.metaindex.size + 5) || // metaindex block: never read, as in TF
    (i >= index.length - 48 && i < index.length - 8 && !(i >= indexHandleAt && i < indexHandleEnd)); // footer slack (not the index handle)
  for (let i = 0; i < index.length; i++) {
    const m = index.slice();
    m[i]! ^= 0x10;
    try {
      await readEverything(new Map([...base, ['cp-0000.ckpt.index', m]]));
      assert.ok(unread(i), `flip at ${i} went unnoticed`);
    } catch (e) {
      assert.ok(isFormatError(e), String(e));
    }
  }
});

test('a corrupted tensor names file, key, offset and both checksums', async () => {
  const files = fixtureFiles();
  const data = files.get('cp-0000.ckpt.data-00000-of-00001')!.slice();
  data[10]! ^= 1;
  files.set('cp-0000.ckpt.data-00000-of-00001', data);
  const r = await BundleReader.open(new MemoryOpener(files), 'cp-0000.ckpt');
  await assert.rejects(r.verifyAll(), (e: unknown) => {
    assert.ok(isFormatError(e));
    assert.equal(e.kind, 'checksum');
    assert.match(e.message, /^tensor-bundle: tensor checksum mismatch for "layer_with_weights-0\/kernel\/.ATTRIBUTES\/VARIABLE_VALUE": stored 0x[0-9a-f]{8} != computed 0x[0-9a-f]{8} at offset 0 of memory\/cp-0000.ckpt.data-00000-of-00001$/);
    return true;
  });
  // no poisoned state: other tensors still read
  await r.readTensor('layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE');
});

test('a declared size larger than the file is refused before allocating', async () => {
  const f = new MemoryBundleSinkFactory();
  const w = new BundleWriter(f, 'p');
  await w.add('x', { dtype: 'float32', shape: [4], data: new Float32Array(4) });
  await w.finish();
  const files = new Map(f.files);
  files.set('p.data-00000-of-00001', new Uint8Array(8));
  const r = await BundleReader.open(new MemoryOpener(files), 'p');
  await assert.rejects(r.readTensor('x'), { name: 'FormatError', kind: 'truncated' });
});

test('helpers widen bfloat16/float16 to float32 and decode strings as UTF-8', async () => {
  const f = new MemoryBundleSinkFactory();
  const w = new BundleWriter(f, 'p');
  await w.add('bf', { dtype: 'bfloat16', shape: [2], data: Uint16Array.of(0x3f80, 0xc000) });
  await w.add('h', { dtype: 'float16', shape: [2], data: Uint16Array.of(0x3c00, 0x3800) });
  await w.add('s', { dtype: 'string', shape: [2], data: [new TextEncoder().encode('é'), new Uint8Array(0)] });
  await w.finish();
  const r = await BundleReader.open(new MemoryOpener(f.files), 'p');
  assert.deepEqual([...toFloat32(await r.readTensor('bf'))], [1, -2]);
  assert.deepEqual([...toFloat32(await r.readTensor('h'))], [1, 0.5]);
  assert.deepEqual(toStrings(await r.readTensor('s')), ['é', '']);
});

test('large ranges are read in pipelined chunks with the same bytes and CRC as one read', async () => {
  const b = new Uint8Array(READ_CHUNK_BYTES * 2 + 12345);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7) & 0xff;
  const src = new CountingSource(new MemorySource(b));
  const r = await readWithCrc(src, 3, b.length - 5);
  assert.equal(r.crc, crc32c(b.subarray(3, b.length - 2)));
  assert.ok(Buffer.from(r.bytes).equals(Buffer.from(b.subarray(3, b.length - 2))));
  assert.equal(src.reads, 3);
  assert.equal(src.bytesRead, b.length - 5);
});

test('from a source with readInto (a local file) large ranges are read straight into the result, no chunk copied twice', async () => {
  const b = new Uint8Array(READ_CHUNK_BYTES * 2 + 12345);
  for (let i = 0; i < b.length; i++) b[i] = (i * 13) & 0xff;
  const dir = mkdtempSync(join(tmpdir(), 'tensor-bundle-fill-'));
  try {
    writeFileSync(join(dir, 'd.bin'), b);
    const file = await FileSource.open(join(dir, 'd.bin'));
    const calls = { read: 0, readInto: 0 };
    const src = {
      name: file.name,
      byteLength: file.byteLength,
      read: (o: number, n: number) => (calls.read++, file.read(o, n)),
      readInto: (o: number, t: Uint8Array) => (calls.readInto++, file.readInto(o, t)),
    };
    const r = await readWithCrc(src, 3, b.length - 5);
    assert.equal(r.crc, crc32c(b.subarray(3, b.length - 2)));
    assert.ok(Buffer.from(r.bytes).equals(Buffer.from(b.subarray(3, b.length - 2))));
    assert.deepEqual(calls, { read: 0, readInto: 3 });
    await file.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('property: truncations and bit flips of partitioned, sharded and snappy bundles give a value or a FormatError', async () => {
  const sets = [
    join(fixtures, 'dtypes/v1_partitioned/model.ckpt'),
    join(fixtures, 'dtypes/sharded/ckpt'),
    join(wild, 'b_savedmodel/tfserving/saved_model_half_plus_two_cpu/00000123/variables/variables'),
  ].filter((p) => existsSync(`${p}.index`)).map((p) => {
    const dir = dirname(p);
    const files = new Map<string, Uint8Array>();
    for (const f of readdirSync(dir)) if (f.startsWith(`${basename(p)}.`)) files.set(f, new Uint8Array(readFileSync(join(dir, f))));
    return { prefix: basename(p), files };
  });
  assert.ok(sets.length >= 2);
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: sets.length - 1 }), fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 7 }), fc.boolean(), async (which, fileIdx, where, bit, truncate) => {
      const set = sets[which]!;
      const names = [...set.files.keys()];
      const file = names[fileIdx % names.length]!;
      const files = new Map(set.files);
      const orig = files.get(file)!;
      const at = Math.min(Math.max(orig.length - 1, 0), Math.floor(where * orig.length));
      if (truncate) files.set(file, orig.slice(0, at));
      else {
        const m = orig.slice();
        m[at]! ^= 1 << bit;
        files.set(file, m);
      }
      try {
        const r = await BundleReader.open(new MemoryOpener(files), set.prefix);
        await r.verifyAll();
        for (const e of r.entries()) await r.readTensor(e.name);
      } catch (e) {
        if (!isFormatError(e)) throw e;
      }
    }),
    { numRuns: 300 },
  );
});
