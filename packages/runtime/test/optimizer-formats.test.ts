/**
 * Optimizer state in every persistence format, for every optimizer variant: Adam (also amsgrad), SGD (plain,
 * momentum, Nesterov), RMSprop (plain, momentum, centered with momentum) and Adagrad, through a TF checkpoint
 * (`saveWeights`), tf_keras `.h5`, Keras 3 `.keras` and a SavedModel directory (`saveModel`).
 *
 * (a) A reload in the runtime restores `iterations` and every slot the format keeps, and one more epoch lands
 *     exactly on the uninterrupted run.
 * (b) tf_keras (`.h5`, checkpoint, SavedModel) and Keras 3 (`.keras`) restore every optimizer variable of our
 *     files to our value, matched by identity (slot kind and model variable, through Keras's per-kind slot lists)
 *     rather than by position, with no variable left over.
 * (c) The runtime restores tf_keras's `.h5`, checkpoint and SavedModel and Keras 3's `.keras` and legacy `.h5`,
 *     matched the same way.
 *
 * Layout facts (from files both Kerases write): tf_keras and Keras 3 create slots kind group by kind group
 * (Adam `m`,`v` per variable then every `vhat`; RMSprop every `velocity`, then every `momentum`, then every
 * `average_gradient`); Keras 3 puts `iteration` and `learning_rate` first and its SGD has no slots without momentum.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { TF_KERAS_OPTIMIZER_SLOTS } from '@tfsave/tensor-bundle';
import {
  Adagrad, Adam, clearSession, Dense, kerasSlotKinds, RMSprop, SGD, sequential, setRandomSeed, SparseCategoricalCrossentropy, tf,
  type KerasOptimizerLayout, type Model, type Optimizer,
} from '../src/index.js';
import { loadModel, loadWeights, saveModel, saveWeights } from '../src/node/index.js';
import { backendReady } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'runtime-optimizer-formats-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface Variant { readonly make: () => Optimizer; readonly className: string; readonly kwargs: Record<string, number | boolean> }
const variants: Record<string, Variant> = {
  adam: { make: () => new Adam({ learningRate: 0.01 }), className: 'Adam', kwargs: { learning_rate: 0.01 } },
  adam_amsgrad: { make: () => new Adam({ learningRate: 0.01, amsgrad: true }), className: 'Adam', kwargs: { learning_rate: 0.01, amsgrad: true } },
  sgd: { make: () => new SGD({ learningRate: 0.05 }), className: 'SGD', kwargs: { learning_rate: 0.05 } },
  sgd_momentum: { make: () => new SGD({ learningRate: 0.05, momentum: 0.9 }), className: 'SGD', kwargs: { learning_rate: 0.05, momentum: 0.9 } },
  sgd_nesterov: { make: () => new SGD({ learningRate: 0.05, momentum: 0.9, nesterov: true }), className: 'SGD', kwargs: { learning_rate: 0.05, momentum: 0.9, nesterov: true } },
  rmsprop: { make: () => new RMSprop({ learningRate: 0.01 }), className: 'RMSprop', kwargs: { learning_rate: 0.01 } },
  rmsprop_momentum: { make: () => new RMSprop({ learningRate: 0.01, momentum: 0.9 }), className: 'RMSprop', kwargs: { learning_rate: 0.01, momentum: 0.9 } },
  rmsprop_centered: { make: () => new RMSprop({ learningRate: 0.01, momentum: 0.9, centered: true }), className: 'RMSprop', kwargs: { learning_rate: 0.01, momentum: 0.9, centered: true } },
  adagrad: { make: () => new Adagrad({ learningRate: 0.05 }), className: 'Adagrad', kwargs: { learning_rate: 0.05 } },
};

type Format = 'tf' | 'h5' | 'keras' | 'savedmodel';
const formats: readonly Format[] = ['tf', 'h5', 'keras', 'savedmodel'];
/** The Keras that reads and writes each format. */
const layoutOf = (f: Format): KerasOptimizerLayout => (f === 'keras' ? 'keras3' : 'tf_keras');
const pathOf = (id: string, f: Format): string => join(dir, f === 'tf' ? `${id}-ckpt` : f === 'savedmodel' ? `${id}-savedmodel` : `${id}.${f}`);

const data = backendReady.then(() => ({
  x: tf.tensor2d(Float32Array.from({ length: 80 }, (_, i) => Math.sin(i * 1.3) * 2), [16, 5]),
  y: tf.tensor1d(Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 3), 'int32'),
}));
const fitArgs = { epochs: 1, batchSize: 8, verbose: 0, shuffle: false } as const;

/** Slot values by identity: kind -> one array per trainable variable, looked up by the slot's `Class/kind/path` name. */
function slotsByIdentity(model: Model, kinds: readonly string[]): Record<string, Float32Array[]> {
  const opt = model.compiled!.optimizer;
  const byName = new Map(opt.variables().map((s) => [s.name, s.variable]));
  return Object.fromEntries(kinds.map((k) => [k, model.trainableWeights.map((w) => {
    const v = byName.get(`${opt.className}/${k}/${w.path}`);
    assert.ok(v, `${opt.className} has a ${k} slot for ${w.path}`);
    return (v.dataSync() as Float32Array).slice();
  })]));
}

const weightsOf = (m: Model): Float32Array[] => m.trainableWeights.map((w) => (w.variable.dataSync() as Float32Array).slice());

function build(v: Variant, seed: number): Model {
  clearSession();
  setRandomSeed(seed);
  const m = sequential([new Dense({ units: 4, inputShape: [5] }), new Dense({ units: 3 })]);
  m.compile({ optimizer: v.make(), loss: new SparseCategoricalCrossentropy({ fromLogits: true }) });
  return m;
}

async function load(v: Variant, f: Format, path: string): Promise<Model> {
  if (f !== 'tf') return loadModel(path);
  const m = build(v, 99);
  await loadWeights(m, path);
  return m;
}

interface Saved { readonly iterations: number; readonly slots: Record<string, Float32Array[]>; readonly uninterrupted: Float32Array[] }
const saved = new Map<string, Saved>();

/** Trains two steps, writes all four formats from that state, then trains one more epoch (the uninterrupted run). */
async function trainAndSave(id: string): Promise<Saved> {
  const have = saved.get(id);
  if (have) return have;
  const { x, y } = await data;
  const v = variants[id]!;
  const m = build(v, 7);
  await m.fit(x, y, fitArgs);
  const opt = m.compiled!.optimizer;
  const state = { iterations: opt.iterations, slots: slotsByIdentity(m, opt.slotKinds) };
  await saveWeights(m, pathOf(id, 'tf'));
  for (const f of ['h5', 'keras', 'savedmodel'] as const) await saveModel(m, pathOf(id, f));
  await m.fit(x, y, fitArgs);
  const s = { ...state, uninterrupted: weightsOf(m) };
  saved.set(id, s);
  return s;
}

for (const id of Object.keys(variants)) {
  for (const f of formats) {
    test(`(a) ${id} through ${f}: the reload has the same iterations and slots, and one more epoch equals the uninterrupted run`, async () => {
      const s = await trainAndSave(id);
      const { x, y } = await data;
      const again = await load(variants[id]!, f, pathOf(id, f));
      const opt = again.compiled!.optimizer;
      assert.equal(opt.iterations, 2);
      assert.equal(s.iterations, 2);
      const kept = kerasSlotKinds(opt, layoutOf(f));
      assert.deepEqual(slotsByIdentity(again, kept), Object.fromEntries(kept.map((k) => [k, s.slots[k]!])));
      await again.fit(x, y, fitArgs);
      assert.equal(opt.iterations, 4);
      assert.deepEqual(weightsOf(again), s.uninterrupted);
    });
  }
}

test('Keras 3 SGD without momentum keeps no slots, so .keras holds none; every other variant keeps all its kinds', async () => {
  await backendReady;
  assert.deepEqual(kerasSlotKinds(new SGD(), 'keras3'), []);
  assert.deepEqual(kerasSlotKinds(new SGD(), 'tf_keras'), ['m']);
  assert.deepEqual(kerasSlotKinds(new SGD({ momentum: 0.9 }), 'keras3'), ['m']);
  assert.deepEqual(kerasSlotKinds(new RMSprop({ momentum: 0.9, centered: true }), 'keras3'), ['velocity', 'momentum', 'average_gradient']);
});

interface LoadResult {
  id: string; error?: string; iterations: number; learning_rate?: number; kinds: string[]; compared: number;
  mismatches: string[]; unaccounted: string[]; variable_count: number;
}
interface WriteResult {
  variant: string; writer: KerasOptimizerLayout; error?: string; files: Partial<Record<Format, string>>;
  iterations: number; slots: Record<string, number[][]>; unaccounted: string[];
}
let python: { loads: LoadResult[]; writes: WriteResult[] } | undefined;

test('one Python run: tf_keras and Keras 3 load every file we wrote and write their own of each variant', { timeout: 900_000 }, async () => {
  for (const id of Object.keys(variants)) await trainAndSave(id);
  const writeDir = join(dir, 'python');
  mkdirSync(writeDir);
  const slotLists = Object.fromEntries([...new Set(Object.values(variants).map((v) => v.className))].map((c) => [c,
    Object.fromEntries(TF_KERAS_OPTIMIZER_SLOTS[c.toLowerCase()]!.map((k) => [k.kind, k.list]))]));
  const loads = Object.keys(variants).flatMap((id) => formats.map((f) => {
    const s = saved.get(id)!;
    const kinds = kerasSlotKinds(variants[id]!.make(), layoutOf(f));
    return {
      id: `${id}/${f}`, variant: id, format: f, path: pathOf(id, f), iterations: s.iterations,
      slots: Object.fromEntries(kinds.map((k) => [k, s.slots[k]!.map((a) => Array.from(a))])),
    };
  }));
  const variantList = Object.entries(variants).map(([id, v]) => ({ id, class_name: v.className, kwargs: v.kwargs }));
  writeFileSync(join(dir, 'cases.json'), JSON.stringify({ variants: variantList, loads, slot_lists: slotLists, write_dir: writeDir }));
  const r = runPythonScript(join(repoRoot(), 'packages/runtime/test/python/optimizer_formats.py'), [join(dir, 'cases.json'), join(dir, 'out.json')], 900_000);
  assert.ok(r.ok, `optimizer_formats.py failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  python = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as typeof python;
  assert.equal(python!.loads.length, loads.length);
  assert.equal(python!.writes.length, 2 * Object.keys(variants).length);
});

for (const id of Object.keys(variants)) {
  for (const f of formats) {
    const who = f === 'keras' ? 'Keras 3' : 'tf_keras';
    test(`(b) ${who} restores ${id} from our ${f}: iterations and every slot by kind and variable`, () => {
      assert.ok(python, 'the Python run happened');
      const r = python.loads.find((l) => l.id === `${id}/${f}`)!;
      assert.equal(r.error, undefined, r.error);
      const v = variants[id]!;
      const kinds = kerasSlotKinds(v.make(), layoutOf(f));
      assert.equal(r.iterations, 2);
      assert.deepEqual(r.kinds, [...kinds].sort(), 'Keras keeps the slot kinds we wrote');
      assert.equal(r.compared, kinds.length * 4);
      assert.deepEqual(r.mismatches, []);
      assert.deepEqual(r.unaccounted, []);
      assert.equal(r.variable_count, 1 + (f === 'keras' ? 1 : 0) + kinds.length * 4);
      if (f === 'keras') assert.equal(r.learning_rate, Math.fround(v.kwargs['learning_rate'] as number));
    });
  }
}

for (const id of Object.keys(variants)) {
  for (const writer of ['tf_keras', 'keras3'] as const) {
    test(`(c) the runtime restores ${id} from ${writer}'s files: iterations and every slot by kind and variable`, async () => {
      assert.ok(python, 'the Python run happened');
      const w = python.writes.find((r) => r.variant === id && r.writer === writer)!;
      assert.equal(w.error, undefined, w.error);
      assert.deepEqual(w.unaccounted, []);
      assert.equal(w.iterations, 2);
      const v = variants[id]!;
      const expected = Object.fromEntries(Object.entries(w.slots).map(([k, per]) => [k, per.map((a) => Float32Array.from(a))]));
      assert.deepEqual(Object.keys(expected).sort(), [...kerasSlotKinds(v.make(), writer)].sort());
      const files = Object.entries(w.files) as Array<[Format, string]>;
      assert.equal(files.length, writer === 'keras3' ? 2 : 3);
      for (const [f, path] of files) {
        const m = await load(v, f, path);
        const opt = m.compiled!.optimizer;
        assert.equal(opt.className, v.className, `${f}: optimizer class`);
        assert.equal(opt.iterations, w.iterations, `${f}: iterations`);
        assert.deepEqual(slotsByIdentity(m, Object.keys(expected)), expected, `${f}: slots`);
      }
    });
  }
}
