import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { isFormatError, tensorSha256, utf8Encode } from '@tfsave/core';
import { loadKerasModelFile, loadShardedWeightsFile } from '../src/node/index.js';
import {
  CustomObjectRegistry, TYPED_LAYERS, isJsonObject, isKerasObject, listKerasDatasets, loadKerasModel, modelLayers, parseShardIndex,
  readWeightsH5, saveKerasModel, typedLayer, h5Ready, parseHdf5, summarizeModel,
} from '../src/index.js';
import type { JsonObject, KerasObjectJson, KerasModelDesc } from '../src/index.js';

const root = repoRoot();
const fixtures = join(root, 'fixtures');
const bytesOf = (d: ArrayBufferView) => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

test('every runtime layer class has a typed config, checked against real configs; others stay raw', async () => {
  const seen = new Set<string>();
  for (const f of ['custom/tfk_cnn.h5', 'custom/k3_cnn.keras', 'tutorial-tf-keras/my_model.h5', 'custom/k3_two_inputs.keras']) {
    const cfg = (await loadKerasModelFile(join(fixtures, f))).model.modelConfig as KerasObjectJson;
    for (const l of modelLayers(cfg)) {
      const t = typedLayer(l);
      if ((TYPED_LAYERS as readonly string[]).includes(l.class_name)) { assert.ok(t !== undefined, `${f}: ${l.class_name}`); seen.add(l.class_name); } else assert.equal(t, undefined);
    }
  }
  assert.deepEqual([...seen].sort(), ['BatchNormalization', 'Conv2D', 'Dense', 'Dropout', 'Flatten', 'InputLayer', 'MaxPooling2D', 'Reshape']);
  const d = typedLayer({ class_name: 'Dense', config: { name: 'd', units: 3, activation: 'relu', use_bias: true } });
  assert.equal(d?.class_name === 'Dense' ? d.config.units : -1, 3);
  assert.equal(typedLayer({ class_name: 'Dense', config: { name: 'd', units: '3' } }), undefined);
  const extra: [string, JsonObject][] = [['Embedding', { name: 'e', input_dim: 10, output_dim: 4 }], ['LayerNormalization', { name: 'n', axis: -1, epsilon: 1e-3, center: true, scale: true }],
    ['AveragePooling2D', { name: 'p', pool_size: [2, 2], strides: null, padding: 'valid' }], ['Activation', { name: 'a', activation: 'tanh' }]];
  for (const [cls, config] of extra) {
    assert.ok(typedLayer({ class_name: cls, config: { ...config } }) !== undefined, cls);
  }
});

class ScaledDense {
  constructor(readonly name: string, readonly units: number, readonly initScale: number) {}
}

test('custom objects round-trip through the registry (getConfig/fromConfig) and a .keras file', async () => {
  const registry = new CustomObjectRegistry();
  const entry = registry.register<ScaledDense>('ScaledDense', {
    getConfig: (o) => ({ name: o.name, units: o.units, init_scale: o.initScale }),
    fromConfig: (c) => new ScaledDense(String(c['name']), Number(c['units']), Number(c['init_scale'])),
  }, 'tfsave');
  assert.equal(entry.key, 'tfsave>ScaledDense');
  const loaded = await loadKerasModelFile(join(fixtures, 'custom/k3_custom_layer.keras'), { registry });
  const raw = modelLayers(loaded.model.modelConfig as KerasObjectJson).find((l) => l['registered_name'] === 'tfsave>ScaledDense')!;
  const obj = registry.get(String(raw['registered_name']))!.fromConfig(raw.config) as ScaledDense;
  assert.deepEqual([obj.name, obj.units, obj.initScale], ['scaled', 16, 0.5]);
  const changed = new ScaledDense('scaled', 16, 0.25);
  const layers = modelLayers(loaded.model.modelConfig as KerasObjectJson).map((l) => (l === raw ? { ...l, config: { ...l.config, ...entry.getConfig(changed) } } : l));
  const desc: KerasModelDesc = { ...loaded.model, modelConfig: { ...loaded.model.modelConfig!, config: { ...(loaded.model.modelConfig!['config'] as JsonObject), layers } } };
  const again = await loadKerasModel(await saveKerasModel(desc, { format: 'keras' }), { registry });
  const back = modelLayers(again.model.modelConfig as KerasObjectJson).find((l) => l['registered_name'] === 'tfsave>ScaledDense')!;
  assert.deepEqual(registry.get('tfsave>ScaledDense')!.fromConfig(back.config), changed);
  assert.deepEqual(again.model.layers.map((l) => l.weights.map((w) => tensorSha256(bytesOf(w.data)))), loaded.model.layers.map((l) => l.weights.map((w) => tensorSha256(bytesOf(w.data)))));
  await assert.rejects(loadKerasModel(await saveKerasModel(desc, { format: 'keras' })), (e: unknown) => isFormatError(e) && /tfsave>ScaledDense/.test(e.message) && /CustomObjectRegistry/.test(e.message));
});

test('an unknown model keeps every config byte through read and write', async () => {
  const opts = { allowUnknownClasses: true };
  for (const f of ['custom/tfk_custom_layer.h5', 'custom/k3_custom_model.keras']) {
    const a = await loadKerasModelFile(join(fixtures, f), opts);
    const format = a.format;
    const written = await saveKerasModel(a.model, { format });
    const b = await loadKerasModel(written, opts);
    const listing = async (bytes: Uint8Array) => (await listKerasDatasets(bytes)).entries.map((e) => `${e.name} ${e.sha256}`).sort();
    assert.deepEqual(await listing(written), await listing(new Uint8Array(readFileSync(join(fixtures, f)))), `${f}: same datasets at the same paths`);
    assert.deepEqual(b.model.modelConfig, a.model.modelConfig, f);
    assert.deepEqual(b.model.trainingConfig, a.model.trainingConfig, f);
    assert.equal(summarizeModel(b.model).totalParams, summarizeModel(a.model).totalParams, f);
  }
});

test('sharded Keras 3 weights and nested sub-models written by Keras 3.15 read with identical tensors; nested ones write back identically', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keras-h5-sharded-'));
  const r = runPythonScript(join(root, 'packages/keras-h5/test/python/make_sharded.py'), [dir]);
  assert.equal(r.ok, true, r.stderr.slice(-2000));
  const want = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, Record<string, string[]>> & { shards: string[] };
  assert.ok(want.shards.length >= 2, 'Keras wrote more than one shard');
  const idx = parseShardIndex(readFileSync(join(dir, 'm.weights.json')));
  assert.deepEqual([...idx.shards].sort(), want.shards);
  const sharded = await loadShardedWeightsFile(join(dir, 'm.weights.json'));
  const digest = (m: KerasModelDesc) => Object.fromEntries(m.layers.filter((l) => l.weights.length > 0).map((l) => [l.name, l.weights.map((w) => tensorSha256(bytesOf(w.data)))]));
  assert.deepEqual(digest(sharded), want['m.weights.json']);

  await h5Ready();
  const config = JSON.parse(readFileSync(join(dir, 'nested.config.json'), 'utf8')) as unknown;
  assert.ok(isKerasObject(config));
  const bytes = new Uint8Array(readFileSync(join(dir, 'nested.weights.h5')));
  const nested = readWeightsH5(parseHdf5(bytes), config);
  assert.deepEqual(digest(nested), want['nested.weights.h5']);
  const written = await saveKerasModel(nested, { format: 'weights.h5', includeOptimizer: false });
  const listing = (b: Uint8Array) => listKerasDatasets(b).then((l) => l.entries.map((e) => `${e.name} ${e.sha256}`).sort());
  assert.deepEqual(await listing(written), await listing(bytes));
  assert.ok(isJsonObject(config['config']));
});

test('shard names that leave the directory are refused', () => {
  for (const bad of ['../x.weights.h5', '/etc/passwd', 'a/b.h5', 'C:x.h5', '..']) {
    assert.throws(() => parseShardIndex(utf8Encode(JSON.stringify({ weight_map: { '/layers/dense/vars': [bad] } }))), (e: unknown) => isFormatError(e) && e.kind === 'unsafe', bad);
  }
});

test('training configs convert between the tf_keras, Keras 3 legacy .h5 and .keras dialects', async () => {
  const { toCompileConfig, toKeras2TrainingConfig, toKeras3TrainingConfig, detectTrainingDialect } = await import('../src/index.js');
  const tfk = (await loadKerasModelFile(join(fixtures, 'tutorial-tf-keras/my_model.h5'))).model.trainingConfig!;
  const k3legacy = (await loadKerasModelFile(join(fixtures, 'keras3/legacy.h5'))).model.trainingConfig!;
  assert.equal(detectTrainingDialect(tfk), 'keras2');
  assert.equal(detectTrainingDialect(k3legacy), 'keras3');
  const cc = toCompileConfig(tfk);
  const loss = cc['loss'] as JsonObject;
  assert.deepEqual([loss['module'], (loss['config'] as JsonObject)['reduction'], 'fn' in (loss['config'] as JsonObject)], ['keras.losses', 'sum_over_batch_size', false]);
  const opt = cc['optimizer'] as JsonObject;
  assert.deepEqual([opt['class_name'], 'is_legacy_optimizer' in (opt['config'] as JsonObject)], ['Adam', false]);
  assert.deepEqual((cc['metrics'] as JsonObject[]).map((m) => m['class_name']), ['SparseCategoricalAccuracy']);
  const legacy3 = toKeras3TrainingConfig(tfk);
  assert.equal((legacy3['optimizer_config'] as JsonObject)['class_name'], 'Adam');
  assert.equal('module' in (legacy3['loss'] as JsonObject), false);
  const back2 = toKeras2TrainingConfig(cc);
  const oc = (back2['optimizer_config'] as JsonObject)['config'] as JsonObject;
  assert.deepEqual([oc['is_legacy_optimizer'], 'loss_scale_factor' in oc], [false, false]);
  assert.deepEqual(toKeras2TrainingConfig(tfk), tfk, 'a tf_keras config is kept as is');
});

test('optimizer state converts between tf_keras and Keras 3 order by inserting or dropping learning_rate', async () => {
  const { convertOptimizerState, detectOptimizerLayout } = await import('../src/index.js');
  const tfk = (await loadKerasModelFile(join(fixtures, 'tutorial-tf-keras/my_model.h5'))).model.optimizer!;
  const k3 = (await loadKerasModelFile(join(fixtures, 'keras3/m.keras'))).model.optimizer!;
  assert.equal(detectOptimizerLayout(tfk, '2.21.0'), 'tf_keras');
  assert.equal(detectOptimizerLayout(k3), 'keras3');
  assert.equal(k3.weights.length, tfk.weights.length + 1);
  const up = convertOptimizerState(tfk, 'tf_keras', 'keras3', 0.01);
  // m.keras is the same architecture with a 32-unit hidden layer: the same slots, in the same order
  const shapes = (ws: readonly { shape: readonly number[] }[]): string[] => ws.map((w) => w.shape.map((d) => (d === 512 || d === 32 ? 'H' : d)).join('x'));
  assert.deepEqual(shapes(up.weights), shapes(k3.weights));
  assert.deepEqual(up.weights.slice(0, 2).map((w) => [...w.shape]), [[], []], 'iterations, then learning_rate');
  assert.equal(up.weights[1]!.data[0], Math.fround(0.01));
  const down = convertOptimizerState(up, 'keras3', 'tf_keras');
  assert.deepEqual(down.weights.slice(1), tfk.weights.slice(1));
});

test('legacy weights are assigned by order or by name like Keras load_weights', async () => {
  const { assignWeights } = await import('../src/index.js');
  const model = (await loadKerasModelFile(join(fixtures, 'tutorial-tf-keras/my_model.h5'))).model;
  const file = (await loadKerasModelFile(join(fixtures, 'tutorial-tf-keras/w.h5'))).model;
  const byOrder = assignWeights(model, file).model;
  assert.deepEqual(byOrder.layers.map((l) => l.weights.map((w) => tensorSha256(bytesOf(w.data)))), file.layers.map((l) => l.weights.map((w) => tensorSha256(bytesOf(w.data)))));
  const renamed = { ...file, layers: file.layers.map((l) => (l.name === 'dense' ? { ...l, name: 'other' } : l)) };
  const byName = assignWeights(model, renamed, { byName: true }).model;
  assert.equal(byName.layers[0]!.weights[0]!.data, model.layers[0]!.weights[0]!.data, 'unmatched layer keeps its weights');
  assert.equal(byName.layers[2]!.weights[0]!.data, file.layers[2]!.weights[0]!.data);
  const wrong = { ...file, layers: file.layers.map((l) => (l.name === 'dense_1' ? { ...l, weights: l.weights.slice(0, 1) } : l)) };
  assert.throws(() => assignWeights(model, wrong, { byName: true }), (e: unknown) => isFormatError(e) && /dense_1 expects 2 weights, the file has 1/.test(e.message));
  assert.deepEqual(assignWeights(model, wrong, { byName: true, skipMismatch: true }).skipped, ['dense_1']);
  assert.throws(() => assignWeights(model, { layers: file.layers.slice(0, 1) }), (e: unknown) => isFormatError(e) && /2 layers with weights, the file 1/.test(e.message));
});

test('SGD without momentum: Keras 3 keeps no slots, so the unused tf_keras m slots are dropped on the way', async () => {
  const { convertOptimizerState } = await import('../src/index.js');
  const t = (name: string, shape: number[]) => ({ name, dtype: 'float32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const iteration = { name: 'iteration', dtype: 'int64' as const, shape: [], data: BigInt64Array.of(7n) };
  const weights = [iteration, t('SGD/m/dense/kernel', [2, 3]), t('SGD/m/dense/bias', [3])];
  const plain = { config: { class_name: 'SGD', config: { learning_rate: 0.01, momentum: 0 } }, weights };
  assert.deepEqual(convertOptimizerState(plain, 'tf_keras', 'keras3', 0.01).weights.map((w) => w.name), ['iteration', 'learning_rate']);
  const withMomentum = { config: { class_name: 'SGD', config: { learning_rate: 0.01, momentum: 0.9 } }, weights };
  assert.equal(convertOptimizerState(withMomentum, 'tf_keras', 'keras3', 0.01).weights.length, 4);
  const configElsewhere = { weights };
  assert.equal(convertOptimizerState(configElsewhere, 'tf_keras', 'keras3', 0.01, { class_name: 'SGD', config: {} }).weights.length, 2, 'config from the training config');
});
