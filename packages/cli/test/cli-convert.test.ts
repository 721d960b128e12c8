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

/** One cell of the source × target matrix: a conversion and how Python checks its result. */
interface Cell {
  readonly id: string;
  /** `convert` arguments; `@name` is a path in the test's temp directory. */
  readonly args: readonly string[];
  /** The check_convert.py case (without its id); `@name` values are temp paths. */
  readonly check: Readonly<Record<string, string | boolean>>;
}

const K3H5 = join(FIXTURES, 'keras3/legacy.h5');
const K3SM = join(FIXTURES, 'keras3/export_savedmodel');
const K3W = join(FIXTURES, 'keras3/m.weights.h5');
const TFKW = join(FIXTURES, 'tutorial-tf-keras/w.h5');
const TFK_CUSTOM = join(FIXTURES, 'custom/tfk_custom_layer.h5');
const K3_CUSTOM = join(FIXTURES, 'custom/k3_custom_layer.keras');

/**
 * Every direction that can be expressed, in dependency order (a cell may convert an earlier cell's output).
 * Sources: tf_keras .h5, Keras 3 .h5, Keras 3 .keras, Keras 3 .weights.h5, tf_keras weights .h5, checkpoints
 * written by tfsave (from tf_keras and Keras 3 models), a tf_keras save_weights checkpoint, a tf_keras SavedModel.
 */
const MATRIX: readonly Cell[] = [
  // tf_keras .h5
  { id: '.h5 -> checkpoint (= tf_keras save_weights, optimizer restored)', args: [H5, '@ck/model'], check: { kind: 'ckpt-exact', prefix: '@ck/model', reference: H5, scratch: '@ref-h5/ck' } },
  { id: '.h5 -> SavedModel', args: [H5, '@sm/'], check: { kind: 'saved-model', dir: '@sm', reference: H5, ref_loader: 'tf_keras' } },
  { id: '.h5 -> .weights.h5', args: [H5, '@m.weights.h5'], check: { kind: 'weights', path: '@m.weights.h5', reference: H5, ref_loader: 'tf_keras' } },
  { id: '.h5 -> .keras', args: [H5, '@m.keras'], check: { kind: 'model', path: '@m.keras', loader: 'keras3', reference: H5, ref_loader: 'tf_keras' } },
  { id: 'CNN with BatchNormalization .h5 -> checkpoint', args: [CNN, '@cnn'], check: { kind: 'ckpt-exact', prefix: '@cnn', reference: CNN, scratch: '@ref-cnn/ck' } },
  { id: 'two-input Functional .h5 -> checkpoint', args: [TWO, '@two'], check: { kind: 'ckpt-exact', prefix: '@two', reference: TWO, scratch: '@ref-two/ck' } },
  { id: 'two-input Functional .h5 -> .keras', args: [TWO, '@two.keras'], check: { kind: 'model', path: '@two.keras', loader: 'keras3', reference: TWO, ref_loader: 'tf_keras' } },
  { id: 'tf_keras custom layer (tfsave>ScaledDense) .h5 -> .keras', args: [TFK_CUSTOM, '@custom.keras'], check: { kind: 'model', path: '@custom.keras', loader: 'keras3', reference: TFK_CUSTOM, ref_loader: 'tf_keras', custom: true } },
  // Keras 3 .h5 (Keras 3 dialect inside a legacy file)
  { id: 'Keras 3 .h5 -> checkpoint', args: [K3H5, '@k3h5ck'], check: { kind: 'ckpt-keras3', prefix: '@k3h5ck', reference: K3H5, h5_optimizer: true } },
  { id: 'Keras 3 .h5 -> SavedModel', args: [K3H5, '@k3h5sm/'], check: { kind: 'saved-model', dir: '@k3h5sm', reference: K3H5, ref_loader: 'keras3' } },
  { id: 'Keras 3 .h5 -> .weights.h5', args: [K3H5, '@k3h5.weights.h5'], check: { kind: 'weights', path: '@k3h5.weights.h5', reference: K3H5, ref_loader: 'keras3' } },
  { id: 'Keras 3 .h5 -> .keras', args: [K3H5, '@k3h5.keras'], check: { kind: 'model', path: '@k3h5.keras', loader: 'keras3', reference: K3H5, ref_loader: 'keras3' } },
  // Keras 3 .keras
  { id: '.keras -> checkpoint', args: [KERAS, '@k3ck'], check: { kind: 'ckpt-keras3', prefix: '@k3ck', reference: KERAS } },
  { id: '.keras -> SavedModel', args: [KERAS, '@sm2', '--to', 'saved-model'], check: { kind: 'saved-model', dir: '@sm2', reference: KERAS, ref_loader: 'keras3' } },
  { id: '.keras -> .h5', args: [KERAS, '@k3.h5'], check: { kind: 'model', path: '@k3.h5', loader: 'keras3', reference: KERAS, ref_loader: 'keras3' } },
  { id: '.keras -> .weights.h5', args: [KERAS, '@k3.weights.h5'], check: { kind: 'weights', path: '@k3.weights.h5', reference: KERAS, ref_loader: 'keras3' } },
  { id: 'Keras 3 custom layer .keras -> .h5', args: [K3_CUSTOM, '@k3custom.h5'], check: { kind: 'model', path: '@k3custom.h5', loader: 'keras3', reference: K3_CUSTOM, ref_loader: 'keras3', custom: true } },
  // Keras 3 .weights.h5 (no config: weights named var_N unless --like names them)
  { id: 'Keras 3 .weights.h5 -> checkpoint (unnamed weights)', args: [K3W, '@k3wck'], check: { kind: 'ckpt-weights', prefix: '@k3wck', reference: KERAS, ref_loader: 'keras3', named: false } },
  { id: 'Keras 3 .weights.h5 --like .keras -> checkpoint', args: [K3W, '@k3wlikeck', '--like', KERAS], check: { kind: 'ckpt-keras3', prefix: '@k3wlikeck', reference: KERAS } },
  { id: 'Keras 3 .weights.h5 --like .keras -> .keras', args: [K3W, '@k3wlike.keras', '--like', KERAS], check: { kind: 'model', path: '@k3wlike.keras', loader: 'keras3', reference: KERAS, ref_loader: 'keras3' } },
  { id: 'Keras 3 .weights.h5 --like .keras -> .h5', args: [K3W, '@k3wlike.h5', '--like', KERAS], check: { kind: 'model', path: '@k3wlike.h5', loader: 'keras3', reference: KERAS, ref_loader: 'keras3' } },
  { id: 'Keras 3 .weights.h5 --like .keras -> SavedModel', args: [K3W, '@k3wlikesm/', '--like', KERAS], check: { kind: 'saved-model', dir: '@k3wlikesm', reference: KERAS, ref_loader: 'keras3' } },
  // tf_keras weights .h5 (save_weights("w.h5"))
  { id: 'tf_keras weights .h5 -> checkpoint', args: [TFKW, '@tfkwck'], check: { kind: 'ckpt-weights', prefix: '@tfkwck', reference: TFKW, ref_loader: 'tf_keras_weights', ref_arch: H5 } },
  { id: 'tf_keras weights .h5 -> .weights.h5', args: [TFKW, '@tfkw.weights.h5'], check: { kind: 'weights', path: '@tfkw.weights.h5', reference: TFKW, ref_loader: 'tf_keras_weights', ref_arch: H5, arch: H5 } },
  { id: 'tf_keras weights .h5 --like .h5 -> .h5', args: [TFKW, '@tfkwlike.h5', '--like', H5], check: { kind: 'model', path: '@tfkwlike.h5', loader: 'tf_keras', reference: TFKW, ref_loader: 'tf_keras_weights', ref_arch: H5 } },
  { id: 'tf_keras weights .h5 --like .h5 -> .keras', args: [TFKW, '@tfkwlike.keras', '--like', H5], check: { kind: 'model', path: '@tfkwlike.keras', loader: 'keras3', reference: TFKW, ref_loader: 'tf_keras_weights', ref_arch: H5 } },
  { id: 'tf_keras weights .h5 --like .h5 -> SavedModel', args: [TFKW, '@tfkwlikesm/', '--like', H5], check: { kind: 'saved-model', dir: '@tfkwlikesm', reference: TFKW, ref_loader: 'tf_keras_weights', ref_arch: H5 } },
  // checkpoints written by tfsave convert
  { id: 'checkpoint (from tf_keras .h5) -> .h5', args: ['@ck/model', '@back.h5'], check: { kind: 'model', path: '@back.h5', loader: 'tf_keras', reference: H5, ref_loader: 'tf_keras' } },
  { id: 'checkpoint (from tf_keras .h5) -> .keras', args: ['@ck/model', '@ckback.keras'], check: { kind: 'model', path: '@ckback.keras', loader: 'keras3', reference: H5, ref_loader: 'tf_keras' } },
  { id: 'checkpoint (from tf_keras .h5) -> .weights.h5', args: ['@ck/model', '@ck.weights.h5'], check: { kind: 'weights', path: '@ck.weights.h5', reference: H5, ref_loader: 'tf_keras' } },
  { id: 'checkpoint (from tf_keras .h5) -> SavedModel', args: ['@ck/model', '@cksm/'], check: { kind: 'saved-model', dir: '@cksm', reference: H5, ref_loader: 'tf_keras' } },
  { id: 'checkpoint (from .keras) -> .keras', args: ['@k3ck', '@k3back.keras'], check: { kind: 'model', path: '@k3back.keras', loader: 'keras3', reference: KERAS, ref_loader: 'keras3' } },
  { id: 'checkpoint (from .keras) -> .h5', args: ['@k3ck', '@k3back.h5'], check: { kind: 'model', path: '@k3back.h5', loader: 'keras3', reference: KERAS, ref_loader: 'keras3' } },
  { id: 'checkpoint (from .keras) -> .weights.h5', args: ['@k3ck', '@k3back.weights.h5'], check: { kind: 'weights', path: '@k3back.weights.h5', reference: KERAS, ref_loader: 'keras3' } },
  { id: 'checkpoint (from .keras) -> SavedModel', args: ['@k3ck', '@k3cksm/'], check: { kind: 'saved-model', dir: '@k3cksm', reference: KERAS, ref_loader: 'keras3' } },
  // a tf_keras save_weights checkpoint: the architecture comes from --like
  { id: 'tf_keras checkpoint --like .h5 -> .h5 keeps the optimizer state', args: [CP, '@like.h5', '--like', H5], check: { kind: 'like-opt', path: '@like.h5', ckpt: CP } },
  { id: 'tf_keras checkpoint --like .h5 -> .keras', args: [CP, '@like.keras', '--like', H5], check: { kind: 'like-opt', path: '@like.keras', ckpt: CP, loader: 'keras3', optimizer: false } },
  { id: 'tf_keras checkpoint --like .h5 -> .weights.h5', args: [CP, '@like.weights.h5', '--like', H5], check: { kind: 'weights', path: '@like.weights.h5', reference: '@like.h5', ref_loader: 'tf_keras' } },
  { id: 'tf_keras checkpoint --like .h5 -> SavedModel', args: [CP, '@likesm/', '--like', H5], check: { kind: 'saved-model', dir: '@likesm', reference: '@like.h5', ref_loader: 'tf_keras' } },
  { id: 'tf_keras checkpoint --like .h5 -> checkpoint (= tf_keras save_weights)', args: [CP, '@likeck', '--like', H5], check: { kind: 'ckpt-exact', prefix: '@likeck', reference: '@like.h5', scratch: '@ref-like/ck' } },
  // a tf_keras SavedModel (architecture from keras_metadata.pb)
  { id: 'tf_keras SavedModel -> .h5', args: [SM, '@fromsm.h5'], check: { kind: 'model', path: '@fromsm.h5', loader: 'tf_keras', reference: SM, ref_loader: 'tf_keras' } },
  { id: 'tf_keras SavedModel -> .keras', args: [SM, '@fromsm.keras'], check: { kind: 'model', path: '@fromsm.keras', loader: 'keras3', reference: SM, ref_loader: 'tf_keras' } },
  { id: 'tf_keras SavedModel -> .weights.h5', args: [SM, '@fromsm.weights.h5'], check: { kind: 'weights', path: '@fromsm.weights.h5', reference: SM, ref_loader: 'tf_keras', arch: H5 } },
  { id: 'tf_keras SavedModel -> checkpoint (= tf_keras save_weights, optimizer restored)', args: [SM, '@fromsmck'], check: { kind: 'ckpt-exact', prefix: '@fromsmck', reference: '@fromsm.h5', scratch: '@ref-sm/ck' } },
  { id: 'tf_keras SavedModel -> SavedModel', args: [SM, '@smsm/'], check: { kind: 'saved-model', dir: '@smsm', reference: SM, ref_loader: 'tf_keras' } },
  // SavedModels written by tfsave convert carry the same Keras metadata
  { id: 'SavedModel written by tfsave (from tf_keras .h5) -> .h5', args: ['@sm', '@smback.h5'], check: { kind: 'model', path: '@smback.h5', loader: 'tf_keras', reference: H5, ref_loader: 'tf_keras' } },
  { id: 'SavedModel written by tfsave (from tf_keras .h5) -> checkpoint', args: ['@sm', '@smbackck'], check: { kind: 'ckpt-weights', prefix: '@smbackck', reference: H5, ref_loader: 'tf_keras' } },
  { id: 'SavedModel written by tfsave (from tf_keras .h5) -> .weights.h5', args: ['@sm', '@smback.weights.h5'], check: { kind: 'weights', path: '@smback.weights.h5', reference: H5, ref_loader: 'tf_keras' } },
  { id: 'SavedModel written by tfsave (from .keras) -> .keras', args: ['@sm2', '@sm2back.keras'], check: { kind: 'model', path: '@sm2back.keras', loader: 'keras3', reference: KERAS, ref_loader: 'keras3' } },
];

test('every conversion direction loads in TensorFlow / Keras (one Python run)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const at = (v: string): string => (v.startsWith('@') ? join(dir, v.slice(1)) + (v.endsWith('/') ? '/' : '') : v);
    for (const c of MATRIX) await ok(c.args.map(at));
    const cases = MATRIX.map((c) => ({ id: c.id, ...Object.fromEntries(Object.entries(c.check).map(([k, v]) => [k, typeof v === 'string' ? at(v) : v])) }));
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases }));
    const py = runPythonScript(pythonScript('check_convert.py'), [join(dir, 'cases.json')]);
    const lines = py.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; ok: boolean; detail: string });
    assert.equal(lines.length, cases.length, py.stderr.slice(-3000));
    const failed = lines.filter((l) => !l.ok).map((l) => `${l.id}: ${l.detail}`);
    assert.deepEqual(failed, []);
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
    assert.match(r.stderr, /\ntfsave convert: note: the weights file names no variables .*layer_with_weights-K\/var_N.*pass --like MODEL/);
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
      [[K3W, join(dir, 'x/')], /cannot be expressed as a SavedModel: the source has no model config \(weights only\)/],
      [[TFKW, join(dir, 'x.keras')], /holds weights only/],
      [[K3W, join(dir, 'x.keras'), '--like', H5], /dense\/kernel is float32 \[784, 32\] but the --like model's is float32 \[784, 512\]/],
      [[H5, join(dir, 'x.keras'), '--like', KERAS], /already holds a model; --like is for checkpoints/],
      ...(['x.keras', 'x.weights.h5', 'x/', 'ck2'].map((o) => [[CP, join(dir, o)], /a TF checkpoint holds no model architecture or layer names; pass --like MODEL/] as [string[], RegExp])),
      [[TFKW, join(dir, 'x/')], /cannot be expressed as a SavedModel: the source has no model config/],
      ...(['x.keras', 'x.h5', 'x.weights.h5', 'x/', 'ck2'].map((o) => [[K3SM, join(dir, o)], /pass --like MODEL \(\.h5\/\.keras\) with the architecture of this SavedModel/] as [string[], RegExp])),
      [[K3SM, join(dir, 'x.keras'), '--like', KERAS], /checkpoint has no layer_with_weights-0\/kernel\/\.ATTRIBUTES\/VARIABLE_VALUE for dense\/kernel; it does not fit the --like model/],
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
