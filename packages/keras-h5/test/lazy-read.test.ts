import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync as mkdtempFs, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { unzipSync, zipSync } from 'fflate';
import { repoRoot } from '@tfsave/core/node';
import { isFormatError, tensorSha256, utf8Encode } from '@tfsave/core';
import { listKerasDatasetsFile, loadKerasModelFile, loadShardedWeightsFile, openFileReader } from '../src/node/index.js';
import {
  bytesReader, h5Ready, listDatasets, parseHdf5, listKerasDatasets, loadKerasModel, openHdf5, openKerasZip, saveKerasModel, H5GroupBuilder, writeHdf5,
} from '../src/index.js';
import type { KerasModelDesc, RandomAccessReader } from '../src/index.js';

const root = repoRoot();
const MiB = 1 << 20;

/** Temporary directories of this file (some hold 64 MiB files), removed when the tests end. */
const tempDirs: string[] = [];
const mkdtempSync = (prefix: string): string => { const d = mkdtempFs(prefix); tempDirs.push(d); return d; };
after(() => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }); });

/** Counts the bytes and calls that go through a reader. */
class CountingReader implements RandomAccessReader {
  bytesRead = 0;
  reads = 0;
  constructor(readonly inner: RandomAccessReader) {}
  get size(): number { return this.inner.size; }
  read(position: number, into: Uint8Array): number {
    this.reads++;
    const n = this.inner.read(position, into);
    this.bytesRead += n;
    return n;
  }
}

/** A Sequential model whose first Dense layer holds a 4096×4096 float32 kernel (64 MiB). */
function bigModel(): KerasModelDesc {
  const big = 4096, small = 8;
  const kernel = new Float32Array(big * big);
  for (let i = 0; i < kernel.length; i += 4099) kernel[i] = i;
  return {
    kerasVersion: '3.15.1',
    modelConfig: { module: 'keras', class_name: 'Sequential', config: { name: 'sequential', layers: [
      { class_name: 'InputLayer', config: { name: 'input', batch_shape: [null, big] } },
      { class_name: 'Dense', config: { name: 'big', units: big, activation: 'linear', use_bias: true } },
      { class_name: 'Dense', config: { name: 'small', units: small, activation: 'linear', use_bias: true } },
    ] } },
    layers: [
      { name: 'big', weights: [{ name: 'kernel', dtype: 'float32', shape: [big, big], data: kernel }, { name: 'bias', dtype: 'float32', shape: [big], data: new Float32Array(big).fill(0.5) }] },
      { name: 'small', weights: [{ name: 'kernel', dtype: 'float32', shape: [big, small], data: new Float32Array(big * small).fill(2) }, { name: 'bias', dtype: 'float32', shape: [small], data: Float32Array.from({ length: small }, (_, i) => i) }] },
    ],
  };
}

let bigFiles: { dir: string; h5: string; keras: string } | undefined;
async function writeBigFiles(): Promise<{ dir: string; h5: string; keras: string }> {
  if (bigFiles !== undefined) return bigFiles;
  const dir = mkdtempSync(join(tmpdir(), 'keras-h5-lazy-'));
  const h5 = join(dir, 'big.h5'), keras = join(dir, 'big.keras');
  writeFileSync(h5, await saveKerasModel(bigModel(), { format: 'h5' }));
  writeFileSync(keras, await saveKerasModel(bigModel(), { format: 'keras' }));
  bigFiles = { dir, h5, keras };
  return bigFiles;
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

test('opening a legacy .h5 with a 64 MiB weight and reading one small dataset reads under 1 MiB of it', async () => {
  await h5Ready();
  const { h5 } = await writeBigFiles();
  const fileReader = openFileReader(h5);
  try {
    assert.ok(fileReader.size > 64 * MiB);
    const counting = new CountingReader(fileReader);
    const file = openHdf5(counting, { name: h5 });
    try {
      const datasets = new Map(listDatasets(file.root).map(({ path, ds }) => [path, ds]));
      assert.deepEqual([...datasets.keys()].filter((p) => p.startsWith('/model_weights/')).sort(), [
        '/model_weights/big/big/bias:0', '/model_weights/big/big/kernel:0', '/model_weights/small/small/bias:0', '/model_weights/small/small/kernel:0',
      ]);
      const bias = datasets.get('/model_weights/small/small/bias:0')!;
      assert.deepEqual([...new Float32Array(bias.read().buffer)], [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.ok(counting.bytesRead < MiB, `structure + one small dataset read ${counting.bytesRead} bytes of ${counting.size}`);

      const before = counting.bytesRead;
      const kernel = datasets.get('/model_weights/big/big/kernel:0')!;
      assert.equal(kernel.byteLength, 64 * MiB);
      const data = new Float32Array(kernel.read().buffer);
      assert.equal(data[4099 * 7], 4099 * 7);
      const forKernel = counting.bytesRead - before;
      assert.ok(forKernel >= 64 * MiB && forKernel < 64 * MiB + MiB, `the 64 MiB kernel cost ${forKernel} bytes of reads`);
    } finally {
      file.close();
    }
  } finally {
    fileReader.close();
  }
});

test('loading the whole file reads each byte about once', async () => {
  const { h5 } = await writeBigFiles();
  const reader = openFileReader(h5);
  try {
    const counting = new CountingReader(reader);
    const { model } = await loadKerasModel(counting, { name: h5 });
    assert.equal(model.layers[0]!.weights[0]!.data.byteLength, 64 * MiB);
    assert.ok(counting.bytesRead <= counting.size * 1.01, `${counting.bytesRead} bytes read for a ${counting.size}-byte file`);
  } finally {
    reader.close();
  }
});

test('a .keras stores model.weights.h5 uncompressed, so its datasets are read in place from the archive', async () => {
  const { keras } = await writeBigFiles();
  const reader = openFileReader(keras);
  try {
    const counting = new CountingReader(reader);
    const members = openKerasZip(counting, {}, keras);
    const weights = members.get('model.weights.h5')!;
    assert.equal(weights.stored, true);
    assert.ok(weights.reader !== undefined && weights.reader.size > 64 * MiB);
    const config = JSON.parse(new TextDecoder().decode(members.get('config.json')!.read())) as { class_name: string };
    assert.equal(config.class_name, 'Sequential');
    const file = openHdf5(weights.reader, { name: `${keras}:model.weights.h5` });
    try {
      const bias = listDatasets(file.root).find((d) => d.path === '/layers/dense_1/vars/1' || d.path.endsWith('small/vars/1'));
      assert.ok(bias !== undefined, listDatasets(file.root).map((d) => d.path).join(' '));
      assert.deepEqual([...new Float32Array(bias.ds.read().buffer)], [0, 1, 2, 3, 4, 5, 6, 7]);
    } finally {
      file.close();
    }
    assert.ok(counting.bytesRead < MiB, `zip directory, config and one small dataset read ${counting.bytesRead} bytes of ${counting.size}`);
  } finally {
    reader.close();
  }
});

test('a file, a reader over its bytes and the bytes themselves give identical listings and models', async () => {
  const files = ['fixtures/keras3/m.keras', 'fixtures/tutorial-tf-keras/my_model.h5', 'fixtures/keras3/m.weights.h5', 'fixtures/custom/k3_cnn.keras'].map((f) => join(root, f));
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(f));
    const fromFile = await listKerasDatasetsFile(f);
    assert.deepEqual(await listKerasDatasets(bytes), fromFile, f);
    assert.deepEqual(await listKerasDatasets(bytesReader(bytes)), fromFile, f);
    const a = await loadKerasModelFile(f, { allowUnknownClasses: true });
    const b = await loadKerasModel(bytes, { allowUnknownClasses: true });
    assert.deepEqual(a.model, b.model, f);
    assert.deepEqual(a.metadata, b.metadata, f);
  }
});

test('a deflated .keras (re-zipped with compression) reads like the stored original', async () => {
  const original = new Uint8Array(readFileSync(join(root, 'fixtures/keras3/m.keras')));
  const members = unzipSync(original);
  const deflated = zipSync(Object.fromEntries(Object.entries(members).map(([k, v]) => [k, [v, { level: 6 }]])));
  const zip = openKerasZip(bytesReader(deflated));
  assert.equal(zip.get('model.weights.h5')!.stored, false);
  const want = await loadKerasModel(original);
  assert.deepEqual((await loadKerasModel(bytesReader(deflated))).model, want.model);
  assert.deepEqual((await listKerasDatasets(bytesReader(deflated))).entries, (await listKerasDatasets(original)).entries);
});

test('unsafe names, bombs and over-limit zips are refused the same way when read in place', async () => {
  const members = unzipSync(new Uint8Array(readFileSync(join(root, 'fixtures/keras3/m.keras'))));
  const cases: [Uint8Array, object, string][] = [
    [zipSync({ ...members, '../evil.txt': utf8Encode('x') }), {}, 'entry-path'],
    [zipSync({ ...members, 'C:\\evil.dll': utf8Encode('x') }), {}, 'entry-path'],
    [zipSync({ ...members, 'assets/zeros.bin': [new Uint8Array(16 * MiB), { level: 9 }] }), {}, 'ratio'],
    [zipSync(members), { maxEntries: 2 }, 'entries'],
    [zipSync(members), { maxTotalBytes: 1000 }, 'total-size'],
  ];
  for (const [zip, zipLimits, code] of cases) {
    const viaBytes = await loadKerasModel(zip, { zipLimits }).catch((e: unknown) => e);
    const viaReader = await loadKerasModel(bytesReader(zip), { zipLimits }).catch((e: unknown) => e);
    assert.ok(isFormatError(viaBytes) && isFormatError(viaReader), `${code}: ${String(viaReader)}`);
    assert.equal(viaReader.code, code);
    assert.equal(viaReader.kind, viaBytes.kind);
    assert.equal(viaReader.code, viaBytes.code);
  }
});

test('a file that shrinks after it was opened gives a truncated FormatError naming it, and the next file still reads', async () => {
  const { dir } = await writeBigFiles();
  for (const [name, format] of [['shrink.h5', 'h5'], ['shrink.keras', 'keras']] as const) {
    const p = join(dir, name);
    writeFileSync(p, await saveKerasModel(bigModel(), { format }));
    const reader = openFileReader(p);
    try {
      truncateSync(p, Math.floor(reader.size / 2));
      const e = await loadKerasModel(reader, { name: p }).catch((x: unknown) => x);
      assert.ok(isFormatError(e), String(e));
      assert.equal(e.kind, 'truncated', e.message);
      assert.equal(e.code, 'short-read', e.message);
      assert.ok(e.message.includes(p), e.message);
    } finally {
      reader.close();
    }
  }
  const p = join(dir, 'shrink-member.keras');
  writeFileSync(p, await saveKerasModel(bigModel(), { format: 'keras' }));
  const reader = openFileReader(p);
  try {
    const weights = openKerasZip(reader, {}, p).get('model.weights.h5')!.reader!;
    truncateSync(p, Math.floor(reader.size / 2));
    const e = (() => { try { return parseHdf5(weights, { name: `${p}:model.weights.h5` }); } catch (x) { return x; } })();
    assert.ok(isFormatError(e) && e.kind === 'truncated' && e.code === 'short-read' && e.message.includes(p), String(e));
  } finally {
    reader.close();
  }
  const again = await loadKerasModelFile(join(root, 'fixtures/tutorial-tf-keras/my_model.h5'));
  assert.equal(again.format, 'h5');
});

test('a reader that fails (an IO error) gives a truncated FormatError, not a crash', async () => {
  const bytes = new Uint8Array(readFileSync(join(root, 'fixtures/keras3/m.weights.h5')));
  let calls = 0;
  const failing: RandomAccessReader = {
    size: bytes.length,
    read(position, into) {
      if (++calls > 3) throw new Error('EIO: i/o error, read');
      return bytesReader(bytes).read(position, into);
    },
  };
  const e = await loadKerasModel(failing, { name: 'flaky.weights.h5' }).catch((x: unknown) => x);
  assert.ok(isFormatError(e), String(e));
  assert.equal(e.kind, 'truncated');
  assert.equal(e.code, 'read-failed');
  assert.match(e.message, /EIO: i\/o error.*flaky\.weights\.h5/);
  assert.equal((await loadKerasModel(bytes)).format, 'weights.h5');
});

test('truncated and bit-flipped files on disk give a value or a FormatError when read lazily', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keras-h5-truncated-'));
  const files = [join(root, 'fixtures/custom/k3_cnn.weights.h5'), join(root, 'fixtures/custom/k3_custom_model.keras'), join(root, 'fixtures/tutorial-tf-keras/my_model.h5')];
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(f));
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 7 }), fc.boolean(), async (pos, bit, truncate) => {
      const b = truncate ? bytes.slice(0, pos) : bytes.slice();
      if (!truncate) b[pos]! ^= 1 << bit;
      const p = join(dir, `case-${pos}-${bit}-${truncate}`);
      writeFileSync(p, b);
      try { await loadKerasModelFile(p, { allowUnknownClasses: true }); } catch (e) { assert.ok(isFormatError(e), `${f} ${truncate ? 'cut' : 'flipped'} at ${pos}: ${String(e)}`); }
      if (truncate) await assert.rejects(loadKerasModelFile(p, { allowUnknownClasses: true }), (e: unknown) => isFormatError(e), `${f} cut at ${pos} must not load`);
    }), { numRuns: 30 });
  }
});

test('the file descriptor is closed after every read, also when reading fails', async () => {
  assert.ok(existsSync('/proc/self/fd'), 'this test counts open descriptors in /proc/self/fd');
  const { h5, keras } = await writeBigFiles();
  const dir = mkdtempSync(join(tmpdir(), 'keras-h5-fds-'));
  const corrupt = join(dir, 'corrupt.h5');
  const bytes = new Uint8Array(readFileSync(join(root, 'fixtures/keras3/m.weights.h5')));
  writeFileSync(corrupt, bytes.subarray(0, 3000));
  const junk = join(dir, 'junk.h5');
  writeFileSync(junk, utf8Encode('not a keras file at all'));
  await h5Ready();
  const plain = new H5GroupBuilder();
  plain.setDataset('x', { dtype: 'float32', shape: [2], data: new Uint8Array(8) });
  const notKeras = join(dir, 'plain.h5');
  writeFileSync(notKeras, writeHdf5(plain));
  const before = openFds();
  await loadKerasModelFile(h5);
  await loadKerasModelFile(keras);
  await listKerasDatasetsFile(keras);
  for (const bad of [corrupt, junk, notKeras, join(dir, 'missing.h5'), dir]) await assert.rejects(loadKerasModelFile(bad), bad);
  for (const bad of [corrupt, junk, join(dir, 'missing.h5'), dir]) await assert.rejects(listKerasDatasetsFile(bad), bad);
  await assert.rejects(loadShardedWeightsFile(join(dir, 'none.weights.json')));
  assert.equal(openFds(), before, 'every descriptor opened was closed');
});

test('datasets of a closed file cannot be read', async () => {
  await h5Ready();
  const bytes = new Uint8Array(readFileSync(join(root, 'fixtures/keras3/m.weights.h5')));
  const file = openHdf5(bytesReader(bytes));
  const [first] = listDatasets(file.root);
  assert.ok(first !== undefined);
  const sha = tensorSha256(first.ds.read());
  file.close();
  file.close();
  assert.throws(() => first.ds.read(), /closed/);
  const again = openHdf5(bytes);
  try {
    assert.equal(tensorSha256(listDatasets(again.root)[0]!.ds.read()), sha);
  } finally {
    again.close();
  }
});
