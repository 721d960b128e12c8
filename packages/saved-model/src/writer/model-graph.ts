/**
 * One graph view of both model kinds: a Sequential {@link ModelSpec} becomes a
 * chain (one input, each layer fed by the previous one, the last layer as the
 * output); a functional one is checked (inputs and inbound names exist, layers
 * come after what feeds them, outputs are layers). Signature keys are sorted
 * (TF flattens the signature dicts in key order), so function arguments and
 * results follow sorted keys.
 */
import { errorsFor } from '@tfsave/core';
import { INPUT_DTYPE_CODES, type InputDtype, type LayerSpec, type ModelSpec } from './model-spec.js';

const fail = errorsFor('saved-model');

/** A model input in the graph view. */
export interface GraphInput {
  readonly key: string;
  readonly shape: readonly number[];
  readonly dtypeName: InputDtype;
  readonly dtype: number;
}

/** The graph view of a model. */
export interface ModelGraph {
  readonly functional: boolean;
  /** Inputs in model order. */
  readonly inputs: readonly GraphInput[];
  /** Layers (InputLayers excluded) with resolved names and inbound names. */
  readonly layers: ReadonlyArray<{ readonly name: string; readonly spec: LayerSpec; readonly inbound: readonly string[] }>;
  /** Outputs in model order: signature key and the layer (or input) producing it. */
  readonly outputs: ReadonlyArray<{ readonly key: string; readonly source: string }>;
}

/** The name of a layer: `config.name`, or its class in lower case. */
export const layerName = (l: LayerSpec): string => (typeof l.config['name'] === 'string' ? l.config['name'] : l.class_name.toLowerCase());

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Inputs sorted by signature key (function argument order). */
export const sortedInputs = (g: ModelGraph): GraphInput[] => [...g.inputs].sort((a, b) => byKey(a.key, b.key));
/** Outputs sorted by signature key (function result order). */
export const sortedOutputs = (g: ModelGraph): Array<ModelGraph['outputs'][number]> => [...g.outputs].sort((a, b) => byKey(a.key, b.key));

function checkShape(what: string, shape: readonly number[]): void {
  if (shape.some((d) => !Number.isInteger(d) || d <= 0)) throw fail.unsupported(`${what} shape [${shape.join(', ')}] must be fully known`, 'input-shape');
}

function dtypeOf(name: InputDtype | undefined): { dtypeName: InputDtype; dtype: number } {
  const dtypeName = name ?? 'float32';
  const dtype = INPUT_DTYPE_CODES[dtypeName];
  if (dtype === undefined) throw fail.unsupported(`input dtype ${String(name)} (supported: ${Object.keys(INPUT_DTYPE_CODES).join(', ')})`, 'input-dtype');
  return { dtypeName, dtype };
}

/**
 * The graph view of `spec`.
 * @throws FormatError (`unsupported`) for unknown dtypes, unknown shapes, or a functional wiring that names
 *   a missing or later tensor.
 */
export function modelGraph(spec: ModelSpec, inputKey: string, outputKey: string): ModelGraph {
  if (spec.inputs === undefined) {
    checkShape('input', spec.inputShape);
    const layers = spec.layers.filter((l) => l.class_name !== 'InputLayer');
    let prev = inputKey;
    const chain = layers.map((l, i) => {
      const name = layerName(l) || `layer_${i}`;
      const entry = { name, spec: l, inbound: [prev] };
      prev = name;
      return entry;
    });
    return { functional: false, inputs: [{ key: inputKey, shape: spec.inputShape, ...dtypeOf(spec.inputDtype) }], layers: chain, outputs: [{ key: outputKey, source: prev }] };
  }
  if (spec.inputs.length === 0) throw fail.unsupported('a functional model needs at least one input', 'functional');
  const known = new Set<string>();
  const inputs = spec.inputs.map((i) => {
    checkShape(`input ${i.name}`, i.shape);
    if (known.has(i.name)) throw fail.unsupported(`duplicate input name ${i.name}`, 'functional');
    known.add(i.name);
    return { key: i.name, shape: i.shape, ...dtypeOf(i.dtype) };
  });
  const layers = spec.layers.filter((l) => l.class_name !== 'InputLayer').map((l) => {
    const name = layerName(l);
    const inbound = l.inbound ?? [];
    if (inbound.length === 0) throw fail.unsupported(`layer ${name}: a functional layer needs inbound names`, 'functional');
    for (const n of inbound) if (!known.has(n)) throw fail.unsupported(`layer ${name}: inbound '${n}' is not an input or an earlier layer`, 'functional');
    if (known.has(name)) throw fail.unsupported(`layer ${name}: duplicate name`, 'functional');
    known.add(name);
    return { name, spec: l, inbound };
  });
  const outs = spec.outputs ?? [];
  if (outs.length === 0) throw fail.unsupported('a functional model needs at least one output', 'functional');
  for (const o of outs) if (!layers.some((l) => l.name === o)) throw fail.unsupported(`output '${o}' is not a layer`, 'functional');
  return { functional: true, inputs, layers, outputs: outs.map((o) => ({ key: o, source: o })) };
}
