import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { isFormatError, utf8Encode } from '@tfsave/core';
import { loadKerasModelFile } from '../src/node/index.js';
import { loadKerasModel, unpackKerasZip } from '../src/index.js';
import type { KerasModelDesc } from '../src/index.js';

const root = repoRoot();
const realKeras = join(root, 'fixtures/keras3/m.keras');

const isKind = (kind: string, code?: string, re?: RegExp) => (e: unknown): boolean => {
  assert.ok(isFormatError(e), String(e));
  assert.equal(e.kind, kind, e.message);
  if (code !== undefined) assert.equal(e.code, code, e.message);
  if (re !== undefined) assert.match(e.message, re);
  return true;
};

const weightsOf = (m: KerasModelDesc) => m.layers.map((l) => [l.name, l.weights.map((w) => [w.name, [...w.shape], Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).toString('base64')])]);

test('.keras entries with .., absolute paths or drive letters are refused as unsafe', async () => {
  const members = unzipSync(new Uint8Array(readFileSync(realKeras)));
  for (const bad of ['../evil.txt', 'assets/../../evil.txt', '/etc/passwd', 'C:/Windows/evil.dll', 'C:\\evil.dll', 'assets\\..\\..\\evil.txt', '\\\\server\\share\\x']) {
    const zip = zipSync({ ...members, [bad]: utf8Encode('x') });
    await assert.rejects(loadKerasModel(zip), isKind('unsafe', 'entry-path', /escapes the archive/), bad);
  }
});

test('a .keras written on Windows with backslash member names reads like the original', async () => {
  const bytes = new Uint8Array(readFileSync(realKeras));
  const members = unzipSync(bytes);
  const windows = zipSync({ ...members, 'assets\\text\\vocab.txt': utf8Encode('a\nb\n') });
  const entries = unpackKerasZip(windows);
  assert.deepEqual(entries.get('assets/text/vocab.txt'), utf8Encode('a\nb\n'));
  const a = await loadKerasModel(bytes);
  const b = await loadKerasModel(windows);
  assert.deepEqual(weightsOf(b.model), weightsOf(a.model));
  assert.deepEqual(b.model.modelConfig, a.model.modelConfig);
});

test('decompression bombs, too many entries and oversize totals are refused before inflating', async () => {
  const members = unzipSync(new Uint8Array(readFileSync(realKeras)));
  const bomb = zipSync({ ...members, 'assets/zeros.bin': [new Uint8Array(16 * 1024 * 1024), { level: 9 }] });
  assert.ok(bomb.length < readFileSync(realKeras).length + 100_000);
  await assert.rejects(loadKerasModel(bomb), isKind('limit', 'ratio', /decompression bomb/));
  await assert.rejects(loadKerasModel(zipSync(members), { zipLimits: { maxEntries: 2 } }), isKind('limit', 'entries'));
  await assert.rejects(loadKerasModel(zipSync(members), { zipLimits: { maxTotalBytes: 1000 } }), isKind('limit', 'total-size'));
});

test('HDF5 external links, virtual datasets and external storage written by h5py are refused as unsafe', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keras-h5-unsafe-'));
  const r = runPythonScript(join(root, 'packages/keras-h5/test/python/make_unsafe_h5.py'), [dir]);
  assert.equal(r.ok, true, r.stderr.slice(-2000));
  const want: Record<string, string> = { 'external_link.h5': 'external-link', 'virtual.h5': 'virtual-dataset', 'external_storage.h5': 'external-storage' };
  const names = JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
  assert.deepEqual(names.sort(), Object.keys(want).sort());
  for (const n of names) await assert.rejects(loadKerasModelFile(join(dir, n)), isKind('unsafe', want[n]), n);
  const secret = await loadKerasModelFile(join(dir, 'secret.h5')).catch((e: unknown) => e);
  assert.ok(isFormatError(secret) && secret.kind === 'unsupported', 'a plain non-Keras HDF5 file is unsupported, not read');
});

test('an HDF5 file named model.keras is read as HDF5: the format comes from content', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keras-h5-misnamed-'));
  const p = join(dir, 'model.keras');
  copyFileSync(join(root, 'fixtures/tutorial-tf-keras/my_model.h5'), p);
  const r = await loadKerasModelFile(p);
  assert.equal(r.format, 'h5');
  assert.equal(r.container, 'hdf5');
  const z = join(dir, 'model.h5');
  copyFileSync(realKeras, z);
  assert.equal((await loadKerasModelFile(z)).format, 'keras');
});

test('deeply nested HDF5 groups and JSON configs are bounded', async () => {
  const { writeHdf5, h5Ready, H5GroupBuilder, strAttr } = await import('../src/index.js');
  await h5Ready();
  const g = new H5GroupBuilder();
  g.ensureGroup(Array.from({ length: 70 }, (_, i) => `g${i}`).join('/'));
  await assert.rejects(loadKerasModel(writeHdf5(g)), isKind('limit', 'depth'));
  const h = new H5GroupBuilder();
  h.attrs['model_config'] = strAttr('['.repeat(500) + ']'.repeat(500));
  await assert.rejects(loadKerasModel(writeHdf5(h)), isKind('malformed', 'json-attr', /nesting/));
});
