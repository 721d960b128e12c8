/**
 * BatchNormalization and LayerNormalization over the last axis.
 */
import * as tf from '@tensorflow/tfjs-core';
import { baseArgs, Layer } from './layer.js';
import type { CallContext, LayerArgs, Shape } from './layer.js';

/** Options of {@link BatchNormalization}. */
export interface BatchNormalizationArgs extends LayerArgs {
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

/**
 * Batch normalization over the last axis. Training normalizes with the batch
 * mean and biased variance; the moving variance is updated with the unbiased
 * (n/(n-1)) batch variance for 4-D inputs, as TF's fused kernel does, and the
 * biased one otherwise.
 */
export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  gamma: tf.Variable | undefined;
  beta: tf.Variable | undefined;
  movingMean: tf.Variable | undefined;
  movingVariance: tf.Variable | undefined;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args, 'batch_normalization');
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 0.001;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
  }

  override build(s: Shape): void {
    const c = s[s.length - 1];
    if (typeof c !== 'number') throw new Error(`runtime: ${this.name} needs a known last dimension`);
    if (this.scale) this.gamma = this.addWeight('gamma', [c], 'ones');
    if (this.center) this.beta = this.addWeight('beta', [c], 'zeros');
    this.movingMean = this.addWeight('moving_mean', [c], 'zeros', false);
    this.movingVariance = this.addWeight('moving_variance', [c], 'ones', false);
    super.build(s);
  }

  call(x: tf.Tensor, ctx: CallContext): tf.Tensor {
    const axes = x.shape.map((_, i) => i).slice(0, -1);
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (ctx.training && this.trainable) {
      mean = tf.mean(x, axes);
      variance = tf.mean(tf.squaredDifference(x, mean), axes);
      const n = x.size / x.shape[x.rank - 1]!;
      const movingVar = x.rank === 4 && n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
      const f = 1 - this.momentum;
      const mm = this.movingMean!;
      const mv = this.movingVariance!;
      ctx.updates.push({ variable: mm, value: tf.keep(tf.sub(mm, tf.mul(tf.sub(mm, mean), f))) });
      ctx.updates.push({ variable: mv, value: tf.keep(tf.sub(mv, tf.mul(tf.sub(mv, movingVar), f))) });
    } else {
      mean = this.movingMean!;
      variance = this.movingVariance!;
    }
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
    if (this.gamma) y = tf.mul(y, this.gamma);
    if (this.beta) y = tf.add(y, this.beta);
    return y;
  }

  protected override layerConfig(): Record<string, unknown> {
    return {
      axis: [(this.inputShape?.length ?? 2) - 1], momentum: this.momentum, epsilon: this.epsilon,
      center: this.center, scale: this.scale,
      beta_initializer: { class_name: 'Zeros', config: {} }, gamma_initializer: { class_name: 'Ones', config: {} },
      moving_mean_initializer: { class_name: 'Zeros', config: {} },
      moving_variance_initializer: { class_name: 'Ones', config: {} },
      beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
    };
  }

  static fromConfig(c: Record<string, unknown>): BatchNormalization {
    return new BatchNormalization({
      ...baseArgs(c), momentum: Number(c['momentum'] ?? 0.99), epsilon: Number(c['epsilon'] ?? 0.001),
      center: c['center'] !== false, scale: c['scale'] !== false,
    });
  }
}

/** Options of {@link LayerNormalization}. */
export interface LayerNormalizationArgs extends LayerArgs {
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

/** Normalizes each example over its last axis, then scales and shifts. */
export class LayerNormalization extends Layer {
  readonly className = 'LayerNormalization';
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  gamma: tf.Variable | undefined;
  beta: tf.Variable | undefined;

  constructor(args: LayerNormalizationArgs = {}) {
    super(args, 'layer_normalization');
    this.epsilon = args.epsilon ?? 0.001;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
  }

  override build(s: Shape): void {
    const c = s[s.length - 1];
    if (typeof c !== 'number') throw new Error(`runtime: ${this.name} needs a known last dimension`);
    if (this.scale) this.gamma = this.addWeight('gamma', [c], 'ones');
    if (this.center) this.beta = this.addWeight('beta', [c], 'zeros');
    super.build(s);
  }

  call(x: tf.Tensor): tf.Tensor {
    const mean = tf.mean(x, -1, true);
    const variance = tf.mean(tf.squaredDifference(x, mean), -1, true);
    let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
    if (this.gamma) y = tf.mul(y, this.gamma);
    if (this.beta) y = tf.add(y, this.beta);
    return y;
  }

  protected override layerConfig(): Record<string, unknown> {
    return {
      axis: [(this.inputShape?.length ?? 2) - 1], epsilon: this.epsilon, center: this.center, scale: this.scale,
      beta_initializer: { class_name: 'Zeros', config: {} }, gamma_initializer: { class_name: 'Ones', config: {} },
      beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
    };
  }

  static fromConfig(c: Record<string, unknown>): LayerNormalization {
    return new LayerNormalization({
      ...baseArgs(c), epsilon: Number(c['epsilon'] ?? 0.001), center: c['center'] !== false, scale: c['scale'] !== false,
    });
  }
}
