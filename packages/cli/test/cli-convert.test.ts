/**
 * `tfsave convert` in every direction, each result loaded by TensorFlow / Keras
 * in one Python run; impossible conversions are refused before writing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { runPythonScript } from '@tfsave/core/node';
import { FIXTURES, WILD, pythonScript, tempDir, tfsave, tfsaveInProcess } from './helpers.js';

const H5 = join(FIXTURES, 'tutorial-tf-keras/my_model.h5');
const KERAS = join(FIXTURES, 'keras3/m.keras');
const CP = join(FIXTURES, 'tutorial-tf-keras/training_1/cp.ckpt');
const SM = join(FIXTURES, 'tutorial-tf-keras/saved_model/my_model');
const CNN = join(FIXTURES, 'custom/tfk_cnn.h5');
const TWO = join(FIXTURES, 'custom/tfk_two_inputs.h5');

async function ok(args: string[]): Promise<string> {
  const r = (await tfsaveInProcess(['convert', ...args]));
  assert.equal(r.status, 0, `convert ${args.join(' ')}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /HDF5-DIAG/);
  return r.stdout;
}

test('every conversion direction loads in TensorFlow / Keras (one Python run)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = (n: string): string => join(dir, n);
    await ok([H5, p('ck/model')]);
    await ok([p('ck/model'), p('back.h5')]);
    await ok([H5, p('m.keras')]);
    await ok([H5, p('m.weights.h5')]);
    await ok([H5, p('sm/')]);
    await ok([KERAS, p('k3ck')]);
    await ok([p('k3ck'), p('k3back.keras')]);
    await ok([KERAS, p('k3.h5')]);
    await ok([CP, p('like.h5'), '--like', H5]);
    await ok([CNN, p('cnn')]);
    await ok([TWO, p('two')]);
    await ok([KERAS, p('sm2'), '--to', 'saved-model']);
    await ok([SM, p('fromsm.h5')]);
    const cases = [
      { kind: 'ckpt-exact', id: '.h5 -> checkpoint (= tf_keras save_weights, optimizer restored)', prefix: p('ck/model'), reference: H5, scratch: p('ref-h5/ck') },
      { kind: 'ckpt-exact', id: 'CNN with BatchNormalization .h5 -> checkpoint', prefix: p('cnn'), reference: CNN, scratch: p('ref-cnn/ck') },
      { kind: 'ckpt-exact', id: 'two-input Functional .h5 -> checkpoint', prefix: p('two'), reference: TWO, scratch: p('ref-two/ck') },
      { kind: 'like-opt', id: 'tf_keras checkpoint --like .h5 -> .h5 keeps the optimizer state', path: p('like.h5'), ckpt: CP },
      { kind: 'ckpt-keras3', id: '.keras -> checkpoint', prefix: p('k3ck'), reference: KERAS },
      { kind: 'model', id: 'checkpoint -> .h5', path: p('back.h5'), loader: 'tf_keras', reference: H5, ref_loader: 'tf_keras' },
      { kind: 'model', id: '.h5 -> .keras', path: p('m.keras'), loader: 'keras3', reference: H5, ref_loader: 'tf_keras' },
      { kind: 'weights', id: '.h5 -> .weights.h5', path: p('m.weights.h5'), reference: H5, ref_loader: 'tf_keras' },
      { kind: 'saved-model', id: '.h5 -> SavedModel', dir: p('sm'), reference: H5, ref_loader: 'tf_keras' },
      { kind: 'model', id: 'checkpoint -> .keras', path: p('k3back.keras'), loader: 'keras3', reference: KERAS, ref_loader: 'keras3' },
      { kind: 'model', id: '.keras -> .h5', path: p('k3.h5'), loader: 'keras3', reference: KERAS, ref_loader: 'keras3' },
      { kind: 'saved-model', id: '.keras -> SavedModel', dir: p('sm2'), reference: KERAS, ref_loader: 'keras3' },
      { kind: 'model', id: 'tf_keras SavedModel -> .h5', path: p('fromsm.h5'), loader: 'tf_keras', reference: SM, ref_loader: 'tf_keras' },
    ];
    writeFileSync(p('cases.json'), JSON.stringify({ cases }));
    const py = runPythonScript(pythonScript('check_convert.py'), [p('cases.json')]);
    const lines = py.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; ok: boolean; detail: string });
    assert.equal(lines.length, cases.length, py.stderr.slice(-3000));
    for (const l of lines) assert.ok(l.ok, `${l.id}: ${l.detail}`);
    assert.equal(py.status, 0);
  } finally {
    cleanup();
  }
});

test('a Keras model converted to a checkpoint and back loses nothing (weights, optimizer state, config)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const [src, back] of [[H5, 'back.h5'], [KERAS, 'back.keras']] as const) {
      const ck = join(dir, `ck-${back}`);
      await ok([src, ck]);
      await ok([ck, join(dir, back)]);
      const d = (await tfsaveInProcess(['diff', src, join(dir, back)]));
      assert.equal(d.status, 0, d.stdout);
      assert.match(d.stdout, /matched by weight-path/);
      assert.match(d.stdout, /0 missing, 0 extra\nsame\n$/);
      const a = (await tfsaveInProcess(['inspect', src])).stdout.split('\nTensors:')[0]!.split('\n').slice(1).join('\n');
      const b = (await tfsaveInProcess(['inspect', join(dir, back)])).stdout.split('\nTensors:')[0]!.split('\n').slice(1).join('\n');
      assert.equal(b.replace(/keras_version: \S+/, ''), a.replace(/keras_version: \S+/, ''), 'same layout, model class, layers and optimizer state');
    }
  } finally {
    cleanup();
  }
});

test('optimizer state without a tf_keras layout is kept as tfsave entries with a note; --drop-optimizer leaves it out', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const src = join(WILD, 'd_keras3/churn_weights_h5_tf2.15/model.weights.h5'); // Keras 3 weights file: no optimizer config
    const r = await tfsaveInProcess(['convert', src, join(dir, 'ck')]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^tfsave convert: note: optimizer state: no optimizer config .* kept as plain _TFSAVE_KERAS_OPTIMIZER\/N entries/);
    await ok([join(dir, 'ck'), join(dir, 'back.weights.h5')]);
    const d = await tfsaveInProcess(['diff', src, join(dir, 'back.weights.h5')]);
    assert.match(d.stdout, /20 of 20 matched tensors equal within tolerance, 0 missing, 0 extra\nsame\n$/);
    await ok([H5, join(dir, 'noopt'), '--drop-optimizer']);
    const keys = (await tfsaveInProcess(['inspect', join(dir, 'noopt')])).stdout;
    assert.doesNotMatch(keys, /optimizer/);
    assert.match(keys, /layer_with_weights-1\/kernel/);
  } finally {
    cleanup();
  }
});

test('conversions that cannot be expressed are refused before anything is written', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const spawned = tfsave(['convert', H5, join(dir, 'w.weights.h5')]);
    assert.equal(spawned.status, 0, spawned.stderr);
    assert.equal(spawned.stderr, '', 'no HDF5 library diagnostics leak to stderr');
    const cases: Array<[string[], RegExp]> = [
      [[join(dir, 'w.weights.h5'), join(dir, 'x.keras')], /holds weights only \(no model config\)/],
      [[join(dir, 'w.weights.h5'), join(dir, 'x.h5')], /holds weights only/],
      [[CP, join(dir, 'x.h5')], /a TF checkpoint holds no model architecture.*--like/],
      [[join(WILD, 'b_savedmodel/tfserving/saved_model_half_plus_two_cpu/00000123'), join(dir, 'x.h5')], /pass --like MODEL/],
      [[join(WILD, 'b_savedmodel/tfserving/matrix_half_plus_two/1'), join(dir, 'x.h5')], /has no variables/],
      [[H5, join(dir, 'w.weights.h5')], /exists; pass --force/],
      [[CP, join(dir, 'x.h5'), '--like', join(FIXTURES, 'custom/tfk_cnn.h5')], /layer_with_weights-0\/kernel\/\.ATTRIBUTES\/VARIABLE_VALUE is float32 \[784, 512\] but conv2d\/kernel is float32 \[3, 3, 1, 4\]/],
      [[join(FIXTURES, 'custom/tfk_two_inputs.h5'), join(dir, 'x/')], /only Sequential models are exported, this is a Functional/],
    ];
    for (const [args, re] of cases) {
      const r = (await tfsaveInProcess(['convert', ...args]));
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.deepEqual(readdirSync(dir).sort(), ['w.weights.h5']);
    assert.ok(!existsSync(join(dir, 'x.h5')));
  } finally {
    cleanup();
  }
});
