/**
 * Converts compile settings between the tf_keras `training_config` (legacy
 * `.h5`), the Keras 3 legacy `.h5` `training_config`, and the Keras 3
 * `compile_config` of a `.keras`: loss reductions, metric nesting, optimizer
 * class names and the keys each optimizer accepts.
 */
import type { Json, JsonObject } from './model-desc.js';
import { isJsonObject } from './model-desc.js';

/** Which dialect a compile/training config is written in. */
export type TrainingDialect = 'keras2' | 'keras3';

const clone = <T extends Json>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Keys tf_keras optimizers refuse (Keras 3 only). */
const KERAS3_ONLY_OPT_KEYS = ['loss_scale_factor', 'gradient_accumulation_steps'];
/** Keys Keras 3 optimizers refuse (tf_keras only). */
const KERAS2_ONLY_OPT_KEYS = ['is_legacy_optimizer', 'jit_compile', 'decay'];

/** The optimizer config inside a training or compile config, or undefined. */
export function optimizerConfigOf(tc: JsonObject): JsonObject | undefined {
  const o = tc['optimizer_config'] ?? tc['optimizer'];
  return isJsonObject(o) ? o : undefined;
}

/** The learning rate of an optimizer config when it is a plain number. */
export function learningRateOf(opt: JsonObject | undefined): number | undefined {
  const c = opt?.['config'];
  if (!isJsonObject(c)) return undefined;
  const lr = c['learning_rate'] ?? c['lr'];
  return typeof lr === 'number' ? lr : undefined;
}

/** Guesses the dialect of a training/compile config from its shape. */
export function detectTrainingDialect(tc: JsonObject): TrainingDialect {
  if (isJsonObject(tc['optimizer']) || 'steps_per_execution' in tc) return 'keras3';
  const opt = optimizerConfigOf(tc);
  const c = opt?.['config'];
  if (isJsonObject(c) && ('is_legacy_optimizer' in c || 'decay' in c)) return 'keras2';
  if (isJsonObject(c) && ('loss_scale_factor' in c || 'gradient_accumulation_steps' in c)) return 'keras3';
  return JSON.stringify(tc['loss'] ?? null).includes('"auto"') || JSON.stringify(tc['loss'] ?? null).includes('"fn"') ? 'keras2' : 'keras3';
}

function mapObjects(v: Json, fn: (o: JsonObject) => JsonObject): Json {
  if (Array.isArray(v)) return v.map((x) => mapObjects(x, fn));
  if (isJsonObject(v) && typeof v['class_name'] === 'string') return fn(v);
  if (isJsonObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mapObjects(x, fn)]));
  return v;
}

function withModule(o: JsonObject, module: string): JsonObject {
  return { module, class_name: o['class_name'] ?? null, config: o['config'] ?? {}, registered_name: o['registered_name'] ?? null };
}

function lossTo3(o: JsonObject, module: boolean): JsonObject {
  const c = isJsonObject(o['config']) ? { ...o['config'] } : {};
  delete c['fn'];
  if (c['reduction'] === 'auto') c['reduction'] = 'sum_over_batch_size';
  const out: JsonObject = { class_name: o['class_name'] ?? null, config: c };
  return module ? withModule(out, 'keras.losses') : out;
}

function optimizerTo3(o: JsonObject, module: boolean): JsonObject {
  const cls = String(o['class_name']).replace(/^Custom>/, '');
  const c = isJsonObject(o['config']) ? { ...o['config'] } : {};
  if (c['learning_rate'] === undefined && c['lr'] !== undefined) c['learning_rate'] = c['lr'];
  delete c['lr'];
  for (const k of KERAS2_ONLY_OPT_KEYS) delete c[k];
  const out: JsonObject = { class_name: cls, config: c };
  return module ? withModule(out, 'keras.optimizers') : out;
}

function optimizerTo2(o: JsonObject): JsonObject {
  const c = isJsonObject(o['config']) ? { ...o['config'] } : {};
  for (const k of KERAS3_ONLY_OPT_KEYS) delete c[k];
  c['is_legacy_optimizer'] = false;
  if (c['jit_compile'] === undefined) c['jit_compile'] = false;
  return { class_name: String(o['class_name']), config: c };
}

function stripModule(o: JsonObject): JsonObject {
  return { class_name: o['class_name'] ?? null, config: o['config'] ?? {} };
}

/** Keras 2 nests metrics per output (`[[m]]`); a single output's list is flattened for Keras 3. */
function flatMetrics(m: Json | undefined): Json {
  if (Array.isArray(m) && m.length === 1 && Array.isArray(m[0])) return m[0];
  return m ?? null;
}

/**
 * Converts any training/compile config to the Keras 3 `compile_config` of a `.keras` archive.
 * The input is not modified; a config already in that form is returned as a copy.
 */
export function toCompileConfig(tc: JsonObject): JsonObject {
  if (isJsonObject(tc['optimizer']) && detectTrainingDialect(tc) === 'keras3') return clone(tc);
  const opt = optimizerConfigOf(tc);
  return {
    optimizer: opt !== undefined ? optimizerTo3(opt, true) : null,
    loss: mapObjects(tc['loss'] ?? null, (o) => lossTo3(o, true)),
    loss_weights: tc['loss_weights'] ?? null,
    metrics: mapObjects(flatMetrics(tc['metrics']), (o) => withModule(o, 'keras.metrics')),
    weighted_metrics: mapObjects(flatMetrics(tc['weighted_metrics']), (o) => withModule(o, 'keras.metrics')),
    run_eagerly: tc['run_eagerly'] ?? false,
    steps_per_execution: tc['steps_per_execution'] ?? 1,
    jit_compile: tc['jit_compile'] === true,
  };
}

/** Converts any training/compile config to the `training_config` Keras 3 writes in a legacy `.h5`. */
export function toKeras3TrainingConfig(tc: JsonObject): JsonObject {
  const cc = toCompileConfig(tc);
  const { optimizer, ...rest } = cc;
  const out = mapObjects(rest, stripModule) as JsonObject;
  out['optimizer_config'] = isJsonObject(optimizer) ? stripModule(optimizer) : null;
  return out;
}

/** Converts any training/compile config to the `training_config` tf_keras writes (and loads compiled). */
export function toKeras2TrainingConfig(tc: JsonObject): JsonObject {
  if (!isJsonObject(tc['optimizer']) && detectTrainingDialect(tc) === 'keras2') return clone(tc);
  const opt = optimizerConfigOf(tc);
  return {
    loss: mapObjects(tc['loss'] ?? null, stripModule),
    metrics: mapObjects(tc['metrics'] ?? null, stripModule),
    weighted_metrics: mapObjects(tc['weighted_metrics'] ?? null, stripModule),
    loss_weights: tc['loss_weights'] ?? null,
    optimizer_config: opt !== undefined ? optimizerTo2(stripModule(opt)) : null,
  };
}
