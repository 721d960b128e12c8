/**
 * `npm run bench:train` (`-- --quick` for 2 epochs): the tutorial workload (Dense 512 relu → Dropout 0.2 →
 * Dense 10, Adam, from-logits sparse cross-entropy, batch 32, validation on the 1000-example test split)
 * with @tfsave/runtime, with tfjs-layers `fit` on the same tfjs WASM backend, and with tf_keras `fit` in
 * Python, in one run. ms/step is the median time of a training batch after the first epoch. The last line
 * printed is one JSON object with every system's figures and the ratios.
 */
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import {
  Adam, Callback, Dense, Dropout, initBackend, sequential, setRandomSeed, SparseCategoricalCrossentropy, sparseCategoricalAccuracy, tf,
} from '@tfsave/runtime';
import { loadMnist } from '@tfsave/runtime/node';

/** Figures of one system. */
interface Figures {
  msPerStep: number;
  samplesPerSec: number;
  epochMs: number;
  evaluateMs: number;
  predictMs32: number;
  predictMs1000: number;
  testAccuracy: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2 : NaN;
};
const time = (f: () => void): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

class StepTimer extends Callback {
  readonly steps: number[] = [];
  readonly epochs: number[] = [];
  private t = 0;
  private e = 0;
  override async onEpochBegin(): Promise<void> { this.e = performance.now(); }
  override async onEpochEnd(): Promise<void> { this.epochs.push(performance.now() - this.e); }
  override async onTrainBatchBegin(): Promise<void> { this.t = performance.now(); }
  override async onTrainBatchEnd(): Promise<void> { this.steps.push(performance.now() - this.t); }
}

async function runtime(data: ReturnType<typeof tensors>, epochs: number): Promise<Figures> {
  setRandomSeed(1);
  const m = sequential([new Dense({ units: 512, activation: 'relu', inputShape: [784] }), new Dropout({ rate: 0.2 }), new Dense({ units: 10 })]);
  m.compile({ optimizer: new Adam(), loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: [sparseCategoricalAccuracy()] });
  const timer = new StepTimer();
  await m.fit(data.x, data.y, { epochs, batchSize: 32, validationData: [data.xt, data.yt], verbose: 0, callbacks: [timer] });
  const per = timer.steps.length / epochs;
  const steady = epochs > 1 ? timer.steps.slice(per) : timer.steps;
  let acc = 0;
  const evaluateMs = time(() => { acc = m.evaluate(data.xt, data.yt)['sparse_categorical_accuracy']!; });
  const predictMs32 = time(() => tf.dispose(m.predict(data.xt, { batchSize: 32 })));
  const predictMs1000 = time(() => tf.dispose(m.predict(data.xt, { batchSize: 1000 })));
  const ms = median(steady);
  return { msPerStep: ms, samplesPerSec: 32000 / ms, epochMs: median(timer.epochs.slice(1).length ? timer.epochs.slice(1) : timer.epochs), evaluateMs, predictMs32, predictMs1000, testAccuracy: acc };
}

async function layers(data: ReturnType<typeof tensors>, epochs: number): Promise<Figures> {
  const m = tfl.sequential({ layers: [
    tfl.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }), tfl.layers.dropout({ rate: 0.2 }), tfl.layers.dense({ units: 10 }),
  ] });
  // tfjs-layers' built-in sparse loss expects probabilities; from-logits is written with softmaxCrossEntropy.
  // (tfjs-layers checks target shapes against the output, so labels are given one-hot.)
  const loss = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor => tf.losses.softmaxCrossEntropy(yTrue, yPred);
  const acc = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor =>
    tf.cast(tf.equal(tf.argMax(yPred, -1), tf.argMax(yTrue, -1)), 'float32');
  m.compile({ optimizer: tf.train.adam(0.001, 0.9, 0.999, 1e-7), loss, metrics: [acc] });
  const steps: number[] = [];
  const epochT: number[] = [];
  let t = 0;
  let e = 0;
  const yf = tf.oneHot(data.y, 10);
  const ytf = tf.oneHot(data.yt, 10);
  await m.fit(data.x, yf, {
    epochs, batchSize: 32, validationData: [data.xt, ytf], verbose: 0, yieldEvery: 'never',
    callbacks: {
      onEpochBegin: async () => { e = performance.now(); }, onEpochEnd: async () => { epochT.push(performance.now() - e); },
      onBatchBegin: async () => { t = performance.now(); }, onBatchEnd: async () => { steps.push(performance.now() - t); },
    },
  });
  const per = steps.length / epochs;
  const ms = median(epochs > 1 ? steps.slice(per) : steps);
  let testAccuracy = 0;
  const evaluateMs = time(() => {
    const r = m.evaluate(data.xt, ytf, { batchSize: 32 }) as tf.Scalar[];
    testAccuracy = r[1]!.dataSync()[0]!;
  });
  const predictMs32 = time(() => tf.dispose(m.predict(data.xt, { batchSize: 32 })));
  const predictMs1000 = time(() => tf.dispose(m.predict(data.xt, { batchSize: 1000 })));
  return { msPerStep: ms, samplesPerSec: 32000 / ms, epochMs: median(epochT.slice(1).length ? epochT.slice(1) : epochT), evaluateMs, predictMs32, predictMs1000, testAccuracy };
}

function tensors() {
  const { train, test } = loadMnist();
  return {
    x: tf.tensor2d(train.x, [1000, 784]), y: tf.tensor1d(train.y, 'int32'),
    xt: tf.tensor2d(test.x, [1000, 784]), yt: tf.tensor1d(test.y, 'int32'),
  };
}

function row(name: string, f: Figures): string {
  const n = (v: number, d = 1) => v.toFixed(d).padStart(9);
  return `${name.padEnd(22)}${n(f.msPerStep, 2)}${n(f.samplesPerSec, 0)}${n(f.epochMs, 0)}${n(f.evaluateMs)}${n(f.predictMs32)}${n(f.predictMs1000)}${n(f.testAccuracy, 3)}`;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const epochs = quick ? 2 : 10;
  const backend = await initBackend('wasm');
  const data = tensors();
  const ours = await runtime(data, epochs);
  const peer = await layers(data, epochs);
  const py = runPythonScript(join(repoRoot(), 'bench/python/train_tf.py'), [String(epochs)]);
  if (!py.ok) throw new Error(`train_tf.py failed: ${py.stderr.slice(-2000)}`);
  const tfk = JSON.parse(py.stdout.trim().split('\n').pop()!) as Figures;
  console.log(`tutorial workload, ${epochs} epochs, batch 32, tfjs backend ${backend}`);
  console.log(`${'system'.padEnd(22)}  ms/step  samples/s epoch ms  eval ms pred32 ms pred1k ms  test acc`);
  console.log(row('@tfsave/runtime', ours));
  console.log(row('tfjs-layers fit', peer));
  console.log(row('tf_keras fit (Python)', tfk));
  const ratios = { throughputVsTfjsLayers: ours.samplesPerSec / peer.samplesPerSec, throughputVsTfKeras: ours.samplesPerSec / tfk.samplesPerSec };
  console.log(`throughput ratio vs tfjs-layers ${ratios.throughputVsTfjsLayers.toFixed(2)} (goal ≥ 5), vs tf_keras ${ratios.throughputVsTfKeras.toFixed(2)} (goal ≥ 1)`);
  console.log(JSON.stringify({ epochs, backend, runtime: ours, tfjsLayers: peer, tfKeras: tfk, ratios }));
}

await main();
