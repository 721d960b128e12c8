/**
 * `load_model` for tf_keras SavedModel directories: the architecture and
 * `training_config` from the root node of `keras_metadata.pb`, the weights and
 * optimizer slots from `variables/` at the keys the object graph gives them
 * (`layer_with_weights-k/kernel/.ATTRIBUTES/VARIABLE_VALUE`, `optimizer/_variables/i/…`).
 * Works over any {@link SourceOpener}; the Node adapter passes a directory.
 * Layout facts: tf_keras/saving/legacy/saved_model/load.py (metadata node paths).
 */
import { errorsFor, type SourceOpener } from '@tfsave/core';
import type { JsonObject } from '@tfsave/keras-h5';
import { readSavedModel, type KerasMetadataNode, type ParsedSavedModel } from '@tfsave/saved-model';
import { compileFromConfig } from './artifacts.js';
import { InputLayer } from './layers/core.js';
import type { Model } from './model.js';
import { modelFromConfig, type CustomObjects } from './serialization.js';
import { restoreFromBundle } from './tf-checkpoint.js';

const fail = errorsFor('saved-model');

/** The `SavedObjectGraph` message of a MetaGraph, as decoded. */
export type ObjectGraph = NonNullable<NonNullable<ParsedSavedModel['proto']['meta_graphs'][number]>['object_graph_def']>;

/** Replaces metadata's `{"class_name": "__tuple__", "items": […]}` by plain lists and drops `shared_object_id`. */
export function untupleMetadata(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untupleMetadata);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (o['class_name'] === '__tuple__' && Array.isArray(o['items'])) return o['items'].map(untupleMetadata);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) if (k !== 'shared_object_id') out[k] = untupleMetadata(x);
  return out;
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The root node's model config (`{class_name, config}`) and training config, metadata tuples unwrapped. */
export function kerasRootConfig(nodes: readonly KerasMetadataNode[], path?: string): { modelConfig: { class_name: string; config: Record<string, unknown> }; trainingConfig?: JsonObject } {
  const root = asObject(nodes.find((n) => n.nodePath === 'root')?.metadata);
  if (!root) throw fail.malformed('keras_metadata.pb has no JSON metadata for node "root"', 'no-root-metadata', path === undefined ? {} : { path });
  const mc = asObject(root['model_config']) ?? { class_name: root['class_name'], config: root['config'] };
  const cfg = asObject(untupleMetadata(mc['config']));
  if (typeof mc['class_name'] !== 'string' || !cfg) {
    throw fail.unsupported(`keras_metadata.pb root "${String(root['class_name'])}" has no model config (a subclassed model cannot be rebuilt from config)`, 'no-model-config', path === undefined ? {} : { path });
  }
  const tc = asObject(untupleMetadata(root['training_config']));
  return { modelConfig: { class_name: mc['class_name'], config: cfg }, ...(tc ? { trainingConfig: tc as JsonObject } : {}) };
}

function childOf(graph: ObjectGraph, nodeId: number, name: string): number | undefined {
  return graph.nodes?.[nodeId]?.children?.find((c) => c.local_name === name)?.node_id ?? undefined;
}

/**
 * Checks that the object graph holds each weighted layer of `model` at
 * `layer_with_weights-k` (Keras metadata names it as the model does) with one
 * variable per weight of the same shape.
 * @throws FormatError (`malformed`) on the first mismatch.
 */
export function checkObjectGraph(model: Model, graph: ObjectGraph, nodes: readonly KerasMetadataNode[], path?: string): void {
  const where = path === undefined ? {} : { path };
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  let k = 0;
  for (const layer of model.layers.filter((l) => !(l instanceof InputLayer) && l.weights.length > 0)) {
    const edge = `layer_with_weights-${k++}`;
    const id = childOf(graph, 0, edge);
    if (id === undefined) throw fail.malformed(`object graph root has no ${edge} for layer ${layer.name}`, 'missing-layer', where);
    const stored = asObject(byId.get(id)?.metadata)?.['name'];
    if (stored !== undefined && stored !== layer.name) throw fail.malformed(`object graph ${edge} is layer "${String(stored)}", the config's is "${layer.name}"`, 'layer-mismatch', where);
    for (const w of layer.weights) {
      const vid = childOf(graph, id, w.name);
      const v = vid === undefined ? undefined : graph.nodes?.[vid]?.variable;
      if (!v) throw fail.malformed(`object graph ${edge} (${layer.name}) has no variable ${w.name}`, 'missing-variable', where);
      const dims = (v.shape?.dim ?? []).map((d) => (typeof d.size === 'number' ? d.size : Number(String(d.size ?? 0))));
      if (dims.join(',') !== w.variable.shape.join(',')) {
        throw fail.malformed(`object graph variable ${layer.name}/${w.name} has shape [${dims}], the config builds [${w.variable.shape}]`, 'shape-mismatch', where);
      }
    }
  }
}

/**
 * Loads the Keras model of a tf_keras SavedModel (or one our `saveModel(dir)`
 * wrote): architecture, weights, compile config, and optimizer state when the
 * variables hold it (`optimizer/_iterations` and `optimizer/_variables/i`).
 * @throws FormatError `unsupported` when the SavedModel has no `keras_metadata.pb` (a plain TF SavedModel);
 *   FormatError from the readers for damaged files; Error for unknown layer classes.
 */
export async function loadSavedModelKeras(opener: SourceOpener, customObjects: CustomObjects = {}): Promise<Model> {
  const info = await readSavedModel(opener);
  if (!info.kerasMetadata) {
    throw fail.unsupported('SavedModel has no keras_metadata.pb, so it holds no Keras model config (serve it with TF instead)', 'no-keras-metadata', { path: opener.name });
  }
  const { modelConfig, trainingConfig } = kerasRootConfig(info.kerasMetadata, `${opener.name}/keras_metadata.pb`);
  const model = modelFromConfig(modelConfig, customObjects);
  if (trainingConfig) compileFromConfig(model, trainingConfig);
  const graph = info.proto.meta_graphs[0]?.object_graph_def;
  if (graph) checkObjectGraph(model, graph, info.kerasMetadata, opener.name);
  await restoreFromBundle(model, await info.variables());
  return model;
}
