/**
 * The object graph tf_keras writes for `model.save_weights(prefix)` in the TF
 * checkpoint format: `layer_with_weights-k` / `layer-i` edges, variables as
 * children by attribute name, and the optimizer's `_variables` / `_iterations`
 * / `_learning_rate` (+ per-slot lists), laid out by the shared tf_keras optimizer
 * layout of `@tfsave/tensor-bundle`. Keys look like
 * `layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE` and `optimizer/_variables/1/...`.
 * Layout facts: tf_keras/engine/functional.py (_layer_checkpoint_dependencies), tf_keras/optimizers/optimizer.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import { keras3KeepsNoSlots, type JsonObject } from '@tfsave/keras-h5';
import { tfKerasOptimizerTree, tfKerasVariableOrder, type BundleReader, type TrackableSpec } from '@tfsave/tensor-bundle';
import { InputLayer } from './layers/core.js';
import type { Model } from './model.js';
import type { NamedVariable, Optimizer } from './optimizers.js';

function leaf(fullName: string, t: tf.Tensor): TrackableSpec {
  return { attributes: [{ full_name: fullName, value: { dtype: 'float32', shape: [...t.shape], data: (t.dataSync() as Float32Array).slice() } }] };
}

/** Which Keras writes (or reads) the optimizer state: tf_keras 2.x (`.h5`, TF checkpoint, SavedModel) or Keras 3 (`.keras`, `.weights.h5`). */
export type KerasOptimizerLayout = 'tf_keras' | 'keras3';

/**
 * The slot kinds Keras keeps for `opt` in `layout`: all of the runtime's, except that Keras 3's SGD creates no
 * `momentum` slots when `momentum` is 0 (keras/src/optimizers/sgd.py `build`), where tf_keras's SGD always has `m`.
 * Otherwise Keras 3 orders its slots after `iterations` and `learning_rate` as tf_keras does (checked against
 * files both write: Adam with amsgrad, SGD with momentum and Nesterov, RMSprop plain, with momentum and
 * centered, Adagrad).
 */
export function kerasSlotKinds(opt: Optimizer, layout: KerasOptimizerLayout): string[] {
  return layout === 'keras3' && keras3KeepsNoSlots({ class_name: opt.className, config: opt.getConfig() as JsonObject }) ? [] : opt.slotKinds;
}

/**
 * Where each of Keras's `optimizer.variables` (after `iteration`, and Keras 3's `learning_rate`) sits in
 * `opt.variables()`, for state holding the slot kinds `kinds` (default: all of the runtime's): Keras creates the
 * slots group by group (Adam `m`,`v` per variable then every `vhat`; RMSprop every `velocity`, then every
 * `momentum`, …), the runtime variable by variable. Identity for an optimizer tf_keras does not know.
 * `opt` must be built.
 */
export function kerasSlotOrder(opt: Optimizer, kinds: readonly string[] = opt.slotKinds): number[] {
  const all = opt.slotKinds;
  const count = opt.variables().length;
  if (kinds.length === 0 || all.length === 0) return [];
  const order = tfKerasVariableOrder(opt.className, kinds, count / all.length);
  return order === undefined ? Array.from({ length: count }, (_, i) => i) : order.map((o) => o.variable * all.length + all.indexOf(o.kind));
}

/** The optimizer state in Keras's order for `layout`: iterations, learning rate and the slots (kind, name, values). */
export function kerasOptimizerState(opt: Optimizer, layout: KerasOptimizerLayout = 'tf_keras'): { iterations: number; learningRate: number; slots: Array<{ kind: string; name: string; shape: number[]; data: Float32Array }> } {
  const vars = opt.variables();
  const kinds = opt.slotKinds;
  return {
    iterations: opt.iterations, learningRate: opt.learningRate,
    slots: kerasSlotOrder(opt, kerasSlotKinds(opt, layout)).map((i) => ({ kind: kinds[i % kinds.length]!, name: vars[i]!.name, shape: [...vars[i]!.variable.shape], data: (vars[i]!.variable.dataSync() as Float32Array).slice() })),
  };
}

/**
 * Restores `iterations` and the slots stored in Keras's order for `layout` (without `iteration` and
 * `learning_rate`). Slots the layout does not keep (Keras 3's SGD without momentum) keep their current values;
 * a count that matches all of the runtime's kinds is taken as such (files written before that distinction).
 * @throws Error when the count or a shape does not match.
 */
export function restoreKerasOptimizer(opt: Optimizer, vars: readonly NamedVariable[], iterations: number, stored: readonly tf.Tensor[], layout: KerasOptimizerLayout): void {
  opt.build(vars);
  const kept = kerasSlotOrder(opt, kerasSlotKinds(opt, layout));
  const order = stored.length !== kept.length && stored.length === opt.variables().length ? kerasSlotOrder(opt) : kept;
  if (stored.length !== order.length) {
    throw new Error(`runtime: ${opt.className} keeps ${order.length} state variables in the ${layout} layout, the file has ${stored.length}`);
  }
  const values: Array<tf.Tensor | undefined> = opt.variables().map(() => undefined);
  order.forEach((at, i) => { values[at] = stored[i]!; });
  const current = opt.variables().map((s, i) => (values[i] === undefined ? tf.clone(s.variable) : undefined));
  try {
    opt.restore(vars, iterations, values.map((v, i) => v ?? current[i]!));
  } finally {
    for (const c of current) c?.dispose();
  }
}

/** Builds the object graph spec of `model` (with optimizer state when it has stepped). */
export function checkpointSpec(model: Model): TrackableSpec {
  const children: Array<[string, TrackableSpec]> = [];
  const varSpecs = new Map<tf.Variable, TrackableSpec>();
  let k = 0;
  model.layers.filter((l) => !(l instanceof InputLayer)).forEach((layer, i) => {
    const spec: TrackableSpec = {
      children: layer.weights.map((w) => {
        const s = leaf(`${layer.name}/${w.name}`, w.variable);
        varSpecs.set(w.variable, s);
        return [w.name, s] as const;
      }),
    };
    if (layer.weights.length > 0) children.push([`layer_with_weights-${k++}`, spec]);
    children.push([`layer-${i}`, spec]);
  });
  const opt = model.compiled?.optimizer;
  if (opt && opt.iterations > 0) {
    const st = kerasOptimizerState(opt);
    const tree = tfKerasOptimizerTree({
      className: opt.className,
      iterations: { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(st.iterations)) },
      learningRate: { dtype: 'float32', shape: [], data: Float32Array.of(st.learningRate) },
      slots: st.slots.map((s) => ({ kind: s.kind, full_name: s.name, value: { dtype: 'float32', shape: s.shape, data: s.data } })),
    });
    children.push(['optimizer', tree.spec]);
  }
  return { children };
}

/** Reads one checkpoint tensor by key, or undefined when absent. */
export type CheckpointLookup = (key: string) => Promise<{ shape: readonly number[]; data: ArrayLike<number | bigint> } | undefined>;

const attr = (path: string): string => `${path}/.ATTRIBUTES/VARIABLE_VALUE`;

/**
 * Restores weights (and optimizer state when the checkpoint has it and the model
 * is compiled) from a tf_keras-layout checkpoint. Returns the number of tensors restored.
 * @throws Error when a weight is missing or a shape differs.
 */
export async function restoreCheckpoint(model: Model, lookup: CheckpointLookup): Promise<number> {
  let n = 0;
  let k = 0;
  for (const layer of model.layers.filter((l) => !(l instanceof InputLayer))) {
    if (layer.weights.length === 0) continue;
    for (const w of layer.weights) {
      const key = attr(`layer_with_weights-${k}/${w.name}`);
      const t = await lookup(key);
      if (!t) throw new Error(`runtime: checkpoint has no ${key} for ${layer.name}/${w.name}`);
      if (t.shape.join(',') !== w.variable.shape.join(',')) throw new Error(`runtime: ${key} has shape [${t.shape}], ${layer.name}/${w.name} is [${w.variable.shape}]`);
      w.variable.assign(tf.tensor(Float32Array.from(t.data as ArrayLike<number>), w.variable.shape));
      n++;
    }
    k++;
  }
  const opt = model.compiled?.optimizer;
  const it = await lookup(attr('optimizer/_iterations'));
  // A checkpoint written before the first step has `_iterations` but no slots yet.
  if (opt && it && (await lookup(attr('optimizer/_variables/1')))) {
    opt.build(model.trainableWeights);
    const count = kerasSlotOrder(opt).length;
    const values: tf.Tensor[] = [];
    for (let i = 1; i <= count; i++) {
      const t = await lookup(attr(`optimizer/_variables/${i}`));
      if (!t) throw new Error(`runtime: checkpoint has no optimizer/_variables/${i}`);
      values.push(tf.tensor(Float32Array.from(t.data as ArrayLike<number>), [...t.shape]));
    }
    try {
      restoreKerasOptimizer(opt, model.trainableWeights, Number(it.data[0]), values, 'tf_keras');
    } finally {
      for (const v of values) v.dispose();
    }
    n += count + 1;
  }
  return n;
}

/** {@link restoreCheckpoint} from an open bundle (a checkpoint prefix or a SavedModel's `variables/`), which it then closes. */
export async function restoreFromBundle(model: Model, reader: BundleReader): Promise<number> {
  try {
    return await restoreCheckpoint(model, async (key) => {
      if (!reader.has(key)) return undefined;
      const t = await reader.readTensor(key);
      return { shape: t.shape, data: t.data as ArrayLike<number | bigint> };
    });
  } finally {
    await reader.close();
  }
}
