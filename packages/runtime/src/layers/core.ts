/**
 * Core Keras layers: InputLayer, Dense, Dropout, Flatten, Reshape, Activation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getActivation } from '../activations.js';
import { initializerConfig } from '../initializers.js';
import type { InitializerSpec } from '../initializers.js';
import { denseOp, dropoutOp } from '../ops.js';
import { baseArgs, Layer, SymbolicTensor } from './layer.js';
import type { CallContext, LayerArgs, Shape } from './layer.js';

/** Options of {@link InputLayer}. */
export interface InputLayerArgs extends LayerArgs {
  shape?: number[];
}

/** The entry point of a model: passes its input through. */
export class InputLayer extends Layer {
  readonly className = 'InputLayer';
  /** The symbolic tensor this layer produces. */
  readonly output: SymbolicTensor;

  constructor(args: InputLayerArgs) {
    super(args.shape ? { ...args, inputShape: args.shape } : args, 'input');
    const shape = this.batchInputShape ?? [null];
    this.inputShape = shape;
    this.outputShape = shape;
    this.built = true;
    this.output = new SymbolicTensor(shape, this, [], this.dtype === 'int32' ? 'int32' : 'float32');
  }

  call(input: tf.Tensor): tf.Tensor {
    return input;
  }

  override getConfig(): Record<string, unknown> {
    return { batch_input_shape: this.batchInputShape, dtype: this.dtype, sparse: false, ragged: false, name: this.name };
  }

  static fromConfig(config: Record<string, unknown>): InputLayer {
    return new InputLayer(baseArgs(config));
  }
}

/** `input({shape})`: a symbolic input for the Functional API (Keras's `Input`). */
export function input(args: { shape: number[]; name?: string; dtype?: 'float32' | 'int32' }): SymbolicTensor {
  const a: InputLayerArgs = { shape: args.shape };
  if (args.name !== undefined) a.name = args.name;
  if (args.dtype !== undefined) a.dtype = args.dtype;
  return new InputLayer(a).output;
}

/** Options of {@link Dense}. */
export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
}

/** A fully connected layer: `activation(x · kernel + bias)`. */
export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerSpec;
  readonly biasInitializer: InitializerSpec;
  kernel: tf.Variable | undefined;
  bias: tf.Variable | undefined;

  constructor(args: DenseArgs) {
    super(args, 'dense');
    this.units = args.units;
    this.activation = args.activation ?? 'linear';
    getActivation(this.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = args.kernelInitializer ?? 'glorot_uniform';
    this.biasInitializer = args.biasInitializer ?? 'zeros';
  }

  override build(inputShape: Shape): void {
    const inDim = inputShape[inputShape.length - 1];
    if (typeof inDim !== 'number') throw new Error(`runtime: ${this.name} needs a known last input dimension`);
    this.kernel = this.addWeight('kernel', [inDim, this.units], this.kernelInitializer);
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], this.biasInitializer);
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: Shape): Shape {
    return [...inputShape.slice(0, -1), this.units];
  }

  call(x: tf.Tensor, ctx: CallContext): tf.Tensor {
    const k = this.kernel as tf.Tensor2D;
    const b = (this.bias ?? null) as tf.Tensor1D | null;
    const lead = x.shape.slice(0, -1);
    const x2 = x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [-1, x.shape[x.rank - 1]!]) as tf.Tensor2D;
    const fused = this.activation === 'relu' || this.activation === 'linear';
    let y: tf.Tensor = denseOp(x2, k, b, fused ? (this.activation as 'relu' | 'linear') : 'linear', ctx.inputNeedsGrad);
    if (!fused) y = getActivation(this.activation)(y);
    return x.rank === 2 ? y : tf.reshape(y, [...lead, this.units]);
  }

  protected override layerConfig(): Record<string, unknown> {
    return {
      units: this.units, activation: this.activation, use_bias: this.useBias,
      kernel_initializer: initializerConfig(this.kernelInitializer),
      bias_initializer: initializerConfig(this.biasInitializer),
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null,
      kernel_constraint: null, bias_constraint: null,
    };
  }

  static fromConfig(c: Record<string, unknown>): Dense {
    return new Dense({
      ...baseArgs(c), units: Number(c['units']), activation: String(c['activation'] ?? 'linear'),
      useBias: c['use_bias'] !== false,
      ...(c['kernel_initializer'] ? { kernelInitializer: c['kernel_initializer'] as InitializerSpec } : {}),
      ...(c['bias_initializer'] ? { biasInitializer: c['bias_initializer'] as InitializerSpec } : {}),
    });
  }
}

/** Options of {@link Dropout}. */
export interface DropoutArgs extends LayerArgs {
  rate: number;
  seed?: number | null;
}

/** Zeroes a fraction `rate` of inputs during training and scales the rest by `1/(1-rate)`. */
export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  readonly seed: number | null;

  constructor(args: DropoutArgs) {
    super(args, 'dropout');
    this.rate = args.rate;
    this.seed = args.seed ?? null;
  }

  call(x: tf.Tensor, ctx: CallContext): tf.Tensor {
    if (!ctx.training || this.rate <= 0) return x;
    return dropoutOp(x, ctx.rng, this.rate);
  }

  protected override layerConfig(): Record<string, unknown> {
    return { rate: this.rate, noise_shape: null, seed: this.seed };
  }

  static fromConfig(c: Record<string, unknown>): Dropout {
    return new Dropout({ ...baseArgs(c), rate: Number(c['rate']), seed: (c['seed'] as number | null) ?? null });
  }
}

/** Flattens all but the batch dimension. */
export class Flatten extends Layer {
  readonly className = 'Flatten';

  constructor(args: LayerArgs = {}) {
    super(args, 'flatten');
  }

  override computeOutputShape(s: Shape): Shape {
    const rest = s.slice(1);
    return [s[0] ?? null, rest.every((d) => d !== null) ? (rest as number[]).reduce((a, b) => a * b, 1) : null];
  }

  call(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, [x.shape[0]!, -1]);
  }

  protected override layerConfig(): Record<string, unknown> {
    return { data_format: 'channels_last' };
  }

  static fromConfig(c: Record<string, unknown>): Flatten {
    return new Flatten(baseArgs(c));
  }
}

/** Options of {@link Reshape}. */
export interface ReshapeArgs extends LayerArgs {
  targetShape: number[];
}

/** Reshapes each example to `targetShape` (one entry may be -1). */
export class Reshape extends Layer {
  readonly className = 'Reshape';
  readonly targetShape: number[];

  constructor(args: ReshapeArgs) {
    super(args, 'reshape');
    this.targetShape = args.targetShape;
  }

  override computeOutputShape(s: Shape): Shape {
    const known = (s.slice(1) as number[]).reduce((a, b) => a * b, 1);
    const fixed = this.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    return [s[0] ?? null, ...this.targetShape.map((d) => (d === -1 ? known / fixed : d))];
  }

  call(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, [x.shape[0]!, ...this.targetShape]);
  }

  protected override layerConfig(): Record<string, unknown> {
    return { target_shape: this.targetShape };
  }

  static fromConfig(c: Record<string, unknown>): Reshape {
    return new Reshape({ ...baseArgs(c), targetShape: c['target_shape'] as number[] });
  }
}

/** Options of {@link Activation}. */
export interface ActivationArgs extends LayerArgs {
  activation: string;
}

/** Applies a named activation. */
export class Activation extends Layer {
  readonly className = 'Activation';
  readonly activation: string;

  constructor(args: ActivationArgs) {
    super(args, 'activation');
    this.activation = args.activation;
    getActivation(this.activation);
  }

  call(x: tf.Tensor): tf.Tensor {
    return getActivation(this.activation)(x);
  }

  protected override layerConfig(): Record<string, unknown> {
    return { activation: this.activation };
  }

  static fromConfig(c: Record<string, unknown>): Activation {
    return new Activation({ ...baseArgs(c), activation: String(c['activation']) });
  }
}
