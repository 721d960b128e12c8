/**
 * Loss and metric values computed on the host for small outputs. With the
 * outputs of a batch read back once (a few hundred floats), the loss, its
 * gradient and the accuracy cost a handful of JS loops instead of dozens of
 * tfjs kernels and tape entries. Arithmetic is rounded to float32 after every
 * operation, as TF's sparse softmax cross-entropy kernel computes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Loss } from './losses.js';
import type { Metric } from './metrics.js';

const f32 = Math.fround;

/** Per-example losses and the gradient of each example's loss w.r.t. the predictions. */
export interface HostLossResult {
  readonly losses: Float32Array;
  readonly grad: Float32Array;
}

/** Host implementation of a loss on `[n, classes]` predictions, or undefined when there is none. */
export function hostLoss(loss: Loss): ((yTrue: ArrayLike<number>, yPred: Float32Array, n: number, classes: number) => HostLossResult) | undefined {
  if (loss.className === 'SparseCategoricalCrossentropy' && loss.fromLogits) {
    return (yTrue, z, n, k) => {
      const losses = new Float32Array(n);
      const grad = new Float32Array(n * k);
      const e = new Float32Array(k);
      for (let r = 0; r < n; r++) {
        const o = r * k;
        let max = z[o]!;
        for (let c = 1; c < k; c++) if (z[o + c]! > max) max = z[o + c]!;
        let sum = 0;
        for (let c = 0; c < k; c++) {
          e[c] = f32(Math.exp(f32(z[o + c]! - max)));
          sum = f32(sum + e[c]!);
        }
        const label = yTrue[r]!;
        if (!(label >= 0 && label < k)) throw new Error(`runtime: label ${label} out of range [0, ${k})`);
        losses[r] = f32(f32(Math.log(sum)) - f32(z[o + label]! - max));
        for (let c = 0; c < k; c++) grad[o + c] = f32(e[c]! / sum) - (c === label ? 1 : 0);
      }
      return { losses, grad };
    };
  }
  return undefined;
}

/** Host implementation of a metric's per-example values, or undefined. */
export function hostMetric(metric: Metric): ((yTrue: ArrayLike<number>, yPred: Float32Array, n: number, classes: number) => number) | undefined {
  if (metric.className === 'SparseCategoricalAccuracy') {
    return (yTrue, z, n, k) => {
      let hits = 0;
      for (let r = 0; r < n; r++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (z[r * k + c]! > z[r * k + best]!) best = c;
        if (best === yTrue[r]) hits++;
      }
      return hits;
    };
  }
  return undefined;
}

/**
 * The mean loss of a batch as a differentiable scalar of `pred`, with its value
 * and gradient computed on the host.
 */
export function hostMeanLoss(pred: tf.Tensor, r: HostLossResult, n: number): tf.Scalar {
  let total = 0;
  for (let i = 0; i < n; i++) total = f32(total + r.losses[i]!);
  const mean = f32(total / n);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    (args[1] as tf.GradSaveFunc)([]);
    return {
      value: tf.scalar(mean),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.mul(tf.div(dy as tf.Tensor, n), tf.tensor(r.grad, pred.shape)),
    };
  });
  return f(pred) as tf.Scalar;
}
