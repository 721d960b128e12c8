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

/** One kind of optimizer slot as a tf_keras (≥ 2.11, non-legacy) optimizer tracks it. */
export interface TfKerasSlotKind {
  /** Slot variable name prefix (`m` in `Adam/m/dense/kernel`). */
  readonly kind: string;
  /** The tracked list attribute holding these slots (`_momentums`). */
  readonly list: string;
  /** Kinds of one group are created together per variable; groups follow one another (see {@link tfKerasVariableOrder}). */
  readonly group: number;
  /** Tracked only when the optimizer creates these slots (Adam's `_velocity_hats` with `amsgrad`); other lists exist, maybe empty, once built. */
  readonly optional?: true;
  /**
   * The config option without which tf_keras creates no slots of this kind (see {@link tfKerasSlotKinds}):
   * `amsgrad: true`, `momentum` > 0 or `centered: true`. Absent: always created.
   */
  readonly when?: 'amsgrad' | 'momentum' | 'centered';
}

/**
 * Slot kinds per tf_keras optimizer (class name lowercased), in creation order. Facts from
 * tf_keras src/optimizers/{adam,adamw,nadam,sgd,lion,rmsprop,adagrad,adamax,adadelta,ftrl}.py `build()`,
 * confirmed against checkpoints tf_keras 2.21 wrote for each. Nadam also tracks a scalar outside
 * `_variables` ({@link TF_KERAS_OPTIMIZER_SCALARS}).
 */
export const TF_KERAS_OPTIMIZER_SLOTS: Readonly<Record<string, readonly TfKerasSlotKind[]>> = {
  adam: [{ kind: 'm', list: '_momentums', group: 0 }, { kind: 'v', list: '_velocities', group: 0 }, { kind: 'vhat', list: '_velocity_hats', group: 1, optional: true, when: 'amsgrad' }],
  adamw: [{ kind: 'm', list: '_momentums', group: 0 }, { kind: 'v', list: '_velocities', group: 0 }, { kind: 'vhat', list: '_velocity_hats', group: 1, optional: true, when: 'amsgrad' }],
  sgd: [{ kind: 'm', list: 'momentums', group: 0 }],
  rmsprop: [{ kind: 'velocity', list: '_velocities', group: 0 }, { kind: 'momentum', list: '_momentums', group: 1, when: 'momentum' }, { kind: 'average_gradient', list: '_average_gradients', group: 2, when: 'centered' }],
  adagrad: [{ kind: 'accumulator', list: '_accumulators', group: 0 }],
  adamax: [{ kind: 'm', list: '_m', group: 0 }, { kind: 'u', list: '_u', group: 0 }],
  adadelta: [{ kind: 'accumulated_grad', list: '_accumulated_grads', group: 0 }, { kind: 'accumulated_delta_var', list: '_accumulated_delta_vars', group: 0 }],
  ftrl: [{ kind: 'accumulator', list: '_accumulators', group: 0 }, { kind: 'linear', list: '_linears', group: 0 }],
  nadam: [{ kind: 'm', list: '_momentums', group: 0 }, { kind: 'v', list: '_velocities', group: 0 }],
  lion: [{ kind: 'm', list: 'momentums', group: 0 }],
};

/** A scalar variable a tf_keras optimizer tracks after its slot lists, outside `_variables`. */
export interface TfKerasOptimizerScalar {
  /** The tracked attribute (`_u_product`). */
  readonly attribute: string;
  /** The variable's name (`Variable`: tf_keras creates it as an unnamed `tf.Variable`). */
  readonly full_name: string;
}

/**
 * Scalar variables per tf_keras optimizer (class name lowercased), in tracking order. Nadam's `_u_product`
 * (tf_keras src/optimizers/nadam.py `build()`) is not among `optimizer.variables`, so a tf_keras `.h5` lacks
 * it; Keras 3 keeps it last among its variables.
 */
export const TF_KERAS_OPTIMIZER_SCALARS: Readonly<Record<string, readonly TfKerasOptimizerScalar[]>> = {
  nadam: [{ attribute: '_u_product', full_name: 'Variable' }],
};

/**
 * The slot kinds tf_keras creates for optimizer `className` with Keras config `config` (the inner `config`
 * object), in table order: every kind of {@link TF_KERAS_OPTIMIZER_SLOTS} whose `when` option is set
 * (RMSprop's `momentum` only for `momentum` > 0). Undefined for an optimizer not in the table.
 */
export function tfKerasSlotKinds(className: string, config: Readonly<Record<string, unknown>> = {}): string[] | undefined {
  const on = (t: TfKerasSlotKind): boolean => {
    const v = t.when === undefined ? undefined : config[t.when];
    return t.when === undefined || (t.when === 'momentum' ? typeof v === 'number' && v > 0 : v === true);
  };
  return TF_KERAS_OPTIMIZER_SLOTS[className.toLowerCase()]?.filter(on).map((t) => t.kind);
}

/**
 * The order of tf_keras's `optimizer.variables` after `iteration` for `count` trainable variables carrying slot
 * kinds `kinds`: group by group, and within a group variable by variable (Adam: m0 v0 m1 v1 … vhat0 vhat1 …;
 * RMSprop: velocity0 velocity1 … momentum0 …). Undefined for an optimizer not in {@link TF_KERAS_OPTIMIZER_SLOTS}
 * or a kind it does not have.
 */
export function tfKerasVariableOrder(className: string, kinds: readonly string[], count: number): Array<{ readonly variable: number; readonly kind: string }> | undefined {
  const table = TF_KERAS_OPTIMIZER_SLOTS[className.toLowerCase()];
  const known = kinds.map((k) => table?.find((t) => t.kind === k));
  if (table === undefined || known.some((k) => k === undefined)) return undefined;
  const groups = [...new Set(known.map((k) => k!.group))].sort((a, b) => a - b);
  const out: Array<{ variable: number; kind: string }> = [];
  for (const g of groups) for (let v = 0; v < count; v++) for (const k of known) if (k!.group === g) out.push({ variable: v, kind: k!.kind });
  return out;
}

/** The state of a tf_keras optimizer, for {@link tfKerasOptimizerTree}. */
export interface TfKerasOptimizerState {
  /** Keras class name (`Adam`, `SGD`, …; a `Custom>` or module prefix is ignored). */
  readonly className: string;
  /** The int64 scalar `iteration`. */
  readonly iterations: TensorInput;
  /** The float32 scalar `learning_rate`; tf_keras always tracks one, but a checkpoint may lack it. */
  readonly learningRate?: TensorInput;
  /** The slots in `optimizer.variables` order (after `iteration`), each with its kind and full variable name. */
  readonly slots: ReadonlyArray<{ readonly kind: string; readonly full_name: string; readonly value: TensorInput }>;
  /**
   * The slot kinds the optimizer created ({@link tfKerasSlotKinds}); default: the kinds among `slots`. Give it
   * for a built optimizer that holds no slots (no trainable variables): tf_keras tracks its lists, empty.
   */
  readonly slotKinds?: readonly string[];
  /** Values of the class's {@link TF_KERAS_OPTIMIZER_SCALARS} by attribute (Nadam's `_u_product`); each is tracked only when given. */
  readonly scalars?: Readonly<Record<string, TensorInput>>;
}

/** What a node of {@link tfKerasOptimizerTree} is, as a SavedModel records it. */
export type TfKerasOptimizerNodeKind = 'optimizer' | 'list' | 'dict' | 'variable';

/** The optimizer subtree, the checkpoint key of each saved tensor and the kind of each node. */
export interface TfKerasOptimizerTree {
  /** Track it as the model's `optimizer` child. */
  readonly spec: TrackableSpec;
  /** Keys relative to the model (`optimizer/_iterations/…`, `[optimizer/_learning_rate/…]`, `optimizer/_variables/N/…`, `[optimizer/_u_product/…]`), in state order. */
  readonly keys: readonly string[];
  readonly kinds: ReadonlyMap<TrackableSpec, TfKerasOptimizerNodeKind>;
  /** The variable nodes in state order: iteration, [learning rate], slots, [scalars]. */
  readonly variables: readonly TrackableSpec[];
}

/**
 * Lays out `state` as tf_keras tracks an optimizer: `_variables` (iteration, then the slots), `_iterations`,
 * `_learning_rate`, an empty `_index_dict`, one list per slot kind (`_momentums`, `_velocities`, …; none before
 * the optimizer is built) and the scalars given (Nadam's `_u_product`).
 * Upstream: tf_keras src/optimizers/optimizer.py (`_BaseOptimizer.__init__`, `build`, `add_variable_from_reference`).
 * @throws RangeError for an optimizer class, slot kind or scalar tf_keras does not have.
 */
export function tfKerasOptimizerTree(state: TfKerasOptimizerState): TfKerasOptimizerTree {
  const cls = state.className.replace(/^Custom>/, '').replace(/^.*\./, '');
  const table = TF_KERAS_OPTIMIZER_SLOTS[cls.toLowerCase()];
  if (table === undefined) throw new RangeError(`optimizer ${cls} has no tf_keras slot layout (known: ${Object.keys(TF_KERAS_OPTIMIZER_SLOTS).join(', ')})`);
  const kinds = new Map<TrackableSpec, TfKerasOptimizerNodeKind>();
  const variable = (full_name: string, value: TensorInput): TrackableSpec => {
    const s: TrackableSpec = { attributes: [{ full_name, value }] };
    kinds.set(s, 'variable');
    return s;
  };
  const node = (kind: TfKerasOptimizerNodeKind, children: Array<readonly [string, TrackableSpec]>): TrackableSpec => {
    const s: TrackableSpec = { children };
    kinds.set(s, kind);
    return s;
  };
  const it = variable('iteration', state.iterations);
  const lr = state.learningRate === undefined ? undefined : variable('learning_rate', state.learningRate);
  const created = new Set(state.slotKinds ?? state.slots.map((s) => s.kind));
  const used = created.size === 0 ? [] : table.filter((t) => t.optional !== true || created.has(t.kind));
  const slotNodes = state.slots.map((s) => {
    if (!table.some((t) => t.kind === s.kind)) throw new RangeError(`optimizer ${cls} has no slot kind '${s.kind}' (${s.full_name})`);
    return { kind: s.kind, spec: variable(s.full_name, s.value) };
  });
  const known = TF_KERAS_OPTIMIZER_SCALARS[cls.toLowerCase()] ?? [];
  for (const a of Object.keys(state.scalars ?? {})) if (!known.some((k) => k.attribute === a)) throw new RangeError(`optimizer ${cls} has no scalar '${a}'`);
  const scalars = known.flatMap((k) => {
    const value = state.scalars?.[k.attribute];
    return value === undefined ? [] : [{ attribute: k.attribute, spec: variable(k.full_name, value) }];
  });
  const children: Array<readonly [string, TrackableSpec]> = [
    ['_variables', node('list', [it, ...slotNodes.map((s) => s.spec)].map((s, i) => [String(i), s] as const))],
    ['_iterations', it],
  ];
  if (lr !== undefined) children.push(['_learning_rate', lr]);
  children.push(['_index_dict', node('dict', [])]);
  for (const t of used) children.push([t.list, node('list', slotNodes.filter((s) => s.kind === t.kind).map((s, i) => [String(i), s.spec] as const))]);
  for (const s of scalars) children.push([s.attribute, s.spec]);
  const key = (p: string) => `optimizer/${p}/.ATTRIBUTES/VARIABLE_VALUE`;
  const keys = [key('_iterations'), ...(lr === undefined ? [] : [key('_learning_rate')]), ...slotNodes.map((_, i) => key(`_variables/${i + 1}`)), ...scalars.map((s) => key(s.attribute))];
  return { spec: node('optimizer', children), keys, kinds, variables: [it, ...(lr === undefined ? [] : [lr]), ...slotNodes.map((s) => s.spec), ...scalars.map((s) => s.spec)] };
}
