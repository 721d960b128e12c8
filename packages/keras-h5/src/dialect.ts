/**
 * Converts model configs between the Keras 2 (tf_keras) and Keras 3 dialects:
 * `batch_input_shape` ↔ `batch_shape`, dtype strings ↔ `DTypePolicy` objects,
 * `module`/`registered_name`, and Functional `inbound_nodes` formats.
 */
import type { Json, JsonObject } from './model-desc.js';
import { isJsonObject } from './model-desc.js';

/** Which Keras dialect a config is written in. */
export type KerasDialect = 'keras2' | 'keras3';

/**
 * Guesses the dialect of a model config from its shape: Keras 3 puts `module` on every layer
 * entry and uses `batch_shape`, `DTypePolicy` objects and `__keras_tensor__` nodes; tf_keras
 * (which also writes `module` on initializers) does none of these.
 */
export function detectDialect(model: JsonObject): KerasDialect {
  const text = JSON.stringify(model);
  if (text.includes('"batch_shape"') || text.includes('"DTypePolicy"') || text.includes('"__keras_tensor__"')) return 'keras3';
  if (typeof model['module'] === 'string' || layersOf(model).some((l) => typeof l['module'] === 'string')) return 'keras3';
  return 'keras2';
}

/** Keras 3 layer and initializer keys tf_keras refuses; dropped when null on the way to Keras 2. */
const KERAS3_ONLY_KEYS = ['quantization_config', 'lora_rank', 'lora_alpha', 'input_axes', 'output_axes'];

function dropKeras3Keys(v: Json): void {
  if (Array.isArray(v)) { for (const x of v) dropKeras3Keys(x); return; }
  if (!isJsonObject(v)) return;
  for (const k of KERAS3_ONLY_KEYS) if (v[k] === null) delete v[k];
  for (const x of Object.values(v)) dropKeras3Keys(x);
}

const clone = <T extends Json>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function policy(name: string): JsonObject {
  return { module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null };
}

function layersOf(model: JsonObject): JsonObject[] {
  const cfg = model['config'];
  const layers = isJsonObject(cfg) ? cfg['layers'] : undefined;
  return Array.isArray(layers) ? layers.filter(isJsonObject) : [];
}

function layerTo3(layer: JsonObject): void {
  if (typeof layer['class_name'] !== 'string') return;
  const cls = layer['class_name'];
  const sep = cls.indexOf('>');
  if (sep > 0 && layer['registered_name'] === undefined) {
    // tf_keras names a registered custom class `package>Class`; Keras 3 writes the bare class
    // name and resolves `registered_name` through its registry (the defining module is unknown here).
    layer['class_name'] = cls.slice(sep + 1);
    layer['registered_name'] = cls;
    if (layer['module'] === undefined) layer['module'] = null;
  }
  if (layer['module'] === undefined) layer['module'] = cls === 'Functional' ? 'keras.src.models.functional' : cls === 'Sequential' || cls === 'Model' ? 'keras' : 'keras.layers';
  if (layer['registered_name'] === undefined) layer['registered_name'] = null;
  const c = layer['config'];
  if (!isJsonObject(c)) return;
  if (typeof c['dtype'] === 'string') c['dtype'] = policy(c['dtype']);
  if (cls === 'InputLayer' && c['batch_input_shape'] !== undefined) {
    c['batch_shape'] = c['batch_input_shape'];
    delete c['batch_input_shape'];
  }
  if (cls === 'InputLayer' && isJsonObject(c['dtype'])) {
    const cfg = c['dtype']['config'];
    c['dtype'] = isJsonObject(cfg) && typeof cfg['name'] === 'string' ? cfg['name'] : 'float32';
  }
  for (const l of layersOf(layer)) layerTo3(l);
}

function layerTo2(layer: JsonObject): void {
  const reg = layer['registered_name'];
  // Keras 3 keeps a registered custom class's `package>Class` in `registered_name`; tf_keras looks it up by `class_name`.
  if (typeof reg === 'string' && reg.includes('>') && typeof layer['class_name'] === 'string' && reg.endsWith(`>${layer['class_name']}`)) layer['class_name'] = reg;
  const c = layer['config'];
  if (!isJsonObject(c)) return;
  if (isJsonObject(c['dtype'])) {
    const cfg = c['dtype']['config'];
    c['dtype'] = isJsonObject(cfg) && typeof cfg['name'] === 'string' ? cfg['name'] : 'float32';
  }
  if (c['batch_shape'] !== undefined) {
    c['batch_input_shape'] = c['batch_shape'];
    delete c['batch_shape'];
  }
  if (Array.isArray(layer['inbound_nodes'])) layer['inbound_nodes'] = inboundTo2(layer['inbound_nodes']);
  for (const l of layersOf(layer)) layerTo2(l);
}

function historyOf(t: Json): Json[] | undefined {
  if (!isJsonObject(t) || t['class_name'] !== '__keras_tensor__' || !isJsonObject(t['config'])) return undefined;
  const h = t['config']['keras_history'];
  return Array.isArray(h) ? h : undefined;
}

function inboundTo2(nodes: Json[]): Json[] {
  return nodes.map((node) => {
    if (!isJsonObject(node) || !Array.isArray(node['args'])) return node;
    const flat: Json[] = [];
    for (const a of node['args']) {
      const list = Array.isArray(a) ? a : [a];
      for (const t of list) {
        const h = historyOf(t);
        if (h !== undefined) flat.push([...h, {}]);
      }
    }
    return flat;
  });
}

/** Returns the config in the Keras 3 dialect (input is not modified). */
export function toKeras3(model: JsonObject): JsonObject {
  const m = clone(model);
  layerTo3(m);
  const layers = layersOf(m);
  const first = layers[0];
  if (m['class_name'] === 'Sequential' && first !== undefined && first['class_name'] !== 'InputLayer' && isJsonObject(first['config'])) {
    const shape = first['config']['batch_input_shape'];
    if (shape !== undefined) {
      const cfg = m['config'] as JsonObject;
      (cfg['layers'] as Json[]).unshift({ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: shape, dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null });
    }
  }
  for (const l of layers) if (isJsonObject(l['config'])) delete l['config']['batch_input_shape'];
  return m;
}

/** Returns the config in the Keras 2 (tf_keras) dialect (input is not modified). */
export function toKeras2(model: JsonObject): JsonObject {
  const m = clone(model);
  layerTo2(m);
  dropKeras3Keys(m);
  return m;
}
