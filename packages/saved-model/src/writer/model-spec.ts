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
}

/** A Sequential model to export. */
export interface ModelSpec {
  readonly layers: readonly LayerSpec[];
  /** Input shape without the batch dimension, e.g. `[784]` or `[28, 28, 1]`. */
  readonly inputShape: readonly number[];
  /** Only `float32` is supported. Default `float32`. */
  readonly inputDtype?: 'float32';
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
}
