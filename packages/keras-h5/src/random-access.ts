/**
 * A synchronous random-access byte source. libhdf5 runs synchronously inside
 * WebAssembly and asks for byte ranges while it parses, so HDF5 reads go
 * through this interface rather than the asynchronous `RangeSource` of
 * `@tfsave/core`. The Node adapter backs it with positional reads on one file
 * descriptor; in memory it is a view of the bytes.
 */

/** Random-access, read-only bytes read synchronously. */
export interface RandomAccessReader {
  /** Total size in bytes, fixed when the reader was opened. */
  readonly size: number;
  /**
   * Fills `into` with the bytes at `position` and returns how many were read. Fewer than
   * `into.length` only when the range passes `size`, or when the backing file shrank.
   * @throws Error when the backing store fails (an IO error).
   */
  read(position: number, into: Uint8Array): number;
}

/** A reader over bytes already in memory. */
export function bytesReader(bytes: Uint8Array): RandomAccessReader {
  return {
    size: bytes.length,
    read(position, into) {
      const n = Math.max(0, Math.min(into.length, bytes.length - position));
      into.set(bytes.subarray(position, position + n));
      return n;
    },
  };
}

/**
 * The bytes `[offset, offset + length)` of another reader, as a reader of its own (a stored
 * zip member served in place).
 * @throws RangeError when the range does not lie inside `inner`.
 */
export function rangeReader(inner: RandomAccessReader, offset: number, length: number): RandomAccessReader {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > inner.size) {
    throw new RangeError(`range ${offset}+${length} is outside the ${inner.size}-byte source`);
  }
  return {
    size: length,
    read(position, into) {
      const n = Math.max(0, Math.min(into.length, length - position));
      return n === 0 ? 0 : inner.read(offset + position, into.subarray(0, n));
    },
  };
}

/**
 * Reads exactly `length` bytes at `position` into a new array.
 * @throws RangeError when the reader returns fewer bytes (the range passes its end).
 */
export function readExactly(reader: RandomAccessReader, position: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const n = length === 0 ? 0 : reader.read(position, out);
  if (n !== length) throw new RangeError(`read of ${length} bytes at ${position} returned ${n} (source has ${reader.size})`);
  return out;
}
