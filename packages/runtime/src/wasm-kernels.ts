/**
 * Fused optimizer kernels as a tiny hand-assembled WebAssembly SIMD module that
 * imports the tfjs WASM backend's own memory, so an Adam or SGD step over a
 * variable is one pass over its bytes with IEEE float32 arithmetic (the same
 * rounding as TF's float32 kernels); likewise dropout, drawing its mask from the
 * seeded stream in the same pass. Built once per memory; undefined when the
 * engine lacks WASM SIMD.
 */
import { F32, I32, V128, section, sleb, str, uleb, vec } from './wasm-encode.js';

/** Exported kernels; pointers are byte offsets into the shared memory, `bytes` a multiple of 16. */
export interface FusedKernels {
  /** `m' = m + (g-m)·c1; v' = v + (g²-v)·c2; w' = w - m'·alpha/(sqrt(v')+eps)`. */
  adam(w: number, g: number, m: number, v: number, nw: number, nm: number, nv: number, bytes: number, c1: number, c2: number, alpha: number, eps: number): void;
  /** `step = -g·lr; m' = step + m·mom; w' = w + m'` (or `w + (step + m'·mom)` for Nesterov). */
  sgd(w: number, g: number, m: number, nw: number, nm: number, bytes: number, lr: number, mom: number): void;
  sgdNesterov(w: number, g: number, m: number, nw: number, nm: number, bytes: number, lr: number, mom: number): void;
  /**
   * Dropout: `dst = src · (u ≥ threshold ? scale : 0)` element by element, where u is the
   * 32-bit output of the i-th draw of the mulberry32 stream at `state` (SeededRandom's
   * `next()` is u / 2^32), four draws per vector. `threshold` is the unsigned bound as an i32.
   */
  dropout(src: number, dst: number, bytes: number, state: number, threshold: number, scale: number): void;
}

const op = {
  get: (i: number) => [0x20, i], set: (i: number) => [0x21, i], tee: (i: number) => [0x22, i],
  i32const: (v: number) => [0x41, v], add: [0x6a], ltu: [0x49], eqz: [0x45], brIf: (d: number) => [0x0d, d],
  load: [0xfd, 0x00, 0x00, 0x00], store: [0xfd, 0x0b, 0x00, 0x00], splat: [0xfd, 0x13],
  fneg: [0xfd, 0xe1, 0x01], fsqrt: [0xfd, 0xe3, 0x01], fadd: [0xfd, 0xe4, 0x01], fsub: [0xfd, 0xe5, 0x01],
  fmul: [0xfd, 0xe6, 0x01], fdiv: [0xfd, 0xe7, 0x01],
};
const at = (ptr: number, i: number): number[] => [...op.get(ptr), ...op.get(i), ...op.add];


/** A counted loop over `bytes` (param index) with byte index local `i`, around `body`. */
function loop(bytes: number, i: number, body: number[]): number[] {
  return [0x02, 0x40, ...op.get(bytes), ...op.eqz, ...op.brIf(0), 0x03, 0x40, ...body,
    ...op.get(i), ...op.i32const(16), ...op.add, ...op.tee(i), ...op.get(bytes), ...op.ltu, ...op.brIf(0), 0x0b, 0x0b];
}

function adamBody(): number[] {
  // params 0 w,1 g,2 m,3 v,4 nw,5 nm,6 nv,7 bytes,8 c1,9 c2,10 alpha,11 eps; locals 12 i, 13-16 splats, 17 g, 18 m', 19 v', 20 m or v
  // (each input is loaded once per vector: the stores to nm/nv could alias m/v for all the engine knows)
  const pre = [8, 9, 10, 11].flatMap((p, k) => [...op.get(p), ...op.splat, ...op.set(13 + k)]);
  const body = [
    ...at(1, 12), ...op.load, ...op.set(17),
    ...at(2, 12), ...op.load, ...op.tee(20), ...op.get(17), ...op.get(20), ...op.fsub, ...op.get(13), ...op.fmul, ...op.fadd, ...op.set(18),
    ...at(5, 12), ...op.get(18), ...op.store,
    ...at(3, 12), ...op.load, ...op.tee(20), ...op.get(17), ...op.get(17), ...op.fmul, ...op.get(20), ...op.fsub, ...op.get(14), ...op.fmul, ...op.fadd, ...op.set(19),
    ...at(6, 12), ...op.get(19), ...op.store,
    ...at(4, 12), ...at(0, 12), ...op.load, ...op.get(18), ...op.get(15), ...op.fmul, ...op.get(19), ...op.fsqrt, ...op.get(16), ...op.fadd, ...op.fdiv, ...op.fsub, ...op.store,
  ];
  const code = [...pre, ...loop(7, 12, body), 0x0b];
  const locals = vec([[1, I32], [8, V128]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

function sgdBody(nesterov: boolean): number[] {
  // params 0 w,1 g,2 m,3 nw,4 nm,5 bytes,6 lr,7 mom; locals 8 i, 9 lr splat, 10 mom splat, 11 step, 12 m'
  const pre = [...op.get(6), ...op.splat, ...op.set(9), ...op.get(7), ...op.splat, ...op.set(10)];
  const body = [
    ...at(1, 8), ...op.load, ...op.fneg, ...op.get(9), ...op.fmul, ...op.set(11),
    ...op.get(11), ...at(2, 8), ...op.load, ...op.get(10), ...op.fmul, ...op.fadd, ...op.set(12),
    ...at(4, 8), ...op.get(12), ...op.store,
    ...at(3, 8), ...at(0, 8), ...op.load,
    ...(nesterov ? [...op.get(11), ...op.get(12), ...op.get(10), ...op.fmul, ...op.fadd] : op.get(12)),
    ...op.fadd, ...op.store,
  ];
  const code = [...pre, ...loop(5, 8, body), 0x0b];
  const locals = vec([[1, I32], [4, V128]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/** The mulberry32 increment (SeededRandom). */
export const MULBERRY_STEP = 0x6d2b79f5;

const i32x4 = (a: number, b: number, c: number, d: number): number[] => {
  const bytes = new Uint8Array(new Int32Array([a, b, c, d]).buffer);
  return [0xfd, 0x0c, ...bytes];
};
const simd = {
  i32splat: [0xfd, 0x11], iadd: [0xfd, 0xae, 0x01], imul: [0xfd, 0xb5, 0x01], shru: [0xfd, 0xad, 0x01],
  or: [0xfd, 0x50], xor: [0xfd, 0x51], and: [0xfd, 0x4e], geu: [0xfd, 0x40],
};
const i32c = (v: number): number[] => [0x41, ...sleb(v)];

function dropoutBody(): number[] {
  // params 0 src, 1 dst, 2 bytes, 3 state, 4 threshold (i32), 5 scale (f32)
  // locals 6 i; v128: 7 s (the states of four draws), 8 t, 9 threshold splat, 10 scale splat
  const C = MULBERRY_STEP;
  const t = (): number[] => op.get(8);
  const pre = [
    ...op.get(3), ...simd.i32splat, ...i32x4(C, 2 * C | 0, 3 * C | 0, 4 * C | 0), ...simd.iadd, ...op.set(7),
    ...op.get(4), ...simd.i32splat, ...op.set(9),
    ...op.get(5), ...op.splat, ...op.set(10),
  ];
  const body = [
    // t = imul(s ^ (s >>> 15), s | 1)
    ...op.get(7), ...op.get(7), ...i32c(15), ...simd.shru, ...simd.xor, ...op.get(7), ...i32x4(1, 1, 1, 1), ...simd.or, ...simd.imul, ...op.set(8),
    // t ^= t + imul(t ^ (t >>> 7), t | 61)
    ...t(), ...t(), ...t(), ...t(), ...i32c(7), ...simd.shru, ...simd.xor, ...t(), ...i32x4(61, 61, 61, 61), ...simd.or, ...simd.imul, ...simd.iadd, ...simd.xor, ...op.set(8),
    // dst = src · ((t ^ (t >>> 14)) ≥u threshold ? scale : 0)
    ...at(1, 6), ...at(0, 6), ...op.load,
    ...t(), ...t(), ...i32c(14), ...simd.shru, ...simd.xor, ...op.get(9), ...simd.geu, ...op.get(10), ...simd.and,
    ...op.fmul, ...op.store,
    ...op.get(7), ...i32x4(4 * C | 0, 4 * C | 0, 4 * C | 0, 4 * C | 0), ...simd.iadd, ...op.set(7),
  ];
  const code = [...pre, ...loop(2, 6, body), 0x0b];
  const locals = vec([[1, I32], [4, V128]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/** The module's bytes. */
export function fusedKernelsBinary(): Uint8Array<ArrayBuffer> {
  const adamType = [0x60, ...vec([...Array(8).fill([I32]), ...Array(4).fill([F32])]), 0x00];
  const sgdType = [0x60, ...vec([...Array(6).fill([I32]), [F32], [F32]]), 0x00];
  const dropoutType = [0x60, ...vec([...Array(5).fill([I32]), [F32]]), 0x00];
  const types = section(1, vec([adamType, sgdType, dropoutType]));
  const imports = section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x01]]));
  const funcs = section(3, vec([[0], [1], [1], [2]]));
  const names = ['adam', 'sgd', 'sgdNesterov', 'dropout'];
  const exports = section(7, vec(names.map((n, i) => [...str(n), 0x00, i])));
  const code = section(10, vec([adamBody(), sgdBody(false), sgdBody(true), dropoutBody()]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}

const cache = new WeakMap<WebAssembly.Memory, FusedKernels | null>();

/** The kernels bound to `memory`, or undefined when WASM SIMD is unavailable. */
export function fusedKernels(memory: WebAssembly.Memory): FusedKernels | undefined {
  let k = cache.get(memory);
  if (k === undefined) {
    try {
      const inst = new WebAssembly.Instance(new WebAssembly.Module(fusedKernelsBinary()), { env: { memory } });
      k = inst.exports as unknown as FusedKernels;
    } catch {
      k = null;
    }
    cache.set(memory, k);
  }
  return k ?? undefined;
}
