/**
 * The format-agnostic view every command works over: an opened file is a
 * list of tensor entries (name, dtype, shape, a lazy read) plus
 * format-specific details for display.
 */
import type { Progress } from './progress.js';

/**
 * The format names of the JSON contract. The last three are standalone TF
 * protobuf files, recognized by TF's file names (they have no magic bytes):
 * a TF1 `*.meta` MetaGraphDef, `keras_metadata.pb` and `fingerprint.pb`.
 */
export type FormatName = 'tensor-bundle' | 'saved-model' | 'hdf5' | 'keras-zip' | 'meta-graph' | 'keras-metadata' | 'fingerprint';

/** A tensor's contents: raw little-endian element bytes in row-major order, or one byte string per element. */
export type TensorValue =
  | { readonly kind: 'bytes'; readonly dtype: string; readonly shape: readonly number[]; readonly bytes: Uint8Array }
  | { readonly kind: 'strings'; readonly dtype: string; readonly shape: readonly number[]; readonly strings: readonly Uint8Array[] };

/** One tensor of a file. */
export interface TensorEntry {
  /** Key in the file: bundle key, HDF5 dataset path, `member:/dataset` inside a zip. */
  readonly name: string;
  /** TF's Python dtype name (`float32`, `bfloat16`, `string`…). */
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Size of the stored data in bytes, when known without reading it. */
  readonly byteSize?: number;
  /** The Keras weight path (`dense/kernel`), when the file is a Keras model; used by `diff` to match. */
  readonly weightPath?: string;
  /** Reads (and checks) the tensor's contents. */
  read(): Promise<TensorValue>;
}

/** A readable description block: a title and indented lines. */
export interface DetailSection {
  readonly title: string;
  readonly lines: readonly string[];
}

/** An opened input in any format. */
export interface OpenedFile {
  readonly format: FormatName;
  /** The path or URL the user gave. */
  readonly name: string;
  readonly entries: readonly TensorEntry[];
  /**
   * The model's weights by Keras weight path (`dense/kernel`, `optimizer/iteration`), or
   * undefined when the file is not a Keras model. Used by `diff` and `--tensor`; may read data.
   */
  kerasWeights?(): Promise<readonly TensorEntry[] | undefined>;
  /** Extra fields of the `--json` output (`signatures`, `layers`, …). */
  readonly json?: Readonly<Record<string, unknown>>;
  /** Extra sections of the readable output (signatures, the Keras layer table…). */
  readonly sections?: readonly DetailSection[];
  /**
   * Title of the readable tensor table (default `Tensors`); `null` when the
   * format never holds tensors and the table is left out.
   */
  readonly entriesTitle?: string | null;
  /** What the first line of `inspect` and the `ok:` line of `verify` say in place of "N tensors, SIZE" (formats without tensors). */
  readonly headline?: string;
  /**
   * Runs every structural and checksum check the format has, reporting bytes
   * checked to `progress`.
   * @throws FormatError on the first problem.
   */
  verify(progress: Progress): Promise<void>;
  /** Releases open files. */
  close(): Promise<void>;
}

/** Byte size of a fixed-size tensor, or of a value already read. */
export function valueByteSize(v: TensorValue): number {
  return v.kind === 'bytes' ? v.bytes.byteLength : v.strings.reduce((n, s) => n + s.byteLength, 0);
}
