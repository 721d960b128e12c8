/**
 * Optimizer state of a Keras model laid out as tf_keras (≥ 2.11, non-legacy optimizers) tracks it in an
 * object checkpoint: the stored variables are matched to the model's trainable variables here, and the
 * subtree is the shared tf_keras layout of `@tfsave/tensor-bundle` ({@link tfKerasOptimizerTree}: slot
 * kinds, lists, creation order and Nadam's `_u_product`), confirmed against checkpoints tf_keras 2.21 wrote
 * for each supported optimizer.
 */
import { TF_KERAS_OPTIMIZER_SCALARS, TF_KERAS_OPTIMIZER_SLOTS, tfKerasOptimizerTree, tfKerasSlotKinds, tfKerasVariableOrder, type TrackableSpec } from '@tfsave/tensor-bundle';
import { isJsonObject, isKerasObject, layerName, modelLayers, type KerasModelDesc, type TensorRecord } from '@tfsave/keras-h5';
import { CliFailure } from '../cli-error.js';

/** Checkpoint key of a variable at an object path. */
export const attrKey = (path: string): string => `${path}/.ATTRIBUTES/VARIABLE_VALUE`;

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
  const kindList = config['is_legacy_optimizer'] === true ? undefined : tfKerasSlotKinds(cls, config);
  if (kindList === undefined) return fail(config['is_legacy_optimizer'] === true ? 'legacy optimizer' : 'unsupported class');
  const kinds = kindList.length;
  const iterations = weights[0]!;
  if (iterations.shape.length !== 0 || !/^u?int/.test(iterations.dtype)) return fail(`first variable ${iterations.name} is not the iteration counter`);
  const second = weights[1];
  const storedLr = second !== undefined && second.shape.length === 0 && /^float/.test(second.dtype) && /(^\d+$|learning_rate(:0)?$)/.test(second.name) ? second : undefined;
  let slots = weights.slice(storedLr === undefined ? 1 : 2);
  const last = slots[slots.length - 1];
  // Keras 3 keeps Nadam's u_product among the optimizer variables (after the slots); tf_keras's .h5 does not store it.
  const scalarAttr = TF_KERAS_OPTIMIZER_SCALARS[cls.toLowerCase()]?.[0]?.attribute;
  const scalar = scalarAttr !== undefined && last !== undefined && last.shape.length === 0 && /^float/.test(last.dtype) && slots.length % kinds === 1 ? last : undefined;
  if (scalar !== undefined) slots = slots.slice(0, -1);
  const all = trainableVariables(desc, layerOrder);
  const shapes = new Map<string, readonly number[]>(desc.layers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.name}`, w.shape] as const)));
  const table = TF_KERAS_OPTIMIZER_SLOTS[cls.toLowerCase()]!;
  const firstGroup = table.filter((t) => t.group === table[0]!.group && kindList.includes(t.kind));
  const named = slots.length % kinds === 0 ? namedSlotVariables(slots, firstGroup.length, slots.length / kinds, firstGroup[0]!.kind, new Set(shapes.keys())) : undefined;
  const vars: Trainable[] = named === undefined ? all : named.map((path) => ({ path, shape: shapes.get(path)! }));
  if (slots.length !== 0 && slots.length !== vars.length * kinds) return fail(`${slots.length} slot variables for ${vars.length} trainable variables`);
  const order = slots.length === 0 ? [] : tfKerasVariableOrder(cls, kindList, vars.length)!;
  const slotStates = order.map(({ variable, kind }, i) => {
    const slot = slots[i]!;
    const v = vars[variable]!;
    if (slot.shape.join(',') !== v.shape.join(',')) fail(`slot ${slot.name} has shape [${slot.shape.join(', ')}] but ${v.path} has [${v.shape.join(', ')}]`);
    return { kind, full_name: `${kind}/${v.path}`, value: slot };
  });
  const lrValue = storedLr ?? (typeof config['learning_rate'] === 'number' ? { dtype: 'float32' as const, shape: [], data: Float32Array.of(config['learning_rate']) } : undefined);
  const tree = tfKerasOptimizerTree({
    className: cls,
    iterations,
    ...(lrValue === undefined ? {} : { learningRate: lrValue }),
    slots: slotStates,
    slotKinds: kindList,
    ...(scalar === undefined || scalarAttr === undefined ? {} : { scalars: { [scalarAttr]: scalar } }),
  });
  // A learning rate taken from the config is tracked but was not among the stored weights.
  const keys = storedLr === undefined ? tree.keys.filter((k) => k !== attrKey('optimizer/_learning_rate')) : tree.keys;
  return { spec: tree.spec, keys };
}
