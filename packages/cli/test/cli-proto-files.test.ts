/**
 * Standalone TF protobuf files — a TF1 `*.meta` MetaGraphDef, a lone `saved_model.pb`, `keras_metadata.pb`
 * and `fingerprint.pb` — are known by name, decoded strictly, and described with the facts TensorFlow's own
 * protos give (computed in one Python run for every file).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPythonScript } from '@tfsave/core/node';
import { decodeSavedModel, encodeMetaGraphDef } from '@tfsave/saved-model';
import { decodeTensorProto, type TensorProtoLike } from '../src/adapters/tensor-proto.js';
import { FIXTURES, WILD, pythonScript, tempDir, tfsave, tfsaveInProcess } from './helpers.js';

const HOUSE = join(WILD, 'a_checkpoint/houseprices_tf1.10/model.ckpt.meta');
const HOUSE_LONG = join(WILD, 'a_checkpoint/houseprices_tf1.10/model_longtrain.ckpt.meta');
const EXPORT = join(WILD, 'a_checkpoint/legacy_v1_tensorslice_tfserving/00000123/export.meta');
const TEXT_VARS = join(WILD, 'a_checkpoint/tfserving_tf_text_regression_vars');
const MY_MODEL = join(FIXTURES, 'tutorial-tf-keras/saved_model/my_model');
const HOUSE_RENT = join(WILD, 'b_savedmodel/house_rent_tf2.15');

const tmp = tempDir();
/** A TF2 MetaGraphDef (with signatures and functions) taken out of a SavedModel and written as a `.meta`. */
const SM_META = join(tmp.dir, 'from_saved_model.meta');
/** `saved_model.pb` alone in a directory. */
const LONE_PB = join(tmp.dir, 'lone', 'saved_model.pb');
const NPY = join(tmp.dir, 'shape.npy');

const METAS = [HOUSE, HOUSE_LONG, EXPORT, SM_META];
const KERAS_METADATA = [join(TEXT_VARS, 'keras_metadata.pb'), join(MY_MODEL, 'keras_metadata.pb'), join(HOUSE_RENT, 'keras_metadata.pb')];
const FINGERPRINTS = [join(TEXT_VARS, 'fingerprint.pb'), join(MY_MODEL, 'fingerprint.pb'), join(HOUSE_RENT, 'fingerprint.pb')];

type Facts = Record<string, unknown>;
const facts = new Map<string, Facts>();

function json(args: readonly string[]): Record<string, unknown> {
  const r = tfsave([...args, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function factsOf(id: string): Facts {
  const f = facts.get(id);
  assert.ok(f !== undefined, `no Python facts for ${id}`);
  return f;
}

before(() => {
  const sm = decodeSavedModel(readFileSync(join(MY_MODEL, 'saved_model.pb')));
  writeFileSync(SM_META, encodeMetaGraphDef(sm.meta_graphs[0]!));
  mkdirSync(join(tmp.dir, 'lone'));
  copyFileSync(join(MY_MODEL, 'saved_model.pb'), LONE_PB);
  const dump = tfsave(['dump', HOUSE, 'random_normal/shape', '-o', NPY]);
  assert.equal(dump.status, 0, dump.stderr);
  const cases = [
    ...METAS.map((path) => ({ kind: 'meta', id: path, path })),
    ...KERAS_METADATA.map((path) => ({ kind: 'keras-metadata', id: path, path })),
    ...FINGERPRINTS.map((path) => ({ kind: 'fingerprint', id: path, path })),
    { kind: 'saved-model-pb', id: LONE_PB, path: LONE_PB },
    { kind: 'npy', id: NPY, npy: NPY },
  ];
  writeFileSync(join(tmp.dir, 'cases.json'), JSON.stringify({ cases }));
  const py = runPythonScript(pythonScript('proto_facts.py'), [join(tmp.dir, 'cases.json')]);
  for (const line of py.stdout.trim().split('\n').filter(Boolean)) {
    const l = JSON.parse(line) as { id: string; facts?: Facts; error?: string };
    assert.equal(l.error, undefined, `${l.id}: ${l.error}`);
    facts.set(l.id, l.facts!);
  }
  assert.equal(facts.size, cases.length, py.stderr.slice(-2000));
});

after(() => tmp.cleanup());

test('inspect --json of a .meta gives the versions, tags, node count, ops, collections, saver_def, signatures and variables TensorFlow reads', () => {
  for (const path of METAS) {
    const f = factsOf(path);
    const j = json(['inspect', path]);
    assert.equal(j['format'], 'meta-graph', path);
    for (const key of ['tensorflow_version', 'tensorflow_git_version', 'tags', 'node_count', 'function_count', 'ops', 'collections', 'saver_def', 'variables']) {
      assert.deepEqual(j[key], f[key], `${path}: ${key}`);
    }
    const sigs = j['signatures'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(sigs).sort(), Object.keys(f['signatures'] as Facts).sort(), `${path}: signature keys`);
  }
  assert.equal(factsOf(HOUSE)['node_count'], 602);
  assert.equal((factsOf(HOUSE)['variables'] as unknown[]).length, 34);
});

test('the .meta signatures read like the SavedModel they came from', () => {
  const sigs = json(['inspect', SM_META])['signatures'] as Record<string, unknown>;
  assert.deepEqual(sigs['serving_default'], (factsOf(SM_META)['signatures'] as Facts)['serving_default']);
  const text = tfsave(['inspect', SM_META]).stdout;
  assert.match(text, /inputs\['dense_input'\] tensor_info:\n\s+dtype: DT_FLOAT\n\s+shape: \(-1, 784\)/);
});

test('TensorFlow imports the TF1 .meta files into a graph of exactly node_count operations', () => {
  for (const path of [HOUSE, HOUSE_LONG]) {
    const f = factsOf(path);
    assert.equal(f['imported'], f['node_count'], path);
    assert.equal(json(['inspect', path])['node_count'], f['imported']);
  }
});

test('a .meta lists its Const nodes as entries whose sha256 equals tf.make_ndarray of each', () => {
  for (const path of METAS) {
    const j = json(['inspect', path]);
    assert.deepEqual(j['entries'], factsOf(path)['consts'], path);
  }
  assert.ok((json(['inspect', HOUSE])['entries'] as unknown[]).length === 97);
});

test('inspect of a .meta prints the summary a TF user looks for', () => {
  const r = tfsave(['inspect', HOUSE]);
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout;
  assert.match(out, /: meta-graph, 97 tensors, /);
  assert.match(out, /tensorflow_version: 1\.10\.0 {2}git: v1\.10\.0-0-g656e7a2b34 {2}tags: \(none\)/);
  assert.match(out, /graph: 602 nodes, 0 functions, producer 26/);
  assert.match(out, /ops \(34\):\n {4}Add, AddN, ApplyAdam,/);
  assert.match(out, /\n {2}variables +bytes_list +34\n/);
  assert.match(out, /restore_op_name: save\/restore_all\n {2}sharded: false {2}version: V2 {2}max_to_keep: 5/);
  assert.match(out, /\n {2}Variable +VariableV2 +float32 +\(8, 100\)\n/);
  assert.match(out, /Tensors \(Const nodes\):\n {2}name +dtype +shape +size\n/);
  const legacy = tfsave(['inspect', EXPORT]).stdout;
  assert.match(legacy, /sharded: true {2}version: V1/);
  assert.match(legacy, /\n {2}global_step +Variable +int32 +\(\)\n/);
});

test('--tensor and dump read a Const tensor of a .meta', () => {
  const t = tfsave(['inspect', HOUSE, '--tensor', 'save/Const']);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /dtype: string {2}shape: \(\) {2}elements: 1\n {2}array\(b'model'\)/);
  const npy = factsOf(NPY);
  const konst = (factsOf(HOUSE)['consts'] as Array<{ name: string; sha256: string; shape: number[]; dtype: string }>).find((c) => c.name === 'random_normal/shape')!;
  assert.deepEqual(npy, { dtype: konst.dtype, shape: konst.shape, sha256: konst.sha256 });
});

test('keras_metadata.pb lists its nodes with identifiers and class names', () => {
  for (const path of KERAS_METADATA) {
    const j = json(['inspect', path]);
    assert.equal(j['format'], 'keras-metadata');
    assert.deepEqual(j['nodes'], factsOf(path)['nodes'], path);
    assert.deepEqual(j['entries'], []);
  }
  const out = tfsave(['inspect', join(MY_MODEL, 'keras_metadata.pb')]).stdout;
  assert.match(out, /: keras-metadata, 6 nodes\n/);
  assert.match(out, /model: Sequential "sequential" \(_tf_keras_sequential\)/);
  assert.match(out, /\n {2}1 +root\.layer_with_weights-0 +_tf_keras_layer +Dense +dense\n/);
});

test('fingerprint.pb shows the five hashes and the version as fingerprint_pb2 reads them', () => {
  for (const path of FINGERPRINTS) {
    const { format, entries, ...rest } = json(['inspect', path]);
    assert.equal(format, 'fingerprint');
    assert.deepEqual(entries, []);
    assert.deepEqual(rest, factsOf(path), path);
  }
  const out = tfsave(['inspect', join(TEXT_VARS, 'fingerprint.pb')]).stdout;
  assert.match(out, /saved_model_checksum: 13240788271825230145\n/);
  assert.match(out, /version: producer 1, min consumer 0\n/);
});

test('a lone saved_model.pb is a SavedModel without variables', () => {
  const f = factsOf(LONE_PB);
  const j = json(['inspect', LONE_PB]);
  assert.equal(j['format'], 'saved-model');
  assert.deepEqual(j['entries'], []);
  const sigs = j['signatures'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(sigs).sort(), Object.keys(f['signatures'] as Facts).sort());
  assert.deepEqual(sigs['serving_default'], (f['signatures'] as Facts)['serving_default']);
  const out = tfsave(['inspect', LONE_PB]).stdout;
  assert.match(out, new RegExp(`tags \\{serve\\}: TF ${String(f['tensorflow_version']).replace(/\./g, '\\.')}, 2 signatures, ${String(f['function_count'])} functions, ${String(f['node_count'])} graph nodes`));
  assert.match(out, /variables: none/);
});

test('verify decodes every one of them strictly and exits 0', async () => {
  for (const path of [...METAS, ...KERAS_METADATA, ...FINGERPRINTS, LONE_PB]) {
    const r = await tfsaveInProcess(['verify', path]);
    assert.equal(r.status, 0, `${path}: ${r.stderr}`);
    assert.match(r.stdout, /^ok: .* \((meta-graph|keras-metadata|fingerprint|saved-model), /);
  }
  assert.match((await tfsaveInProcess(['verify', HOUSE])).stdout, /\(meta-graph, 97 tensors, 12\.9 KiB checked\)/);
});

test('corrupted copies fail verify with exit 2 and one line naming the message expected, the reason and the offset', () => {
  const meta = readFileSync(HOUSE);
  const bad = join(tmp.dir, 'bad');
  mkdirSync(bad);
  const truncated = join(bad, 'truncated.ckpt.meta');
  writeFileSync(truncated, meta.subarray(0, meta.length >> 1));
  const lengthBytes = Uint8Array.from(meta);
  lengthBytes.set([0xff, 0xff, 0x7f], 1);
  const badLength = join(bad, 'length.meta');
  writeFileSync(badLength, lengthBytes);
  const fp = join(bad, 'fingerprint.pb');
  writeFileSync(fp, readFileSync(join(TEXT_VARS, 'fingerprint.pb')).subarray(0, 30));
  const km = join(bad, 'keras_metadata.pb');
  writeFileSync(km, meta);
  const cases: Array<[string, RegExp]> = [
    [truncated, /^tfsave verify: meta-graph: not a tensorflow\.MetaGraphDef \(TF1 \.meta file\): field 2 of tensorflow\.MetaGraphDef declares \d+ bytes at 3194 but only \d+ remain at offset 3194 of .*truncated\.ckpt\.meta$/],
    [badLength, /^tfsave verify: meta-graph: not a tensorflow\.MetaGraphDef \(TF1 \.meta file\): field 1 of tensorflow\.MetaGraphDef declares 2097151 bytes at 4 but only \d+ remain at offset 4 of /],
    [fp, /^tfsave verify: fingerprint: not a tensorflow\.FingerprintDef \(SavedModel fingerprint\.pb\): .* at offset 30 of /],
    [km, /^tfsave verify: keras-metadata: not a keras\.SavedMetadata \(tf_keras keras_metadata\.pb\): .* at offset \d+ of /],
  ];
  for (const [path, expected] of cases) {
    const r = tfsave(['verify', path]);
    assert.equal(r.status, 2, path);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trim(), expected);
  }
});

test('a file with such a name that is not that message is refused cleanly; other names are still judged by content', () => {
  const dir = join(tmp.dir, 'names');
  mkdirSync(dir);
  writeFileSync(join(dir, 'empty.meta'), new Uint8Array(0));
  writeFileSync(join(dir, 'notes.meta'), 'hello, not a protobuf\n');
  writeFileSync(join(dir, 'notes.pb'), 'hello, not a protobuf\n');
  const empty = tfsave(['inspect', join(dir, 'empty.meta')]);
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /^tfsave inspect: meta-graph: empty file, expected a tensorflow\.MetaGraphDef \(TF1 \.meta file\) in .*empty\.meta\n$/);
  const text = tfsave(['inspect', join(dir, 'notes.meta')]);
  assert.equal(text.status, 2);
  assert.match(text.stderr, /^tfsave inspect: meta-graph: not a tensorflow\.MetaGraphDef \(TF1 \.meta file\): .* at offset \d+ of .*notes\.meta\n$/);
  const other = tfsave(['inspect', join(dir, 'notes.pb')]);
  assert.equal(other.status, 2);
  assert.match(other.stderr, /not a TensorFlow or Keras file \(.*not named \*\.meta, saved_model\.pb, keras_metadata\.pb or fingerprint\.pb\)\n$/);
});

test('convert refuses a protobuf file that holds no weights, before writing anything', () => {
  const r = tfsave(['convert', HOUSE, join(tmp.dir, 'out.h5')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^tfsave convert: cannot convert .*model\.ckpt\.meta: a meta-graph file holds no weights/);
  assert.equal(existsSync(join(tmp.dir, 'out.h5')), false);
});

test('a Const holding fewer values than its shape repeats the last one, none gives zeros, too many is malformed (Tensor::FromProto)', () => {
  const dim = (...sizes: number[]) => ({ dim: sizes.map((size) => ({ size })) });
  const f32 = (t: TensorProtoLike) => {
    const v = decodeTensorProto(t, 'c');
    assert.equal(v.kind, 'bytes');
    return [...new Float32Array(v.kind === 'bytes' ? v.bytes.slice().buffer : new ArrayBuffer(0))];
  };
  assert.deepEqual(f32({ dtype: 1, tensor_shape: dim(2, 2), float_val: [1.5, 2] }), [1.5, 2, 2, 2]);
  assert.deepEqual(f32({ dtype: 1, tensor_shape: dim(3) }), [0, 0, 0]);
  const i64 = decodeTensorProto({ dtype: 9, tensor_shape: dim(2), int64_val: [{ low: -1, high: 0x7fffffff }, 5] } as TensorProtoLike, 'c');
  assert.deepEqual(i64.kind === 'bytes' ? [...new BigInt64Array(i64.bytes.slice().buffer)] : [], [9223372036854775807n, 5n]);
  const half = decodeTensorProto({ dtype: 19, tensor_shape: dim(2), half_val: [0x3c00] }, 'c');
  assert.deepEqual(half.kind === 'bytes' ? [...half.bytes] : [], [0x00, 0x3c, 0x00, 0x3c]);
  assert.throws(() => decodeTensorProto({ dtype: 3, tensor_shape: dim(1), int_val: [1, 2] }, 'c'), /meta-graph: Const "c" holds 2 values in int_val for 1 int32 elements/);
  assert.throws(() => decodeTensorProto({ dtype: 1, tensor_shape: dim(2), tensor_content: new Uint8Array(4) }, 'c'), /tensor_content holds 4 bytes; float32 \[2\] needs 8/);
  assert.throws(() => decodeTensorProto({ dtype: 1, tensor_shape: dim(1 << 20, 1 << 20), float_val: [1] }, 'c'), /over the 1073741824-byte limit/);
});

test('inspect --help names the protobuf files and shows an example', () => {
  const r = tfsave(['inspect', '--help']);
  assert.match(r.stdout, /\*\.meta/);
  assert.match(r.stdout, /tfsave inspect houseprices\/model\.ckpt\.meta/);
});
