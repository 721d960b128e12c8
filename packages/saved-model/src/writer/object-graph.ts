/**
 * The trackable structure of an exported model, laid out as tf_keras lays out
 * a Sequential model so that both `tf.saved_model.load` and tf_keras
 * `load_model` find everything:
 *
 * - root → `layer_with_weights-K` / `layer-i` → one node per layer → its variables
 *   (`kernel`, `bias`, …); the checkpoint in `variables/` holds exactly this tree,
 *   so keys read `layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE` as in tf_keras;
 * - root → `variables`, `trainable_variables`, `non_trainable_variables` lists;
 * - root → `signatures` → `serving_default` (the serving concrete function);
 * - with optimizer state, root → `optimizer` (see optimizer-state.ts), also in the checkpoint, so keys read
 *   `optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE` and `optimizer/_variables/N/…` as in tf_keras.
 *
 * Upstream layout: tf_keras/saving/legacy/saved_model/{save_impl,load}.py.
 */
import type { tensorflow } from '@tfsave/protos';
import type { TrackableSpec } from '@tfsave/tensor-bundle';
import { DT_FLOAT } from './graph-builder.js';
import { optimizerSavedObject, type OptimizerParts } from './optimizer-state.js';

/** A variable captured by the serving function. */
export interface CapturedVariable {
  /** Keras variable name, `<layer>/<role>` (also the VarHandleOp `shared_name`). */
  readonly fullName: string;
  readonly layer: string;
  readonly role: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
  /** Function argument name of its resource handle. */
  readonly argName: string;
}

/** One exported layer (InputLayer excluded) and the variables it owns. */
export interface ExportedLayer {
  readonly name: string;
  readonly variables: readonly CapturedVariable[];
}

const NON_TRAINABLE = new Set(['moving_mean', 'moving_variance']);

/** Whether a variable of role `role` is trainable (BatchNormalization moving statistics are not). */
export const isTrainable = (role: string): boolean => !NON_TRAINABLE.has(role);

/** What {@link buildObjectGraphs} returns. */
export interface ModelObjectGraphs {
  /** The checkpoint tree for `writeObjectCheckpoint`. */
  readonly checkpoint: TrackableSpec;
  /** SavedObject nodes without `concrete_functions` (filled by the caller). */
  readonly nodes: tensorflow.ISavedObject[];
  /** Object graph node id of each captured variable, in capture order. */
  readonly variableIds: number[];
  /** Object graph node id and Keras node path (`root.layer-1`) of each layer, in layer order. */
  readonly layerNodes: Array<{ readonly id: number; readonly path: string }>;
  /** Functional models: node id and path of each InputLayer, in input order (empty for Sequential). */
  readonly inputNodes: Array<{ readonly id: number; readonly path: string }>;
  /** The tensor value object saved for each variable (identifies its checkpoint entry). */
  readonly values: ReadonlyMap<CapturedVariable, unknown>;
}

const userObject = (identifier: string): tensorflow.ISavedUserObject => ({ identifier, version: { producer: 1, min_consumer: 1 } });

/** Breadth-first node ids, children in insertion order (the order TF's object graph views use). */
function bfs(root: TrackableSpec): { ids: Map<TrackableSpec, number>; order: TrackableSpec[] } {
  const ids = new Map<TrackableSpec, number>([[root, 0]]);
  const order: TrackableSpec[] = [root];
  for (let i = 0; i < order.length; i++) {
    for (const [, child] of order[i]!.children ?? []) {
      if (ids.has(child)) continue;
      ids.set(child, order.length);
      order.push(child);
    }
  }
  return { ids, order };
}

/**
 * Builds the object graphs for `layers` and the serving function `functionName` taking keyword arguments
 * `argumentKeywords`. A functional model passes its `inputLayers` names: they come first among the
 * root's `layer-i` children (as in tf_keras's `Functional.layers`) and the root is a `_tf_keras_network`.
 * With `optimizer`, its subtree is the root's `optimizer` child in both graphs.
 */
export function buildObjectGraphs(layers: readonly ExportedLayer[], functionName: string, argumentKeywords: string | readonly string[], inputLayers: readonly string[] = [], optimizer?: OptimizerParts): ModelObjectGraphs {
  const kinds = new Map<TrackableSpec, tensorflow.ISavedObject>();
  const varSpecs = new Map<CapturedVariable, TrackableSpec>();
  const values = new Map<CapturedVariable, unknown>();
  const edges: Array<[string, TrackableSpec]> = [];
  const layerEdges: Array<{ spec: TrackableSpec; path: string }> = [];
  let withWeights = 0;
  const inputEdges: Array<{ spec: TrackableSpec; path: string }> = [];
  inputLayers.forEach((_, i) => {
    const spec: TrackableSpec = {};
    kinds.set(spec, { user_object: userObject('_tf_keras_input_layer') });
    edges.push([`layer-${i}`, spec]);
    inputEdges.push({ spec, path: `root.layer-${i}` });
  });
  const offset = inputLayers.length;
  layers.forEach((layer, j) => {
    const i = j + offset;
    const children = layer.variables.map((v): [string, TrackableSpec] => {
      const value = { dtype: 'float32', shape: v.shape, data: v.data };
      values.set(v, value);
      const spec: TrackableSpec = { attributes: [{ full_name: v.fullName, value }] };
      kinds.set(spec, { variable: { dtype: DT_FLOAT, shape: { dim: v.shape.map((size) => ({ size })) }, trainable: isTrainable(v.role), name: v.fullName } });
      varSpecs.set(v, spec);
      return [v.role, spec];
    });
    const spec: TrackableSpec = { children };
    kinds.set(spec, { user_object: userObject('_tf_keras_layer') });
    const first = layer.variables.length > 0 ? `layer_with_weights-${withWeights++}` : `layer-${i}`;
    if (layer.variables.length > 0) edges.push([first, spec]);
    edges.push([`layer-${i}`, spec]);
    layerEdges.push({ spec, path: `root.${first}` });
  });
  const optimizerEdge: Array<[string, TrackableSpec]> = [];
  if (optimizer !== undefined) {
    const { tree, variables } = optimizer;
    const byVariable = new Map(tree.variables.map((v, i) => [v, variables[i]]));
    for (const spec of tree.kinds.keys()) kinds.set(spec, optimizerSavedObject(tree, spec, byVariable.get(spec)));
    optimizerEdge.push(['optimizer', tree.spec]);
  }
  const checkpoint: TrackableSpec = { children: [...edges, ...optimizerEdge] };

  const all = [...varSpecs.entries()];
  const list = (items: readonly TrackableSpec[]): TrackableSpec => {
    const l: TrackableSpec = { children: items.map((v, i): [string, TrackableSpec] => [String(i), v]) };
    kinds.set(l, { user_object: userObject('trackable_list_wrapper') });
    return l;
  };
  const fn: TrackableSpec = {};
  const keywords = typeof argumentKeywords === 'string' ? [argumentKeywords] : [...argumentKeywords];
  kinds.set(fn, { bare_concrete_function: { concrete_function_name: functionName, argument_keywords: keywords, allowed_positional_arguments: 1 } });
  const signatures: TrackableSpec = { children: [['serving_default', fn]] };
  kinds.set(signatures, { user_object: userObject('signature_map') });
  const root: TrackableSpec = {
    children: [
      ...edges,
      ['variables', list(all.map(([, s]) => s))],
      ['trainable_variables', list(all.filter(([v]) => isTrainable(v.role)).map(([, s]) => s))],
      ['non_trainable_variables', list(all.filter(([v]) => !isTrainable(v.role)).map(([, s]) => s))],
      ...optimizerEdge,
      ['signatures', signatures],
    ],
  };
  kinds.set(root, { user_object: userObject(inputLayers.length > 0 ? '_tf_keras_network' : '_tf_keras_sequential') });

  const { ids, order } = bfs(root);
  const nodes = order.map((spec): tensorflow.ISavedObject => ({
    children: (spec.children ?? []).map(([local_name, c]) => ({ node_id: ids.get(c)!, local_name })),
    ...kinds.get(spec)!,
  }));
  return {
    checkpoint,
    nodes,
    variableIds: layers.flatMap((l) => l.variables.map((v) => ids.get(varSpecs.get(v)!)!)),
    layerNodes: layerEdges.map((e) => ({ id: ids.get(e.spec)!, path: e.path })),
    inputNodes: inputEdges.map((e) => ({ id: ids.get(e.spec)!, path: e.path })),
    values,
  };
}
