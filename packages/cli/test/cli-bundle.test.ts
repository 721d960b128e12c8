/**
 * `tfsave` on TF checkpoints (tensor bundles), run as a child process against
 * the Python-generated fixtures; results are checked by TensorFlow itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, assertPythonAgrees, tempDir, tfsave, tfsaveInProcess } from './helpers.js';

const CP = join(FIXTURES, 'tutorial-tf-keras/training_1/cp.ckpt');
const KERNEL = 'layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE';

test('inspect PREFIX lists every entry with dtype, shape and size, reading only the index', async () => {
  const r = tfsave(['inspect', CP]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /tensor-bundle, 15 tensors/);
  assert.match(r.stdout, /layer_with_weights-0\/kernel\/\.ATTRIBUTES\/VARIABLE_VALUE\s+float32\s+\(784, 512\)\s+1\.5 MiB/);
  assert.match(r.stdout, /optimizer\/_iterations\/\.ATTRIBUTES\/VARIABLE_VALUE\s+int64\s+\(\)\s+8 B/);
});

test('inspect finds the bundle from the .index file, a data shard, or the directory (checkpoint state file)', async () => {
  const viaIndex = (await tfsaveInProcess(['inspect', `${CP}.index`]));
  const viaData = (await tfsaveInProcess(['inspect', `${CP}.data-00000-of-00001`]));
  const viaDir = (await tfsaveInProcess(['inspect', join(FIXTURES, 'tutorial-tf-keras/training_1')]));
  for (const r of [viaIndex, viaData, viaDir]) {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /tensor-bundle, 15 tensors/);
  }
});

test('inspect --tensor prints a numpy-like summary', async () => {
  const r = (await tfsaveInProcess(['inspect', CP, '--tensor', 'optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE']));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /dtype: int64 {2}shape: \(\) {2}elements: 1/);
  assert.match(r.stdout, /array\(\d+\)/);
  const k = (await tfsaveInProcess(['inspect', CP, '--tensor', KERNEL]));
  assert.match(k.stdout, /shape: \(784, 512\) {2}elements: 401408/);
  assert.match(k.stdout, /min: -?\d\.\d+ {2}max: \d\.\d+ {2}mean: /);
  assert.match(k.stdout, /\.\.\.,/, 'large arrays are summarized with ...');
  const missing = (await tfsaveInProcess(['inspect', CP, '--tensor', 'nope']));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no tensor named "nope"/);
});

test('verify passes an intact checkpoint and names the tensor, file and offset of a flipped byte', async () => {
  const ok = (await tfsaveInProcess(['verify', CP]));
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^ok: .*15 tensors/);
  const { dir, cleanup } = tempDir();
  try {
    copyFileSync(`${CP}.index`, join(dir, 'cp.ckpt.index'));
    const data = readFileSync(`${CP}.data-00000-of-00001`);
    data[data.length - 3]! ^= 0x40;
    writeFileSync(join(dir, 'cp.ckpt.data-00000-of-00001'), data);
    const bad = tfsave(['verify', join(dir, 'cp.ckpt')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^tfsave verify: tensor-bundle: .*(crc|checksum)/i);
    assert.match(bad.stderr, /cp\.ckpt\.data-00000-of-00001/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
    const index = readFileSync(`${CP}.index`);
    writeFileSync(join(dir, 'cut.index'), index.subarray(0, index.length - 1));
    copyFileSync(`${CP}.data-00000-of-00001`, join(dir, 'cut.data-00000-of-00001'));
    const cut = (await tfsaveInProcess(['verify', join(dir, 'cut')]));
    assert.equal(cut.status, 2);
    assert.match(cut.stderr, /^tfsave verify: /);
  } finally {
    cleanup();
  }
});

test('diff: identical checkpoints exit 0; different training states exit 1 with per-tensor numbers', async () => {
  const same = (await tfsaveInProcess(['diff', CP, join(FIXTURES, 'tutorial-tf-keras/training_1')]));
  assert.equal(same.status, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /matched by weight-path/, 'a tf_keras checkpoint names its variables');
  assert.match(same.stdout, /14 of 14 matched tensors equal/);
  const byKey = (await tfsaveInProcess(['diff', join(FIXTURES, 'dtypes/raw/bundle'), join(FIXTURES, 'dtypes/raw')]));
  assert.equal(byKey.status, 0, byKey.stdout + byKey.stderr);
  assert.match(byKey.stdout, /matched by key/);
  const t2 = join(FIXTURES, 'tutorial-tf-keras/training_2');
  const d = (await tfsaveInProcess(['diff', join(t2, 'cp-0000.ckpt'), join(t2, 'cp-0005.ckpt')]));
  assert.equal(d.status, 1);
  assert.match(d.stdout, /! values dense\/kernel: max abs \d/);
  const loose = (await tfsaveInProcess(['diff', join(t2, 'cp-0000.ckpt'), join(t2, 'cp-0005.ckpt'), '--atol', '1e9', '--json']));
  const doc = JSON.parse(loose.stdout) as { same: boolean; tensors: Array<{ key: string; status: string }> };
  const kernel = doc.tensors.find((t) => t.key === 'dense/kernel');
  assert.equal(kernel?.status, 'close');
});

test('inspect --json and dump agree with TensorFlow (one Python run)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const cases: object[] = [];
    const bundles = [CP, join(FIXTURES, 'tutorial-tf-keras/checkpoints/my_checkpoint')];
    for (const sub of ['dtypes/raw/bundle', 'dtypes/sharded/ckpt', 'dtypes/object/ckpt', 'dtypes/v1_sharded/model.ckpt', 'dtypes/v1_partitioned/model.ckpt']) {
      if (existsSync(join(FIXTURES, `${sub}.index`))) bundles.push(join(FIXTURES, sub));
    }
    for (const [i, p] of bundles.entries()) {
      const r = (await tfsaveInProcess(['inspect', p, '--json']));
      assert.equal(r.status, 0, `${p}: ${r.stderr}`);
      const out = join(dir, `b${i}.json`);
      writeFileSync(out, r.stdout);
      cases.push({ kind: 'bundle-json', id: `json ${p}`, prefix: p, json: out });
    }
    mkdirSync(join(dir, 'npy'));
    for (const name of [KERNEL, 'optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE', 'layer_with_weights-1/bias/.ATTRIBUTES/VARIABLE_VALUE']) {
      const npy = join(dir, 'npy', `${cases.length}.npy`);
      const r = (await tfsaveInProcess(['dump', CP, name, '--out', npy]));
      assert.equal(r.status, 0, r.stderr);
      cases.push({ kind: 'npy', id: `dump ${name}`, npy, prefix: CP, name });
    }
    assertPythonAgrees(dir, cases);
  } finally {
    cleanup();
  }
});
