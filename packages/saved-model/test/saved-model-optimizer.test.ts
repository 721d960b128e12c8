/**
 * Optimizer state in written SavedModels: with `ModelSpec.optimizer` the writer lays the
 * state out as tf_keras 2.21's `model.save(dir)` does (`optimizer/_iterations`,
 * `optimizer/_learning_rate`, `optimizer/_variables/N` in `variables/`; an
 * `experimentalOptimizer` node under the root of the object graph; the TF1 saver functions
 * restore it too), so TensorFlow and tf_keras read it back; specs it cannot express are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFormatError } from '@tfsave/core';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { buildSavedModel, type LayerSpec, type ModelSpec, type OptimizerSlotSpec, type OptimizerSpec } from '../src/index.js';
import { readSavedModelDir, writeSavedModelDir } from '../src/node/index.js';

let seed = 11;
const rnd = (n: number, scale = 0.5, offset = 0) => Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 2 * scale + offset);
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const dense = (name: string, inp: number, units: number, activation: string): LayerSpec => ({
  class_name: 'Dense', config: { name, units, activation },
  weights: [{ name: 'kernel', shape: [inp, units], data: rnd(inp * units) }, { name: 'bias', shape: [units], data: rnd(units, 0.1) }],
});
const layers = [dense('dense', 4, 3, 'tanh'), dense('dense_1', 3, 2, 'linear')];
const trainable = [['dense/kernel', [4, 3]], ['dense/bias', [3]], ['dense_1/kernel', [3, 2]], ['dense_1/bias', [2]]] as const;
const slot = (prefix: string, kind: string, i: number, positive = false): OptimizerSlotSpec =>
  ({ name: `${prefix}/${kind}/${trainable[i]![0]}`, shape: trainable[i]![1], data: rnd(size(trainable[i]![1]), 0.05, positive ? 0.06 : 0) });
/** Slots in tf_keras's order: the kinds of one group per variable, group after group. */
const slotsFor = (prefix: string, groups: ReadonlyArray<readonly string[]>, positive: readonly string[] = []) =>
  groups.flatMap((g) => trainable.flatMap((_, i) => g.map((k) => slot(prefix, k, i, positive.includes(k)))));
const base = { weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false, ema_momentum: 0.99, ema_overwrite_frequency: null, jit_compile: false, is_legacy_optimizer: false };
const MSE = { loss: { class_name: 'MeanSquaredError', config: { reduction: 'auto', name: 'mean_squared_error' } } };

const optimizers: Record<string, OptimizerSpec> = {
  adam: { class_name: 'Adam', config: { ...base, name: 'Adam', learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false }, iterations: 7, slots: slotsFor('Adam', [['m', 'v']], ['v']) },
  adam_amsgrad: { class_name: 'Adam', config: { ...base, name: 'Adam', learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: true }, iterations: 3, slots: slotsFor('Adam', [['m', 'v'], ['vhat']], ['v', 'vhat']) },
  sgd_momentum: { class_name: 'SGD', config: { ...base, name: 'SGD', learning_rate: 0.05, momentum: 0.9, nesterov: false }, iterations: 12, slots: slotsFor('SGD', [['m']]) },
  rmsprop_centered: { class_name: 'RMSprop', config: { ...base, name: 'RMSprop', learning_rate: 0.01, rho: 0.9, momentum: 0.5, epsilon: 1e-7, centered: true }, iterations: 5, slots: slotsFor('RMSprop', [['velocity'], ['momentum'], ['average_gradient']], ['velocity']) },
  adagrad: { class_name: 'Adagrad', config: { ...base, name: 'Adagrad', learning_rate: 0.1, initial_accumulator_value: 0.1, epsilon: 1e-7 }, iterations: 4, slots: slotsFor('Adagrad', [['accumulator']], ['accumulator']) },
  adamw: { class_name: 'AdamW', config: { ...base, name: 'AdamW', weight_decay: 0.004, learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false }, iterations: 9, slots: slotsFor('AdamW', [['m', 'v']], ['v']) },
  adamax: { class_name: 'Adamax', config: { ...base, name: 'Adamax', learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 }, iterations: 6, slots: slotsFor('Adamax', [['m', 'u']], ['u']) },
  adadelta: { class_name: 'Adadelta', config: { ...base, name: 'Adadelta', learning_rate: 1.0, rho: 0.95, epsilon: 1e-7 }, iterations: 2, slots: slotsFor('Adadelta', [['accumulated_grad', 'accumulated_delta_var']], ['accumulated_grad', 'accumulated_delta_var']) },
  ftrl: {
    class_name: 'Ftrl', iterations: 8, slots: slotsFor('Ftrl', [['accumulator', 'linear']], ['accumulator']),
    config: { ...base, name: 'Ftrl', learning_rate: 0.1, learning_rate_power: -0.5, initial_accumulator_value: 0.1, l1_regularization_strength: 0, l2_regularization_strength: 0, l2_shrinkage_regularization_strength: 0, beta: 0 },
  },
  nadam: { class_name: 'Nadam', config: { ...base, name: 'Nadam', learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 }, iterations: 5, slots: slotsFor('Nadam', [['m', 'v']], ['v']) },
  // tf_keras registers Lion only under its serialized name 'Custom>Lion' (what its own files say)
  lion: { class_name: 'Custom>Lion', config: { ...base, name: 'Lion', learning_rate: 0.001, beta_1: 0.9, beta_2: 0.99 }, iterations: 4, slots: slotsFor('Lion', [['m']]) },
};
const spec = (optimizer: OptimizerSpec): ModelSpec => ({ inputShape: [4], layers, trainingConfig: MSE, optimizer });

const root = mkdtempSync(join(tmpdir(), 'sm-optimizer-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

test('variables/ holds optimizer/_iterations (int64), _learning_rate and _variables/N at the values given, in the given order', async () => {
  const dir = join(root, 'structure');
  await writeSavedModelDir(dir, spec(optimizers['adam']!));
  const info = await readSavedModelDir(dir);
  const reader = await info.variables();
  try {
    const it = await reader.readTensor('optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE');
    assert.equal(it.dtype, 'int64');
    assert.deepEqual(it.shape, []);
    assert.equal((it.data as BigInt64Array)[0], 7n);
    const lr = await reader.readTensor('optimizer/_learning_rate/.ATTRIBUTES/VARIABLE_VALUE');
    assert.equal((lr.data as Float32Array)[0], Math.fround(0.01));
    const slots = optimizers['adam']!.slots!;
    for (const [i, s] of slots.entries()) {
      const t = await reader.readTensor(`optimizer/_variables/${i + 1}/.ATTRIBUTES/VARIABLE_VALUE`);
      assert.deepEqual(t.shape, s.shape, s.name);
      assert.deepEqual(t.data, s.data, s.name);
    }
    assert.equal(reader.has(`optimizer/_variables/${slots.length + 1}/.ATTRIBUTES/VARIABLE_VALUE`), false);
    assert.ok(reader.has('layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE'));
  } finally {
    await reader.close();
  }
});

test('the object graph has the optimizer node tf_keras 2.21 writes: experimentalOptimizer (v2) with its lists and variables', async () => {
  const tfKeras = await readSavedModelDir(join(repoRoot(), 'fixtures/tutorial-tf-keras/saved_model/my_model'));
  const ours = buildSavedModel({ ...spec(optimizers['adam']!), layers: [dense('dense', 4, 3, 'relu'), { class_name: 'Dropout', config: { name: 'dropout', rate: 0.2 } }, dense('dense_1', 3, 2, 'linear')] }).savedModel;
  const describe = (graph: { nodes?: Array<{ children?: Array<{ local_name?: string | null; node_id?: number | null }> | null; user_object?: { identifier?: string | null; version?: { producer?: number | null } | null } | null; variable?: { dtype?: number | null; trainable?: boolean | null; name?: string | null } | null }> | null }) => {
    const nodes = graph.nodes!;
    const node = (id: number) => nodes[id]!;
    const child = (id: number, name: string) => node(id).children!.find((c) => c.local_name === name)!.node_id!;
    const opt = child(0, 'optimizer');
    const list = (name: string) => node(child(opt, name)).children!.map((c) => node(c.node_id!).variable?.name);
    return {
      identifier: node(opt).user_object!.identifier, producer: node(opt).user_object!.version!.producer,
      // tf_keras adds `_update_step_xla`, a function without concrete functions that nothing restores.
      children: node(opt).children!.map((c) => c.local_name).filter((n) => n !== '_update_step_xla'),
      variables: list('_variables'), momentums: list('_momentums'), velocities: list('_velocities'),
      iteration: ((v) => ({ dtype: v?.dtype, name: v?.name, trainable: v?.trainable === true }))(node(child(opt, '_iterations')).variable), index: node(child(opt, '_index_dict')).user_object!.identifier,
    };
  };
  const theirs = describe(tfKeras.proto.meta_graphs[0]!.object_graph_def!);
  const mine = describe(ours.meta_graphs![0]!.object_graph_def as Parameters<typeof describe>[0]);
  assert.deepEqual(mine, {
    ...theirs,
    variables: ['iteration', ...trainable.flatMap(([p]) => [`Adam/m/${p}`, `Adam/v/${p}`])],
    momentums: trainable.map(([p]) => `Adam/m/${p}`), velocities: trainable.map(([p]) => `Adam/v/${p}`),
  });
  assert.equal(theirs.variables.length, 9);
  assert.deepEqual(mine.iteration, { dtype: 9, name: 'iteration', trainable: false });
});

test('tf.saved_model.load, the TF1 Session loader and saved_model_cli read it; tf_keras load_model + load_weights restores it and fit continues from it', { timeout: 600_000 }, async (t) => {
  const x = rnd(8 * 4, 1), y = rnd(8 * 2, 1);
  const cases = [];
  for (const [name, opt] of Object.entries(optimizers)) {
    const dir = join(root, name);
    await writeSavedModelDir(dir, spec(opt));
    cases.push({ name, dir, iterations: opt.iterations, slots: opt.slots!.map((s) => [Array.from(s.data), s.shape]), x: Array.from(x), y: Array.from(y), batch: 8 });
  }
  writeFileSync(join(root, 'cases.json'), JSON.stringify({ cases }));
  const r = runPythonScript(join(repoRoot(), 'packages/saved-model/test/python/check_optimizer.py'), [join(root, 'cases.json')]);
  assert.ok(r.ok, r.stderr.slice(-3000));
  const results = JSON.parse(r.stdout.trim().split('\n').pop()!) as Array<Record<string, unknown>>;
  assert.equal(results[0]!['saved_model_cli_ok'], true);
  for (const [name, opt] of Object.entries(optimizers)) {
    const res = results.find((c) => c['name'] === name)!;
    assert.equal(res['error'], undefined, `${name}: ${String(res['error'])}`);
    assert.equal(res['tf_load_optimizer_class'], 'RestoredOptimizer', name);
    assert.equal(res['tf_load_iterations'], opt.iterations, name);
    assert.equal(res['tf1_iterations'], opt.iterations, name);
    assert.equal(res['serving_matches_predict'], true, name);
    assert.equal(res['optimizer_class'], opt.class_name.replace(/^Custom>/, ''), name);
    // As for tf_keras's own SavedModels: load_model compiles a fresh optimizer from training_config.
    assert.equal(res['iterations_after_load_model'], 0, name);
    assert.equal(res['iterations'], opt.iterations, name);
    assert.equal(res['learning_rate'], Math.fround(opt.config!['learning_rate'] as number), name);
    assert.equal(res['slot_count'], opt.slots!.length, name);
    assert.equal(res['slots_equal'], true, `${name}: ${JSON.stringify(res['slot_names'])}`);
    assert.equal(res['iterations_after_fit'], (opt.iterations as number) + 1, name);
    assert.ok((res['fit_vs_reference'] as number) <= 1e-6, `${name}: |restored fit - reference| = ${String(res['fit_vs_reference'])}`);
    assert.ok((res['fresh_vs_reference'] as number) > 1e-4, `${name}: a fresh optimizer lands ${String(res['fresh_vs_reference'])} from the reference`);
    t.diagnostic(`${name}: restored fit vs reference ${String(res['fit_vs_reference'])}, fresh optimizer vs reference ${String(res['fresh_vs_reference'])}`);
  }
});

test('slots out of tf_keras order, of an unknown variable or shape, unknown optimizers and constants-only graphs are refused', () => {
  const adam = optimizers['adam']!;
  const refused = (o: Partial<OptimizerSpec>, re: RegExp, extra: Partial<ModelSpec> = {}) =>
    assert.throws(() => buildSavedModel({ ...spec({ ...adam, ...o }), ...extra }), (e: unknown) => isFormatError(e) && e.kind === 'unsupported' && re.test(e.message), String(re));
  const s = adam.slots!;
  refused({ slots: [s[1]!, s[0]!, ...s.slice(2)] }, /slot 1 is 'Adam\/v\/dense\/kernel', tf_keras's order has m\/dense\/kernel/);
  refused({ slots: s.slice(1) }, /7 slots for 4 trainable variables/);
  refused({ slots: [{ ...s[0]!, name: 'Adam/m/dense_9/kernel' }, ...s.slice(1)] }, /does not name a slot/);
  refused({ slots: [{ ...s[0]!, shape: [3, 4] }, ...s.slice(1)] }, /has shape \[3, 4\]/);
  refused({ class_name: 'Adafactor' }, /optimizer Adafactor: no tf_keras checkpoint layout/);
  refused({}, /weightStorage 'variables'/, { weightStorage: 'constants' });
});

test('an optimizer that has not stepped yet saves only its iteration and learning rate; tf_keras-style names without the class prefix are accepted', async () => {
  const bare = buildSavedModel(spec({ class_name: 'SGD', config: { learning_rate: 0.5 }, iterations: 0 }));
  const names = (bare.savedModel.meta_graphs![0]!.object_graph_def!.nodes ?? []).map((n) => n.variable?.name).filter((n) => n !== undefined && n !== null);
  assert.deepEqual(names.slice(-2), ['iteration', 'learning_rate']);
  const unprefixed = optimizers['sgd_momentum']!.slots!.map((s) => ({ ...s, name: s.name.replace(/^SGD\//, '') }));
  const built = buildSavedModel(spec({ ...optimizers['sgd_momentum']!, slots: unprefixed }));
  const varNames = (built.savedModel.meta_graphs![0]!.object_graph_def!.nodes ?? []).map((n) => n.variable?.name);
  assert.ok(varNames.includes('m/dense/kernel'));
});
