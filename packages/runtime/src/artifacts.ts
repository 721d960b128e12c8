/**
 * The neutral description of a model that every format module maps to its
 * package: Keras model config (tf_keras dialect, as on the wire), weights per
 * layer `{name, dtype, shape, data}`, training config and optimizer state.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { JsonObject, KerasModelDesc, LayerWeights, TensorRecord } from '@tfsave/keras-h5';
import { convertOptimizerState, detectDialect, detectOptimizerLayout, toKeras2 } from '@tfsave/keras-h5';
import { getLoss } from './losses.js';
import { getMetric } from './metrics.js';
import type { Model } from './model.js';
import { getOptimizer, type Optimizer } from './optimizers.js';
import { modelFromConfig } from './serialization.js';
import { kerasOptimizerState, restoreKerasOptimizer, type KerasOptimizerLayout } from './tf-checkpoint.js';
import type { CustomObjects } from './serialization.js';

/** The Keras version our descriptions claim (the tf_keras dialect). */
export const KERAS_VERSION = '2.21.0';

function record(name: string, t: tf.Tensor): TensorRecord {
  const data = t.dtype === 'int32' ? (t.dataSync() as Int32Array).slice() : (t.dataSync() as Float32Array).slice();
  return { name, dtype: t.dtype === 'int32' ? 'int32' : 'float32', shape: [...t.shape], data };
}

/**
 * The optimizer's `{class_name, config}` as `layout`'s Keras takes it. Keras 3's SGD refuses a `momentum` that is
 * not a Python float (keras/src/optimizers/sgd.py), and JSON writes 0.0 as `0`, which Python reads as an int: for
 * Keras 3 a zero momentum is left out, so its default 0.0 applies.
 */
export function optimizerConfig(opt: Optimizer, layout: KerasOptimizerLayout = 'tf_keras'): JsonObject {
  const config = opt.getConfig() as JsonObject;
  if (layout === 'keras3' && opt.className === 'SGD' && config['momentum'] === 0) delete config['momentum'];
  return { class_name: opt.className, config };
}

/** tf_keras's `training_config` for a compiled model (its optimizer config as `layout`'s Keras takes it). */
export function trainingConfig(model: Model, layout: KerasOptimizerLayout = 'tf_keras'): JsonObject | undefined {
  const c = model.compiled;
  if (!c) return undefined;
  const loss = c.losses[0]!;
  return {
    loss: { class_name: loss.className, config: loss.getConfig() as JsonObject },
    metrics: [c.metrics.map((m) => ({ class_name: m.className, config: { name: m.name, dtype: 'float32' } }))],
    weighted_metrics: null, loss_weights: null,
    optimizer_config: optimizerConfig(c.optimizer, layout),
  };
}

/**
 * Describes a model: config, weights per layer, training config and (optionally) optimizer state, its slots in
 * the order Keras lists them for `layout` (`keras3` for `.keras` / `.weights.h5`; the description stays in the
 * tf_keras dialect, keras-h5 adds Keras 3's `learning_rate` variable).
 */
export function describeModel(model: Model, includeOptimizer = true, layout: KerasOptimizerLayout = 'tf_keras'): KerasModelDesc {
  const listed = model.className === 'Sequential' ? model.layers.filter((l) => l.className !== 'InputLayer') : model.layers;
  const layers: LayerWeights[] = listed
    .map((l) => ({ name: l.name, weights: l.weights.map((w) => record(w.name, w.variable)) }));
  const tc = trainingConfig(model, layout);
  const opt = model.compiled?.optimizer;
  const desc: KerasModelDesc = {
    modelConfig: model.toConfig() as JsonObject, kerasVersion: KERAS_VERSION, backend: 'tensorflow', layers,
    ...(tc ? { trainingConfig: tc } : {}),
    ...(opt && includeOptimizer && opt.iterations > 0 ? {
      optimizer: {
        config: optimizerConfig(opt, layout),
        weights: [
          { name: 'iteration', dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(opt.iterations)) },
          ...kerasOptimizerState(opt, layout).slots.map((s): TensorRecord => ({ name: s.name, dtype: 'float32', shape: s.shape, data: s.data })),
        ],
      },
    } : {}),
  };
  return desc;
}

/**
 * Loads weights (by layer name) and, when present and the model is compiled,
 * optimizer state from a description.
 * @throws Error when a layer is missing or a shape differs.
 */
export function applyDescription(model: Model, desc: KerasModelDesc): void {
  const byName = new Map(desc.layers.map((l) => [l.name, l]));
  const weighted = model.layers.filter((l) => l.weights.length > 0);
  const stored = desc.layers.filter((l) => l.weights.length > 0);
  weighted.forEach((layer, i) => {
    const src = byName.get(layer.name) ?? stored[i];
    if (!src) throw new Error(`runtime: no stored weights for layer ${layer.name}`);
    if (src.weights.length !== layer.weights.length) {
      throw new Error(`runtime: layer ${layer.name} has ${layer.weights.length} weights, stored ${src.weights.length}`);
    }
    layer.weights.forEach((w, j) => {
      const t = src.weights[j]!;
      if (t.shape.join(',') !== w.variable.shape.join(',')) {
        throw new Error(`runtime: ${layer.name}/${w.name} has shape [${w.variable.shape}], stored [${t.shape}]`);
      }
      w.variable.assign(tf.tensor(Float32Array.from(t.data as Float32Array), [...t.shape], 'float32'));
    });
  });
  const opt = model.compiled?.optimizer;
  if (opt && desc.optimizer && desc.optimizer.weights.length > 0) {
    const layout = detectOptimizerLayout(desc.optimizer, desc.kerasVersion);
    const [iter, ...slots] = convertOptimizerState(desc.optimizer, layout, 'tf_keras').weights;
    const it = iter!.data instanceof BigInt64Array ? Number(iter!.data[0]) : Number((iter!.data as Float32Array)[0]);
    const values = slots.map((s) => tf.tensor(Float32Array.from(s.data as Float32Array), [...s.shape]));
    try {
      restoreKerasOptimizer(opt, model.trainableWeights, it, values, layout);
    } finally {
      for (const v of values) v.dispose();
    }
  }
}

/** Compiles `model` from a tf_keras `training_config` (or Keras 3 `compile_config`). */
export function compileFromConfig(model: Model, tc: JsonObject): void {
  const optCfg = (tc['optimizer_config'] ?? tc['optimizer']) as { class_name: string; config?: Record<string, unknown> } | string | undefined;
  const lossCfg = tc['loss'] as Parameters<typeof getLoss>[0] | undefined;
  if (!optCfg || !lossCfg) return;
  const loss = getLoss(typeof lossCfg === 'object' && 'class_name' in lossCfg
    ? { ...lossCfg, class_name: String(lossCfg.class_name).replace(/^.*>/, '') } : lossCfg);
  const metricsRaw = (tc['metrics'] ?? []) as unknown[];
  const flat = metricsRaw.flat(2) as Array<string | { class_name: string; config?: { name?: string } }>;
  const metrics = flat.map((m) => (typeof m === 'string' ? m : m.config?.name === 'accuracy' ? 'accuracy' : m.class_name));
  const opt = typeof optCfg === 'string' ? optCfg : { ...optCfg, class_name: String(optCfg.class_name).replace(/^.*>/, '') };
  model.compile({ optimizer: getOptimizer(opt), loss, metrics: metrics.map((m) => getMetric(m, loss)) });
}

/** Builds, compiles and loads a model from a full description. */
export function modelFromDescription(desc: KerasModelDesc, customObjects: CustomObjects = {}): Model {
  if (!desc.modelConfig) throw new Error('runtime: the file holds weights only; build the model and call loadWeights');
  const cfg = detectDialect(desc.modelConfig) === 'keras3' ? toKeras2(desc.modelConfig) : desc.modelConfig;
  const model = modelFromConfig(cfg as { class_name: string; config: Record<string, unknown> }, customObjects);
  if (desc.trainingConfig) compileFromConfig(model, desc.trainingConfig);
  applyDescription(model, desc);
  return model;
}
