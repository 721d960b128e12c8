/**
 * The hand-assembled Dense forward kernel (`wasmDenseForward`): it computes
 * `act(x · kernel + bias)` as a float64 reference does (float32 rounding only),
 * matches XNNPACK's fused matmul, reads its inputs without modifying them, and
 * declines the shapes it does not tile so callers fall back to tfjs (columns that are not a
 * multiple of 8 are covered: see wasm-dense-edges.test.ts); the kernel-gradient
 * form (`wasmKernelGrad`, x read transposed in place) equals XNNPACK on an explicit transpose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { gemmBinary, tf, wasmDenseForward, wasmKernelGrad, wasmReluBiasGrad } from '../src/index.js';
import { backendReady, maxAbsDiff } from './helpers.js';

function reference(x: Float32Array, k: Float32Array, b: Float32Array, m: number, kk: number, n: number, relu: boolean): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < kk; t++) s += x[i * kk + t]! * k[t * n + j]!;
      s += b[j]!;
      out[i * n + j] = relu ? Math.max(0, s) : s;
    }
  }
  return out;
}

test('the kernel module validates as WebAssembly (SIMD)', () => {
  assert.ok(WebAssembly.validate(gemmBinary()));
});

test('wasmDenseForward equals a float64 reference up to float32 rounding (random shapes, relu and linear)', async () => {
  await backendReady;
  if (tf.getBackend() !== 'wasm') return;
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
    (m4, kk, n8, relu, seed) => {
      const m = 4 * m4;
      const n = 8 * n8;
      const x = tf.randomUniform([m, kk], -1, 1, 'float32', seed) as tf.Tensor2D;
      const k = tf.randomUniform([kk, n], -1, 1, 'float32', seed + 1) as tf.Tensor2D;
      const b = tf.randomUniform([n], -1, 1, 'float32', seed + 2) as tf.Tensor1D;
      const xs = x.dataSync().slice() as Float32Array;
      const ks = k.dataSync().slice() as Float32Array;
      const y = wasmDenseForward(x, k, b, relu ? 'relu' : 'linear');
      assert.ok(y, 'supported shape');
      assert.deepEqual(y.shape, [m, n]);
      const ref = reference(xs, ks, b.dataSync() as Float32Array, m, kk, n, relu);
      const d = maxAbsDiff(y.dataSync(), ref);
      assert.ok(d <= 1e-5 * (kk + 1), `max |ours - float64| = ${d} for ${m}x${kk}x${n}`);
      if (relu) assert.ok((y.dataSync() as Float32Array).every((v) => v >= 0));
      assert.deepEqual(x.dataSync(), xs, 'x unchanged');
      assert.deepEqual(k.dataSync(), ks, 'kernel unchanged');
      tf.dispose([x, k, b, y]);
    },
  ), { numRuns: 40 });
});

test('wasmDenseForward matches XNNPACK (tf.fused.matMul) on the tutorial layer within 1e-5 relative', async () => {
  await backendReady;
  if (tf.getBackend() !== 'wasm') return;
  for (const m of [32, 8, 1000]) {
    const x = tf.randomNormal([m, 784], 0, 1, 'float32', 1) as tf.Tensor2D;
    const k = tf.randomNormal([784, 512], 0, 0.05, 'float32', 2) as tf.Tensor2D;
    const b = tf.randomNormal([512], 0, 0.1, 'float32', 3) as tf.Tensor1D;
    const ours = wasmDenseForward(x, k, b, 'relu')!.dataSync();
    const xnn = tf.fused.matMul({ a: x, b: k, bias: b, activation: 'relu' }).dataSync();
    let worst = 0;
    for (let i = 0; i < xnn.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - xnn[i]!) / Math.max(1, Math.abs(xnn[i]!)));
    assert.ok(worst < 1e-5, `batch ${m}: worst relative difference ${worst}`);
  }
});

test('wasmDenseForward declines shapes it does not tile (rows not a multiple of 4) and non-float inputs', async () => {
  await backendReady;
  const k = tf.zeros([3, 8]) as tf.Tensor2D;
  const b = tf.zeros([8]) as tf.Tensor1D;
  assert.equal(wasmDenseForward(tf.zeros([5, 3]) as tf.Tensor2D, k, b, 'relu'), undefined);
  assert.equal(wasmDenseForward(tf.zeros([4, 3], 'int32') as tf.Tensor2D, k, b, 'linear'), undefined);
});

test('wasmKernelGrad computes xᵀ·dy (a Dense kernel gradient) as XNNPACK does on an explicit transpose (same k-order sums)', async () => {
  await backendReady;
  if (tf.getBackend() !== 'wasm') return;
  fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1e6 }), (b, k4, n8, seed) => {
    const x = tf.randomUniform([b, 4 * k4], -1, 1, 'float32', seed) as tf.Tensor2D;
    const dy = tf.randomUniform([b, 8 * n8], -1, 1, 'float32', seed + 1) as tf.Tensor2D;
    const ours = wasmKernelGrad(x, dy);
    assert.ok(ours);
    assert.deepEqual(ours.shape, [4 * k4, 8 * n8]);
    const ref = tf.matMul(tf.transpose(x), dy);
    assert.ok(maxAbsDiff(ours.dataSync(), ref.dataSync()) <= 1e-6 * b, `${b}x${4 * k4}x${8 * n8}`);
    tf.dispose([x, dy, ours, ref]);
  }), { numRuns: 30 });
  assert.equal(wasmKernelGrad(tf.zeros([2, 6]) as tf.Tensor2D, tf.zeros([2, 8]) as tf.Tensor2D), undefined, 'k not a multiple of 4');
});

test('wasmReluBiasGrad gives the ReLU gradient dy·[y > 0] and its column sums exactly as the tfjs ops do', async () => {
  await backendReady;
  if (tf.getBackend() !== 'wasm') return;
  fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1e6 }), (m, n4, seed) => {
    const dy = tf.randomNormal([m, 4 * n4], 0, 1, 'float32', seed) as tf.Tensor2D;
    const y = tf.relu(tf.randomNormal([m, 4 * n4], 0, 1, 'float32', seed + 1)) as tf.Tensor2D;
    const r = wasmReluBiasGrad(dy, y);
    assert.ok(r);
    const dz = tf.mul(dy, tf.step(y));
    assert.equal(maxAbsDiff(r.dz.dataSync(), dz.dataSync()), 0); // (tfjs gives -0 where dy < 0 is masked, we give +0)
    assert.ok(maxAbsDiff(r.db.dataSync(), tf.sum(dz, 0).dataSync()) <= 1e-6 * m);
    tf.dispose([dy, y, dz, r.dz, r.db]);
  }), { numRuns: 30 });
  assert.equal(wasmReluBiasGrad(tf.zeros([2, 6]) as tf.Tensor2D, tf.zeros([2, 6]) as tf.Tensor2D), undefined, 'n not a multiple of 4');
});
