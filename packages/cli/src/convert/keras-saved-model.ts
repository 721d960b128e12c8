/** A Keras Sequential model as the neutral spec of the SavedModel writer (`@tfsave/saved-model`). */
import { float16ToFloat32, bfloat16ToFloat32 } from '@tfsave/core';
import { isJsonObject, isKerasObject, layerName, modelLayers, type Json, type KerasModelDesc, type TensorRecord } from '@tfsave/keras-h5';
import type { LayerSpec, ModelSpec } from '@tfsave/saved-model';
import { CliFailure } from '../cli-error.js';

function shapeWithoutBatch(v: Json | undefined): number[] | undefined {
  if (!Array.isArray(v) || v.length < 2) return undefined;
  const rest = v.slice(1);
  return rest.every((d) => typeof d === 'number') ? (rest as number[]) : undefined;
}

function asFloat32(t: TensorRecord): Float32Array {
  if (t.dtype === 'float32') return t.data as Float32Array;
  if (t.dtype === 'float16') return float16ToFloat32(t.data as Uint16Array);
  if (t.dtype === 'bfloat16') return bfloat16ToFloat32(t.data as Uint16Array);
  if (t.dtype === 'float64') return Float32Array.from(t.data as Float64Array);
  throw new CliFailure(`weight ${t.name} has dtype ${t.dtype}; a SavedModel export needs floating-point weights`);
}

/**
 * Builds the writer's {@link ModelSpec}: Sequential layers in config order with
 * their weights, input shape from the InputLayer or the first layer's `batch_input_shape`.
 * @throws CliFailure when the model is not a Sequential with a known input shape.
 */
export function savedModelSpec(desc: KerasModelDesc): ModelSpec {
  const cfg = desc.modelConfig;
  if (cfg === undefined || !isKerasObject(cfg)) throw new CliFailure('cannot be expressed as a SavedModel: the source has no model config (weights only)');
  if (cfg.class_name !== 'Sequential') throw new CliFailure(`cannot be expressed as a SavedModel: only Sequential models are exported, this is a ${cfg.class_name}`);
  const layersCfg = modelLayers(cfg);
  let inputShape: number[] | undefined;
  for (const l of layersCfg) {
    const c = isJsonObject(l.config) ? l.config : {};
    inputShape = shapeWithoutBatch(c['batch_input_shape'] ?? c['batch_shape']);
    if (inputShape !== undefined) break;
  }
  if (inputShape === undefined && isJsonObject(cfg.config)) inputShape = shapeWithoutBatch(cfg.config['build_input_shape']);
  if (inputShape === undefined) throw new CliFailure('cannot be expressed as a SavedModel: the model config records no input shape');
  const byName = new Map(desc.layers.map((l) => [l.name, l]));
  const layers: LayerSpec[] = layersCfg
    .filter((l) => l.class_name !== 'InputLayer')
    .map((l) => ({
      class_name: l.class_name,
      config: isJsonObject(l.config) ? l.config : {},
      weights: (byName.get(layerName(l))?.weights ?? []).map((w) => ({ name: w.name, shape: w.shape, data: asFloat32(w) })),
    }));
  return { layers, inputShape, kerasConfig: cfg };
}
