import { tensorflow } from '@tfsave/protos';
import type { TensorInput } from './bundle-writer.js';
import { escapeLocalName, type TrackableObject } from './object-graph.js';

/** One saved attribute of an object (a variable saves `VARIABLE_VALUE`). */
export interface AttributeSpec {
  /** Attribute name; default `VARIABLE_VALUE`. */
  readonly name?: string;
  /** The variable's full name (`dense/kernel`). */
  readonly full_name: string;
  /** The tensor stored under the attribute's checkpoint key. */
  readonly value: TensorInput;
}

/**
 * An object to save. The same spec object reached along several edges is one node
 * (as Python object identity); edges are tracked in insertion order.
 */
export interface TrackableSpec {
  readonly children?: ReadonlyArray<readonly [string, TrackableSpec]>;
  readonly attributes?: readonly AttributeSpec[];
  /** Optimizer slots owned by this object (TF1-style optimizers): variable + slot name → slot object. */
  readonly slotVariables?: ReadonlyArray<{ readonly original: TrackableSpec; readonly slotName: string; readonly slot: TrackableSpec }>;
}

/** The result of {@link buildObjectGraph}. */
export interface BuiltObjectGraph {
  readonly nodes: TrackableObject[];
  /** Serialized TrackableObjectGraph, as TF's `SerializeToString`. */
  readonly bytes: Uint8Array;
  /** Every tensor to save, in node (BFS) order, with its checkpoint key. */
  readonly tensors: Array<{ readonly key: string; readonly value: TensorInput }>;
}

/**
 * Builds the object graph TF would record for `root`: node ids in BFS order, children in
 * insertion order, slot variables appended after the BFS nodes, checkpoint keys
 * `<path>/.ATTRIBUTES/<attr>` and `<var>/.OPTIMIZER_SLOT/<optimizer>/<slot>/.ATTRIBUTES/<attr>`,
 * and `has_checkpoint_values` on every node (true when it or a descendant saves something).
 * Upstream: tensorflow/python/checkpoint/{graph_view,save_util,util}.py.
 */
export function buildObjectGraph(root: TrackableSpec): BuiltObjectGraph {
  const ids = new Map<TrackableSpec, number>([[root, 0]]);
  const order: TrackableSpec[] = [root];
  const paths: string[] = [''];
  for (let i = 0; i < order.length; i++) {
    for (const [name, child] of order[i]!.children ?? []) {
      if (ids.has(child)) continue;
      ids.set(child, order.length);
      paths.push(paths[i] === '' ? escapeLocalName(name) : `${paths[i]}/${escapeLocalName(name)}`);
      order.push(child);
    }
  }
  const bfsCount = order.length;
  const slotRefs: Array<Array<{ original_variable_node_id: number; slot_name: string; slot_variable_node_id: number }>> = order.map(() => []);
  for (let i = 0; i < bfsCount; i++) {
    for (const s of order[i]!.slotVariables ?? []) {
      const orig = ids.get(s.original);
      if (orig === undefined) throw new RangeError(`slot ${s.slotName}: original variable is not in the graph`);
      let sid = ids.get(s.slot);
      if (sid === undefined) {
        sid = order.length;
        ids.set(s.slot, sid);
        order.push(s.slot);
        paths.push(`${paths[orig]}/.OPTIMIZER_SLOT/${paths[i]}/${escapeLocalName(s.slotName)}`);
        slotRefs.push([]);
      }
      slotRefs[i]!.push({ original_variable_node_id: orig, slot_name: s.slotName, slot_variable_node_id: sid });
    }
  }
  const tensors: Array<{ key: string; value: TensorInput }> = [];
  const nodes: TrackableObject[] = order.map((spec, i) => ({
    children: (spec.children ?? []).map(([local_name, c]) => ({ node_id: ids.get(c)!, local_name })),
    attributes: (spec.attributes ?? []).map((a) => {
      const name = a.name ?? 'VARIABLE_VALUE';
      const checkpoint_key = `${paths[i]}/.ATTRIBUTES/${escapeLocalName(name)}`;
      tensors.push({ key: checkpoint_key, value: a.value });
      return { name, full_name: a.full_name, checkpoint_key };
    }),
    slot_variables: slotRefs[i]!,
    has_checkpoint_values: false,
  }));
  markCheckpointValues(nodes);
  return { nodes, bytes: encodeObjectGraph(nodes), tensors };
}

function markCheckpointValues(nodes: TrackableObject[]): void {
  const parents = nodes.map(() => new Set<number>());
  nodes.forEach((n, id) => n.children.forEach((c) => parents[c.node_id]!.add(id)));
  const marked = new Set<number>();
  const stack: number[] = [];
  nodes.forEach((n, id) => {
    if (n.attributes.length > 0 || n.slot_variables.length > 0 || n.registered_saver !== undefined) stack.push(id);
  });
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (marked.has(id)) continue;
    marked.add(id);
    for (const p of parents[id]!) stack.push(p);
  }
  nodes.forEach((n, id) => ((n as { has_checkpoint_values?: boolean }).has_checkpoint_values = marked.has(id)));
}

/** Serializes nodes as a TrackableObjectGraph (proto3 zero values left unset, as C++/Python do). */
export function encodeObjectGraph(nodes: readonly TrackableObject[]): Uint8Array {
  const str = (s: string): string | null => (s === '' ? null : s);
  const int = (v: number): number | null => (v === 0 ? null : v);
  const clean = <T extends object>(o: T): T => o;
  return tensorflow.TrackableObjectGraph.encode({
    nodes: nodes.map((n) =>
      clean({
        children: n.children.map((c) => clean({ node_id: int(c.node_id), local_name: str(c.local_name) })),
        attributes: n.attributes.map((a) => clean({ name: str(a.name), full_name: str(a.full_name), checkpoint_key: str(a.checkpoint_key) })),
        slot_variables: n.slot_variables.map((s) =>
          clean({ original_variable_node_id: int(s.original_variable_node_id), slot_name: str(s.slot_name), slot_variable_node_id: int(s.slot_variable_node_id) }),
        ),
        registered_saver: n.registered_saver === undefined ? null : clean({ name: str(n.registered_saver.name), object_name: str(n.registered_saver.object_name) }),
        has_checkpoint_values: n.has_checkpoint_values === undefined ? null : n.has_checkpoint_values ? { value: true } : {},
      }),
    ),
  }).finish();
}
