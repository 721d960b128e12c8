/**
 * The training, evaluation and prediction loops behind `fit`, `evaluate` and
 * `predict`. Losses are batch means; logged values are means over examples,
 * as Keras's Mean metrics weighted by batch size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Callback, History } from './callbacks/callback.js';
import type { Logs, TrainingProgress } from './callbacks/callback.js';
import { ProgressLogger } from './callbacks/progress.js';
import type { Model } from './model.js';
import { globalRng } from './rng.js';
import { hostLoss, hostMeanLoss, hostMetric } from './host-loss.js';

/** Options of `fit`. */
export interface FitArgs {
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  validationData?: [tf.Tensor | tf.Tensor[], tf.Tensor | tf.Tensor[]];
  callbacks?: Callback[];
  /** 0 silent, 1 progress bar, 2 one line per epoch (default 1). */
  verbose?: 0 | 1 | 2;
  /** Shuffle examples every epoch (default true). */
  shuffle?: boolean;
  initialEpoch?: number;
  /** Where progress lines go (default `console.log`/stdout). */
  print?: (s: string, newline: boolean) => void;
}

/** Options of `evaluate` / `predict`. */
export interface EvaluateArgs {
  batchSize?: number;
  verbose?: 0 | 1 | 2;
}

const list = (t: tf.Tensor | tf.Tensor[]): tf.Tensor[] => (Array.isArray(t) ? t : [t]);

/**
 * A dataset read back to the host once, so batches are assembled by copying
 * rows and uploaded as one tensor (much cheaper on the WASM backend than a
 * slice or gather kernel per batch).
 */
class HostData {
  private readonly arrays: Array<Float32Array | Int32Array>;
  constructor(private readonly ts: tf.Tensor[]) {
    this.arrays = ts.map((t) => t.dataSync() as Float32Array | Int32Array);
  }
  /** Rows `start..start+size-1` (of the permutation when given) of every tensor. */
  batch(start: number, size: number, perm: Int32Array | null): tf.Tensor[] {
    return this.ts.map((t, k) => {
      const src = this.arrays[k]!;
      const row = t.size / t.shape[0]!;
      const shape = [size, ...t.shape.slice(1)];
      if (!perm) return tf.tensor(src.subarray(start * row, (start + size) * row), shape, t.dtype);
      const out = src instanceof Int32Array ? new Int32Array(size * row) : new Float32Array(size * row);
      for (let r = 0; r < size; r++) {
        const i = perm[start + r]!;
        out.set(src.subarray(i * row, (i + 1) * row), r * row);
      }
      return tf.tensor(out, shape, t.dtype);
    });
  }
}

/** Names of the logged values: `loss`, per-output losses, then metrics (prefixed per output when several). */
export function logNames(model: Model): string[] {
  const c = model.compiled!;
  const outs = model.outputs;
  const multi = outs.length > 1;
  const names = ['loss'];
  if (multi) outs.forEach((o) => names.push(`${o.layer.name}_loss`));
  outs.forEach((o) => c.metrics.forEach((m) => names.push(multi ? `${o.layer.name}_${m.name}` : m.name)));
  return names;
}

/** Outputs up to this many elements have their loss and metrics computed on the host when possible. */
const HOST_LIMIT = 1 << 16;

/** Per-batch sums of every logged value (sum over examples) and the total loss to differentiate. */
function batchSums(model: Model, preds: tf.Tensor[], ys: tf.Tensor[]): { total: tf.Scalar; sums: Array<tf.Tensor | number> } {
  const c = model.compiled!;
  const n = preds[0]!.shape[0]!;
  const perLoss: tf.Scalar[] = [];
  const lossSums: Array<tf.Tensor | number> = [];
  const metricSums: Array<tf.Tensor | number> = [];
  preds.forEach((p, i) => {
    const loss = c.losses[i]!;
    const hl = p.rank === 2 && p.size <= HOST_LIMIT ? hostLoss(loss) : undefined;
    const hms = c.metrics.map((m) => (hl ? hostMetric(m) : undefined));
    if (hl && hms.every((h) => h !== undefined)) {
      const k = p.shape[1]!;
      const z = p.dataSync() as Float32Array;
      const y = ys[i]!.dataSync() as ArrayLike<number>;
      const r = hl(y, z, n, k);
      const l = hostMeanLoss(p, r, n);
      perLoss.push(l);
      lossSums.push(l.dataSync()[0]! * n);
      for (const h of hms) metricSums.push(h!(y, z, n, k));
      return;
    }
    const l = tf.mean(loss.perExample(ys[i]!, p)) as tf.Scalar;
    perLoss.push(l);
    lossSums.push(tf.mul(l, n));
    for (const m of c.metrics) metricSums.push(tf.sum(m.perExample(ys[i]!, p)));
  });
  const total = perLoss.length === 1 ? perLoss[0]! : (tf.addN(perLoss) as tf.Scalar);
  const sums: Array<tf.Tensor | number> = [perLoss.length === 1 ? lossSums[0]! : tf.mul(total, n)];
  if (preds.length > 1) sums.push(...lossSums);
  sums.push(...metricSums);
  return { total, sums };
}

const value = (s: tf.Tensor | number): number => (typeof s === 'number' ? s : s.dataSync()[0]!);

/** Runs one optimizer step on a batch; returns the per-value sums. */
export function trainStep(model: Model, xb: tf.Tensor[], yb: tf.Tensor[]): number[] {
  const c = model.compiled!;
  const vars = model.trainableWeights;
  const ctx = { training: true, rng: globalRng(), updates: [] as Array<{ variable: tf.Variable; value: tf.Tensor }> };
  return tf.tidy(() => {
    let sums: Array<tf.Tensor | number> = [];
    const { grads } = tf.variableGrads(() => {
      const preds = model.forward(xb, ctx);
      const r = batchSums(model, preds, yb);
      sums = r.sums.map((s) => (typeof s === 'number' ? s : tf.keep(s)));
      return r.total;
    }, vars.map((v) => v.variable));
    const gradList = vars.map((v) => grads[v.variable.name] ?? tf.zerosLike(v.variable));
    c.optimizer.applyGradients(vars, gradList);
    for (const u of ctx.updates) {
      u.variable.assign(u.value);
      u.value.dispose();
    }
    const out = sums.map(value);
    for (const s of sums) if (typeof s !== 'number') s.dispose();
    return out;
  });
}

/** Keras's `fit`. Returns the History callback. */
export async function fit(model: Model, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args: FitArgs = {}): Promise<History> {
  if (!model.compiled) throw new Error('runtime: call compile() before fit()');
  const xs = list(x);
  const ys = list(y);
  if (!model.isBuilt) model.build([null, ...xs[0]!.shape.slice(1)]);
  const n = xs[0]!.shape[0]!;
  const batchSize = args.batchSize ?? 32;
  const epochs = args.epochs ?? 1;
  const steps = Math.ceil(n / batchSize);
  const verbose = args.verbose ?? 1;
  const history = new History();
  const cbs: Callback[] = [...(args.callbacks ?? [])];
  if (verbose > 0) cbs.push(new ProgressLogger(args.print ? { print: args.print } : {}));
  cbs.push(history);
  for (const cb of cbs) {
    cb.setModel(model);
    cb.setParams({ epochs, steps, verbose });
  }
  const names = logNames(model);
  const hx = new HostData(xs);
  const hy = new HostData(ys);
  model.stopTraining = false;
  let resume: TrainingProgress | undefined;
  for (const cb of cbs) resume = (await cb.resumeFrom()) ?? resume;
  const rng = globalRng();
  for (const cb of cbs) await cb.onTrainBegin({});
  for (let epoch = resume?.epoch ?? args.initialEpoch ?? 0; epoch < epochs; epoch++) {
    const startState = resume ? resume.rngAtEpochStart : rng.getState();
    rng.setState(startState);
    for (const cb of cbs) await cb.onEpochBegin(epoch, {});
    const perm = args.shuffle === false ? null : rng.permutation(n);
    const totals = new Float64Array(names.length);
    let seen = 0;
    let first = 0;
    if (resume) {
      rng.setState(resume.rng);
      totals.set(resume.totals);
      seen = resume.seen;
      first = resume.batch;
      resume = undefined;
    }
    let logs: Logs = seen > 0 ? Object.fromEntries(names.map((k, i) => [k, totals[i]! / seen])) : {};
    for (let b = first; b < steps; b++) {
      const start = b * batchSize;
      const size = Math.min(batchSize, n - start);
      for (const cb of cbs) await cb.onTrainBatchBegin(b, { batch: b, size });
      const sums = tf.tidy(() => {
        const xb = hx.batch(start, size, perm);
        const yb = hy.batch(start, size, perm);
        return trainStep(model, xb, yb);
      });
      sums.forEach((s, i) => (totals[i]! += s));
      seen += size;
      logs = Object.fromEntries(names.map((k, i) => [k, totals[i]! / seen]));
      model.progress = { epoch, batch: b + 1, rngAtEpochStart: startState, rng: rng.getState(), totals: Array.from(totals), seen };
      for (const cb of cbs) await cb.onTrainBatchEnd(b, logs);
      if (model.stopTraining) break;
    }
    if (args.validationData) {
      const [vx, vy] = args.validationData;
      const v = evaluateLogs(model, vx, vy, { batchSize });
      for (const [k, val] of Object.entries(v)) logs[`val_${k}`] = val;
    }
    model.progress = { epoch: epoch + 1, batch: 0, rngAtEpochStart: rng.getState(), rng: rng.getState(), totals: names.map(() => 0), seen: 0 };
    for (const cb of cbs) await cb.onEpochEnd(epoch, logs);
    if (model.stopTraining) break;
  }
  for (const cb of cbs) await cb.onTrainEnd({});
  return history;
}

/** `evaluate` as a name → value map. */
export function evaluateLogs(model: Model, x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args: EvaluateArgs = {}): Logs {
  if (!model.compiled) throw new Error('runtime: call compile() before evaluate()');
  const xs = list(x);
  const ys = list(y);
  if (!model.isBuilt) model.build([null, ...xs[0]!.shape.slice(1)]);
  const n = xs[0]!.shape[0]!;
  const batchSize = args.batchSize ?? 32;
  const names = logNames(model);
  const totals = new Float64Array(names.length);
  const hx = new HostData(xs);
  const hy = new HostData(ys);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const sums = tf.tidy(() => {
      const preds = model.forward(hx.batch(start, size, null), { training: false, rng: globalRng(), updates: [] });
      const r = batchSums(model, preds, hy.batch(start, size, null));
      return r.sums.map(value);
    });
    sums.forEach((s, i) => (totals[i]! += s));
  }
  return Object.fromEntries(names.map((k, i) => [k, totals[i]! / n]));
}

/** Predictions in inference mode, batch by batch, concatenated (one tensor per output). */
export function predict(model: Model, x: tf.Tensor | tf.Tensor[], args: EvaluateArgs = {}): tf.Tensor[] {
  const xs = list(x);
  if (!model.isBuilt) model.build([null, ...xs[0]!.shape.slice(1)]);
  const n = xs[0]!.shape[0]!;
  const batchSize = args.batchSize ?? 32;
  const parts: tf.Tensor[][] = model.outputs.map(() => []);
  const hx = new HostData(xs);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const outs = tf.tidy(() => model.forward(hx.batch(start, size, null), { training: false, rng: globalRng(), updates: [] }));
    outs.forEach((o, i) => parts[i]!.push(o));
  }
  return parts.map((p) => {
    const r = p.length === 1 ? p[0]! : tf.concat(p, 0);
    if (p.length > 1) for (const t of p) t.dispose();
    return r;
  });
}
