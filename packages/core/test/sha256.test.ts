import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Sha256, sha256Hex, tensorSha256 } from '../src/index.js';

test('sha256 of "abc" is the FIPS 180-2 vector', () => {
  assert.equal(sha256Hex(new TextEncoder().encode('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('incremental sha256 equals node:crypto for any chunking', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 6 }), (chunks) => {
      const h = new Sha256();
      const ref = createHash('sha256');
      for (const c of chunks) {
        h.update(c);
        ref.update(c);
      }
      assert.equal(h.hex(), ref.digest('hex'));
    }),
  );
});

test('string tensors hash each element as a uint64 LE length then its bytes', () => {
  const els = [new Uint8Array([]), new TextEncoder().encode('héllo')];
  const ref = createHash('sha256');
  for (const e of els) {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(e.length));
    ref.update(len).update(e);
  }
  assert.equal(tensorSha256(els), ref.digest('hex'));
  assert.equal(tensorSha256(new Float32Array([1, 2])), createHash('sha256').update(Buffer.from(new Float32Array([1, 2]).buffer)).digest('hex'));
});
