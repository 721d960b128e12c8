/**
 * A plain, library-neutral picture of an HDF5 file: groups, attributes in
 * their exact HDF5 types, and datasets as raw little-endian bytes. The Keras
 * layouts are built on these types; only `h5-backend.ts` knows h5wasm.
 */
import type { DTypeName } from '@tfsave/core';

/** How a string attribute is stored: character set and variable vs fixed length. */
export interface H5StringType {
  /** `ascii` (h5py `bytes`) or `utf8` (h5py `str`). */
  readonly cset: 'ascii' | 'utf8';
  /** Variable-length (global heap) or fixed-length of `size` bytes. */
  readonly vlen: boolean;
  /** Element size for fixed-length strings. */
  readonly size?: number;
}

/** One attribute value, typed as HDF5 stores it. */
export type H5Attr =
  | { readonly kind: 'string'; readonly type: H5StringType; readonly value: string }
  | { readonly kind: 'string-array'; readonly type: H5StringType; readonly value: readonly string[] }
  | { readonly kind: 'number-array'; readonly dtype: 'float64' | 'float32' | 'int64' | 'int32'; readonly shape: readonly number[]; readonly value: readonly number[] }
  | { readonly kind: 'other'; readonly description: string };

/** A dataset: dtype, shape and its raw little-endian bytes. */
export interface H5Dataset {
  readonly kind: 'dataset';
  readonly dtype: DTypeName;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
  readonly attrs: Readonly<Record<string, H5Attr>>;
}

/** A group: attributes and children by link name (sorted as HDF5 iterates them). */
export interface H5Group {
  readonly kind: 'group';
  readonly attrs: Readonly<Record<string, H5Attr>>;
  readonly children: ReadonlyMap<string, H5Group | H5Dataset>;
}

/** A dataset of an open file: dtype, shape and attributes now, its bytes when {@link H5LazyDataset.read} is called. */
export interface H5LazyDataset {
  readonly kind: 'dataset';
  readonly dtype: DTypeName;
  readonly shape: readonly number[];
  readonly attrs: Readonly<Record<string, H5Attr>>;
  /** Size of the data in bytes. */
  readonly byteLength: number;
  /**
   * Reads the data as raw little-endian bytes (only this dataset's bytes are read from the file).
   * @throws FormatError when the file cannot be read; Error after the file was closed.
   */
  read(): Uint8Array;
}

/** A group of an open file, whose datasets are read on demand. */
export interface H5LazyGroup {
  readonly kind: 'group';
  readonly attrs: Readonly<Record<string, H5Attr>>;
  readonly children: ReadonlyMap<string, H5LazyGroup | H5LazyDataset>;
}

/** Resource limits applied while reading an HDF5 file. */
export interface H5Limits {
  /** Deepest group nesting accepted. Default 64. */
  readonly maxDepth?: number;
  /** Most objects (groups + datasets) accepted. Default 100 000. */
  readonly maxObjects?: number;
  /** Largest single dataset in bytes. Default 4 GiB. */
  readonly maxDatasetBytes?: number;
  /** Largest ratio of a filtered (compressed) dataset's size to the file size. Default 1000. */
  readonly maxCompressionRatio?: number;
  /** Largest rank of a dataset. Default 32. */
  readonly maxRank?: number;
}

/** The defaults of {@link H5Limits}. */
export const DEFAULT_H5_LIMITS: Required<H5Limits> = {
  maxDepth: 64,
  maxObjects: 100_000,
  maxDatasetBytes: 4 * 1024 ** 3,
  maxCompressionRatio: 1000,
  maxRank: 32,
};

/** A vlen UTF-8 string attribute (what h5py writes for a Python `str`). */
export function strAttr(value: string): H5Attr {
  return { kind: 'string', type: { cset: 'utf8', vlen: true }, value };
}

/** A vlen ASCII string attribute (what h5py writes for Python `bytes`). */
export function bytesAttr(value: string): H5Attr {
  return { kind: 'string', type: { cset: 'ascii', vlen: true }, value };
}

/**
 * A list-of-bytes attribute as h5py ≥ 3 writes it: a 1-D array of vlen ASCII
 * strings, or an empty float64 array of shape (0,) for an empty list.
 */
export function bytesListAttr(values: readonly string[]): H5Attr {
  if (values.length === 0) return { kind: 'number-array', dtype: 'float64', shape: [0], value: [] };
  return { kind: 'string-array', type: { cset: 'ascii', vlen: true }, value: values };
}

/** Reads a string attribute (scalar) or undefined. */
export function attrString(attrs: Readonly<Record<string, H5Attr>>, name: string): string | undefined {
  const a = attrs[name];
  if (a?.kind === 'string') return a.value;
  if (a?.kind === 'string-array' && a.value.length === 1) return a.value[0];
  return undefined;
}

/** Reads a list-of-strings attribute (vlen or fixed, or empty float array), or undefined. */
export function attrStringList(attrs: Readonly<Record<string, H5Attr>>, name: string): string[] | undefined {
  const a = attrs[name];
  if (a === undefined) return undefined;
  if (a.kind === 'string-array') return [...a.value];
  if (a.kind === 'string') return [a.value];
  if (a.kind === 'number-array' && a.value.length === 0) return [];
  return undefined;
}

/** Finds a child by `/`-separated path. */
export function h5Get(root: H5Group, path: string): H5Group | H5Dataset | undefined {
  let node: H5Group | H5Dataset = root;
  for (const part of path.split('/').filter((p) => p !== '')) {
    if (node.kind !== 'group') return undefined;
    const next: H5Group | H5Dataset | undefined = node.children.get(part);
    if (next === undefined) return undefined;
    node = next;
  }
  return node;
}

/** A mutable group used by writers; `ensureGroup` creates intermediate groups like h5py. */
export class H5GroupBuilder implements H5Group {
  readonly kind = 'group' as const;
  readonly attrs: Record<string, H5Attr> = {};
  readonly children = new Map<string, H5GroupBuilder | H5Dataset>();

  /** Returns the group at `path`, creating groups along the way. */
  ensureGroup(path: string): H5GroupBuilder {
    let g: H5GroupBuilder = this;
    for (const part of path.split('/').filter((p) => p !== '')) {
      let next = g.children.get(part);
      if (next === undefined) {
        next = new H5GroupBuilder();
        g.children.set(part, next);
      }
      if (next.kind !== 'group') throw new Error(`hdf5: ${part} is a dataset, not a group`);
      g = next as H5GroupBuilder;
    }
    return g;
  }

  /** Adds a dataset at `path` (intermediate groups created). */
  setDataset(path: string, ds: Omit<H5Dataset, 'kind' | 'attrs'> & { attrs?: Record<string, H5Attr> }): void {
    const parts = path.split('/').filter((p) => p !== '');
    const leaf = parts.pop();
    if (leaf === undefined) throw new Error('hdf5: empty dataset path');
    this.ensureGroup(parts.join('/')).children.set(leaf, { kind: 'dataset', dtype: ds.dtype, shape: ds.shape, data: ds.data, attrs: ds.attrs ?? {} });
  }
}
