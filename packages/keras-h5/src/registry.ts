/**
 * Custom objects and the safety gate: every class in a config must be a
 * built-in Keras class or registered here; `Lambda` (which carries Python
 * bytecode) is refused unless explicitly allowed. Nothing from a file is executed.
 */
import { errorsFor } from '@tfsave/core';
import type { JsonObject } from './model-desc.js';
import { isJsonObject } from './model-desc.js';

const fail = errorsFor('keras-config');

/** A custom class: how to get its config and rebuild it (`getConfig` / `fromConfig`). */
export interface CustomObject<T = unknown> {
  /** Registry key, `package>Name` like Keras's `register_keras_serializable`. */
  readonly key: string;
  getConfig(obj: T): JsonObject;
  fromConfig(config: JsonObject): T;
}

/** A registry of custom objects keyed `package>Name`. */
export class CustomObjectRegistry {
  private readonly map = new Map<string, CustomObject>();

  /** Registers `obj` under `package>Name` (default package `Custom`, like Keras). */
  register<T>(name: string, impl: Omit<CustomObject<T>, 'key'>, pkg = 'Custom'): CustomObject<T> {
    const key = `${pkg}>${name}`;
    const entry: CustomObject<T> = { key, ...impl };
    this.map.set(key, entry as CustomObject);
    return entry;
  }

  /** Looks up by registered name (`package>Name`) or by bare class name. */
  get(registeredOrClass: string): CustomObject | undefined {
    const hit = this.map.get(registeredOrClass);
    if (hit !== undefined) return hit;
    for (const [k, v] of this.map) if (k.slice(k.indexOf('>') + 1) === registeredOrClass) return v;
    return undefined;
  }

  /** All registered keys. */
  keys(): string[] { return [...this.map.keys()]; }
}

/** Layer/model classes Keras ships and we accept without registration (configs only; never executed). */
const BUILTIN = new Set([
  'Sequential', 'Functional', 'Model', 'InputLayer', 'Dense', 'Dropout', 'Flatten', 'Reshape', 'Activation', 'Conv1D', 'Conv2D',
  'Conv3D', 'MaxPooling1D', 'MaxPooling2D', 'AveragePooling1D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D',
  'BatchNormalization', 'Embedding', 'LayerNormalization', 'Cropping2D', 'ZeroPadding2D', 'Concatenate', 'Add', 'Multiply',
  'Average', 'Subtract', 'LSTM', 'GRU', 'SimpleRNN', 'Bidirectional', 'TimeDistributed', 'Permute', 'RepeatVector', 'ReLU',
  'LeakyReLU', 'PReLU', 'ELU', 'Softmax', 'SpatialDropout2D', 'GaussianNoise', 'UpSampling2D', 'Conv2DTranspose', 'DepthwiseConv2D',
  'SeparableConv2D', 'Rescaling', 'Normalization', 'Convolution2D', 'MaxPooling3D', 'GlobalAveragePooling1D', 'Masking',
]);

/** Options of {@link checkConfigSafety}. */
export interface SafetyOptions {
  /** Accept `Lambda` layers (their code is still never run). Default false. */
  readonly allowLambda?: boolean;
  /** Accept classes that are neither built in nor registered (kept as raw JSON). Default false. */
  readonly allowUnknownClasses?: boolean;
  /** Registry of custom classes. */
  readonly registry?: CustomObjectRegistry;
}

/**
 * Walks a model config and refuses `Lambda` layers and unregistered classes.
 * @throws FormatError kind `unsafe` naming the class and the option that allows it.
 */
export function checkConfigSafety(model: JsonObject, options: SafetyOptions = {}): void {
  const visit = (layer: JsonObject, path: string): void => {
    const cls = layer['class_name'];
    if (typeof cls !== 'string') return;
    const reg = layer['registered_name'];
    if (cls === 'Lambda' || cls === 'TFOpLambda') {
      if (options.allowLambda !== true) throw fail.unsafe(`${path} is a ${cls} layer, which holds Python code; refused (pass { allowLambda: true } to read its config without running it)`, 'lambda');
    } else if (!BUILTIN.has(cls)) {
      const known = options.registry?.get(typeof reg === 'string' ? reg : cls) !== undefined;
      if (!known && options.allowUnknownClasses !== true) {
        throw fail.unsafe(`${path} has unregistered class ${typeof reg === 'string' ? reg : cls}; register it in a CustomObjectRegistry or pass { allowUnknownClasses: true }`, 'unregistered-class');
      }
    }
    const cfg = layer['config'];
    const layers = Array.isArray(cfg) ? cfg : isJsonObject(cfg) ? cfg['layers'] : undefined;
    if (Array.isArray(layers)) for (const l of layers) if (isJsonObject(l)) visit(l, `${path}/${String(isJsonObject(l['config']) ? l['config']['name'] : '?')}`);
    const inner = isJsonObject(cfg) ? cfg['layer'] : undefined;
    if (isJsonObject(inner)) visit(inner, `${path}/layer`);
  };
  visit(model, String(isJsonObject(model['config']) ? model['config']['name'] ?? 'model' : 'model'));
}
