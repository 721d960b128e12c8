/**
 * Optimizer state laid out as tf_keras (≥ 2.11, non-legacy optimizers) tracks it in an
 * object checkpoint: `optimizer/_variables/N` (iteration, then the slots of each trainable
 * variable in turn), `optimizer/_iterations`, `optimizer/_learning_rate`, an empty
 * `_index_dict` and one list per slot kind (`_momentums`, `_velocities`, …). Facts from
 * tf_keras src/optimizers/{optimizer,adam,sgd,adagrad}.py, confirmed against checkpoints
 * tf_keras 2.21 wrote.
 */
import type { TensorInput, TrackableSpec } from '@tfsave/tensor-bundle';
import { isJsonObject, isKerasObject, layerName, modelLayers, type KerasModelDesc, type TensorRecord } from '@tfsave/keras-h5';
import { CliFailure } from '../cli-error.js';

/** Checkpoint key of a variable at an object path. */
export const attrKey = (path: string): string => `${path}/.ATTRIBUTES/VARIABLE_VALUE`;

/** Slot lists per optimizer: tracked attribute and variable-name prefix, in per-variable creation order. */
const SLOT_LISTS: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  adam: [['_momentums', 'm'], ['_velocities', 'v']],
  adamw: [['_momentums', 'm'], ['_velocities', 'v']],
  sgd: [['momentums', 'm']],
  adagrad: [['_accumulators', 'accumulator']],
};

/** Optimizers whose state {@link planOptimizer} lays out. */
export const SUPPORTED_OPTIMIZERS = ['Adam', 'AdamW', 'SGD', 'Adagrad'] as const;

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

/** Variable paths named by tf_keras slot names (`Adam/m/dense/kernel`, `m/dense/kernel`), when they all resolve. */
function namedSlotVariables(slots: readonly TensorRecord[], kinds: number, prefix: string, all: ReadonlySet<string>): string[] | undefined {
  const out: string[] = [];
  for (let i = 0; i < slots.length; i += kinds) {
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
  const base = SLOT_LISTS[cls.toLowerCase()];
  const fail = (why: string): never => {
    throw new CliFailure(`${cls === '?' ? 'optimizer state' : `optimizer ${cls}`}: ${why}; it has no tf_keras checkpoint layout (supported: ${SUPPORTED_OPTIMIZERS.join(', ')})`);
  };
  if (cls === '?') return fail('no optimizer config says which optimizer wrote the state');
  if (base === undefined || config['is_legacy_optimizer'] === true) return fail(config['is_legacy_optimizer'] === true ? 'legacy optimizer' : 'unsupported class');
  const kinds: ReadonlyArray<readonly [string, string]> = cls.toLowerCase().startsWith('adam') && config['amsgrad'] === true ? [...base, ['_velocity_hats', 'vhat']] : base;
  const iterations = weights[0]!;
  if (iterations.shape.length !== 0 || !/^u?int/.test(iterations.dtype)) return fail(`first variable ${iterations.name} is not the iteration counter`);
  const second = weights[1];
  const storedLr = second !== undefined && second.shape.length === 0 && /^float/.test(second.dtype) && /(^\d+$|learning_rate(:0)?$)/.test(second.name) ? second : undefined;
  const slots = weights.slice(storedLr === undefined ? 1 : 2);
  const all = trainableVariables(desc, layerOrder);
  const shapes = new Map<string, readonly number[]>(desc.layers.flatMap((l) => l.weights.map((w) => [`${l.name}/${w.name}`, w.shape] as const)));
  const named = namedSlotVariables(slots, kinds.length, kinds[0]![1], new Set(shapes.keys()));
  const vars: Trainable[] = named === undefined ? all : named.map((path) => ({ path, shape: shapes.get(path)! }));
  if (slots.length !== 0 && slots.length !== vars.length * kinds.length) return fail(`${slots.length} slot variables for ${vars.length} trainable variables`);
  const variable = (full_name: string, value: TensorInput): TrackableSpec => ({ attributes: [{ full_name, value }] });
  const lrValue = storedLr ?? (typeof config['learning_rate'] === 'number' ? { dtype: 'float32' as const, shape: [], data: Float32Array.of(config['learning_rate']) } : undefined);
  const itNode = variable('iteration', iterations);
  const lists = kinds.map(() => [] as TrackableSpec[]);
  const list: Array<readonly [string, TrackableSpec]> = [['0', itNode]];
  const keys: string[] = [attrKey('optimizer/_iterations')];
  if (storedLr !== undefined) keys.push(attrKey('optimizer/_learning_rate'));
  if (slots.length > 0) vars.forEach((v, i) => {
    kinds.forEach(([, prefix], k) => {
      const slot = slots[i * kinds.length + k]!;
      if (slot.shape.join(',') !== v.shape.join(',')) fail(`slot ${slot.name} has shape [${slot.shape.join(', ')}] but ${v.path} has [${v.shape.join(', ')}]`);
      const node = variable(`${prefix}/${v.path}`, slot);
      lists[k]!.push(node);
      keys.push(attrKey(`optimizer/_variables/${list.length}`));
      list.push([String(list.length), node]);
    });
  });
  const children: Array<readonly [string, TrackableSpec]> = [['_variables', { children: list }], ['_iterations', itNode]];
  if (lrValue !== undefined) children.push(['_learning_rate', variable('learning_rate', lrValue)]);
  children.push(['_index_dict', {}]);
  kinds.forEach(([attr], k) => children.push([attr, { children: lists[k]!.map((n, i) => [String(i), n] as const) }]));
  return { spec: { children }, keys };
}
