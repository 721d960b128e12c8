/**
 * Builds and writes a SavedModel for a Sequential model. By default the
 * TF2 layout tf_keras writes (see build-tf2.ts): `saved_model.pb` with a
 * serving FunctionDef over resource variables, an object graph and a SaverDef,
 * `keras_metadata.pb`, and the weights in `variables/`. With
 * `weightStorage: 'constants'`, a TF1-style graph of `Placeholder -> layer ops
 * -> Identity` with the weights folded into `Const` nodes and no `variables/`.
 * See specs/saved-model.md.
 */
import { errorsFor, type SinkFactory } from '@tfsave/core';
import type { keras, tensorflow } from '@tfsave/protos';
import { writeObjectCheckpoint, type TrackableSpec } from '@tfsave/tensor-bundle';
import { buildTf2 } from './build-tf2.js';
import { encodeFingerprint, encodeKerasMetadata, encodeSavedModel } from '../codec.js';
import { computeFingerprint, fingerprintMessage } from '../fingerprint.js';
import { DeferredCommitSinks } from './deferred-commit.js';
import { DT_FLOAT, GraphBuilder, attr } from './graph-builder.js';
import type { ModelSpec } from './model-spec.js';
import { modelGraph } from './model-graph.js';
import { wireLayers } from './wire-layers.js';

const fail = errorsFor('saved-model');

/** GraphDef producer version written (TF 2.15's; every op used is current at that version). */
export const GRAPH_PRODUCER = 1645;

/** Node and signature names of a built graph. */
export interface BuiltGraph {
  readonly savedModel: tensorflow.ISavedModel;
  readonly inputTensor: string;
  readonly outputTensor: string;
  /** Output shape without the batch dimension. */
  readonly outputShape: readonly number[];
  /** The object tree saved to `variables/variables` (absent with `weightStorage: 'constants'`). */
  readonly checkpoint?: TrackableSpec;
  /** The `keras_metadata.pb` message (absent with `weightStorage: 'constants'`). */
  readonly kerasMetadata?: keras.ISavedMetadata;
  /** The `fingerprint.pb` message, once {@link writeSavedModel} wrote it. */
  readonly fingerprint?: tensorflow.IFingerprintDef;
}

const batchShape = (s: readonly number[]) => ({ dim: [{ size: -1 }, ...s.map((size) => ({ size }))] });

/**
 * Builds the SavedModel message for `spec`.
 * @throws FormatError (`unsupported`) naming the first layer that cannot be expressed.
 */
export function buildSavedModel(spec: ModelSpec): BuiltGraph {
  const inputKey = spec.inputName ?? 'inputs';
  const outputKey = spec.outputName ?? 'output_0';
  const mg = modelGraph(spec, inputKey, outputKey);
  if ((spec.weightStorage ?? 'variables') === 'variables') {
    const t = buildTf2(spec, inputKey, outputKey, GRAPH_PRODUCER);
    const savedModel: tensorflow.ISavedModel = { saved_model_schema_version: 1, meta_graphs: [t.metaGraph] };
    return { savedModel, inputTensor: t.inputTensor, outputTensor: t.outputTensor, outputShape: t.outputShape, checkpoint: t.checkpoint, kerasMetadata: t.kerasMetadata };
  }
  if (spec.optimizer !== undefined) throw fail.unsupported("optimizer state needs weightStorage 'variables' (a constants-only graph has no variables to hold it)", 'optimizer');
  const g = new GraphBuilder();
  const placeholders = new Map(mg.inputs.map((i) => [i.key, g.op(`serving_default_${i.key}`, 'Placeholder', [], { dtype: attr.type(i.dtype), shape: { shape: batchShape(i.shape) } })]));
  const wired = wireLayers(g, mg, new Map(mg.inputs.map((i) => [i.key, { name: placeholders.get(i.key)!, shape: i.shape, dtype: i.dtype }])));
  const outs = mg.outputs.map((o, k) => ({ key: o.key, name: g.float(k === 0 ? 'Identity' : `Identity_${k}`, 'Identity', [wired.outputs[k]!.name]), shape: wired.outputs[k]!.shape }));
  const savedModel: tensorflow.ISavedModel = {
    saved_model_schema_version: 1,
    meta_graphs: [{
      meta_info_def: { tags: ['serve'], tensorflow_git_version: 'tfsave', stripped_default_attrs: true },
      graph_def: { node: g.nodes, versions: { producer: GRAPH_PRODUCER } },
      signature_def: {
        serving_default: {
          inputs: Object.fromEntries(mg.inputs.map((i) => [i.key, { name: placeholders.get(i.key)!, dtype: i.dtype, tensor_shape: batchShape(i.shape) }])),
          outputs: Object.fromEntries(outs.map((o) => [o.key, { name: o.name, dtype: DT_FLOAT, tensor_shape: batchShape(o.shape) }])),
          method_name: 'tensorflow/serving/predict',
        },
      },
    }],
  };
  return { savedModel, inputTensor: placeholders.get(mg.inputs[0]!.key)!, outputTensor: outs[0]!.name, outputShape: outs[0]!.shape };
}

/**
 * Writes `saved_model.pb`, `keras_metadata.pb`, `variables/` and `fingerprint.pb` (unless
 * `spec.fingerprint` is false) for `spec` through `sinks` and commits once, after every file.
 * The graph is built completely before anything is written, so an unsupported layer leaves
 * no file behind. `fingerprint.pb` holds the hashes TF 2.21 computes for the directory
 * (see fingerprint.ts) and a random uuid.
 * @throws FormatError (`unsupported`) naming the layer that cannot be exported.
 */
export async function writeSavedModel(spec: ModelSpec, sinks: SinkFactory): Promise<BuiltGraph> {
  const built = buildSavedModel(spec);
  const bytes = encodeSavedModel(built.savedModel);
  const deferred = new DeferredCommitSinks(sinks, 'variables/variables.index');
  let fingerprint: tensorflow.IFingerprintDef | undefined;
  try {
    await deferred.writeFile('saved_model.pb', bytes);
    if (built.kerasMetadata !== undefined) await deferred.writeFile('keras_metadata.pb', encodeKerasMetadata(built.kerasMetadata));
    // The bundle writer asks to commit once `variables.index` is written; the commit waits for fingerprint.pb.
    if (built.checkpoint !== undefined) await writeObjectCheckpoint(deferred, 'variables/variables', built.checkpoint);
    if (spec.fingerprint !== false) {
      fingerprint = fingerprintMessage(computeFingerprint(built.savedModel, deferred.captured()));
      await deferred.writeFile('fingerprint.pb', encodeFingerprint(fingerprint));
    }
    await deferred.release();
  } catch (e) {
    await sinks.abort();
    throw e;
  }
  return fingerprint === undefined ? built : { ...built, fingerprint };
}
