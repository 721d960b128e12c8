/**
 * Keras accuracy metrics: per-example values whose running mean is logged
 * under the metric's name.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Loss } from './losses.js';

/** A mean metric over per-example values. */
export interface Metric {
  /** The name in logs (`sparse_categorical_accuracy`, `accuracy`, …). */
  readonly name: string;
  readonly className: string;
  perExample(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D;
}

type Fn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor1D;

const sparseCategorical: Fn = (yTrue, yPred) => {
  const pred = tf.reshape(tf.argMax(yPred, -1), [-1]);
  return tf.cast(tf.equal(pred, tf.cast(tf.reshape(yTrue, [-1]), 'int32')), 'float32') as tf.Tensor1D;
};
const categorical: Fn = (yTrue, yPred) =>
  tf.cast(tf.equal(tf.reshape(tf.argMax(yPred, -1), [-1]), tf.reshape(tf.argMax(yTrue, -1), [-1])), 'float32') as tf.Tensor1D;
const binary: Fn = (yTrue, yPred) => {
  const eq = tf.cast(tf.equal(tf.cast(tf.greater(yPred, 0.5), 'float32'), tf.cast(yTrue, 'float32')), 'float32');
  return (eq.rank <= 1 ? eq : tf.reshape(tf.mean(eq, -1), [-1])) as tf.Tensor1D;
};
const exact: Fn = (yTrue, yPred) => {
  const eq = tf.cast(tf.equal(tf.cast(yPred, 'float32'), tf.cast(yTrue, 'float32')), 'float32');
  return (eq.rank <= 1 ? eq : tf.reshape(tf.mean(eq, -1), [-1])) as tf.Tensor1D;
};

class MeanMetric implements Metric {
  constructor(readonly name: string, readonly className: string, private readonly fn: Fn) {}
  perExample(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor1D {
    return this.fn(yTrue, yPred);
  }
}

/** `argmax(yPred) == yTrue` for integer targets. */
export function sparseCategoricalAccuracy(name = 'sparse_categorical_accuracy'): Metric {
  return new MeanMetric(name, 'SparseCategoricalAccuracy', sparseCategorical);
}
/** `argmax(yPred) == argmax(yTrue)` for one-hot targets. */
export function categoricalAccuracy(name = 'categorical_accuracy'): Metric {
  return new MeanMetric(name, 'CategoricalAccuracy', categorical);
}
/** `(yPred > 0.5) == yTrue`. */
export function binaryAccuracy(name = 'binary_accuracy'): Metric {
  return new MeanMetric(name, 'BinaryAccuracy', binary);
}
/** Exact equality of predictions and targets. */
export function accuracy(name = 'accuracy'): Metric {
  return new MeanMetric(name, 'Accuracy', exact);
}

/**
 * A metric from a Keras name or instance. `'accuracy'`/`'acc'` resolve as Keras
 * does from the loss (sparse/categorical/binary) and keep the name `accuracy`.
 */
export function getMetric(spec: string | Metric, loss: Loss | undefined): Metric {
  if (typeof spec !== 'string') return spec;
  switch (spec) {
    case 'accuracy': case 'acc': {
      const n = loss?.name ?? '';
      if (n === 'sparse_categorical_crossentropy') return sparseCategoricalAccuracy(spec);
      if (n === 'categorical_crossentropy') return categoricalAccuracy(spec);
      if (n === 'binary_crossentropy') return binaryAccuracy(spec);
      return accuracy(spec);
    }
    case 'sparse_categorical_accuracy': case 'SparseCategoricalAccuracy': return sparseCategoricalAccuracy();
    case 'categorical_accuracy': case 'CategoricalAccuracy': return categoricalAccuracy();
    case 'binary_accuracy': case 'BinaryAccuracy': return binaryAccuracy();
    case 'Accuracy': return accuracy();
    default: throw new Error(`runtime: unknown metric '${spec}'`);
  }
}
