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
import { DT_FLOAT, GraphBuilder, attr } from './graph-builder.js';
import type { LayerSpec, ModelSpec } from './model-spec.js';
import { modelGraph, sortedInputs, sortedOutputs } from './model-graph.js';
import { wireLayers } from './wire-layers.js';
import { buildKerasMetadata, type KerasLayerNode } from './keras-metadata.js';
import { RESTORE_FUNCTION, SAVE_FUNCTION, checkpointKeys, restoreFunction, saveFunction, saverDef } from './saver-functions.js';
import { buildObjectGraphs, type CapturedVariable, type ExportedLayer } from './object-graph.js';
import { optimizerParts } from './optimizer-state.js';

const DT_RESOURCE = 20;
const DT_STRING = 7;

/** Name of the serving FunctionDef in the library. */
export const SERVING_FUNCTION = '__inference_signature_wrapper_1';

const dims = (s: readonly number[]) => ({ dim: s.map((size) => ({ size })) });
const spec = (name: string, shape: readonly number[], dtype = DT_FLOAT): tensorflow.IStructuredValue => ({ tensor_spec_value: { name, shape: dims(shape), dtype } });
const argName = (key: string) => (/^[a-z][a-z0-9_]*$/.test(key) ? key : `input_${key.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`);

/** The pieces of a TF2 SavedModel. */
export interface Tf2Parts {
  readonly metaGraph: tensorflow.IMetaGraphDef;
  readonly checkpoint: TrackableSpec;
  readonly kerasMetadata: keras.ISavedMetadata;
  readonly variables: readonly CapturedVariable[];
  /** Placeholder of the first input (model order). */
  readonly inputTensor: string;
  /** Signature tensor of the first output (model order). */
  readonly outputTensor: string;
  /** Shape of the first output, without the batch dimension. */
  readonly outputShape: readonly number[];
}

/**
 * Builds the MetaGraphDef and checkpoint tree for `model` with graph producer `producer`.
 * @throws FormatError (`unsupported`) naming the first layer that cannot be expressed.
 */
export function buildTf2(model: ModelSpec, inputKey: string, outputKey: string, producer: number): Tf2Parts {
  const mg = modelGraph(model, inputKey, outputKey);
  const variables: CapturedVariable[] = [];
  const g = new GraphBuilder((b, layer, role, data, shape) => {
    const arg = variables.length === 0 ? 'readvariableop_resource' : `readvariableop_${variables.length}_resource`;
    variables.push({ fullName: `${layer}/${role}`, layer, role, shape, data, argName: arg });
    return b.op(`${layer}/${role}/ReadVariableOp`, 'ReadVariableOp', [arg], { dtype: attr.type(DT_FLOAT) });
  });
  const ins = sortedInputs(mg);
  const argNames = new Map(ins.map((i, k) => [i.key, uniqueArg(argName(i.key), k, ins.map((x) => argName(x.key)))]));
  const exported: Array<ExportedLayer & { spec: LayerSpec; inputShape: readonly number[] | ReadonlyArray<readonly number[]> }> = [];
  let first = 0;
  const wired = wireLayers(g, mg, new Map(mg.inputs.map((i) => [i.key, { name: argNames.get(i.key)!, shape: i.shape, dtype: i.dtype }])), (name) => {
    const layer = mg.layers.find((l) => l.name === name)!;
    exported.push({ name, variables: variables.slice(first), spec: layer.spec, inputShape: [] });
    first = variables.length;
  });
  exported.forEach((e, i) => {
    const shapes = wired.inputShapes.get(e.name) ?? [];
    exported[i] = { ...e, inputShape: shapes.length === 1 ? shapes[0]! : shapes };
  });
  const outs = sortedOutputs(mg);
  const outTensor = (key: string) => wired.outputs[mg.outputs.findIndex((o) => o.key === key)]!;
  const retNames = outs.map((_, i) => (i === 0 ? 'identity' : `identity_${i}`));
  outs.forEach((o, i) => g.float(i === 0 ? 'Identity' : `Identity_${i}`, 'Identity', [outTensor(o.key).name]));

  const fdef: tensorflow.IFunctionDef = {
    signature: {
      name: SERVING_FUNCTION,
      input_arg: [
        ...ins.map((i) => ({ name: argNames.get(i.key)!, type: i.dtype })),
        ...variables.map((v) => ({ name: v.argName, type: DT_RESOURCE, handle_data: [{ dtype: DT_FLOAT, shape: dims(v.shape) }] })),
      ],
      output_arg: retNames.map((name) => ({ name, type: DT_FLOAT })),
      is_stateful: true,
    },
    node_def: toFunctionBody(g.nodes),
    ret: Object.fromEntries(retNames.map((r, i) => [r, `${i === 0 ? 'Identity' : `Identity_${i}`}:output:0`])),
    attr: { _input_shapes: { list: { shape: [...ins.map((i) => dims([-1, ...i.shape])), ...variables.map(() => ({}))] } } },
    arg_attr: Object.fromEntries(ins.map((i, k) => [k, { attr: { _user_specified_name: attr.s(i.key) } }])),
  };

  const main = new GraphBuilder();
  const handles = variables.map((v) =>
    main.op(v.fullName, 'VarHandleOp', [], { dtype: attr.type(DT_FLOAT), shape: attr.shape(v.shape), shared_name: attr.s(v.fullName) }),
  );
  const optimizer = model.optimizer === undefined ? undefined : optimizerParts(model.optimizer, model.layers, variables);
  const optVars = optimizer?.variables ?? [];
  const optHandles = optVars.map((v) =>
    main.op(v.fullName, 'VarHandleOp', [], { dtype: attr.type(v.dtype ?? DT_FLOAT), shape: attr.shape(v.shape), shared_name: attr.s(v.fullName) }),
  );
  const placeholders = ins.map((i) => main.op(`serving_default_${i.key}`, 'Placeholder', [], { dtype: attr.type(i.dtype), shape: { shape: dims([-1, ...i.shape]) } }));
  const graphName = (t: string) => t.replace(/:0$/, '');
  const call = main.op('StatefulPartitionedCall', 'StatefulPartitionedCall', [...placeholders, ...handles].map(graphName), {
    f: { func: { name: SERVING_FUNCTION } },
    Tin: { list: { type: [...ins.map((i) => i.dtype), ...variables.map(() => DT_RESOURCE)] } },
    Tout: { list: { type: outs.map(() => DT_FLOAT) } },
  });
  const callNode = graphName(call);
  main.op('NoOp', 'NoOp', [], {});

  const objects = buildObjectGraphs(exported, SERVING_FUNCTION, ins.map((i) => i.key), mg.functional ? mg.inputs.map((i) => i.key) : [], optimizer);
  const layerKeys = checkpointKeys(objects.checkpoint, objects.values, variables);
  const graph = layerKeys.graph;
  const saved = [...variables, ...optVars];
  const keys = [...layerKeys.keys, ...(optimizer?.tree.keys ?? [])];
  const filename = main.op('saver_filename', 'Placeholder', [], { dtype: attr.type(DT_STRING), shape: attr.shape([]) });
  const saverCall = (fn: string) =>
    main.op('StatefulPartitionedCall', 'StatefulPartitionedCall', [filename, ...handles, ...optHandles].map(graphName), {
      f: { func: { name: fn } }, Tin: { list: { type: [DT_STRING, ...saved.map(() => DT_RESOURCE)] } }, Tout: { list: { type: [DT_STRING] } },
    });
  const saveCall = graphName(saverCall(SAVE_FUNCTION));
  const restoreCall = graphName(saverCall(RESTORE_FUNCTION));
  const kerasLayers: KerasLayerNode[] = exported.map((l, i) => ({ spec: l.spec, inputShape: l.inputShape, nodeId: objects.layerNodes[i]!.id, nodePath: objects.layerNodes[i]!.path, inbound: mg.layers[i]!.inbound }));
  const kerasMetadata = buildKerasMetadata(model, mg, kerasLayers, objects.inputNodes);
  const outShape = (key: string) => [-1, ...outTensor(key).shape];
  const metaGraph: tensorflow.IMetaGraphDef = {
    meta_info_def: { tags: ['serve'], tensorflow_git_version: 'tfsave', stripped_default_attrs: true },
    graph_def: { node: main.nodes, library: { function: [fdef, saveFunction(saved, keys, graph), restoreFunction(saved, keys)] }, versions: { producer } },
    signature_def: {
      serving_default: {
        inputs: Object.fromEntries(ins.map((i, k) => [i.key, { name: placeholders[k]!, dtype: i.dtype, tensor_shape: dims([-1, ...i.shape]) }])),
        outputs: Object.fromEntries(outs.map((o, k) => [o.key, { name: `${callNode}:${k}`, dtype: DT_FLOAT, tensor_shape: dims(outShape(o.key)) }])),
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
          canonicalized_input_signature: { tuple_value: { values: [{ tuple_value: { values: [] } }, { dict_value: { fields: Object.fromEntries(ins.map((i) => [i.key, spec(i.key, [-1, ...i.shape], i.dtype)])) } }] } },
          output_signature: { dict_value: { fields: Object.fromEntries(outs.map((o) => [o.key, spec(o.key, outShape(o.key))])) } },
        },
      },
    },
  };
  const firstIn = mg.inputs[0]!, firstOut = mg.outputs[0]!;
  const firstOutIndex = outs.findIndex((o) => o.key === firstOut.key);
  return { metaGraph, checkpoint: objects.checkpoint, kerasMetadata, variables, inputTensor: placeholders[ins.indexOf(ins.find((i) => i.key === firstIn.key)!)]!, outputTensor: `${callNode}:${firstOutIndex}`, outputShape: outTensor(firstOut.key).shape };
}

/** `base`, or `base_<k>` when another argument has the same sanitized name. */
function uniqueArg(base: string, k: number, all: readonly string[]): string {
  return all.indexOf(base) === k ? base : `${base}_${k}`;
}
