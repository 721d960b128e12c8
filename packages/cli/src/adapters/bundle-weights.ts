/**
 * Keras weight paths of a checkpoint: a checkpoint written by `tfsave convert`
 * carries its model; a tf_keras object-based checkpoint names every variable in
 * its object graph (`full_name` = `dense/kernel`, `Adam/m/dense/kernel`).
 */
import { readObjectTree, type BundleReader } from '@tfsave/tensor-bundle';
import { hasStoredModel, readStoredModel } from '../convert/keras-checkpoint.js';
import type { TensorEntry } from '../model.js';
import { kerasWeightEntries } from './keras.js';
import { toTensorValue } from './tensor-data.js';

const LAYER = /(^|\/)layer_with_weights-\d+\//;
const OPTIMIZER = /(^|\/)optimizer\//;

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
  if (tree === undefined || !tree.keys.some((k) => LAYER.test(`${k.objectPath}/`))) return undefined;
  const out: TensorEntry[] = [];
  for (const k of tree.keys) {
    if (k.attribute !== 'VARIABLE_VALUE' || !reader.has(k.checkpointKey)) continue;
    const name = k.fullName.replace(/:0$/, '');
    const weightPath = LAYER.test(`${k.objectPath}/`) ? name : OPTIMIZER.test(k.objectPath) ? `optimizer/${name}` : undefined;
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
