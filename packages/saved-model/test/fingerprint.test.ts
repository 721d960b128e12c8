import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { tensorflow } from '@tfsave/protos';
import { corpusFiles, short } from './corpus.js';
import { canonicalBytes, sortWire, computeFingerprint, decodeFingerprint, decodeSavedModel, fingerprint64, fingerprintCat64, summarizeFingerprint, suffixUid, type ModelSpec } from '../src/index.js';
import { writeSavedModelDir } from '../src/node/index.js';

const FIXTURES = join(repoRoot(), 'fixtures');
const WILD = join(repoRoot(), '..', 'shared', 'wild', 'b_savedmodel');
/** SavedModels written by TF that carry a fingerprint.pb. */
const WITH_FINGERPRINT = [
  join(FIXTURES, 'tutorial-tf-keras/saved_model/my_model'),
  join(FIXTURES, 'keras3/export_savedmodel'),
  join(WILD, 'house_rent_tf2.15'),
  join(WILD, 'tfserving/saved_model_half_plus_two_tf2_cpu/00000123'),
].filter((d) => existsSync(join(d, 'fingerprint.pb')));

const ours = (dir: string) => {
  const idx = join(dir, 'variables/variables.index');
  const fp = computeFingerprint(decodeSavedModel(readFileSync(join(dir, 'saved_model.pb'))), existsSync(idx) ? readFileSync(idx) : undefined);
  return { saved_model_checksum: String(fp.savedModelChecksum), graph_def_program_hash: String(fp.graphDefProgramHash), signature_def_hash: String(fp.signatureDefHash), saved_object_graph_hash: String(fp.savedObjectGraphHash), checkpoint_hash: String(fp.checkpointHash) };
};

const w = (shape: number[]) => ({ name: 'kernel', shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i)) });
const SPECS: Record<string, ModelSpec> = {
  mlp: { inputShape: [8], layers: [{ class_name: 'Dense', config: { name: 'dense', units: 4, activation: 'relu' }, weights: [w([8, 4]), { ...w([4]), name: 'bias' }] }, { class_name: 'Dropout', config: { name: 'dropout', rate: 0.5 } }] },
  cnn: { inputShape: [6, 6, 1], layers: [{ class_name: 'Conv2D', config: { name: 'conv', filters: 2, kernel_size: [3, 3], use_bias: false }, weights: [w([3, 3, 1, 2])] }, { class_name: 'Flatten', config: { name: 'flatten' } }] },
  functional: {
    inputShape: [], inputs: [{ name: 'x', shape: [2] }, { name: 'ids', shape: [2], dtype: 'int64' }], outputs: ['y'],
    layers: [{ class_name: 'Concatenate', config: { name: 'cat' }, inbound: ['x', 'ids'] }, { class_name: 'Dense', config: { name: 'y', units: 1 }, weights: [w([4, 1]), { ...w([1]), name: 'bias' }], inbound: ['cat'] }],
  },
  constants: { inputShape: [3], weightStorage: 'constants', layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, use_bias: false }, weights: [w([3, 2])] }] },
};

test('FarmHash Fingerprint64 of every length class and FingerprintCat64 equal TensorFlow (tf.fingerprint); TF computes our fingerprint.pb for our directories and for TF\'s own', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tfsave-sm-fp-'));
  try {
    const strings = [0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1000].map((n) => Uint8Array.from({ length: n }, (_, i) => (i * 131 + n) & 255));
    strings.push(...fc.sample(fc.uint8Array({ maxLength: 300 }), { numRuns: 40, seed: 42 }));
    const dirs: string[] = [];
    for (const [name, spec] of Object.entries(SPECS)) {
      await writeSavedModelDir(join(root, name), spec);
      dirs.push(join(root, name));
    }
    writeFileSync(join(root, 'cases.json'), JSON.stringify({ strings: strings.map((s) => Buffer.from(s).toString('hex')), dirs: [...dirs, ...WITH_FINGERPRINT] }));
    const r = runPythonScript(join(repoRoot(), 'packages/saved-model/test/python/check_fingerprint.py'), [join(root, 'cases.json')]);
    assert.ok(r.ok, r.stderr);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as { strings: string[]; dirs: Record<string, { computed?: Record<string, unknown>; read?: Record<string, unknown> | null; error?: string }> };
    assert.deepEqual(strings.map((s) => fingerprint64(s).toString()), res.strings);
    for (const d of [...dirs, ...WITH_FINGERPRINT]) {
      const tf = res.dirs[d]!;
      assert.equal(tf.error, undefined, `${d}: ${tf.error}`);
      const { producer, ...hashes } = tf.computed!;
      assert.deepEqual(ours(d), hashes, `${d}: our computation vs TF's CreateFingerprintDef`);
      assert.equal(producer, 4);
    }
    for (const d of dirs) {
      // TF reads the fingerprint.pb we wrote, and it holds exactly what TF computes for the directory.
      const { singleprint, ...read } = res.dirs[d]!.read!;
      const { producer, ...computed } = res.dirs[d]!.computed!;
      assert.deepEqual(read, computed, d);
      assert.match(String(singleprint), /^\d+\/\d+\/\d+\/\d+$/);
      const file = summarizeFingerprint(decodeFingerprint(readFileSync(join(d, 'fingerprint.pb'))));
      assert.equal(file.producer, producer);
      assert.match(file.uuid, /^\d{20,39}$/);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('our fingerprint of TF-written SavedModels equals their fingerprint.pb (the tfserving checksum was written over a different serialization than the file)', () => {
  assert.ok(WITH_FINGERPRINT.length >= 2);
  for (const d of WITH_FINGERPRINT) {
    const file = summarizeFingerprint(decodeFingerprint(readFileSync(join(d, 'fingerprint.pb'))));
    const fp = ours(d);
    assert.equal(fp.graph_def_program_hash, file.graphDefProgramHash, d);
    assert.equal(fp.signature_def_hash, file.signatureDefHash, d);
    assert.equal(fp.saved_object_graph_hash, file.savedObjectGraphHash, d);
    assert.equal(fp.checkpoint_hash, file.checkpointHash, d);
    if (!d.includes('half_plus_two')) assert.equal(fp.saved_model_checksum, file.savedModelChecksum, d);
  }
});

test('function-name UIDs follow absl SimpleAtoi; FingerprintCat64 is order-sensitive', () => {
  assert.equal(suffixUid('__inference_signature_wrapper_123'), 123n);
  assert.equal(suffixUid('__inference_call_007'), 7n);
  assert.equal(suffixUid('no_uid_here'), undefined);
  assert.notEqual(fingerprintCat64(1n, 2n), fingerprintCat64(2n, 1n));
  assert.throws(() => computeFingerprint({ meta_graphs: [{ object_graph_def: { concrete_functions: { bad_name: {} } } }] }, undefined), /does not end in an integer/);
  assert.throws(() => computeFingerprint({}, undefined), (e: Error) => e.name === 'FormatError');
});

test('canonical bytes of every corpus SavedModel decode and are a fixed point of canonicalization', () => {
  const files = corpusFiles('saved_model.pb');
  assert.ok(files.length >= 10);
  for (const f of files) {
    const raw = new Uint8Array(readFileSync(f));
    const c = canonicalBytes(tensorflow.SavedModel, 'tensorflow.SavedModel', decodeSavedModel(raw));
    assert.deepEqual(sortWire(c, 'tensorflow.SavedModel'), c, short(f));
    assert.deepEqual(canonicalBytes(tensorflow.SavedModel, 'tensorflow.SavedModel', decodeSavedModel(c)), c, short(f));
    assert.equal(decodeSavedModel(c).meta_graphs.length, decodeSavedModel(raw).meta_graphs.length, short(f));
  }
  // (Most files are not byte-identical to their canonical form: TF writes map entries such as
  // FunctionDef.arg_attr out of key order on disk but hashes the sorted form.)
});

test('map entries are sorted by key bytes (not JS key order) and fields by number', () => {
  // A NodeDef whose attr map has integer-like keys: JS iterates "2" before "10", C++ sorts "10" before "2".
  const bytes = canonicalBytes(tensorflow.NodeDef, 'tensorflow.NodeDef', { name: 'n', op: 'Op', attr: { '2': { i: 1 }, '10': { i: 2 }, b: { b: true } } });
  const text = new TextDecoder('latin1').decode(bytes);
  const keys = [...text.matchAll(/\n\u0001([0-9b])|\n\u0002(10)/g)].map((m) => m[1] ?? m[2]);
  assert.deepEqual(keys, ['10', '2', 'b']);
  // Proto3 defaults are dropped, oneof members kept even when zero.
  const zero = canonicalBytes(tensorflow.AttrValue, 'tensorflow.AttrValue', { i: 0 });
  assert.deepEqual([...zero], [0x18, 0x00]);
  assert.deepEqual([...canonicalBytes(tensorflow.VersionDef, 'tensorflow.VersionDef', { producer: 0, min_consumer: 3 })], [0x10, 0x03]);
});
