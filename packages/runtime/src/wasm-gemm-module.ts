/**
 * The bytes of the runtime's Dense-layer WebAssembly SIMD module (see wasm-gemm.ts):
 * `gemm` (4×8 tiles, k-order sums, bias and ReLU floor last), `gemmIndexed` (the same
 * over listed runs of k steps only), `reluGrad` (the ReLU backward pass fused with the
 * bias gradient), and the scans `finite` and `nonzeroColumns`, hand-assembled from
 * wasm-encode.ts.
 */
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
const I32LOAD = [0x28, 0x02, 0x00];
const I32LOAD4 = [0x28, 0x02, 0x04];
const I32STORE = [0x36, 0x02, 0x00];
const OR = [0x72];
const AND = [0x71];
const FSUB = [0xfd, 0xe5, 0x01];
const VOR = [0xfd, 0x50];
const ANYTRUE = [0xfd, 0x53];
const EQZ = [0x45];
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
export const R = 4;
/** 4-float vectors per tile row (tile width 4·C columns). */
export const C = 2;

function gemmBody(indexed: boolean): number[] {
  // params: a, b, bias, out, m (multiple of R), k, n (multiple of 4·C), floor (f32: 0 = relu, -inf = linear),
  //   aRow / aK: byte strides of A between rows and between k steps (row-major A: 4k / 4; A read transposed: 4 / 4m),
  //   accumulate: 1 to continue the sums already in `out` (a later block of k), 0 to start from zero;
  //   indexed: then idx, the byte address of k ascending runs [from, to) of k steps to take (i32 pairs; k is their count)
  const [A, B, BIAS, OUT, M, , , FLOOR, AROW, AK, ACCUM, IDX] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const l0 = indexed ? 12 : 11;
  const [LDC, J, RI, PA, PO, PB, KEND] = [l0, l0 + 1, l0 + 2, l0 + 3, l0 + 4, l0 + 5, l0 + 6] as const;
  const p = (t: number): number => l0 + 7 + t;
  const q = l0 + 7 + R;
  const [PI, KA, BJ, PEND] = [q + 1, q + 2, q + 3, q + 4];
  const v0 = indexed ? q + 5 : q + 1;
  const bv = (h: number): number => v0 + h;
  const sv = v0 + C;
  const fv = sv + 1;
  const acc = (t: number, h: number): number => fv + 1 + t * C + h;
  const hs = Array.from({ length: C }, (_, h) => h);
  const ts = Array.from({ length: R }, (_, t) => t);
  const mac = (t: number): number[] => hs.flatMap((h) => [...get(acc(t, h)), ...get(bv(h)), ...get(sv), ...FMUL, ...FADD, ...set(acc(t, h))]);
  const kstep: number[] = [
    ...hs.flatMap((h) => [...get(PB), ...vload(16 * h), ...set(bv(h))]),
    ...ts.flatMap((t) => [
      ...get(p(t)), ...LOADSPLAT, ...set(sv), ...mac(t),
    ]),
    ...ts.flatMap((t) => inc(p(t), get(AK))),
    ...inc(PB, get(LDC)),
    ...get(p(0)), ...get(KEND), ...NE, ...brIf(0),
  ];
  const rows = ts.slice(1).flatMap((t) => [...get(p(t - 1)), ...get(AROW), ...ADD, ...set(p(t))]);
  // indexed: k runs [from, to) of k steps (i32 pairs at idx, k of them), each a stretch of plain k steps
  const runs: number[] = [
    ...get(B), ...get(J), ...ADD, ...set(BJ),
    ...get(IDX), ...tee(PI), ...get(5), ...i32c(8), ...MUL, ...ADD, ...set(PEND),
    ...LOOP,
    ...get(PI), ...I32LOAD, ...tee(KA), ...get(AK), ...MUL, ...get(PA), ...ADD, ...set(p(0)),
    ...rows,
    ...get(KA), ...get(LDC), ...MUL, ...get(BJ), ...ADD, ...set(PB),
    ...get(PI), ...I32LOAD4, ...get(AK), ...MUL, ...get(PA), ...ADD, ...set(KEND),
    ...LOOP, ...kstep, ...END,
    ...inc(PI, i32c(8)),
    ...get(PI), ...get(PEND), ...NE, ...brIf(0),
    ...END,
  ];
  const tile: number[] = [
    ...get(ACCUM), 0x04, 0x40,
    ...get(PO), ...set(q),
    ...ts.flatMap((t) => [...hs.flatMap((h) => [...get(q), ...vload(16 * h), ...set(acc(t, h))]), ...inc(q, get(LDC))]),
    0x05,
    ...ts.flatMap((t) => hs.flatMap((h) => [...VZERO, ...set(acc(t, h))])),
    ...END,
    ...get(B), ...get(J), ...ADD, ...set(PB),
    ...(indexed ? runs : [
      ...get(PA), ...set(p(0)),
      ...rows,
      ...get(PA), ...get(5), ...get(AK), ...MUL, ...ADD, ...set(KEND),
      ...LOOP, ...kstep, ...END,
    ]),
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
  const locals = vec([[8 + R + (indexed ? 4 : 0), I32], [3 + C + R * C, V128]]);
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

function finiteBody(): number[] {
  // params: 0 ptr, 1 bytes (a positive multiple of 16); result 1 when every float is finite: v - v is +0 (no bits set)
  // for a finite v and NaN otherwise, so the OR of all of them has no bits set exactly then
  // locals: 2 i (i32), 3 bits (v128)
  const code = [
    ...VZERO, ...set(3), ...i32c(0), ...set(2),
    ...LOOP,
    ...get(3), ...get(0), ...get(2), ...ADD, ...vload(0), ...get(0), ...get(2), ...ADD, ...vload(0), ...FSUB, ...VOR, ...set(3),
    ...get(2), ...i32c(16), ...ADD, ...tee(2), ...get(1), ...LTU, ...brIf(0),
    ...END,
    ...get(3), ...ANYTRUE, ...EQZ,
    ...END,
  ];
  const locals = vec([[1, I32], [1, V128]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

function nonzeroColumnsBody(): number[] {
  // params: 0 x, 1 rows (> 0), 2 k (> 0), 3 out; writes the ascending indices of the columns of row-major x [rows, k]
  // with an entry that is not ±0 to out (i32 each) and returns their count
  // locals: 4 c, 5 r, 6 ptr, 7 bits, 8 count, 9 stride
  const code = [
    ...get(2), ...i32c(4), ...MUL, ...set(9),
    ...i32c(0), ...set(4),
    ...LOOP,
    ...i32c(0), ...set(7), ...i32c(0), ...set(5), ...get(0), ...get(4), ...i32c(4), ...MUL, ...ADD, ...set(6),
    ...LOOP,
    ...get(7), ...get(6), ...I32LOAD, ...OR, ...set(7),
    ...inc(6, get(9)),
    ...inc(5, i32c(1)),
    ...get(5), ...get(1), ...LTU, ...brIf(0),
    ...END,
    ...get(7), ...i32c(0x7fffffff), ...AND, 0x04, 0x40,
    ...get(3), ...get(8), ...i32c(4), ...MUL, ...ADD, ...get(4), ...I32STORE,
    ...inc(8, i32c(1)),
    ...END,
    ...inc(4, i32c(1)),
    ...get(4), ...get(2), ...LTU, ...brIf(0),
    ...END,
    ...get(8),
    ...END,
  ];
  const locals = vec([[6, I32]]);
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/**
 * The module's bytes: exports `gemm(a, b, bias, out, m, k, n, floor, aRow, aK, accumulate)`, `gemmIndexed(…, idx)`
 * (only the runs of k steps listed at idx), `reluGrad(dy, y, dz, db, m, n)`, `finite(ptr, bytes)` and `nonzeroColumns(x, rows, k, out)`.
 */
export function gemmBinary(): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...vec([...Array(7).fill([I32]), [F32], [I32], [I32], [I32]]), 0x00];
  const indexedType = [0x60, ...vec([...Array(7).fill([I32]), [F32], [I32], [I32], [I32], [I32]]), 0x00];
  const reluType = [0x60, ...vec(Array(6).fill([I32]) as number[][]), 0x00];
  const finiteType = [0x60, ...vec([[I32], [I32]]), ...vec([[I32]])];
  const columnsType = [0x60, ...vec(Array(4).fill([I32]) as number[][]), ...vec([[I32]])];
  const types = section(1, vec([type, indexedType, reluType, finiteType, columnsType]));
  const imports = section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x01]]));
  const funcs = section(3, vec([[0], [1], [2], [3], [4]]));
  const names = ['gemm', 'gemmIndexed', 'reluGrad', 'finite', 'nonzeroColumns'];
  const exports = section(7, vec(names.map((n, i) => [...str(n), 0x00, i])));
  const code = section(10, vec([gemmBody(false), gemmBody(true), reluGradBody(), finiteBody(), nonzeroColumnsBody()]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...funcs, ...exports, ...code]);
}
