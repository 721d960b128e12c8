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
