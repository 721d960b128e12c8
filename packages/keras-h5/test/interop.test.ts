import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { loadKerasModelFile, saveKerasModelFile, listKerasDatasetsFile } from '../src/node/index.js';

const root = repoRoot();
const wild = join(root, '..', 'shared', 'wild');
const fixtureRef = join(root, 'fixtures/tutorial-tf-keras/my_model.h5');
// The fixture set may be regenerating; the tf_keras 2.15 wild file is the fallback reference.
const reference = existsSync(fixtureRef) ? fixtureRef : join(wild, 'c_hdf5/churn_keras2.15/model.h5');
const hashed = [
  reference,
  join(root, 'fixtures/tutorial-tf-keras/w.h5'),
  join(root, 'fixtures/keras3/m.weights.h5'),
  join(wild, 'd_keras3/obesity_keras3.7_pair/model.h5'),
  join(wild, 'c_hdf5/genomic_gaps/best_weights_cnn_200.hdf5'),
  join(wild, 'c_hdf5/keras2cpp_keras1/my_nn_weights.h5'),
].filter(existsSync);

test('files we write load in tf_keras and Keras 3 with the same predictions; Python-written files hash identically here', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keras-h5-interop-'));
  const { model } = await loadKerasModelFile(reference);
  await saveKerasModelFile(model, join(dir, 'model.h5'), { format: 'h5' });
  await saveKerasModelFile(model, join(dir, 'w.h5'), { format: 'weights-h5-legacy' });
  await saveKerasModelFile(model, join(dir, 'model.weights.h5'), { format: 'weights.h5' });
  await saveKerasModelFile(model, join(dir, 'model.keras'), { format: 'keras' });
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify({ reference, dir, hash: hashed }));
  const r = runPythonScript(join(root, 'packages/keras-h5/test/python/check_written.py'), [spec]);
  assert.equal(r.ok, true, r.stderr.slice(-3000));
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    checks: Record<string, { ok: boolean; detail: string }>;
    hashes: Record<string, Record<string, { sha256: string; shape: number[] }>>;
  };
  for (const [name, c] of Object.entries(out.checks)) assert.equal(c.ok, true, `${name}: ${c.detail}`);
  assert.ok(Object.keys(out.checks).length >= 7);
  for (const file of hashed) {
    const ours = await listKerasDatasetsFile(file);
    const theirs = out.hashes[file]!;
    assert.deepEqual(ours.entries.map((e) => e.name).sort(), Object.keys(theirs).sort(), file);
    for (const e of ours.entries) {
      assert.equal(e.sha256, theirs[e.name]!.sha256, `${file}:${e.name}`);
      assert.deepEqual([...e.shape], theirs[e.name]!.shape);
    }
  }
  assert.ok(readFileSync(join(dir, 'model.keras')).length > 0);
});
