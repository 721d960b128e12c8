/**
 * Keras models ↔ object-based TF checkpoints. A model is written exactly as tf_keras
 * `model.save_weights("ckpt")` lays it out after `load_model` (`layer_with_weights-K/kernel`,
 * `layer-I` edges, the optimizer's `_variables`/`_iterations`/`_learning_rate`, the root
 * self-edge; see tf_keras engine/functional.py `_layer_checkpoint_dependencies`), so
 * TensorFlow restores weights and optimizer state. The model config and layer/weight
 * names travel in one plain string entry, {@link KERAS_MODEL_KEY}, outside the object
 * graph (TF's restore never looks at it), which makes the way back lossless.
 */
import { utf8Decode, utf8Encode } from '@tfsave/core';
import type { BundleReader, TensorInput, TrackableSpec } from '@tfsave/tensor-bundle';
import { isKerasObject, layerName, modelLayers, type JsonObject, type KerasModelDesc, type LayerWeights, type TensorRecord } from '@tfsave/keras-h5';
import { CliFailure } from '../cli-error.js';
import { attrKey, planOptimizer } from './tf-keras-optimizer.js';

/** Key of the JSON string entry describing the Keras model. */
export const KERAS_MODEL_KEY = '_TFSAVE_KERAS_MODEL';
/** Prefix of plain entries holding optimizer state that has no tf_keras layout (unknown or unsupported optimizer). */
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
  /** What TensorFlow will not see (optimizer state kept as plain entries). */
  readonly notes: readonly string[];
}

/** Options of {@link planCheckpoint}. */
export interface PlanOptions {
  /** Leave the optimizer state out (default false). */
  readonly dropOptimizer?: boolean;
}

/** Layer names as `model.layers` lists them (a Sequential's InputLayer is not a layer; a Functional's is), plus their classes. */
function modelLayerInfo(desc: KerasModelDesc): { names: string[]; classes: Map<string, string> } {
  const classes = new Map<string, string>();
  if (desc.modelConfig !== undefined && isKerasObject(desc.modelConfig)) {
    const sequential = desc.modelConfig.class_name === 'Sequential';
    const layers = modelLayers(desc.modelConfig);
    for (const l of layers) classes.set(layerName(l), l.class_name);
    const names = layers.filter((l) => !(sequential && l.class_name === 'InputLayer')).map(layerName);
    if (names.length > 0) return { names, classes };
  }
  return { names: desc.layers.map((l) => l.name), classes };
}

/** Layer names in checkpoint order: the model's layers, then weight-holding layers the config does not list. */
function layerOrder(desc: KerasModelDesc, names: readonly string[]): string[] {
  return [...names, ...desc.layers.map((l) => l.name)].filter((n, i, a) => a.indexOf(n) === i);
}

/**
 * Lays out a Keras model as tf_keras's `save_weights` object checkpoint.
 * @throws CliFailure when a weight name cannot be a checkpoint attribute or the optimizer state has no tf_keras layout.
 */
export function planCheckpoint(desc: KerasModelDesc, options: PlanOptions = {}): CheckpointPlan {
  const byName = new Map(desc.layers.map((l) => [l.name, l]));
  const children: Array<readonly [string, TrackableSpec]> = [];
  const stored: StoredModel = { layers: [] };
  let k = 0;
  const { names, classes } = modelLayerInfo(desc);
  const order = layerOrder(desc, names);
  order.forEach((name, i) => {
    const lw = byName.get(name);
    const weights = lw?.weights ?? [];
    const own: Array<readonly [string, TrackableSpec]> = classes.get(name) === 'BatchNormalization' ? [['axis', {}]] : [];
    for (const w of weights) {
      if (!/^[A-Za-z_][\w.-]*$/.test(w.name)) throw new CliFailure(`layer ${name}: weight name ${JSON.stringify(w.name)} cannot be a checkpoint attribute`);
      own.push([w.name, { attributes: [{ full_name: `${name}/${w.name}`, value: toInput(w) }] }]);
    }
    const spec: TrackableSpec = { children: own };
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
  const notes: string[] = [];
  if (options.dropOptimizer !== true && desc.optimizer !== undefined) {
    let keys: readonly string[];
    try {
      const opt = planOptimizer(desc, order);
      if (opt !== undefined) children.push(['optimizer', opt.spec]);
      keys = opt?.keys ?? [];
    } catch (e) {
      if (!(e instanceof CliFailure)) throw e;
      keys = desc.optimizer.weights.map((_, i) => `${KERAS_OPTIMIZER_PREFIX}${i}`);
      desc.optimizer.weights.forEach((w, i) => extras.push({ key: keys[i]!, value: toInput(w) }));
      notes.push(`${e.message.replace(/; pass --drop-optimizer.*$/, '')}: kept as plain ${KERAS_OPTIMIZER_PREFIX}N entries that tfsave reads back and TensorFlow does not restore`);
    }
    stored.optimizer = { ...(desc.optimizer.config === undefined ? {} : { config: desc.optimizer.config }), weights: desc.optimizer.weights.map((w, i) => ({ name: w.name, key: keys[i]! })) };
  }
  if (desc.modelConfig === undefined && desc.layers.some((l) => l.weights.some((w) => /^var_\d+$/.test(w.name)))) {
    notes.push('the weights file names no variables (no model config): keys are layer_with_weights-K/var_N, which TensorFlow cannot restore into a model; pass --like MODEL to name them');
  }
  if (desc.modelConfig !== undefined) stored.model_config = desc.modelConfig;
  if (desc.trainingConfig !== undefined) stored.training_config = desc.trainingConfig;
  if (desc.kerasVersion !== undefined) stored.keras_version = desc.kerasVersion;
  if (desc.backend !== undefined) stored.backend = desc.backend;
  const root: TrackableSpec = { children };
  children.push(['root', root]);
  extras.push({ key: KERAS_MODEL_KEY, value: { dtype: 'string', shape: [], data: [utf8Encode(JSON.stringify(stored))] } });
  return { root, extras, notes };
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
 * checkpoint (`[prefix/]layer_with_weights-K/<weight>`). The optimizer state is taken
 * too when `like` has an optimizer with a tf_keras layout and the checkpoint holds
 * `optimizer/_iterations`; otherwise it is left out.
 * @throws CliFailure naming the first weight that is missing or has another shape or dtype.
 */
export async function weightsFromCheckpoint(reader: BundleReader, like: KerasModelDesc, keyPrefix = ''): Promise<KerasModelDesc> {
  let k = 0;
  const layers: LayerWeights[] = [];
  const order = layerOrder(like, modelLayerInfo(like).names);
  for (const name of order) {
    const lw = like.layers.find((l) => l.name === name);
    if (lw === undefined) continue;
    if (lw.weights.length === 0) {
      layers.push(lw);
      continue;
    }
    const edge = `${keyPrefix}layer_with_weights-${k++}`;
    const weights: TensorRecord[] = [];
    for (const w of lw.weights) weights.push(await fitting(reader, attrKey(`${edge}/${w.name}`), w, `${name}/${w.name}`));
    layers.push({ name, weights });
  }
  const { optimizer, ...rest } = like;
  let plan;
  try {
    plan = reader.has(attrKey(`${keyPrefix}optimizer/_iterations`)) ? planOptimizer(like, order) : undefined;
  } catch {
    plan = undefined;
  }
  if (plan === undefined || optimizer === undefined) return { ...rest, layers };
  const weights: TensorRecord[] = [];
  for (const [i, w] of optimizer.weights.entries()) weights.push(await fitting(reader, `${keyPrefix}${plan.keys[i]!}`, w, `optimizer/${w.name}`));
  return { ...rest, layers, optimizer: { ...optimizer, weights } };
}

async function fitting(reader: BundleReader, key: string, w: TensorRecord, what: string): Promise<TensorRecord> {
  if (!reader.has(key)) throw new CliFailure(`checkpoint has no ${key} for ${what}; it does not fit the --like model`);
  const t = await record(reader, key, w.name);
  if (t.dtype !== w.dtype || t.shape.join(',') !== w.shape.join(',')) {
    throw new CliFailure(`${key} is ${t.dtype} [${t.shape.join(', ')}] but ${what} is ${w.dtype} [${w.shape.join(', ')}]`);
  }
  return t;
}
