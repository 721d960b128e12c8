import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { isFormatError } from '@tfsave/core';
import { checkWire, decodeSavedModel, parseSavedModel } from '../src/index.js';
import { corpusFiles } from './corpus.js';

const files = corpusFiles('saved_model.pb').filter((p) => readFileSync(p).length < 100_000).map((p) => readFileSync(p));

function valueOrFormatError(bytes: Uint8Array): void {
  try {
    parseSavedModel(bytes);
  } catch (e) {
    if (!isFormatError(e)) throw new Error(`not a FormatError: ${String(e)}`);
  }
}

test('truncations of real saved_model.pb files give a value or a FormatError', () => {
  fc.assert(fc.property(fc.nat(files.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), (i, frac) => {
    const f = files[i]!;
    valueOrFormatError(f.subarray(0, Math.floor(f.length * frac)));
  }), { numRuns: 300 });
});

test('bit flips and byte overwrites of real files give a value or a FormatError', () => {
  fc.assert(fc.property(fc.nat(files.length - 1), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(255)), { minLength: 1, maxLength: 8 }), (i, edits) => {
    const f = Uint8Array.from(files[i]!);
    for (const [at, v] of edits) f[Math.min(f.length - 1, Math.floor(at * f.length))] = v;
    valueOrFormatError(f);
  }), { numRuns: 300 });
});

test('random bytes give a value or a FormatError', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => valueOrFormatError(b)), { numRuns: 500 });
});

/** A StructuredValue list nested `depth` times inside a SavedModel's object graph concrete function. */
function nested(depth: number): Uint8Array {
  // StructuredValue.list_value (51, LEN) -> ListValue.values (1, LEN) -> StructuredValue ...
  let inner: number[] = [];
  const len = (n: number): number[] => {
    const out: number[] = [];
    while (n > 127) { out.push((n & 127) | 128); n >>>= 7; }
    out.push(n);
    return out;
  };
  for (let i = 0; i < depth; i++) {
    const list = [0x0a, ...len(inner.length), ...inner];
    inner = [0x9a, 0x03, ...len(list.length), ...list];
  }
  // SavedObjectGraph.concrete_functions entry {1: key, 2: SavedConcreteFunction{3: StructuredValue}}
  const scf = [0x1a, ...len(inner.length), ...inner];
  const entry = [0x0a, 0x01, 0x66, 0x12, ...len(scf.length), ...scf];
  const og = [0x12, ...len(entry.length), ...entry];
  const mg = [0x3a, ...len(og.length), ...og];
  return Uint8Array.from([0x08, 0x01, 0x12, ...len(mg.length), ...mg]);
}

test('deep nesting is stopped by the depth limit before protobufjs recurses', () => {
  assert.doesNotThrow(() => decodeSavedModel(nested(20)));
  assert.throws(() => decodeSavedModel(nested(2000)), { name: 'FormatError', kind: 'limit', code: 'max-depth' });
  assert.throws(() => decodeSavedModel(nested(20), { maxDepth: 10 }), { kind: 'limit' });
});

test('a declared length past the end is truncated, a group wire type is malformed, message count is limited', () => {
  assert.throws(() => checkWire(Uint8Array.from([0x12, 0xff, 0xff, 0x03, 0x00]), 'tensorflow.SavedModel'), { kind: 'truncated' });
  assert.throws(() => checkWire(Uint8Array.from([0x13]), 'tensorflow.SavedModel'), { kind: 'malformed' });
  assert.throws(() => checkWire(Uint8Array.from([0x10, 0x01]), 'tensorflow.SavedModel'), { kind: 'malformed', code: 'bad-wire-type' });
  assert.throws(() => checkWire(nested(50), 'tensorflow.SavedModel', { maxMessages: 10 }), { kind: 'limit', code: 'max-messages' });
  assert.throws(() => checkWire(new Uint8Array(100), 'tensorflow.SavedModel', { maxFileBytes: 10 }), { kind: 'limit' });
});

test('no poisoned state: a good file decodes after a bad one', () => {
  assert.throws(() => parseSavedModel(files[0]!.subarray(0, 10)));
  assert.ok(parseSavedModel(files[0]!).metaGraphs.length >= 1);
});
