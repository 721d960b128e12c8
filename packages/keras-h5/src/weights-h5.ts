/**
 * The Keras 3 `.weights.h5` layout (`saving_lib`): `layers/<key>/vars/<i>`,
 * `optimizer/vars/<i>`, root `vars`, with a `name` attribute on each `vars`
 * group from Keras 3.6. Keras 2.13–2.15 wrote `_layer_checkpoint_dependencies`
 * instead of `layers`; both are read.
 */
import { errorsFor } from '@tfsave/core';
import type { H5Group } from './h5-types.js';
import { attrString, H5GroupBuilder, strAttr } from './h5-types.js';
import type { KerasModelDesc, LayerWeights, TensorRecord } from './model-desc.js';
import type { KerasObjectJson } from './config-model.js';
import { isFunctionalModel, isKerasObject, layerName, modelLayers, weightNamesFor, weightsH5LayerKeys } from './config-model.js';
import { datasetFromTensor, tensorFromDataset } from './tensors.js';

const fail = errorsFor('keras-weights-h5');

/** True when the tree has the `.weights.h5` shape (`layers` or `_layer_checkpoint_dependencies` groups, or root `vars` beside attribute-tracked layers). */
export function isWeightsH5Tree(root: H5Group): boolean {
  if (root.children.get('layers')?.kind === 'group' || root.children.get('_layer_checkpoint_dependencies')?.kind === 'group') return true;
  return root.children.get('vars')?.kind === 'group' && [...root.children.values()].some((g) => g.kind === 'group' && g.children.get('vars')?.kind === 'group');
}

function readVars(g: H5Group | undefined, where: string | undefined): TensorRecord[] {
  const vars = g?.children.get('vars');
  if (vars === undefined || vars.kind !== 'group') return [];
  const keys = [...vars.children.keys()].sort((a, b) => Number(a) - Number(b));
  return keys.map((k, i) => {
    const ds = vars.children.get(k)!;
    if (ds.kind !== 'dataset') throw fail.malformed(`vars/${k} is a group, expected a dataset`, 'vars', { path: where });
    if (String(i) !== k) throw fail.malformed(`vars has key ${k} where ${i} was expected`, 'vars-index', { path: where });
    return tensorFromDataset(k, ds);
  });
}

/** Root groups of a `.weights.h5` that are not layers. */
const NOT_LAYERS = new Set(['vars', 'optimizer', 'metrics', 'compile_metrics', 'loss', 'layers', '_layer_checkpoint_dependencies']);

function readLayerGroup(key: string, g: H5Group, byKey: ReadonlyMap<string, KerasObjectJson>, prefix: string, groupPath: string, where: string | undefined, depth: number): LayerWeights[] {
  if (depth > 32) throw fail.limit(`nested models deeper than 32 at ${prefix}${key}`, 'nesting', { path: where });
  const cfg = byKey.get(key);
  const vars = g.children.get('vars');
  const attrName = vars?.kind === 'group' ? attrString(vars.attrs, 'name') : undefined;
  const name = `${prefix}${cfg !== undefined ? layerName(cfg) : attrName ?? key}`;
  const raw = readVars(g, where);
  const names = weightNamesFor(cfg, raw.length);
  const out: LayerWeights[] = [{ name, weights: raw.map((t, i) => ({ ...t, name: names[i]! })), path: groupPath }];
  const inner = g.children.get('layers');
  if (inner?.kind === 'group') {
    const innerKeys = new Map<string, KerasObjectJson>();
    if (cfg !== undefined) for (const e of weightsH5LayerKeys(modelLayers(cfg), isFunctionalModel(cfg))) innerKeys.set(e.key, e.layer);
    for (const [k, c] of inner.children) if (c.kind === 'group') out.push(...readLayerGroup(k, c, innerKeys, `${name}/`, `${groupPath}/layers/${k}`, where, depth + 1));
  }
  return out;
}

/**
 * Reads a `.weights.h5` tree. With a model config, layer groups are matched to
 * config layers by Keras's class-based keys; otherwise by the `vars` name attribute or the key.
 * Layers of nested models are named `outer/inner`; layers tracked as attributes of a
 * subclassed model (root groups such as `d1/vars`) are read too.
 * @throws FormatError `malformed` when `vars` are not numbered 0..n-1.
 */
export function readWeightsH5(root: H5Group, modelConfig?: KerasObjectJson, where?: string): KerasModelDesc {
  const container = root.children.get('layers') ?? root.children.get('_layer_checkpoint_dependencies');
  const attrGroups = [...root.children].filter(([k, g]) => !NOT_LAYERS.has(k) && g.kind === 'group' && g.children.get('vars')?.kind === 'group');
  if ((container === undefined || container.kind !== 'group') && attrGroups.length === 0) throw fail.malformed('no layers group: not a .weights.h5 file', 'layout', { path: where });
  const byKey = new Map<string, KerasObjectJson>();
  if (modelConfig !== undefined) for (const { layer, key } of weightsH5LayerKeys(modelLayers(modelConfig), isFunctionalModel(modelConfig))) byKey.set(key, layer);
  const layers: LayerWeights[] = [];
  for (const [key, g] of attrGroups) if (g.kind === 'group') layers.push(...readLayerGroup(key, g, new Map(), '', key, where, 0));
  if (container?.kind === 'group') for (const [key, g] of container.children) if (g.kind === 'group') layers.push(...readLayerGroup(key, g, byKey, '', `${container === root.children.get('layers') ? 'layers' : '_layer_checkpoint_dependencies'}/${key}`, where, 0));
  if (modelConfig !== undefined) {
    const order = new Map(modelLayers(modelConfig).map((l, i) => [layerName(l), i]));
    const top = (n: string): number => order.get(n.split('/')[0]!) ?? 1e9;
    layers.sort((a, b) => top(a.name) - top(b.name));
  }
  const opt = root.children.get('optimizer');
  const optWeights = opt?.kind === 'group' ? readVars(opt, where) : [];
  const optName = opt?.kind === 'group' && opt.children.get('vars')?.kind === 'group' ? attrString((opt.children.get('vars') as H5Group).attrs, 'name') : undefined;
  return {
    ...(modelConfig !== undefined ? { modelConfig } : {}),
    layers,
    ...(optWeights.length > 0 ? { optimizer: { ...(optName !== undefined ? { name: optName } : {}), weights: optWeights } } : {}),
  };
}

/** Options of {@link buildWeightsH5}. */
export interface WeightsH5WriteOptions {
  /** Write the Keras ≥ 3.6 `name` attribute on `vars` groups. Default true. */
  readonly nameAttributes?: boolean;
  /** Optimizer name for `optimizer/vars`'s name attribute. Default `adam`. */
  readonly optimizerName?: string;
}

/** Group paths and layer names (`outer/inner` inside nested models) of a config's layers. */
function layerEntries(model: KerasObjectJson, groupPrefix: string, namePrefix: string): { path: string; name: string }[] {
  return weightsH5LayerKeys(modelLayers(model), isFunctionalModel(model)).flatMap(({ layer, key }) => {
    const path = `${groupPrefix}${key}`;
    const name = `${namePrefix}${layerName(layer)}`;
    return [{ path, name }, ...(modelLayers(layer).length > 0 ? layerEntries(layer, `${path}/layers/`, `${name}/`) : [])];
  });
}

/**
 * Builds a `.weights.h5` tree for a description with a model config (its layers give the group keys).
 * @throws TypeError when a weighted layer of the description is not in the config.
 */
export function buildWeightsH5(desc: KerasModelDesc, options: WeightsH5WriteOptions = {}): H5Group {
  const root = new H5GroupBuilder();
  const named = options.nameAttributes !== false;
  const cfg = desc.modelConfig;
  const modelName = cfg !== undefined && isKerasObject(cfg) && typeof cfg.config['name'] === 'string' ? cfg.config['name'] : 'sequential';
  const rootVars = root.ensureGroup('vars');
  if (named) rootVars.attrs['name'] = strAttr(modelName);
  const byName = new Map(desc.layers.map((l) => [l.name, l]));
  const entries = cfg !== undefined && isKerasObject(cfg)
    ? layerEntries(cfg, 'layers/', '')
    : desc.layers.map((l) => ({ path: l.path ?? `layers/${l.name}`, name: l.name }));
  for (const { path, name } of entries) {
    const vars = root.ensureGroup(`${path}/vars`);
    if (named) vars.attrs['name'] = strAttr(name);
    (byName.get(name)?.weights ?? []).forEach((w, i) => vars.setDataset(String(i), datasetFromTensor(w)));
  }
  for (const l of desc.layers) {
    if (entries.some((e) => e.name === l.name)) continue;
    if (l.path === undefined || !/^[\w.-]+(\/[\w.-]+)*$/.test(l.path)) {
      if (l.weights.length > 0) throw new TypeError(`keras-weights-h5: layer ${l.name} has weights but is not in the model config`);
      continue;
    }
    const vars = root.ensureGroup(`${l.path}/vars`);
    if (named) vars.attrs['name'] = strAttr(l.name.split('/').pop()!);
    l.weights.forEach((w, i) => vars.setDataset(String(i), datasetFromTensor(w)));
  }
  if (desc.optimizer !== undefined && desc.optimizer.weights.length > 0) {
    const ov = root.ensureGroup('optimizer/vars');
    if (named) ov.attrs['name'] = strAttr(options.optimizerName ?? 'adam');
    desc.optimizer.weights.forEach((w, i) => ov.setDataset(String(i), datasetFromTensor(w)));
  }
  return root;
}
