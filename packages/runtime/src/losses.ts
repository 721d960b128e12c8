/**
 * Keras losses: per-example values, reduced by the trainer as
 * `sum_over_batch_size` (the mean over the batch).
 */
import * as tf from '@tensorflow/tfjs-core';

/** Clipping epsilon Keras applies to probabilities (`backend.epsilon()`). */
const EPS = 1e-7;

/** A loss: per-example values `[batch]` from targets and predictions. */
export interface Loss {
  /** Keras's snake_case name (`sparse_categorical_crossentropy`). */
  readonly name: string;
  /** Keras class name for configs. */
  readonly className: string;
  readonly fromLogits: boolean;
  perExample(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D;
  getConfig(): Record<string, unknown>;
}

/** Options of the cross-entropy losses. */
export interface CrossentropyArgs {
  fromLogits?: boolean;
}

function config(name: string, fromLogits?: boolean): Record<string, unknown> {
  const c: Record<string, unknown> = { reduction: 'auto', name };
  if (fromLogits !== undefined) c['from_logits'] = fromLogits;
  return c;
}

function lastAxisMean(t: tf.Tensor): tf.Tensor1D {
  return (t.rank === 1 ? t : tf.reshape(tf.mean(t, -1), [-1])) as tf.Tensor1D;
}

function clippedLogProbs(yPred: tf.Tensor, fromLogits: boolean): tf.Tensor {
  if (fromLogits) return tf.logSoftmax(yPred, -1);
  const p = tf.div(yPred, tf.sum(yPred, -1, true));
  return tf.log(tf.clipByValue(p, EPS, 1 - EPS));
}

/** Cross-entropy with integer class ids as targets. */
export class SparseCategoricalCrossentropy implements Loss {
  readonly name = 'sparse_categorical_crossentropy';
  readonly className = 'SparseCategoricalCrossentropy';
  readonly fromLogits: boolean;
  constructor(args: CrossentropyArgs = {}) {
    this.fromLogits = args.fromLogits ?? false;
  }
  perExample(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
    const classes = yPred.shape[yPred.rank - 1]!;
    const ids = tf.cast(tf.reshape(yTrue, [-1]), 'int32') as tf.Tensor1D;
    const logp = tf.reshape(clippedLogProbs(yPred, this.fromLogits), [-1, classes]);
    return tf.neg(tf.sum(tf.mul(tf.oneHot(ids, classes), logp), -1)) as tf.Tensor1D;
  }
  getConfig(): Record<string, unknown> {
    return { ...config(this.name, this.fromLogits), ignore_class: null };
  }
}

/** Cross-entropy with one-hot targets. */
export class CategoricalCrossentropy implements Loss {
  readonly name = 'categorical_crossentropy';
  readonly className = 'CategoricalCrossentropy';
  readonly fromLogits: boolean;
  constructor(args: CrossentropyArgs = {}) {
    this.fromLogits = args.fromLogits ?? false;
  }
  perExample(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
    return tf.reshape(tf.neg(tf.sum(tf.mul(yTrue, clippedLogProbs(yPred, this.fromLogits)), -1)), [-1]) as tf.Tensor1D;
  }
  getConfig(): Record<string, unknown> {
    return { ...config(this.name, this.fromLogits), label_smoothing: 0, axis: -1 };
  }
}

/** Binary cross-entropy, averaged over the last axis. */
export class BinaryCrossentropy implements Loss {
  readonly name = 'binary_crossentropy';
  readonly className = 'BinaryCrossentropy';
  readonly fromLogits: boolean;
  constructor(args: CrossentropyArgs = {}) {
    this.fromLogits = args.fromLogits ?? false;
  }
  perExample(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
    const y = tf.cast(yTrue, 'float32');
    if (this.fromLogits) {
      const x = yPred;
      return lastAxisMean(tf.add(tf.sub(tf.relu(x), tf.mul(x, y)), tf.log1p(tf.exp(tf.neg(tf.abs(x))))));
    }
    const p = tf.clipByValue(yPred, EPS, 1 - EPS);
    const bce = tf.add(tf.mul(y, tf.log(tf.add(p, EPS))), tf.mul(tf.sub(1, y), tf.log(tf.add(tf.sub(1, p), EPS))));
    return lastAxisMean(tf.neg(bce));
  }
  getConfig(): Record<string, unknown> {
    return { ...config(this.name, this.fromLogits), label_smoothing: 0, axis: -1 };
  }
}

/** Mean squared error over the last axis. */
export class MeanSquaredError implements Loss {
  readonly name = 'mean_squared_error';
  readonly className = 'MeanSquaredError';
  readonly fromLogits = false;
  perExample(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
    return lastAxisMean(tf.squaredDifference(yPred, tf.cast(yTrue, 'float32')));
  }
  getConfig(): Record<string, unknown> {
    return config(this.name);
  }
}

/** Mean absolute error over the last axis. */
export class MeanAbsoluteError implements Loss {
  readonly name = 'mean_absolute_error';
  readonly className = 'MeanAbsoluteError';
  readonly fromLogits = false;
  perExample(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
    return lastAxisMean(tf.abs(tf.sub(yPred, tf.cast(yTrue, 'float32'))));
  }
  getConfig(): Record<string, unknown> {
    return config(this.name);
  }
}

/**
 * A loss from a Keras name (`'mse'`, `'sparse_categorical_crossentropy'`, …),
 * a `{class_name, config}` object, or a Loss instance.
 */
export function getLoss(spec: string | Loss | { class_name: string; config?: Record<string, unknown> }): Loss {
  if (typeof spec === 'object' && 'perExample' in spec) return spec;
  const name = typeof spec === 'string' ? spec : spec.class_name;
  const fromLogits = typeof spec === 'string' ? false : spec.config?.['from_logits'] === true;
  switch (name) {
    case 'sparse_categorical_crossentropy': case 'SparseCategoricalCrossentropy':
      return new SparseCategoricalCrossentropy({ fromLogits });
    case 'categorical_crossentropy': case 'CategoricalCrossentropy': return new CategoricalCrossentropy({ fromLogits });
    case 'binary_crossentropy': case 'BinaryCrossentropy': return new BinaryCrossentropy({ fromLogits });
    case 'mse': case 'mean_squared_error': case 'MeanSquaredError': return new MeanSquaredError();
    case 'mae': case 'mean_absolute_error': case 'MeanAbsoluteError': return new MeanAbsoluteError();
    default: throw new Error(`runtime: unknown loss '${name}'`);
  }
}
