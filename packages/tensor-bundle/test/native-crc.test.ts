import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32cKernel, nativeCrc32c, registerNativeCrc32c, setCrc32cKernel, type Crc32cKernel } from '@tfsave/core';
import { createBundleWriter, openBundle } from '../src/node/index.js';
import { root } from './helpers.js';

const TENSORS = Array.from({ length: 6 }, (_, i) => Float32Array.from({ length: 50_000 + i * 1000 }, (_, k) => Math.sin(k + i)));

async function writeAndReadAll(prefix: string): Promise<Float32Array[]> {
  const w = createBundleWriter(prefix, { durable: false });
  for (const [i, t] of TENSORS.entries()) await w.add(`t${i}`, { dtype: 'float32', shape: [t.length], data: t });
  await w.finish();
  const r = await openBundle(prefix);
  const out: Float32Array[] = [];
  for await (const t of r.readAll()) out.push(t.data as Float32Array);
  await r.close();
  return out;
}

test('importing only @tfsave/tensor-bundle/node makes the hardware (native) CRC-32C kernel the choice, with nothing for the user to do', () => {
  const entry = pathToFileURL(join(root, 'packages/tensor-bundle/dist/src/node/index.js')).href;
  const script = `await import(${JSON.stringify(entry)});
const core = await import('@tfsave/core');
console.log(JSON.stringify({ kernel: core.crc32cKernel() }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: join(root, 'packages/tensor-bundle') });
  assert.deepEqual(JSON.parse(out.trim()), { kernel: 'native' });
});

test('createBundleWriter and openBundle + readAll checksum with the native kernel (every tensor goes through it)', async () => {
  const nat = nativeCrc32c();
  assert.ok(nat !== undefined, '@node-rs/crc32 is installed here, so the node adapter must have registered it');
  assert.equal(crc32cKernel(), 'native');
  let calls = 0;
  let bytes = 0;
  registerNativeCrc32c((crc, b) => {
    calls++;
    bytes += b.length;
    return nat(crc, b);
  });
  const dir = mkdtempSync(join(tmpdir(), 'tensor-bundle-native-'));
  try {
    const stored = TENSORS.reduce((a, t) => a + t.byteLength, 0);
    const got = await writeAndReadAll(join(dir, 'ckpt'));
    assert.deepEqual(got, TENSORS);
    assert.ok(calls >= 2 * TENSORS.length, `native kernel called ${calls} times`);
    assert.equal(bytes, 2 * stored, 'every stored byte checksummed once on write and once on read');
  } finally {
    registerNativeCrc32c(nat);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('setCrc32cKernel still forces each kernel on the node path; the files are byte-identical whichever computed the CRCs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensor-bundle-kernels-'));
  try {
    const files: Record<string, string> = {};
    for (const k of ['native', 'wasm', 'js'] as Crc32cKernel[]) {
      setCrc32cKernel(k);
      try {
        assert.equal(crc32cKernel(), k);
        const prefix = join(dir, k);
        assert.deepEqual(await writeAndReadAll(prefix), TENSORS, k);
        files[k] = readFileSync(`${prefix}.index`).toString('hex') + readFileSync(`${prefix}.data-00000-of-00001`).toString('hex');
      } finally {
        setCrc32cKernel(undefined);
      }
    }
    assert.equal(files['wasm'], files['native']);
    assert.equal(files['js'], files['native']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
