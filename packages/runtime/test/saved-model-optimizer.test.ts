/**
 * Optimizer state through SavedModel directories, both ways: `loadModel(dir)` restores
 * `iterations` and every slot of a tf_keras-written SavedModel exactly; `saveModel(dir)` writes the
 * state of Adam (also amsgrad), SGD with momentum, RMSprop (momentum, centered) and Adagrad as tf_keras
 * lays it out, so a reload in TS or in tf_keras continues training exactly where the saved model was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { openBundle } from '@tfsave/tensor-bundle/node';
import {
  Adagrad, Adam, clearSession, Dense, kerasOptimizerState, RMSprop, SGD, sequential, setRandomSeed, SparseCategoricalCrossentropy, type Model, type Optimizer,
} from '../src/index.js';
import { loadModel, saveModel } from '../src/node/index.js';
import { backendReady, fixture, maxAbsDiff, mnistTensors } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'runtime-sm-optimizer-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const concat = (parts: readonly Float32Array[]): Float32Array => {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};
const weightsOf = (m: Model) => concat(m.trainableWeights.map((w) => w.variable.dataSync() as Float32Array));
const bytes = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

test('loadModel(tf_keras SavedModel) restores iterations and every Adam slot exactly as the fixture stores them', async () => {
  await backendReady;
  const path = fixture('tutorial-tf-keras/saved_model/my_model');
  const m = await loadModel(path);
  const st = kerasOptimizerState(m.compiled!.optimizer);
  const reader = await openBundle(join(path, 'variables/variables'));
  try {
    const it = await reader.readTensor('optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE');
    assert.equal(BigInt(st.iterations), (it.data as BigInt64Array)[0]);
    assert.equal(st.slots.length, 8);
    for (const [i, s] of st.slots.entries()) {
      const t = await reader.readTensor(`optimizer/_variables/${i + 1}/.ATTRIBUTES/VARIABLE_VALUE`);
      assert.deepEqual(s.shape, t.shape, s.name);
      assert.deepEqual(s.data, t.data, s.name);
    }
  } finally {
    await reader.close();
  }
});

const optimizers: Record<string, () => Optimizer> = {
  adam: () => new Adam({ learningRate: 0.002 }),
  adam_amsgrad: () => new Adam({ learningRate: 0.002, amsgrad: true }),
  sgd_momentum: () => new SGD({ learningRate: 0.05, momentum: 0.9 }),
  rmsprop_centered_momentum: () => new RMSprop({ learningRate: 0.001, momentum: 0.5, centered: true }),
  adagrad: () => new Adagrad({ learningRate: 0.05 }),
};

interface Run { readonly saved: string; readonly iterations: number; readonly slots: Float32Array; readonly uninterrupted: Float32Array }
const runs = new Map<string, Run>();
const data = backendReady.then(() => mnistTensors(0, 64));
const fitArgs = { epochs: 1, batchSize: 32, verbose: 0, shuffle: false } as const;

for (const [name, make] of Object.entries(optimizers)) {
  test(`${name}: saveModel -> loadModel keeps iterations and slots, and one more epoch equals the uninterrupted run`, async () => {
    const { x, y } = await data;
    clearSession();
    setRandomSeed(5);
    const m = sequential([new Dense({ units: 16, activation: 'relu', inputShape: [784] }), new Dense({ units: 10 })]);
    m.compile({ optimizer: make(), loss: new SparseCategoricalCrossentropy({ fromLogits: true }) });
    await m.fit(x, y, fitArgs);
    const saved = join(dir, name);
    await saveModel(m, saved);
    const before = kerasOptimizerState(m.compiled!.optimizer);
    await m.fit(x, y, fitArgs);
    const uninterrupted = weightsOf(m);

    const again = await loadModel(saved);
    const opt = again.compiled!.optimizer;
    assert.equal(opt.className, m.compiled!.optimizer.className);
    const after = kerasOptimizerState(opt);
    assert.equal(after.iterations, 2);
    assert.deepEqual(after.slots.map((s) => s.name), before.slots.map((s) => s.name));
    after.slots.forEach((s, i) => assert.deepEqual(s.data, before.slots[i]!.data, s.name));
    await again.fit(x, y, fitArgs);
    assert.equal(opt.iterations, 4);
    const d = maxAbsDiff(weightsOf(again), uninterrupted);
    assert.ok(d <= 1e-6, `${name}: max |resumed - uninterrupted| = ${d}`);
    runs.set(name, { saved, iterations: before.iterations, slots: concat(before.slots.map((s) => s.data)), uninterrupted });
  });
}

test('tf_keras restores our saved optimizer state (load_model + load_weights) and one more epoch of fit lands on our uninterrupted run', { timeout: 600_000 }, async (t) => {
  assert.equal(runs.size, Object.keys(optimizers).length, 'the TS round trips ran first');
  const { x, y } = await data;
  writeFileSync(join(dir, 'x.bin'), bytes(x.dataSync() as Float32Array));
  writeFileSync(join(dir, 'y.bin'), bytes(Int32Array.from(y.dataSync())));
  const cases = [...runs].map(([id, r]) => {
    writeFileSync(join(dir, `${id}.slots.bin`), bytes(r.slots));
    writeFileSync(join(dir, `${id}.expected.bin`), bytes(r.uninterrupted));
    return { id, dir: r.saved, x: join(dir, 'x.bin'), x_shape: [64, 784], y: join(dir, 'y.bin'), batch: 32, slots: join(dir, `${id}.slots.bin`), expected: join(dir, `${id}.expected.bin`) };
  });
  writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases }));
  const r = runPythonScript(join(repoRoot(), 'packages/runtime/test/python/saved_model_optimizer.py'), [join(dir, 'cases.json'), join(dir, 'out.json')]);
  assert.ok(r.ok, `saved_model_optimizer.py failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { results: Array<Record<string, unknown>> };
  for (const [id, run] of runs) {
    const res = out.results.find((c) => c['id'] === id)!;
    assert.equal(res['error'], undefined, `${id}: ${String(res['error'])}`);
    assert.equal(res['iterations'], run.iterations, id);
    assert.equal(res['slots_max_abs_diff'], 0, `${id}: ${JSON.stringify(res['slot_names'])}`);
    assert.equal(res['iterations_after_fit'], run.iterations + 2, id);
    const d = res['weights_max_abs_diff'] as number;
    t.diagnostic(`${id}: tf_keras resumed vs our uninterrupted run: max |Δw| = ${d} (max |w| ${String(res['weights_max_abs'])})`);
    assert.ok(d <= 1e-5, `${id}: max |tf_keras resumed - runtime uninterrupted| = ${d}`);
  }
});
