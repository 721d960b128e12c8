/**
 * An honest byte cursor: every read is bounds-checked once, nothing is ever
 * clamped or zero-filled, and 64-bit values are read as 64-bit.
 */
import { FormatError } from './errors.js';

/** Sequential little-endian reader over a `Uint8Array`. */
export class ByteCursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Current position, relative to the start of `bytes`. */
  pos: number;
  /** Added to positions in error messages (where `bytes` sits in its file). */
  readonly base: number;

  /**
   * @param bytes - the bytes to read
   * @param format - format name used in errors
   * @param path - file name used in errors
   * @param base - offset of `bytes[0]` in the file, for error messages
   */
  constructor(bytes: Uint8Array, readonly format: string, readonly path?: string, base = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
    this.base = base;
  }

  /** Bytes left after the current position. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Throws a truncation error unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (!(n >= 0) || n > this.bytes.length - this.pos) {
      throw new FormatError(`${what} needs ${n} bytes but only ${this.bytes.length - this.pos} remain`, {
        format: this.format,
        kind: 'truncated',
        code: 'truncated',
        path: this.path,
        offset: this.base + this.pos,
      });
    }
  }

  /** A malformed-input error at the current position. */
  malformed(reason: string, code: string): FormatError {
    return new FormatError(reason, { format: this.format, kind: 'malformed', code, path: this.path, offset: this.base + this.pos });
  }

  u8(what = 'byte'): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  u32(what = 'uint32'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(what = 'uint64'): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A view (no copy) of the next `n` bytes. */
  take(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A varint of at most 32 bits. */
  varint32(what = 'varint32'): number {
    let result = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const b = this.u8(what);
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (shift === 28 && b > 0x0f) throw this.malformed(`${what} overflows 32 bits`, 'varint-overflow');
        return result >>> 0;
      }
    }
    throw this.malformed(`${what} is longer than 5 bytes`, 'varint-overflow');
  }

  /** A varint of at most 64 bits, as a bigint. */
  varint64(what = 'varint64'): bigint {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      const b = this.u8(what);
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x70) >>> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32);
      if ((b & 0x80) === 0) {
        if (i === 9 && b > 1) throw this.malformed(`${what} overflows 64 bits`, 'varint-overflow');
        return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
      }
    }
    throw this.malformed(`${what} is longer than 10 bytes`, 'varint-overflow');
  }

  /** A varint that must fit a safe JS integer (offsets and sizes). */
  varintSafe(what = 'varint'): number {
    const at = this.pos;
    const v = this.varint64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.pos = at;
      throw this.malformed(`${what} ${v} exceeds 2^53`, 'varint-range');
    }
    return Number(v);
  }
}
