import { test } from 'node:test';
import assert from 'node:assert/strict';
import { int64ToBigInt, keras, tensorflow, wireSchema } from '../src/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('BundleEntryProto encodes exactly as TensorFlow (real TF 2.2 entry bytes)', () => {
  const entry = tensorflow.BundleEntryProto.create({ dtype: 1, shape: { dim: [{ size: 2 }] }, shard_id: 1, offset: 16, size: 8, crc32c: 0xcb912af6 });
  assert.equal(hex(tensorflow.BundleEntryProto.encode(entry).finish()), '080112041202080218012010280835f62a91cb');
});

test('BundleHeaderProto for two shards is 08 02 1a 02 08 01', () => {
  const h = tensorflow.BundleHeaderProto.create({ num_shards: 2, version: { producer: 1 } });
  assert.equal(hex(tensorflow.BundleHeaderProto.encode(h).finish()), '08021a020801');
});

test('int64 fields decode as 64-bit values', () => {
  const bytes = tensorflow.BundleEntryProto.encode({ offset: '9007199254740993' as unknown as number, size: 1 }).finish();
  const back = tensorflow.BundleEntryProto.decode(bytes);
  assert.equal(int64ToBigInt(back.offset), 9007199254740993n);
});

test('SavedModel messages round-trip: signature map, TensorInfo oneof, keras SavedMetadata', () => {
  const sm = tensorflow.SavedModel.create({
    saved_model_schema_version: 1,
    meta_graphs: [{ meta_info_def: { tags: ['serve'] }, signature_def: { serving_default: { inputs: { x: { name: 'x:0', dtype: 1 } }, method_name: 'tensorflow/serving/predict' } } }],
  });
  const back = tensorflow.SavedModel.decode(tensorflow.SavedModel.encode(sm).finish());
  assert.equal(back.meta_graphs[0]?.signature_def?.['serving_default']?.inputs?.['x']?.name, 'x:0');
  const md = keras.SavedMetadata.decode(keras.SavedMetadata.encode({ nodes: [{ node_id: 0, node_path: 'root', identifier: '_tf_keras_sequential', metadata: '{}', version: { producer: 2, min_consumer: 1 } }] }).finish());
  assert.equal(md.nodes[0]?.identifier, '_tf_keras_sequential');
});

test('wireSchema knows which fields hold messages, including map entries', () => {
  assert.equal(wireSchema['tensorflow.SavedModel']?.[2], 'tensorflow.MetaGraphDef');
  assert.equal(wireSchema['tensorflow.MetaGraphDef']?.[5], 'tensorflow.MetaGraphDef.signature_def$entry');
  assert.equal(wireSchema['tensorflow.MetaGraphDef.signature_def$entry']?.[2], 'tensorflow.SignatureDef');
  assert.equal(wireSchema['tensorflow.StructuredValue']?.[51], 'tensorflow.ListValue');
});
