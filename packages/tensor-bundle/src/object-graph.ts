import { tensorflow } from '@tfsave/protos';
import { E } from './errors.js';

/** Key of the scalar string tensor that holds the serialized TrackableObjectGraph. */
export const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';

/** A decoded TrackableObjectGraph node, wire names kept. */
export interface TrackableObject {
  readonly children: ReadonlyArray<{ readonly node_id: number; readonly local_name: string }>;
  readonly attributes: ReadonlyArray<{ readonly name: string; readonly full_name: string; readonly checkpoint_key: string }>;
  readonly slot_variables: ReadonlyArray<{ readonly original_variable_node_id: number; readonly slot_name: string; readonly slot_variable_node_id: number }>;
  readonly registered_saver?: { readonly name: string; readonly object_name: string } | undefined;
  readonly has_checkpoint_values?: boolean | undefined;
}

/** One checkpoint key explained by the object graph. */
export interface ObjectKey {
  /** The tensor's key in the bundle. */
  readonly checkpointKey: string;
  /** Object path from the root (`layer_with_weights-0/kernel`), edges joined by `/` (unescaped). */
  readonly objectPath: string;
  /** Node id in the graph. */
  readonly nodeId: number;
  /** Attribute name (`VARIABLE_VALUE`…). */
  readonly attribute: string;
  /** The variable's full name as saved (`sequential/dense/kernel`). */
  readonly fullName: string;
  /** For optimizer slots: the slot name and the original variable's object path. */
  readonly slot?: { readonly name: string; readonly variablePath: string } | undefined;
}

/** Limits for object graph decoding. */
export interface ObjectGraphLimits {
  /** Largest node count. Default 1 000 000. */
  readonly maxNodes?: number;
}

/**
 * Decodes a serialized TrackableObjectGraph and checks node references.
 * @throws FormatError `malformed` for undecodable bytes or a child/slot id out of range.
 */
export function parseObjectGraph(bytes: Uint8Array, path?: string, limits: ObjectGraphLimits = {}): TrackableObject[] {
  let m: tensorflow.TrackableObjectGraph;
  try {
    m = tensorflow.TrackableObjectGraph.decode(bytes);
  } catch (e) {
    throw E.malformed(`object graph is not a valid TrackableObjectGraph: ${(e as Error).message}`, 'object-graph', { path, cause: e });
  }
  const max = limits.maxNodes ?? 1_000_000;
  if (m.nodes.length > max) throw E.limit(`object graph has ${m.nodes.length} nodes, over the limit of ${max}`, 'object-graph-size', { path });
  const n = m.nodes.length;
  const check = (id: number, what: string): number => {
    if (!(id >= 0 && id < n)) throw E.malformed(`object graph ${what} refers to node ${id} of ${n}`, 'object-graph-ref', { path });
    return id;
  };
  return m.nodes.map((node) => ({
    children: (node.children ?? []).map((c) => ({ node_id: check(c.node_id ?? 0, 'child'), local_name: c.local_name ?? '' })),
    attributes: (node.attributes ?? []).map((a) => ({ name: a.name ?? '', full_name: a.full_name ?? '', checkpoint_key: a.checkpoint_key ?? '' })),
    slot_variables: (node.slot_variables ?? []).map((s) => ({
      original_variable_node_id: check(s.original_variable_node_id ?? 0, 'slot original'),
      slot_name: s.slot_name ?? '',
      slot_variable_node_id: check(s.slot_variable_node_id ?? 0, 'slot variable'),
    })),
    registered_saver: node.registered_saver ? { name: node.registered_saver.name ?? '', object_name: node.registered_saver.object_name ?? '' } : undefined,
    has_checkpoint_values: node.has_checkpoint_values ? node.has_checkpoint_values.value === true : undefined,
  }));
}

/** Shortest (BFS) object path of every reachable node, as lists of edge names. */
export function objectPaths(nodes: readonly TrackableObject[]): Map<number, string[]> {
  const paths = new Map<number, string[]>();
  if (nodes.length === 0) return paths;
  paths.set(0, []);
  const queue = [0];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const c of nodes[id]!.children) {
      if (paths.has(c.node_id)) continue;
      paths.set(c.node_id, [...paths.get(id)!, c.local_name]);
      queue.push(c.node_id);
    }
  }
  return paths;
}

/** Explains every checkpoint key of the graph: object path, attribute, slot. */
export function objectKeys(nodes: readonly TrackableObject[]): ObjectKey[] {
  const paths = objectPaths(nodes);
  const slotOf = new Map<number, { name: string; original: number }>();
  for (const n of nodes) for (const s of n.slot_variables) slotOf.set(s.slot_variable_node_id, { name: s.slot_name, original: s.original_variable_node_id });
  const out: ObjectKey[] = [];
  nodes.forEach((n, id) => {
    for (const a of n.attributes) {
      const slot = slotOf.get(id);
      const p = paths.get(id);
      const objectPath = p !== undefined ? p.join('/') : slot !== undefined ? `${(paths.get(slot.original) ?? []).join('/')}/.OPTIMIZER_SLOT/${slot.name}` : `(node ${id})`;
      out.push({
        checkpointKey: a.checkpoint_key,
        objectPath,
        nodeId: id,
        attribute: a.name,
        fullName: a.full_name,
        slot: slot === undefined ? undefined : { name: slot.name, variablePath: (paths.get(slot.original) ?? []).join('/') },
      });
    }
  });
  return out;
}

/** Escapes one path element as TF does: `.` → `..`, `/` → `.S`. */
export function escapeLocalName(name: string): string {
  return name.replace(/\./g, '..').replace(/\//g, '.S');
}
