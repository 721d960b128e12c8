/**
 * Embedding: integer ids to dense vectors.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { InitializerSpec } from '../initializers.js';
import { initializerConfig } from '../initializers.js';
import { baseArgs, Layer } from './layer.js';
import type { LayerArgs, Shape } from './layer.js';

/** Options of {@link Embedding}. */
export interface EmbeddingArgs extends LayerArgs {
  inputDim: number;
  outputDim: number;
  embeddingsInitializer?: InitializerSpec;
}

/**
 * Looks up rows of an `[inputDim, outputDim]` table. The table's gradient is a
 * one-hot matmul (the WASM backend has no segment-sum kernel for gather's gradient).
 */
export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: InitializerSpec;
  embeddings: tf.Variable | undefined;

  constructor(args: EmbeddingArgs) {
    super(args, 'embedding');
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.embeddingsInitializer = args.embeddingsInitializer ?? 'random_uniform';
  }

  override build(s: Shape): void {
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], this.embeddingsInitializer);
    super.build(s);
  }

  override computeOutputShape(s: Shape): Shape {
    return [...s, this.outputDim];
  }

  call(x: tf.Tensor): tf.Tensor {
    const ids = tf.cast(tf.reshape(x, [-1]), 'int32') as tf.Tensor1D;
    const v = this.inputDim;
    const lookup = tf.customGrad((...a: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const e = a[0] as tf.Tensor;
      (a[1] as tf.GradSaveFunc)([]);
      return {
        value: tf.gather(e, ids),
        gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.matMul(tf.transpose(tf.oneHot(ids, v)), dy as tf.Tensor2D),
      };
    });
    return tf.reshape(lookup(this.embeddings!), [...x.shape, this.outputDim]);
  }

  protected override layerConfig(): Record<string, unknown> {
    return {
      input_dim: this.inputDim, output_dim: this.outputDim,
      embeddings_initializer: initializerConfig(this.embeddingsInitializer), embeddings_regularizer: null,
      activity_regularizer: null, embeddings_constraint: null, mask_zero: false, input_length: null,
    };
  }

  static fromConfig(c: Record<string, unknown>): Embedding {
    return new Embedding({
      ...baseArgs(c), inputDim: Number(c['input_dim']), outputDim: Number(c['output_dim']),
      ...(c['embeddings_initializer'] ? { embeddingsInitializer: c['embeddings_initializer'] as InitializerSpec } : {}),
    });
  }
}
