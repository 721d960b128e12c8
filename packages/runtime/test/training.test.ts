/**
 * The Keras workflow end to end: the tutorial reaches ≥85% test accuracy in 10
 * epochs, and after saving in every format the reloaded model's accuracy is
 * identical; layer auto-naming; custom layers; multi-output training logs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Adam, Add, baseArgs, clearSession, Concatenate, Dense, Dropout, Flatten, input, Layer, model, registerLayer, sequential, setRandomSeed,
  SparseCategoricalCrossentropy, sparseCategoricalAccuracy, tf,
} from '../src/index.js';
import type { CallContext, LayerArgs, Model, Shape } from '../src/index.js';
import { loadModel, loadWeights, saveModel, saveWeights } from '../src/node/index.js';
import { backendReady, mnistTensors } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'runtime-training-'));

function createModel(): Model {
  const m = sequential([new Dense({ units: 512, activation: 'relu', inputShape: [784] }), new Dropout({ rate: 0.2 }), new Dense({ units: 10 })]);
  m.compile({ optimizer: 'adam', loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: [sparseCategoricalAccuracy()] });
  return m;
}

test('the tutorial trains to ≥85% test accuracy in 10 epochs; every saved format reloads with identical accuracy', async () => {
  await backendReady;
  clearSession();
  setRandomSeed(1234);
  const train = mnistTensors(0, 1000);
  const testSet = mnistTensors(1000, 1000);
  const m = createModel();
  const h = await m.fit(train.x, train.y, { epochs: 10, batchSize: 32, validationData: [testSet.x, testSet.y], verbose: 0 });
  const acc = m.evaluate(testSet.x, testSet.y)['sparse_categorical_accuracy']!;
  assert.ok(acc >= 0.85, `test accuracy ${acc}`);
  assert.equal(h.history['val_sparse_categorical_accuracy']![9], acc);
  for (const f of ['m.keras', 'm.h5', 'saved_model_dir']) {
    await saveModel(m, join(dir, f));
    const re = await loadModel(join(dir, f));
    assert.equal(re.evaluate(testSet.x, testSet.y)['sparse_categorical_accuracy'], acc, f);
  }
  for (const f of ['ckpt/cp.ckpt', 'w.h5', 'w.weights.h5']) {
    await saveWeights(m, join(dir, f));
    const re = createModel();
    await loadWeights(re, join(dir, f));
    assert.equal(re.evaluate(testSet.x, testSet.y)['sparse_categorical_accuracy'], acc, f);
  }
});

test('layers are auto-named as Keras names them, per session', () => {
  clearSession();
  const a = new Dense({ units: 1 });
  const b = new Dense({ units: 1 });
  const c = new Dense({ units: 1, name: 'dense_5' });
  const d = new Dense({ units: 1 });
  const f = new Flatten();
  assert.deepEqual([a.name, b.name, c.name, d.name, f.name], ['dense', 'dense_1', 'dense_5', 'dense_6', 'flatten']);
  clearSession();
  assert.equal(new Dense({ units: 1 }).name, 'dense');
  assert.equal(sequential().name, 'sequential');
});

interface ScaleArgs extends LayerArgs { init?: number }

/** A custom layer: multiplies by one learned scalar. */
class Scale extends Layer {
  readonly className = 'Scale';
  readonly init: number;
  scale: tf.Variable | undefined;
  constructor(args: ScaleArgs = {}) {
    super(args, 'scale');
    this.init = args.init ?? 1;
  }
  override build(s: Shape): void {
    this.scale = this.addWeight('scale', [], { class_name: 'Constant', config: { value: this.init } });
    super.build(s);
  }
  call(x: tf.Tensor, _ctx: CallContext): tf.Tensor {
    return tf.mul(x, this.scale!);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), init: this.init };
  }
  static fromConfig(c: Record<string, unknown>): Scale {
    return new Scale({ ...baseArgs(c), init: Number(c['init']) });
  }
}

test('a custom layer registered by name saves and loads (found by its registered name); unknown classes are refused', async () => {
  await backendReady;
  clearSession();
  const m = sequential([new Dense({ units: 4, inputShape: [3] }), new Scale({ init: 2.5 })]);
  m.compile({ optimizer: new Adam(), loss: 'mse' });
  const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  await m.fit(x, tf.zeros([2, 4]), { epochs: 2, verbose: 0 });
  const expected = (m.predict(x) as tf.Tensor).dataSync();
  await saveModel(m, join(dir, 'custom-unregistered.keras'));
  await assert.rejects(loadModel(join(dir, 'custom-unregistered.keras')), /unknown layer class 'Scale'/);
  const viaOption = await loadModel(join(dir, 'custom-unregistered.keras'), { customObjects: { Scale } });
  assert.deepEqual((viaOption.predict(x) as tf.Tensor).dataSync(), expected);
  registerLayer('MyLayers>Scale', Scale);
  clearSession();
  const m2 = sequential([new Dense({ units: 4, inputShape: [3] }), new Scale({ init: 0.5 })]);
  m2.compile({ optimizer: new Adam(), loss: 'mse' });
  const entry = (m2.toConfig()['config'] as { layers: Array<{ class_name: string; registered_name?: string }> }).layers[2]!;
  assert.equal(entry.class_name, 'MyLayers>Scale');
  assert.equal(entry.registered_name, 'MyLayers>Scale', 'Keras 3 finds custom classes by registered_name');
  await saveModel(m2, join(dir, 'custom.h5'));
  const re = await loadModel(join(dir, 'custom.h5'));
  assert.deepEqual((re.predict(x) as tf.Tensor).dataSync(), (m2.predict(x) as tf.Tensor).dataSync());
  assert.equal(re.layers[2]!.constructor, Scale);
});

test('a two-output Functional model trains with one loss per output and logs Keras names', async () => {
  await backendReady;
  clearSession();
  const inp = input({ shape: [784] });
  const h = new Dense({ units: 8, activation: 'relu' }).apply(inp);
  const digit = new Dense({ units: 10, name: 'digit' }).apply(h);
  const even = new Dense({ units: 1, activation: 'sigmoid', name: 'even' }).apply(h);
  const m = model({ inputs: inp, outputs: [digit, even] });
  m.compile({ optimizer: 'adam', loss: [new SparseCategoricalCrossentropy({ fromLogits: true }), 'binary_crossentropy'], metrics: ['accuracy'] });
  const { x, y } = mnistTensors(0, 64);
  const yEven = tf.reshape(tf.cast(tf.equal(tf.mod(y, 2), 0), 'float32'), [64, 1]);
  const hist = await m.fit(x, [y, yEven], { epochs: 1, batchSize: 32, verbose: 0 });
  assert.deepEqual(Object.keys(hist.history), ['loss', 'digit_loss', 'even_loss', 'digit_accuracy', 'even_accuracy']);
  const l = hist.history;
  assert.ok(Math.abs(l['loss']![0]! - (l['digit_loss']![0]! + l['even_loss']![0]!)) < 1e-5);
});

test('a two-input Functional model (Concatenate, Add) trains and its loss decreases', async () => {
  await backendReady;
  clearSession();
  setRandomSeed(3);
  const pixels = input({ shape: [784], name: 'pixels' });
  const parity = input({ shape: [1], name: 'parity' });
  const j = new Concatenate().applyMany([new Dense({ units: 16, activation: 'relu' }).apply(pixels), new Dense({ units: 4 }).apply(parity)]);
  const k = new Add().applyMany([new Dense({ units: 10 }).apply(j), new Dense({ units: 10 }).apply(j)]);
  const m = model({ inputs: [pixels, parity], outputs: k });
  m.compile({ optimizer: 'adam', loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: ['accuracy'] });
  const { x, y } = mnistTensors(0, 128);
  const p = tf.reshape(tf.cast(tf.mod(y, 2), 'float32'), [128, 1]);
  const h = await m.fit([x, p], y, { epochs: 4, batchSize: 32, verbose: 0 });
  const l = h.history['loss']!;
  assert.ok(l[3]! < l[0]!, `loss ${l.join(' → ')}`);
  assert.deepEqual(m.layers.map((x) => x.name).slice(0, 2), ['pixels', 'parity'], 'Keras order: inputs first (deepest)');
});
