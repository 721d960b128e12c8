/**
 * Keras layers as inference-mode graph ops (channels-last, float32). Each
 * function takes the incoming tensor and returns the layer's output tensor
 * with its static shape; anything it cannot express throws a FormatError
 * naming the layer before a single file is written.
 */
import { errorsFor, type FormatError } from '@tfsave/core';
import { applyActivation } from './activations.js';
import { DT_FLOAT, DT_INT32, attr, type GraphBuilder, type GraphTensor } from './graph-builder.js';
import type { LayerSpec, WeightSpec } from './model-spec.js';

const fail = errorsFor('saved-model');

/** Layer classes the writer can export. */
export const SUPPORTED_LAYERS: readonly string[] = [
  'InputLayer', 'Dense', 'Dropout', 'Flatten', 'Reshape', 'Activation', 'Conv2D', 'MaxPooling2D', 'AveragePooling2D',
  'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'BatchNormalization', 'ReLU', 'Softmax', 'Embedding', 'LayerNormalization',
  'GlobalAveragePooling1D', 'GlobalMaxPooling1D',
];

const unsupported = (layer: string, what: string): FormatError => fail.unsupported(`layer ${layer}: ${what}`, 'layer');

function pair(v: unknown, dflt: number): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  return [dflt, dflt];
}

function weight(layer: string, spec: LayerSpec, role: string, index: number, required: boolean): WeightSpec | undefined {
  const ws = spec.weights ?? [];
  const byName = ws.find((w) => w.name.split('/').pop()?.replace(/:\d+$/, '') === role);
  const w = byName ?? ws[index];
  if (w === undefined && required) throw unsupported(layer, `missing weight '${role}'`);
  if (w !== undefined) {
    if (w.dtype !== undefined && w.dtype !== 'float32') throw unsupported(layer, `weight ${w.name} has dtype ${w.dtype}; only float32 is exported`);
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (n !== w.data.length) throw unsupported(layer, `weight ${w.name} has ${w.data.length} values for shape [${w.shape.join(', ')}]`);
  }
  return w;
}

function spatial(inSize: number, k: number, s: number, d: number, padding: string): number {
  const eff = (k - 1) * d + 1;
  return padding === 'same' ? Math.ceil(inSize / s) : Math.floor((inSize - eff) / s) + 1;
}

/** Appends the ops of one layer to `g` (casting a non-float input to float32 first, except for `Embedding`). */
export function addLayer(g: GraphBuilder, spec: LayerSpec, input: GraphTensor): GraphTensor {
  const cfg = spec.config;
  const name = typeof cfg['name'] === 'string' ? cfg['name'] : spec.class_name.toLowerCase();
  if (spec.class_name === 'Embedding') return embedding(g, spec, name, input);
  const x: GraphTensor = input.dtype === undefined || input.dtype === DT_FLOAT ? input : { name: g.castToFloat(`${name}/Cast`, input.name, input.dtype), shape: input.shape };
  const act = (scope: string, t: string, key = 'activation') => applyActivation(g, scope, t, typeof cfg[key] === 'string' ? (cfg[key] as string) : 'linear', name);
  switch (spec.class_name) {
    case 'InputLayer':
    case 'Dropout':
    case 'SpatialDropout2D':
    case 'GaussianNoise':
    case 'GaussianDropout':
      return x;
    case 'Activation':
      return { name: act(name, x.name), shape: x.shape };
    case 'ReLU':
      if (cfg['max_value'] !== undefined && cfg['max_value'] !== null || (cfg['negative_slope'] ?? 0) !== 0 || (cfg['threshold'] ?? 0) !== 0) throw unsupported(name, 'ReLU with max_value/negative_slope/threshold');
      return { name: g.float(`${name}/Relu`, 'Relu', [x.name]), shape: x.shape };
    case 'Softmax':
      if (cfg['axis'] !== undefined && cfg['axis'] !== -1 && cfg['axis'] !== x.shape.length) throw unsupported(name, `softmax over axis ${String(cfg['axis'])}`);
      return { name: g.float(`${name}/Softmax`, 'Softmax', [x.name]), shape: x.shape };
    case 'Dense': {
      if (x.shape.length !== 1) throw unsupported(name, `Dense on inputs of rank ${x.shape.length + 1} (add a Flatten first)`);
      const kernel = weight(name, spec, 'kernel', 0, true)!;
      const units = kernel.shape[1] ?? 0;
      if (kernel.shape.length !== 2 || kernel.shape[0] !== x.shape[0]) throw unsupported(name, `kernel shape [${kernel.shape.join(', ')}] does not fit input [${x.shape.join(', ')}]`);
      let y = g.float(`${name}/MatMul`, 'MatMul', [x.name, g.weight(name, 'kernel', kernel.data, kernel.shape)]);
      if (cfg['use_bias'] !== false) {
        const bias = weight(name, spec, 'bias', 1, true)!;
        y = g.float(`${name}/BiasAdd`, 'BiasAdd', [y, g.weight(name, 'bias', bias.data, bias.shape)]);
      }
      return { name: act(name, y), shape: [units] };
    }
    case 'Flatten': {
      const n = x.shape.reduce((a, b) => a * b, 1);
      return { name: g.op(`${name}/Reshape`, 'Reshape', [x.name, g.constInt(`${name}/Const`, [-1, n])], { T: attr.type(1), Tshape: attr.type(3) }), shape: [n] };
    }
    case 'Reshape': {
      const target = cfg['target_shape'];
      if (!Array.isArray(target) || !target.every((d) => typeof d === 'number')) throw unsupported(name, 'target_shape missing');
      const dims = target as number[];
      const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const total = x.shape.reduce((a, b) => a * b, 1);
      const shape = dims.map((d) => (d === -1 ? total / known : d));
      if (shape.reduce((a, b) => a * b, 1) !== total) throw unsupported(name, `cannot reshape [${x.shape.join(', ')}] to [${dims.join(', ')}]`);
      return { name: g.op(`${name}/Reshape`, 'Reshape', [x.name, g.constInt(`${name}/shape`, [-1, ...shape])], { T: attr.type(1), Tshape: attr.type(3) }), shape };
    }
    case 'Conv2D': {
      if (x.shape.length !== 3) throw unsupported(name, `Conv2D needs (h, w, c) inputs, got [${x.shape.join(', ')}]`);
      if ((cfg['data_format'] ?? 'channels_last') !== 'channels_last') throw unsupported(name, 'data_format channels_first');
      if ((cfg['groups'] ?? 1) !== 1) throw unsupported(name, 'grouped convolution');
      const kernel = weight(name, spec, 'kernel', 0, true)!;
      const [kh, kw] = [kernel.shape[0]!, kernel.shape[1]!];
      const [sh, sw] = pair(cfg['strides'], 1);
      const [dh, dw] = pair(cfg['dilation_rate'], 1);
      const padding = String(cfg['padding'] ?? 'valid');
      if (padding !== 'valid' && padding !== 'same') throw unsupported(name, `padding '${padding}'`);
      let y = g.float(`${name}/Conv2D`, 'Conv2D', [x.name, g.weight(name, 'kernel', kernel.data, kernel.shape)], {
        strides: attr.ints([1, sh, sw, 1]), dilations: attr.ints([1, dh, dw, 1]), padding: attr.s(padding.toUpperCase()), data_format: attr.s('NHWC'),
      });
      if (cfg['use_bias'] !== false) {
        const bias = weight(name, spec, 'bias', 1, true)!;
        y = g.float(`${name}/BiasAdd`, 'BiasAdd', [y, g.weight(name, 'bias', bias.data, bias.shape)]);
      }
      return { name: act(name, y), shape: [spatial(x.shape[0]!, kh, sh, dh, padding), spatial(x.shape[1]!, kw, sw, dw, padding), kernel.shape[3]!] };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      if (x.shape.length !== 3) throw unsupported(name, `pooling needs (h, w, c) inputs, got [${x.shape.join(', ')}]`);
      const [ph, pw] = pair(cfg['pool_size'], 2);
      const [sh, sw] = cfg['strides'] === null || cfg['strides'] === undefined ? [ph, pw] : pair(cfg['strides'], ph);
      const padding = String(cfg['padding'] ?? 'valid');
      const op = spec.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AvgPool';
      const y = g.float(`${name}/${op}`, op, [x.name], { ksize: attr.ints([1, ph, pw, 1]), strides: attr.ints([1, sh, sw, 1]), padding: attr.s(padding.toUpperCase()), data_format: attr.s('NHWC') });
      return { name: y, shape: [spatial(x.shape[0]!, ph, sh, 1, padding), spatial(x.shape[1]!, pw, sw, 1, padding), x.shape[2]!] };
    }
    case 'GlobalAveragePooling1D':
    case 'GlobalMaxPooling1D': {
      if (x.shape.length !== 2 || cfg['keepdims'] === true || (cfg['data_format'] ?? 'channels_last') !== 'channels_last') throw unsupported(name, `1D global pooling of [${x.shape.join(', ')}] (keepdims ${String(cfg['keepdims'])}, data_format ${String(cfg['data_format'])})`);
      const op = spec.class_name === 'GlobalAveragePooling1D' ? 'Mean' : 'Max';
      const y = g.op(`${name}/${op}`, op, [x.name, g.constInt(`${name}/reduction_indices`, [1])], { T: attr.type(1), Tidx: attr.type(3), keep_dims: attr.b(false) });
      return { name: y, shape: [x.shape[1]!] };
    }
    case 'LayerNormalization':
      return layerNorm(g, spec, name, x);
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D': {
      if (x.shape.length !== 3 || cfg['keepdims'] === true) throw unsupported(name, `global pooling of [${x.shape.join(', ')}] (keepdims ${String(cfg['keepdims'])})`);
      const op = spec.class_name === 'GlobalAveragePooling2D' ? 'Mean' : 'Max';
      const y = g.op(`${name}/${op}`, op, [x.name, g.constInt(`${name}/reduction_indices`, [1, 2])], { T: attr.type(1), Tidx: attr.type(3), keep_dims: attr.b(false) });
      return { name: y, shape: [x.shape[2]!] };
    }
    case 'BatchNormalization':
      return batchNorm(g, spec, name, x);
    default:
      throw unsupported(name, `class ${spec.class_name} cannot be exported (supported: ${SUPPORTED_LAYERS.join(', ')})`);
  }
}

/**
 * Inference-mode batch normalization over the last axis, computed from the
 * four weights as tf_keras does: `x * (gamma * rsqrt(var + eps)) + (beta - mean * scale)`.
 */
function batchNorm(g: GraphBuilder, spec: LayerSpec, name: string, x: GraphTensor): GraphTensor {
  const cfg = spec.config;
  const axis = Array.isArray(cfg['axis']) ? (cfg['axis'] as unknown[])[0] : cfg['axis'] ?? -1;
  if (axis !== -1 && axis !== x.shape.length) throw unsupported(name, `BatchNormalization over axis ${String(axis)} (only the last axis)`);
  const ch = x.shape[x.shape.length - 1]!;
  const scale = cfg['scale'] !== false, center = cfg['center'] !== false;
  let i = 0;
  const gamma = scale ? weight(name, spec, 'gamma', i++, true)! : undefined;
  const beta = center ? weight(name, spec, 'beta', i++, true)! : undefined;
  const mean = weight(name, spec, 'moving_mean', i++, true)!;
  const variance = weight(name, spec, 'moving_variance', i++, true)!;
  for (const w of [gamma, beta, mean, variance]) if (w !== undefined && (w.shape.length !== 1 || w.shape[0] !== ch)) throw unsupported(name, `weight ${w.name} shape [${w.shape.join(', ')}] != [${ch}]`);
  const eps = typeof cfg['epsilon'] === 'number' ? cfg['epsilon'] : 1e-3;
  const s = `${name}/batchnorm`;
  const w = (role: string, t: { data: Float32Array; shape: readonly number[] }) => g.weight(name, role, t.data, t.shape);
  const meanT = w('moving_mean', mean);
  const varT = w('moving_variance', variance);
  let inv = g.float(`${s}/Rsqrt`, 'Rsqrt', [g.float(`${s}/add`, 'AddV2', [varT, g.constFloat(`${s}/add/y`, Float32Array.of(eps), [])])]);
  if (gamma !== undefined) inv = g.float(`${s}/mul`, 'Mul', [inv, w('gamma', gamma)]);
  const y = g.float(`${s}/mul_1`, 'Mul', [x.name, inv]);
  const shift = g.float(`${s}/mul_2`, 'Mul', [meanT, inv]);
  const offset = beta !== undefined ? g.float(`${s}/sub`, 'Sub', [w('beta', beta), shift]) : g.float(`${s}/Neg`, 'Neg', [shift]);
  return { name: g.float(`${s}/add_1`, 'AddV2', [y, offset]), shape: x.shape };
}

const DT_INT64 = 9;

/**
 * Embedding lookup as tf_keras does it: ids that are not int32/int64 are cast to int32,
 * then `GatherV2(embeddings, ids, axis 0)`. `mask_zero` is refused (later layers would see a mask).
 */
function embedding(g: GraphBuilder, spec: LayerSpec, name: string, x: GraphTensor): GraphTensor {
  if (spec.config['mask_zero'] === true) throw unsupported(name, 'Embedding with mask_zero (masks are not exported)');
  const table = weight(name, spec, 'embeddings', 0, true)!;
  if (table.shape.length !== 2) throw unsupported(name, `embeddings shape [${table.shape.join(', ')}] is not 2-D`);
  const dtype = x.dtype ?? DT_FLOAT;
  const ids = dtype === DT_INT32 || dtype === DT_INT64 ? x.name : g.op(`${name}/Cast`, 'Cast', [x.name], { DstT: attr.type(DT_INT32), SrcT: attr.type(dtype), Truncate: attr.b(false) });
  const params = g.weight(name, 'embeddings', table.data, table.shape);
  const y = g.op(`${name}/embedding_lookup`, 'GatherV2', [params, ids, g.constInt(`${name}/axis`, [0], [])], {
    Taxis: attr.type(DT_INT32), Tindices: attr.type(dtype === DT_INT64 ? DT_INT64 : DT_INT32), Tparams: attr.type(DT_FLOAT), batch_dims: attr.i(0),
  });
  return { name: y, shape: [...x.shape, table.shape[1]!] };
}

/**
 * Layer normalization over the last axis as `tf.nn.moments` + `tf.nn.batch_normalization`:
 * `x * (gamma * rsqrt(var + eps)) + (beta - mean * scale)` with mean and variance per example.
 */
function layerNorm(g: GraphBuilder, spec: LayerSpec, name: string, x: GraphTensor): GraphTensor {
  const cfg = spec.config;
  const axes = Array.isArray(cfg['axis']) ? (cfg['axis'] as unknown[]) : [cfg['axis'] ?? -1];
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== x.shape.length)) throw unsupported(name, `LayerNormalization over axis ${JSON.stringify(cfg['axis'])} (only the last axis)`);
  const ch = x.shape[x.shape.length - 1]!;
  const scale = cfg['scale'] !== false, center = cfg['center'] !== false;
  let i = 0;
  const gamma = scale ? weight(name, spec, 'gamma', i++, true)! : undefined;
  const beta = center ? weight(name, spec, 'beta', i++, true)! : undefined;
  for (const w of [gamma, beta]) if (w !== undefined && (w.shape.length !== 1 || w.shape[0] !== ch)) throw unsupported(name, `weight ${w.name} shape [${w.shape.join(', ')}] != [${ch}]`);
  const eps = typeof cfg['epsilon'] === 'number' ? cfg['epsilon'] : 1e-3;
  const s = `${name}/moments`;
  const axis = g.constInt(`${s}/reduction_indices`, [x.shape.length]);
  const mean = g.op(`${s}/mean`, 'Mean', [x.name, axis], { T: attr.type(DT_FLOAT), Tidx: attr.type(DT_INT32), keep_dims: attr.b(true) });
  const sq = g.float(`${s}/SquaredDifference`, 'SquaredDifference', [x.name, mean]);
  const variance = g.op(`${s}/variance`, 'Mean', [sq, axis], { T: attr.type(DT_FLOAT), Tidx: attr.type(DT_INT32), keep_dims: attr.b(true) });
  const b = `${name}/batchnorm`;
  let inv = g.float(`${b}/Rsqrt`, 'Rsqrt', [g.float(`${b}/add`, 'AddV2', [variance, g.constFloat(`${b}/add/y`, Float32Array.of(eps), [])])]);
  if (gamma !== undefined) inv = g.float(`${b}/mul`, 'Mul', [inv, g.weight(name, 'gamma', gamma.data, gamma.shape)]);
  const y = g.float(`${b}/mul_1`, 'Mul', [x.name, inv]);
  const shift = g.float(`${b}/mul_2`, 'Mul', [mean, inv]);
  const offset = beta !== undefined ? g.float(`${b}/sub`, 'Sub', [g.weight(name, 'beta', beta.data, beta.shape), shift]) : g.float(`${b}/Neg`, 'Neg', [shift]);
  return { name: g.float(`${b}/add_1`, 'AddV2', [y, offset]), shape: x.shape };
}
