import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { crc32cUpdate, crc32cFast, crc32cKernel, crc32cSlicing16, crc32cWasm, crc32cWasmAvailable, nativeCrc32c, setCrc32cKernel, type Crc32cKernel } from '../src/index.js';
import { installNativeCrc32c, repoRoot } from '../src/node/index.js';

const root = repoRoot();

const LANE_BLOCK = 3 * 4096;
const WINDOW = 1 << 20;
const INITS = [0, 1, 0x9e3779b9, 0x80000000, 0xffffffff];

/** The native kernel registered by `@tfsave/core/node` (this test file imports it). */
function native(): (crc: number, bytes: Uint8Array) => number {
  assert.ok(installNativeCrc32c(), '@node-rs/crc32 is installed in this repository, so the native kernel must load');
  const fn = nativeCrc32c();
  assert.ok(fn !== undefined);
  return fn;
}

test('every CRC-32C kernel equals core\'s byte loop, at any alignment, length and starting value', () => {
  assert.ok(crc32cWasmAvailable());
  const nat = native();
  const big = Uint8Array.from({ length: 2 * WINDOW + 3 * LANE_BLOCK + 64 }, (_, i) => (i * 2654435761) >>> 24);
  const edges = [0, 1, 7, 8, 15, 16, 17, 63, 64, 65, 255, 256, 257, 511, 512, LANE_BLOCK - 1, LANE_BLOCK, LANE_BLOCK + 1, 2 * LANE_BLOCK + 16, WINDOW - 1, WINDOW, WINDOW + 1, 2 * WINDOW + 7];
  for (const n of edges) {
    for (const off of [0, 1, 3]) {
      for (const init of INITS) {
        const s = big.subarray(off, off + n);
        const want = crc32cUpdate(init, s);
        assert.equal(crc32cWasm(init, s), want, `wasm n=${n} off=${off} init=${init}`);
        assert.equal(crc32cSlicing16(init, s), want, `js n=${n} off=${off} init=${init}`);
        assert.equal(nat(init, s), want, `native n=${n} off=${off} init=${init}`);
        assert.equal(crc32cFast(init, s), want, `fast n=${n} off=${off} init=${init}`);
      }
    }
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3 * LANE_BLOCK + 100 }), fc.nat(7), fc.integer({ min: 0, max: 0xffffffff }), (bytes, off, init) => {
      const s = bytes.subarray(Math.min(off, bytes.length));
      const want = crc32cUpdate(init, s);
      return crc32cWasm(init, s) === want && crc32cSlicing16(init, s) === want && nat(init, s) === want;
    }),
    { numRuns: 150 },
  );
});

test('every kernel continues a CRC: chunked passes, split anywhere, equal one pass', () => {
  const nat = native();
  const data = Uint8Array.from({ length: 150_001 }, (_, i) => (i * 40503) >>> 7);
  const want = crc32cUpdate(0, data);
  const kernels: Array<[string, (c: number, b: Uint8Array) => number]> = [['wasm', crc32cWasm], ['js', crc32cSlicing16], ['native', nat], ['fast', crc32cFast]];
  for (const [name, f] of kernels) {
    for (const cut of [0, 1, 63, 64, 255, 256, 4097, 50_000, 150_000, 150_001]) {
      assert.equal(f(f(0, data.subarray(0, cut)), data.subarray(cut)), want, `${name} cut=${cut}`);
    }
    let c = 0;
    for (let pos = 0; pos < data.length; pos += 777) c = f(c, data.subarray(pos, pos + 777));
    assert.equal(c, want, `${name} in 777-byte steps`);
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat(2000), (bytes, cut) => {
      const k = Math.min(cut, bytes.length);
      const whole = crc32cUpdate(0, bytes);
      return kernels.every(([, f]) => f(f(0, bytes.subarray(0, k)), bytes.subarray(k)) === whole);
    }),
    { numRuns: 200 },
  );
});

test('under Node with @tfsave/core/node loaded the native kernel is chosen; each kernel can be forced and back, the CRC never changes', () => {
  native();
  const data = Uint8Array.from({ length: 100_000 }, (_, i) => i * 7);
  const want = crc32cUpdate(0, data);
  assert.equal(crc32cKernel(), 'native');
  assert.equal(crc32cFast(0, data), want);
  for (const k of ['js', 'wasm', 'native'] as Crc32cKernel[]) {
    setCrc32cKernel(k);
    try {
      assert.equal(crc32cKernel(), k);
      assert.equal(crc32cFast(0, data), want, k);
      assert.equal(crc32cFast(0x12345678, data.subarray(3, 300)), crc32cUpdate(0x12345678, data.subarray(3, 300)), `${k} short`);
    } finally {
      setCrc32cKernel(undefined);
    }
  }
  assert.equal(crc32cKernel(), 'native');
});

/** Runs `script` (an ES module body) in a fresh Node process and parses the JSON line it prints. */
function runFresh(script: string, flags: string[] = []): unknown {
  const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out.trim());
}

const MAIN = pathToFileURL(join(root, 'packages/core/dist/src/index.js')).href;
const NODE = pathToFileURL(join(root, 'packages/core/dist/src/node/index.js')).href;

test('the main (browser) entry alone never loads @node-rs/crc32: it picks WebAssembly, and native cannot be forced', () => {
  const script = `import { createRequire } from 'node:module';
const m = await import(${JSON.stringify(MAIN)});
const d = Uint8Array.from({ length: 70000 }, (_, i) => (i * 31) & 255);
let forced = 'ok';
try { m.setCrc32cKernel('native'); } catch (e) { forced = e.constructor.name + ': ' + e.message; }
const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@node-rs'));
console.log(JSON.stringify({ kernel: m.crc32cKernel(), registered: m.nativeCrc32c() !== undefined, forced, loaded, crc: m.crc32cFast(0, d) }));`;
  const d = Uint8Array.from({ length: 70000 }, (_, i) => (i * 31) & 255);
  assert.deepEqual(runFresh(script), { kernel: 'wasm', registered: false, forced: 'RangeError: crc32c: no native kernel is registered', loaded: [], crc: crc32cUpdate(0, d) });
});

test('importing @tfsave/core/node registers the native kernel by itself, and it outranks WebAssembly', () => {
  const script = `await import(${JSON.stringify(NODE)});
const m = await import(${JSON.stringify(MAIN)});
const d = Uint8Array.from({ length: 70000 }, (_, i) => (i * 31) & 255);
console.log(JSON.stringify({ kernel: m.crc32cKernel(), crc: m.crc32cFast(0, d) }));`;
  const d = Uint8Array.from({ length: 70000 }, (_, i) => (i * 31) & 255);
  assert.deepEqual(runFresh(script), { kernel: 'native', crc: crc32cUpdate(0, d) });
});

test('without WebAssembly (node --no-expose-wasm) the JavaScript kernel is used, with the same results; the native one still loads in Node', () => {
  const d = Uint8Array.from({ length: 70000 }, (_, i) => (i * 31) & 255);
  const body = `const d = Uint8Array.from({ length: 70000 }, (_, i) => (i * 31) & 255);
console.log(JSON.stringify({ wasm: typeof WebAssembly, kernel: m.crc32cKernel(), available: m.crc32cWasmAvailable(), crc: m.crc32cFast(0, d) }));`;
  assert.deepEqual(runFresh(`const m = await import(${JSON.stringify(MAIN)});\n${body}`, ['--no-expose-wasm']), { wasm: 'undefined', kernel: 'js', available: false, crc: crc32cUpdate(0, d) });
  assert.deepEqual(runFresh(`await import(${JSON.stringify(NODE)});\nconst m = await import(${JSON.stringify(MAIN)});\n${body}`, ['--no-expose-wasm']), { wasm: 'undefined', kernel: 'native', available: false, crc: crc32cUpdate(0, d) });
});

test('the committed WebAssembly module is exactly what scripts/gen-crc32c-wasm.mjs emits', () => {
  const out = execFileSync(process.execPath, [join(root, 'packages/core/scripts/gen-crc32c-wasm.mjs'), '--check'], { encoding: 'utf8' });
  assert.match(out, /is up to date/);
});
