import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryOpener, MemorySinkFactory } from '@tfsave/core';
import { BundleReader, MemoryBundleSinkFactory } from '@tfsave/tensor-bundle';
import {
  SUPPORTED_ACTIVATIONS, buildSavedModel, decodeKerasMetadata, decodeSavedModel, encodeSavedModel, parseSavedModel, toFunctionBody,
  writeSavedModel, type LayerSpec, type ModelSpec,
} from '../src/index.js';

const dense = (name: string, inp: number, units: number, activation = 'relu'): LayerSpec => ({
  class_name: 'Dense', config: { name, units, activation },
  weights: [{ name: 'kernel', shape: [inp, units], data: new Float32Array(inp * units).fill(0.1) }, { name: 'bias', shape: [units], data: new Float32Array(units) }],
});
const bn = (name: string, ch: number): LayerSpec => ({
  class_name: 'BatchNormalization', config: { name },
  weights: ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((n) => ({ name: n, shape: [ch], data: new Float32Array(ch).fill(1) })),
});
const mlp: ModelSpec = { inputShape: [4], layers: [dense('dense', 4, 3), { class_name: 'Dropout', config: { name: 'dropout', rate: 0.5 } }, bn('bn', 3), dense('dense_1', 3, 2, 'softmax')] };

test('function bodies name node outputs by their OpDef output argument and leave arguments bare', () => {
  const body = toFunctionBody([
    { name: 'r', op: 'ReadVariableOp', input: ['readvariableop_resource'] },
    { name: 'm', op: 'MatMul', input: ['x', 'r:0'] },
    { name: 'a', op: 'Relu', input: ['m:0'] },
  ]);
  assert.deepEqual(body.map((n) => n.input), [['readvariableop_resource'], ['x', 'r:value:0'], ['m:product:0']]);
  assert.throws(() => toFunctionBody([{ name: 'q', op: 'Qr', input: [] }, { name: 'i', op: 'Identity', input: ['q:0'] }]), /no output argument name known for op Qr/);
});

test('the object graph is laid out as tf_keras lays out a Sequential model', () => {
  const mg = buildSavedModel(mlp).savedModel.meta_graphs![0]!;
  const nodes = mg.object_graph_def!.nodes!;
  const root = nodes[0]!;
  assert.equal(root.user_object?.identifier, '_tf_keras_sequential');
  assert.deepEqual(root.children!.map((c) => c.local_name), [
    'layer_with_weights-0', 'layer-0', 'layer-1', 'layer_with_weights-1', 'layer-2', 'layer_with_weights-2', 'layer-3',
    'variables', 'trainable_variables', 'non_trainable_variables', 'signatures',
  ]);
  const child = (n: typeof root, name: string) => nodes[root.children!.concat(n.children!).find((c) => c.local_name === name)!.node_id!]!;
  const bnNode = child(root, 'layer_with_weights-1');
  assert.deepEqual(bnNode.children!.map((c) => [c.local_name, nodes[c.node_id!]!.variable?.name, nodes[c.node_id!]!.variable?.trainable]), [
    ['moving_mean', 'bn/moving_mean', false], ['moving_variance', 'bn/moving_variance', false], ['gamma', 'bn/gamma', true], ['beta', 'bn/beta', true],
  ]);
  // The serving function captures exactly the variable nodes, in its resource-argument order.
  const fn = mg.graph_def!.library!.function!.find((f) => f.signature!.name === '__inference_signature_wrapper_1')!;
  const resources = fn.signature!.input_arg!.slice(1);
  const bound = mg.object_graph_def!.concrete_functions!['__inference_signature_wrapper_1']!.bound_inputs!;
  assert.equal(bound.length, resources.length);
  assert.deepEqual(bound.map((id) => nodes[id]!.variable?.name), ['dense/kernel', 'dense/bias', 'bn/moving_mean', 'bn/moving_variance', 'bn/gamma', 'bn/beta', 'dense_1/kernel', 'dense_1/bias']);
  assert.equal(mg.saver_def?.restore_op_name, 'StatefulPartitionedCall_2');
});

test('keras_metadata.pb names each layer node by its object graph id and path, with build_input_shape', async () => {
  const sinks = new MemoryBundleSinkFactory();
  await writeSavedModel({ ...mlp, trainingConfig: { loss: 'mse' } }, sinks);
  const meta = decodeKerasMetadata(sinks.files.get('keras_metadata.pb')!);
  const objects = decodeSavedModel(sinks.files.get('saved_model.pb')!).meta_graphs[0]!.object_graph_def!.nodes;
  assert.deepEqual(meta.nodes.map((n) => [n.node_path, n.identifier]), [
    ['root', '_tf_keras_sequential'], ['root.layer_with_weights-0', '_tf_keras_layer'], ['root.layer-1', '_tf_keras_layer'],
    ['root.layer_with_weights-1', '_tf_keras_layer'], ['root.layer_with_weights-2', '_tf_keras_layer'],
  ]);
  for (const n of meta.nodes.slice(1)) assert.equal(objects![n.node_id!]!.user_object?.identifier, '_tf_keras_layer');
  const root = JSON.parse(meta.nodes[0]!.metadata!) as Record<string, unknown>;
  assert.deepEqual(root['training_config'], { loss: 'mse', metrics: null, weighted_metrics: null, loss_weights: null });
  assert.deepEqual((JSON.parse(meta.nodes[4]!.metadata!) as Record<string, unknown>)['build_input_shape'], { class_name: 'TensorShape', items: [null, 3] });
  const bundle = await BundleReader.open(new MemoryOpener(sinks.files), 'variables/variables');
  assert.deepEqual(bundle.entries().map((e) => e.name).filter((k) => k.startsWith('layer_with_weights-1/')).sort(), [
    'layer_with_weights-1/beta/.ATTRIBUTES/VARIABLE_VALUE', 'layer_with_weights-1/gamma/.ATTRIBUTES/VARIABLE_VALUE',
    'layer_with_weights-1/moving_mean/.ATTRIBUTES/VARIABLE_VALUE', 'layer_with_weights-1/moving_variance/.ATTRIBUTES/VARIABLE_VALUE',
  ]);
});

test("weightStorage 'constants' writes saved_model.pb and fingerprint.pb only (fingerprint: false drops the latter)", async () => {
  const sinks = new MemorySinkFactory();
  await writeSavedModel({ ...mlp, weightStorage: 'constants' }, sinks);
  assert.deepEqual([...sinks.files.keys()].sort(), ['fingerprint.pb', 'saved_model.pb']);
  const bare = new MemorySinkFactory();
  await writeSavedModel({ ...mlp, weightStorage: 'constants', fingerprint: false }, bare);
  assert.deepEqual([...bare.files.keys()], ['saved_model.pb']);
});

test('any MLP the writer accepts decodes to its own signature, and decode → encode is the identity', () => {
  const acts = SUPPORTED_ACTIVATIONS;
  fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.constantFrom(...acts)), { minLength: 1, maxLength: 3 }), (inp, spec) => {
    let prev = inp;
    const layers = spec.map(([units, act], i) => {
      const l = dense(`d${i}`, prev, units, act);
      prev = units;
      return l;
    });
    const bytes = encodeSavedModel(buildSavedModel({ inputShape: [inp], layers }).savedModel);
    const m = parseSavedModel(bytes);
    const sig = m.metaGraphs[0]!.signatures.find((s) => s.key === 'serving_default')!;
    assert.deepEqual(sig.inputs['inputs']?.shape, [-1, inp]);
    assert.deepEqual(sig.outputs['output_0']?.shape, [-1, prev]);
    assert.deepEqual(encodeSavedModel(decodeSavedModel(bytes)), bytes);
  }), { numRuns: 40 });
});
