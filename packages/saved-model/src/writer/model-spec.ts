/** The neutral model description the SavedModel writer takes (no framework dependency). */

/** One weight of a layer, in Keras order and layout (Dense kernel `[in, out]`, Conv2D kernel `[kh, kw, in, out]`). */
export interface WeightSpec {
  /** Keras weight name; its last path component (`kernel`, `bias`, `gamma`, `beta`, `moving_mean`, `moving_variance`) selects the role. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Only float32 is written. */
  readonly dtype?: 'float32';
  readonly data: Float32Array;
}

/** One layer: Keras `class_name` and `config` (snake_case, as in model JSON) plus its weights. */
export interface LayerSpec {
  readonly class_name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly weights?: readonly WeightSpec[];
  /**
   * Functional models only: the names of the inputs ({@link FunctionalInput.name}) or earlier layers
   * feeding this layer (several for merge layers such as `Concatenate` or `Add`).
   */
  readonly inbound?: readonly string[];
}

/** One named input of a functional model. */
export interface FunctionalInput {
  /** Input layer name, also the signature input key. */
  readonly name: string;
  /** Shape without the batch dimension. */
  readonly shape: readonly number[];
  /** Default `float32`. */
  readonly dtype?: InputDtype;
}

/** Input dtypes the writer accepts. */
export type InputDtype = 'float32' | 'float64' | 'int32' | 'int64';

/** DataType codes of {@link InputDtype}. */
export const INPUT_DTYPE_CODES: Readonly<Record<InputDtype, number>> = { float32: 1, float64: 2, int32: 3, int64: 9 };

/** One optimizer slot variable (Adam `m`/`v`, SGD `m`, RMSprop `velocity`, Adagrad `accumulator`, …). */
export interface OptimizerSlotSpec {
  /** Keras slot name: `<kind>/<layer>/<weight>`, optionally prefixed by the optimizer name (`Adam/m/dense/kernel`). */
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * The state of a tf_keras (≥ 2.11, non-legacy) optimizer to save beside the weights, as tf_keras's
 * `model.save(dir)` does: `optimizer/_iterations`, `optimizer/_learning_rate` and `optimizer/_variables/N`.
 */
export interface OptimizerSpec {
  /** Keras class (`Adam`, `AdamW`, `SGD`, `RMSprop`, `Adagrad`; a `Custom>` prefix is ignored). */
  readonly class_name: string;
  /** Keras optimizer config; becomes `training_config.optimizer_config` when the training config has none. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Steps applied so far (saved as the int64 `iteration`). */
  readonly iterations: number | bigint;
  /** The float32 `learning_rate` variable. Default: `config.learning_rate`, else not saved. */
  readonly learningRate?: number;
  /**
   * The slot variables in tf_keras's `optimizer.variables` order after `iteration` (Adam: `m`, `v` of each
   * trainable weight in turn, then `vhat` of each with amsgrad; RMSprop: every `velocity`, then every
   * `momentum`, then every `average_gradient`). Empty or absent: the optimizer has not been built yet.
   */
  readonly slots?: readonly OptimizerSlotSpec[];
}

/**
 * A model to export: Sequential (`inputShape` and `layers` in order), or functional when `inputs` is
 * given (then every layer names its `inbound` tensors, `outputs` names the output layers, and
 * `inputShape`/`inputDtype`/`inputName`/`outputName` are ignored).
 */
export interface ModelSpec {
  readonly layers: readonly LayerSpec[];
  /** Input shape without the batch dimension, e.g. `[784]` or `[28, 28, 1]` (Sequential). */
  readonly inputShape: readonly number[];
  /** Functional models: the inputs, in model order. */
  readonly inputs?: readonly FunctionalInput[];
  /** Functional models: the output layer names, in model order (also the signature output keys). */
  readonly outputs?: readonly string[];
  /**
   * Signature input dtype. Default `float32`. Layers cast other dtypes to float32 as Keras
   * layers cast inputs to their compute dtype; `Embedding` casts non-integer ids to int32.
   */
  readonly inputDtype?: InputDtype;
  /** Signature input key. Default `inputs`. */
  readonly inputName?: string;
  /** Signature output key. Default `output_0`. */
  readonly outputName?: string;
  /**
   * Where weights go: `variables` (default) writes a TF2 SavedModel with resource variables in
   * `variables/`; `constants` folds them into `Const` nodes of a TF1-style graph (no `variables/`).
   */
  readonly weightStorage?: 'variables' | 'constants';
  /**
   * Keras `model_config` JSON (`{class_name: 'Sequential', config: {name, layers}}`, as tf_keras `to_json` or
   * tfjs `toJSON` give it), written to `keras_metadata.pb`. Default: synthesized from `layers` and `inputShape`.
   */
  readonly kerasConfig?: unknown;
  /**
   * Keras `training_config` JSON (`loss`, `metrics`, `optimizer_config`, …) written to `keras_metadata.pb`;
   * tf_keras `load_model` compiles the model with it. Default: none (the model loads uncompiled).
   */
  readonly trainingConfig?: unknown;
  /** Optimizer state saved in `variables/` and the object graph as tf_keras saves it (TF2 layout only). Default: none. */
  readonly optimizer?: OptimizerSpec;
  /** Write `fingerprint.pb` (the hashes TF 2.21 computes for the directory). Default true. */
  readonly fingerprint?: boolean;
}
