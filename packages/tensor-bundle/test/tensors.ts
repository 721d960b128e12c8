import { numberToBfloat16, numberToFloat16, tensorSha256, utf8Encode } from '@tfsave/core';
import type { TensorInput } from '../src/index.js';

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A tensor of the given dtype and shape filled with pseudo-random values. */
export function makeTensor(dtype: string, shape: number[], seed: number): TensorInput {
  const r = rng(seed);
  const n = count(shape);
  const f = (k: number) => Array.from({ length: k }, () => r() * 200 - 100);
  switch (dtype) {
    case 'float32': return { dtype, shape, data: Float32Array.from(f(n)) };
    case 'float64': return { dtype, shape, data: Float64Array.from(f(n)) };
    case 'complex64': return { dtype, shape, data: Float32Array.from(f(2 * n)) };
    case 'complex128': return { dtype, shape, data: Float64Array.from(f(2 * n)) };
    case 'int32': return { dtype, shape, data: Int32Array.from(f(n), (x) => Math.round(x * 2e7)) };
    case 'uint32': return { dtype, shape, data: Uint32Array.from(f(n), (x) => Math.round((x + 100) * 2e7)) };
    case 'int16': return { dtype, shape, data: Int16Array.from(f(n), (x) => Math.round(x * 300)) };
    case 'uint16': return { dtype, shape, data: Uint16Array.from(f(n), (x) => Math.round((x + 100) * 300)) };
    case 'int8': return { dtype, shape, data: Int8Array.from(f(n), (x) => Math.round(x)) };
    case 'uint8': return { dtype, shape, data: Uint8Array.from(f(n), (x) => Math.round(x + 100)) };
    case 'bool': return { dtype, shape, data: Uint8Array.from(f(n), (x) => (x > 0 ? 1 : 0)) };
    case 'int64': return { dtype, shape, data: BigInt64Array.from(f(n), (x) => BigInt(Math.round(x * 1e6)) * 1234567890123n) };
    case 'uint64': return { dtype, shape, data: BigUint64Array.from(f(n), (x) => BigInt(Math.round((x + 100) * 1e6)) * 92233720368n) };
    case 'float16': return { dtype, shape, data: Uint16Array.from(f(n), (x) => numberToFloat16(x)) };
    case 'bfloat16': return { dtype, shape, data: Uint16Array.from(f(n), (x) => numberToBfloat16(x)) };
    case 'string': {
      const samples = ['', 'a', 'héllo wörld ✓', 'x'.repeat(300), 'tab\there', '日本語', 'end\u0001'];
      return { dtype, shape, data: Array.from({ length: n }, (_, i) => utf8Encode(samples[(i + seed) % samples.length]!)) };
    }
    default: throw new Error(`no generator for ${dtype}`);
  }
}

/** The inspect-JSON row of a tensor input. */
export function row(name: string, t: TensorInput): { name: string; dtype: string; shape: number[]; sha256: string } {
  return { name, dtype: String(t.dtype), shape: [...t.shape], sha256: tensorSha256(t.data as never) };
}
