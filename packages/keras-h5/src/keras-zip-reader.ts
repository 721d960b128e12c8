/**
 * A `.keras` zip read in place from a {@link RandomAccessReader}: the central
 * directory (zip64 too) is parsed, and each member is either served as a byte
 * range of the archive (stored, which is how Keras writes them) or inflated
 * when read (deflated). Entry names and sizes are checked with the same rules
 * and limits before anything is inflated; {@link unpackKerasZip} reads every member of a zip in memory.
 */
import { inflateSync } from 'fflate';
import { errorsFor, FormatError, utf8Decode } from '@tfsave/core';
import { DEFAULT_ZIP_LIMITS, safeEntryName } from './keras-zip.js';
import type { KerasZipEntries, KerasZipLimits } from './keras-zip.js';
import { bytesReader, rangeReader, readExactly } from './random-access.js';
import type { RandomAccessReader } from './random-access.js';

const fail = errorsFor('keras-zip');

const EOCD = 0x06054b50, ZIP64_LOCATOR = 0x07064b50, ZIP64_EOCD = 0x06064b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;
const U16 = 0xffff, U32 = 0xffffffff;

/** One member of a zip read in place. */
export interface ZipMember {
  readonly name: string;
  /** Uncompressed size. */
  readonly size: number;
  /** The member's CRC-32 as the central directory records it (checked by callers that verify). */
  readonly crc32: number;
  /** Where the member's (stored or compressed) data starts in the archive. */
  readonly offset: number;
  /** True when stored without compression: {@link ZipMember.reader} serves it in place. */
  readonly stored: boolean;
  /** The member's bytes as a range of the archive (stored members only). */
  readonly reader?: RandomAccessReader;
  /** Reads (and inflates, when deflated) the member into memory. */
  read(): Uint8Array;
}

/** Reads exactly `length` bytes at `position`; a short read or a failing reader is a `truncated` FormatError. */
function readAt(r: RandomAccessReader, position: number, length: number, where: string | undefined): Uint8Array {
  try {
    return readExactly(r, position, length);
  } catch (e) {
    const short = e instanceof RangeError;
    throw new FormatError(short ? `short read: ${e.message} (the file is shorter than when it was opened)` : `reading ${length} bytes failed: ${e instanceof Error ? e.message : String(e)}`, {
      format: 'keras-zip', kind: 'truncated', code: short ? 'short-read' : 'read-failed', path: where, offset: position, cause: e,
    });
  }
}

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (u16(b, o) + u16(b, o + 2) * 0x10000);
const u64 = (b: Uint8Array, o: number): number => {
  const v = u32(b, o) + u32(b, o + 4) * 2 ** 32;
  if (!Number.isSafeInteger(v)) throw fail.limit(`64-bit zip field ${v} at ${o} is beyond 2^53`, 'zip64-field');
  return v;
};

/** Where the central directory is, from the end-of-central-directory records. */
function locateDirectory(r: RandomAccessReader, where: string | undefined): { count: number; offset: number; length: number } {
  const tailLen = Math.min(r.size, 22 + U16);
  const tail = readAt(r, r.size - tailLen, tailLen, where);
  let at = -1;
  for (let i = tailLen - 22; i >= 0; i--) if (u32(tail, i) === EOCD) { at = i; break; }
  if (at < 0) throw fail.malformed('no end of central directory record', 'eocd', { path: where });
  let count = u16(tail, at + 10), length = u32(tail, at + 12), offset = u32(tail, at + 16);
  if (count === U16 || length === U32 || offset === U32) {
    const loc = r.size - tailLen + at - 20;
    const locator = loc >= 0 ? readAt(r, loc, 20, where) : new Uint8Array(0);
    if (locator.length < 20 || u32(locator, 0) !== ZIP64_LOCATOR) throw fail.malformed('zip64 fields without a zip64 locator', 'zip64-locator', { path: where });
    const recAt = u64(locator, 8);
    if (recAt + 56 > r.size) throw fail.malformed(`zip64 end record at ${recAt} is outside the file`, 'zip64-eocd', { path: where });
    const rec = readAt(r, recAt, 56, where);
    if (u32(rec, 0) !== ZIP64_EOCD) throw fail.malformed('bad zip64 end of central directory signature', 'zip64-eocd', { path: where, offset: recAt });
    count = u64(rec, 32); length = u64(rec, 40); offset = u64(rec, 48);
  }
  if (offset + length > r.size) throw fail.malformed(`central directory ${offset}+${length} is outside the ${r.size}-byte file`, 'central-directory', { path: where });
  return { count, offset, length };
}

/**
 * Reads a zip's directory from `r` and returns its members by normalized name, without reading
 * their data.
 * @throws FormatError `unsafe` for bad entry names, `limit` for too many/too large/too compressed entries,
 *   `unsupported` for encryption or methods other than stored/deflate, `malformed` for a broken directory.
 */
export function openKerasZip(r: RandomAccessReader, limits: KerasZipLimits = {}, where?: string): Map<string, ZipMember> {
  const lim = { ...DEFAULT_ZIP_LIMITS, ...limits };
  try {
    const dir = locateDirectory(r, where);
    if (dir.count > lim.maxEntries) throw fail.limit(`more than ${lim.maxEntries} entries`, 'entries', { path: where });
    const cd = readAt(r, dir.offset, dir.length, where);
    const out = new Map<string, ZipMember>();
    let p = 0, total = 0;
    for (let i = 0; i < dir.count; i++) {
      if (p + 46 > cd.length || u32(cd, p) !== CENTRAL) throw fail.malformed(`central directory entry ${i} is broken`, 'central-entry', { path: where, offset: dir.offset + p });
      const flags = u16(cd, p + 8), method = u16(cd, p + 10), crc32 = u32(cd, p + 16);
      let compSize = u32(cd, p + 20), size = u32(cd, p + 24), local = u32(cd, p + 42);
      const nameLen = u16(cd, p + 28), extraLen = u16(cd, p + 30), commentLen = u16(cd, p + 32);
      if (p + 46 + nameLen + extraLen > cd.length) throw fail.malformed(`central directory entry ${i} is cut short`, 'central-entry', { path: where });
      const rawName = cd.subarray(p + 46, p + 46 + nameLen);
      const name = flags & 0x800 ? utf8Decode(rawName) : String.fromCharCode(...rawName);
      for (let e = p + 46 + nameLen; e + 4 <= p + 46 + nameLen + extraLen;) {
        const id = u16(cd, e), len = u16(cd, e + 2);
        if (id === 1) {
          let q = e + 4;
          if (size === U32) { size = u64(cd, q); q += 8; }
          if (compSize === U32) { compSize = u64(cd, q); q += 8; }
          if (local === U32) local = u64(cd, q);
        }
        e += 4 + len;
      }
      p += 46 + nameLen + extraLen + commentLen;
      const norm = safeEntryName(name, where);
      total += size;
      if (total > lim.maxTotalBytes) throw fail.limit(`entries expand to more than ${lim.maxTotalBytes} bytes`, 'total-size', { path: where });
      if (method !== 0 && size > Math.max(compSize, 1024) * lim.maxRatio) {
        throw fail.limit(`entry ${name} expands ${compSize} → ${size} bytes (ratio over ${lim.maxRatio}): decompression bomb refused`, 'ratio', { path: where });
      }
      if (method === 0 && size > r.size) throw fail.limit(`stored entry ${name} declares ${size} bytes in a ${r.size}-byte file`, 'declared-size', { path: where });
      if (name.endsWith('/')) continue;
      if (flags & 1) throw fail.unsupported(`entry ${name} is encrypted`, 'encrypted', { path: where });
      if (method !== 0 && method !== 8) throw fail.unsupported(`entry ${name} uses compression method ${method}`, 'method', { path: where });
      if (method === 0 && compSize !== size) throw fail.malformed(`stored entry ${name} has sizes ${compSize} and ${size}`, 'stored-size', { path: where });
      if (local + 30 > r.size) throw fail.malformed(`local header of ${name} at ${local} is outside the file`, 'local-header', { path: where });
      const head = readAt(r, local, 30, where);
      if (u32(head, 0) !== LOCAL) throw fail.malformed(`bad local header signature for ${name}`, 'local-header', { path: where, offset: local });
      const start = local + 30 + u16(head, 26) + u16(head, 28);
      if (start + compSize > r.size) throw fail.malformed(`data of ${name} (${compSize} bytes at ${start}) passes the end of the file`, 'entry-data', { path: where });
      out.set(norm, member(r, norm, method === 0, crc32, start, compSize, size, where));
    }
    return out;
  } catch (e) {
    if (e instanceof FormatError) throw e;
    throw fail.malformed(`zip unreadable: ${e instanceof Error ? e.message : String(e)}`, 'zip', { path: where, cause: e });
  }
}

/**
 * Unpacks a `.keras` zip held in memory: every member read (and inflated) through {@link openKerasZip},
 * with its name checks and limits.
 * @throws FormatError as {@link openKerasZip}, and `malformed` for a member that does not inflate.
 */
export function unpackKerasZip(bytes: Uint8Array, limits: KerasZipLimits = {}, where?: string): KerasZipEntries {
  return new Map([...openKerasZip(bytesReader(bytes), limits, where)].map(([name, m]) => [name, m.read()]));
}

function member(r: RandomAccessReader, name: string, stored: boolean, crc32: number, start: number, compSize: number, size: number, where: string | undefined): ZipMember {
  const raw = (reader: RandomAccessReader, length: number): Uint8Array => readAt(reader, reader === r ? start : 0, length, where);
  if (stored) {
    const reader = rangeReader(r, start, size);
    return { name, size, crc32, offset: start, stored, reader, read: () => raw(reader, size) };
  }
  return {
    name, size, crc32, offset: start, stored,
    read: () => {
      let out: Uint8Array;
      try { out = inflateSync(raw(r, compSize), { out: new Uint8Array(size) }); } catch (e) {
        if (e instanceof FormatError) throw e;
        throw fail.malformed(`entry ${name} does not inflate: ${e instanceof Error ? e.message : String(e)}`, 'inflate', { path: where, cause: e });
      }
      if (out.length !== size) throw fail.malformed(`entry ${name} inflates to ${out.length} bytes, not the declared ${size}`, 'inflate', { path: where });
      return out;
    },
  };
}
