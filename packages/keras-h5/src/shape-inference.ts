/**
 * Output shapes of the layers the runtime offers, from configs alone, for
 * Keras-like model summaries. `null` is the unknown (batch) dimension; a
 * layer whose shape cannot be inferred gets `undefined`.
 */
import type { Json, JsonObject } from './model-desc.js';
import { isJsonObject } from './model-desc.js';
import type { KerasObjectJson } from './config-model.js';
import { layerName, modelLayers } from './config-model.js';

/** A tensor shape; `null` for unknown dimensions. */
export type Shape = (number | null)[];

const nums = (v: Json | undefined, n: number, dflt: number): number[] => {
  if (typeof v === 'number') return Array<number>(n).fill(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  return Array<number>(n).fill(dflt);
};

function spatial(size: number | null, k: number, s: number, d: number, padding: Json | undefined): number | null {
  if (size === null) return null;
  const eff = (k - 1) * d + 1;
  return padding === 'same' ? Math.ceil(size / s) : Math.floor((size - eff) / s) + 1;
}

function window2d(input: Shape, c: JsonObject, kernelKey: string, channels: number | null): Shape | undefined {
  if (input.length !== 4) return undefined;
  const k = nums(c[kernelKey], 2, 2);
  const s = c['strides'] === null || c['strides'] === undefined ? k : nums(c['strides'], 2, 1);
  const d = nums(c['dilation_rate'], 2, 1);
  const first = c['data_format'] === 'channels_first';
  const [h, w] = first ? [input[2]!, input[3]!] : [input[1]!, input[2]!];
  const oh = spatial(h, k[0]!, s[0]!, d[0]!, c['padding']);
  const ow = spatial(w, k[1]!, s[1]!, d[1]!, c['padding']);
  const ch = channels ?? (first ? input[1]! : input[3]!);
  return first ? [input[0]!, ch, oh, ow] : [input[0]!, oh, ow, ch];
}

/**
 * Output shape of one layer given its input shapes.
 * Follows the shape rules of the Keras layer classes (e.g. keras/src/layers/convolutional/base_conv.py).
 */
export function layerOutputShape(layer: KerasObjectJson, inputs: readonly Shape[]): Shape | undefined {
  const c = isJsonObject(layer.config) ? layer.config : {};
  const input = inputs[0];
  switch (layer.class_name) {
    case 'InputLayer': {
      const b = c['batch_shape'] ?? c['batch_input_shape'];
      return Array.isArray(b) ? b.map((x) => (typeof x === 'number' ? x : null)) : undefined;
    }
    case 'Dropout': case 'Activation': case 'BatchNormalization': case 'LayerNormalization': case 'ReLU': case 'LeakyReLU':
    case 'Softmax': case 'GaussianNoise': case 'SpatialDropout2D': case 'Rescaling': case 'Normalization':
      return input === undefined ? undefined : [...input];
    case 'Dense': return input === undefined || typeof c['units'] !== 'number' ? undefined : [...input.slice(0, -1), c['units']];
    case 'Flatten': {
      if (input === undefined) return undefined;
      const rest = input.slice(1);
      return [input[0]!, rest.some((x) => x === null) ? null : rest.reduce<number>((a, b) => a * (b ?? 1), 1)];
    }
    case 'Reshape': {
      const t = c['target_shape'];
      if (input === undefined || !Array.isArray(t)) return undefined;
      const known = input.slice(1).every((x) => x !== null) ? input.slice(1).reduce<number>((a, b) => a * b!, 1) : undefined;
      const fixed = t.reduce<number>((a, b) => (typeof b === 'number' && b !== -1 ? a * b : a), 1);
      return [input[0]!, ...t.map((x) => (x === -1 ? (known !== undefined ? known / fixed : null) : typeof x === 'number' ? x : null))];
    }
    case 'Conv2D': return input === undefined || typeof c['filters'] !== 'number' ? undefined : window2d(input, c, 'kernel_size', c['filters']);
    case 'MaxPooling2D': case 'AveragePooling2D': return input === undefined ? undefined : window2d(input, c, 'pool_size', null);
    case 'Embedding': return input === undefined || typeof c['output_dim'] !== 'number' ? undefined : [...input, c['output_dim']];
    case 'Concatenate': {
      if (inputs.length === 0) return undefined;
      const rank = inputs[0]!.length;
      const axis = typeof c['axis'] === 'number' ? (c['axis'] < 0 ? rank + c['axis'] : c['axis']) : rank - 1;
      const out = [...inputs[0]!];
      out[axis] = inputs.some((s) => s[axis] === null) ? null : inputs.reduce((a, s) => a + s[axis]!, 0);
      return out;
    }
    case 'Add': case 'Multiply': case 'Average': case 'Subtract': case 'Maximum': case 'Minimum':
      return input === undefined ? undefined : [...input];
    default: return undefined;
  }
}

/** Names of the layers feeding a Functional layer entry (Keras 2 `[[name, 0, 0, {}]]` or Keras 3 `__keras_tensor__` nodes). */
export function inboundLayerNames(layer: KerasObjectJson): string[] {
  const nodes = layer['inbound_nodes'];
  if (!Array.isArray(nodes) || nodes.length === 0) return [];
  const out: string[] = [];
  const visit = (v: Json): void => {
    if (Array.isArray(v)) {
      if (typeof v[0] === 'string' && typeof v[1] === 'number') out.push(v[0]);
      else for (const x of v) visit(x);
    } else if (isJsonObject(v)) {
      if (v['class_name'] === '__keras_tensor__' && isJsonObject(v['config']) && Array.isArray(v['config']['keras_history'])) {
        const h = v['config']['keras_history'];
        if (typeof h[0] === 'string') out.push(h[0]);
      } else for (const x of Object.values(v)) visit(x);
    }
  };
  visit(nodes[0]!);
  return out;
}

/**
 * Output shape of every layer of a Sequential or Functional config, by layer name.
 * A Sequential without an InputLayer takes its input from the first layer's `batch_input_shape`.
 */
export function inferOutputShapes(model: KerasObjectJson): Map<string, Shape | undefined> {
  const out = new Map<string, Shape | undefined>();
  const layers = modelLayers(model);
  if (model.class_name === 'Sequential' || Array.isArray(model.config)) {
    let prev: Shape | undefined;
    for (const l of layers) {
      const c = isJsonObject(l.config) ? l.config : {};
      const declared = c['batch_input_shape'] ?? c['batch_shape'];
      if (prev === undefined && l.class_name !== 'InputLayer' && Array.isArray(declared)) prev = declared.map((x) => (typeof x === 'number' ? x : null));
      prev = layerOutputShape(l, prev !== undefined ? [prev] : []);
      out.set(layerName(l), prev);
    }
    return out;
  }
  for (const l of layers) {
    const ins = inboundLayerNames(l).map((n) => out.get(n));
    out.set(layerName(l), ins.some((s) => s === undefined) ? undefined : layerOutputShape(l, ins as Shape[]));
  }
  return out;
}
