import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensorSha256 } from '@tfsave/core';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import type { TensorInput } from '../src/index.js';
import { createBundleWriter, openBundle, openCheckpointManager, saveObjectCheckpoint, latestCheckpoint } from '../src/node/index.js';
import { tutorialSpec } from './keras-spec.js';
import { makeTensor, rng, row } from './tensors.js';
import { makeSparseBundle } from './sparse-bundle.js';

const DTYPES = ['float32', 'float64', 'int32', 'uint8', 'int16', 'int8', 'string', 'complex64', 'int64', 'bool', 'bfloat16', 'uint16', 'complex128', 'float16', 'uint32', 'uint64'];
const SHAPES: number[][] = [[], [0], [3], [2, 3], [1, 2, 1, 3, 2], [2, 1, 2, 1, 2, 1], [0, 4]];

interface Check { check: string; ok: boolean; detail: string }

function small(shape: number[], seed: number, scale: number): TensorInput {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', shape, data: Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale) };
}

test('TensorFlow reads everything we write: all dtypes, sharding, object restore, tf_keras load_weights, CheckpointManager, a tensor past 5 GiB', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensor-bundle-interop-'));
  const bundles: Array<{ prefix: string; tensors: ReturnType<typeof row>[] }> = [];

  // 1. every dtype × shapes (scalars, zero-element, rank 5 and 6), strings with empty/non-ASCII/long elements
  const all = join(dir, 'dtypes', 'all');
  const w = createBundleWriter(all);
  const rows: ReturnType<typeof row>[] = [];
  let seed = 1;
  for (const d of DTYPES) {
    for (const s of SHAPES) {
      const name = `${d}/r${s.length}_${s.join('x') || 'scalar'}`;
      const t = makeTensor(d, s, seed++);
      await w.add(name, t);
      rows.push(row(name, t));
    }
  }
  await w.finish();
  bundles.push({ prefix: all, tensors: rows });

  // 2. a multi-shard bundle (max shard size 1 KiB)
  const sharded = join(dir, 'sharded', 'ckpt');
  const ws = createBundleWriter(sharded, { maxShardBytes: 1024 });
  const srows: ReturnType<typeof row>[] = [];
  for (let i = 0; i < 12; i++) {
    const t = makeTensor(i % 3 === 0 ? 'string' : 'float32', [7, 11], 100 + i);
    await ws.add(`t${i}`, t);
    srows.push(row(`t${i}`, t));
  }
  await ws.finish();
  assert.ok(readdirSync(join(dir, 'sharded')).filter((f) => f.includes('.data-')).length >= 4);
  bundles.push({ prefix: sharded, tensors: srows });

  // 3. an object-based checkpoint for tf.train.Checkpoint(v=..., nested=Checkpoint(w=...)).restore
  const obj = join(dir, 'obj', 'ckpt-1');
  const vValue = [1.5, -2.25, 3, 4.125, 5, 6];
  await saveObjectCheckpoint(obj, {
    children: [
      ['v', { attributes: [{ full_name: 'Variable', value: { dtype: 'float32', shape: [2, 3], data: Float32Array.from(vValue) } }] }],
      ['nested', { children: [['w', { attributes: [{ full_name: 'Variable_1', value: { dtype: 'int64', shape: [], data: BigInt64Array.of(42n) } }] }]] }],
      ['save_counter', { attributes: [{ full_name: 'save_counter', value: { dtype: 'int64', shape: [], data: BigInt64Array.of(1n) } }] }],
    ],
  });

  // 4. the tutorial tf_keras model with Adam state after one step
  const k0 = small([784, 512], 7, 0.05), b0 = small([512], 8, 0.1), k1 = small([512, 10], 9, 0.1), b1 = small([10], 10, 0.1);
  const slots = [k0, k0, b0, b0, k1, k1, b1, b1].map((t, i) => small([...t.shape], 20 + i, 0.01));
  const iterations: TensorInput = { dtype: 'int64', shape: [], data: BigInt64Array.of(1n) };
  const learningRate: TensorInput = { dtype: 'float32', shape: [], data: Float32Array.of(0.001) };
  const kerasPrefix = join(dir, 'keras', 'w.ckpt');
  await saveObjectCheckpoint(kerasPrefix, tutorialSpec({ k0, b0, k1, b1, iterations, learningRate, slots }, false));
  const x = Float64Array.from({ length: 3 * 784 }, (_, i) => i / (3 * 784 - 1));
  const predict: number[] = [];
  const [K0, B0, K1, B1] = [k0, b0, k1, b1].map((t) => t.data as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array];
  for (let r = 0; r < 3; r++) {
    const h = new Float64Array(512);
    for (let j = 0; j < 512; j++) {
      let s = B0[j]!;
      for (let i = 0; i < 784; i++) s += Math.fround(x[r * 784 + i]!) * K0[i * 512 + j]!;
      h[j] = Math.max(0, s);
    }
    for (let o = 0; o < 10; o++) {
      let s = B1[o]!;
      for (let j = 0; j < 512; j++) s += h[j]! * K1[j * 10 + o]!;
      predict.push(s);
    }
  }

  // 5. CheckpointManager: 4 saves, keep 2; tf.train.latest_checkpoint must find the last
  const mdir = join(dir, 'managed');
  const m = await openCheckpointManager(mdir, { maxToKeep: 2 });
  for (let i = 0; i < 4; i++) {
    await m.save(async (writer, n) => {
      await writer.add('save_counter/.ATTRIBUTES/VARIABLE_VALUE', { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(n)) });
    });
  }
  assert.equal(await latestCheckpoint(mdir), join(mdir, 'ckpt-4'));
  assert.deepEqual(readdirSync(mdir).sort(), ['checkpoint', 'ckpt-3.data-00000-of-00001', 'ckpt-3.index', 'ckpt-4.data-00000-of-00001', 'ckpt-4.index']);

  // 6. a bundle whose data shard is a sparse file of > 5 GiB with a tensor stored past 5 GiB
  //    (index written with our table writer + entry encoder): TF must find and verify it there
  mkdirSync(join(dir, 'sparse'));
  const sparse = await makeSparseBundle(join(dir, 'sparse'), false);
  bundles.push({ prefix: sparse.prefix, tensors: sparse.rows });

  // Our own reader agrees with what we wrote before asking Python.
  for (const b of bundles) {
    const r = await openBundle(b.prefix);
    assert.deepEqual((await r.inspectJson()).entries.sort((p, q) => (p.name < q.name ? -1 : 1)), [...b.tensors].sort((p, q) => (p.name < q.name ? -1 : 1)));
    await r.close();
  }

  const spec = {
    bundles,
    restore_variable: { prefix: obj, shape: [2, 3], dtype: 'float32', value: vValue, w: 42 },
    keras_model: {
      prefix: kerasPrefix,
      weights: [k0, b0, k1, b1].map((t) => tensorSha256(t.data as Float32Array)),
      optimizer: [iterations, ...slots].map((t) => tensorSha256(t.data as Float32Array)),
      predict,
    },
    latest: { dir: mdir, expected: join(mdir, 'ckpt-4'), all: [join(mdir, 'ckpt-3'), join(mdir, 'ckpt-4')] },
  };
  const specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(spec));
  const res = runPythonScript(join(repoRoot(), 'packages/tensor-bundle/test/python/check_bundles.py'), [specPath]);
  assert.ok(res.ok, `python failed (${res.status}): ${res.stderr.slice(-3000)}`);
  const checks = res.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Check);
  const failed = checks.filter((c) => !c.ok);
  assert.deepEqual(failed, [], `${failed.length} of ${checks.length} Python checks failed`);
  const expectedChecks = bundles.reduce((a, b) => a + b.tensors.length + 1, 0) + 1 + 3 + 2;
  assert.equal(checks.length, expectedChecks);
});
