/** Shared test helpers: backend init, fixture paths, MNIST tensors, comparisons. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@tfsave/core/node';
import { initBackend, tf } from '../src/index.js';
import { loadExamples } from '../src/node/index.js';

/** The backend all tests run on. */
export const backendReady = initBackend(process.env['TFSAVE_BACKEND'] === 'cpu' ? 'cpu' : 'wasm');

/** `fixtures/<rel>` when present. */
export function fixture(rel: string): string {
  const p = join(repoRoot(), 'fixtures', rel);
  if (!existsSync(p)) throw new Error(`fixture ${rel} is missing: run \`npm run fixtures\``);
  return p;
}

/** MNIST examples as tensors `x[n,784]` float32 and `y[n]` int32. */
export function mnistTensors(start: number, count: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const e = loadExamples(start, count);
  return { x: tf.tensor2d(e.x, [count, 784]), y: tf.tensor1d(e.y, 'int32') };
}

/** Largest `|a-b| / max(|b|, floor)` over two arrays. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor);
    if (d > m) m = d;
  }
  return m;
}

/** Relative error of a tensor as a whole: `‖a-b‖₂ / ‖b‖₂` (0 when both are zero). */
export function relNormDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/** Largest `|a-b|`. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
