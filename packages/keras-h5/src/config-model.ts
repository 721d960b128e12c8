/**
 * Typed views of Keras model configs (Sequential, Functional and the layers
 * the runtime offers). Layers we do not type stay as raw JSON, so reading
 * and writing an unknown model loses nothing.
 */
import type { Json, JsonObject } from './model-desc.js';
import { isJsonObject } from './model-desc.js';

/** A serialized Keras object: `{class_name, config, module?, registered_name?, build_config?}`. */
export interface KerasObjectJson extends JsonObject {
  class_name: string;
  /** An object; Keras ≤ 2.1 Sequential configs are a bare list of layers. */
  config: JsonObject;
}

/** Layer class names with typed configs (the layers the runtime offers). */
export const TYPED_LAYERS = [
  'InputLayer', 'Dense', 'Dropout', 'Flatten', 'Reshape', 'Activation', 'Conv2D', 'MaxPooling2D',
  'AveragePooling2D', 'BatchNormalization', 'Embedding', 'LayerNormalization',
] as const;
/** One of {@link TYPED_LAYERS}. */
export type TypedLayerClass = (typeof TYPED_LAYERS)[number];

/** Config of a `Dense` layer (wire names). */
export interface DenseConfig extends JsonObject { name: string; units: number; activation: Json; use_bias: boolean }
/** Config of a `Conv2D` layer (wire names). */
export interface Conv2DConfig extends JsonObject { name: string; filters: number; kernel_size: number[]; strides: number[]; padding: string; use_bias: boolean }
/** Config of a `BatchNormalization` layer (wire names). */
export interface BatchNormalizationConfig extends JsonObject { name: string; axis: Json; momentum: number; epsilon: number; center: boolean; scale: boolean }
/** Config of an `Embedding` layer (wire names). */
export interface EmbeddingConfig extends JsonObject { name: string; input_dim: number; output_dim: number }
/** Config of a `LayerNormalization` layer (wire names). */
export interface LayerNormalizationConfig extends JsonObject { name: string; axis: Json; epsilon: number; center: boolean; scale: boolean }

/** A layer entry of a model config: typed when its class is known, raw otherwise. */
export type LayerJson = KerasObjectJson;

/** True when `v` looks like a serialized Keras object. */
export function isKerasObject(v: unknown): v is KerasObjectJson {
  return isJsonObject(v) && typeof v['class_name'] === 'string' && (isJsonObject(v['config']) || Array.isArray(v['config']));
}

/** The layer entries of a Sequential or Functional config (nested models are returned as one entry). */
export function modelLayers(model: KerasObjectJson): LayerJson[] {
  const cfg = model.config as unknown;
  const layers = Array.isArray(cfg) ? cfg : model.config['layers'];
  if (!Array.isArray(layers)) return [];
  return layers.filter(isKerasObject);
}

/** The `name` of a layer entry (Keras 1 kept it at the top level). */
export function layerName(layer: KerasObjectJson): string {
  const n = (isJsonObject(layer.config) ? layer.config['name'] : undefined) ?? layer['name'];
  return typeof n === 'string' ? n : '';
}

/**
 * Short names of a layer's weights in Keras order (trainable, then non-trainable),
 * derived from its class and config; unknown classes give `var_0`, `var_1`, ….
 */
export function weightNamesFor(layer: KerasObjectJson | undefined, count: number): string[] {
  const c: JsonObject = layer !== undefined && isJsonObject(layer.config) ? layer.config : {};
  let names: string[] = [];
  switch (layer?.class_name) {
    case 'Dense': case 'Conv2D': case 'Conv1D': case 'Conv3D':
      names = c['use_bias'] === false ? ['kernel'] : ['kernel', 'bias']; break;
    case 'Embedding': names = ['embeddings']; break;
    case 'BatchNormalization':
      names = [...(c['scale'] !== false ? ['gamma'] : []), ...(c['center'] !== false ? ['beta'] : []), 'moving_mean', 'moving_variance']; break;
    case 'LayerNormalization':
      names = [...(c['scale'] !== false ? ['gamma'] : []), ...(c['center'] !== false ? ['beta'] : [])]; break;
  }
  return Array.from({ length: count }, (_, i) => names.length === count ? names[i]! : `var_${i}`);
}

/** Python's `to_snake_case` as Keras uses it for `.weights.h5` container names. */
export function toSnakeCase(name: string): string {
  const s = name.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return s.startsWith('_') ? `private${s}` : s;
}

/**
 * The `layers/<key>` group names Keras 3 gives a model's layers in `.weights.h5`:
 * snake_case class names de-duplicated as `dense`, `dense_1`, … (InputLayer excluded).
 */
export function weightsH5LayerKeys(layers: readonly KerasObjectJson[]): { layer: KerasObjectJson; key: string }[] {
  const used = new Map<string, number>();
  const out: { layer: KerasObjectJson; key: string }[] = [];
  for (const layer of layers) {
    if (layer.class_name === 'InputLayer') continue;
    const base = toSnakeCase(layer.class_name);
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    out.push({ layer, key: n === 0 ? base : `${base}_${n}` });
  }
  return out;
}
