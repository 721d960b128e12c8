/**
 * The TF1 view of the variables: `_traced_save` / `_traced_restore`
 * FunctionDefs and the SaverDef that names them, so Session-based loaders
 * (TF Serving, `saved_model_cli run`, `tf.compat.v1.saved_model.load`)
 * restore `variables/` with `RestoreV2` + `AssignVariableOp`. The save
 * function writes the same keys plus `_CHECKPOINTABLE_OBJECT_GRAPH` with
 * `SaveV2`. Upstream: tensorflow/python/saved_model/save.py (`_add_save_and_restore_ops`-style wiring).
 */
import type { tensorflow } from '@tfsave/protos';
import { OBJECT_GRAPH_KEY, buildObjectGraph, type TrackableSpec } from '@tfsave/tensor-bundle';
import { DT_FLOAT, attr } from './graph-builder.js';
import type { CapturedVariable } from './object-graph.js';
import type { SavedVariable } from './optimizer-state.js';

const DT_STRING = 7;
const DT_RESOURCE = 20;

/** Names of the save and restore FunctionDefs. */
export const SAVE_FUNCTION = '__inference__traced_save_2';
export const RESTORE_FUNCTION = '__inference__traced_restore_3';

const enc = (s: string) => new TextEncoder().encode(s);
const strings = (name: string, values: readonly (string | Uint8Array)[], scalar = false): tensorflow.INodeDef => ({
  name, op: 'Const', device: '/device:CPU:0',
  attr: {
    dtype: attr.type(DT_STRING),
    value: { tensor: { dtype: DT_STRING, tensor_shape: scalar ? {} : { dim: [{ size: values.length }] }, string_val: values.map((v) => (typeof v === 'string' ? enc(v) : v)) } },
  },
});
const dtypeOf = (v: SavedVariable): number => v.dtype ?? DT_FLOAT;
const resourceArgs = (vars: readonly SavedVariable[]) =>
  vars.map((v) => ({ name: v.argName, type: DT_RESOURCE, handle_data: [{ dtype: dtypeOf(v), shape: { dim: v.shape.map((size) => ({ size })) } }] }));

/** The checkpoint key of each variable (`layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`), in capture order. */
export function checkpointKeys(checkpoint: TrackableSpec, values: ReadonlyMap<CapturedVariable, unknown>, vars: readonly CapturedVariable[]): { keys: string[]; graph: Uint8Array } {
  const built = buildObjectGraph(checkpoint);
  const keys = vars.map((v) => built.tensors.find((t) => t.value === values.get(v))?.key ?? `${v.fullName}/.ATTRIBUTES/VARIABLE_VALUE`);
  return { keys, graph: built.bytes };
}

/** The restore FunctionDef: `RestoreV2` of every key, assigned to the resources `vars` (layer weights, then optimizer state). */
export function restoreFunction(vars: readonly SavedVariable[], keys: readonly string[]): tensorflow.IFunctionDef {
  const assigns = vars.map((v, i): tensorflow.INodeDef => ({
    name: `AssignVariableOp_${i}`, op: 'AssignVariableOp', input: [v.argName, `RestoreV2:tensors:${i}`], attr: { dtype: attr.type(dtypeOf(v)) },
  }));
  return {
    signature: {
      name: RESTORE_FUNCTION,
      input_arg: [{ name: 'file_prefix', type: DT_STRING }, ...resourceArgs(vars)],
      output_arg: [{ name: 'identity', type: DT_STRING }],
      is_stateful: true,
      control_output: assigns.map((a) => a.name!),
    },
    node_def: [
      strings('RestoreV2/tensor_names', keys),
      strings('RestoreV2/shape_and_slices', keys.map(() => '')),
      { name: 'RestoreV2', op: 'RestoreV2', device: '/device:CPU:0', input: ['file_prefix', 'RestoreV2/tensor_names:output:0', 'RestoreV2/shape_and_slices:output:0'], attr: { dtypes: { list: { type: vars.map(dtypeOf) } } } },
      ...assigns,
      { name: 'NoOp', op: 'NoOp', input: assigns.map((a) => `^${a.name!}`), attr: {} },
      { name: 'Identity', op: 'Identity', input: ['file_prefix', '^NoOp'], attr: { T: attr.type(DT_STRING) } },
    ],
    ret: { identity: 'Identity:output:0' },
    control_ret: Object.fromEntries(assigns.map((a) => [a.name!, a.name!])),
  };
}

/** The save FunctionDef: `SaveV2` of every variable of `vars` and the object graph to `file_prefix`. */
export function saveFunction(vars: readonly SavedVariable[], keys: readonly string[], objectGraph: Uint8Array): tensorflow.IFunctionDef {
  const reads = vars.map((v, i): tensorflow.INodeDef => ({ name: `ReadVariableOp_${i}`, op: 'ReadVariableOp', input: [v.argName], attr: { dtype: attr.type(dtypeOf(v)) } }));
  return {
    signature: {
      name: SAVE_FUNCTION,
      input_arg: [{ name: 'file_prefix', type: DT_STRING }, ...resourceArgs(vars)],
      output_arg: [{ name: 'identity', type: DT_STRING }],
      is_stateful: true,
      control_output: ['SaveV2'],
    },
    node_def: [
      ...reads,
      strings('object_graph', [objectGraph], true),
      strings('SaveV2/tensor_names', [...keys, OBJECT_GRAPH_KEY]),
      strings('SaveV2/shape_and_slices', [...keys, OBJECT_GRAPH_KEY].map(() => '')),
      {
        name: 'SaveV2', op: 'SaveV2', device: '/device:CPU:0',
        input: ['file_prefix', 'SaveV2/tensor_names:output:0', 'SaveV2/shape_and_slices:output:0', ...reads.map((r) => `${r.name!}:value:0`), 'object_graph:output:0'],
        attr: { dtypes: { list: { type: [...vars.map(dtypeOf), DT_STRING] } } },
      },
      { name: 'Identity', op: 'Identity', input: ['file_prefix', '^SaveV2'], attr: { T: attr.type(DT_STRING) } },
    ],
    ret: { identity: 'Identity:output:0' },
    control_ret: { SaveV2: 'SaveV2' },
  };
}

/** The SaverDef pointing at the graph's `saver_filename`, save and restore call nodes. */
export function saverDef(saveCall: string, restoreCall: string): tensorflow.ISaverDef {
  return { filename_tensor_name: 'saver_filename:0', save_tensor_name: `${saveCall}:0`, restore_op_name: restoreCall, max_to_keep: 5, sharded: true, keep_checkpoint_every_n_hours: 10000, version: 2 };
}
