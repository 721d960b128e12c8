/**
 * The shared tf_keras optimizer layout: which slot kinds a config creates, in which order, which lists are
 * tracked (also empty ones), and Nadam's `_u_product`. Byte equality with tf_keras's own checkpoints for every
 * optimizer is checked by the CLI's conversion tests (packages/cli/test/cli-optimizers.test.ts) and the runtime's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TF_KERAS_OPTIMIZER_SCALARS, TF_KERAS_OPTIMIZER_SLOTS, buildObjectGraph, tfKerasOptimizerTree, tfKerasSlotKinds, tfKerasVariableOrder,
  type TensorInput, type TfKerasOptimizerState,
} from '../src/index.js';

const scalar = (v: number): TensorInput => ({ dtype: 'float32', shape: [], data: Float32Array.of(v) });
const iterations: TensorInput = { dtype: 'int64', shape: [], data: BigInt64Array.of(2n) };

/** The optimizer's children (attribute names) and its checkpoint keys. */
function layout(state: TfKerasOptimizerState): { children: string[]; keys: readonly string[]; names: string[] } {
  const tree = tfKerasOptimizerTree(state);
  const built = buildObjectGraph({ children: [['optimizer', tree.spec]] });
  assert.deepEqual(built.tensors.map((t) => t.key).sort(), [...tree.keys].sort(), 'every saved tensor has its key in keys');
  return { children: (tree.spec.children ?? []).map(([n]) => n), keys: tree.keys, names: tree.variables.map((v) => v.attributes![0]!.full_name) };
}

function slotsOf(cls: string, kinds: readonly string[], count: number): TfKerasOptimizerState['slots'] {
  return tfKerasVariableOrder(cls, kinds, count)!.map((o, i) => ({ kind: o.kind, full_name: `${o.kind}/v${o.variable}`, value: scalar(i) }));
}

test('the slot kinds a config creates: amsgrad adds vhat, RMSprop momentum > 0 and centered add theirs, the rest always', () => {
  assert.deepEqual(tfKerasSlotKinds('Adam', {}), ['m', 'v']);
  assert.deepEqual(tfKerasSlotKinds('AdamW', { amsgrad: true }), ['m', 'v', 'vhat']);
  assert.deepEqual(tfKerasSlotKinds('Nadam', { amsgrad: true }), ['m', 'v']);
  assert.deepEqual(tfKerasSlotKinds('Lion', {}), ['m']);
  assert.deepEqual(tfKerasSlotKinds('SGD', { momentum: 0 }), ['m']);
  assert.deepEqual(tfKerasSlotKinds('RMSprop', { momentum: 0 }), ['velocity']);
  assert.deepEqual(tfKerasSlotKinds('RMSprop', { momentum: 0.9, centered: true }), ['velocity', 'momentum', 'average_gradient']);
  assert.deepEqual(tfKerasSlotKinds('RMSprop', { centered: true }), ['velocity', 'average_gradient']);
  assert.equal(tfKerasSlotKinds('Adafactor', {}), undefined);
  assert.deepEqual(Object.keys(TF_KERAS_OPTIMIZER_SLOTS).sort(), ['adadelta', 'adagrad', 'adam', 'adamax', 'adamw', 'ftrl', 'lion', 'nadam', 'rmsprop', 'sgd']);
});

test('slots are created group by group, variable by variable within a group', () => {
  const order = (cls: string, kinds: string[]) => tfKerasVariableOrder(cls, kinds, 2)!.map((o) => `${o.kind}${o.variable}`).join(' ');
  assert.equal(order('Nadam', ['m', 'v']), 'm0 v0 m1 v1');
  assert.equal(order('Adam', ['m', 'v', 'vhat']), 'm0 v0 m1 v1 vhat0 vhat1');
  assert.equal(order('RMSprop', ['velocity', 'momentum', 'average_gradient']), 'velocity0 velocity1 momentum0 momentum1 average_gradient0 average_gradient1');
  assert.equal(order('Lion', ['m']), 'm0 m1');
});

test("Nadam tracks _u_product (named Variable) after its lists and outside _variables, only when given", () => {
  const slots = slotsOf('Nadam', ['m', 'v'], 2);
  const base = { className: 'Nadam', iterations, learningRate: scalar(0.001), slots };
  const withU = layout({ ...base, scalars: { _u_product: scalar(0.9) } });
  assert.deepEqual(withU.children, ['_variables', '_iterations', '_learning_rate', '_index_dict', '_momentums', '_velocities', '_u_product']);
  assert.equal(withU.keys.at(-1), 'optimizer/_u_product/.ATTRIBUTES/VARIABLE_VALUE');
  assert.equal(withU.keys.length, 2 + slots.length + 1);
  assert.equal(withU.names.at(-1), 'Variable');
  assert.deepEqual(TF_KERAS_OPTIMIZER_SCALARS['nadam'], [{ attribute: '_u_product', full_name: 'Variable' }]);
  const without = layout(base);
  assert.deepEqual(without.children, withU.children.slice(0, -1));
  assert.throws(() => tfKerasOptimizerTree({ ...base, className: 'Adam', scalars: { _u_product: scalar(1) } }), /optimizer Adam has no scalar '_u_product'/);
});

test('lists: RMSprop tracks all three (empty ones too), Adam tracks _velocity_hats only with amsgrad; none before build unless slotKinds says built', () => {
  const rms = layout({ className: 'RMSprop', iterations, slots: slotsOf('RMSprop', ['velocity'], 2) });
  assert.deepEqual(rms.children, ['_variables', '_iterations', '_index_dict', '_velocities', '_momentums', '_average_gradients']);
  const adam = layout({ className: 'Adam', iterations, slots: slotsOf('Adam', ['m', 'v'], 1) });
  assert.deepEqual(adam.children.slice(3), ['_momentums', '_velocities']);
  const ams = layout({ className: 'Adam', iterations, slots: slotsOf('Adam', ['m', 'v', 'vhat'], 1) });
  assert.deepEqual(ams.children.slice(3), ['_momentums', '_velocities', '_velocity_hats']);
  assert.deepEqual(layout({ className: 'Adam', iterations, slots: [] }).children, ['_variables', '_iterations', '_index_dict']);
  assert.deepEqual(layout({ className: 'Adam', iterations, slots: [], slotKinds: ['m', 'v', 'vhat'] }).children.slice(3), ['_momentums', '_velocities', '_velocity_hats']);
  assert.deepEqual(layout({ className: 'Lion', iterations, slots: [], slotKinds: ['m'] }).children.slice(3), ['momentums']);
});
