/**
 * Optimizer state across layouts. tf_keras (2.11+) stores `[iteration, slots…]`
 * (Adam: `m`, `v` per trainable variable, interleaved); Keras 3 stores
 * `[iterations, learning_rate, slots…]` with the same slot order, except that its
 * SGD without momentum has no slots where tf_keras keeps an unused `m` per
 * variable. Converting inserts or drops the `learning_rate` scalar (and those
 * unused slots on the way to Keras 3) so training resumes with the same state.
 */
import { isJsonObject } from './model-desc.js';
import type { JsonObject, OptimizerState, TensorRecord } from './model-desc.js';

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
 * True when Keras 3 keeps no slot variables for the optimizer `{class_name, config}`: SGD whose momentum is
 * 0 or unset (tf_keras keeps an unused `m` per variable there).
 */
export function keras3KeepsNoSlots(config: JsonObject | undefined): boolean {
  if (config === undefined) return false;
  const cls = typeof config['class_name'] === 'string' ? config['class_name'].replace(/^.*[.>]/, '') : '';
  const inner = config['config'];
  const momentum = isJsonObject(inner) ? inner['momentum'] : undefined;
  return cls === 'SGD' && (momentum === undefined || momentum === 0);
}

/**
 * Returns the state in the `to` layout (unchanged when it already is).
 * @param learningRate value for the Keras 3 `learning_rate` variable (from the optimizer config).
 * @param optimizerConfig `{class_name, config}` of the optimizer, when `state.config` lacks it.
 */
export function convertOptimizerState(state: OptimizerState, from: OptimizerLayout, to: OptimizerLayout, learningRate = DEFAULT_LEARNING_RATE, optimizerConfig?: JsonObject): OptimizerState {
  if (from === to || state.weights.length === 0) return state;
  const [first, ...rest] = state.weights;
  if (to === 'keras3') {
    const lr: TensorRecord = { name: 'learning_rate', dtype: 'float32', shape: [], data: Float32Array.of(learningRate) };
    const slots = keras3KeepsNoSlots(state.config ?? optimizerConfig) ? [] : rest;
    return { ...state, weights: [{ ...first!, name: 'iteration' }, lr, ...slots] };
  }
  return { ...state, weights: [{ ...first!, name: 'iteration' }, ...rest.slice(1)] };
}
