/**
 * The Keras model inside a tf_keras SavedModel: the architecture from the root
 * node of `keras_metadata.pb`, the weights from `variables/` by the variable
 * names of its object graph.
 */
import { dtypeFromName, typedArrayFromBytes } from '@tfsave/core';
import type { JsonObject, KerasModelDesc, LayerWeights, TensorRecord } from '@tfsave/keras-h5';
import { isJsonObject, isKerasObject, layerName, modelLayers, type Json } from '@tfsave/keras-h5';
import type { KerasMetadataNode } from '@tfsave/saved-model';
import type { TensorEntry } from '../model.js';

/** Replaces SavedModel metadata's `{"class_name": "__tuple__", "items": [...]}` by plain lists and drops `shared_object_id`. */
export function untuple(v: Json): Json {
  if (Array.isArray(v)) return v.map(untuple);
  if (!isJsonObject(v)) return v;
  if (v['class_name'] === '__tuple__' && Array.isArray(v['items'])) return v['items'].map(untuple);
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'shared_object_id') out[k] = untuple(x);
  return out;
}

/** `{class_name, config}` of the root Keras object, or undefined when the SavedModel has no Keras metadata. */
export function rootModelConfig(nodes: readonly KerasMetadataNode[] | undefined): JsonObject | undefined {
  const root = nodes?.find((n) => n.nodePath === 'root');
  const md = root?.metadata;
  if (!isJsonObject(md as Json) || !isKerasObject({ class_name: (md as JsonObject)['class_name'] ?? null, config: (md as JsonObject)['config'] ?? null })) return undefined;
  const m = md as JsonObject;
  return { class_name: m['class_name']!, config: untuple(m['config']!) };
}

/** The root Keras object's `training_config` (loss, metrics, `optimizer_config`), when the model was compiled. */
export function rootTrainingConfig(nodes: readonly KerasMetadataNode[] | undefined): JsonObject | undefined {
  const md = nodes?.find((n) => n.nodePath === 'root')?.metadata;
  const tc = isJsonObject(md as Json) ? (md as JsonObject)['training_config'] : undefined;
  if (tc === undefined || !isJsonObject(tc)) return undefined;
  const out = untuple(tc);
  return isJsonObject(out) ? out : undefined;
}

/**
 * Builds a model description from a config and weights by Keras weight path
 * (`layer/weight` in layer order, `optimizer/<name>`; `optimizer/learning_rate` is not a stored weight).
 */
export async function descFromWeights(modelConfig: JsonObject, weights: readonly TensorEntry[], kerasVersion?: string, trainingConfig?: JsonObject): Promise<KerasModelDesc> {
  const records = new Map<string, TensorRecord>();
  for (const w of weights) {
    const v = await w.read();
    if (v.kind !== 'bytes') continue;
    const path = w.weightPath ?? w.name;
    records.set(path, { name: path.split('/').pop()!, dtype: v.dtype as TensorRecord['dtype'], shape: v.shape, data: typedArrayFromBytes(dtypeFromName(v.dtype)!, v.bytes) });
  }
  const layers: LayerWeights[] = [];
  const cfgLayers = isKerasObject(modelConfig) ? modelLayers(modelConfig) : [];
  for (const l of cfgLayers) {
    const name = layerName(l);
    const ws = [...records.entries()].filter(([p]) => !p.startsWith('optimizer/') && p.slice(0, p.lastIndexOf('/')) === name).map(([, r]) => r);
    if (l.class_name !== 'InputLayer' || ws.length > 0) layers.push({ name, weights: ws });
  }
  const opt = [...records.entries()].filter(([p]) => p.startsWith('optimizer/') && p !== 'optimizer/learning_rate').map(([p, r]) => ({ ...r, name: p.slice('optimizer/'.length) }));
  const optConfig = trainingConfig?.['optimizer_config'];
  return {
    modelConfig,
    layers,
    ...(kerasVersion === undefined ? {} : { kerasVersion }),
    backend: 'tensorflow',
    ...(trainingConfig === undefined ? {} : { trainingConfig }),
    ...(opt.length === 0 ? {} : { optimizer: { ...(optConfig !== undefined && isJsonObject(optConfig) ? { config: optConfig } : {}), weights: opt } }),
  };
}
