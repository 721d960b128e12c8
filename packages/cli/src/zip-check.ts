/**
 * The checksum check of a zip archive (`.keras`): every member's CRC-32 in
 * the central directory must match its uncompressed bytes.
 */
import { errorsFor } from '@tfsave/core';

const fail = errorsFor('keras-zip');
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zip uses) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One central-directory record. */
export interface ZipMember {
  readonly name: string;
  readonly crc32: number;
  readonly size: number;
  readonly localOffset: number;
}

/**
 * Lists the central directory of a zip archive.
 * @throws FormatError when the end-of-central-directory record or a record is missing or out of bounds.
 */
export function zipMembers(bytes: Uint8Array, path?: string): ZipMember[] {
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw fail.malformed('no end-of-central-directory record', 'zip-eocd', { path });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = dv.getUint16(eocd + 10, true);
  const cdOffset = dv.getUint32(eocd + 16, true);
  const out: ZipMember[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || dv.getUint32(p, true) !== 0x02014b50) {
      throw fail.malformed(`central directory record ${i} of ${count} is missing`, 'zip-cd', { path, offset: p });
    }
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    if (p + 46 + nameLen > bytes.length) throw fail.truncated(`central directory record ${i} runs past the end`, { path, offset: p });
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    out.push({ name, crc32: dv.getUint32(p + 16, true), size: dv.getUint32(p + 24, true), localOffset: dv.getUint32(p + 42, true) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/**
 * Checks every member's CRC-32 and size against the unpacked contents.
 * @throws FormatError `checksum` naming the member on the first mismatch.
 */
export function checkZipCrcs(bytes: Uint8Array, members: ReadonlyMap<string, Uint8Array>, path?: string): number {
  let checked = 0;
  for (const m of zipMembers(bytes, path)) {
    if (m.name.endsWith('/')) continue;
    const data = members.get(m.name.replace(/^(\.\/)+/, ''));
    if (data === undefined) throw fail.malformed(`member ${m.name} listed in the central directory was not unpacked`, 'zip-member', { path });
    if (data.length !== m.size) throw fail.malformed(`member ${m.name} has ${data.length} bytes, the directory says ${m.size}`, 'zip-size', { path, offset: m.localOffset });
    const got = crc32(data);
    if (got !== m.crc32) {
      throw fail.checksum(`member ${m.name} CRC-32 0x${got.toString(16).padStart(8, '0')} != 0x${m.crc32.toString(16).padStart(8, '0')} recorded`, 'zip-crc', { path, offset: m.localOffset });
    }
    checked++;
  }
  return checked;
}
