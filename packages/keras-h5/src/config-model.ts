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

/** Fields every layer config has (wire names). */
export interface BaseLayerConfig extends JsonObject { name: string }
/** Config of an `InputLayer`: Keras 3 `batch_shape`, Keras 2 `batch_input_shape`. */
export interface InputLayerConfig extends BaseLayerConfig { batch_shape?: (number | null)[]; batch_input_shape?: (number | null)[]; dtype?: Json; sparse?: boolean }
/** Config of a `Dense` layer. */
export interface DenseConfig extends BaseLayerConfig { units: number; activation: Json; use_bias: boolean }
/** Config of a `Dropout` layer. */
export interface DropoutConfig extends BaseLayerConfig { rate: number; noise_shape?: Json; seed?: Json }
/** Config of a `Flatten` layer. */
export interface FlattenConfig extends BaseLayerConfig { data_format?: Json }
/** Config of a `Reshape` layer. */
export interface ReshapeConfig extends BaseLayerConfig { target_shape: number[] }
/** Config of an `Activation` layer. */
export interface ActivationConfig extends BaseLayerConfig { activation: Json }
/** Config of a `Conv2D` layer. */
export interface Conv2DConfig extends BaseLayerConfig { filters: number; kernel_size: number[]; strides: number[]; padding: string; use_bias: boolean; activation?: Json; data_format?: Json; dilation_rate?: Json }
/** Config of a `MaxPooling2D` or `AveragePooling2D` layer. */
export interface Pooling2DConfig extends BaseLayerConfig { pool_size: number[]; strides: number[] | null; padding: string; data_format?: Json }
/** Config of a `BatchNormalization` layer. */
export interface BatchNormalizationConfig extends BaseLayerConfig { axis: Json; momentum: number; epsilon: number; center: boolean; scale: boolean }
/** Config of an `Embedding` layer. */
export interface EmbeddingConfig extends BaseLayerConfig { input_dim: number; output_dim: number; mask_zero?: boolean }
/** Config of a `LayerNormalization` layer. */
export interface LayerNormalizationConfig extends BaseLayerConfig { axis: Json; epsilon: number; center: boolean; scale: boolean }

/** Config type of each typed layer class. */
export interface TypedLayerConfigs {
  InputLayer: InputLayerConfig; Dense: DenseConfig; Dropout: DropoutConfig; Flatten: FlattenConfig; Reshape: ReshapeConfig;
  Activation: ActivationConfig; Conv2D: Conv2DConfig; MaxPooling2D: Pooling2DConfig; AveragePooling2D: Pooling2DConfig;
  BatchNormalization: BatchNormalizationConfig; Embedding: EmbeddingConfig; LayerNormalization: LayerNormalizationConfig;
}

/** A layer entry whose class has a typed config; the rest of the JSON (module, build_config…) is kept. */
export type TypedLayer = { [K in TypedLayerClass]: KerasObjectJson & { class_name: K; config: TypedLayerConfigs[K] } }[TypedLayerClass];

const REQUIRED: { [K in TypedLayerClass]: [string, 'number' | 'string' | 'boolean' | 'array' | 'any'][] } = {
  InputLayer: [], Dense: [['units', 'number']], Dropout: [['rate', 'number']], Flatten: [], Reshape: [['target_shape', 'array']],
  Activation: [['activation', 'any']], Conv2D: [['filters', 'number'], ['kernel_size', 'array']], MaxPooling2D: [], AveragePooling2D: [],
  BatchNormalization: [], Embedding: [['input_dim', 'number'], ['output_dim', 'number']], LayerNormalization: [],
};

/**
 * Narrows a layer entry to its typed config when its class is one of {@link TYPED_LAYERS} and the
 * fields the runtime needs are present with the right JSON types; otherwise undefined (keep it raw).
 */
export function typedLayer(layer: KerasObjectJson): TypedLayer | undefined {
  const cls = layer.class_name as TypedLayerClass;
  const req = REQUIRED[cls] as [string, string][] | undefined;
  if (req === undefined || !isJsonObject(layer.config) || typeof layer.config['name'] !== 'string') return undefined;
  for (const [k, t] of req) {
    const v = layer.config[k];
    if (v === undefined || (t === 'array' ? !Array.isArray(v) : t !== 'any' && typeof v !== t)) return undefined;
  }
  return layer as TypedLayer;
}

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

/** True for model classes whose `.weights.h5` groups include InputLayers (Functional, not Sequential). */
export function isFunctionalModel(model: KerasObjectJson): boolean {
  return model.class_name === 'Functional' || model.class_name === 'Model';
}

/** Python's `to_snake_case` as Keras uses it for `.weights.h5` container names. */
export function toSnakeCase(name: string): string {
  const s = name.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return s.startsWith('_') ? `private${s}` : s;
}

/**
 * The `layers/<key>` group names Keras 3 gives a model's layers in `.weights.h5`:
 * snake_case class names de-duplicated as `dense`, `dense_1`, …. A Functional model's
 * InputLayers have groups (`input_layer`); a Sequential's do not.
 */
export function weightsH5LayerKeys(layers: readonly KerasObjectJson[], includeInputs = false): { layer: KerasObjectJson; key: string }[] {
  const used = new Map<string, number>();
  const out: { layer: KerasObjectJson; key: string }[] = [];
  for (const layer of layers) {
    if (layer.class_name === 'InputLayer' && !includeInputs) continue;
    const base = toSnakeCase(layer.class_name);
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    out.push({ layer, key: n === 0 ? base : `${base}_${n}` });
  }
  return out;
}
