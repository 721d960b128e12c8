/**
 * Appends every layer of a {@link ModelGraph} to a graph builder, feeding each
 * layer the tensors named by its inbound list, and returns the output tensors.
 */
import { errorsFor } from '@tfsave/core';
import { DT_FLOAT, type GraphBuilder, type GraphTensor } from './graph-builder.js';
import { addLayer } from './layers.js';
import { MERGE_LAYERS, addMergeLayer } from './merge-layers.js';
import type { ModelGraph } from './model-graph.js';

const fail = errorsFor('saved-model');

/** What {@link wireLayers} built. */
export interface WiredLayers {
  /** Output tensors in model order. */
  readonly outputs: readonly GraphTensor[];
  /** Static input shape (without batch) of each layer, for its first inbound tensor (all of them for merges). */
  readonly inputShapes: ReadonlyMap<string, ReadonlyArray<readonly number[]>>;
}

/**
 * Builds the layers of `model` on `g` from the input tensors `inputs` (keyed by input key).
 * `onLayer` runs after each layer (e.g. to collect the variables it captured).
 * @throws FormatError (`unsupported`) naming the first layer that cannot be expressed.
 */
export function wireLayers(g: GraphBuilder, model: ModelGraph, inputs: ReadonlyMap<string, GraphTensor>, onLayer: (name: string) => void = () => {}): WiredLayers {
  const tensors = new Map(inputs);
  const inputShapes = new Map<string, Array<readonly number[]>>();
  for (const layer of model.layers) {
    const xs = layer.inbound.map((n) => tensors.get(n)!);
    inputShapes.set(layer.name, xs.map((x) => x.shape));
    let y: GraphTensor;
    if (MERGE_LAYERS.includes(layer.spec.class_name)) {
      const floats = xs.map((x, i) => (x.dtype === undefined || x.dtype === DT_FLOAT ? x : { name: g.castToFloat(`${layer.name}/Cast${i === 0 ? '' : `_${i}`}`, x.name, x.dtype), shape: x.shape }));
      y = addMergeLayer(g, layer.spec, layer.name, floats);
    } else {
      if (xs.length !== 1) throw fail.unsupported(`layer ${layer.name}: ${layer.spec.class_name} takes one input, got ${xs.length}`, 'layer');
      y = addLayer(g, layer.spec, xs[0]!);
    }
    tensors.set(layer.name, y);
    onLayer(layer.name);
  }
  const outputs = model.outputs.map((o) => {
    const t = tensors.get(o.source)!;
    return t.dtype === undefined || t.dtype === DT_FLOAT ? t : { name: g.castToFloat(`${o.key}/Cast`, t.name, t.dtype), shape: t.shape };
  });
  return { outputs, inputShapes };
}
