/**
 * Keras models ↔ object-based TF checkpoints. A model is written the way
 * tf_keras `model.save_weights("ckpt")` lays it out (`layer_with_weights-K/kernel`,
 * `layer-I` edges, see tf_keras engine/functional.py `_layer_checkpoint_dependencies`),
 * so TensorFlow restores it into the same architecture. The model config,
 * layer/weight names and the optimizer state are added as plain entries under
 * {@link KERAS_MODEL_KEY} / {@link KERAS_OPTIMIZER_PREFIX} (outside the object
 * graph, so TF ignores them) and make the way back lossless.
 */
import { utf8Decode, utf8Encode } from '@tfsave/core';
import type { BundleReader, TensorInput, TrackableSpec } from '@tfsave/tensor-bundle';
import { isKerasObject, layerName, modelLayers, type JsonObject, type KerasModelDesc, type LayerWeights, type TensorRecord } from '@tfsave/keras-h5';
import { CliFailure } from '../cli-error.js';

/** Key of the JSON string entry describing the Keras model. */
export const KERAS_MODEL_KEY = '_TFSAVE_KERAS_MODEL';
/** Prefix of the optimizer-state entries. */
export const KERAS_OPTIMIZER_PREFIX = '_TFSAVE_KERAS_OPTIMIZER/';

interface StoredModel {
  model_config?: JsonObject;
  training_config?: JsonObject;
  keras_version?: string;
  backend?: string;
  layers: Array<{ name: string; weights: Array<{ name: string; key: string }> }>;
  optimizer?: { config?: JsonObject; weights: Array<{ name: string; key: string }> };
}

/** A checkpoint ready to write: the object tree plus extra plain entries. */
export interface CheckpointPlan {
  readonly root: TrackableSpec;
  readonly extras: ReadonlyArray<{ key: string; value: TensorInput }>;
}

const attrKey = (path: string): string => `${path}/.ATTRIBUTES/VARIABLE_VALUE`;

function modelLayerNames(desc: KerasModelDesc): string[] {
  if (desc.modelConfig !== undefined && isKerasObject(desc.modelConfig)) {
    const names = modelLayers(desc.modelConfig).filter((l) => l.class_name !== 'InputLayer').map(layerName);
    if (names.length > 0) return names;
  }
  return desc.layers.map((l) => l.name);
}

/**
 * Lays out a Keras model as a tf_keras-style object checkpoint.
 * @throws CliFailure when a layer's weights cannot be named as checkpoint attributes.
 */
export function planCheckpoint(desc: KerasModelDesc): CheckpointPlan {
  const byName = new Map(desc.layers.map((l) => [l.name, l]));
  const children: Array<readonly [string, TrackableSpec]> = [];
  const stored: StoredModel = { layers: [] };
  let k = 0;
  const names = modelLayerNames(desc);
  const seen = new Set<string>();
  const layerOrder = [...names, ...desc.layers.map((l) => l.name).filter((n) => !names.includes(n))];
  layerOrder.forEach((name, i) => {
    if (seen.has(name)) return;
    seen.add(name);
    const lw = byName.get(name);
    const weights = lw?.weights ?? [];
    const spec: TrackableSpec = {
      children: weights.map((w) => {
        if (!/^[A-Za-z_][\w.-]*$/.test(w.name)) throw new CliFailure(`layer ${name}: weight name ${JSON.stringify(w.name)} cannot be a checkpoint attribute`);
        return [w.name, { attributes: [{ full_name: `${name}/${w.name}`, value: toInput(w) }] }] as const;
      }),
    };
    if (weights.length > 0) {
      const edge = `layer_with_weights-${k++}`;
      children.push([edge, spec]);
      stored.layers.push({ name, weights: weights.map((w) => ({ name: w.name, key: attrKey(`${edge}/${w.name}`) })) });
    } else if (lw !== undefined) {
      stored.layers.push({ name, weights: [] });
    }
    if (i < names.length) children.push([`layer-${i}`, spec]);
  });
  const extras: Array<{ key: string; value: TensorInput }> = [];
  if (desc.optimizer !== undefined) {
    stored.optimizer = { ...(desc.optimizer.config === undefined ? {} : { config: desc.optimizer.config }), weights: [] };
    desc.optimizer.weights.forEach((w, i) => {
      const key = `${KERAS_OPTIMIZER_PREFIX}${i}`;
      stored.optimizer!.weights.push({ name: w.name, key });
      extras.push({ key, value: toInput(w) });
    });
  }
  if (desc.modelConfig !== undefined) stored.model_config = desc.modelConfig;
  if (desc.trainingConfig !== undefined) stored.training_config = desc.trainingConfig;
  if (desc.kerasVersion !== undefined) stored.keras_version = desc.kerasVersion;
  if (desc.backend !== undefined) stored.backend = desc.backend;
  extras.push({ key: KERAS_MODEL_KEY, value: { dtype: 'string', shape: [], data: [utf8Encode(JSON.stringify(stored))] } });
  return { root: { children }, extras };
}

function toInput(t: TensorRecord): TensorInput {
  return { dtype: t.dtype, shape: t.shape, data: t.data };
}

async function record(reader: BundleReader, key: string, name: string): Promise<TensorRecord> {
  const t = await reader.readTensor(key);
  if (Array.isArray(t.data)) throw new CliFailure(`checkpoint entry ${key} is a string tensor, not a weight`);
  return { name, dtype: t.dtype as TensorRecord['dtype'], shape: t.shape, data: t.data as TensorRecord['data'] };
}

/** True when the checkpoint carries the Keras model written by {@link planCheckpoint}. */
export function hasStoredModel(reader: BundleReader): boolean {
  return reader.has(KERAS_MODEL_KEY);
}

/** Rebuilds the Keras model stored by {@link planCheckpoint}. */
export async function readStoredModel(reader: BundleReader): Promise<KerasModelDesc> {
  const t = await reader.readTensor(KERAS_MODEL_KEY);
  const s = JSON.parse(utf8Decode((t.data as Uint8Array[])[0]!)) as StoredModel;
  const layers: LayerWeights[] = [];
  for (const l of s.layers) layers.push({ name: l.name, weights: await Promise.all(l.weights.map((w) => record(reader, w.key, w.name))) });
  const optimizer = s.optimizer === undefined ? undefined : {
    ...(s.optimizer.config === undefined ? {} : { config: s.optimizer.config }),
    weights: await Promise.all(s.optimizer.weights.map((w) => record(reader, w.key, w.name))),
  };
  return {
    layers,
    ...(s.model_config === undefined ? {} : { modelConfig: s.model_config }),
    ...(s.training_config === undefined ? {} : { trainingConfig: s.training_config }),
    ...(s.keras_version === undefined ? {} : { kerasVersion: s.keras_version }),
    ...(s.backend === undefined ? {} : { backend: s.backend }),
    ...(optimizer === undefined ? {} : { optimizer }),
  };
}

/**
 * Fills the architecture of `like` with the weights of a tf_keras-layout object
 * checkpoint (`[prefix/]layer_with_weights-K/<weight>`). Optimizer state is not mapped.
 * @throws CliFailure naming the first weight that is missing or has another shape or dtype.
 */
export async function weightsFromCheckpoint(reader: BundleReader, like: KerasModelDesc, keyPrefix = ''): Promise<KerasModelDesc> {
  let k = 0;
  const layers: LayerWeights[] = [];
  for (const name of [...modelLayerNames(like), ...like.layers.map((l) => l.name)].filter((n, i, a) => a.indexOf(n) === i)) {
    const lw = like.layers.find((l) => l.name === name);
    if (lw === undefined) continue;
    if (lw.weights.length === 0) {
      layers.push(lw);
      continue;
    }
    const edge = `${keyPrefix}layer_with_weights-${k++}`;
    const weights: TensorRecord[] = [];
    for (const w of lw.weights) {
      const key = attrKey(`${edge}/${w.name}`);
      if (!reader.has(key)) throw new CliFailure(`checkpoint has no ${key} for ${name}/${w.name}; it does not fit the --like model`);
      const t = await record(reader, key, w.name);
      if (t.dtype !== w.dtype || t.shape.join(',') !== w.shape.join(',')) {
        throw new CliFailure(`${key} is ${t.dtype} [${t.shape.join(', ')}] but ${name}/${w.name} is ${w.dtype} [${w.shape.join(', ')}]`);
      }
      weights.push(t);
    }
    layers.push({ name, weights });
  }
  const { optimizer: _dropped, ...rest } = like;
  void _dropped;
  return { ...rest, layers };
}
