/**
 * Format detection from content: pure checks over a file's first and last
 * bytes. They answer yes or no and never throw.
 */
import type { FormatName } from './model.js';

/** The 8-byte footer magic of a LevelDB-style table (a tensor-bundle `.index`), little-endian at the very end. */
export const TABLE_MAGIC = 0xdb4775248b80fb57n;
/** The HDF5 superblock signature `\x89HDF\r\n\x1a\n`. */
export const HDF5_SIGNATURE = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Offsets where an HDF5 superblock may start (0, then 512 doubling), up to `size`. */
export function hdf5SignatureOffsets(size: number, max = 1 << 20): number[] {
  const out = [0];
  for (let o = 512; o + 8 <= size && o <= max; o *= 2) out.push(o);
  return out;
}

/** True when the last 8 bytes of a file are the table footer magic. */
export function isTableTail(tail: Uint8Array): boolean {
  if (tail.length < 8) return false;
  const dv = new DataView(tail.buffer, tail.byteOffset + tail.length - 8, 8);
  return dv.getBigUint64(0, true) === TABLE_MAGIC;
}

/** True when `bytes` starts with the HDF5 signature. */
export function isHdf5Signature(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && HDF5_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** True when `head` starts a zip archive (`PK\x03\x04`) — a `.keras` file. */
export function isZipHead(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/**
 * The format of a single file from its head (first bytes) and tail (last 8
 * bytes), or undefined. HDF5 files with a user block need
 * {@link hdf5SignatureOffsets} checked separately.
 */
export function sniffFile(head: Uint8Array, tail: Uint8Array): FormatName | undefined {
  if (isHdf5Signature(head)) return 'hdf5';
  if (isZipHead(head)) return 'keras-zip';
  if (isTableTail(tail)) return 'tensor-bundle';
  return undefined;
}

/**
 * The format of a standalone TF protobuf file from its name, or undefined:
 * `*.meta` (a TF1 MetaGraphDef written by `tf.compat.v1.train.Saver`),
 * `keras_metadata.pb`, `fingerprint.pb`. Protobuf has no magic bytes, so the
 * name decides and a strict decode confirms. (`saved_model.pb` names its
 * SavedModel directory; see `locate`.)
 */
export function protoFormatOfName(fileName: string): 'meta-graph' | 'keras-metadata' | 'fingerprint' | undefined {
  if (fileName === 'keras_metadata.pb') return 'keras-metadata';
  if (fileName === 'fingerprint.pb') return 'fingerprint';
  if (fileName.length > '.meta'.length && fileName.endsWith('.meta')) return 'meta-graph';
  return undefined;
}

/** The checkpoint prefix of a bundle file name (`x.index`, `x.data-00000-of-00002`), or undefined. */
export function bundlePrefixOf(fileName: string): string | undefined {
  const m = /^(.*)\.(index|data-\d{5}-of-\d{5})$/.exec(fileName);
  return m === null ? undefined : m[1];
}

/** `model_checkpoint_path` of a `checkpoint` state file (text proto), or undefined. */
export function latestFromStateText(text: string): string | undefined {
  const m = /^\s*model_checkpoint_path\s*:\s*"((?:[^"\\]|\\.)*)"/m.exec(text);
  return m === null ? undefined : m[1]!.replace(/\\(.)/g, '$1');
}
