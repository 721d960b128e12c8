import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bfloat16ToNumber, float16ToNumber, numberToBfloat16, numberToFloat16 } from '../src/index.js';

test('float16 known encodings', () => {
  assert.equal(float16ToNumber(0x3c00), 1);
  assert.equal(float16ToNumber(0xc000), -2);
  assert.equal(float16ToNumber(0x7bff), 65504);
  assert.equal(float16ToNumber(0x0001), 2 ** -24);
  assert.equal(float16ToNumber(0x7c00), Infinity);
  assert.ok(Number.isNaN(float16ToNumber(0x7e00)));
  assert.equal(numberToFloat16(65520), 0x7c00);
  assert.equal(numberToFloat16(1 / 3), 0x3555);
});

test('every finite float16 survives number and back', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff }), (h) => {
      const exp = (h >>> 10) & 0x1f;
      fc.pre(exp !== 31);
      assert.equal(numberToFloat16(float16ToNumber(h)), h);
    }),
  );
});

test('bfloat16 is the high half of float32 with round-to-nearest-even', () => {
  assert.equal(bfloat16ToNumber(0x3f80), 1);
  assert.equal(numberToBfloat16(1), 0x3f80);
  assert.equal(numberToBfloat16(Math.PI), 0x4049);
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), (b) => {
    const v = bfloat16ToNumber(b);
    fc.pre(!Number.isNaN(v));
    assert.equal(numberToBfloat16(v), b);
  }));
});
