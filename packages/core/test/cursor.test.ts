import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteCursor, ByteBuilder, FormatError, isFormatError } from '../src/index.js';

test('varint64 round-trips every unsigned 64-bit value', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
      const bytes = new ByteBuilder().varint(v).toBytes();
      const c = new ByteCursor(bytes, 'test');
      assert.equal(c.varint64(), v);
      assert.equal(c.remaining, 0);
    }),
  );
});

test('a cut-short read is a truncated FormatError naming file and offset', () => {
  const c = new ByteCursor(new Uint8Array([1, 2, 3]), 'demo', 'x.bin', 100);
  c.u8();
  assert.throws(() => c.u32('footer'), (e: unknown) => {
    assert.ok(e instanceof FormatError);
    assert.equal(e.kind, 'truncated');
    assert.equal(e.offset, 101);
    assert.match(e.message, /^demo: footer needs 4 bytes but only 2 remain at offset 101 of x\.bin$/);
    return true;
  });
});

test('an over-long varint is malformed, never a silent wrap', () => {
  const c = new ByteCursor(new Uint8Array(11).fill(0xff), 'demo');
  assert.throws(() => c.varint64(), (e: unknown) => isFormatError(e) && e.kind === 'malformed');
  const d = new ByteCursor(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x1f]), 'demo');
  assert.throws(() => d.varint32(), (e: unknown) => isFormatError(e) && e.code === 'varint-overflow');
});

test('varintSafe refuses values beyond 2^53', () => {
  const bytes = new ByteBuilder().varint(1n << 60n).toBytes();
  assert.throws(() => new ByteCursor(bytes, 'demo').varintSafe('size'), /exceeds 2\^53/);
});

test('any bytes decode as varints or give a FormatError, never another exception', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      const c = new ByteCursor(bytes, 'fuzz');
      try {
        while (c.remaining > 0) c.varint64();
      } catch (e) {
        assert.ok(isFormatError(e), String(e));
      }
    }),
  );
});
