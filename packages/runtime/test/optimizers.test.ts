/**
 * Optimizer and loss parity with tf_keras: from the same weights and batches,
 * each optimizer (with its options) and each loss gives the weights, optimizer
 * state (by Keras variable name) and loss tf_keras computes. Also every Keras
 * activation predicts as tf_keras does. One Python run checks all cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import {
  Activation, activationNames, Adagrad, Adam, clearSession, Dense, getLoss, RMSprop, SGD, sequential, setRandomSeed, tf,
} from '../src/index.js';
import type { Loss, Model, Optimizer } from '../src/index.js';
import { loadExamples, readTensorSet, writeTensorSet } from '../src/node/index.js';
import { backendReady, relNormDiff } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'runtime-opt-'));

interface Case { id: string; make: () => Optimizer; loss: string; fromLogits?: boolean; outUnits: number; outAct: string }
const cases: Case[] = [
  { id: 'rmsprop', make: () => new RMSprop(), loss: 'SparseCategoricalCrossentropy', fromLogits: true, outUnits: 10, outAct: 'linear' },
  { id: 'rmsprop-momentum-centered', make: () => new RMSprop({ momentum: 0.9, centered: true, learningRate: 0.01 }), loss: 'SparseCategoricalCrossentropy', fromLogits: true, outUnits: 10, outAct: 'linear' },
  { id: 'adagrad', make: () => new Adagrad({ learningRate: 0.05 }), loss: 'SparseCategoricalCrossentropy', fromLogits: true, outUnits: 10, outAct: 'linear' },
  { id: 'sgd-nesterov', make: () => new SGD({ learningRate: 0.05, momentum: 0.9, nesterov: true }), loss: 'SparseCategoricalCrossentropy', fromLogits: true, outUnits: 10, outAct: 'linear' },
  { id: 'sgd-plain', make: () => new SGD({ learningRate: 0.1 }), loss: 'SparseCategoricalCrossentropy', fromLogits: false, outUnits: 10, outAct: 'softmax' },
  { id: 'adam-amsgrad', make: () => new Adam({ amsgrad: true, learningRate: 0.01 }), loss: 'SparseCategoricalCrossentropy', fromLogits: true, outUnits: 10, outAct: 'linear' },
  { id: 'categorical-xent', make: () => new Adam(), loss: 'CategoricalCrossentropy', fromLogits: false, outUnits: 10, outAct: 'softmax' },
  { id: 'categorical-xent-logits', make: () => new Adam(), loss: 'CategoricalCrossentropy', fromLogits: true, outUnits: 10, outAct: 'linear' },
  { id: 'binary-xent', make: () => new Adam(), loss: 'BinaryCrossentropy', fromLogits: false, outUnits: 10, outAct: 'sigmoid' },
  { id: 'binary-xent-logits', make: () => new Adam(), loss: 'BinaryCrossentropy', fromLogits: true, outUnits: 10, outAct: 'linear' },
  { id: 'mse', make: () => new Adam(), loss: 'MeanSquaredError', outUnits: 10, outAct: 'linear' },
  { id: 'mae', make: () => new Adam(), loss: 'MeanAbsoluteError', outUnits: 10, outAct: 'linear' },
];

const N = 96;
let results: Map<string, { ok: boolean; error?: string; loss?: number; iterations?: number; max_abs_diff?: number }> | undefined;
const ours = new Map<string, { model: Model; loss: number }>();

function targets(loss: string, labels: Int32Array): { data: Float32Array | Int32Array; shape: number[]; dtype: 'int32' | 'float32' } {
  if (loss === 'SparseCategoricalCrossentropy') return { data: labels, shape: [N], dtype: 'int32' };
  const y = new Float32Array(N * 10);
  labels.forEach((l, i) => {
    if (loss === 'CategoricalCrossentropy') y[i * 10 + l] = 1;
    else if (loss === 'BinaryCrossentropy') for (let k = 0; k < 10; k++) y[i * 10 + k] = (l + k) % 3 === 0 ? 1 : 0;
    else for (let k = 0; k < 10; k++) y[i * 10 + k] = Math.sin(l + k);
  });
  return { data: y, shape: [N, 10], dtype: 'float32' };
}

function actModel(): Model {
  const layers = [new Dense({ units: 16, inputShape: [784], kernelInitializer: 'glorot_normal' })];
  for (const a of activationNames) {
    layers.push(new Activation({ activation: a }) as unknown as Dense);
    layers.push(new Dense({ units: 16, activation: a === 'exponential' ? 'tanh' : 'linear' }));
  }
  return sequential(layers);
}

async function run(): Promise<NonNullable<typeof results>> {
  if (results) return results;
  await backendReady;
  const e = loadExamples(0, N);
  writeFileSync(join(dir, 'x.bin'), new Uint8Array(e.x.buffer));
  const x = tf.tensor2d(e.x, [N, 784]);
  const pyCases: object[] = [];
  for (const c of cases) {
    clearSession();
    setRandomSeed(21);
    const m = sequential([new Dense({ units: 32, activation: 'tanh', inputShape: [784] }), new Dense({ units: c.outUnits, activation: c.outAct })]);
    const lossCfg = { class_name: c.loss, config: c.fromLogits === undefined ? {} : { from_logits: c.fromLogits } };
    const loss: Loss = getLoss(lossCfg);
    const opt = c.make();
    m.compile({ optimizer: opt, loss });
    const config = join(dir, `${c.id}.json`);
    writeFileSync(config, JSON.stringify(m.toConfig()));
    writeTensorSet(join(dir, `${c.id}.init`), m.weights.map((w) => ({ name: w.path, shape: w.variable.shape, data: w.variable.dataSync() as Float32Array })));
    const t = targets(c.loss, e.y);
    writeFileSync(join(dir, `${c.id}.y.bin`), new Uint8Array(t.data.buffer));
    const h = await m.fit(x, tf.tensor(t.data, t.shape, t.dtype), { epochs: 1, batchSize: 32, shuffle: false, verbose: 0 });
    ours.set(c.id, { model: m, loss: h.history['loss']![0]! });
    pyCases.push({
      id: c.id, kind: 'train', config, weights: join(dir, `${c.id}.init`), x: join(dir, 'x.bin'), x_shape: [N, 784],
      y: join(dir, `${c.id}.y.bin`), y_shape: t.shape, y_dtype: t.dtype, batch_size: 32, out: join(dir, `${c.id}.final`),
      optimizer: { class_name: opt.className, config: opt.getConfig() }, loss: { class_name: loss.className, config: loss.getConfig() },
    });
  }
  clearSession();
  setRandomSeed(5);
  const am = actModel();
  writeFileSync(join(dir, 'act.json'), JSON.stringify(am.toConfig()));
  writeTensorSet(join(dir, 'act.weights'), am.weights.map((w) => ({ name: w.path, shape: w.variable.shape, data: w.variable.dataSync() as Float32Array })));
  writeFileSync(join(dir, 'act.pred.bin'), new Uint8Array((am.predict(x) as tf.Tensor).dataSync().slice().buffer));
  pyCases.push({ id: 'activations', kind: 'predict', config: join(dir, 'act.json'), weights: join(dir, 'act.weights'), x: join(dir, 'x.bin'), x_shape: [N, 784], expected: join(dir, 'act.pred.bin') });
  writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases: pyCases }));
  const r = runPythonScript(join(repoRoot(), 'packages/runtime/test/python/interop.py'), [join(dir, 'cases.json'), join(dir, 'out.json')]);
  assert.ok(r.ok, `interop.py failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { results: Array<{ id: string; ok: boolean }> };
  results = new Map(out.results.map((c) => [c.id, c]));
  return results;
}

for (const c of cases) {
  test(`${c.id}: weights, optimizer state and loss after 3 steps equal tf_keras's`, async () => {
    const r = (await run()).get(c.id)!;
    assert.ok(r.ok, r.error);
    const mine = ours.get(c.id)!;
    const opt = mine.model.compiled!.optimizer;
    assert.equal(opt.iterations, r.iterations);
    const ref = readTensorSet(join(dir, `${c.id}.final`));
    const byName = new Map<string, tf.Tensor>(mine.model.weights.map((w) => [w.path, w.variable]));
    for (const s of opt.variables()) byName.set(s.name, s.variable);
    const refNames = ref.map((t) => t.name).filter((n) => n !== 'iteration');
    assert.deepEqual([...byName.keys()].sort(), refNames.sort(), 'variable names');
    for (const t of ref) {
      if (t.name === 'iteration') continue;
      const d = relNormDiff(byName.get(t.name)!.dataSync() as Float32Array, t.data as Float32Array);
      assert.ok(d <= 1e-5, `${t.name}: ‖ours-TF‖/‖TF‖ = ${d}`);
    }
    assert.ok(Math.abs(mine.loss - r.loss!) <= 1e-5 * Math.max(1, Math.abs(r.loss!)), `loss ${mine.loss} vs TF ${r.loss}`);
  });
}

test(`every Keras activation (${activationNames.length}) predicts as tf_keras does`, async () => {
  const r = (await run()).get('activations')!;
  assert.ok(r.ok, r.error);
  assert.ok(r.max_abs_diff! < 1e-5, `max |tf_keras - runtime| = ${r.max_abs_diff}`);
});
