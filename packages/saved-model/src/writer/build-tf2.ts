/**
 * The TF2-style SavedModel: weights live in `variables/` as resource
 * variables; the model is one FunctionDef (`ReadVariableOp` of captured
 * resources → layer ops) called from the graph by `StatefulPartitionedCall`;
 * a SavedObjectGraph lets `tf.saved_model.load` rebuild the variables and the
 * `serving_default` signature; the GraphDef and SignatureDef keep the TF1
 * view (`saved_model_cli`, TF Serving) working. See specs/saved-model.md.
 */
import type { keras, tensorflow } from '@tfsave/protos';
import type { TrackableSpec } from '@tfsave/tensor-bundle';
import { toFunctionBody } from './function-def.js';
import { DT_FLOAT, GraphBuilder, attr, type GraphTensor } from './graph-builder.js';
import { addLayer } from './layers.js';
import type { ModelSpec } from './model-spec.js';
import { buildKerasMetadata, type KerasLayerNode } from './keras-metadata.js';
import { RESTORE_FUNCTION, SAVE_FUNCTION, checkpointKeys, restoreFunction, saveFunction, saverDef } from './saver-functions.js';
import { buildObjectGraphs, type CapturedVariable, type ExportedLayer } from './object-graph.js';

const DT_RESOURCE = 20;
const DT_STRING = 7;

/** Name of the serving FunctionDef in the library. */
export const SERVING_FUNCTION = '__inference_signature_wrapper_1';

const dims = (s: readonly number[]) => ({ dim: s.map((size) => ({ size })) });
const spec = (name: string, shape: readonly number[]): tensorflow.IStructuredValue => ({ tensor_spec_value: { name, shape: dims(shape), dtype: DT_FLOAT } });
const argName = (key: string) => (/^[a-z][a-z0-9_]*$/.test(key) ? key : `input_${key.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`);

/** The pieces of a TF2 SavedModel. */
export interface Tf2Parts {
  readonly metaGraph: tensorflow.IMetaGraphDef;
  readonly checkpoint: TrackableSpec;
  readonly kerasMetadata: keras.ISavedMetadata;
  readonly variables: readonly CapturedVariable[];
  readonly inputTensor: string;
  readonly outputTensor: string;
  readonly outputShape: readonly number[];
}

/**
 * Builds the MetaGraphDef and checkpoint tree for `model` with graph producer `producer`.
 * @throws FormatError (`unsupported`) naming the first layer that cannot be expressed.
 */
export function buildTf2(model: ModelSpec, inputKey: string, outputKey: string, producer: number): Tf2Parts {
  const variables: CapturedVariable[] = [];
  const g = new GraphBuilder((b, layer, role, data, shape) => {
    const arg = variables.length === 0 ? 'readvariableop_resource' : `readvariableop_${variables.length}_resource`;
    variables.push({ fullName: `${layer}/${role}`, layer, role, shape, data, argName: arg });
    return b.op(`${layer}/${role}/ReadVariableOp`, 'ReadVariableOp', [arg], { dtype: attr.type(DT_FLOAT) });
  });
  const xArg = argName(inputKey);
  const batch = [-1, ...model.inputShape];
  let x: GraphTensor = { name: xArg, shape: model.inputShape };
  const exported: Array<ExportedLayer & { spec: typeof model.layers[number]; inputShape: readonly number[] }> = [];
  for (const layer of model.layers) {
    const first = variables.length;
    const inputShape = x.shape;
    x = addLayer(g, layer, x);
    if (layer.class_name !== 'InputLayer') exported.push({ name: String(layer.config['name'] ?? ''), variables: variables.slice(first), spec: layer, inputShape });
  }
  g.float('Identity', 'Identity', [x.name]);
  const outShape = [-1, ...x.shape];

  const fdef: tensorflow.IFunctionDef = {
    signature: {
      name: SERVING_FUNCTION,
      input_arg: [
        { name: xArg, type: DT_FLOAT },
        ...variables.map((v) => ({ name: v.argName, type: DT_RESOURCE, handle_data: [{ dtype: DT_FLOAT, shape: dims(v.shape) }] })),
      ],
      output_arg: [{ name: 'identity', type: DT_FLOAT }],
      is_stateful: true,
    },
    node_def: toFunctionBody(g.nodes),
    ret: { identity: 'Identity:output:0' },
    attr: { _input_shapes: { list: { shape: [dims(batch), ...variables.map(() => ({}))] } } },
    arg_attr: { 0: { attr: { _user_specified_name: attr.s(inputKey) } } },
  };

  const main = new GraphBuilder();
  const handles = variables.map((v) =>
    main.op(v.fullName, 'VarHandleOp', [], { dtype: attr.type(DT_FLOAT), shape: attr.shape(v.shape), shared_name: attr.s(v.fullName) }),
  );
  const input = main.op(`serving_default_${inputKey}`, 'Placeholder', [], { dtype: attr.type(DT_FLOAT), shape: { shape: dims(batch) } });
  const graphName = (t: string) => t.replace(/:0$/, '');
  const call = main.op('StatefulPartitionedCall', 'StatefulPartitionedCall', [input, ...handles].map(graphName), {
    f: { func: { name: SERVING_FUNCTION } },
    Tin: { list: { type: [DT_FLOAT, ...variables.map(() => DT_RESOURCE)] } },
    Tout: { list: { type: [DT_FLOAT] } },
  });
  main.op('NoOp', 'NoOp', [], {});

  const objects = buildObjectGraphs(exported, SERVING_FUNCTION, inputKey);
  const { keys, graph } = checkpointKeys(objects.checkpoint, objects.values, variables);
  const filename = main.op('saver_filename', 'Placeholder', [], { dtype: attr.type(DT_STRING), shape: attr.shape([]) });
  const saverCall = (fn: string) =>
    main.op('StatefulPartitionedCall', 'StatefulPartitionedCall', [filename, ...handles].map(graphName), {
      f: { func: { name: fn } }, Tin: { list: { type: [DT_STRING, ...variables.map(() => DT_RESOURCE)] } }, Tout: { list: { type: [DT_STRING] } },
    });
  const saveCall = graphName(saverCall(SAVE_FUNCTION));
  const restoreCall = graphName(saverCall(RESTORE_FUNCTION));
  const kerasLayers: KerasLayerNode[] = exported.map((l, i) => ({ spec: l.spec, inputShape: l.inputShape, nodeId: objects.layerNodes[i]!.id, nodePath: objects.layerNodes[i]!.path }));
  const kerasMetadata = buildKerasMetadata(model, inputKey, kerasLayers);
  const metaGraph: tensorflow.IMetaGraphDef = {
    meta_info_def: { tags: ['serve'], tensorflow_git_version: 'tfsave', stripped_default_attrs: true },
    graph_def: { node: main.nodes, library: { function: [fdef, saveFunction(variables, keys, graph), restoreFunction(variables, keys)] }, versions: { producer } },
    signature_def: {
      serving_default: {
        inputs: { [inputKey]: { name: input, dtype: DT_FLOAT, tensor_shape: dims(batch) } },
        outputs: { [outputKey]: { name: call, dtype: DT_FLOAT, tensor_shape: dims(outShape) } },
        method_name: 'tensorflow/serving/predict',
      },
      __saved_model_init_op: { outputs: { __saved_model_init_op: { name: 'NoOp', tensor_shape: { unknown_rank: true } } } },
    },
    saver_def: saverDef(saveCall, restoreCall),
    object_graph_def: {
      nodes: objects.nodes,
      concrete_functions: {
        [SERVING_FUNCTION]: {
          bound_inputs: objects.variableIds,
          canonicalized_input_signature: { tuple_value: { values: [{ tuple_value: { values: [] } }, { dict_value: { fields: { [inputKey]: spec(inputKey, batch) } } }] } },
          output_signature: { dict_value: { fields: { [outputKey]: spec(outputKey, outShape) } } },
        },
      },
    },
  };
  return { metaGraph, checkpoint: objects.checkpoint, kerasMetadata, variables, inputTensor: input, outputTensor: call, outputShape: x.shape };
}
