import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySinkFactory } from '@tfsave/core';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { SUPPORTED_ACTIVATIONS, buildSavedModel, parseSavedModel, writeSavedModel, type LayerSpec, type ModelSpec } from '../src/index.js';
import { readSavedModelDir, writeSavedModelDir } from '../src/node/index.js';

let seed = 7;
const rnd = (n: number, scale = 0.5) => Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 2 * scale);
const w = (name: string, shape: number[], scale = 0.5) => ({ name, shape, data: rnd(shape.reduce((a, b) => a * b, 1), scale) });
// Glorot-uniform-sized kernels, as Keras initializes them.
const dense = (name: string, inp: number, units: number, activation: string): LayerSpec =>
  ({ class_name: 'Dense', config: { name, units, activation }, weights: [w('kernel', [inp, units], Math.sqrt(6 / (inp + units))), w('bias', [units], 0.1)] });
const bn = (name: string, ch: number): LayerSpec => ({
  class_name: 'BatchNormalization', config: { name, axis: -1, epsilon: 0.001 },
  weights: [w('gamma', [ch]), w('beta', [ch]), w('moving_mean', [ch]), { name: 'moving_variance', shape: [ch], data: rnd(ch, 0.4).map((v) => v + 0.5) }],
});

// What tf_keras records for the tutorial's compile(optimizer='adam', loss=SparseCategoricalCrossentropy(from_logits=True), metrics=['sparse_categorical_accuracy']).
const TUTORIAL_TRAINING = {
  loss: { class_name: 'SparseCategoricalCrossentropy', config: { reduction: 'auto', name: 'sparse_categorical_crossentropy', from_logits: true, ignore_class: null } },
  metrics: [[{ class_name: 'SparseCategoricalAccuracy', config: { name: 'sparse_categorical_accuracy', dtype: 'float32' } }]],
  weighted_metrics: null, loss_weights: null,
  optimizer_config: { class_name: 'Custom>Adam', config: { name: 'Adam', learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false, is_legacy_optimizer: false } },
};

const models: Record<string, ModelSpec> = {
  // The tutorial architecture: Dense(512, relu) -> Dropout -> Dense(10).
  tutorial_mlp: { inputShape: [784], inputName: 'dense_input', outputName: 'dense_1', trainingConfig: TUTORIAL_TRAINING, layers: [dense('dense', 784, 512, 'relu'), { class_name: 'Dropout', config: { name: 'dropout', rate: 0.2 } }, dense('dense_1', 512, 10, 'linear')] },
  activations: {
    inputShape: [6],
    layers: SUPPORTED_ACTIVATIONS.filter((a) => a !== 'log_softmax').map((a, i) => dense(`d_${a}`, 6, 6, a)).concat([
      { class_name: 'Activation', config: { name: 'act', activation: 'tanh' } }, dense('out', 6, 3, 'softmax')]),
  },
  cnn: {
    inputShape: [12, 12, 2],
    layers: [
      { class_name: 'Conv2D', config: { name: 'conv', filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu' }, weights: [w('kernel', [3, 3, 2, 4]), w('bias', [4])] },
      bn('bn', 4),
      { class_name: 'MaxPooling2D', config: { name: 'pool', pool_size: [2, 2], padding: 'valid' } },
      { class_name: 'Conv2D', config: { name: 'conv_1', filters: 3, kernel_size: [2, 2], strides: [2, 2], padding: 'valid', activation: 'linear', use_bias: false }, weights: [w('kernel', [2, 2, 4, 3])] },
      { class_name: 'AveragePooling2D', config: { name: 'avg', pool_size: [2, 2], strides: [1, 1], padding: 'same' } },
      { class_name: 'Flatten', config: { name: 'flatten' } },
      { class_name: 'Reshape', config: { name: 'reshape', target_shape: [3, -1] } },
      { class_name: 'Reshape', config: { name: 'reshape_1', target_shape: [27] } },
      dense('dense', 27, 5, 'softmax'),
    ],
  },
  // Integer and float64 inputs: the graph casts them to float32 first, as Keras layers do.
  int64_input: { inputShape: [5], inputDtype: 'int64', inputName: 'ids', layers: [dense('dense', 5, 4, 'relu'), dense('dense_1', 4, 2, 'linear')] },
  float64_input: { inputShape: [4], inputDtype: 'float64', layers: [dense('dense', 4, 3, 'tanh')] },
  sequence_pool: { inputShape: [5, 3], layers: [{ class_name: 'LayerNormalization', config: { name: 'ln', scale: false }, weights: [w('beta', [3])] }, { class_name: 'GlobalAveragePooling1D', config: { name: 'gap1d' } }, dense('dense', 3, 2, 'elu')] },
  int32_input_const: { inputShape: [3], inputDtype: 'int32', weightStorage: 'constants', layers: [dense('dense', 3, 2, 'sigmoid')] },
  // Token ids -> Embedding -> LayerNormalization -> GlobalAveragePooling1D -> Dense.
  embedding_int64: {
    inputShape: [6], inputDtype: 'int64', inputName: 'tokens',
    layers: [
      { class_name: 'Embedding', config: { name: 'embedding', input_dim: 20, output_dim: 4 }, weights: [w('embeddings', [20, 4])] },
      { class_name: 'LayerNormalization', config: { name: 'layer_normalization', axis: -1, epsilon: 0.001 }, weights: [w('gamma', [4]), w('beta', [4])] },
      { class_name: 'Dropout', config: { name: 'dropout', rate: 0.3 } },
      { class_name: 'GlobalMaxPooling1D', config: { name: 'gmp' } },
      dense('dense', 4, 3, 'softmax'),
    ],
  },
  embedding_int32_flatten: {
    inputShape: [3], inputDtype: 'int32',
    layers: [
      { class_name: 'Embedding', config: { name: 'emb', input_dim: 10, output_dim: 2 }, weights: [w('embeddings', [10, 2])] },
      { class_name: 'Flatten', config: { name: 'flatten' } },
      { class_name: 'LayerNormalization', config: { name: 'ln', center: false }, weights: [w('gamma', [6])] },
      dense('dense', 6, 2, 'linear'),
    ],
  },
  // The same tutorial model with weights folded into Const nodes (TF1-style graph, no variables/).
  tutorial_mlp_const: { inputShape: [784], weightStorage: 'constants', layers: [dense('dense', 784, 512, 'relu'), dense('dense_1', 512, 10, 'softmax')] },
  global_pool: {
    inputShape: [5, 5, 3],
    // A full Keras model_config (as tfjs `toJSON` or tf_keras `to_json` give it) is written as is.
    kerasConfig: {
      class_name: 'Sequential',
      config: {
        name: 'pooled_classifier',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, 5, 5, 3], dtype: 'float32', sparse: false, ragged: false, name: 'pool_input' } },
          { class_name: 'GlobalAveragePooling2D', config: { name: 'gap', data_format: 'channels_last', keepdims: false } },
          { class_name: 'Dense', config: { name: 'dense', units: 2, activation: 'sigmoid' } },
        ],
      },
    },
    layers: [{ class_name: 'GlobalAveragePooling2D', config: { name: 'gap' } }, dense('dense', 3, 2, 'sigmoid')],
  },
};

const TUTORIAL = join(repoRoot(), 'fixtures/tutorial-tf-keras/saved_model/my_model');

/** The tutorial model as tf_keras saved it: its model_config, training_config and trained weights, re-exported by us. */
async function tutorialFromFixture(): Promise<ModelSpec> {
  const m = await readSavedModelDir(TUTORIAL);
  const root = m.kerasMetadata!.find((n) => n.nodePath === 'root')!.metadata as { model_config: { config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> } }; training_config: unknown };
  const bundle = await m.variables();
  let k = 0;
  const layers: LayerSpec[] = [];
  for (const l of root.model_config.config.layers.slice(1)) {
    const weights = [];
    if (l.class_name === 'Dense') {
      for (const role of ['kernel', 'bias']) {
        const t = await bundle.readTensor(`layer_with_weights-${k}/${role}/.ATTRIBUTES/VARIABLE_VALUE`);
        weights.push({ name: role, shape: t.shape, data: t.data as Float32Array });
      }
      k++;
    }
    layers.push({ class_name: l.class_name, config: l.config, weights });
  }
  await bundle.close();
  return { inputShape: [784], inputName: 'dense_input', outputName: 'dense_1', layers, kerasConfig: root.model_config, trainingConfig: root.training_config };
}

test('the writer builds a graph TF loads, runs and lists (tf.saved_model.load, TF1 Session, saved_model_cli, tf_keras load_model) within 1e-5 of tf_keras', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tfsave-sm-'));
  try {
    const cases: Array<{ name: string; dir: string; spec: ModelSpec; original?: string }> = Object.entries(models).map(([name, spec]) => {
      const dir = join(root, name);
      return { name, dir, spec };
    });
    // Real trained weights and tf_keras's own model_config/training_config, compared with tf_keras's SavedModel of them.
    cases.push({ name: 'tutorial_fixture', dir: join(root, 'tutorial_fixture'), spec: await tutorialFromFixture(), original: TUTORIAL });
    for (const c of cases) await writeSavedModelDir(c.dir, c.spec);
    {
      const json = cases.map(({ name, dir, spec }) => ({
        name, dir, input_shape: spec.inputShape, batch: 3,
        x: Array.from(rnd(3 * spec.inputShape.reduce((a, b) => a * b, 1), 1)).map((v) => (spec.inputDtype?.startsWith('int') ? Math.abs(Math.round(v * 5)) : v)),
        input_dtype: spec.inputDtype ?? null,
        keras: spec.weightStorage !== 'constants',
        training_config: spec.trainingConfig ?? null, y: [3, 7, 1], original: cases.find((c) => c.name === name)?.original ?? null,
        evaluate_mnist: name === 'tutorial_fixture',
        layers: spec.layers.map((l) => ({ class_name: l.class_name, config: l.config, weights: (l.weights ?? []).map((x) => [Array.from(x.data), x.shape]) })),
      }));
      writeFileSync(join(root, 'cases.json'), JSON.stringify({ cases: json }));
      const r = runPythonScript(join(repoRoot(), 'packages/saved-model/test/python/check_export.py'), [join(root, 'cases.json')]);
      assert.ok(r.ok, r.stderr);
      const results = JSON.parse(r.stdout.trim().split('\n').pop()!) as Array<Record<string, unknown>>;
      for (const c of cases) {
        const res = results.find((x) => x['name'] === c.name)!;
        assert.equal(res['error'], undefined, `${c.name}: ${String(res['error'])}`);
        assert.equal(res['shape_ok'], true, c.name);
        // float32 sums in a different order (oneDNN): 1e-5 relative to the output magnitude.
        const tol = 1e-5 * Math.max(1, res['max_abs_ref'] as number);
        assert.ok((res['max_abs_diff'] as number) <= tol, `${c.name}: max |diff| ${String(res['max_abs_diff'])} > ${tol}`);
        assert.deepEqual(res['output_keys'], [c.spec.outputName ?? 'output_0']);
        assert.equal(res['input_dtype'], c.spec.inputDtype ?? 'float32', c.name);
        assert.ok((res['tf1_max_abs_diff'] as number) <= tol, `${c.name}: TF1 Session max |diff| ${String(res['tf1_max_abs_diff'])}`);
        // Variables mode: every weight is a trackable variable of the loaded object, named as Keras names it.
        const weights = c.spec.layers.flatMap((l) => (l.weights ?? []).map((x) => `${String(l.config['name'])}/${x.name}:0`));
        assert.deepEqual(res['variables'], c.spec.weightStorage === 'constants' ? [] : [...weights].sort(), c.name);
        if (c.spec.weightStorage === 'constants') continue;
        const bundle = await (await readSavedModelDir(c.dir)).variables();
        const written = bundle.entries().map((e) => e.name).sort();
        await bundle.close();
        assert.deepEqual(res['tf1_saved_keys'], written, `${c.name}: keys saved through the SaverDef`);
        // tf_keras load_model rebuilds the Sequential model from keras_metadata.pb with our weights.
        assert.equal(res['keras_class'], 'Sequential', c.name);
        assert.equal(res['keras_name'], (c.spec.kerasConfig as { config?: { name?: string } } | undefined)?.config?.name ?? 'sequential', c.name);
        assert.deepEqual(res['keras_layers'], c.spec.layers.map((l) => l.class_name), c.name);
        assert.ok((res['keras_max_abs_diff'] as number) <= tol, `${c.name}: keras predict max |diff| ${String(res['keras_max_abs_diff'])}`);
        if (c.spec.trainingConfig === undefined) {
          assert.equal(res['keras_optimizer'], null, c.name);
        } else {
          assert.equal(res['keras_optimizer'], 'Adam', c.name);
          const ev = res['evaluate'] as { ours: Record<string, number>; ref: Record<string, number> };
          assert.deepEqual(Object.keys(ev.ours).sort(), ['loss', 'sparse_categorical_accuracy']);
          if (c.original !== undefined) assert.ok((res['original_max_abs_diff'] as number) <= tol, `${c.name}: vs tf_keras's own SavedModel ${String(res['original_max_abs_diff'])}`);
          if (c.original !== undefined) {
            // tf_keras evaluate on the tutorial's 1000 test examples: our re-export scores what tf_keras's own SavedModel scores.
            const m = res['mnist_test'] as { ours: Record<string, number>; ref: Record<string, number>; count: number };
            assert.equal(m.count, 1000);
            assert.ok(m.ref['sparse_categorical_accuracy']! > 0.5, `the tutorial model is trained (${m.ref['sparse_categorical_accuracy']})`);
            assert.equal(m.ours['sparse_categorical_accuracy'], m.ref['sparse_categorical_accuracy']);
            assert.ok(Math.abs(m.ours['loss']! - m.ref['loss']!) <= 1e-5 * Math.max(1, m.ref['loss']!), `test loss ${m.ours['loss']} vs ${m.ref['loss']}`);
          }
          for (const k of Object.keys(ev.ref)) assert.ok(Math.abs(ev.ours[k]! - ev.ref[k]!) <= 1e-5 * Math.max(1, Math.abs(ev.ref[k]!)), `${c.name}: evaluate ${k} ${ev.ours[k]} vs ${ev.ref[k]}`);
        }
      }
      const cli = results.find((x) => x['name'] === '__saved_model_cli__')!;
      assert.equal(cli['returncode'], 0, String(cli['stderr']));
      const out = String(cli['stdout']);
      assert.match(out, /signature_def\['serving_default'\]/);
      assert.match(out, /inputs\['dense_input'\] tensor_info:\s+dtype: DT_FLOAT\s+shape: \(-1, 784\)/);
      assert.match(out, /outputs\['dense_1'\] tensor_info:\s+dtype: DT_FLOAT\s+shape: \(-1, 10\)/);
      assert.match(out, /Method name is: tensorflow\/serving\/predict/);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('our reader reads what our writer wrote', async () => {
  const sinks = new MemorySinkFactory();
  await writeSavedModel(models['cnn']!, sinks);
  const m = parseSavedModel(sinks.files.get('saved_model.pb')!);
  assert.deepEqual(m.metaGraphs[0]!.signatures.map((s) => s.key).sort(), ['__saved_model_init_op', 'serving_default']);
  const sig = m.metaGraphs[0]!.signatures.find((s) => s.key === 'serving_default')!;
  assert.deepEqual(sig.inputs['inputs']?.shape, [-1, 12, 12, 2]);
  assert.deepEqual(sig.outputs['output_0']?.shape, [-1, 5]);
  assert.ok(m.metaGraphs[0]!.ops.includes('Conv2D'));
  assert.ok(sinks.files.has('variables/variables.index') && sinks.files.has('variables/variables.data-00000-of-00001'));
});

test('variables/ uses tf_keras checkpoint keys: every key we write is a key of the tutorial SavedModel', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfsave-sm-keys-'));
  try {
    await writeSavedModelDir(dir, models['tutorial_mlp']!);
    const ours = await readSavedModelDir(dir);
    const theirs = await readSavedModelDir(join(repoRoot(), 'fixtures/tutorial-tf-keras/saved_model/my_model'));
    const keys = async (m: typeof ours) => {
      const b = await m.variables();
      const names = b.entries().map((e) => e.name);
      await b.close();
      return names;
    };
    const ourKeys = await keys(ours);
    const theirKeys = new Set(await keys(theirs));
    assert.deepEqual(ourKeys.filter((k) => !theirKeys.has(k)), []);
    assert.ok(ourKeys.includes('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE'));
    assert.ok(ours.kerasMetadata !== undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a layer the writer cannot express is a FormatError naming it, and no file is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfsave-sm-bad-'));
  try {
    const spec: ModelSpec = { inputShape: [4], layers: [dense('dense', 4, 4, 'relu'), { class_name: 'LSTM', config: { name: 'my_lstm' } }] };
    await assert.rejects(writeSavedModelDir(join(dir, 'out'), spec), (e: Error) => e.name === 'FormatError' && /layer my_lstm/.test(e.message));
    assert.throws(() => buildSavedModel({ inputShape: [4], layers: [dense('d', 4, 4, 'hard_swish')] }), /layer d: activation 'hard_swish'/);
    assert.throws(() => buildSavedModel({ inputShape: [3, 4], layers: [dense('d3', 4, 4, 'relu')] }), /layer d3: Dense on inputs of rank 3/);
    assert.equal(existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')).length : 0, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
