/**
 * Persistence in every format: files the runtime writes open in tf_keras, Keras 3
 * and TF with the same predictions; the runtime reloads its own files exactly
 * (weights, compile config, optimizer state — training resumes identically) and
 * loads the Python-written tutorial fixtures with their recorded predictions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFormatError } from '@tfsave/core';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import {
  Adam, clearSession, Dense, Dropout, sequential, setRandomSeed, SparseCategoricalCrossentropy, sparseCategoricalAccuracy, tf,
} from '../src/index.js';
import type { Model } from '../src/index.js';
import { latestCheckpoint, loadModel, loadWeights, saveModel, saveWeights } from '../src/node/index.js';
import { backendReady, fixture, maxAbsDiff, mnistTensors } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'runtime-persist-'));

function tutorial(units = 64): Model {
  const m = sequential([new Dense({ units, activation: 'relu', inputShape: [784] }), new Dropout({ rate: 0.2 }), new Dense({ units: 10 })]);
  m.compile({ optimizer: new Adam(), loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: [sparseCategoricalAccuracy()] });
  return m;
}

const flat = (t: tf.Tensor | tf.Tensor[]): Float32Array => (Array.isArray(t) ? t[0]! : t).dataSync() as Float32Array;

interface Result {
  id: string; ok: boolean; error?: string; max_abs_diff?: number; latest?: string; optimizer?: { iterations: number } | string | null;
  class?: string; layers?: string[]; loss?: string | null;
}

let state: { model: Model; x: tf.Tensor2D; pred: Float32Array; results: Map<string, Result> } | undefined;

async function setup(): Promise<NonNullable<typeof state>> {
  if (state) return state;
  await backendReady;
  clearSession();
  setRandomSeed(11);
  const model = tutorial();
  const { x: xt, y: yt } = mnistTensors(0, 256);
  await model.fit(xt, yt, { epochs: 1, batchSize: 32, verbose: 0 });
  const { x } = mnistTensors(1000, 16);
  const pred = flat(model.predict(x));
  writeFileSync(join(dir, 'x.bin'), new Uint8Array(x.dataSync().slice().buffer));
  writeFileSync(join(dir, 'pred.bin'), new Uint8Array(pred.slice().buffer));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(model.toConfig()));
  mkdirSync(join(dir, 'ckpt'));
  await saveWeights(model, join(dir, 'ckpt', 'cp.ckpt'));
  await saveWeights(model, join(dir, 'w.h5'));
  await saveWeights(model, join(dir, 'm.weights.h5'));
  await saveModel(model, join(dir, 'm.h5'));
  await saveModel(model, join(dir, 'm.keras'));
  await saveModel(model, join(dir, 'savedmodel'));
  const common = { x: join(dir, 'x.bin'), x_shape: [16, 784], expected: join(dir, 'pred.bin') };
  const cases = [
    { id: 'tfk-ckpt', kind: 'tfk_load_weights', config: join(dir, 'config.json'), path: join(dir, 'ckpt', 'cp.ckpt'), ...common },
    { id: 'tfk-w.h5', kind: 'tfk_load_weights', config: join(dir, 'config.json'), path: join(dir, 'w.h5'), ...common },
    { id: 'tfk-m.h5', kind: 'tfk_load_model', path: join(dir, 'm.h5'), ...common },
    { id: 'k3-m.keras', kind: 'k3_load_model', path: join(dir, 'm.keras'), ...common },
    { id: 'k3-weights.h5', kind: 'k3_load_weights', model_path: join(dir, 'm.keras'), path: join(dir, 'm.weights.h5'), ...common },
    { id: 'savedmodel', kind: 'savedmodel', path: join(dir, 'savedmodel'), ...common },
    { id: 'tfk-savedmodel', kind: 'tfk_load_savedmodel', path: join(dir, 'savedmodel'), ...common },
    { id: 'latest', kind: 'latest', dir: join(dir, 'ckpt') },
    { id: 'regularized', kind: 'write_regularized', dir },
    { id: 'tfk-functional', kind: 'write_tfk_functional', dir },
  ];
  writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases }));
  const r = runPythonScript(join(repoRoot(), 'packages/runtime/test/python/persist.py'), [join(dir, 'cases.json'), join(dir, 'out.json')]);
  assert.ok(r.ok, `persist.py failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { results: Result[] };
  state = { model, x, pred, results: new Map(out.results.map((c) => [c.id, c])) };
  return state;
}

const pythonChecks: Array<[string, string]> = [
  ['tfk-ckpt', 'tf_keras load_weights reads our TF checkpoint (saveWeights default)'],
  ['tfk-w.h5', 'tf_keras load_weights reads our legacy weights .h5'],
  ['tfk-m.h5', 'tf_keras load_model reads our full-model .h5'],
  ['k3-m.keras', 'Keras 3 load_model reads our .keras'],
  ['k3-weights.h5', 'Keras 3 load_weights reads our .weights.h5'],
  ['savedmodel', "TF's tf.saved_model.load serves our SavedModel directory"],
  ['tfk-savedmodel', 'tf_keras load_model rebuilds the Keras model of our SavedModel directory'],
];
for (const [id, title] of pythonChecks) {
  test(`${title} and predicts the same`, async () => {
    const r = (await setup()).results.get(id)!;
    assert.ok(r.ok, r.error);
    assert.ok(r.max_abs_diff! < 1e-5, `${id}: max |python - runtime| = ${r.max_abs_diff}`);
  });
}

test('tf_keras load_model(our SavedModel) revives the layers by name and compiles it from our training_config', async () => {
  const r = (await setup()).results.get('tfk-savedmodel')!;
  assert.equal(r.class, 'Sequential');
  assert.deepEqual(r.layers, ['dense', 'dropout', 'dense_1']);
  assert.equal(r.loss, 'SparseCategoricalCrossentropy');
  assert.equal(r.optimizer, 'Adam');
});

test('tf_keras restores the optimizer state of our .h5 (iterations = 8 after 8 steps)', async () => {
  const r = (await setup()).results.get('tfk-m.h5')!;
  assert.equal((r.optimizer as { iterations: number } | null)?.iterations, 8);
});

test("TF's latest_checkpoint and ours find the checkpoint saveWeights wrote", async () => {
  const s = await setup();
  assert.equal(s.results.get('latest')!.latest, join(dir, 'ckpt', 'cp.ckpt'));
  assert.equal(await latestCheckpoint(join(dir, 'ckpt')), join(dir, 'ckpt', 'cp.ckpt'));
});

const refusals: Array<[string, RegExp]> = [
  ['tfk_l2.h5', /layer "dense" \(Dense\) sets kernel_regularizer=L2 \{"l2":0\.0099999997\d*\}.* in .*tfk_l2\.h5$/],
  ['tfk_l2_savedmodel', /layer "dense" \(Dense\) sets kernel_regularizer=L2/],
  ['tfk_maxnorm.h5', /kernel_constraint=MaxNorm \{"max_value":2/],
  ['k3_l1.keras', /bias_regularizer=L1 \{"l1":0\.1/],
];
for (const [file, message] of refusals) {
  test(`loadModel refuses ${file} (Python-written, uses a regularizer/constraint) with an unsupported FormatError`, async () => {
    const r = (await setup()).results.get('regularized')!;
    assert.ok(r.ok, r.error);
    await assert.rejects(loadModel(join(dir, file)), (e: unknown) => {
      assert.ok(isFormatError(e), String(e));
      assert.equal(e.kind, 'unsupported');
      assert.equal(e.code, file.includes('maxnorm') ? 'constraint' : 'regularizer');
      assert.match(e.message, message);
      return true;
    });
  });
}

test('loadModel(tf_keras two-input Functional SavedModel) predicts as tf_keras and restores Adam (2 steps)', async () => {
  const r = (await setup()).results.get('tfk-functional')!;
  assert.ok(r.ok, r.error);
  const read = (f: string, shape: number[]) => {
    const b = readFileSync(join(dir, f));
    return tf.tensor(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)), shape);
  };
  const m = await loadModel(join(dir, 'tfk_functional_savedmodel'));
  assert.equal(m.className, 'Functional');
  const got = flat(m.predict([read('tfk_functional_xa.bin', [16, 12]), read('tfk_functional_xb.bin', [16, 5])]));
  const d = maxAbsDiff(got, read('tfk_functional_pred.bin', [16, 3]).dataSync());
  assert.ok(d < 1e-5, `max |runtime - tf_keras| = ${d}`);
  assert.equal(m.compiled!.optimizer.iterations, 2);
});

async function sameContinuation(a: Model, b: Model): Promise<void> {
  const { x, y } = mnistTensors(256, 64);
  setRandomSeed(5);
  await a.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0, shuffle: false });
  setRandomSeed(5);
  await b.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0, shuffle: false });
  a.weights.forEach((w, i) => assert.deepEqual(w.variable.dataSync(), b.weights[i]!.variable.dataSync(), w.path));
}

for (const file of ['m.keras', 'm.h5']) {
  test(`loadModel(${file}) restores architecture, weights, compile config and optimizer state; training resumes identically`, async () => {
    const s = await setup();
    const m = await loadModel(join(dir, file));
    assert.deepEqual(flat(m.predict(s.x)), s.pred);
    const o = m.compiled!.optimizer;
    assert.equal(o.className, 'Adam');
    assert.equal(o.iterations, 8);
    assert.deepEqual(o.variables().map((v) => v.name), s.model.compiled!.optimizer.variables().map((v) => v.name));
    assert.deepEqual(m.compiled!.metrics.map((x) => x.name), ['sparse_categorical_accuracy']);
    const copy = await loadModel(join(dir, file));
    void copy;
    const ref = await loadModel(join(dir, 'm.keras'));
    await sameContinuation(m, ref);
  });
}

for (const file of ['ckpt/cp.ckpt', 'm.weights.h5', 'w.h5']) {
  test(`loadWeights(${file}) into a fresh model gives the same predictions`, async () => {
    const s = await setup();
    clearSession();
    const m = tutorial();
    await loadWeights(m, file === 'ckpt/cp.ckpt' ? (await latestCheckpoint(join(dir, 'ckpt')))! : join(dir, file));
    assert.deepEqual(flat(m.predict(s.x)), s.pred);
    if (file !== 'w.h5') assert.equal(m.compiled!.optimizer.iterations, 8, 'optimizer state restored');
  });
}

const tut = fixture('tutorial-tf-keras/outputs.json');
test('the runtime loads the tf_keras tutorial fixtures (checkpoints, .h5, SavedModel) with their recorded predictions', async () => {
  await backendReady;
  const outs = JSON.parse(readFileSync(tut!, 'utf8')) as { models: Record<string, { data: number[] }> };
  const { x } = mnistTensors(1000, 8);
  const base = join(tut!, '..');
  const checks: string[] = [];
  for (const [name, rec] of Object.entries(outs.models)) {
    let m: Model;
    if (name.endsWith('my_model.h5') || name.startsWith('saved_model')) m = await loadModel(join(base, name));
    else {
      clearSession();
      m = tutorial(512);
      await loadWeights(m, join(base, name));
    }
    const got = flat(m.predict(x));
    let d = 0;
    rec.data.forEach((v, i) => (d = Math.max(d, Math.abs(v - got[i]!))));
    assert.ok(d < 1e-4, `${name}: max diff ${d}`);
    checks.push(name);
  }
  assert.ok(checks.length >= 6, `checked ${checks.join(', ')}`);
});

const k3 = fixture('keras3/outputs.json');
test('the runtime loads Keras 3 files (.keras, legacy .h5) with their recorded predictions and optimizer state', async () => {
  await backendReady;
  const outs = JSON.parse(readFileSync(k3!, 'utf8')) as { models: Record<string, { data: number[] }> };
  const { x } = mnistTensors(1000, 8);
  for (const name of ['m.keras', 'legacy.h5', 'ckpt/model.keras']) {
    const m = await loadModel(join(k3!, '..', name));
    const got = flat(m.predict(x));
    let d = 0;
    outs.models[name]!.data.forEach((v, i) => (d = Math.max(d, Math.abs(v - got[i]!))));
    assert.ok(d < 1e-4, `${name}: max diff ${d}`);
    assert.equal(m.compiled?.optimizer.className, 'Adam');
    assert.ok((m.compiled?.optimizer.iterations ?? 0) > 0, `${name}: optimizer state restored`);
  }
});
