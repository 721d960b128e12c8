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
import { encodeKerasMetadata, encodeSavedModel } from '../codec.js';
import { DT_FLOAT, GraphBuilder, attr, type GraphTensor } from './graph-builder.js';
import { addLayer } from './layers.js';
import type { ModelSpec } from './model-spec.js';

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
}

const batchShape = (s: readonly number[]) => ({ dim: [{ size: -1 }, ...s.map((size) => ({ size }))] });

/**
 * Builds the SavedModel message for `spec`.
 * @throws FormatError (`unsupported`) naming the first layer that cannot be expressed.
 */
export function buildSavedModel(spec: ModelSpec): BuiltGraph {
  if ((spec.inputDtype ?? 'float32') !== 'float32') throw fail.unsupported(`input dtype ${spec.inputDtype} (only float32)`, 'input-dtype');
  if (spec.inputShape.some((d) => !Number.isInteger(d) || d <= 0)) throw fail.unsupported(`input shape [${spec.inputShape.join(', ')}] must be fully known`, 'input-shape');
  const inputKey = spec.inputName ?? 'inputs';
  const outputKey = spec.outputName ?? 'output_0';
  if ((spec.weightStorage ?? 'variables') === 'variables') {
    const t = buildTf2(spec, inputKey, outputKey, GRAPH_PRODUCER);
    const savedModel: tensorflow.ISavedModel = { saved_model_schema_version: 1, meta_graphs: [t.metaGraph] };
    return { savedModel, inputTensor: t.inputTensor, outputTensor: t.outputTensor, outputShape: t.outputShape, checkpoint: t.checkpoint, kerasMetadata: t.kerasMetadata };
  }
  const g = new GraphBuilder();
  const input = g.op(`serving_default_${inputKey}`, 'Placeholder', [], { dtype: attr.type(DT_FLOAT), shape: { shape: batchShape(spec.inputShape) } });
  let x: GraphTensor = { name: input, shape: spec.inputShape };
  for (const layer of spec.layers) x = addLayer(g, layer, x);
  const out = g.float('Identity', 'Identity', [x.name]);
  const tensorInfo = (name: string, shape: readonly number[]): tensorflow.ITensorInfo => ({ name, dtype: DT_FLOAT, tensor_shape: batchShape(shape) });
  const savedModel: tensorflow.ISavedModel = {
    saved_model_schema_version: 1,
    meta_graphs: [{
      meta_info_def: { tags: ['serve'], tensorflow_git_version: 'tfsave', stripped_default_attrs: true },
      graph_def: { node: g.nodes, versions: { producer: GRAPH_PRODUCER } },
      signature_def: {
        serving_default: {
          inputs: { [inputKey]: tensorInfo(input, spec.inputShape) },
          outputs: { [outputKey]: tensorInfo(out, x.shape) },
          method_name: 'tensorflow/serving/predict',
        },
      },
    }],
  };
  return { savedModel, inputTensor: input, outputTensor: out, outputShape: x.shape };
}

/**
 * Writes `saved_model.pb`, `keras_metadata.pb` and `variables/` for `spec`
 * through `sinks` and commits (`variables/variables.index` last). The graph is
 * built completely before anything is written, so an unsupported layer leaves
 * no file behind.
 * @throws FormatError (`unsupported`) naming the layer that cannot be exported.
 */
export async function writeSavedModel(spec: ModelSpec, sinks: SinkFactory): Promise<BuiltGraph> {
  const built = buildSavedModel(spec);
  const bytes = encodeSavedModel(built.savedModel);
  try {
    const sink = await sinks.create('saved_model.pb');
    await sink.write(bytes);
    await sink.close();
    if (built.kerasMetadata !== undefined) {
      const meta = await sinks.create('keras_metadata.pb');
      await meta.write(encodeKerasMetadata(built.kerasMetadata));
      await meta.close();
    }
    // The bundle writer commits the factory once `variables.index` is written.
    if (built.checkpoint !== undefined) await writeObjectCheckpoint(sinks, 'variables/variables', built.checkpoint);
    else await sinks.commit();
  } catch (e) {
    await sinks.abort();
    throw e;
  }
  return built;
}
