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
import { tfKerasOptimizerTree, tfKerasVariableOrder, type TrackableSpec } from '@tfsave/tensor-bundle';
import { InputLayer } from './layers/core.js';
import type { Model } from './model.js';
import type { Optimizer } from './optimizers.js';

function leaf(fullName: string, t: tf.Tensor): TrackableSpec {
  return { attributes: [{ full_name: fullName, value: { dtype: 'float32', shape: [...t.shape], data: (t.dataSync() as Float32Array).slice() } }] };
}

/**
 * Where each of tf_keras's `optimizer.variables` (after `iteration`) sits in `opt.variables()`: tf_keras creates
 * the slots group by group (Adam `m`,`v` per variable then every `vhat`; RMSprop every `velocity`, then every
 * `momentum`, …), the runtime variable by variable. Identity for an optimizer tf_keras does not know.
 */
export function kerasSlotOrder(opt: Optimizer): number[] {
  const kinds = opt.slotKinds;
  const count = opt.variables().length;
  const order = kinds.length === 0 ? undefined : tfKerasVariableOrder(opt.className, kinds, count / kinds.length);
  return order === undefined ? Array.from({ length: count }, (_, i) => i) : order.map((o) => o.variable * kinds.length + kinds.indexOf(o.kind));
}

/** The optimizer state in tf_keras's order: iterations, learning rate and the slots (kind, name, values). */
export function kerasOptimizerState(opt: Optimizer): { iterations: number; learningRate: number; slots: Array<{ kind: string; name: string; shape: number[]; data: Float32Array }> } {
  const vars = opt.variables();
  const kinds = opt.slotKinds;
  return {
    iterations: opt.iterations, learningRate: opt.learningRate,
    slots: kerasSlotOrder(opt).map((i) => ({ kind: kinds[i % kinds.length]!, name: vars[i]!.name, shape: [...vars[i]!.variable.shape], data: (vars[i]!.variable.dataSync() as Float32Array).slice() })),
  };
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
    const order = kerasSlotOrder(opt);
    const count = order.length;
    const values: tf.Tensor[] = new Array<tf.Tensor>(count);
    for (let i = 1; i <= count; i++) {
      const t = await lookup(attr(`optimizer/_variables/${i}`));
      if (!t) throw new Error(`runtime: checkpoint has no optimizer/_variables/${i}`);
      values[order[i - 1]!] = tf.tensor(Float32Array.from(t.data as ArrayLike<number>), [...t.shape]);
    }
    opt.restore(model.trainableWeights, Number(it.data[0]), values);
    for (const v of values) v.dispose();
    n += count + 1;
  }
  return n;
}
