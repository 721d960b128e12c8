import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { loadKerasModelFile, saveKerasModelFile, listKerasDatasetsFile } from '../src/node/index.js';
import { summarizeModel } from '../src/index.js';

const root = repoRoot();
const wild = join(root, '..', 'shared', 'wild');
const tfkRef = join(root, 'fixtures/tutorial-tf-keras/my_model.h5');
const k3Ref = join(root, 'fixtures/keras3/m.keras');
const hashed = [
  tfkRef,
  join(root, 'fixtures/tutorial-tf-keras/w.h5'),
  join(root, 'fixtures/keras3/m.weights.h5'),
  join(wild, 'd_keras3/obesity_keras3.7_pair/model.h5'),
  join(wild, 'c_hdf5/genomic_gaps/best_weights_cnn_200.hdf5'),
  join(wild, 'c_hdf5/keras2cpp_keras1/my_nn_weights.h5'),
];
/** Models whose Python `model.summary()` rows (name, class, output shape, params) we must reproduce. */
const summarized: [string, 'tf_keras' | 'keras3'][] = [
  [tfkRef, 'tf_keras'], [join(root, 'fixtures/custom/tfk_cnn.h5'), 'tf_keras'], [join(root, 'fixtures/custom/tfk_two_inputs.h5'), 'tf_keras'],
  [k3Ref, 'keras3'], [join(root, 'fixtures/custom/k3_cnn.keras'), 'keras3'], [join(root, 'fixtures/custom/k3_two_inputs.keras'), 'keras3'],
];

test('files we write load compiled in tf_keras and Keras 3 with the same predictions and optimizer state; Python-written files hash identically here; summaries match model.summary()', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keras-h5-interop-'));
  const { model } = await loadKerasModelFile(tfkRef);
  await saveKerasModelFile(model, join(dir, 'model.h5'), { format: 'h5' });
  await saveKerasModelFile(model, join(dir, 'model_k3.h5'), { format: 'h5', dialect: 'keras3' });
  await saveKerasModelFile(model, join(dir, 'w.h5'), { format: 'weights-h5-legacy' });
  await saveKerasModelFile(model, join(dir, 'model.weights.h5'), { format: 'weights.h5' });
  await saveKerasModelFile(model, join(dir, 'model.keras'), { format: 'keras' });
  const k3 = (await loadKerasModelFile(k3Ref)).model;
  await saveKerasModelFile(k3, join(dir, 'k3_to_tfk.h5'), { format: 'h5', dialect: 'keras2' });
  await saveKerasModelFile(k3, join(dir, 'k3_copy.keras'), { format: 'keras' });
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify({ dir, tfk_ref: tfkRef, k3_ref: k3Ref, hash: hashed, summaries: summarized.map(([file, loader]) => ({ file, loader })) }));
  const r = runPythonScript(join(root, 'packages/keras-h5/test/python/check_written.py'), [spec]);
  assert.equal(r.ok, true, r.stderr.slice(-3000));
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    checks: Record<string, { ok: boolean; detail: string }>;
    hashes: Record<string, Record<string, { sha256: string; shape: number[] }>>;
    summaries: Record<string, [string, string, (number | null)[], number][]>;
  };
  if (process.env["KERAS_H5_VERBOSE"] !== undefined) console.log(out.checks);
  const failed = Object.entries(out.checks).filter(([, c]) => !c.ok).map(([n, c]) => `${n}: ${c.detail}`);
  assert.deepEqual(failed, []);
  assert.equal(Object.keys(out.checks).length, 8 + summarized.length);
  for (const [file] of summarized) {
    const ours = summarizeModel((await loadKerasModelFile(file)).model).rows;
    const theirs = out.summaries[file]!;
    for (const [name, cls, shape, params] of theirs) {
      const row = ours.find((r) => r.name === name);
      assert.ok(row !== undefined, `${file}: layer ${name} missing from our summary`);
      assert.deepEqual([row.className, row.outputShape, row.params], [cls, shape, params], `${file}:${name}`);
    }
    assert.equal(ours.filter((r) => r.className !== 'InputLayer').length, theirs.filter(([, c]) => c !== 'InputLayer').length, file);
  }
  for (const file of hashed) {
    const ours = await listKerasDatasetsFile(file);
    const theirs = out.hashes[file]!;
    assert.deepEqual(ours.entries.map((e) => e.name).sort(), Object.keys(theirs).sort(), file);
    for (const e of ours.entries) {
      assert.equal(e.sha256, theirs[e.name]!.sha256, `${file}:${e.name}`);
      assert.deepEqual([...e.shape], theirs[e.name]!.shape);
    }
  }
});
