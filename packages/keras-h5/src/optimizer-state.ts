/**
 * Optimizer state across layouts. tf_keras (2.11+) stores `[iteration, slots…]`
 * (Adam: `m`, `v` per trainable variable, interleaved); Keras 3 stores
 * `[iterations, learning_rate, slots…]` with the same slot order. Converting
 * inserts or drops the `learning_rate` scalar so training resumes with the same state.
 */
import type { OptimizerState, TensorRecord } from './model-desc.js';

/** Variable order of a stored optimizer. */
export type OptimizerLayout = 'tf_keras' | 'keras3';

/** Keras's default learning rate, used when the optimizer config has none. */
export const DEFAULT_LEARNING_RATE = 0.001;

/**
 * Tells the layout of stored optimizer variables: from their names (`…/learning_rate`), else
 * the writer's Keras version, else the shape of variable 1 (a float scalar in Keras 3).
 */
export function detectOptimizerLayout(state: OptimizerState, kerasVersion?: string): OptimizerLayout {
  const w = state.weights;
  if (w.some((t) => /(^|\/)learning_rate$/.test(t.name))) return 'keras3';
  if (w.some((t) => /(^|\/)iteration$/.test(t.name) && !t.name.includes('/'))) return 'tf_keras';
  if (kerasVersion !== undefined && /^3\./.test(kerasVersion)) return 'keras3';
  if (kerasVersion !== undefined && /^2\./.test(kerasVersion)) return 'tf_keras';
  const second = w[1];
  return second !== undefined && second.shape.length === 0 && (second.dtype === 'float32' || second.dtype === 'float64') ? 'keras3' : 'tf_keras';
}

/**
 * Returns the state in the `to` layout (unchanged when it already is).
 * @param learningRate value for the Keras 3 `learning_rate` variable (from the optimizer config).
 */
export function convertOptimizerState(state: OptimizerState, from: OptimizerLayout, to: OptimizerLayout, learningRate = DEFAULT_LEARNING_RATE): OptimizerState {
  if (from === to || state.weights.length === 0) return state;
  const [first, ...rest] = state.weights;
  if (to === 'keras3') {
    const lr: TensorRecord = { name: 'learning_rate', dtype: 'float32', shape: [], data: Float32Array.of(learningRate) };
    return { ...state, weights: [{ ...first!, name: 'iteration' }, lr, ...rest] };
  }
  return { ...state, weights: [{ ...first!, name: 'iteration' }, ...rest.slice(1)] };
}
