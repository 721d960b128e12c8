/**
 * Assigning the weights of a legacy weights file to a model the way Keras's `load_weights` does
 * (tf_keras `legacy/saving/hdf5_format.py`): by order (weighted layers in order, counts must
 * match) or by name (layers matched by name, others untouched; mismatches refused or skipped).
 */
import { errorsFor } from '@tfsave/core';
import type { KerasModelDesc, LayerWeights } from './model-desc.js';

const fail = errorsFor('keras-weights');

/** Options of {@link assignWeights}. */
export interface AssignWeightsOptions {
  /** Match layers by name (`load_weights(by_name=True)`). Default false: by order. */
  readonly byName?: boolean;
  /** By name only: skip layers whose weight count or shapes differ instead of failing. Default false. */
  readonly skipMismatch?: boolean;
}

/** Result of {@link assignWeights}: the model with weights replaced, and the layers skipped by `skipMismatch`. */
export interface AssignedWeights {
  readonly model: KerasModelDesc;
  readonly skipped: string[];
}

const shapeText = (s: readonly number[]) => `[${s.join(',')}]`;

function mismatch(target: LayerWeights, source: LayerWeights): string | undefined {
  if (target.weights.length !== source.weights.length) return `layer ${target.name} expects ${target.weights.length} weights, the file has ${source.weights.length}`;
  for (let i = 0; i < target.weights.length; i++) {
    const a = target.weights[i]!, b = source.weights[i]!;
    if (shapeText(a.shape) !== shapeText(b.shape)) return `layer ${target.name} weight ${i} (${a.name}) has shape ${shapeText(a.shape)}, the file has ${shapeText(b.shape)}`;
  }
  return undefined;
}

/**
 * Returns `model` with the weights of `file` assigned to its layers; the model's own weights give
 * the expected counts and shapes.
 * @throws FormatError `malformed` for layer-count, weight-count or shape mismatches (unless skipped).
 */
export function assignWeights(model: KerasModelDesc, file: KerasModelDesc, options: AssignWeightsOptions = {}): AssignedWeights {
  const skipped: string[] = [];
  const sourceOf = new Map<string, LayerWeights>();
  if (options.byName === true) {
    for (const src of file.layers) {
      const target = model.layers.find((l) => l.name === src.name);
      if (target === undefined) continue;
      const why = mismatch(target, src);
      if (why !== undefined) {
        if (options.skipMismatch === true) { skipped.push(target.name); continue; }
        throw fail.malformed(why, 'weight-mismatch');
      }
      sourceOf.set(target.name, src);
    }
  } else {
    const targets = model.layers.filter((l) => l.weights.length > 0);
    const sources = file.layers.filter((l) => l.weights.length > 0);
    if (targets.length !== sources.length) throw fail.malformed(`layer count mismatch: the model has ${targets.length} layers with weights, the file ${sources.length}`, 'layer-count');
    targets.forEach((t, i) => {
      const why = mismatch(t, sources[i]!);
      if (why !== undefined) throw fail.malformed(why, 'weight-mismatch');
      sourceOf.set(t.name, sources[i]!);
    });
  }
  const layers = model.layers.map((l) => {
    const src = sourceOf.get(l.name);
    return src === undefined ? l : { ...l, weights: l.weights.map((w, i) => ({ ...w, data: src.weights[i]!.data })) };
  });
  return { model: { ...model, layers }, skipped };
}
