import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeFingerprint, decodeKerasMetadata, decodeSavedModel, encodeFingerprint, encodeKerasMetadata, encodeSavedModel } from '../src/index.js';
import { corpusFiles, short } from './corpus.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const kinds = [
  { file: 'saved_model.pb', decode: decodeSavedModel, encode: encodeSavedModel },
  { file: 'keras_metadata.pb', decode: decodeKerasMetadata, encode: encodeKerasMetadata },
  { file: 'fingerprint.pb', decode: decodeFingerprint, encode: encodeFingerprint },
] as const;

// Files TF did not serialize canonically: FunctionDef.arg_attr (map<uint32,…>) entries not in key order,
// or (fingerprint of TF 2.14) fields written in descending number order. Everything else re-encodes byte for byte.
const NOT_CANONICAL = [
  'keras3/export_savedmodel/saved_model.pb',
  'tutorial-tf-keras/saved_model/my_model/saved_model.pb',
  'house_rent_tf2.15/saved_model.pb',
  'module_with_multiple_signatures/saved_model.pb',
  'model_multi_output/saved_model.pb',
  'saved_model_half_plus_two_tf2_cpu/00000123/saved_model.pb',
  'saved_model_half_plus_two_tf2_cpu/00000123/fingerprint.pb',
];

test('the corpus has SavedModels from TF 1.x to 2.21', () => {
  assert.ok(corpusFiles('saved_model.pb').length >= 12, corpusFiles('saved_model.pb').join('\n'));
});

for (const k of kinds) {
  for (const path of corpusFiles(k.file)) {
    test(`${short(path)}: decode -> encode -> decode is the identity`, () => {
      const bytes = readFileSync(path);
      const decode = k.decode as (b: Uint8Array) => object;
      const encode = k.encode as (m: object) => Uint8Array;
      const first = decode(bytes);
      const again = encode(first);
      assert.equal(again.length, bytes.length, 'same length: no field lost');
      assert.deepEqual(decode(again), first);
      const canonical = !NOT_CANONICAL.some((s) => path.endsWith(s));
      assert.equal(hex(again) === hex(bytes), canonical, canonical ? 'byte-identical re-encode' : 'known non-canonical file');
    });
  }
}
