/**
 * Seeded randomness for initializers, dropout and shuffling, so a run can be
 * reproduced exactly (the streams are ours, not TensorFlow's).
 */

/** A small deterministic pseudo-random generator (mulberry32). */
export class SeededRandom {
  private state: number;

  /** @param seed any 32-bit integer; the same seed gives the same stream. */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The generator's state (to save and later {@link setState}). */
  getState(): number {
    return this.state;
  }

  /** Restores a state from {@link getState}. */
  setState(state: number): void {
    this.state = state >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * A dropout mask from `n` draws of {@link next} at once (the same draws, the same
   * state after): `scale` (as float32) where the draw is ≥ `rate`, else 0. The state
   * stays in a local integer here; `next` stores a heap number per draw.
   */
  dropoutMask(n: number, rate: number, scale: number): Float32Array {
    const out = new Float32Array(n);
    // u / 2^32 ≥ rate ⟺ u ≥ rate · 2^32 exactly (both sides are scaled by a power of two).
    const threshold = rate * 4294967296;
    let s = this.state | 0;
    for (let i = 0; i < n; i++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      if ((t ^ (t >>> 14)) >>> 0 >= threshold) out[i] = scale;
    }
    this.state = s >>> 0;
    return out;
  }

  /** Advances the stream by `n` draws without computing them (the state is a Weyl sequence). */
  skip(n: number): void {
    this.state = (this.state + Math.imul(n, 0x6d2b79f5)) >>> 0;
  }

  /** A 31-bit integer seed for tfjs random ops. */
  nextSeed(): number {
    return Math.floor(this.next() * 0x7fffffff);
  }

  /** A standard normal sample (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Fisher–Yates shuffle of `0..n-1`. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

let globalRandom = new SeededRandom(Date.now() & 0x7fffffff);

/** Seeds the stream used by initializers, dropout and shuffling (like `keras.utils.set_random_seed`). */
export function setRandomSeed(seed: number): void {
  globalRandom = new SeededRandom(seed);
}

/** The global seeded stream. */
export function globalRng(): SeededRandom {
  return globalRandom;
}
