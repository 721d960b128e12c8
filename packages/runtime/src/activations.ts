/**
 * Keras activations by their serialized names.
 */
import * as tf from '@tensorflow/tfjs-core';

/** An activation function over tensors. */
export type ActivationFn = (x: tf.Tensor) => tf.Tensor;

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

const table: Record<string, ActivationFn> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  softmax: (x) => tf.softmax(x, -1),
  log_softmax: (x) => tf.logSoftmax(x, -1),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.mul(SELU_SCALE, tf.where(tf.greater(x, 0), x, tf.mul(SELU_ALPHA, tf.sub(tf.exp(x), 1)))),
  softplus: (x) => tf.softplus(x),
  softsign: (x) => tf.div(x, tf.add(tf.abs(x), 1)),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  gelu: (x) => tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))),
  exponential: (x) => tf.exp(x),
  hard_sigmoid: (x) => tf.clipByValue(tf.add(tf.mul(x, 0.2), 0.5), 0, 1),
  leaky_relu: (x) => tf.leakyRelu(x, 0.2),
  mish: (x) => tf.mul(x, tf.tanh(tf.softplus(x))),
};

/** The serialized names of every supported activation. */
export const activationNames: readonly string[] = Object.keys(table);

/**
 * The activation called `name` (Keras's serialized name; `null`/`undefined` is `linear`).
 * @throws Error when the name is unknown.
 */
export function getActivation(name: string | null | undefined): ActivationFn {
  const fn = table[name ?? 'linear'];
  if (!fn) throw new Error(`runtime: unknown activation '${String(name)}' (known: ${activationNames.join(', ')})`);
  return fn;
}
