/**
 * Direct access to tensor storage on the backends whose memory lives in this
 * JS heap (tfjs WASM: the module's linear memory; CPU: typed arrays), so
 * element-wise updates such as an optimizer step run as one fused loop instead
 * of a dozen tfjs kernels. Outputs are always fresh tensors: existing tensors are
 * only read, never mutated (the WASM backend caches packed matmul weights by
 * tensor identity).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedKernels } from './wasm-kernels.js';
import type { FusedKernels } from './wasm-kernels.js';

/** Fresh float32 outputs with live views, and read views of inputs. */
export interface HostMemory {
  /** Allocates `count` float32 tensors of `shape`, then returns them with views of them and of `inputs`. */
  run(shape: readonly number[], count: number, inputs: readonly tf.Tensor[]): HostRun;
  /**
   * Whether `t`'s storage is referenced by `t` alone (no other tensor shares it), so an
   * owner that never hands it out (optimizer state) may update it in place. Always false
   * on the CPU backend.
   */
  exclusive(t: tf.Tensor): boolean;
}

/** Buffers of one {@link HostMemory.run}: fresh outputs, their views, input views, and (WASM) byte offsets + SIMD kernels. */
export interface HostRun {
  readonly outputs: tf.Tensor[];
  readonly out: Float32Array[];
  readonly in: Float32Array[];
  /** Byte offsets of outputs then inputs in the backend memory, with the fused kernels bound to it. */
  readonly simd?: { readonly kernels: FusedKernels; readonly outOffsets: number[]; readonly inOffsets: number[] };
}

interface WasmLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  dataIdMap: { get(id: object): { memoryOffset: number; refCount?: number } | undefined };
  wasm: { asm?: Record<string, unknown> };
}
interface CpuLike {
  data: { get(id: object): { values?: Float32Array } | undefined };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

/** Host memory access for the active backend, or undefined (then use tfjs ops). */
export function hostMemory(): HostMemory | undefined {
  const name = tf.getBackend();
  const backend = tf.backend() as unknown;
  const engine = tf.engine();
  if (name === 'wasm') {
    const b = backend as WasmLike;
    if (typeof b.makeOutput !== 'function' || typeof b.typedArrayFromHeap !== 'function') return undefined;
    const memory = Object.values(b.wasm?.asm ?? {}).find((v) => v instanceof WebAssembly.Memory) as WebAssembly.Memory | undefined;
    const kernels = memory ? fusedKernels(memory) : undefined;
    return {
      run(shape, count, inputs) {
        const infos = Array.from({ length: count }, () => b.makeOutput([...shape], 'float32'));
        // views are taken after every allocation: an allocation may grow (and detach) the heap
        const out = infos.map((i) => b.typedArrayFromHeap(i));
        const ins = inputs.map((t) => b.typedArrayFromHeap(t));
        const outputs = infos.map((i) => engine.makeTensorFromTensorInfo(i));
        if (!kernels) return { outputs, out, in: ins };
        const offset = (id: object): number => b.dataIdMap.get(id)!.memoryOffset;
        return { outputs, out, in: ins, simd: { kernels, outOffsets: infos.map((i) => offset(i.dataId)), inOffsets: inputs.map((t) => offset(t.dataId)) } };
      },
      exclusive: (t) => b.dataIdMap.get(t.dataId)?.refCount === 1,
    };
  }
  if (name === 'cpu') {
    const b = backend as CpuLike;
    if (typeof b.makeTensorInfo !== 'function' || !b.data) return undefined;
    return {
      run(shape, count, inputs) {
        const size = shape.reduce((a, c) => a * c, 1);
        const out = Array.from({ length: count }, () => new Float32Array(size));
        const infos = out.map((v) => b.makeTensorInfo([...shape], 'float32', v));
        const ins = inputs.map((t) => {
          const v = b.data.get(t.dataId)?.values;
          return v instanceof Float32Array ? v : (t.dataSync() as Float32Array);
        });
        return { outputs: infos.map((i) => engine.makeTensorFromTensorInfo(i)), out, in: ins };
      },
      exclusive: () => false,
    };
  }
  return undefined;
}
