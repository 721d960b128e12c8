/**
 * Fused optimizer kernels as a tiny hand-assembled WebAssembly SIMD module that
 * imports the tfjs WASM backend's own memory, so an Adam or SGD step over a
 * variable is one pass over its bytes with IEEE float32 arithmetic (the same
 * rounding as TF's float32 kernels). Built once per memory; undefined when the
 * engine lacks WASM SIMD.
 */
import { F32, I32, V128, section, str, uleb, vec } from './wasm-encode.js';

/** Exported kernels; pointers are byte offsets into the shared memory, `bytes` a multiple of 16. */
export interface FusedKernels {
  /** `m' = m + (g-m)·c1; v' = v + (g²-v)·c2; w' = w - m'·alpha/(sqrt(v')+eps)`. */
  adam(w: number, g: number, m: number, v: number, nw: number, nm: number, nv: number, bytes: number, c1: number, c2: number, alpha: number, eps: number): void;
  /** `step = -g·lr; m' = step + m·mom; w' = w + m'` (or `w + (step + m'·mom)` for Nesterov). */
  sgd(w: number, g: number, m: number, nw: number, nm: number, bytes: number, lr: number, mom: number): void;
  sgdNesterov(w: number, g: number, m: number, nw: number, nm: number, bytes: number, lr: number, mom: number): void;
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
  // params 0 w,1 g,2 m,3 v,4 nw,5 nm,6 nv,7 bytes,8 c1,9 c2,10 alpha,11 eps; locals 12 i, 13-16 splats, 17 g, 18 m', 19 v'
  const pre = [8, 9, 10, 11].flatMap((p, k) => [...op.get(p), ...op.splat, ...op.set(13 + k)]);
  const body = [
    ...at(1, 12), ...op.load, ...op.set(17),
    ...at(2, 12), ...op.load, ...op.get(17), ...at(2, 12), ...op.load, ...op.fsub, ...op.get(13), ...op.fmul, ...op.fadd, ...op.set(18),
    ...at(5, 12), ...op.get(18), ...op.store,
    ...at(3, 12), ...op.load, ...op.get(17), ...op.get(17), ...op.fmul, ...at(3, 12), ...op.load, ...op.fsub, ...op.get(14), ...op.fmul, ...op.fadd, ...op.set(19),
    ...at(6, 12), ...op.get(19), ...op.store,
    ...at(4, 12), ...at(0, 12), ...op.load, ...op.get(18), ...op.get(15), ...op.fmul, ...op.get(19), ...op.fsqrt, ...op.get(16), ...op.fadd, ...op.fdiv, ...op.fsub, ...op.store,
  ];
  const code = [...pre, ...loop(7, 12, body), 0x0b];
  const locals = vec([[1, I32], [7, V128]]);
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

/** The module's bytes. */
export function fusedKernelsBinary(): Uint8Array<ArrayBuffer> {
  const adamType = [0x60, ...vec([...Array(8).fill([I32]), ...Array(4).fill([F32])]), 0x00];
  const sgdType = [0x60, ...vec([...Array(6).fill([I32]), [F32], [F32]]), 0x00];
  const types = section(1, vec([adamType, sgdType]));
  const imports = section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x01]]));
  const funcs = section(3, vec([[0], [1], [1]]));
  const exports = section(7, vec([[...str('adam'), 0x00, 0], [...str('sgd'), 0x00, 1], [...str('sgdNesterov'), 0x00, 2]]));
  const code = section(10, vec([adamBody(), sgdBody(false), sgdBody(true)]));
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
