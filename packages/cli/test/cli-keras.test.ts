/** `tfsave` on Keras files (legacy .h5, .weights.h5, .keras); results checked by h5py / numpy. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPythonScript } from '@tfsave/core/node';
import { FIXTURES, assertPythonAgrees, pythonScript, tempDir, tfsave, tfsaveInProcess } from './helpers.js';

const H5 = join(FIXTURES, 'tutorial-tf-keras/my_model.h5');
const KERAS = join(FIXTURES, 'keras3/m.keras');
const WEIGHTS = join(FIXTURES, 'keras3/m.weights.h5');

const SUMMARIES = [
  { id: 'tutorial .h5', path: H5, loader: 'tf_keras' },
  { id: 'CNN .h5', path: join(FIXTURES, 'custom/tfk_cnn.h5'), loader: 'tf_keras' },
  { id: 'two-input Functional .h5', path: join(FIXTURES, 'custom/tfk_two_inputs.h5'), loader: 'tf_keras' },
  { id: 'Sequential .keras', path: KERAS, loader: 'keras3' },
  { id: 'two-input Functional .keras', path: join(FIXTURES, 'custom/k3_two_inputs.keras'), loader: 'keras3' },
  { id: 'CNN .keras', path: join(FIXTURES, 'custom/k3_cnn.keras'), loader: 'keras3' },
];
const KERAS3_CHECKPOINTED = [KERAS, join(FIXTURES, 'custom/k3_cnn.keras')];

interface KerasSummary { kind: 'summary'; id: string; ok: boolean; rows: Array<[string, string, string, number]>; total: number; text: string }
interface Keras3Checkpoint { kind: 'checkpoint'; model: string; prefix: string; weights: number; optimizer_variables: number }

const refDir = tempDir();
after(() => refDir.cleanup());
let refs: Array<KerasSummary | Keras3Checkpoint> | undefined;
/** What Keras's model.summary() prints and Keras 3 tf.train.Checkpoints, from one Python run shared by the tests below. */
function kerasReferences(): Array<KerasSummary | Keras3Checkpoint> {
  if (refs === undefined) {
    writeFileSync(join(refDir.dir, 'cases.json'), JSON.stringify({ summaries: SUMMARIES, checkpoints: { out: refDir.dir, models: KERAS3_CHECKPOINTED } }));
    const py = runPythonScript(pythonScript('keras_reference.py'), [join(refDir.dir, 'cases.json')]);
    assert.equal(py.status, 0, py.stderr.slice(-2000));
    refs = py.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as KerasSummary | Keras3Checkpoint);
  }
  return refs;
}

test('inspect .h5 shows the Keras layer table and the stored datasets', async () => {
  const r = tfsave(['inspect', H5]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /: hdf5, \d+ tensors/);
  assert.match(r.stdout, /layout: h5 {2}model: Sequential/);
  assert.match(r.stdout, /dense \(Dense\)\s+\(None, 512\)\s+401920\n/);
  assert.match(r.stdout, /Total params: 407050/);
  assert.match(r.stdout, /\/model_weights\/dense\/dense\/kernel:0\s+float32\s+\(784, 512\)/);
  assert.equal(r.stderr, '');
});

test("inspect prints the layer table Keras's model.summary() prints (tf_keras and Keras 3, one Python run)", async () => {
  const keras = kerasReferences().filter((r): r is KerasSummary => r.kind === 'summary');
  assert.equal(keras.length, SUMMARIES.length);
  for (const [i, c] of SUMMARIES.entries()) {
    const want = keras[i]!;
    assert.ok(want.ok, `${c.id}: ${want.text}`);
    const r = await tfsaveInProcess(['inspect', c.path, '--json']);
    const layers = (JSON.parse(r.stdout) as { layers: Array<{ name: string; class_name: string; output_shape: Array<number | null>; params: number }> }).layers;
    const shape = (s: Array<number | null>): string => `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`;
    const got = layers.map((l) => [l.name, l.class_name, shape(l.output_shape), l.params]);
    // tf_keras wraps a Functional InputLayer's shape in a list: [(None, 784)]
    assert.deepEqual(got, want.rows.map(([n, k, s, p]) => [n, k, s.replace(/^\[(.*)\]$/, '$1'), p]), c.id);
    const text = (await tfsaveInProcess(['inspect', c.path])).stdout;
    for (const [n, k, s, p] of got) assert.match(text, new RegExp(`\\n  ${n} \\(${k}\\) +${String(s).replace(/[()]/g, '\\$&')} +${p}\\n`), `${c.id}: row ${n}`);
    assert.match(text, new RegExp(`Total params: ${want.total}\\n`), c.id);
  }
});

test('diff matches a Keras 3 tf.train.Checkpoint to its .keras by weight path: model variables and optimizer state', async () => {
  const written = kerasReferences().filter((r): r is Keras3Checkpoint => r.kind === 'checkpoint');
  assert.equal(written.length, KERAS3_CHECKPOINTED.length);
  for (const w of written) {
    const r = await tfsaveInProcess(['diff', w.model, w.prefix]);
    const n = w.weights + w.optimizer_variables;
    assert.match(r.stdout, /matched by weight-path/, r.stdout);
    assert.match(r.stdout, new RegExp(`\\n${n} of ${n} matched tensors equal within tolerance, 0 missing, 0 extra\\nsame\\n$`), r.stdout);
    assert.equal(r.status, 0);
    const it = await tfsaveInProcess(['inspect', w.prefix, '--tensor', 'optimizer/0']);
    assert.match(it.stdout, /dtype: int64 {2}shape: \(\)/, `${w.model}: optimizer/0 is the iteration counter`);
  }
});

test('libhdf5 prints nothing of its own: a conversion is silent, a corrupt .h5 gives one error line (real executable)', () => {
  const { dir, cleanup } = tempDir();
  try {
    const ok = tfsave(['convert', H5, join(dir, 'm.keras')]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stderr, '');
    const back = tfsave(['convert', join(dir, 'm.keras'), join(dir, 'back.h5')]);
    assert.equal(back.stderr, '');
    writeFileSync(join(dir, 'trunc.h5'), readFileSync(H5).subarray(0, 100_000));
    for (const cmd of ['verify', 'inspect']) {
      const bad = tfsave([cmd, join(dir, 'trunc.h5')]);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /^tfsave \w+: hdf5: .*truncated file: eof = 100000.*\n$/);
      assert.doesNotMatch(bad.stderr, /HDF5-DIAG|#000/);
    }
  } finally {
    cleanup();
  }
});

test('inspect .keras names datasets by zip member; .weights.h5 is recognized', async () => {
  const k = (await tfsaveInProcess(['inspect', KERAS]));
  assert.equal(k.status, 0, k.stderr);
  assert.match(k.stdout, /: keras-zip, /);
  assert.match(k.stdout, /model\.weights\.h5:\/layers\/dense\/vars\/0\s+float32\s+\(784, 32\)/);
  const w = (await tfsaveInProcess(['inspect', WEIGHTS]));
  assert.equal(w.status, 0, w.stderr);
  assert.match(w.stdout, /layout: weights\.h5/);
});

test('format detection uses content, not the name', async () => {
  const { dir, cleanup } = tempDir();
  try {
    copyFileSync(H5, join(dir, 'model.bin'));
    copyFileSync(KERAS, join(dir, 'model.h5'));
    assert.match((await tfsaveInProcess(['inspect', join(dir, 'model.bin')])).stdout, /: hdf5, /);
    assert.match((await tfsaveInProcess(['inspect', join(dir, 'model.h5')])).stdout, /: keras-zip, /);
  } finally {
    cleanup();
  }
});

test('inspect --tensor accepts the dataset path or the Keras weight path', async () => {
  const a = (await tfsaveInProcess(['inspect', H5, '--tensor', '/model_weights/dense_1/dense_1/bias:0']));
  const b = (await tfsaveInProcess(['inspect', H5, '--tensor', 'dense_1/bias']));
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  assert.match(a.stdout, /shape: \(10,\)/);
  assert.equal(a.stdout.split('\n').slice(1).join('\n'), b.stdout.split('\n').slice(1).join('\n'));
});

test('verify checks zip CRCs of a .keras: a flipped byte inside the archive is caught', async () => {
  assert.equal((await tfsaveInProcess(['verify', KERAS])).status, 0);
  assert.equal((await tfsaveInProcess(['verify', H5])).status, 0);
  const { dir, cleanup } = tempDir();
  try {
    const bytes = readFileSync(KERAS);
    const i = bytes.indexOf(Buffer.from('config.json')) + 40;
    bytes[i]! ^= 0x01;
    writeFileSync(join(dir, 'bad.keras'), bytes);
    const r = (await tfsaveInProcess(['verify', join(dir, 'bad.keras')]));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^tfsave verify: keras/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  } finally {
    cleanup();
  }
});

test('diff matches Keras models by weight path across layouts', async () => {
  const same = (await tfsaveInProcess(['diff', H5, H5]));
  assert.equal(same.status, 0, same.stdout);
  assert.match(same.stdout, /matched by weight-path/);
  const other = (await tfsaveInProcess(['diff', H5, KERAS]));
  assert.equal(other.status, 1);
  assert.match(other.stdout, /matched by weight-path/);
  // m.keras is the tutorial architecture with 32 hidden units: shape changes, and values where shapes agree
  assert.match(other.stdout, /! shape dense\/kernel: \(784, 512\) -> \(784, 32\)/);
  assert.match(other.stdout, /! values dense_1\/bias: max abs/);
  const ckpt = (await tfsaveInProcess(['diff', H5, join(FIXTURES, 'tutorial-tf-keras/training_1/cp.ckpt')]));
  assert.equal(ckpt.status, 1);
  assert.match(ckpt.stdout, /matched by weight-path/, 'a tf_keras checkpoint names its variables in the object graph');
  assert.match(ckpt.stdout, /! values dense\/kernel \(dense\/kernel vs layer_with_weights-0\/kernel\/\.ATTRIBUTES\/VARIABLE_VALUE\)/);
  assert.match(ckpt.stdout, /\+ extra in B: {3}optimizer\/learning_rate/);
  const plain = (await tfsaveInProcess(['diff', H5, join(FIXTURES, 'dtypes/raw/bundle')]));
  assert.equal(plain.status, 1);
  assert.match(plain.stdout, /matched by key/);
  assert.match(plain.stdout, /- missing in B: \/model_weights\/dense\/dense\/kernel:0/);
});

test('inspect --json and dump of HDF5 datasets agree with h5py (one Python run)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cases: object[] = [];
    for (const [i, f] of [H5, WEIGHTS, join(FIXTURES, 'tutorial-tf-keras/w.h5')].entries()) {
      const r = (await tfsaveInProcess(['inspect', f, '--json']));
      assert.equal(r.status, 0, r.stderr);
      writeFileSync(join(dir, `${i}.json`), r.stdout);
      cases.push({ kind: 'h5-json', id: `json ${f}`, h5: f, json: join(dir, `${i}.json`) });
    }
    const kj = (await tfsaveInProcess(['inspect', KERAS, '--json']));
    writeFileSync(join(dir, 'k.json'), kj.stdout);
    cases.push({ kind: 'h5-json', id: 'json m.keras', h5: KERAS, member: 'model.weights.h5', json: join(dir, 'k.json') });
    for (const ds of ['/model_weights/dense/dense/kernel:0', '/optimizer_weights/iteration:0']) {
      const npy = join(dir, `${cases.length}.npy`);
      const r = (await tfsaveInProcess(['dump', H5, ds, '-o', npy]));
      assert.equal(r.status, 0, r.stderr);
      cases.push({ kind: 'npy-h5', id: `dump ${ds}`, npy, h5: H5, dataset: ds });
    }
    assertPythonAgrees(dir, cases);
  } finally {
    cleanup();
  }
});
