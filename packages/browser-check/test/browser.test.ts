/**
 * Every format package works in the browser: its main entry bundles for
 * `platform: 'browser'` with no Node built-in anywhere in its import graph,
 * and the bundle runs in a bare V8 context (no `process`, no `require`, no
 * `Buffer`) where it reads real files handed to it as bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { repoRoot } from '@tfsave/core/node';
import { BROWSER_PACKAGES } from '../src/index.js';

const root = repoRoot();

async function bundle(entryCode: string): Promise<string> {
  const out = await build({
    stdin: { contents: entryCode, resolveDir: root, loader: 'js' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    globalName: 'probe',
    conditions: ['browser'],
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

for (const name of BROWSER_PACKAGES) {
  test(`@tfsave/${name} bundles for the browser with no node:* import`, async () => {
    const code = await bundle(`export * from '@tfsave/${name}';`);
    assert.ok(code.length > 1000);
    assert.doesNotMatch(code, /require\(["']node:/);
  });
}

/** A context with only what a browser page has (of what these packages use). */
function browserLikeContext(extra: Record<string, unknown>) {
  const ctx = createContext({ TextEncoder, TextDecoder, WebAssembly, console, URL, atob, btoa, setTimeout, clearTimeout, queueMicrotask, ...extra });
  assert.equal(runInContext('typeof process + typeof require + typeof Buffer', ctx), 'undefinedundefinedundefined');
  return ctx;
}

test('in a bare context, tensor-bundle reads a real TF checkpoint from bytes and verifies every CRC', async () => {
  const dir = join(root, 'fixtures/tutorial-tf-keras/training_1');
  const files = {
    'cp.ckpt.index': new Uint8Array(readFileSync(join(dir, 'cp.ckpt.index'))),
    'cp.ckpt.data-00000-of-00001': new Uint8Array(readFileSync(join(dir, 'cp.ckpt.data-00000-of-00001'))),
  };
  const code = await bundle(`
    import { MemoryOpener } from '@tfsave/core';
    import { BundleReader } from '@tfsave/tensor-bundle';
    export async function run(outer) {
      // Copy into this realm's Uint8Array, as bytes from fetch() would be.
      const files = new Map(Object.entries(outer).map(([k, v]) => [k, new Uint8Array(v)]));
      const r = await BundleReader.open(new MemoryOpener(files, 'training_1'), 'cp.ckpt');
      const verified = await r.verifyAll();
      const k = await r.readTensor('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE');
      return { verified, n: r.entries().length, shape: k.shape, first: k.data[0] };
    }`);
  const ctx = browserLikeContext({ files });
  runInContext(code, ctx);
  const result = (await runInContext('probe.run(files)', ctx)) as { verified: number; n: number; shape: number[]; first: number };
  assert.deepEqual([...result.shape], [784, 512]);
  assert.ok(result.verified >= result.n && result.n > 5);
  assert.equal(typeof result.first, 'number');
});

test('in a bare context, saved-model parses a real saved_model.pb', async () => {
  const pb = new Uint8Array(readFileSync(join(root, 'fixtures/tutorial-tf-keras/saved_model/my_model/saved_model.pb')));
  const code = await bundle(`
    import { parseSavedModel } from '@tfsave/saved-model';
    export function run(outer) {
      const m = parseSavedModel(new Uint8Array(outer));
      return { tags: m.metaGraphs[0].tags, signatures: m.metaGraphs[0].signatures.map((s) => s.key) };
    }`);
  const ctx = browserLikeContext({ pb });
  runInContext(code, ctx);
  const result = runInContext('probe.run(pb)', ctx) as { tags: string[]; signatures: string[] };
  assert.deepEqual([...result.tags], ['serve']);
  assert.ok(result.signatures.includes('serving_default'), JSON.stringify(result.signatures));
});

test('in a bare context, keras-h5 (h5wasm browser build + fflate) loads a real .keras file', async () => {
  const bytes = new Uint8Array(readFileSync(join(root, 'fixtures/keras3/m.keras')));
  const code = await bundle(`
    import { loadKerasModel } from '@tfsave/keras-h5';
    export async function run(outer) {
      const f = await loadKerasModel(new Uint8Array(outer), { name: 'm.keras' });
      return { format: f.format, layers: f.model.layers.map((l) => l.name + ':' + l.weights.length) };
    }`);
  const ctx = browserLikeContext({ bytes });
  runInContext(code, ctx);
  const result = (await runInContext('probe.run(bytes)', ctx)) as { format: string; layers: string[] };
  assert.equal(result.format, 'keras');
  assert.ok(result.layers.some((l) => l.endsWith(':2')), JSON.stringify(result.layers));
});
