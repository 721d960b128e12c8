/**
 * Legacy Keras HDF5 layouts: the full model `.h5` (root `model_config`,
 * `model_weights/<layer>/<weight>`, `optimizer_weights`) and the
 * weights-only `.h5` of `save_weights('w.h5')` (the same groups at the root).
 * Covers Keras 1.x through tf_keras 2.21 and Keras 3's legacy writer.
 */
import { errorsFor } from '@tfsave/core';
import type { H5Attr, H5Dataset, H5Group, H5LazyDataset, H5LazyGroup } from './h5-types.js';
import { attrString, attrStringList, bytesAttr, bytesListAttr, h5Get, H5GroupBuilder, strAttr } from './h5-types.js';
import type { JsonObject, KerasModelDesc, LayerWeights, TensorRecord } from './model-desc.js';
import { isJsonObject, parseJsonBounded } from './model-desc.js';
import { datasetFromTensor, tensorFromDataset } from './tensors.js';

const fail = errorsFor('keras-h5');

/** Reads a list attribute stored whole (`name`) or chunked (`name0`, `name1`, …) as Keras does past 64 KiB. */
export function readChunkedList(attrs: Readonly<Record<string, H5Attr>>, name: string): string[] | undefined {
  const whole = attrStringList(attrs, name);
  if (whole !== undefined) return whole;
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const part = attrStringList(attrs, `${name}${i}`);
    if (part === undefined) return i === 0 ? undefined : out;
    out.push(...part);
  }
}

function jsonAttr(root: H5Group, name: string, where: string | undefined): JsonObject | undefined {
  const text = attrString(root.attrs, name);
  if (text === undefined) return undefined;
  try {
    const v = parseJsonBounded(text);
    if (!isJsonObject(v)) throw new TypeError('not an object');
    return v;
  } catch (e) {
    throw fail.malformed(`root attribute ${name} is not a JSON object (${e instanceof Error ? e.message : String(e)})`, 'json-attr', { path: where, cause: e });
  }
}

/** The short weight name: last path segment without the `:0` suffix. */
export function shortWeightName(stored: string): string {
  const last = stored.split('/').pop() ?? stored;
  return last.replace(/:\d+$/, '');
}

function readWeightGroup(g: H5Group, where: string | undefined): LayerWeights[] {
  const names = readChunkedList(g.attrs, 'layer_names');
  if (names === undefined) throw fail.malformed('weights group has no layer_names attribute', 'layer-names', { path: where });
  return names.map((layer) => {
    const lg = g.children.get(layer);
    if (lg === undefined || lg.kind !== 'group') throw fail.malformed(`layer_names lists ${layer} but there is no group /${layer}`, 'layer-group', { path: where });
    const wnames = readChunkedList(lg.attrs, 'weight_names') ?? [];
    const weights = wnames.map((w): TensorRecord => {
      const ds = h5Get(lg, w);
      if (ds === undefined || ds.kind !== 'dataset') throw fail.malformed(`weight_names lists ${layer}/${w} but no such dataset exists`, 'weight-dataset', { path: where });
      return tensorFromDataset(shortWeightName(w), ds);
    });
    return { name: layer, weights };
  });
}

function readOptimizer(g: H5Group, where: string | undefined): TensorRecord[] {
  const names = readChunkedList(g.attrs, 'weight_names');
  if (names !== undefined) {
    return names.map((n) => {
      const ds = h5Get(g, n);
      if (ds === undefined || ds.kind !== 'dataset') throw fail.malformed(`optimizer weight ${n} is listed but missing`, 'optimizer-dataset', { path: where });
      return tensorFromDataset(n.replace(/:\d+$/, ''), ds);
    });
  }
  const out: TensorRecord[] = [];
  const walk = (grp: H5Group, prefix: string): void => {
    for (const [k, c] of grp.children) c.kind === 'group' ? walk(c, `${prefix}${k}/`) : out.push(tensorFromDataset(`${prefix}${k}`.replace(/:\d+$/, ''), c));
  };
  walk(g, '');
  return out;
}

/** True when the HDF5 tree is a legacy full model (root `model_config`) or legacy weights (root `layer_names`). */
export function legacyKind(root: H5Group): 'h5' | 'weights-h5-legacy' | undefined {
  if (root.attrs['model_config'] !== undefined || root.children.get('model_weights')?.kind === 'group') return 'h5';
  if (readChunkedList(root.attrs, 'layer_names') !== undefined) return 'weights-h5-legacy';
  return undefined;
}

/**
 * Reads a legacy full-model or weights-only `.h5` tree.
 * @throws FormatError `malformed` when listed layers or weights are missing or configs are not JSON.
 */
export function readLegacyH5(root: H5Group, where?: string): KerasModelDesc {
  const kind = legacyKind(root);
  if (kind === undefined) throw fail.malformed('neither model_config nor layer_names at the root: not a legacy Keras HDF5 file', 'layout', { path: where });
  const weightsGroup = kind === 'h5' ? root.children.get('model_weights') : root;
  const layers = weightsGroup?.kind === 'group' ? readWeightGroup(weightsGroup, where) : [];
  const modelConfig = jsonAttr(root, 'model_config', where);
  const trainingConfig = jsonAttr(root, 'training_config', where);
  const kerasVersion = attrString(root.attrs, 'keras_version') ?? (weightsGroup?.kind === 'group' ? attrString(weightsGroup.attrs, 'keras_version') : undefined);
  const backend = attrString(root.attrs, 'backend') ?? (weightsGroup?.kind === 'group' ? attrString(weightsGroup.attrs, 'backend') : undefined);
  const opt = root.children.get('optimizer_weights');
  const optimizerConfig = isJsonObject(trainingConfig?.['optimizer_config']) ? trainingConfig['optimizer_config'] : undefined;
  return {
    ...(modelConfig !== undefined ? { modelConfig } : {}),
    ...(trainingConfig !== undefined ? { trainingConfig } : {}),
    ...(kerasVersion !== undefined ? { kerasVersion } : {}),
    ...(backend !== undefined ? { backend } : {}),
    layers,
    ...(opt?.kind === 'group' ? { optimizer: { ...(optimizerConfig !== undefined ? { config: optimizerConfig } : {}), weights: readOptimizer(opt, where) } } : {}),
  };
}

function fillWeights(g: H5GroupBuilder, desc: KerasModelDesc, version: string, backend: string): void {
  g.attrs['layer_names'] = bytesListAttr(desc.layers.map((l) => l.name));
  g.attrs['backend'] = bytesAttr(backend);
  g.attrs['keras_version'] = bytesAttr(version);
  for (const layer of desc.layers) {
    const lg = g.ensureGroup(layer.name);
    const names = layer.weights.map((w) => `${layer.name}/${w.name}:0`);
    lg.attrs['weight_names'] = bytesListAttr(names);
    layer.weights.forEach((w, i) => lg.setDataset(names[i]!, datasetFromTensor(w)));
  }
  g.ensureGroup('top_level_model_weights').attrs['weight_names'] = bytesListAttr([]);
}

/** Options of {@link buildLegacyH5}. */
export interface LegacyWriteOptions {
  /** Write `save_weights('w.h5')` layout (no config, no optimizer). Default false. */
  readonly weightsOnly?: boolean;
  /** Include `optimizer_weights` when the description has an optimizer. Default true. */
  readonly includeOptimizer?: boolean;
}

/** Builds the HDF5 tree of a legacy `.h5` (full model or weights only) with the attribute types tf_keras writes. */
export function buildLegacyH5(desc: KerasModelDesc, options: LegacyWriteOptions = {}): H5Group {
  const root = new H5GroupBuilder();
  const version = desc.kerasVersion ?? '2.21.0';
  const backend = desc.backend ?? 'tensorflow';
  if (options.weightsOnly === true) {
    fillWeights(root, desc, version, backend);
    return root;
  }
  if (desc.modelConfig === undefined) throw new TypeError('keras-h5: a full-model .h5 needs modelConfig');
  root.attrs['keras_version'] = strAttr(version);
  root.attrs['backend'] = strAttr(backend);
  root.attrs['model_config'] = bytesAttr(JSON.stringify(desc.modelConfig));
  if (desc.trainingConfig !== undefined) root.attrs['training_config'] = bytesAttr(JSON.stringify(desc.trainingConfig));
  fillWeights(root.ensureGroup('model_weights'), desc, version, backend);
  if (desc.optimizer !== undefined && options.includeOptimizer !== false && desc.optimizer.weights.length > 0) {
    const og = root.ensureGroup('optimizer_weights');
    const names = desc.optimizer.weights.map((w) => (/:\d+$/.test(w.name) || version.startsWith('3') ? w.name : `${w.name}:0`));
    og.attrs['weight_names'] = bytesListAttr(names);
    desc.optimizer.weights.forEach((w, i) => og.setDataset(names[i]!, datasetFromTensor(w)));
  }
  return root;
}

/** Every dataset in a tree with its absolute path, in iteration order. */
export function listDatasets(root: H5Group): { path: string; ds: H5Dataset }[];
export function listDatasets(root: H5LazyGroup): { path: string; ds: H5LazyDataset }[];
export function listDatasets(root: H5Group | H5LazyGroup): { path: string; ds: H5Dataset | H5LazyDataset }[] {
  const out: { path: string; ds: H5Dataset | H5LazyDataset }[] = [];
  const walk = (g: H5Group | H5LazyGroup, prefix: string): void => {
    for (const [k, c] of g.children) c.kind === 'group' ? walk(c, `${prefix}/${k}`) : out.push({ path: `${prefix}/${k}`, ds: c });
  };
  walk(root, '');
  return out;
}
