/**
 * Merge layers for multi-input Functional models: Concatenate and Add.
 */
import * as tf from '@tensorflow/tfjs-core';
import { baseArgs, Layer, SymbolicTensor } from './layer.js';
import type { CallContext, LayerArgs, Shape } from './layer.js';

/** A layer applied to several tensors at once. */
export abstract class MergeLayer extends Layer {
  /** The forward computation over all inputs. */
  abstract callMany(inputs: tf.Tensor[], ctx: CallContext): tf.Tensor;
  /** Output shape for the input shapes. */
  abstract mergedShape(shapes: Shape[]): Shape;

  call(input: tf.Tensor, ctx: CallContext): tf.Tensor {
    return this.callMany([input], ctx);
  }

  /** Applies the layer to several symbolic tensors. */
  applyMany(inputs: SymbolicTensor[]): SymbolicTensor {
    if (!this.built) this.build(inputs[0]!.shape);
    this.outputShape = this.mergedShape(inputs.map((t) => t.shape));
    return new SymbolicTensor(this.outputShape, this, inputs);
  }
}

/** Options of {@link Concatenate}. */
export interface ConcatenateArgs extends LayerArgs {
  axis?: number;
}

/** Concatenates its inputs along `axis` (default -1). */
export class Concatenate extends MergeLayer {
  readonly className = 'Concatenate';
  readonly axis: number;

  constructor(args: ConcatenateArgs = {}) {
    super(args, 'concatenate');
    this.axis = args.axis ?? -1;
  }

  callMany(inputs: tf.Tensor[]): tf.Tensor {
    return tf.concat(inputs, this.axis);
  }

  mergedShape(shapes: Shape[]): Shape {
    const rank = shapes[0]!.length;
    const ax = this.axis < 0 ? this.axis + rank : this.axis;
    const out = [...shapes[0]!];
    out[ax] = shapes.some((s) => s[ax] === null) ? null : shapes.reduce((n, s) => n + (s[ax] as number), 0);
    return out;
  }

  protected override layerConfig(): Record<string, unknown> {
    return { axis: this.axis };
  }

  static fromConfig(c: Record<string, unknown>): Concatenate {
    return new Concatenate({ ...baseArgs(c), axis: Number(c['axis'] ?? -1) });
  }
}

/** Adds its inputs element-wise. */
export class Add extends MergeLayer {
  readonly className = 'Add';

  constructor(args: LayerArgs = {}) {
    super(args, 'add');
  }

  callMany(inputs: tf.Tensor[]): tf.Tensor {
    return inputs.length === 1 ? inputs[0]! : tf.addN(inputs);
  }

  mergedShape(shapes: Shape[]): Shape {
    return shapes[0]!;
  }

  static fromConfig(c: Record<string, unknown>): Add {
    return new Add(baseArgs(c));
  }
}
