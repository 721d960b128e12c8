/** Helpers for protobufjs 64-bit integer values (`number`, `Long` or a decimal string). */

/** A protobufjs int64 value as decoded or accepted by encoders. */
export type Int64Like = number | string | { low: number; high: number; unsigned?: boolean; toString(): string } | null | undefined;

/** Converts an int64 value to a bigint (0 for null/undefined). */
export function int64ToBigInt(v: Int64Like, unsigned = false): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'string') return BigInt(v);
  const lo = BigInt(v.low >>> 0);
  const hi = BigInt(v.high >>> 0);
  const u = (hi << 32n) | lo;
  return unsigned || v.unsigned ? u : BigInt.asIntN(64, u);
}

/**
 * Converts an int64 value to a number.
 * @throws RangeError when the value is not a safe integer.
 */
export function int64ToNumber(v: Int64Like, unsigned = false): number {
  const b = int64ToBigInt(v, unsigned);
  if (b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`int64 ${b} is not a safe integer`);
  return Number(b);
}
