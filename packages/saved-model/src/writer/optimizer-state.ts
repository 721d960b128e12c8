/**
 * The optimizer section of an exported model: checks an {@link OptimizerSpec}
 * against the model's trainable variables and lays it out with the shared
 * tf_keras optimizer layout of `@tfsave/tensor-bundle` ({@link tfKerasOptimizerTree}),
 * the same one `save_weights`-style checkpoints use. In the SavedModel the
 * subtree hangs off the root as `optimizer`, a `experimentalOptimizer` user
 * object that tf_keras revives as its `RestoredOptimizer`.
 */
import { errorsFor } from '@tfsave/core';
import type { tensorflow } from '@tfsave/protos';
import { TF_KERAS_OPTIMIZER_SLOTS, tfKerasOptimizerTree, tfKerasVariableOrder, type TfKerasOptimizerTree } from '@tfsave/tensor-bundle';
import { DT_FLOAT } from './graph-builder.js';
import type { LayerSpec, OptimizerSpec } from './model-spec.js';
import { isTrainable, type CapturedVariable } from './object-graph.js';

const fail = errorsFor('saved-model');
const DT_INT64 = 9;

/** A variable the saver functions save and restore: its graph name, shape, DataType and function argument name. */
export interface SavedVariable {
  readonly fullName: string;
  readonly shape: readonly number[];
  /** DataType code; default float32. */
  readonly dtype?: number;
  readonly argName: string;
}

/** The optimizer subtree and its variables (iteration, learning rate, slots), in tree order. */
export interface OptimizerParts {
  readonly tree: TfKerasOptimizerTree;
  readonly variables: readonly SavedVariable[];
}

/** The SavedObject of an optimizer node (tf_keras 2.21 writes these identifiers and versions). */
export function optimizerSavedObject(tree: TfKerasOptimizerTree, spec: TfKerasOptimizerTree['variables'][number], variable: SavedVariable | undefined): tensorflow.ISavedObject {
  const kind = tree.kinds.get(spec);
  if (kind === 'variable' && variable !== undefined) {
    return { variable: { dtype: variable.dtype ?? DT_FLOAT, shape: { dim: variable.shape.map((size) => ({ size })) }, trainable: false, name: variable.fullName } };
  }
  const identifier = kind === 'optimizer' ? 'experimentalOptimizer' : kind === 'dict' ? 'trackable_dict_wrapper' : 'trackable_list_wrapper';
  return { user_object: { identifier, version: kind === 'optimizer' ? { producer: 2, min_consumer: 1 } : { producer: 1, min_consumer: 1 } } };
}

const layerName = (l: LayerSpec): string => (typeof l.config['name'] === 'string' ? l.config['name'] : l.class_name.toLowerCase());

/** Trainable variables in Keras order: layers in model order (frozen ones skipped), weights in layer order. */
function trainableVariables(layers: readonly LayerSpec[], captured: readonly CapturedVariable[]): CapturedVariable[] {
  return layers
    .filter((l) => l.class_name !== 'InputLayer' && l.config['trainable'] !== false)
    .flatMap((l) => captured.filter((v) => v.layer === layerName(l) && isTrainable(v.role)));
}

/** `[kind, variable path]` of a slot name (`Adam/m/dense/kernel`, `m/dense/kernel:0`). */
function parseSlotName(name: string, kinds: ReadonlySet<string>, paths: ReadonlySet<string>): [string, string] | undefined {
  const parts = name.replace(/:\d+$/, '').split('/');
  for (const at of [0, 1]) {
    const path = parts.slice(at + 1).join('/');
    if (kinds.has(parts[at] ?? '') && paths.has(path)) return [parts[at]!, path];
  }
  return undefined;
}

/**
 * Lays out `opt` for a model of `layers` whose captured variables are `captured`.
 * @throws FormatError (`unsupported`) when the class has no tf_keras layout, or a slot does not name a
 *   trainable variable, has another shape, or is out of tf_keras's order.
 */
export function optimizerParts(opt: OptimizerSpec, layers: readonly LayerSpec[], captured: readonly CapturedVariable[]): OptimizerParts {
  const cls = opt.class_name.replace(/^Custom>/, '').replace(/^.*\./, '');
  const table = TF_KERAS_OPTIMIZER_SLOTS[cls.toLowerCase()];
  const bad = (why: string) => fail.unsupported(`optimizer ${cls}: ${why}`, 'optimizer');
  if (table === undefined) throw bad(`no tf_keras checkpoint layout (supported: ${Object.keys(TF_KERAS_OPTIMIZER_SLOTS).join(', ')})`);
  if (opt.config?.['is_legacy_optimizer'] === true) throw bad('legacy optimizers keep another layout');
  const trainable = trainableVariables(layers, captured);
  const byPath = new Map(trainable.map((v) => [v.fullName, v]));
  const kindNames = new Set(table.map((t) => t.kind));
  const slots = (opt.slots ?? []).map((s, i) => {
    const parsed = parseSlotName(s.name, kindNames, new Set(byPath.keys()));
    if (parsed === undefined) throw bad(`slot ${i + 1} '${s.name}' does not name a slot (${[...kindNames].join(', ')}) of a trainable variable`);
    const v = byPath.get(parsed[1])!;
    if (s.shape.join(',') !== v.shape.join(',') || s.data.length !== s.shape.reduce((a, b) => a * b, 1)) {
      throw bad(`slot ${s.name} has shape [${s.shape.join(', ')}] and ${s.data.length} values; ${v.fullName} is [${v.shape.join(', ')}]`);
    }
    return { kind: parsed[0], path: parsed[1], spec: s };
  });
  if (slots.length > 0) {
    const kinds = table.map((t) => t.kind).filter((k) => slots.some((s) => s.kind === k));
    const order = tfKerasVariableOrder(cls, kinds, trainable.length)!;
    if (order.length !== slots.length) throw bad(`${slots.length} slots for ${trainable.length} trainable variables with slot kinds ${kinds.join(', ')} (tf_keras has ${order.length})`);
    order.forEach((o, i) => {
      const want = `${o.kind}/${trainable[o.variable]!.fullName}`;
      if (`${slots[i]!.kind}/${slots[i]!.path}` !== want) throw bad(`slot ${i + 1} is '${slots[i]!.spec.name}', tf_keras's order has ${want} there`);
    });
  }
  const lrValue = opt.learningRate ?? (typeof opt.config?.['learning_rate'] === 'number' ? opt.config['learning_rate'] : undefined);
  const tree = tfKerasOptimizerTree({
    className: cls,
    iterations: { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(opt.iterations)) },
    ...(lrValue === undefined ? {} : { learningRate: { dtype: 'float32', shape: [], data: Float32Array.of(lrValue) } }),
    slots: slots.map((s) => ({ kind: s.kind, full_name: s.spec.name.replace(/:\d+$/, ''), value: { dtype: 'float32', shape: s.spec.shape, data: s.spec.data } })),
  });
  const variables: SavedVariable[] = [
    { fullName: 'iteration', shape: [], dtype: DT_INT64, argName: 'iteration_resource' },
    ...(lrValue === undefined ? [] : [{ fullName: 'learning_rate', shape: [], argName: 'learning_rate_resource' }]),
    ...slots.map((s, i) => ({ fullName: s.spec.name.replace(/:\d+$/, ''), shape: s.spec.shape, argName: `optimizer_slot_${i}_resource` })),
  ];
  return { tree, variables };
}
