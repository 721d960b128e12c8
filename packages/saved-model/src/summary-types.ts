/** Plain-data descriptions of a SavedModel, as returned by the reader (camelCase API, wire values kept). */

/** A shape: one entry per dimension, -1 for unknown; `null` when the rank itself is unknown. */
export type Shape = number[] | null;

/** One input or output of a signature (a `TensorInfo`). */
export interface TensorInfoSummary {
  /** Graph tensor name (`serving_default_x:0`) for dense tensors; the values tensor for COO sparse; '' for composites. */
  readonly name: string;
  /** How the tensor is encoded. */
  readonly encoding: 'dense' | 'coo_sparse' | 'composite';
  /** Python dtype name (`float32`), or `DT_<n>` for unknown codes. */
  readonly dtype: string;
  /** TensorFlow's enum name (`DT_FLOAT`), as `saved_model_cli` prints it. */
  readonly dtypeEnum: string;
  readonly shape: Shape;
}

/** A `SignatureDef`. */
export interface SignatureSummary {
  readonly key: string;
  /** e.g. `tensorflow/serving/predict`. */
  readonly methodName: string;
  readonly inputs: Readonly<Record<string, TensorInfoSummary>>;
  readonly outputs: Readonly<Record<string, TensorInfoSummary>>;
}

/** One argument of a library function. */
export interface FunctionArgSummary {
  readonly name: string;
  /** dtype name, or the attr that carries it (`T`) for polymorphic args. */
  readonly dtype: string;
}

/** One function of the graph's `FunctionDefLibrary`. */
export interface FunctionSummary {
  readonly name: string;
  readonly inputs: readonly FunctionArgSummary[];
  readonly outputs: readonly FunctionArgSummary[];
  readonly nodeCount: number;
}

/** One node of the TF2 object graph (`SavedObjectGraph`). */
export interface ObjectSummary {
  readonly id: number;
  /** The `kind` oneof: user_object, variable, function, bare_concrete_function, asset, constant, resource, captured_tensor, or '' */
  readonly kind: string;
  readonly children: ReadonlyArray<{ readonly name: string; readonly id: number }>;
  /** `SavedUserObject.identifier` (e.g. `_tf_keras_sequential`). */
  readonly identifier?: string;
  /** For variables: name, dtype, shape, trainable and the key of its value in `variables/`. */
  readonly variable?: {
    readonly name: string;
    readonly dtype: string;
    readonly shape: Shape;
    readonly trainable: boolean;
    /** `layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`; undefined when unreachable from the root. */
    readonly checkpointKey: string | undefined;
  };
  /** For functions: the concrete function names. */
  readonly concreteFunctions?: readonly string[];
}

/** An asset file fed to the graph at load time. */
export interface AssetSummary {
  /** Relative to `assets/`. */
  readonly filename: string;
  /** The graph tensor that receives its path. */
  readonly tensorName: string;
}

/** One `MetaGraphDef`. */
export interface MetaGraphSummary {
  readonly tags: readonly string[];
  readonly tensorflowVersion: string;
  readonly tensorflowGitVersion: string;
  /** `graph_def.versions.producer` (GraphDef version). */
  readonly graphProducer: number;
  readonly signatures: readonly SignatureSummary[];
  readonly functions: readonly FunctionSummary[];
  /** Top-level graph nodes. */
  readonly nodeCount: number;
  /** Distinct op types in the graph and its functions, sorted. */
  readonly ops: readonly string[];
  /** Present for TF2 SavedModels. */
  readonly objects: readonly ObjectSummary[] | undefined;
  readonly assets: readonly AssetSummary[];
  /** SaverDef, when the graph can restore variables itself (TF1 loaders). */
  readonly saver: { readonly filenameTensorName: string; readonly restoreOpName: string; readonly version: number } | undefined;
}

/** One node of `keras_metadata.pb`. */
export interface KerasMetadataNode {
  readonly nodeId: number;
  readonly nodePath: string;
  readonly identifier: string;
  /** The metadata JSON, parsed (the raw text when it is not valid JSON). */
  readonly metadata: unknown;
}

/** `fingerprint.pb`; 64-bit hashes as decimal strings. */
export interface FingerprintSummary {
  readonly savedModelChecksum: string;
  readonly graphDefProgramHash: string;
  readonly signatureDefHash: string;
  readonly savedObjectGraphHash: string;
  readonly checkpointHash: string;
  readonly uuid: string;
  readonly producer: number;
}
