/** `tfsave` on Keras files (legacy .h5, .weights.h5, .keras); results checked by h5py / numpy. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPythonScript } from '@tfsave/core/node';
import { FIXTURES, pythonScript, tempDir, tfsave, tfsaveInProcess } from './helpers.js';

const H5 = join(FIXTURES, 'tutorial-tf-keras/my_model.h5');
const KERAS = join(FIXTURES, 'keras3/m.keras');
const WEIGHTS = join(FIXTURES, 'keras3/m.weights.h5');

test('inspect .h5 shows the Keras layer table and the stored datasets', async () => {
  const r = tfsave(['inspect', H5]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /: hdf5, \d+ tensors/);
  assert.match(r.stdout, /layout: h5 {2}model: Sequential/);
  assert.match(r.stdout, /dense\s+Dense\s+401920\s+\(784, 512\) \(512,\)/);
  assert.match(r.stdout, /total params: 407050/);
  assert.match(r.stdout, /\/model_weights\/dense\/dense\/kernel:0\s+float32\s+\(784, 512\)/);
  assert.equal(r.stderr, '');
});

test('inspect .keras names datasets by zip member; .weights.h5 is recognized', async () => {
  const k = (await tfsaveInProcess(['inspect', KERAS]));
  assert.equal(k.status, 0, k.stderr);
  assert.match(k.stdout, /: keras-zip, /);
  assert.match(k.stdout, /model\.weights\.h5:\/layers\/dense\/vars\/0\s+float32\s+\(784, 512\)/);
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
  assert.match(other.stdout, /! values dense\/kernel: max abs/);
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
    writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases }));
    const py = runPythonScript(pythonScript('check_cli.py'), [join(dir, 'cases.json')]);
    const lines = py.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; ok: boolean; detail: string });
    assert.equal(lines.length, cases.length, py.stderr.slice(-2000));
    for (const l of lines) assert.ok(l.ok, `${l.id}: ${l.detail}`);
  } finally {
    cleanup();
  }
});
