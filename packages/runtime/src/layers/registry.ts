/**
 * Layer classes by name: the built-ins and user classes registered with
 * {@link registerLayer} (Keras's `register_keras_serializable`).
 */
import type { Layer, LayerClass } from './layer.js';

const byName = new Map<string, LayerClass>();
const nameOf = new Map<unknown, string>();

/**
 * Registers a layer class (with static `fromConfig` and a `getConfig` method)
 * under `name`: a registered name such as `MyPackage>Scale` or a class name.
 * Saved configs then carry that name, and loading finds the class by it.
 */
export function registerLayer(name: string, cls: LayerClass): void {
  byName.set(name, cls);
  const bare = name.includes('>') ? name.slice(name.indexOf('>') + 1) : name;
  if (!byName.has(bare)) byName.set(bare, cls);
  if (!nameOf.has(cls)) nameOf.set(cls, name);
}

/** The class registered under `name` (registered or bare class name). */
export function lookupLayer(name: string): LayerClass | undefined {
  return byName.get(name);
}

/** The name a layer's config is saved under (its registered name, else its class name). */
export function serializedClassName(layer: Layer): string {
  return nameOf.get(layer.constructor) ?? layer.className;
}

/** The Keras classes the runtime implements; any other layer class is a custom one. */
const KERAS_LAYERS = new Set(['InputLayer', 'Dense', 'Dropout', 'Flatten', 'Reshape', 'Activation', 'Conv2D', 'MaxPooling2D',
  'AveragePooling2D', 'BatchNormalization', 'LayerNormalization', 'Embedding', 'Concatenate', 'Add']);

/**
 * A layer's entry in a model config: `class_name` and `config`, plus `registered_name`
 * for custom classes. Keras 3 finds a custom class in `custom_objects` (or its registry)
 * by `registered_name` only, so a `.keras` file without it cannot load the layer.
 */
export function layerEntry(layer: Layer): { class_name: string; config: Record<string, unknown>; registered_name?: string } {
  const className = serializedClassName(layer);
  const entry = { class_name: className, config: layer.getConfig() };
  return className === layer.className && KERAS_LAYERS.has(className) ? entry : { ...entry, registered_name: className };
}
