/**
 * `loadModel(dir)` for SavedModel directories: the tf_keras tutorial SavedModel
 * (architecture from keras_metadata.pb, weights and Adam state from variables/)
 * predicts and evaluates as tf_keras recorded; our own `saveModel(dir)` output
 * reloads with identical predictions and compile config; a SavedModel without
 * Keras metadata is refused with a FormatError. (tf_keras loading ours runs in persist.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFormatError } from '@tfsave/core';
import { repoRoot } from '@tfsave/core/node';
import {
  Adam, clearSession, Dense, Dropout, sequential, setRandomSeed, SparseCategoricalCrossentropy, sparseCategoricalAccuracy, tf,
} from '../src/index.js';
import { loadModel, saveModel } from '../src/node/index.js';
import { backendReady, fixture, maxAbsDiff, mnistTensors } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'runtime-savedmodel-'));
const flat = (t: tf.Tensor | tf.Tensor[]): Float32Array => (Array.isArray(t) ? t[0]! : t).dataSync() as Float32Array;

const tut = fixture('tutorial-tf-keras/saved_model/my_model');
test('loadModel(tf_keras SavedModel) predicts the recorded outputs within 1e-5 and evaluates to the recorded test accuracy', async () => {
  await backendReady;
  const outs = JSON.parse(readFileSync(fixture('tutorial-tf-keras/outputs.json')!, 'utf8')) as {
    models: Record<string, { data: number[]; test_accuracy: number }>;
  };
  const rec = outs.models['saved_model/my_model']!;
  const m = await loadModel(tut!);
  assert.equal(m.className, 'Sequential');
  assert.deepEqual(m.layers.map((l) => l.name), ['dense_input', 'dense', 'dropout', 'dense_1']);
  const { x } = mnistTensors(1000, 8);
  const d = maxAbsDiff(flat(m.predict(x)), rec.data);
  assert.ok(d < 1e-5, `max |runtime - tf_keras| = ${d}`);
  const test1000 = mnistTensors(1000, 1000);
  const logs = m.evaluate(test1000.x, test1000.y) as Record<string, number>;
  assert.equal(logs['sparse_categorical_accuracy'], rec.test_accuracy);
});

test('loadModel(tf_keras SavedModel) compiles from training_config and restores the Adam state (10 epochs × 16 steps)', async () => {
  await backendReady;
  const m = await loadModel(tut!);
  const opt = m.compiled!.optimizer;
  assert.equal(opt.className, 'Adam');
  assert.equal(opt.iterations, 160);
  assert.deepEqual(opt.variables().map((v) => v.name).slice(0, 2), ['Adam/m/dense/kernel', 'Adam/v/dense/kernel']);
  assert.ok(opt.variables().every((v) => v.variable.shape.length > 0));
  assert.equal(m.compiled!.losses[0]!.className, 'SparseCategoricalCrossentropy');
  assert.deepEqual(m.compiled!.metrics.map((x) => x.name), ['sparse_categorical_accuracy']);
  // Training continues from the restored state.
  const { x, y } = mnistTensors(0, 64);
  await m.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0, shuffle: false });
  assert.equal(opt.iterations, 162);
});

test('saveModel(dir) then loadModel(dir) gives identical predictions and the same compile config', async () => {
  await backendReady;
  clearSession();
  setRandomSeed(3);
  const m = sequential([new Dense({ units: 32, activation: 'relu', inputShape: [784] }), new Dropout({ rate: 0.2 }), new Dense({ units: 10 })]);
  m.compile({ optimizer: new Adam({ learningRate: 0.002 }), loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: [sparseCategoricalAccuracy()] });
  const { x, y } = mnistTensors(0, 64);
  await m.fit(x, y, { epochs: 1, batchSize: 32, verbose: 0 });
  const path = join(dir, 'ours');
  await saveModel(m, path);
  const again = await loadModel(path);
  const probe = mnistTensors(1000, 16).x;
  assert.deepEqual(flat(again.predict(probe)), flat(m.predict(probe)));
  assert.deepEqual(again.toConfig(), m.toConfig());
  assert.equal(again.compiled!.optimizer.className, 'Adam');
  assert.equal(again.compiled!.optimizer.learningRate, m.compiled!.optimizer.learningRate);
  assert.deepEqual(again.compiled!.metrics.map((v) => v.name), ['sparse_categorical_accuracy']);
});

test('a SavedModel without keras_metadata.pb is refused with a saved-model FormatError (unsupported)', async () => {
  await backendReady;
  clearSession();
  const m = sequential([new Dense({ units: 4, inputShape: [3] })]);
  const path = join(dir, 'plain');
  await saveModel(m, path);
  const copy = join(dir, 'plain-copy');
  cpSync(path, copy, { recursive: true });
  rmSync(join(copy, 'keras_metadata.pb'));
  await assert.rejects(loadModel(copy), (e: unknown) => {
    assert.ok(isFormatError(e), String(e));
    assert.equal(e.format, 'saved-model');
    assert.equal(e.kind, 'unsupported');
    assert.equal(e.code, 'no-keras-metadata');
    assert.match(e.message, /keras_metadata\.pb/);
    return true;
  });
});

const k3export = fixture('keras3/export_savedmodel');
test('the Keras 3 model.export() SavedModel (no Keras metadata) is refused naming the directory', async () => {
  await backendReady;
  await assert.rejects(loadModel(k3export!), (e: unknown) => isFormatError(e) && e.code === 'no-keras-metadata' && e.message.endsWith(`in ${k3export}`));
});

const wild = join(repoRoot(), '..', 'shared', 'wild', 'b_savedmodel', 'house_rent_tf2.15');
test('a real-world tf.keras 2.15 SavedModel with an LSTM is refused by class name, not misread', async () => {
  await backendReady;
  await assert.rejects(loadModel(wild), /unknown layer class 'LSTM'/);
});
