/**
 * The neutral model description every layout reads into and writes from.
 * Keras JSON stays snake_case as on the wire; tensors are plain typed arrays.
 */
import type { DTypeName, TensorData } from '@tfsave/core';

/** A JSON value as Keras writes it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** One stored tensor: `name` is the weight's short name (`kernel`, `bias`, `moving_mean`, …). */
export interface TensorRecord {
  readonly name: string;
  readonly dtype: DTypeName;
  readonly shape: readonly number[];
  /** Little-endian values (float16/bfloat16 as raw `Uint16Array` bits, int64 as `BigInt64Array`). */
  readonly data: Exclude<TensorData, Uint8Array[]>;
}

/** The weights of one layer, in Keras order (trainable then non-trainable). */
export interface LayerWeights {
  /** The layer's `name` from the model config. */
  readonly name: string;
  readonly weights: readonly TensorRecord[];
  /** Group path in a `.weights.h5` it was read from (`layers/dense`, `d1` for a subclassed model's attribute); kept so writing puts it back. */
  readonly path?: string;
}

/** A whole Keras model as stored in a file. */
export interface KerasModelDesc {
  /** `{class_name, config, ...}` of the model (Keras 2 or Keras 3 dialect). Absent for weights-only files. */
  readonly modelConfig?: JsonObject;
  /** Legacy `training_config` (Keras 2 `.h5`) or Keras 3 `compile_config`. */
  readonly trainingConfig?: JsonObject;
  /** `keras_version` recorded in the file, e.g. `2.21.0` or `3.15.1`. */
  readonly kerasVersion?: string;
  /** `backend` recorded in the file. */
  readonly backend?: string;
  /** Weights per layer, in model order. */
  readonly layers: readonly LayerWeights[];
  /** Optimizer state, so training resumes where it stopped. Names are as stored (`iteration`, `Adam/m/dense/kernel`, `0`…). */
  readonly optimizer?: OptimizerState;
}

/** Optimizer state as stored: its config, the `optimizer/vars` name attribute, and variables in stored order. */
export interface OptimizerState {
  /** Optimizer config (`{class_name, config}`), from `training_config.optimizer_config` or `compile_config.optimizer`. */
  readonly config?: JsonObject;
  /** Keras 3 optimizer name (`adam`), from the `optimizer/vars` name attribute. */
  readonly name?: string;
  /** Variables in stored order. */
  readonly weights: readonly TensorRecord[];
}

/** All layout formats this package reads and writes. */
export type KerasFormat = 'h5' | 'weights-h5-legacy' | 'weights.h5' | 'keras';

/** True when `v` is a non-array JSON object. */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses JSON with a nesting-depth bound (default 100) so hostile configs cannot exhaust the stack. */
export function parseJsonBounded(text: string, maxDepth = 100): Json {
  let depth = 0, max = 0, inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inStr) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inStr = false;
    } else if (c === 0x22) inStr = true;
    else if (c === 0x7b || c === 0x5b) { depth++; if (depth > max) max = depth; if (max > maxDepth) throw new RangeError(`JSON nesting deeper than ${maxDepth}`); }
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return JSON.parse(text) as Json;
}
