import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { crc32c, crc32cFast, crc32cKernel, crc32cUpdate, maskCrc, nativeCrc32c, registerNativeCrc32c, setCrc32cKernel } from '../src/index.js';
import { installNativeCrc32c, repoRoot } from '../src/node/index.js';

/** The addon as this package's node adapter loads it. */
const addon = createRequire(import.meta.url)('@node-rs/crc32') as { crc32c(input: Uint8Array, initialState?: number): number };
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

test('@node-rs/crc32 crc32c() is the plain (unmasked) CRC-32C: check value of "123456789", RFC 3720 vectors', () => {
  assert.equal(addon.crc32c(ascii('123456789')), 0xe3069283);
  assert.equal(addon.crc32c(ascii('123456789')), crc32c(ascii('123456789')));
  assert.notEqual(addon.crc32c(ascii('123456789')), maskCrc(0xe3069283));
  assert.equal(addon.crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(addon.crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.equal(addon.crc32c(new Uint8Array(0)), 0);
});

test('@node-rs/crc32 initialState is the unmasked CRC of the bytes before (crc32cUpdate\'s first argument), for any 32-bit value', () => {
  assert.equal(addon.crc32c(ascii('6789'), addon.crc32c(ascii('12345'))), 0xe3069283);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 5000 }), fc.integer({ min: 0, max: 0xffffffff }), (bytes, init) => addon.crc32c(bytes, init) === crc32cUpdate(init, bytes)),
    { numRuns: 300 },
  );
  // an empty input returns the state unchanged, as crc32cUpdate does
  assert.equal(addon.crc32c(new Uint8Array(0), 0x9e3779b9), 0x9e3779b9);
  assert.equal(addon.crc32c(new Uint8Array(0), 0xffffffff), 0xffffffff);
});

test('@node-rs/crc32 reads exactly the view it is given: Buffer and Uint8Array, offset subarrays, shared memory', () => {
  const backing = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 2654435761) >>> 24);
  for (const [off, len] of [[0, 10_000], [1, 999], [3, 4096], [4095, 5], [9_999, 1]] as const) {
    const view = backing.subarray(off, off + len);
    const want = crc32cUpdate(7, view);
    assert.equal(addon.crc32c(view, 7), want, `Uint8Array off=${off}`);
    assert.equal(addon.crc32c(Buffer.from(backing.buffer, off, len), 7), want, `Buffer off=${off}`);
  }
  const shared = new Uint8Array(new SharedArrayBuffer(300)).fill(0xa5);
  assert.equal(addon.crc32c(shared), crc32cUpdate(0, shared));
});

test('the registered native kernel is the addon behind a guard: it equals crc32cUpdate and returns unsigned values', () => {
  assert.ok(installNativeCrc32c());
  const nat = nativeCrc32c()!;
  const data = Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff);
  assert.equal(nat(0, data), crc32cUpdate(0, data));
  assert.equal(nat(0xffffffff, data), crc32cUpdate(0xffffffff, data));
  assert.equal(nat(-1, data), crc32cUpdate(0xffffffff, data), 'a signed state is taken as its unsigned 32 bits');
  assert.equal(nat(0x9e3779b9, new Uint8Array(0)), 0x9e3779b9);
  assert.ok(nat(0, data) >= 0);
});

test('unregistering the native kernel falls back to WebAssembly (and clears a forced native choice); registering restores it', () => {
  const nat = nativeCrc32c()!;
  const data = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 13) & 0xff);
  setCrc32cKernel('native');
  try {
    registerNativeCrc32c(undefined);
    assert.equal(crc32cKernel(), 'wasm');
    assert.throws(() => setCrc32cKernel('native'), RangeError);
    assert.equal(crc32cFast(0, data), crc32cUpdate(0, data));
  } finally {
    registerNativeCrc32c(nat);
    setCrc32cKernel(undefined);
  }
  assert.equal(crc32cKernel(), 'native');
});

test('when @node-rs/crc32 cannot be loaded (not installed, no binary for the platform) the node adapter still loads and uses WebAssembly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfsave-crc-'));
  try {
    const preload = join(dir, 'no-addon.cjs');
    writeFileSync(preload, `const M = require('node:module');
const resolve = M._resolveFilename;
M._resolveFilename = function (request, ...rest) {
  if (request.startsWith('@node-rs/crc32')) { const e = new Error("Cannot find module '" + request + "'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
  return resolve.call(this, request, ...rest);
};\n`);
    const node = pathToFileURL(join(repoRoot(), 'packages/core/dist/src/node/index.js')).href;
    const main = pathToFileURL(join(repoRoot(), 'packages/core/dist/src/index.js')).href;
    const script = `const n = await import(${JSON.stringify(node)});
const m = await import(${JSON.stringify(main)});
const d = Uint8Array.from({ length: 70000 }, (_, i) => (i * 31) & 255);
console.log(JSON.stringify({ installed: n.installNativeCrc32c(), kernel: m.crc32cKernel(), crc: m.crc32cFast(0, d) }));`;
    const out = execFileSync(process.execPath, ['--require', preload, '--input-type=module', '-e', script], { encoding: 'utf8' });
    const d = Uint8Array.from({ length: 70000 }, (_, i) => (i * 31) & 255);
    assert.deepEqual(JSON.parse(out.trim()), { installed: false, kernel: 'wasm', crc: crc32cUpdate(0, d) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
