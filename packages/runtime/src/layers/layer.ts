/**
 * The layer base class, symbolic tensors of the Functional API and Keras-style
 * auto-naming (`dense`, `dense_1`, …).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initialize } from '../initializers.js';
import type { InitializerSpec } from '../initializers.js';
import type { SeededRandom } from '../rng.js';

/** A shape with `null` for unknown (batch) dimensions. */
export type Shape = (number | null)[];

/** One weight of a layer, named as Keras names it (`kernel`, `moving_mean`, …). */
export interface LayerWeight {
  /** Short name inside the layer, e.g. `kernel`. */
  readonly name: string;
  readonly variable: tf.Variable;
  readonly trainable: boolean;
}

/** State passed to {@link Layer.call} for one forward pass. */
export interface CallContext {
  /** Training mode: dropout active, batch statistics used. */
  readonly training: boolean;
  /** Seeded stream for dropout masks. */
  readonly rng: SeededRandom;
  /** Non-gradient state updates (BatchNormalization moving stats) to apply after the step. */
  readonly updates: Array<{ variable: tf.Variable; value: tf.Tensor }>;
  /** Whether the tensor fed to this layer needs a gradient (false for model inputs). */
  readonly inputNeedsGrad: boolean;
}

const nameCounts = new Map<string, number>();
let variableCounter = 0;

/** Resets auto-naming, like `keras.backend.clear_session()`. */
export function clearSession(): void {
  nameCounts.clear();
}

/** `Dense` → `dense`, `Conv2D` → `conv2d`, `BatchNormalization` → `batch_normalization`. */
export function snakeCase(className: string): string {
  const s = className.replace(/([a-z])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2');
  return s.toLowerCase();
}

/** The next free Keras-style name for a prefix: `dense`, then `dense_1`, … */
export function uniqueName(prefix: string): string {
  const n = nameCounts.get(prefix) ?? 0;
  nameCounts.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/** Records a user-given name so later auto-names do not collide with it. */
function reserveName(name: string): void {
  const m = /^(.*?)(?:_(\d+))?$/.exec(name);
  if (!m) return;
  const prefix = m[1]!;
  const idx = m[2] === undefined ? 0 : Number(m[2]);
  if ((nameCounts.get(prefix) ?? 0) <= idx) nameCounts.set(prefix, idx + 1);
}

/** A placeholder for the output of a layer in a Functional model. */
export class SymbolicTensor {
  constructor(
    /** Shape including the batch dimension (`null`). */
    readonly shape: Shape,
    /** The layer that produces it. */
    readonly layer: Layer,
    /** The symbolic inputs of that layer call. */
    readonly inputs: readonly SymbolicTensor[],
    readonly dtype: 'float32' | 'int32' = 'float32',
  ) {}
}

/** Options shared by every layer constructor. */
export interface LayerArgs {
  /** Keras layer name; auto-generated from the class name when omitted. */
  name?: string;
  trainable?: boolean;
  /** Input shape without the batch dimension (first layer of a Sequential model). */
  inputShape?: number[];
  /** Batch input shape including the batch dimension. */
  batchInputShape?: Shape;
  dtype?: string;
}

/** Base class of all layers: weights, build, call, config. */
export abstract class Layer {
  /** The Keras class name used in configs (`Dense`, `Conv2D`, …). */
  abstract readonly className: string;
  readonly name: string;
  trainable: boolean;
  built = false;
  readonly weights: LayerWeight[] = [];
  /** Declared batch input shape (from `inputShape`/`batchInputShape`). */
  readonly batchInputShape: Shape | undefined;
  readonly dtype: string;
  /** The shape of the most recent input this layer was built/applied with. */
  inputShape: Shape | undefined;
  outputShape: Shape | undefined;

  constructor(args: LayerArgs, defaultPrefix: string) {
    if (args.name !== undefined) reserveName(args.name);
    this.name = args.name ?? uniqueName(defaultPrefix);
    this.trainable = args.trainable ?? true;
    this.dtype = args.dtype ?? 'float32';
    this.batchInputShape = args.batchInputShape ?? (args.inputShape ? [null, ...args.inputShape] : undefined);
  }

  /** Creates the weights for inputs of `inputShape`. */
  build(inputShape: Shape): void {
    this.inputShape = inputShape;
    this.built = true;
  }

  /** Output shape for inputs of `inputShape`. */
  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  /** The forward computation. */
  abstract call(input: tf.Tensor, ctx: CallContext): tf.Tensor;

  /** Layer-specific config entries (merged with name/trainable/dtype by {@link getConfig}). */
  protected layerConfig(): Record<string, unknown> {
    return {};
  }

  /** The Keras layer config (`name`, `trainable`, `dtype`, then the layer's own keys). */
  getConfig(): Record<string, unknown> {
    const base: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: this.dtype };
    if (this.batchInputShape) base['batch_input_shape'] = this.batchInputShape;
    return { ...base, ...this.layerConfig() };
  }

  /** Number of scalars in this layer's weights. */
  countParams(): number {
    return this.weights.reduce((n, w) => n + w.variable.size, 0);
  }

  /** Adds a weight initialized by `init`. */
  protected addWeight(name: string, shape: number[], init: InitializerSpec, trainable = true): tf.Variable {
    const data = initialize(init, shape);
    const v = tf.variable(tf.tensor(data, shape, 'float32'), trainable, `${this.name}/${name}#${variableCounter++}`);
    this.weights.push({ name, variable: v, trainable });
    return v;
  }

  /** Trainable weights when the layer is trainable. */
  get trainableWeights(): LayerWeight[] {
    return this.trainable ? this.weights.filter((w) => w.trainable) : [];
  }

  /** Applies the layer to a symbolic tensor (Functional API), building it if needed. */
  apply(input: SymbolicTensor): SymbolicTensor {
    if (!this.built) this.build(input.shape);
    this.inputShape = input.shape;
    this.outputShape = this.computeOutputShape(input.shape);
    return new SymbolicTensor(this.outputShape, this, [input], this.outputDtype());
  }

  /** The dtype of this layer's output. */
  protected outputDtype(): 'float32' | 'int32' {
    return 'float32';
  }

  /** Frees the weights' memory. */
  dispose(): void {
    for (const w of this.weights) w.variable.dispose();
  }
}

/** Static side of a layer class: how configs turn back into layers. */
export interface LayerClass {
  fromConfig(config: Record<string, unknown>): Layer;
}

/** Converts Keras's snake_case layer config to constructor args shared by every layer. */
export function baseArgs(config: Record<string, unknown>): LayerArgs {
  const args: LayerArgs = {};
  if (typeof config['name'] === 'string') args.name = config['name'];
  if (typeof config['trainable'] === 'boolean') args.trainable = config['trainable'];
  if (Array.isArray(config['batch_input_shape'])) args.batchInputShape = config['batch_input_shape'] as Shape;
  if (typeof config['dtype'] === 'string') args.dtype = config['dtype'];
  return args;
}
