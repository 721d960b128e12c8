/**
 * Keras model config (`model.to_json()`, tf_keras dialect) to and from runtime
 * models, with a registry of layer classes that custom layers join.
 */
import { Activation, Dense, Dropout, Flatten, InputLayer, Reshape } from './layers/core.js';
import { AveragePooling2D, Conv2D, MaxPooling2D } from './layers/conv.js';
import { Embedding } from './layers/embedding.js';
import type { Layer, LayerClass, SymbolicTensor } from './layers/layer.js';
import { lookupLayer, registerLayer } from './layers/registry.js';
import { BatchNormalization, LayerNormalization } from './layers/normalization.js';
import { Add, Concatenate, MergeLayer } from './layers/merge.js';
import { Model, Sequential } from './model.js';
import { assertHonorable } from './unsupported-config.js';

const builtins: Array<[string, LayerClass]> = [
  ['InputLayer', InputLayer], ['Dense', Dense], ['Dropout', Dropout], ['Flatten', Flatten], ['Reshape', Reshape],
  ['Activation', Activation], ['Conv2D', Conv2D], ['MaxPooling2D', MaxPooling2D], ['AveragePooling2D', AveragePooling2D],
  ['BatchNormalization', BatchNormalization], ['LayerNormalization', LayerNormalization], ['Embedding', Embedding],
  ['Concatenate', Concatenate], ['Add', Add],
];
for (const [n, c] of builtins) if (!lookupLayer(n)) registerLayer(n, c);
const builtinClasses = new Set<LayerClass>(builtins.map(([, c]) => c));

export { registerLayer };

/** Custom objects passed at load time, by class or registered name. */
export type CustomObjects = Record<string, LayerClass>;

interface LayerEntry {
  class_name: string;
  config: Record<string, unknown>;
  registered_name?: string | null;
  name?: string;
  inbound_nodes?: unknown[];
}

function layerFromEntry(e: LayerEntry, custom: CustomObjects): Layer {
  const bare = e.class_name.includes('>') ? e.class_name.slice(e.class_name.indexOf('>') + 1) : e.class_name;
  const cls = custom[e.class_name] ?? custom[bare] ?? (e.registered_name ? custom[e.registered_name] ?? lookupLayer(e.registered_name) : undefined)
    ?? lookupLayer(e.class_name) ?? lookupLayer(bare);
  if (!cls) throw new Error(`runtime: unknown layer class '${e.class_name}' (register it with registerLayer or pass customObjects)`);
  if (builtinClasses.has(cls)) assertHonorable(e.class_name, e.config);
  return cls.fromConfig(e.config);
}

/**
 * Builds a model from a Keras model config (`{class_name, config}` as in
 * `model.to_json()`). Weights are freshly initialized.
 * @throws Error for unknown layer classes or malformed graphs; FormatError (`unsupported`) when a
 *   built-in layer sets a regularizer or constraint (see {@link assertHonorable}).
 */
export function modelFromConfig(json: { class_name: string; config: Record<string, unknown> }, custom: CustomObjects = {}): Model {
  const cfg = json.config;
  const entries = (cfg['layers'] ?? []) as LayerEntry[];
  const name = typeof cfg['name'] === 'string' ? cfg['name'] : undefined;
  if (json.class_name === 'Sequential') {
    const m = new Sequential([], name);
    for (const e of entries) m.add(layerFromEntry(e, custom));
    return m;
  }
  if (json.class_name !== 'Functional' && json.class_name !== 'Model') {
    throw new Error(`runtime: unsupported model class '${json.class_name}'`);
  }
  const outputsOf = new Map<string, SymbolicTensor>();
  const pending = [...entries];
  const layers = new Map<string, Layer>();
  for (const e of entries) layers.set(String(e.config['name'] ?? e.name), layerFromEntry(e, custom));
  let progress = true;
  while (pending.length && progress) {
    progress = false;
    for (let i = 0; i < pending.length; i++) {
      const e = pending[i]!;
      const lname = String(e.config['name'] ?? e.name);
      const layer = layers.get(lname)!;
      if (layer instanceof InputLayer) {
        outputsOf.set(lname, layer.output);
      } else {
        const node = (e.inbound_nodes?.[0] ?? []) as unknown[][];
        const srcNames = node.map((n) => String(n[0]));
        if (srcNames.length === 0 || !srcNames.every((s) => outputsOf.has(s))) continue;
        const srcs = srcNames.map((s) => outputsOf.get(s)!);
        if (layer instanceof MergeLayer) outputsOf.set(lname, layer.applyMany(srcs));
        else if (srcs.length === 1) outputsOf.set(lname, layer.apply(srcs[0]!));
        else throw new Error(`runtime: layer ${lname} has ${srcs.length} inputs but is not a merge layer`);
      }
      pending.splice(i, 1);
      i--;
      progress = true;
    }
  }
  if (pending.length) throw new Error(`runtime: cannot connect layers ${pending.map((e) => e.config['name']).join(', ')}`);
  const pick = (key: string): SymbolicTensor[] =>
    ((cfg[key] ?? []) as unknown[][]).map((r) => {
      const t = outputsOf.get(String(r[0]));
      if (!t) throw new Error(`runtime: ${key} names unknown layer ${String(r[0])}`);
      return t;
    });
  return new Model({ inputs: pick('input_layers'), outputs: pick('output_layers'), ...(name ? { name } : {}) });
}

