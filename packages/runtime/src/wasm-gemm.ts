/**
 * Dense layer kernels as a hand-assembled WebAssembly SIMD module working
 * directly on the tfjs WASM backend's memory. XNNPACK packs its weight operand
 * before multiplying, and since training changes the kernel every step it
 * repacks the whole kernel on every forward pass; `gemm` reads the row-major
 * `[K, N]` kernel in place (tiles of 4 rows × 8 columns, column panels outermost
 * so a panel stays in cache across row groups; products summed in k order from
 * zero, then bias and ReLU). With other strides the same function computes the
 * kernel gradient `xᵀ·dz` without transposing x. `reluGrad` is the ReLU backward
 * pass fused with the bias gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { F32, I32, V128, section, sleb, str, uleb, vec } from './wasm-encode.js';



const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const tee = (i: number): number[] => [0x22, ...uleb(i)];
const i32c = (v: number): number[] => [0x41, ...sleb(v)];
const ADD = [0x6a];
const MUL = [0x6c];
const NE = [0x47];
const LTU = [0x49];
const LOADSPLAT = [0xfd, 0x09, 0x02, 0x00];
const vload = (off: number): number[] => [0xfd, 0x00, 0x00, ...uleb(off)];
const vstore = (off: number): number[] => [0xfd, 0x0b, 0x00, ...uleb(off)];
const SPLAT = [0xfd, 0x13];
const FADD = [0xfd, 0xe4, 0x01];
const FMUL = [0xfd, 0xe6, 0x01];
const PMAX = [0xfd, 0xeb, 0x01];
const FGT = [0xfd, 0x44];
const VAND = [0xfd, 0x4e];
const VZERO = [0xfd, 0x0c, ...Array<number>(16).fill(0)];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const brIf = (d: number): number[] => [0x0d, d];
const inc = (l: number, by: number[]): number[] => [...get(l), ...by, ...ADD, ...set(l)];

/** Rows per tile. */
const R = 4;
/** 4-float vectors per tile row (tile width 4·C columns). */
const C = 2;

function gemmBody(): number[] {
  // params: a, b, bias, out, m (multiple of R), k, n (multiple of 4·C), floor (f32: 0 = relu, -inf = linear),
  //   aRow / aK: byte strides of A between rows and between k steps (row-major A: 4k / 4; A read transposed: 4 / 4m),
  //   accumulate: 1 to continue the sums already in `out` (a later block of k), 0 to start from zero
  const [A, B, BIAS, OUT, M, , , FLOOR, AROW, AK, ACCUM] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [LDC, J, RI, PA, PO, PB, KEND] = [11, 12, 13, 14, 15, 16, 17];
  const p = (t: number): number => 18 + t;
  const q = 18 + R;
  const bv = (h: number): number => q + 1 + h;
  const sv = q + 1 + C;
  const fv = sv + 1;
  const acc = (t: number, h: number): number => fv + 1 + t * C + h;
  const hs = Array.from({ length: C }, (_, h) => h);
  const ts = Array.from({ length: R }, (_, t) => t);
  const kstep: number[] = [
    ...hs.flatMap((h) => [...get(PB), ...vload(16 * h), ...set(bv(h))]),
    ...ts.flatMap((t) => [
      ...get(p(t)), ...LOADSPLAT, ...set(sv),
      ...hs.flatMap((h) => [...get(acc(t, h)), ...get(bv(h)), ...get(sv), ...FMUL, ...FADD, ...set(acc(t, h))]),
    ]),
    ...ts.flatMap((t) => inc(p(t), get(AK))),
    ...inc(PB, get(LDC)),
    ...get(p(0)), ...get(KEND), ...NE, ...brIf(0),
  ];
  const tile: number[] = [
    ...get(ACCUM), 0x04, 0x40,
    ...get(PO), ...set(q),
    ...ts.flatMap((t) => [...hs.flatMap((h) => [...get(q), ...vload(16 * h), ...set(acc(t, h))]), ...inc(q, get(LDC))]),
    0x05,
    ...ts.flatMap((t) => hs.flatMap((h) => [...VZERO, ...set(acc(t, h))])),
    ...END,
    ...get(B), ...get(J), ...ADD, ...set(PB),
    ...get(PA), ...set(p(0)),
    ...ts.slice(1).flatMap((t) => [...get(p(t - 1)), ...get(AROW), ...ADD, ...set(p(t))]),
    ...get(PA), ...get(5), ...get(AK), ...MUL, ...ADD, ...set(KEND),
    ...LOOP, ...kstep, ...END,
    ...hs.flatMap((h) => [...get(BIAS), ...get(J), ...ADD, ...vload(16 * h), ...set(bv(h))]),
    ...get(PO), ...set(q),
    ...ts.flatMap((t) => [
      ...hs.flatMap((h) => [...get(q), ...get(acc(t, h)), ...get(bv(h)), ...FADD, ...get(fv), ...PMAX, ...vstore(16 * h)]),
      ...inc(q, get(LDC)),
    ]),
    ...inc(PA, [...get(AROW), ...i32c(R), ...MUL]),
    ...inc(PO, [...get(LDC), ...i32c(R), ...MUL]),
    ...inc(RI, i32c(R)),
    ...get(RI), ...get(M), ...LTU, ...brIf(0),
  ];
  const code = [
    ...get(6), ...i32c(4), ...MUL, ...set(LDC),
    ...get(FLOOR), ...SPLAT, ...set(fv),
    ...i32c(0), ...set(J),
    ...LOOP,
    ...i32c(0), ...set(RI), ...get(A), ...set(PA), ...get(OUT), ...get(J), ...ADD, ...set(PO),
    ...LOOP, ...tile, ...END,
    ...get(J), ...i32c(16 * C), ...ADD, ...tee(J), ...get(LDC), ...LTU, ...brIf(0),
    ...END,
    ...END,
  ];
  const locals = vec([[8 + R, I32], [3 + C + R * C, V128]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

function reluGradBody(): number[] {
  // params: 0 dy, 1 y, 2 dz, 3 db, 4 m, 5 n (multiple of 4); dz = dy where y > 0 else 0; db[j] = Σ_rows dz[·, j] in row order
  // i32 locals: 6 ldc, 7 j, 8 r, 9 off; v128 locals: 10 sum, 11 v, 12 zero
  const code = [
    ...get(5), ...i32c(4), ...MUL, ...set(6),
    ...VZERO, ...set(12),
    ...i32c(0), ...set(7),
    ...LOOP,
    ...VZERO, ...set(10), ...i32c(0), ...set(8), ...get(7), ...set(9),
    ...LOOP,
    // v = dy[off] & (y[off] > 0); dz[off] = v; sum += v
    ...get(0), ...get(9), ...ADD, ...vload(0), ...get(1), ...get(9), ...ADD, ...vload(0), ...get(12), ...FGT, ...VAND, ...set(11),
    ...get(2), ...get(9), ...ADD, ...get(11), ...vstore(0),
    ...get(10), ...get(11), ...FADD, ...set(10),
    ...inc(9, get(6)),
    ...inc(8, i32c(1)),
    ...get(8), ...get(4), ...LTU, ...brIf(0),
    ...END,
    ...get(3), ...get(7), ...ADD, ...get(10), ...vstore(0),
    ...get(7), ...i32c(16), ...ADD, ...tee(7), ...get(6), ...LTU, ...brIf(0),
    ...END,
    ...END,
  ];
  const locals = vec([[4, I32], [3, V128]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/** The module's bytes: exports `gemm(a, b, bias, out, m, k, n, floor, aRow, aK, accumulate)` and `reluGrad(dy, y, dz, db, m, n)`. */
export function gemmBinary(): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec([...Array(7).fill([I32]), [F32], [I32], [I32], [I32]]), 0x00];
  const reluType = [0x60, ...vec(Array(6).fill([I32]) as number[][]), 0x00];
  const types = section(1, vec([type, reluType]));
  const imports = section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x01]]));
  const funcs = section(3, vec([[0], [1]]));
  const exports = section(7, vec([[...str('gemm'), 0x00, 0], [...str('reluGrad'), 0x00, 1]]));
  const code = section(10, vec([gemmBody(), reluGradBody()]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}

type GemmFn = (a: number, b: number, bias: number, out: number, m: number, k: number, n: number, floor: number, aRow: number, aK: number, accumulate: number) => void;
type ReluGradFn = (dy: number, y: number, dz: number, db: number, m: number, n: number) => void;
interface Kernels { gemm: GemmFn; reluGrad: ReluGradFn }

interface WasmLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  dataIdMap: { get(id: object): { memoryOffset: number } };
  wasm: { asm?: Record<string, unknown> };
}

const cache = new WeakMap<WebAssembly.Memory, Kernels | null>();

function kernelsFor(b: WasmLike): Kernels | undefined {
  const memory = Object.values(b.wasm?.asm ?? {}).find((v) => v instanceof WebAssembly.Memory) as WebAssembly.Memory | undefined;
  if (!memory) return undefined;
  let g = cache.get(memory);
  if (g === undefined) {
    try {
      g = new WebAssembly.Instance(new WebAssembly.Module(gemmBinary()), { env: { memory } }).exports as unknown as Kernels;
    } catch {
      g = null;
    }
    cache.set(memory, g);
  }
  return g ?? undefined;
}

/** Kernel rows per block of the forward pass: the block's panel (8 columns × 128 rows) touches 128 cache lines, 8 KiB. */
const K_BLOCK = 128;

const zeroBias = new Map<number, tf.Tensor1D>();

/** A kept zero vector of length n (the bias of partial blocks and of gradients). */
function zerosOf(n: number): tf.Tensor1D {
  let zeros = zeroBias.get(n);
  if (!zeros || zeros.isDisposed) {
    zeros = tf.keep(tf.zeros([n])) as tf.Tensor1D;
    zeroBias.set(n, zeros);
  }
  return zeros;
}

/**
 * `act(x · kernel + bias)` on the WASM backend without repacking `kernel`, for
 * float32 `x [m, k]` with m a multiple of 4, `kernel [k, n]` with n a multiple of 8.
 * Undefined when the backend, shapes or engine do not allow it (use `tf.fused.matMul`).
 */
export function wasmDenseForward(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: 'linear' | 'relu'): tf.Tensor2D | undefined {
  const [m, k] = x.shape;
  const n = kernel.shape[1];
  if (tf.getBackend() !== 'wasm' || m % R !== 0 || n % (4 * C) !== 0 || m === 0 || k === 0) return undefined;
  if (x.dtype !== 'float32' || kernel.dtype !== 'float32' || bias.dtype !== 'float32') return undefined;
  const b = tf.backend() as unknown as WasmLike;
  if (typeof b.makeOutput !== 'function' || !b.dataIdMap) return undefined;
  const gemm = kernelsFor(b)?.gemm;
  if (!gemm) return undefined;
  const info = b.makeOutput([m, n], 'float32');
  const at = (id: object): number => b.dataIdMap.get(id).memoryOffset;
  const zeros = zerosOf(n);
  const [px, pk, pb, po] = [at(x.dataId), at(kernel.dataId), at(bias.dataId), at(info.dataId)];
  // Blocks of K_BLOCK kernel rows keep a panel of the kernel in L1 across row groups; later blocks continue
  // the sums in `out`, so the k order (and every rounding) is that of one pass. Bias and ReLU come last.
  for (let k0 = 0; k0 < k; k0 += K_BLOCK) {
    const kb = Math.min(K_BLOCK, k - k0);
    const last = k0 + kb === k;
    gemm(px + 4 * k0, pk + 4 * n * k0, last ? pb : at(zeros.dataId), po, m, kb, n, last && activation === 'relu' ? 0 : -Infinity, 4 * k, 4, k0 === 0 ? 0 : 1);
  }
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D;
}


/**
 * `xᵀ · dy` (a Dense kernel's gradient) on the WASM backend, reading `x [b, k]`
 * transposed in place, for float32 inputs with k a multiple of 4 and `dy [b, n]` with n a multiple of 8.
 * Undefined when not applicable (use `tf.matMul(tf.transpose(x), dy)`).
 */
export function wasmKernelGrad(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D | undefined {
  const [bsz, k] = x.shape;
  const n = dy.shape[1];
  if (tf.getBackend() !== 'wasm' || k % R !== 0 || n % (4 * C) !== 0 || bsz === 0 || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const b = tf.backend() as unknown as WasmLike;
  if (typeof b.makeOutput !== 'function' || !b.dataIdMap) return undefined;
  const gemm = kernelsFor(b)?.gemm;
  if (!gemm) return undefined;
  const zeros = zerosOf(n);
  const info = b.makeOutput([k, n], 'float32');
  const at = (id: object): number => b.dataIdMap.get(id).memoryOffset;
  gemm(at(x.dataId), at(dy.dataId), at(zeros.dataId), at(info.dataId), k, bsz, n, -Infinity, 4, 4 * k, 0);
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D;
}

/**
 * The backward pass of ReLU fused with the bias gradient on the WASM backend:
 * `dz = dy` where `y > 0`, else 0, and `db = Σ_rows dz` (summed in row order), for
 * float32 `[m, n]` with n a multiple of 4. Undefined when not applicable.
 */
export function wasmReluBiasGrad(dy: tf.Tensor2D, y: tf.Tensor2D): { dz: tf.Tensor2D; db: tf.Tensor1D } | undefined {
  const [m, n] = y.shape;
  if (tf.getBackend() !== 'wasm' || n % 4 !== 0 || m === 0 || dy.dtype !== 'float32' || y.dtype !== 'float32' || dy.shape.join(',') !== y.shape.join(',')) return undefined;
  const b = tf.backend() as unknown as WasmLike;
  if (typeof b.makeOutput !== 'function' || !b.dataIdMap) return undefined;
  const reluGrad = kernelsFor(b)?.reluGrad;
  if (!reluGrad) return undefined;
  const dz = b.makeOutput([m, n], 'float32');
  const db = b.makeOutput([n], 'float32');
  const at = (id: object): number => b.dataIdMap.get(id).memoryOffset;
  reluGrad(at(dy.dataId), at(y.dataId), at(dz.dataId), at(db.dataId), m, n);
  const e = tf.engine();
  return { dz: e.makeTensorFromTensorInfo(dz) as tf.Tensor2D, db: e.makeTensorFromTensorInfo(db) as tf.Tensor1D };
}
