import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { MemoryOpener } from '@tfsave/core';
import { formatShowAll, readSavedModel, toInspectJson } from '../src/index.js';
import { readSavedModelDir } from '../src/node/index.js';
import { tutorialDir, wild } from './corpus.js';

const b = (p: string) => join(wild, 'b_savedmodel', p);

test('tutorial SavedModel (tf_keras 2.21): tags, version, serving signature, keras metadata, fingerprint', async () => {
  const m = await readSavedModelDir(tutorialDir);
  const mg = m.metaGraphs[0]!;
  assert.deepEqual(mg.tags, ['serve']);
  assert.equal(mg.tensorflowVersion, '2.21.0');
  const sig = mg.signatures.find((s) => s.key === 'serving_default')!;
  assert.equal(sig.methodName, 'tensorflow/serving/predict');
  assert.deepEqual(sig.inputs['dense_input'], { name: 'serving_default_dense_input:0', encoding: 'dense', dtype: 'float32', dtypeEnum: 'DT_FLOAT', shape: [-1, 784] });
  assert.deepEqual(sig.outputs['dense_1']?.shape, [-1, 10]);
  assert.ok(mg.functions.some((f) => f.name.startsWith('__inference_')));
  assert.equal(m.kerasMetadata?.[0]?.identifier, '_tf_keras_sequential');
  assert.equal((m.kerasMetadata?.[0]?.metadata as { class_name: string }).class_name, 'Sequential');
  assert.match(m.fingerprint!.uuid, /^\d+$/);
  assert.ok(m.hasVariables);
  const vars = mg.objects!.filter((o) => o.variable).map((o) => o.variable!);
  assert.deepEqual(vars.slice(0, 2).map((v) => [v.checkpointKey, v.shape]), [
    ['layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE', [784, 512]],
    ['layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE', [512]],
  ]);
});

test('TF 1.x SavedModels: no object graph, a SaverDef and assets (TF 1.14); no variables/ at all (TF 1.2)', async () => {
  const m = await readSavedModelDir(b('tfserving/saved_model_half_plus_two_cpu/00000123'));
  const mg = m.metaGraphs[0]!;
  assert.equal(mg.tensorflowVersion, '1.14.0');
  assert.equal(mg.objects, undefined);
  assert.ok(mg.saver !== undefined);
  assert.deepEqual(m.assetFiles, ['assets/foo.txt']);
  assert.ok(mg.signatures.length >= 3, 'regress/classify/predict signatures');
  const bare = await readSavedModelDir(b('tfserving/matrix_half_plus_two/1'));
  assert.equal(bare.hasVariables, false);
  assert.equal(bare.metaGraphs[0]!.tensorflowVersion, '1.2.0-rc2');
});

test('int64 inputs, several signatures, assets.extra, two variable shards', async () => {
  const i64 = await readSavedModelDir(b('tfjs_node/int64_multiply'));
  const inputs = Object.values(i64.metaGraphs[0]!.signatures.find((s) => s.key === 'serving_default')!.inputs);
  assert.ok(inputs.every((t) => t.dtype === 'int64'));
  const multi = await readSavedModelDir(b('tfjs_node/module_with_multiple_signatures'));
  assert.ok(multi.metaGraphs[0]!.signatures.filter((s) => !s.key.startsWith('__')).length >= 2);
  const cfg = await readSavedModelDir(b('tfserving/saved_model_half_plus_two_cpu_with_saved_model_config/00000123'));
  assert.deepEqual(cfg.assetFiles, ['assets.extra/saved_model_config.pb']);
  const shards = await readSavedModelDir(b('rossman_2shards'));
  assert.ok(shards.hasVariables);
  assert.equal(shards.metaGraphs[0]!.tensorflowVersion, '2.2.0');
});

test('variables() opens variables/variables lazily through the configured opener, once', async () => {
  let calls = 0;
  const m = await readSavedModelDir<string>(tutorialDir, { openVariables: async (_o, prefix) => (calls++, prefix) });
  assert.equal(calls, 0);
  assert.equal(await m.variables(), 'variables/variables');
  await m.variables();
  assert.equal(calls, 1);
  const none = await readSavedModelDir(b('tfserving/matrix_half_plus_two/1'));
  await assert.rejects(none.variables(), { name: 'FormatError' });
});

test('by default variables() opens variables/ with @tfsave/tensor-bundle: keys match the object graph', async () => {
  const m = await readSavedModelDir(tutorialDir);
  const bundle = await m.variables();
  const keys = bundle.entries().map((e) => e.name);
  for (const o of m.metaGraphs[0]!.objects!) if (o.variable) assert.ok(keys.includes(o.variable.checkpointKey!), o.variable.checkpointKey);
  const kernel = await bundle.readTensor('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE');
  assert.deepEqual(kernel.shape, [784, 512]);
  await bundle.close();
  const shards = await readSavedModelDir(join(wild, 'b_savedmodel', 'rossman_2shards'));
  assert.ok((await shards.variables()).entries().length > 10);
});

test('show --all text and inspect JSON list the serving signature', async () => {
  const m = await readSavedModelDir(tutorialDir);
  const text = formatShowAll(m);
  assert.match(text, /MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:/);
  assert.match(text, /inputs\['dense_input'\] tensor_info:\n {8}dtype: DT_FLOAT\n {8}shape: \(-1, 784\)\n {8}name: serving_default_dense_input:0/);
  const json = toInspectJson(m, [{ name: 'x' }]);
  assert.equal(json.format, 'saved-model');
  assert.deepEqual(json.signatures['serving_default']?.inputs['dense_input'], { name: 'serving_default_dense_input:0', dtype: 'float32', shape: [-1, 784] });
  assert.deepEqual(json.entries, [{ name: 'x' }]);
});

test('a directory without saved_model.pb is a FormatError; pbtxt is unsupported', async () => {
  await assert.rejects(readSavedModel(new MemoryOpener(new Map())), { name: 'FormatError', kind: 'truncated' });
  await assert.rejects(readSavedModel(new MemoryOpener(new Map([['saved_model.pbtxt', new Uint8Array(1)]]))), { name: 'FormatError', kind: 'unsupported' });
});
