/**
 * Fused layer ops with hand-written gradients, shaped for the WASM backend: Dense
 * runs on the runtime's own kernels (wasm-gemm.ts) where they apply, and the tfjs
 * fallbacks transpose explicitly (the fast XNNPACK matmul only runs when neither
 * operand is transposed); dropout draws and applies its mask in one pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hostMemory } from './host-memory.js';
import { SeededRandom } from './rng.js';
import { wasmDenseForward, wasmInputGrad, wasmKernelGrad, wasmReluBiasGrad } from './wasm-gemm.js';

/** Activations {@link denseOp} fuses into the matmul. */
export type FusedActivation = 'linear' | 'relu';

/**
 * `activation(x · kernel + bias)` for 2-D `x`, with a hand-written gradient.
 * When `inputNeedsGrad` is false the input gradient is not computed (zeros).
 */
export function denseOp(
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D | null,
  activation: FusedActivation,
  inputNeedsGrad: boolean,
): tf.Tensor2D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const a = args[0] as tf.Tensor2D;
    const k = args[1] as tf.Tensor2D;
    const b = bias ? (args[2] as tf.Tensor1D) : undefined;
    // On WASM, a kernel that reads the weights in place (XNNPACK would repack them, as they change every step).
    const y = (b ? wasmDenseForward(a, k, b, activation) : undefined) ?? tf.fused.matMul({ a, b: k, ...(b ? { bias: b } : {}), activation });
    // Saving clones (a full copy on WASM); a variable kernel keeps its value until the optimizer step, so it is not saved.
    const keepKernel = k instanceof tf.Variable;
    save(keepKernel ? [a, y] : [a, k, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sa, sk, sy] = (keepKernel ? [saved[0], k, saved[1]] : saved) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        let dz = dy as tf.Tensor2D;
        let db: tf.Tensor | undefined;
        if (activation === 'relu') {
          const fused = b ? wasmReluBiasGrad(dz, sy) : undefined;
          if (fused) ({ dz, db } = fused);
          else dz = tf.mul(dz, tf.step(sy)) as tf.Tensor2D;
        }
        const dk = wasmKernelGrad(sa, dz) ?? tf.matMul(tf.transpose(sa), dz);
        const dx = inputNeedsGrad ? wasmInputGrad(dz, sk) ?? tf.matMul(dz, tf.transpose(sk)) : tf.zerosLike(sa);
        return b ? [dx, dk, db ?? tf.sum(dz, 0)] : [dx, dk];
      },
    };
  });
  return (bias ? f(x, kernel, bias) : f(x, kernel)) as tf.Tensor2D;
}

/**
 * Dropout's training pass: `x · mask` with the mask drawn from `rng` (`1/(1-rate)`
 * where the element's draw is ≥ rate, else 0; x.size draws in element order), with
 * gradient `dy · mask`. On the WASM backend one SIMD pass draws the mask and
 * multiplies, forward and backward alike (the backward pass draws it again from the
 * saved state), so no mask tensor is stored or uploaded.
 */
export function dropoutOp(x: tf.Tensor, rng: SeededRandom, rate: number): tf.Tensor {
  const scale = 1 / (1 - rate);
  const n = x.size;
  const state = rng.getState();
  const threshold = Math.ceil(rate * 4294967296);
  const host = x.dtype === 'float32' && n % 4 === 0 && threshold <= 0xffffffff ? hostMemory() : undefined;
  if (!host) {
    const mask = rng.dropoutMask(n, rate, scale);
    const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const m = tf.tensor(mask, x.shape);
      (args[1] as tf.GradSaveFunc)([m]);
      return { value: tf.mul(args[0] as tf.Tensor, m), gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.mul(dy as tf.Tensor, saved[0]!) };
    });
    return f(x);
  }
  rng.skip(n);
  const apply = (t: tf.Tensor): tf.Tensor => {
    const r = host.run(t.shape, 1, [t]);
    if (r.simd) {
      r.simd.kernels.dropout(r.simd.inOffsets[0]!, r.simd.outOffsets[0]!, 4 * n, state | 0, threshold | 0, scale);
    } else {
      const mask = new SeededRandom(state).dropoutMask(n, rate, scale);
      const [o, v] = [r.out[0]!, r.in[0]!];
      for (let i = 0; i < n; i++) o[i] = v[i]! * mask[i]!;
    }
    return r.outputs[0]!;
  };
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    (args[1] as tf.GradSaveFunc)([]);
    return { value: apply(args[0] as tf.Tensor), gradFunc: (dy: tf.Tensor | tf.Tensor[]) => apply(dy as tf.Tensor) };
  });
  return f(x);
}

/** Padding as Keras names it. */
export type Padding = 'valid' | 'same';

/**
 * NHWC 2-D convolution with a hand-written filter gradient (the WASM backend has
 * no Conv2DBackpropFilter kernel, so it is computed as a depth-1 3-D
 * convolution's filter gradient).
 */
export function conv2dOp(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: [number, number],
  padding: Padding,
  inputNeedsGrad: boolean,
): tf.Tensor4D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[2] as tf.GradSaveFunc;
    const a = args[0] as tf.Tensor4D;
    const k = args[1] as tf.Tensor4D;
    const y = tf.conv2d(a, k, strides, padding);
    save([a, k]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sa, sk] = saved as [tf.Tensor4D, tf.Tensor4D];
        const d = dy as tf.Tensor4D;
        const [n, h, w, c] = sa.shape;
        const [, oh, ow, fo] = d.shape;
        const [kh, kw] = sk.shape;
        const dk5 = tf.engine().runKernel('Conv3DBackpropFilterV2', {
          x: tf.reshape(sa, [n, 1, h, w, c]),
          dy: tf.reshape(d, [n, 1, oh, ow, fo]),
        }, { strides: [1, strides[0], strides[1]], pad: padding, filterShape: [1, kh, kw, c, fo] }) as tf.Tensor;
        const dk = tf.reshape(dk5, sk.shape);
        const dx = inputNeedsGrad ? tf.conv2dTranspose(d, sk, sa.shape, strides, padding) : tf.zerosLike(sa);
        return [dx, dk];
      },
    };
  });
  return f(x, filter) as tf.Tensor4D;
}
