/**
 * Keras weight paths of a checkpoint: a checkpoint written by `tfsave convert`
 * carries its model; a tf_keras object-based checkpoint names every variable in
 * its object graph (`full_name` = `dense/kernel`, `Adam/m/dense/kernel`); a
 * `tf.train.Checkpoint` of Keras 3 objects names model variables by path
 * (`dense/kernel`) and optimizer variables by their index in the optimizer's
 * `_variables` list, which is the order a `.keras` file stores them in (`optimizer/0`…).
 */
import { readObjectTree, type BundleReader, type TrackableObject } from '@tfsave/tensor-bundle';
import { hasStoredModel, readStoredModel } from '../convert/keras-checkpoint.js';
import type { TensorEntry } from '../model.js';
import { kerasWeightEntries } from './keras.js';
import { toTensorValue } from './tensor-data.js';

const LAYER = /(^|\/)layer_with_weights-\d+\//;
const OPTIMIZER = /(^|\/)optimizer\//;

/**
 * For a checkpoint of Keras 3 objects (an optimizer tracking `_trainable_variables`, or a
 * model tracking `_functional`): node id → index in the optimizer's `_variables`; else undefined.
 */
export function keras3OptimizerIndex(nodes: readonly TrackableObject[]): Map<number, number> | undefined {
  const child = (n: TrackableObject, name: string): number | undefined => n.children.find((c) => c.local_name === name)?.node_id;
  if (!nodes.some((n) => child(n, '_functional') !== undefined || child(n, '_trainable_variables') !== undefined)) return undefined;
  const out = new Map<number, number>();
  const opt = nodes.find((n) => child(n, '_trainable_variables') !== undefined && child(n, '_variables') !== undefined);
  const list = opt === undefined ? undefined : nodes[child(opt, '_variables')!];
  for (const c of list?.children ?? []) if (/^\d+$/.test(c.local_name)) out.set(c.node_id, Number(c.local_name));
  return out;
}

/**
 * The weights of a Keras checkpoint by Keras weight path (layer weights by variable
 * name, optimizer variables as `optimizer/<name>`), or undefined when the bundle is
 * not a Keras model's checkpoint. Reads the object graph entry.
 */
export async function bundleKerasWeights(reader: BundleReader): Promise<TensorEntry[] | undefined> {
  if (hasStoredModel(reader)) return kerasWeightEntries(await readStoredModel(reader));
  let tree;
  try {
    tree = await readObjectTree(reader);
  } catch {
    return undefined;
  }
  if (tree === undefined) return undefined;
  const keras3 = keras3OptimizerIndex(tree.nodes);
  if (keras3 === undefined && !tree.keys.some((k) => LAYER.test(`${k.objectPath}/`))) return undefined;
  const out: TensorEntry[] = [];
  for (const k of tree.keys) {
    if (k.attribute !== 'VARIABLE_VALUE' || !reader.has(k.checkpointKey)) continue;
    const name = k.fullName.replace(/:0$/, '');
    const index = keras3?.get(k.nodeId);
    const weightPath = keras3 !== undefined
      ? (index !== undefined ? `optimizer/${index}` : name.includes('/') ? name : undefined)
      : LAYER.test(`${k.objectPath}/`) ? name : OPTIMIZER.test(k.objectPath) ? `optimizer/${name}` : undefined;
    if (weightPath === undefined) continue;
    const e = reader.entry(k.checkpointKey);
    const info = reader.entries().find((i) => i.name === k.checkpointKey)!;
    out.push({
      name: k.checkpointKey,
      weightPath,
      dtype: info.dtype,
      shape: e.shape,
      byteSize: info.size,
      async read() {
        const t = await reader.readTensor(k.checkpointKey);
        return toTensorValue(t.dtype, t.shape, t.data);
      },
    });
  }
  return out;
}
