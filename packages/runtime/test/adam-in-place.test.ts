/**
 * Adam updates its own `m` and `v` in place on the WASM backend when nothing else
 * shares their storage: the results are those of fresh buffers, and tensors that
 * do share the storage (state handed to `restore`) are never modified.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, tf } from '../src/index.js';
import { backendReady } from './helpers.js';

function steps(opt: Adam, w: tf.Variable, grads: tf.Tensor[]): void {
  for (const g of grads) opt.applyGradients([{ path: 'dense/kernel', variable: w }], [g]);
}

test('Adam gives the same weights and state whether or not m and v can be updated in place', async () => {
  await backendReady;
  const init = tf.randomNormal([13, 7], 0, 1, 'float32', 1);
  const grads = [2, 3, 4, 5].map((s) => tf.randomNormal([13, 7], 0, 1, 'float32', s));
  // a: m and v exclusively owned after the first step (in place on WASM)
  const wa = tf.variable(init.clone());
  const a = new Adam();
  steps(a, wa, grads.slice(0, 2));
  const storage = a.variables()[0]!.variable.dataId;
  steps(a, wa, grads.slice(2));
  if (tf.getBackend() === 'wasm') assert.equal(a.variables()[0]!.variable.dataId, storage, 'm updated in place');
  // b: m and v restored from tensors that stay alive, so their storage is always shared
  const wb = tf.variable(init.clone());
  const b = new Adam();
  const shared = [tf.zeros([13, 7]), tf.zeros([13, 7])];
  b.restore([{ path: 'dense/kernel', variable: wb }], 0, shared);
  steps(b, wb, grads);
  assert.ok(shared.every((t) => t.dataSync().every((x) => x === 0)), 'shared state untouched');
  assert.deepEqual(wa.dataSync(), wb.dataSync());
  a.variables().forEach((s, i) => assert.deepEqual(s.variable.dataSync(), b.variables()[i]!.variable.dataSync(), s.name));
});

test('state handed to Adam.restore is never modified by later steps', async () => {
  await backendReady;
  const w = tf.variable(tf.randomNormal([8, 8], 0, 1, 'float32', 7));
  const opt = new Adam();
  const m0 = tf.randomNormal([8, 8], 0, 0.1, 'float32', 8);
  const v0 = tf.randomUniform([8, 8], 0, 0.1, 'float32', 9);
  const [mCopy, vCopy] = [m0.dataSync().slice(), v0.dataSync().slice()];
  opt.restore([{ path: 'dense/kernel', variable: w }], 3, [m0, v0]);
  steps(opt, w, [1, 2, 3].map((s) => tf.randomNormal([8, 8], 0, 1, 'float32', 10 + s)));
  assert.deepEqual(m0.dataSync(), mCopy);
  assert.deepEqual(v0.dataSync(), vCopy);
  assert.notDeepEqual(opt.variables()[0]!.variable.dataSync(), mCopy, 'the optimizer state itself moved on');
});
