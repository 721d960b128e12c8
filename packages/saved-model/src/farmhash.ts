/**
 * FarmHash `Fingerprint64` (the `farmhashna::Hash64` variant TensorFlow's
 * `tsl::Fingerprint64` uses) and TensorFlow's `FingerprintCat64`, over 64-bit
 * BigInts. Upstream: google/farmhash src/farmhash.cc, tsl/platform/fingerprint.h.
 */

const M64 = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;

const u64 = (x: bigint): bigint => x & M64;
const mul = (a: bigint, b: bigint): bigint => (a * b) & M64;
const add = (...xs: bigint[]): bigint => xs.reduce((a, b) => a + b, 0n) & M64;
const rot = (v: bigint, s: bigint): bigint => (s === 0n ? v : ((v >> s) | (v << (64n - s))) & M64);
const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

function fetch64(s: Uint8Array, i: number): bigint {
  const lo = (s[i]! | (s[i + 1]! << 8) | (s[i + 2]! << 16) | (s[i + 3]! << 24)) >>> 0;
  const hi = (s[i + 4]! | (s[i + 5]! << 8) | (s[i + 6]! << 16) | (s[i + 7]! << 24)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}
const fetch32 = (s: Uint8Array, i: number): bigint => BigInt((s[i]! | (s[i + 1]! << 8) | (s[i + 2]! << 16) | (s[i + 3]! << 24)) >>> 0);

function hashLen16(u: bigint, v: bigint, m: bigint): bigint {
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

function len0to16(s: Uint8Array, off: number, len: number): bigint {
  if (len >= 8) {
    const m = add(K2, BigInt(len * 2));
    const a = add(fetch64(s, off), K2);
    const b = fetch64(s, off + len - 8);
    const c = add(mul(rot(b, 37n), m), a);
    const d = mul(add(rot(a, 25n), b), m);
    return hashLen16(c, d, m);
  }
  if (len >= 4) {
    const m = add(K2, BigInt(len * 2));
    const a = fetch32(s, off);
    return hashLen16(add(BigInt(len), u64(a << 3n)), fetch32(s, off + len - 4), m);
  }
  if (len > 0) {
    const y = BigInt(s[off]! + (s[off + (len >> 1)]! << 8));
    const z = BigInt(len + (s[off + len - 1]! << 2));
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function len17to32(s: Uint8Array, off: number, len: number): bigint {
  const m = add(K2, BigInt(len * 2));
  const a = mul(fetch64(s, off), K1);
  const b = fetch64(s, off + 8);
  const c = mul(fetch64(s, off + len - 8), m);
  const d = mul(fetch64(s, off + len - 16), K2);
  return hashLen16(add(rot(add(a, b), 43n), rot(c, 30n), d), add(a, rot(add(b, K2), 18n), c), m);
}

function len33to64(s: Uint8Array, off: number, len: number): bigint {
  const m = add(K2, BigInt(len * 2));
  const a = mul(fetch64(s, off), K2);
  const b = fetch64(s, off + 8);
  const c = mul(fetch64(s, off + len - 8), m);
  const d = mul(fetch64(s, off + len - 16), K2);
  const y = add(rot(add(a, b), 43n), rot(c, 30n), d);
  const z = hashLen16(y, add(a, rot(add(b, K2), 18n), c), m);
  const e = mul(fetch64(s, off + 16), m);
  const f = fetch64(s, off + 24);
  const g = mul(add(y, fetch64(s, off + len - 32)), m);
  const h = mul(add(z, fetch64(s, off + len - 24)), m);
  return hashLen16(add(rot(add(e, f), 43n), rot(g, 30n), h), add(e, rot(add(f, a), 18n), g), m);
}

/** Returns `[first, second]` of the 32-byte weak hash of `s[i..i+32)` with seeds `a`, `b`. */
function weak32(s: Uint8Array, i: number, a: bigint, b: bigint): [bigint, bigint] {
  const w = fetch64(s, i), x = fetch64(s, i + 8), y = fetch64(s, i + 16), z = fetch64(s, i + 24);
  a = add(a, w);
  b = rot(add(b, a, z), 21n);
  const c = a;
  a = add(a, x, y);
  b = add(b, rot(a, 44n));
  return [add(a, z), add(b, c)];
}

/** FarmHash Fingerprint64 of `s` as an unsigned 64-bit BigInt. */
export function fingerprint64(s: Uint8Array): bigint {
  const len = s.length;
  if (len <= 16) return len0to16(s, 0, len);
  if (len <= 32) return len17to32(s, 0, len);
  if (len <= 64) return len33to64(s, 0, len);
  const seed = 81n;
  let x = seed;
  let y = add(mul(seed, K1), 113n);
  let z = mul(shiftMix(add(mul(y, K2), 113n)), K2);
  let v: [bigint, bigint] = [0n, 0n];
  let w: [bigint, bigint] = [0n, 0n];
  x = add(mul(x, K2), fetch64(s, 0));
  const end = Math.floor((len - 1) / 64) * 64;
  const last64 = len - 64;
  let p = 0;
  do {
    x = mul(rot(add(x, y, v[0], fetch64(s, p + 8)), 37n), K1);
    y = mul(rot(add(y, v[1], fetch64(s, p + 48)), 42n), K1);
    x ^= w[1];
    y = add(y, v[0], fetch64(s, p + 40));
    z = mul(rot(add(z, w[0]), 33n), K1);
    v = weak32(s, p, mul(v[1], K1), add(x, w[0]));
    w = weak32(s, p + 32, add(z, w[1]), add(y, fetch64(s, p + 16)));
    [z, x] = [x, z];
    p += 64;
  } while (p !== end);
  const m = add(K1, (z & 0xffn) << 1n);
  p = last64;
  w[0] = add(w[0], BigInt((len - 1) & 63));
  v[0] = add(v[0], w[0]);
  w[0] = add(w[0], v[0]);
  x = mul(rot(add(x, y, v[0], fetch64(s, p + 8)), 37n), m);
  y = mul(rot(add(y, v[1], fetch64(s, p + 48)), 42n), m);
  x ^= mul(w[1], 9n);
  y = add(y, mul(v[0], 9n), fetch64(s, p + 40));
  z = mul(rot(add(z, w[0]), 33n), m);
  v = weak32(s, p, mul(v[1], m), add(x, w[0]));
  w = weak32(s, p + 32, add(z, w[1]), add(y, fetch64(s, p + 16)));
  [z, x] = [x, z];
  return hashLen16(add(hashLen16(v[0], w[0], m), mul(shiftMix(y), K0), z), add(hashLen16(v[1], w[1], m), x), m);
}

/** FarmHash Fingerprint64 of the UTF-8 bytes of `text`. */
export function fingerprint64String(text: string): bigint {
  return fingerprint64(new TextEncoder().encode(text));
}

/** TensorFlow's `FingerprintCat64(fp1, fp2)`: combines two fingerprints (not commutative). */
export function fingerprintCat64(fp1: bigint, fp2: bigint): bigint {
  const kMul = 0xc6a4a7935bd1e995n;
  let r = fp1 ^ kMul;
  r ^= mul(shiftMix(mul(fp2, kMul)), kMul);
  r = mul(r, kMul);
  r = mul(shiftMix(r), kMul);
  return shiftMix(r);
}
