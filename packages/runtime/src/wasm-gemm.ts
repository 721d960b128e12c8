/**
 * Dense layer kernels as a hand-assembled WebAssembly SIMD module working
 * directly on the tfjs WASM backend's memory. XNNPACK packs its weight operand
 * before multiplying, and since training changes the kernel every step it
 * repacks the whole kernel on every forward pass; `gemm` reads the row-major
 * `[K, N]` kernel in place (tiles of 4 rows × 8 columns, column panels outermost
 * so a panel stays in cache across row groups; products summed in k order from
 * zero, then bias and ReLU). With other strides the same function computes the
 * kernel gradient `xᵀ·dz` without transposing x, and the input gradient
 * `dz·kernelᵀ` as `(kernel·dzᵀ)ᵀ` without transposing the kernel. Layers whose
 * units are not a multiple of 8 (a 10-class output layer) run on copies padded to
 * a multiple of 8 columns; the padding columns are computed and dropped (columns
 * are independent, so the kept ones are the same sums in the same order).
 * Inputs with all-zero columns (MNIST's blank border pixels: ~40% of the columns of
 * a batch) skip them: the forward pass takes only the runs of nonzero columns
 * (`gemmIndexed`) when the kernel is finite, and the kernel gradient leaves the rows
 * of those columns +0 when dy is finite; both are bit-exact (see sparseColumns).
 * `reluGrad` is the ReLU backward pass fused with the bias gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { C, gemmBinary, R } from './wasm-gemm-module.js';

export { gemmBinary };

type GemmFn = (a: number, b: number, bias: number, out: number, m: number, k: number, n: number, floor: number, aRow: number, aK: number, accumulate: number) => void;
type GemmIndexedFn = (...args: [...Parameters<GemmFn>, idx: number]) => void;
type ReluGradFn = (dy: number, y: number, dz: number, db: number, m: number, n: number) => void;
interface Kernels {
  gemm: GemmFn;
  gemmIndexed: GemmIndexedFn;
  reluGrad: ReluGradFn;
  finite(ptr: number, bytes: number): number;
  nonzeroColumns(x: number, rows: number, k: number, out: number): number;
}

interface WasmLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  dataIdMap: { get(id: object): { memoryOffset: number } };
  wasm: { asm?: Record<string, unknown>; _malloc(bytes: number): number; _free(ptr: number): void };
}

/** Tile width in columns. */
const W = 4 * C;

/** The kernels and memory of the active WASM backend. */
interface Env {
  readonly b: WasmLike;
  readonly k: Kernels;
  readonly memory: WebAssembly.Memory;
}

const cache = new WeakMap<WebAssembly.Memory, Kernels | null>();

function env(): Env | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const b = tf.backend() as unknown as WasmLike;
  if (typeof b.makeOutput !== 'function' || !b.dataIdMap || typeof b.wasm?._malloc !== 'function') return undefined;
  const memory = Object.values(b.wasm.asm ?? {}).find((v) => v instanceof WebAssembly.Memory) as WebAssembly.Memory | undefined;
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
  return g ? { b, k: g, memory } : undefined;
}

const f32 = (...ts: tf.Tensor[]): boolean => ts.every((t) => t.dtype === 'float32');
const at = (e: Env, id: object): number => e.b.dataIdMap.get(id).memoryOffset;
const view = (e: Env, ptr: number, len: number): Float32Array => new Float32Array(e.memory.buffer, ptr, len);
const roundUp = (n: number): number => Math.ceil(n / W) * W;

/** Copies a row-major `[rows, cols]` matrix at `src` to `dst` with row stride `dstCols` (`dstCols ≥ cols`). */
function copyRows(e: Env, src: number, dst: number, rows: number, cols: number, dstCols: number, srcCols = cols): void {
  const s = view(e, src, (rows - 1) * srcCols + cols);
  const d = view(e, dst, (rows - 1) * dstCols + cols);
  for (let r = 0; r < rows; r++) {
    const so = r * srcCols;
    const dO = r * dstCols;
    for (let c = 0; c < cols; c++) d[dO + c] = s[so + c]!;
  }
}

/** Writes the transpose of the row-major `[rows, cols]` matrix at `src` to `dst`. */
function transposeInto(e: Env, src: number, dst: number, rows: number, cols: number): void {
  const s = view(e, src, rows * cols);
  const d = view(e, dst, rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) d[c * rows + r] = s[r * cols + c]!;
}

/** Scratch buffers in the backend's heap for the length of `f`. */
function withScratch<T>(e: Env, floats: number[], f: (ptrs: number[]) => T): T {
  const ptrs = floats.map((n) => e.b.wasm._malloc(4 * Math.max(n, 1)));
  try {
    return f(ptrs);
  } finally {
    for (const p of ptrs) e.b.wasm._free(p);
  }
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

/** The forward pass skips x's all-zero columns when at most this fraction of its columns is nonzero (else the kernel scan costs more than it saves). */
const SPARSE_FORWARD = 0.875;

/**
 * `act(x · kernel + bias)` into `out` (`[m, n]`, n a multiple of 8), in blocks of K_BLOCK kernel rows.
 * `cols`: when given, the ascending columns of x taken (the others are all ±0, and the kernel is finite).
 */
function forwardInto(e: Env, px: number, pk: number, pb: number, po: number, m: number, k: number, n: number, relu: boolean, cols?: Int32Array): void {
  // Later blocks continue the sums in `out`, so the k order (and every rounding) is that of one pass. Bias and ReLU come last.
  const zeros = at(e, zerosOf(n).dataId);
  if (!cols) {
    for (let k0 = 0; k0 < k; k0 += K_BLOCK) {
      const kb = Math.min(K_BLOCK, k - k0);
      const last = k0 + kb === k;
      e.k.gemm(px + 4 * k0, pk + 4 * n * k0, last ? pb : zeros, po, m, kb, n, last && relu ? 0 : -Infinity, 4 * k, 4, k0 === 0 ? 0 : 1);
    }
    return;
  }
  const blocks = runBlocks(cols, K_BLOCK);
  const pairs = blocks.reduce((t, b) => t + b.length, 0);
  withScratch(e, [pairs], ([idx]) => {
    const list = new Int32Array(e.memory.buffer, idx!, pairs);
    let off = 0;
    blocks.forEach((b, i) => {
      list.set(b, off);
      const last = i === blocks.length - 1;
      e.k.gemmIndexed(px, pk, last ? pb : zeros, po, m, b.length / 2, n, last && relu ? 0 : -Infinity, 4 * k, 4, i === 0 ? 0 : 1, idx! + 4 * off);
      off += b.length;
    });
  });
}

/** Ascending columns as runs `[from, to)` (i32 pairs), in blocks of at most `size` columns. */
function runBlocks(cols: Int32Array, size: number): Int32Array[] {
  const blocks: Int32Array[] = [];
  let cur: number[] = [];
  let inBlock = 0;
  for (const c of cols) {
    if (inBlock === size) {
      blocks.push(Int32Array.from(cur));
      cur = [];
      inBlock = 0;
    }
    if (cur.length > 0 && cur[cur.length - 1] === c) cur[cur.length - 1] = c + 1;
    else cur.push(c, c + 1);
    inBlock++;
  }
  if (cur.length > 0) blocks.push(Int32Array.from(cur));
  return blocks;
}

/**
 * The columns of `x [m, k]` the forward pass needs when it can skip the others: those
 * with an entry that is not ±0, when they are few enough and the kernel rows of the
 * others are finite.
 * Skipping is exact then: each skipped product is ±0, and a sum that starts from +0
 * is unchanged by adding ±0 (+0 + -0 = +0). MNIST's blank borders skip ~40%.
 */
function sparseColumns(e: Env, px: number, m: number, k: number, pk: number, n: number): Int32Array | undefined {
  const cols = nonzeroColumns(e, px, m, k);
  if (cols.length > SPARSE_FORWARD * k) return undefined;
  // Only the kernel rows of the skipped columns need to be finite (0·∞ and 0·NaN are NaN).
  let from = 0;
  for (const to of [...cols, k]) {
    if (to > from && !allFinite(e, pk + 4 * n * from, n * (to - from))) return undefined;
    from = to + 1;
  }
  return cols.length > 0 ? cols : Int32Array.of(0);
}

/**
 * `act(x · kernel + bias)` on the WASM backend without repacking `kernel`, for
 * float32 `x [m, k]` with m a multiple of 4 and any `kernel [k, n]` (n not a multiple
 * of 8 runs on a padded copy of the kernel).
 * Undefined when the backend, shapes or engine do not allow it (use `tf.fused.matMul`).
 */
export function wasmDenseForward(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: 'linear' | 'relu'): tf.Tensor2D | undefined {
  const [m, k] = x.shape;
  const n = kernel.shape[1];
  if (m % R !== 0 || m === 0 || k === 0 || n === 0 || !f32(x, kernel, bias)) return undefined;
  const e = env();
  if (!e) return undefined;
  const info = e.b.makeOutput([m, n], 'float32');
  const [px, pk, pb, po] = [at(e, x.dataId), at(e, kernel.dataId), at(e, bias.dataId), at(e, info.dataId)];
  const relu = activation === 'relu';
  const cols = sparseColumns(e, px, m, k, pk, n);
  if (n % W === 0) {
    forwardInto(e, px, pk, pb, po, m, k, n, relu, cols);
  } else {
    const np = roundUp(n);
    withScratch(e, [k * np, np, m * np], ([sk, sb, so]) => {
      copyRows(e, pk, sk!, k, n, np);
      copyRows(e, pb, sb!, 1, n, np);
      forwardInto(e, px, sk!, sb!, so!, m, k, np, relu, cols);
      copyRows(e, so!, po, m, n, n, np);
    });
  }
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D;
}

/** Whether every value of the float32 `[len]` array at `ptr` is finite. */
function allFinite(e: Env, ptr: number, len: number): boolean {
  const body = len & ~3;
  if (body > 0 && !e.k.finite(ptr, 4 * body)) return false;
  const v = view(e, ptr + 4 * body, len - body);
  return v.every((x) => x - x === 0);
}

/** Ascending indices of the columns of `x [rows, k]` with an entry that is not ±0. */
function nonzeroColumns(e: Env, px: number, rows: number, k: number): Int32Array {
  return withScratch(e, [k], ([idx]) => new Int32Array(e.memory.buffer, idx!, e.k.nonzeroColumns(px, rows, k, idx!)).slice());
}

/**
 * The row ranges of `xᵀ · dy` to compute for `x [rows, k]` (k a multiple of 4): each run of
 * columns of x with a nonzero entry, widened to a multiple of 4 rows (moved back from the
 * end when needed; ranges may overlap, and overlapping rows are the same sums), and the
 * ranges in between, which are all-zero columns.
 */
function kernelGradRanges(e: Env, px: number, rows: number, k: number): { compute: Array<[number, number]>; zero: Array<[number, number]> } {
  const compute: Array<[number, number]> = [];
  const cols = nonzeroColumns(e, px, rows, k);
  for (let i = 0; i < cols.length;) {
    let j = i + 1;
    while (j < cols.length && cols[j] === cols[j - 1]! + 1) j++;
    const len = Math.ceil((cols[j - 1]! + 1 - cols[i]!) / R) * R;
    const from = Math.min(cols[i]!, k - len);
    compute.push([from, from + len]);
    i = j;
  }
  const zero: Array<[number, number]> = [];
  let covered = 0;
  for (const [from, to] of compute) {
    if (from > covered) zero.push([covered, from]);
    covered = Math.max(covered, to);
  }
  if (covered < k) zero.push([covered, k]);
  return { compute, zero };
}

/**
 * `xᵀ · dy` into `out [k, n]` (n a multiple of 8). Rows of the result whose column of
 * x is zero in every example are +0 without being computed when dy is all finite (`dyFinite`):
 * the sum of a row starts from +0 and every product in it is ±0, and +0 + ±0 = +0
 * (sparse inputs such as MNIST's blank border pixels skip ~40% of the work).
 */
function kernelGradInto(e: Env, px: number, pd: number, po: number, bsz: number, k: number, n: number, dyFinite: boolean): void {
  const zeros = at(e, zerosOf(n).dataId);
  const ranges = dyFinite ? kernelGradRanges(e, px, bsz, k) : { compute: [[0, k]] as Array<[number, number]>, zero: [] };
  const out = view(e, po, k * n);
  for (const [from, to] of ranges.zero) out.fill(0, from * n, to * n);
  for (const [from, to] of ranges.compute) e.k.gemm(px + 4 * from, pd, zeros, po + 4 * n * from, to - from, bsz, n, -Infinity, 4, 4 * k, 0);
}

/**
 * `xᵀ · dy` (a Dense kernel's gradient) on the WASM backend, reading `x [b, k]`
 * transposed in place, for float32 inputs with k a multiple of 4 and any `dy [b, n]`
 * (n not a multiple of 8 runs on a padded copy of dy).
 * Undefined when not applicable (use `tf.matMul(tf.transpose(x), dy)`).
 */
export function wasmKernelGrad(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D | undefined {
  const [bsz, k] = x.shape;
  const n = dy.shape[1];
  if (k % R !== 0 || bsz === 0 || k === 0 || n === 0 || !f32(x, dy)) return undefined;
  const e = env();
  if (!e) return undefined;
  const info = e.b.makeOutput([k, n], 'float32');
  const [px, pd, po] = [at(e, x.dataId), at(e, dy.dataId), at(e, info.dataId)];
  if (n % W === 0) {
    kernelGradInto(e, px, pd, po, bsz, k, n, allFinite(e, pd, bsz * n));
  } else {
    const np = roundUp(n);
    const dyFinite = allFinite(e, pd, bsz * n);
    withScratch(e, [bsz * np, k * np], ([sd, so]) => {
      copyRows(e, pd, sd!, bsz, n, np);
      kernelGradInto(e, px, sd!, so!, bsz, k, np, dyFinite);
      copyRows(e, so!, po, k, n, n, np);
    });
  }
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D;
}

/**
 * `dy · kernelᵀ` (a Dense input's gradient) on the WASM backend for float32 `dy [b, n]`
 * and `kernel [k, n]` with k a multiple of 4. With b a multiple of 8 it is computed as
 * `(kernel · dyᵀ)ᵀ` when transposing dy and the result moves fewer floats than
 * transposing the kernel (the kernel is then read in place); otherwise, for k a multiple
 * of 8, as `dy · (kernelᵀ)`. Each element is the same k-order sum either way.
 * Undefined when not applicable (use `tf.matMul(dy, tf.transpose(kernel))`).
 */
export function wasmInputGrad(dy: tf.Tensor2D, kernel: tf.Tensor2D): tf.Tensor2D | undefined {
  const [bsz, n] = dy.shape;
  const k = kernel.shape[0];
  if (bsz % R !== 0 || bsz === 0 || k % R !== 0 || k === 0 || n === 0 || kernel.shape[1] !== n || !f32(dy, kernel)) return undefined;
  const viaDyT = bsz % W === 0 && (k % W !== 0 || (n + k) * bsz < k * n);
  if (!viaDyT && k % W !== 0) return undefined;
  const e = env();
  if (!e) return undefined;
  const info = e.b.makeOutput([bsz, k], 'float32');
  const [pd, pk, po] = [at(e, dy.dataId), at(e, kernel.dataId), at(e, info.dataId)];
  if (viaDyT) {
    withScratch(e, [n * bsz, k * bsz], ([sdT, soT]) => {
      transposeInto(e, pd, sdT!, bsz, n);
      e.k.gemm(pk, sdT!, at(e, zerosOf(bsz).dataId), soT!, k, n, bsz, -Infinity, 4 * n, 4, 0);
      transposeInto(e, soT!, po, k, bsz);
    });
  } else {
    withScratch(e, [n * k], ([skT]) => {
      transposeInto(e, pk, skT!, k, n);
      e.k.gemm(pd, skT!, at(e, zerosOf(k).dataId), po, bsz, n, k, -Infinity, 4 * n, 4, 0);
    });
  }
  return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D;
}

/**
 * The backward pass of ReLU fused with the bias gradient on the WASM backend:
 * `dz = dy` where `y > 0`, else 0, and `db = Σ_rows dz` (summed in row order), for
 * float32 `[m, n]` with n a multiple of 4. Undefined when not applicable.
 */
export function wasmReluBiasGrad(dy: tf.Tensor2D, y: tf.Tensor2D): { dz: tf.Tensor2D; db: tf.Tensor1D } | undefined {
  const [m, n] = y.shape;
  if (n % 4 !== 0 || m === 0 || !f32(dy, y) || dy.shape.join(',') !== y.shape.join(',')) return undefined;
  const e = env();
  if (!e) return undefined;
  const dz = e.b.makeOutput([m, n], 'float32');
  const db = e.b.makeOutput([n], 'float32');
  e.k.reluGrad(at(e, dy.dataId), at(e, y.dataId), at(e, dz.dataId), at(e, db.dataId), m, n);
  const en = tf.engine();
  return { dz: en.makeTensorFromTensorInfo(dz) as tf.Tensor2D, db: en.makeTensorFromTensorInfo(db) as tf.Tensor1D };
}
