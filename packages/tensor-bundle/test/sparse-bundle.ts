import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { maskCrc, utf8Encode } from '@tfsave/core';
import { tensorflow } from '@tfsave/protos';
import { crc32cFast, CRC32C_TABLES } from '@tfsave/core';
import { encodeEntry, TableWriter, type BundleEntryProto } from '../src/index.js';
import { makeTensor, row } from './tensors.js';

/** Where the far tensor is stored: past 5 GiB, not 4 KiB aligned. */
export const FAR_OFFSET = 5 * 2 ** 30 + 12345;
/** The huge all-zero float32 tensor: 2^29 + 1024 elements, 2 GiB + 4 KiB, stored in the file's hole. */
export const HUGE_ELEMENTS = 2 ** 29 + 1024;
export const HUGE_OFFSET = 4096;

type Map32 = Int32Array;

/** The linear map "raw CRC-32C register followed by one zero byte", as the images of the 32 bits. */
function oneZeroByte(): Map32 {
  const m = new Int32Array(32);
  for (let i = 0; i < 32; i++) {
    const r = (1 << i) >>> 0;
    m[i] = CRC32C_TABLES[r & 0xff]! ^ (r >>> 8);
  }
  return m;
}
function apply(m: Map32, x: number): number {
  let out = 0;
  for (let i = 0; i < 32; i++) if ((x >>> i) & 1) out ^= m[i]!;
  return out;
}
function compose(a: Map32, b: Map32): Map32 {
  return Int32Array.from(b, (col) => apply(a, col));
}

/** CRC-32C of `n` zero bytes, by repeated squaring of the one-zero-byte map (no data touched). */
export function crc32cOfZeros(n: number): number {
  let m = oneZeroByte();
  let r = -1;
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) r = apply(m, r);
    m = compose(m, m);
  }
  return ~r >>> 0;
}

/**
 * Builds `<dir>/sparse.index` + `<dir>/sparse.data-00000-of-00001` whose data file is a sparse
 * file of more than 5 GiB logical size: tensor `near` at offset 0, tensor `far` at
 * {@link FAR_OFFSET}, and (with `huge`) an all-zero float32 tensor `huge` of 2 GiB + 4 KiB in the hole.
 * The index is written with our table writer and entry encoder. Nothing big is written to disk.
 * `badFarCrc` / `badHugeCrc` store a wrong checksum for that tensor.
 */
export async function makeSparseBundle(dir: string, huge: boolean, badFarCrc = false, badHugeCrc = false): Promise<{ prefix: string; rows: Array<ReturnType<typeof row>>; far: Float32Array }> {
  const prefix = join(dir, 'sparse');
  const near = makeTensor('float32', [16, 16], 11);
  const far = makeTensor('float32', [3, 1000], 12);
  const nearBytes = new Uint8Array((near.data as Float32Array).buffer);
  const farBytes = new Uint8Array((far.data as Float32Array).buffer);
  const h = await open(`${prefix}.data-00000-of-00001`, 'w');
  try {
    await h.write(nearBytes, 0, nearBytes.length, 0);
    await h.write(farBytes, 0, farBytes.length, FAR_OFFSET);
  } finally {
    await h.close();
  }
  const entry = (shape: number[], offset: number, size: number, crc: number): BundleEntryProto => ({ dtype: 1, shape, unknown_rank: false, shard_id: 0, offset, size, crc32c: maskCrc(crc), slices: [] });
  const rows: Array<[string, BundleEntryProto]> = [
    ['far', entry([3, 1000], FAR_OFFSET, farBytes.length, crc32cFast(0, farBytes) ^ (badFarCrc ? 1 : 0))],
    ['near', entry([16, 16], 0, nearBytes.length, crc32cFast(0, nearBytes))],
  ];
  if (huge) rows.push(['huge', entry([HUGE_ELEMENTS], HUGE_OFFSET, HUGE_ELEMENTS * 4, crc32cOfZeros(HUGE_ELEMENTS * 4) ^ (badHugeCrc ? 1 : 0))]);
  rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const table = new TableWriter();
  table.add(new Uint8Array(0), tensorflow.BundleHeaderProto.encode({ num_shards: 1, version: { producer: 1 } }).finish());
  for (const [name, e] of rows) table.add(utf8Encode(name), encodeEntry(e));
  const chunks = table.finish();
  await writeFile(`${prefix}.index`, Buffer.concat(chunks));
  return { prefix, rows: [row('far', far), row('near', near)], far: far.data as Float32Array };
}
