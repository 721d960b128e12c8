/**
 * Optimizer state laid out as tf_keras (≥ 2.11, non-legacy optimizers) tracks it in an
 * object checkpoint: `optimizer/_variables/N` (iteration, then the slots of each trainable
 * variable in turn, or kind by kind for RMSprop and AMSGrad), `optimizer/_iterations`,
 * `optimizer/_learning_rate`, an empty `_index_dict` and one list per slot kind (`_momentums`,
 * `_velocities`, …). Facts from tf_keras's optimizer sources, confirmed against checkpoints
 * tf_keras 2.21 wrote for each supported optimizer.
 */
import type { TensorInput, TrackableSpec } from '@tfsave/tensor-bundle';
import { isJsonObject, isKerasObject, layerName, modelLayers, type KerasModelDesc, type TensorRecord } from '@tfsave/keras-h5';
import { CliFailure } from '../cli-error.js';

/** Checkpoint key of a variable at an object path. */
export const attrKey = (path: string): string => `${path}/.ATTRIBUTES/VARIABLE_VALUE`;

/** A slot kind: the list attribute tf_keras tracks it in and the prefix of its variable names. */
type SlotKind = readonly [attr: string, prefix: string];

/** How tf_keras tracks an optimizer's state beside `_variables`, `_iterations`, `_learning_rate` and `_index_dict`. */
interface SlotLayout {
  /**
   * Slot kinds in creation order: the kinds of one group are created in turn for each trainable
   * variable (interleaved), then the next group's (Adam's `vhat`, RMSprop's `momentum`, …).
   */
  readonly groups: ReadonlyArray<ReadonlyArray<SlotKind>>;
  /** Every tracked list in attribute order, including lists tf_keras creates empty (RMSprop without momentum). */
  readonly lists: readonly string[];
  /** A scalar variable tracked after the lists and outside `_variables`: [attribute, variable name] (Nadam's `_u_product`). */
  readonly scalar?: readonly [string, string];
}

/**
 * Slot lists per optimizer: tracked attribute and variable-name prefix, in per-variable creation
 * order (the first group of each layout; see {@link layoutOf} for the rest). Learned from checkpoints
 * tf_keras 2.21 wrote for each optimizer after one training step and after `load_model` of an `.h5`.
 */
const SLOT_LISTS: Readonly<Record<string, ReadonlyArray<SlotKind>>> = {
  adam: [['_momentums', 'm'], ['_velocities', 'v']],
  adamw: [['_momentums', 'm'], ['_velocities', 'v']],
  nadam: [['_momentums', 'm'], ['_velocities', 'v']],
  adamax: [['_m', 'm'], ['_u', 'u']],
  sgd: [['momentums', 'm']],
  lion: [['momentums', 'm']],
  adagrad: [['_accumulators', 'accumulator']],
  adadelta: [['_accumulated_grads', 'accumulated_grad'], ['_accumulated_delta_vars', 'accumulated_delta_var']],
  ftrl: [['_accumulators', 'accumulator'], ['_linears', 'linear']],
  rmsprop: [['_velocities', 'velocity']],
};

/** The tf_keras layout of optimizer `cls` (lower case) with config `config`, or undefined when unknown. */
function layoutOf(cls: string, config: Record<string, unknown>): SlotLayout | undefined {
  const base = SLOT_LISTS[cls];
  if (base === undefined) return undefined;
  const groups: Array<ReadonlyArray<SlotKind>> = [base];
  if (cls === 'rmsprop') {
    // tf_keras RMSprop always tracks all three lists; momentum and average-gradient slots exist only when used.
    if (typeof config['momentum'] === 'number' && config['momentum'] > 0) groups.push([['_momentums', 'momentum']]);
    if (config['centered'] === true) groups.push([['_average_gradients', 'average_gradient']]);
    return { groups, lists: ['_velocities', '_momentums', '_average_gradients'] };
  }
  if (cls.startsWith('adam') && cls !== 'adamax' && config['amsgrad'] === true) groups.push([['_velocity_hats', 'vhat']]);
  const lists = groups.flat().map(([attr]) => attr);
  return cls === 'nadam' ? { groups, lists, scalar: ['_u_product', 'Variable'] } : { groups, lists };
}

/** Optimizers whose state {@link planOptimizer} lays out. */
export const SUPPORTED_OPTIMIZERS = ['Adam', 'AdamW', 'Nadam', 'Adamax', 'SGD', 'Lion', 'Adagrad', 'Adadelta', 'Ftrl', 'RMSprop'] as const;

/** The optimizer subtree plus the checkpoint key of every stored optimizer weight (in stored order). */
export interface OptimizerPlan {
  readonly spec: TrackableSpec;
  readonly keys: readonly string[];
}

interface Trainable {
  readonly path: string;
  readonly shape: readonly number[];
}

function optimizerClass(desc: KerasModelDesc): { cls: string; config: Record<string, unknown> } {
  const c = desc.optimizer?.config;
  const raw = c !== undefined && typeof c['class_name'] === 'string' ? c['class_name'] : '?';
  return { cls: raw.replace(/^Custom>/, '').replace(/^.*\./, ''), config: c !== undefined && isJsonObject(c['config']) ? c['config'] : {} };
}

/** Trainable variables in model order: layers not marked `trainable: false`, without BatchNormalization moving statistics. */
function trainableVariables(desc: KerasModelDesc, layerOrder: readonly string[]): Trainable[] {
  const frozen = new Set<string>();
  if (desc.modelConfig !== undefined && isKerasObject(desc.modelConfig)) {
    for (const l of modelLayers(desc.modelConfig)) if (isJsonObject(l.config) && l.config['trainable'] === false) frozen.add(layerName(l));
  }
  const byName = new Map(desc.layers.map((l) => [l.name, l]));
  const out: Trainable[] = [];
  for (const name of layerOrder) {
    if (frozen.has(name)) continue;
    for (const w of byName.get(name)?.weights ?? []) if (!/^moving_(mean|variance)$/.test(w.name)) out.push({ path: `${name}/${w.name}`, shape: w.shape });
  }
  return out;
}

/** Variable paths named by tf_keras slot names (`Adam/m/dense/kernel`, `m/dense/kernel`) of every `step`-th slot, when they all resolve. */
function namedSlotVariables(slots: readonly TensorRecord[], step: number, count: number, prefix: string, all: ReadonlySet<string>): string[] | undefined {
  const out: string[] = [];
  for (let i = 0; i < count * step; i += step) {
    const parts = slots[i]!.name.replace(/:0$/, '').split('/');
    const at = parts.indexOf(prefix);
    const path = at < 0 || at > 1 ? undefined : parts.slice(at + 1).join('/');
    if (path === undefined || !all.has(path)) return undefined;
    out.push(path);
  }
  return out;
}

/**
 * Lays out the optimizer state of `desc` as tf_keras tracks it, or undefined when the model has none.
 * @param layerOrder layer names in the model's layer order.
 * @throws CliFailure (the caller keeps the state another way) when the optimizer is unknown, not one of {@link SUPPORTED_OPTIMIZERS} or its variables
 *   do not match the model's trainable variables.
 */
export function planOptimizer(desc: KerasModelDesc, layerOrder: readonly string[]): OptimizerPlan | undefined {
  const weights = desc.optimizer?.weights ?? [];
  if (weights.length === 0) return undefined;
  const { cls, config } = optimizerClass(desc);
  const fail = (why: string): never => {
    throw new CliFailure(`${cls === '?' ? 'optimizer state' : `optimizer ${cls}`}: ${why}; it has no tf_keras checkpoint layout (supported: ${SUPPORTED_OPTIMIZERS.join(', ')})`);
  };
  if (cls === '?') return fail('no optimizer config says which optimizer wrote the state');
  const layout = layoutOf(cls.toLowerCase(), config);
  if (layout === undefined || config['is_legacy_optimizer'] === true) return fail(config['is_legacy_optimizer'] === true ? 'legacy optimizer' : 'unsupported class');
  const kinds = layout.groups.flat().length;
  const iterations = weights[0]!;
  if (iterations.shape.length !== 0 || !/^u?int/.test(iterations.dtype)) return fail(`first variable ${iterations.name} is not the iteration counter`);
  const second = weights[1];
  const storedLr = second !== undefined && second.shape.length === 0 && /^float/.test(second.dtype) && /(^\d+$|learning_rate(:0)?$)/.test(second.name) ? second : undefined;
  let slots = weights.slice(storedLr === undefined ? 1 : 2);
  const last = slots[slots.length - 1];
  // Keras 3 keeps Nadam's u_product among the optimizer variables (after the slots); tf_keras's .h5 does not store it.
  const scalar = layout.scalar !== undefined && last !== undefined && last.shape.length === 0 && /^float/.test(last.dtype) && slots.length % kinds === 1 ? last : undefined;
  if (scalar !== undefined) slots = slots.slice(0, -1);
  const all = trainableVariables(desc, layerOrder);
  const shapes = new Map<string, readonly number[]>(desc.layers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.name}`, w.shape] as const)));
  const first = layout.groups[0]!;
  const named = slots.length % kinds === 0 ? namedSlotVariables(slots, first.length, slots.length / kinds, first[0]![1], new Set(shapes.keys())) : undefined;
  const vars: Trainable[] = named === undefined ? all : named.map((path) => ({ path, shape: shapes.get(path)! }));
  if (slots.length !== 0 && slots.length !== vars.length * kinds) return fail(`${slots.length} slot variables for ${vars.length} trainable variables`);
  const variable = (full_name: string, value: TensorInput): TrackableSpec => ({ attributes: [{ full_name, value }] });
  const lrValue = storedLr ?? (typeof config['learning_rate'] === 'number' ? { dtype: 'float32' as const, shape: [], data: Float32Array.of(config['learning_rate']) } : undefined);
  const itNode = variable('iteration', iterations);
  const lists = new Map<string, TrackableSpec[]>(layout.lists.map((attr) => [attr, []]));
  const list: Array<readonly [string, TrackableSpec]> = [['0', itNode]];
  const keys: string[] = [attrKey('optimizer/_iterations')];
  if (storedLr !== undefined) keys.push(attrKey('optimizer/_learning_rate'));
  let at = 0;
  if (slots.length > 0) for (const group of layout.groups) for (const v of vars) for (const [attr, prefix] of group) {
    const slot = slots[at++]!;
    if (slot.shape.join(',') !== v.shape.join(',')) fail(`slot ${slot.name} has shape [${slot.shape.join(', ')}] but ${v.path} has [${v.shape.join(', ')}]`);
    const node = variable(`${prefix}/${v.path}`, slot);
    lists.get(attr)!.push(node);
    keys.push(attrKey(`optimizer/_variables/${list.length}`));
    list.push([String(list.length), node]);
  }
  const children: Array<readonly [string, TrackableSpec]> = [['_variables', { children: list }], ['_iterations', itNode]];
  if (lrValue !== undefined) children.push(['_learning_rate', variable('learning_rate', lrValue)]);
  children.push(['_index_dict', {}]);
  for (const [attr, nodes] of lists) children.push([attr, { children: nodes.map((n, i) => [String(i), n] as const) }]);
  if (scalar !== undefined && layout.scalar !== undefined) {
    children.push([layout.scalar[0], variable(layout.scalar[1], scalar)]);
    keys.push(attrKey(`optimizer/${layout.scalar[0]}`));
  }
  return { spec: { children }, keys };
}
