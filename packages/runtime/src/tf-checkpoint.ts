/**
 * The object graph tf_keras writes for `model.save_weights(prefix)` in the TF
 * checkpoint format: `layer_with_weights-k` / `layer-i` edges, variables as
 * children by attribute name, and the optimizer's `_variables` / `_iterations`
 * / `_learning_rate` (+ per-slot lists). Keys look like
 * `layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE` and `optimizer/_variables/1/...`.
 * Layout facts: tf_keras/engine/functional.py (_layer_checkpoint_dependencies), tf_keras/optimizers/optimizer.py.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TrackableSpec } from '@tfsave/tensor-bundle';
import { InputLayer } from './layers/core.js';
import type { Model } from './model.js';

/** Per-slot list names tf_keras's optimizers track (`m` → `_momentums`, …). */
const slotLists: Record<string, Record<string, string>> = {
  Adam: { m: '_momentums', v: '_velocities', vhat: '_velocity_hats' },
  SGD: { m: 'momentums' },
  RMSprop: { velocity: '_velocities', momentum: '_momentums', average_gradient: '_average_gradients' },
  Adagrad: { accumulator: '_accumulators' },
};

function leaf(fullName: string, t: tf.Tensor, dtype?: string): TrackableSpec {
  const data = dtype === 'int64' ? BigInt64Array.of(BigInt(Math.round(t.dataSync()[0]!))) : (t.dataSync() as Float32Array).slice();
  return { attributes: [{ full_name: fullName, value: { dtype: dtype ?? 'float32', shape: [...t.shape], data } }] };
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
    const iter = leaf('iteration', tf.scalar(opt.iterations, 'int32'), 'int64');
    const lr = leaf('learning_rate', tf.scalar(opt.learningRate));
    const slots = opt.variables().map((s) => leaf(s.name, s.variable));
    const kinds = opt.slotKinds;
    const lists = (slotLists[opt.className] ?? {}) as Record<string, string>;
    const optChildren: Array<[string, TrackableSpec]> = [
      ['_variables', { children: [['0', iter], ...slots.map((s, i) => [String(i + 1), s] as [string, TrackableSpec])] }],
      ['_iterations', iter],
      ['_learning_rate', lr],
    ];
    kinds.forEach((kind, j) => {
      const name = lists[kind];
      if (!name) return;
      const mine = slots.filter((_, i) => i % kinds.length === j);
      optChildren.push([name, { children: mine.map((s, i) => [String(i), s] as [string, TrackableSpec]) }]);
    });
    children.push(['optimizer', { children: optChildren }]);
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
    const count = opt.variables().length;
    const values: tf.Tensor[] = [];
    for (let i = 1; i <= count; i++) {
      const t = await lookup(attr(`optimizer/_variables/${i}`));
      if (!t) throw new Error(`runtime: checkpoint has no optimizer/_variables/${i}`);
      values.push(tf.tensor(Float32Array.from(t.data as ArrayLike<number>), [...t.shape]));
    }
    opt.restore(model.trainableWeights, Number(it.data[0]), values);
    for (const v of values) v.dispose();
    n += count + 1;
  }
  return n;
}
