import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc32c, crc32cUpdate, maskCrc, unmaskCrc } from '../src/index.js';

const ascii = (s: string) => new TextEncoder().encode(s);

test('crc32c matches the standard check value of "123456789"', () => {
  assert.equal(crc32c(ascii('123456789')), 0xe3069283);
});

test('crc32c of empty input is 0 and of 32 zero bytes is 0x8a9136aa (RFC 3720)', () => {
  assert.equal(crc32c(new Uint8Array(0)), 0);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
});

test('incremental updates equal one pass over the concatenation', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
      const both = new Uint8Array(a.length + b.length);
      both.set(a);
      both.set(b, a.length);
      assert.equal(crc32cUpdate(crc32cUpdate(0, a), b), crc32c(both));
    }),
  );
});

test('unmask inverts mask for every 32-bit value', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => unmaskCrc(maskCrc(v)) === v));
});
