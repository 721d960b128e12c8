/**
 * The Dense kernels beyond the 4×8 tile grid and the fused dropout: layers whose
 * units are not a multiple of 8 (a 10-class output) run on padded copies and give
 * the same values as the tfjs ops; the input gradient `dy·kernelᵀ` computed as
 * `(kernel·dyᵀ)ᵀ` equals XNNPACK's product; the dropout mask is the same stream of
 * draws as `next()`; skipping all-zero input columns is bit-exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dropoutOp, SeededRandom, tf, wasmDenseForward, wasmInputGrad, wasmKernelGrad } from '../src/index.js';
import { backendReady, maxAbsDiff } from './helpers.js';

const onWasm = async (): Promise<boolean> => {
  await backendReady;
  return tf.getBackend() === 'wasm';
};

test('wasmDenseForward with any number of units equals tf.fused.matMul (relu and linear), inputs unchanged', async () => {
  if (!(await onWasm())) return;
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 27 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
    (m4, k, n, relu, seed) => {
      const m = 4 * m4;
      const x = tf.randomUniform([m, k], -1, 1, 'float32', seed) as tf.Tensor2D;
      const w = tf.randomUniform([k, n], -1, 1, 'float32', seed + 1) as tf.Tensor2D;
      const b = tf.randomUniform([n], -1, 1, 'float32', seed + 2) as tf.Tensor1D;
      const ws = w.dataSync().slice();
      const y = wasmDenseForward(x, w, b, relu ? 'relu' : 'linear');
      assert.ok(y, `${m}x${k}x${n} is covered`);
      assert.deepEqual(y.shape, [m, n]);
      const ref = tf.fused.matMul({ a: x, b: w, bias: b, activation: relu ? 'relu' : 'linear' });
      assert.ok(maxAbsDiff(y.dataSync(), ref.dataSync()) <= 1e-6 * (k + 1), `${m}x${k}x${n}`);
      assert.deepEqual(w.dataSync(), ws, 'kernel unchanged');
      tf.dispose([x, w, b, y, ref]);
    },
  ), { numRuns: 40 });
});

test('wasmDenseForward on the tutorial output layer (512 → 10) matches XNNPACK within 1e-6 relative', async () => {
  if (!(await onWasm())) return;
  const x = tf.relu(tf.randomNormal([32, 512], 0, 1, 'float32', 7)) as tf.Tensor2D;
  const w = tf.randomUniform([512, 10], -0.1, 0.1, 'float32', 8) as tf.Tensor2D;
  const b = tf.randomUniform([10], -0.1, 0.1, 'float32', 9) as tf.Tensor1D;
  const y = wasmDenseForward(x, w, b, 'linear')!;
  const ref = tf.fused.matMul({ a: x, b: w, bias: b });
  const scale = Math.max(...Array.from(ref.dataSync(), Math.abs));
  assert.ok(maxAbsDiff(y.dataSync(), ref.dataSync()) <= 1e-6 * scale);
  tf.dispose([x, w, b, y, ref]);
});

test('wasmKernelGrad with any number of units equals tf.matMul(tf.transpose(x), dy)', async () => {
  if (!(await onWasm())) return;
  fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 27 }), fc.integer({ min: 0, max: 1e6 }), (b, k4, n, seed) => {
    const x = tf.randomUniform([b, 4 * k4], -1, 1, 'float32', seed) as tf.Tensor2D;
    const dy = tf.randomUniform([b, n], -1, 1, 'float32', seed + 1) as tf.Tensor2D;
    const ours = wasmKernelGrad(x, dy);
    assert.ok(ours);
    assert.deepEqual(ours.shape, [4 * k4, n]);
    const ref = tf.matMul(tf.transpose(x), dy);
    assert.ok(maxAbsDiff(ours.dataSync(), ref.dataSync()) <= 1e-6 * b, `${b}x${4 * k4}x${n}`);
    tf.dispose([x, dy, ours, ref]);
  }), { numRuns: 30 });
});

test('wasmInputGrad computes dy·kernelᵀ as tf.matMul(dy, tf.transpose(kernel)) does (both transposition strategies)', async () => {
  if (!(await onWasm())) return;
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1e6 }), (b4, k4, n, seed) => {
    const [b, k] = [4 * b4, 4 * k4];
    const dy = tf.randomUniform([b, n], -1, 1, 'float32', seed) as tf.Tensor2D;
    const w = tf.randomUniform([k, n], -1, 1, 'float32', seed + 1) as tf.Tensor2D;
    const ours = wasmInputGrad(dy, w);
    if (b % 8 !== 0 && k % 8 !== 0) {
      assert.equal(ours, undefined, `${b}x${n}x${k} is not covered`);
    } else {
      assert.ok(ours, `${b}x${n}x${k} is covered`);
      assert.deepEqual(ours.shape, [b, k]);
      const ref = tf.matMul(dy, tf.transpose(w));
      assert.ok(maxAbsDiff(ours.dataSync(), ref.dataSync()) <= 1e-6 * n, `${b}x${n}x${k}`);
      tf.dispose([ours, ref]);
    }
    tf.dispose([dy, w]);
  }), { numRuns: 40 });
  assert.equal(wasmInputGrad(tf.zeros([6, 10]) as tf.Tensor2D, tf.zeros([8, 10]) as tf.Tensor2D), undefined, 'batch not a multiple of 4');
  assert.equal(wasmInputGrad(tf.zeros([8, 10]) as tf.Tensor2D, tf.zeros([6, 10]) as tf.Tensor2D), undefined, 'inputs not a multiple of 4');
});

test('dropoutMask(n, rate, scale) is n draws of next() (same values, same state after)', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 3000 }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, n, rate) => {
    const a = new SeededRandom(seed);
    const b = new SeededRandom(seed);
    const mask = a.dropoutMask(n, rate, 1.25);
    for (let i = 0; i < n; i++) assert.equal(mask[i], b.next() >= rate ? 1.25 : 0);
    assert.equal(a.getState(), b.getState());
  }), { numRuns: 60 });
});

test('skip(n) leaves the state n draws of next() would', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 3000 }), (seed, n) => {
    const a = new SeededRandom(seed);
    const b = new SeededRandom(seed);
    a.skip(n);
    for (let i = 0; i < n; i++) b.next();
    assert.equal(a.getState(), b.getState());
  }), { numRuns: 40 });
});

test('dropoutOp gives x·mask and the gradient dy·mask with the mask of dropoutMask, and advances the stream by x.size draws', async () => {
  await backendReady;
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 300 }), fc.double({ min: 0, max: 0.95, noNaN: true }), (seed, size, rate) => {
    const x = tf.randomNormal([size], 0, 1, 'float32', seed % 1000);
    const dy = tf.randomNormal([size], 0, 1, 'float32', (seed % 1000) + 1);
    const mask = tf.tensor(new SeededRandom(seed).dropoutMask(size, rate, 1 / (1 - rate)));
    const rng = new SeededRandom(seed);
    const y = dropoutOp(x, rng, rate);
    const after = new SeededRandom(seed);
    after.skip(size);
    assert.equal(rng.getState(), after.getState());
    assert.deepEqual(y.dataSync(), tf.mul(x, mask).dataSync());
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(dropoutOp(t, new SeededRandom(seed), rate), dy)))(x);
    assert.deepEqual(g.dataSync(), tf.mul(dy, mask).dataSync());
    tf.dispose([x, dy, mask, y, g]);
  }), { numRuns: 40 });
});

/** `x [m, k] · w [k, n] + b` in float32 exactly as the kernels round: products and sums rounded in k order from +0, then bias, then the ReLU floor. */
function float32Dense(x: Float32Array, w: Float32Array, b: Float32Array, m: number, k: number, n: number, relu: boolean): Float32Array {
  const f = Math.fround;
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s = f(s + f(x[i * k + t]! * w[t * n + j]!));
      s = f(s + b[j]!);
      out[i * n + j] = relu && s < 0 ? 0 : s;
    }
  }
  return out;
}

/** A random `[m, k]` input whose columns are all ±0 with probability `blank` (as MNIST's border pixels). */
function sparseInput(m: number, k: number, blank: number, seed: number): Float32Array {
  const rng = new SeededRandom(seed);
  const zero = Array.from({ length: k }, () => rng.next() < blank);
  return Float32Array.from({ length: m * k }, (_, i) => (zero[i % k] ? (rng.next() < 0.5 ? -0 : 0) : rng.next() * 2 - 1));
}

test('the forward pass skips all-zero input columns bit-exactly (the same float32 sums), and not when the kernel is not finite', async () => {
  if (!(await onWasm())) return;
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 20 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
    (m4, k, n, relu, seed) => {
      const m = 4 * m4;
      const xs = sparseInput(m, k, 0.5, seed);
      const ws = tf.randomUniform([k, n], -1, 1, 'float32', seed + 1).dataSync() as Float32Array;
      const bs = tf.randomUniform([n], -1, 1, 'float32', seed + 2).dataSync() as Float32Array;
      const [x, w, b] = [tf.tensor2d(xs, [m, k]), tf.tensor2d(ws, [k, n]), tf.tensor1d(bs)];
      const y = wasmDenseForward(x, w, b, relu ? 'relu' : 'linear')!;
      assert.deepEqual(y.dataSync(), float32Dense(xs, ws, bs, m, k, n, relu), `${m}x${k}x${n}`);
      tf.dispose([x, w, b, y]);
    },
  ), { numRuns: 40 });
  // An infinite weight in a row whose input column is zero makes its output column NaN (0·∞), as in TF.
  const xs = sparseInput(8, 40, 0.5, 11);
  const blankColumn = Array.from({ length: 40 }, (_, c) => c).find((c) => xs[c] === 0 && xs[40 + c] === 0 && xs[80 + c] === 0)!;
  const ws = new Float32Array(40 * 16).fill(0.5);
  ws[blankColumn * 16 + 3] = Infinity;
  const y = wasmDenseForward(tf.tensor2d(xs, [8, 40]), tf.tensor2d(ws, [40, 16]), tf.zeros([16]) as tf.Tensor1D, 'linear')!;
  assert.deepEqual(y.dataSync(), float32Dense(xs, ws, new Float32Array(16), 8, 40, 16, false));
  assert.ok(Number.isNaN(y.dataSync()[3]));
});

test('the kernel gradient skips all-zero input columns bit-exactly, and not when dy is not finite', async () => {
  if (!(await onWasm())) return;
  fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 1e6 }), (b, k4, n, seed) => {
    const k = 4 * k4;
    const xs = sparseInput(b, k, 0.6, seed);
    const ds = tf.randomUniform([b, n], -1, 1, 'float32', seed + 1).dataSync() as Float32Array;
    if (seed % 5 === 0) ds[seed % ds.length] = seed % 2 ? NaN : -Infinity;
    const xT = Float32Array.from({ length: k * b }, (_, i) => xs[(i % b) * k + Math.floor(i / b)]!);
    const [x, dy] = [tf.tensor2d(xs, [b, k]), tf.tensor2d(ds, [b, n])];
    const g = wasmKernelGrad(x, dy)!;
    assert.deepEqual(g.dataSync(), float32Dense(xT, ds, new Float32Array(n), k, b, n, false), `${b}x${k}x${n}`);
    tf.dispose([x, dy, g]);
  }), { numRuns: 40 });
});
