import type { TensorInput, TrackableSpec } from '../src/index.js';

/** Values of the tutorial model Dense(512, input 784) → Dropout → Dense(10) trained with tf_keras Adam. */
export interface TutorialValues {
  readonly k0: TensorInput; readonly b0: TensorInput; readonly k1: TensorInput; readonly b1: TensorInput;
  readonly iterations: TensorInput; readonly learningRate: TensorInput;
  /** m/v per variable, in order m(k0) v(k0) m(b0) v(b0) m(k1) v(k1) m(b1) v(b1). */
  readonly slots: readonly TensorInput[];
}

/**
 * The object structure tf_keras 2.21 records for the tutorial Sequential model with the
 * (non-legacy) Adam optimizer, as seen in fixtures/tutorial-tf-keras/training_1/cp.ckpt:
 * layer edges `layer_with_weights-N` then `layer-i`, the optimizer's `_variables` list
 * (iteration first, then m/v interleaved), `_iterations`, `_learning_rate`, `_index_dict`,
 * `_momentums`, `_velocities`; `withFunctions` adds the empty tf.function nodes and the
 * root self-edge that a model has after fit().
 */
export function tutorialSpec(v: TutorialValues, withFunctions: boolean): TrackableSpec {
  const variable = (full_name: string, value: TensorInput): TrackableSpec => ({ attributes: [{ full_name, value }] });
  const kernel0 = variable('dense/kernel', v.k0);
  const bias0 = variable('dense/bias', v.b0);
  const kernel1 = variable('dense_1/kernel', v.k1);
  const bias1 = variable('dense_1/bias', v.b1);
  const dense0: TrackableSpec = { children: [['kernel', kernel0], ['bias', bias0]] };
  const dense1: TrackableSpec = { children: [['kernel', kernel1], ['bias', bias1]] };
  const dropout: TrackableSpec = {};
  const iterations = variable('iteration', v.iterations);
  const lr = variable('learning_rate', v.learningRate);
  const names = ['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias'];
  const slots = v.slots.map((value, i) => variable(`Adam/${i % 2 === 0 ? 'm' : 'v'}/${names[i >> 1]}`, value));
  const variablesList: TrackableSpec = { children: [['0', iterations], ...slots.map((s, i) => [String(i + 1), s] as const)] };
  const momentums: TrackableSpec = { children: slots.filter((_, i) => i % 2 === 0).map((s, i) => [String(i), s] as const) };
  const velocities: TrackableSpec = { children: slots.filter((_, i) => i % 2 === 1).map((s, i) => [String(i), s] as const) };
  const optimizer: TrackableSpec = {
    children: [['_variables', variablesList], ['_iterations', iterations], ['_learning_rate', lr], ['_index_dict', {}], ['_momentums', momentums], ['_velocities', velocities]],
  };
  const children: Array<readonly [string, TrackableSpec]> = [
    ['layer_with_weights-0', dense0], ['layer-0', dense0], ['layer-1', dropout], ['layer_with_weights-1', dense1], ['layer-2', dense1], ['optimizer', optimizer],
  ];
  const root: { children: Array<readonly [string, TrackableSpec]> } = { children };
  if (withFunctions) {
    const train: TrackableSpec = {};
    children.push(['train_tf_function', train], ['train_function', train], ['test_function', {}], ['root', root]);
  }
  return root;
}
