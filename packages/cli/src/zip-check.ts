/**
 * The checksum check of a zip archive (`.keras`): every member's CRC-32 in
 * the central directory must match its uncompressed bytes.
 */
import { errorsFor } from '@tfsave/core';
import { openKerasZip, type RandomAccessReader } from '@tfsave/keras-h5';

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

/**
 * Checks every member's CRC-32 against the archive's central directory, reading one member at a time
 * through keras-h5's zip reader (which also checks names, sizes and limits).
 * @returns the number of members checked.
 * @throws FormatError `checksum` naming the member on the first mismatch.
 */
export function checkZipCrcs(reader: RandomAccessReader, path?: string): number {
  let checked = 0;
  for (const m of openKerasZip(reader, {}, path).values()) {
    const got = crc32(m.read());
    if (got !== m.crc32) {
      throw fail.checksum(`member ${m.name} CRC-32 0x${got.toString(16).padStart(8, '0')} != 0x${m.crc32.toString(16).padStart(8, '0')} recorded`, 'zip-crc', { path, offset: m.offset });
    }
    checked++;
  }
  return checked;
}
