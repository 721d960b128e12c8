/**
 * Interop with tf_keras through the Keras model config: tf_keras rebuilds our
 * models from their config, prints the same summary and, with our weights,
 * computes the same predictions; our runtime rebuilds models trained in Python
 * and computes their predictions. One Python run checks every case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import {
  Add, BatchNormalization, clearSession, Concatenate, Conv2D, Dense, Dropout, Flatten, input, LayerNormalization, MaxPooling2D, model,
  modelFromConfig, Reshape, sequential, setRandomSeed, summaryLines, tf,
} from '../src/index.js';
import type { Model } from '../src/index.js';
import { readTensorSet, writeTensorSet } from '../src/node/index.js';
import { backendReady } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'runtime-interop-'));

function build(): Record<string, Model> {
  clearSession();
  setRandomSeed(3);
  const tutorial = sequential([new Dense({ units: 512, activation: 'relu', inputShape: [784] }), new Dropout({ rate: 0.2 }), new Dense({ units: 10 })]);
  const cnn = sequential([
    new Reshape({ targetShape: [28, 28, 1], inputShape: [784] }), new Conv2D({ filters: 4, kernelSize: 3, activation: 'relu' }),
    new MaxPooling2D({ poolSize: 2 }), new BatchNormalization(), new Flatten(), new Dense({ units: 10 }),
  ]);
  const inp = input({ shape: [784] });
  const trunk = new LayerNormalization().apply(new Dense({ units: 32, activation: 'selu', kernelInitializer: 'he_normal' }).apply(inp));
  const a = new Dense({ units: 3, activation: 'softmax' }).apply(trunk);
  const b = new Dense({ units: 1, activation: 'sigmoid' }).apply(trunk);
  const functional = model({ inputs: inp, outputs: [a, b] });
  const pa = input({ shape: [784], name: 'pixels' });
  const pb = input({ shape: [3], name: 'extra' });
  const j = new Concatenate().applyMany([new Dense({ units: 8, activation: 'relu' }).apply(pa), new Dense({ units: 4 }).apply(pb)]);
  const k = new Add().applyMany([new Dense({ units: 5 }).apply(j), new Dense({ units: 5 }).apply(j)]);
  const twoInputs = model({ inputs: [pa, pb], outputs: new Dense({ units: 3 }).apply(k) });
  return { tutorial, cnn, functional, two_inputs: twoInputs };
}

const xData = Float32Array.from({ length: 16 * 784 }, (_, i) => ((i * 7919) % 1000) / 1000);
const x2Data = Float32Array.from({ length: 16 * 3 }, (_, i) => ((i * 31) % 17) / 17);

interface Result { id: string; ok: boolean; error?: string; lines?: string[]; max_abs_diff?: number }

let results: Map<string, Result> | undefined;
let models: Record<string, Model> = {};

async function runPython(): Promise<Map<string, Result>> {
  if (results) return results;
  await backendReady;
  models = build();
  const cases: object[] = [];
  const x = tf.tensor2d(xData, [16, 784]);
  const x2 = tf.tensor2d(x2Data, [16, 3]);
  writeFileSync(join(dir, 'x2.bin'), new Uint8Array(x2Data.buffer));
  for (const [name, m] of Object.entries(models)) {
    const config = join(dir, `${name}.json`);
    writeFileSync(config, JSON.stringify(m.toConfig()));
    writeTensorSet(join(dir, `${name}.weights`), m.weights.map((w) => ({ name: w.path, shape: w.variable.shape, data: w.variable.dataSync() as Float32Array })));
    writeFileSync(join(dir, 'x.bin'), new Uint8Array(xData.buffer));
    const multi = m.inputs.length > 1;
    const pred = m.predict(multi ? [x, x2] : x);
    const flat = (Array.isArray(pred) ? pred : [pred]).map((p) => Array.from(p.dataSync()));
    // tf_keras's predict on a multi-output model returns a list; concatenated flat here in output order
    writeFileSync(join(dir, `${name}.pred.bin`), new Uint8Array(Float32Array.from(flat.flat()).buffer));
    cases.push({ id: `summary:${name}`, kind: 'summary', config });
    const xs = multi ? { xs: [{ path: join(dir, 'x.bin'), shape: [16, 784] }, { path: join(dir, 'x2.bin'), shape: [16, 3] }] } : { x: join(dir, 'x.bin'), x_shape: [16, 784] };
    cases.push({ id: `predict:${name}`, kind: 'predict', config, weights: join(dir, `${name}.weights`), ...xs, expected: join(dir, `${name}.pred.bin`) });
  }
  const spec = join(dir, 'cases.json');
  writeFileSync(spec, JSON.stringify({ cases, export_dir: join(dir, 'py') }));
  const out = join(dir, 'results.json');
  const r = runPythonScript(join(repoRoot(), 'packages/runtime/test/python/interop.py'), [spec, out]);
  assert.ok(r.ok, `interop.py failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  const parsed = JSON.parse(readFileSync(out, 'utf8')) as { results: Result[] };
  results = new Map(parsed.results.map((c) => [c.id, c]));
  return results;
}

for (const name of ['tutorial', 'cnn']) {
  test(`summary() of the ${name} model prints exactly what tf_keras prints for the same config`, async () => {
    const r = (await runPython()).get(`summary:${name}`)!;
    assert.ok(r.ok, r.error);
    assert.deepEqual(summaryLines(models[name]!), r.lines);
  });
}

for (const name of ['functional', 'two_inputs']) {
  test(`summary() of the ${name} Functional model matches tf_keras`, async () => {
    const r = (await runPython()).get(`summary:${name}`)!;
    assert.ok(r.ok, r.error);
    assert.deepEqual(summaryLines(models[name]!), r.lines);
  });
}

test('the tutorial model has 407,050 parameters', async () => {
  await runPython();
  assert.equal(models['tutorial']!.countParams(), 407050);
});

for (const name of ['tutorial', 'cnn', 'functional', 'two_inputs']) {
  test(`tf_keras rebuilds the ${name} model from our config and weights and predicts the same`, async () => {
    const r = (await runPython()).get(`predict:${name}`)!;
    assert.ok(r.ok, r.error);
    assert.ok(r.max_abs_diff! < 1e-5, `max |tf_keras - runtime| = ${r.max_abs_diff}`);
  });
}

for (const name of ['tutorial', 'cnn', 'functional', 'two_inputs']) {
  test(`the runtime rebuilds the tf_keras-trained ${name} model from its config and predicts the same`, async () => {
    await runPython();
    const base = join(dir, 'py', name);
    const m = modelFromConfig(JSON.parse(readFileSync(`${base}.config.json`, 'utf8')) as { class_name: string; config: Record<string, unknown> });
    const w = readTensorSet(`${base}.weights`);
    assert.deepEqual(m.weights.map((v) => `${v.path}:0`), w.map((t) => t.name));
    m.setWeights(w.map((t) => tf.tensor(t.data as Float32Array, t.shape)));
    const xb = readFileSync(`${base}.x.bin`);
    const x = tf.tensor2d(new Float32Array(xb.buffer.slice(xb.byteOffset, xb.byteOffset + xb.byteLength)), [64, 784]);
    const pb = readFileSync(`${base}.pred.bin`);
    const expected = new Float32Array(pb.buffer.slice(pb.byteOffset, pb.byteOffset + pb.byteLength));
    const x2b = readFileSync(`${base}.x2.bin`);
    const x2 = tf.tensor2d(new Float32Array(x2b.buffer.slice(x2b.byteOffset, x2b.byteOffset + x2b.byteLength)), [64, 3]);
    const got = (m.predict(m.inputs.length > 1 ? [x, x2] : x) as tf.Tensor).dataSync();
    let d = 0;
    for (let i = 0; i < expected.length; i++) d = Math.max(d, Math.abs(got[i]! - expected[i]!));
    assert.equal(got.length, expected.length);
    assert.ok(d < 1e-5, `max |runtime - tf_keras| = ${d}`);
  });
}
