import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isFormatError } from '@tfsave/core';
import { decodeMetaGraphDef, encodeMetaGraphDef, parseMetaGraph } from '../src/index.js';
import { wild } from './corpus.js';

const metaFiles = [
  'a_checkpoint/houseprices_tf1.10/model.ckpt.meta',
  'a_checkpoint/houseprices_tf1.10/model_longtrain.ckpt.meta',
  'a_checkpoint/legacy_v1_tensorslice_tfserving/00000123/export.meta',
].map((p) => ({ name: p, bytes: new Uint8Array(readFileSync(join(wild, p))) }));

function valueOrFormatError(bytes: Uint8Array): void {
  try {
    parseMetaGraph(bytes);
  } catch (e) {
    if (!isFormatError(e)) throw new Error(`not a FormatError: ${String(e)}`);
  }
}

test('a TF 1.10 Saver .meta file parses: nodes, collections, SaverDef', () => {
  const parsed = parseMetaGraph(metaFiles[0]!.bytes, undefined, metaFiles[0]!.name);
  assert.equal(parsed.summary.tensorflowVersion, '1.10.0');
  assert.equal(parsed.summary.nodeCount, 602);
  assert.deepEqual([...parsed.collectionKeys].sort(), ['cond_context', 'train_op', 'trainable_variables', 'variables']);
  assert.equal(parsed.summary.saver?.filenameTensorName, 'save/Const:0');
});

test('every real .meta file re-encodes byte-identically', () => {
  for (const f of metaFiles) {
    const again = encodeMetaGraphDef(decodeMetaGraphDef(f.bytes, undefined, f.name));
    assert.ok(Buffer.compare(Buffer.from(again), Buffer.from(f.bytes)) === 0, f.name);
  }
});

test('a .meta file goes through the saved_model.pb wire guard and limits', () => {
  const f = metaFiles[0]!.bytes;
  assert.throws(() => decodeMetaGraphDef(f, { maxFileBytes: f.length - 1 }), (e: unknown) => isFormatError(e) && e.kind === 'limit');
  assert.throws(() => decodeMetaGraphDef(f, { maxDepth: 2 }), (e: unknown) => isFormatError(e) && e.kind === 'limit');
  assert.throws(() => decodeMetaGraphDef(f.subarray(0, f.length - 1)), (e: unknown) => isFormatError(e) && e.kind === 'truncated');
  assert.throws(() => parseMetaGraph(new Uint8Array(0)), (e: unknown) => isFormatError(e) && e.kind === 'malformed');
});

test('truncations of real .meta files give a value or a FormatError', () => {
  fc.assert(fc.property(fc.nat(metaFiles.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), (i, frac) => {
    const f = metaFiles[i]!.bytes;
    valueOrFormatError(f.subarray(0, Math.floor(f.length * frac)));
  }), { numRuns: 300 });
});

test('bit flips and byte overwrites of real .meta files give a value or a FormatError', () => {
  fc.assert(fc.property(fc.nat(metaFiles.length - 1), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(7), fc.boolean(), fc.nat(255)), { minLength: 1, maxLength: 8 }), (i, edits) => {
    const f = Uint8Array.from(metaFiles[i]!.bytes);
    for (const [at, bit, flip, v] of edits) {
      const k = Math.min(f.length - 1, Math.floor(at * f.length));
      f[k] = flip ? f[k]! ^ (1 << bit) : v;
    }
    valueOrFormatError(f);
  }), { numRuns: 300 });
});
