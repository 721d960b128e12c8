import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { crc32cUpdate, crc32cFast, crc32cKernel, crc32cSlicing16, crc32cWasm, crc32cWasmAvailable, setCrc32cKernel } from '../src/index.js';
import { repoRoot } from '../src/node/index.js';

const root = repoRoot();

const LANE_BLOCK = 3 * 4096;
const WINDOW = 1 << 20;

test('every CRC-32C kernel equals core\'s byte loop, at any alignment, length and starting value', () => {
  assert.ok(crc32cWasmAvailable());
  const big = Uint8Array.from({ length: 2 * WINDOW + 3 * LANE_BLOCK + 64 }, (_, i) => (i * 2654435761) >>> 24);
  const edges = [0, 1, 15, 16, 17, 63, 64, 511, 512, LANE_BLOCK - 1, LANE_BLOCK, LANE_BLOCK + 1, 2 * LANE_BLOCK + 16, WINDOW - 1, WINDOW, WINDOW + 1, 2 * WINDOW + 7];
  for (const n of edges) {
    for (const off of [0, 1, 3]) {
      const s = big.subarray(off, off + n);
      const want = crc32cUpdate(0x9e3779b9, s);
      assert.equal(crc32cWasm(0x9e3779b9, s), want, `wasm n=${n} off=${off}`);
      assert.equal(crc32cSlicing16(0x9e3779b9, s), want, `js n=${n} off=${off}`);
      assert.equal(crc32cFast(0x9e3779b9, s), want, `fast n=${n} off=${off}`);
    }
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3 * LANE_BLOCK + 100 }), fc.nat(7), fc.integer({ min: 0, max: 0xffffffff }), (bytes, off, init) => {
      const s = bytes.subarray(Math.min(off, bytes.length));
      const want = crc32cUpdate(init, s);
      return crc32cWasm(init, s) === want && crc32cSlicing16(init, s) === want;
    }),
    { numRuns: 150 },
  );
  // incremental = one shot
  const a = big.subarray(0, 50_000), b = big.subarray(50_000, 150_001);
  assert.equal(crc32cWasm(crc32cWasm(0, a), b), crc32cUpdate(0, big.subarray(0, 150_001)));
});

test('the kernel can be forced to JavaScript and back; the CRC value does not change', () => {
  const data = Uint8Array.from({ length: 100_000 }, (_, i) => i * 7);
  const want = crc32cUpdate(0, data);
  assert.equal(crc32cKernel(), 'wasm');
  setCrc32cKernel('js');
  try {
    assert.equal(crc32cKernel(), 'js');
    assert.equal(crc32cFast(0, data), want);
  } finally {
    setCrc32cKernel(undefined);
  }
  assert.equal(crc32cKernel(), 'wasm');
  assert.equal(crc32cFast(0, data), want);
});

test('without WebAssembly (node --no-expose-wasm) the JavaScript kernel is used, with the same results', () => {
  const mod = pathToFileURL(join(root, 'packages/core/dist/src/index.js')).href;
  const script = `const m = await import(${JSON.stringify(mod)});
const d = Uint8Array.from({ length: 70000 }, (_, i) => (i * 31) & 255);
console.log(JSON.stringify({ wasm: typeof WebAssembly, kernel: m.crc32cKernel(), available: m.crc32cWasmAvailable(), crc: m.crc32cFast(0, d) }));`;
  const out = execFileSync(process.execPath, ['--no-expose-wasm', '--input-type=module', '-e', script], { encoding: 'utf8' });
  const got = JSON.parse(out.trim()) as { wasm: string; kernel: string; available: boolean; crc: number };
  const d = Uint8Array.from({ length: 70000 }, (_, i) => (i * 31) & 255);
  assert.deepEqual(got, { wasm: 'undefined', kernel: 'js', available: false, crc: crc32cUpdate(0, d) });
});

test('the committed WebAssembly module is exactly what scripts/gen-crc32c-wasm.mjs emits', () => {
  const out = execFileSync(process.execPath, [join(root, 'packages/core/scripts/gen-crc32c-wasm.mjs'), '--check'], { encoding: 'utf8' });
  assert.match(out, /is up to date/);
});
