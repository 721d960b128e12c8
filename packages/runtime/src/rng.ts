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
