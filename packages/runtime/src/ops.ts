/**
 * Fused layer ops with hand-written gradients, shaped for the WASM backend: its
 * fast (XNNPACK) matmul only runs when neither operand is transposed, so every
 * gradient matmul transposes explicitly first.
 */
import * as tf from '@tensorflow/tfjs-core';
import { wasmDenseForward, wasmKernelGrad, wasmReluBiasGrad } from './wasm-gemm.js';

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
        const dx = inputNeedsGrad ? tf.matMul(dz, tf.transpose(sk)) : tf.zerosLike(sa);
        return b ? [dx, dk, db ?? tf.sum(dz, 0)] : [dx, dk];
      },
    };
  });
  return (bias ? f(x, kernel, bias) : f(x, kernel)) as tf.Tensor2D;
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
