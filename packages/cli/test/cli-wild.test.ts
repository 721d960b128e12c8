/** Real files from old TF/Keras versions (`shared/wild`, read in place): every one is read or clearly refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WILD, assertPythonAgrees, tempDir, tfsave, tfsaveInProcess } from './helpers.js';

const READABLE: Array<[string, string]> = [
  ['a_checkpoint/a2c_ckptmanager_2025', 'tensor-bundle'],
  ['a_checkpoint/houseprices_tf1.10', 'tensor-bundle'],
  ['a_checkpoint/houseprices_tf1.10/model_longtrain.ckpt', 'tensor-bundle'],
  ['a_checkpoint/little_ruan_keras_ckpt_2shards', 'tensor-bundle'],
  ['a_checkpoint/lstm_md_save_weights_2022', 'tensor-bundle'],
  ['a_checkpoint/tfserving_tf_text_regression_vars/variables/variables.index', 'tensor-bundle'],
  ['b_savedmodel/house_rent_tf2.15', 'saved-model'],
  ['b_savedmodel/rossman_2shards', 'saved-model'],
  ['b_savedmodel/tfjs_node/int64_multiply', 'saved-model'],
  ['b_savedmodel/tfjs_node/model_multi_output', 'saved-model'],
  ['b_savedmodel/tfjs_node/module_with_multiple_signatures', 'saved-model'],
  ['b_savedmodel/tfserving/matrix_half_plus_two/1', 'saved-model'],
  ['b_savedmodel/tfserving/saved_model_counter/00000123', 'saved-model'],
  ['b_savedmodel/tfserving/saved_model_half_plus_two_cpu/00000123', 'saved-model'],
  ['c_hdf5/carnd_keras2.0.4/model.h5', 'hdf5'],
  ['c_hdf5/churn_keras2.15/model.h5', 'hdf5'],
  ['c_hdf5/churn_keras3.5_legacy_h5/model.h5', 'hdf5'],
  ['c_hdf5/genomic_gaps/best_weights_cnn_200.hdf5', 'hdf5'],
  ['c_hdf5/keras2cpp_keras1/my_nn_weights.h5', 'hdf5'],
  ['d_keras3/churn_weights_h5_tf2.15/model.weights.h5', 'hdf5'],
  ['d_keras3/diabetes_keras3.5/model.keras', 'keras-zip'],
  ['d_keras3/hitsong_keras2.14_posix/model.keras', 'keras-zip'],
  ['d_keras3/obesity_keras3.7_pair/model.h5', 'hdf5'],
  ['d_keras3/obesity_keras3.7_pair/model.keras', 'keras-zip'],
];

test('every wild file inspects and verifies', async () => {
  for (const [rel, format] of READABLE) {
    const p = join(WILD, rel);
    const i = await tfsaveInProcess(['inspect', p]);
    assert.equal(i.status, 0, `${rel}: ${i.stderr}`);
    assert.match(i.stdout, new RegExp(`: ${format}, \\d+ tensors`), rel);
    const v = await tfsaveInProcess(['verify', p]);
    assert.equal(v.status, 0, `${rel}: ${v.stderr}`);
    assert.match(v.stdout, /^ok: /);
  }
});

test('a pre-2016 V1 (TensorSliceWriter) checkpoint is refused as unsupported, in one line', () => {
  const r = tfsave(['inspect', join(WILD, 'a_checkpoint/legacy_v1_tensorslice_tfserving/00000123/export-00000-of-00001')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^tfsave inspect: tensor-bundle: unsupported V1 checkpoint/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('a SavedModel lists its signatures like saved_model_cli; --json carries signatures and variables', () => {
  const p = join(WILD, 'b_savedmodel/tfserving/saved_model_half_plus_two_cpu/00000123');
  const r = tfsave(['inspect', p]);
  assert.match(r.stdout, /MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:/);
  assert.match(r.stdout, /Method name is: tensorflow\/serving\/(predict|regress|classify)/);
  const j = JSON.parse(tfsave(['inspect', p, '--json']).stdout) as { format: string; signatures: Record<string, unknown>; entries: Array<{ name: string; sha256: string }> };
  assert.equal(j.format, 'saved-model');
  assert.ok(Object.keys(j.signatures).length > 0);
  assert.ok(j.entries.length > 0 && j.entries.every((e) => /^[0-9a-f]{64}$/.test(e.sha256)));
});

test('inspect --json of wild checkpoints agrees with TensorFlow (one Python run)', () => {
  const { dir, cleanup } = tempDir();
  try {
    const prefixes = ['a_checkpoint/houseprices_tf1.10/model_longtrain.ckpt', 'a_checkpoint/little_ruan_keras_ckpt_2shards/model.ckpt', 'a_checkpoint/lstm_md_save_weights_2022/ckpt_20', 'b_savedmodel/rossman_2shards/variables/variables'];
    const cases = prefixes.map((rel, i) => {
      const r = tfsave(['inspect', join(WILD, rel), '--json']);
      assert.equal(r.status, 0, r.stderr);
      writeFileSync(join(dir, `${i}.json`), r.stdout);
      return { kind: 'bundle-json', id: rel, prefix: join(WILD, rel), json: join(dir, `${i}.json`) };
    });
    assertPythonAgrees(dir, cases);
  } finally {
    cleanup();
  }
});
