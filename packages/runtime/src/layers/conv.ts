/**
 * Convolution and pooling layers (channels-last): Conv2D, MaxPooling2D, AveragePooling2D.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getActivation } from '../activations.js';
import { initializerConfig } from '../initializers.js';
import type { InitializerSpec } from '../initializers.js';
import { conv2dOp } from '../ops.js';
import type { Padding } from '../ops.js';
import { baseArgs, Layer } from './layer.js';
import type { CallContext, LayerArgs, Shape } from './layer.js';

function pair(v: number | number[] | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  if (typeof v === 'number') return [v, v];
  return [v[0] ?? dflt, v[1] ?? v[0] ?? dflt];
}

function outDim(size: number | null, k: number, s: number, padding: Padding): number | null {
  if (size === null) return null;
  return padding === 'same' ? Math.ceil(size / s) : Math.floor((size - k) / s) + 1;
}

/** Options of {@link Conv2D}. */
export interface Conv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: Padding;
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
}

/** 2-D convolution over NHWC inputs with a `[kh, kw, in, filters]` kernel. */
export class Conv2D extends Layer {
  readonly className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly activation: string;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  kernel: tf.Variable | undefined;
  bias: tf.Variable | undefined;

  constructor(args: Conv2DArgs) {
    super(args, 'conv2d');
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize, 1);
    this.strides = pair(args.strides, 1);
    this.padding = args.padding ?? 'valid';
    this.activation = args.activation ?? 'linear';
    getActivation(this.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorot_uniform';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
  }

  override build(s: Shape): void {
    const c = s[3];
    if (typeof c !== 'number') throw new Error(`runtime: ${this.name} needs a known channel dimension`);
    this.kernel = this.addWeight('kernel', [...this.kernelSize, c, this.filters], this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], this.biasInitializer);
    super.build(s);
  }

  override computeOutputShape(s: Shape): Shape {
    return [s[0] ?? null, outDim(s[1] ?? null, this.kernelSize[0], this.strides[0], this.padding),
      outDim(s[2] ?? null, this.kernelSize[1], this.strides[1], this.padding), this.filters];
  }

  call(x: tf.Tensor, ctx: CallContext): tf.Tensor {
    let y: tf.Tensor = conv2dOp(x as tf.Tensor4D, this.kernel as tf.Tensor4D, this.strides, this.padding, ctx.inputNeedsGrad);
    if (this.bias) y = tf.add(y, this.bias);
    return getActivation(this.activation)(y);
  }

  protected override layerConfig(): Record<string, unknown> {
    return {
      filters: this.filters, kernel_size: this.kernelSize, strides: this.strides, padding: this.padding,
      data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: this.activation,
      use_bias: this.useBias, kernel_initializer: initializerConfig(this.kernelInitializer),
      bias_initializer: initializerConfig(this.biasInitializer), kernel_regularizer: null,
      bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    };
  }

  static fromConfig(c: Record<string, unknown>): Conv2D {
    return new Conv2D({
      ...baseArgs(c), filters: Number(c['filters']), kernelSize: c['kernel_size'] as number[],
      strides: (c['strides'] as number[] | undefined) ?? [1, 1], padding: (c['padding'] as Padding | undefined) ?? 'valid',
      activation: String(c['activation'] ?? 'linear'), useBias: c['use_bias'] !== false,
      ...(c['kernel_initializer'] ? { kernelInitializer: c['kernel_initializer'] as InitializerSpec } : {}),
      ...(c['bias_initializer'] ? { biasInitializer: c['bias_initializer'] as InitializerSpec } : {}),
    });
  }
}

/** Options of the pooling layers. */
export interface Pooling2DArgs extends LayerArgs {
  poolSize?: number | number[];
  /** Defaults to `poolSize`. */
  strides?: number | number[] | null;
  padding?: Padding;
}

abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;

  constructor(args: Pooling2DArgs, prefix: string) {
    super(args, prefix);
    this.poolSize = pair(args.poolSize, 2);
    this.strides = args.strides ? pair(args.strides, 1) : this.poolSize;
    this.padding = args.padding ?? 'valid';
  }

  override computeOutputShape(s: Shape): Shape {
    return [s[0] ?? null, outDim(s[1] ?? null, this.poolSize[0], this.strides[0], this.padding),
      outDim(s[2] ?? null, this.poolSize[1], this.strides[1], this.padding), s[3] ?? null];
  }

  protected override layerConfig(): Record<string, unknown> {
    return { pool_size: this.poolSize, padding: this.padding, strides: this.strides, data_format: 'channels_last' };
  }
}

function poolArgs(c: Record<string, unknown>): Pooling2DArgs {
  return {
    ...baseArgs(c), poolSize: (c['pool_size'] as number[] | undefined) ?? [2, 2],
    strides: (c['strides'] as number[] | null | undefined) ?? null, padding: (c['padding'] as Padding | undefined) ?? 'valid',
  };
}

/** Max over each pooling window. */
export class MaxPooling2D extends Pooling2D {
  readonly className = 'MaxPooling2D';

  constructor(args: Pooling2DArgs = {}) {
    super(args, 'max_pooling2d');
  }

  call(x: tf.Tensor): tf.Tensor {
    return tf.maxPool(x as tf.Tensor4D, this.poolSize, this.strides, this.padding);
  }

  static fromConfig(c: Record<string, unknown>): MaxPooling2D {
    return new MaxPooling2D(poolArgs(c));
  }
}

/** Mean over each pooling window. */
export class AveragePooling2D extends Pooling2D {
  readonly className = 'AveragePooling2D';

  constructor(args: Pooling2DArgs = {}) {
    super(args, 'average_pooling2d');
  }

  call(x: tf.Tensor): tf.Tensor {
    return tf.avgPool(x as tf.Tensor4D, this.poolSize, this.strides, this.padding);
  }

  static fromConfig(c: Record<string, unknown>): AveragePooling2D {
    return new AveragePooling2D(poolArgs(c));
  }
}
