/**
 * The only file that knows h5wasm (libhdf5 compiled to WebAssembly). It
 * turns HDF5 files into the plain {@link H5Group} tree (or a tree whose
 * datasets are read on demand) and back, inside h5wasm's in-memory file
 * system: nothing outside that sandbox is reachable, and external links,
 * external storage and virtual datasets are refused explicitly. A file comes
 * in as bytes or as a {@link RandomAccessReader}, from which libhdf5 reads
 * only the byte ranges it needs.
 */
import h5wasm from 'h5wasm';
import type { File as H5File, Group as H5wGroup, Dataset as H5wDataset } from 'h5wasm';
import { errorsFor, dtypeFromName, elementCount, typedArrayFromBytes, FormatError } from '@tfsave/core';
import type { DTypeName } from '@tfsave/core';
import { DEFAULT_H5_LIMITS } from './h5-types.js';
import type { H5Attr, H5Dataset, H5Group, H5LazyDataset, H5LazyGroup, H5Limits } from './h5-types.js';
import { placeFile, placeReader, reserveFile, takeFile } from './h5-wasm-fs.js';
import type { H5Module, ReadFault } from './h5-wasm-fs.js';
import type { RandomAccessReader } from './random-access.js';

const fail = errorsFor('hdf5');

interface H5Meta {
  type: number; size: number; signed: boolean; littleEndian: boolean; vlen: boolean; cset?: number;
  shape: number[] | null; total_size: number; virtual_sources?: unknown[];
}

let mod: H5Module | undefined;
let counter = 0;

/** Loads the WebAssembly module once; every other function here needs it. */
export async function h5Ready(): Promise<void> {
  if (mod === undefined) {
    const m = (await h5wasm.ready) as unknown as H5Module;
    // libhdf5 errors become JS exceptions carrying the error stack instead of HDF5-DIAG prints on stderr.
    m.activate_throwing_error_handler();
    mod = m;
  }
}

function module(): H5Module {
  if (mod === undefined) throw new Error('hdf5: call `await h5Ready()` before using the HDF5 backend');
  return mod;
}

const CLASS_INTEGER = 0, CLASS_FLOAT = 1, CLASS_STRING = 3, CLASS_ENUM = 8;

function dtypeOf(m: H5Meta, path: string): DTypeName {
  if (m.type === CLASS_FLOAT) {
    if (m.size === 4) return 'float32';
    if (m.size === 8) return 'float64';
    if (m.size === 2) return 'float16';
  } else if (m.type === CLASS_INTEGER || (m.type === CLASS_ENUM && m.size === 1)) {
    if (m.type === CLASS_ENUM) return 'bool';
    const names: Record<number, [DTypeName, DTypeName]> = { 1: ['int8', 'uint8'], 2: ['int16', 'uint16'], 4: ['int32', 'uint32'], 8: ['int64', 'uint64'] };
    const pair = names[m.size];
    if (pair !== undefined) return m.signed ? pair[0] : pair[1];
  }
  throw fail.unsupported(`dataset type class ${m.type} of size ${m.size} is not a tensor dtype`, 'dtype', { path });
}

function readAttr(a: { metadata: H5Meta; value: unknown }): H5Attr {
  const m = a.metadata;
  if (m.type === CLASS_STRING) {
    const type = { cset: m.cset === 1 ? 'utf8' as const : 'ascii' as const, vlen: m.vlen, ...(m.vlen ? {} : { size: m.size }) };
    const v = a.value;
    if (m.shape !== null && m.shape.length === 0 && typeof v === 'string') return { kind: 'string', type, value: v };
    if (Array.isArray(v)) return { kind: 'string-array', type, value: v.map(String) };
    if (typeof v === 'string') return { kind: 'string-array', type, value: [v] };
  }
  if ((m.type === CLASS_FLOAT || m.type === CLASS_INTEGER) && m.shape !== null) {
    const v = a.value;
    const arr = ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number | bigint>, Number) : typeof v === 'number' || typeof v === 'bigint' ? [Number(v)] : [];
    const dtype = m.type === CLASS_FLOAT ? (m.size === 4 ? 'float32' : 'float64') : m.size === 8 ? 'int64' : 'int32';
    return { kind: 'number-array', dtype, shape: m.shape, value: arr };
  }
  return { kind: 'other', description: `class ${m.type} size ${m.size}` };
}

function readAttrs(obj: { attrs: Record<string, unknown> }, path: string): Record<string, H5Attr> {
  const out: Record<string, H5Attr> = {};
  let attrs: Record<string, unknown>;
  try { attrs = obj.attrs; } catch (e) { throw fail.malformed(`attributes unreadable: ${String(e)}`, 'attrs', { path, cause: e }); }
  for (const [name, a] of Object.entries(attrs)) out[name] = readAttr(a as { metadata: H5Meta; value: unknown });
  return out;
}

/** Options for {@link parseHdf5} and {@link openHdf5}. */
export interface ParseHdf5Options extends H5Limits {
  /** Name used in error messages. */
  readonly name?: string;
}

/** An HDF5 file as bytes in memory, or as a reader that serves the byte ranges libhdf5 asks for. */
export type Hdf5Input = Uint8Array | RandomAccessReader;

/** An open HDF5 file: its tree with datasets read on demand. Close it when done. */
export interface Hdf5File {
  readonly root: H5LazyGroup;
  /** Releases libhdf5's handle and the in-memory file entry (not the caller's reader). Idempotent. */
  close(): void;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when `head` starts with the HDF5 signature (at offset 0; user blocks are not supported). */
export function isHdf5(head: Uint8Array): boolean {
  return head.length >= 8 && SIGNATURE.every((b, i) => head[i] === b);
}

function headOf(input: Hdf5Input, where: string | undefined): Uint8Array {
  if (input instanceof Uint8Array) return input.subarray(0, 8);
  const head = new Uint8Array(Math.min(8, input.size));
  try {
    if (head.length > 0) input.read(0, head);
  } catch (e) {
    throw new FormatError(`cannot read the file: ${e instanceof Error ? e.message : String(e)}`, { format: 'hdf5', kind: 'truncated', code: 'read-failed', path: where, offset: 0, cause: e });
  }
  return head;
}

/**
 * Opens an HDF5 file and reads its structure (groups, attributes, dataset types and shapes),
 * checking the limits; dataset bytes are read only by {@link H5LazyDataset.read}. With a
 * {@link RandomAccessReader}, libhdf5 reads through it just the ranges it needs (superblock,
 * object headers, B-trees, then the data of the datasets read).
 * @throws FormatError `unsafe` for external links and virtual datasets, `limit` for sizes beyond the limits
 *   or beyond the file, `truncated` when the reader fails or returns fewer bytes than the file size promised,
 *   `malformed` when libhdf5 cannot open or read the file.
 */
export function openHdf5(input: Hdf5Input, options: ParseHdf5Options = {}): Hdf5File {
  const M = module();
  const lim = { ...DEFAULT_H5_LIMITS, ...options };
  const where = options.name;
  if (!isHdf5(headOf(input, where))) throw fail.malformed('missing HDF5 signature \\x89HDF\\r\\n\\x1a\\n', 'signature', { path: where, offset: 0 });
  const fsPath = `/tfsave-read-${++counter}.h5`;
  let fault: () => ReadFault | undefined = () => undefined;
  if (input instanceof Uint8Array) placeFile(M, fsPath, input);
  else fault = placeReader(M, fsPath, input);
  const fileLen = input instanceof Uint8Array ? input.length : input.size;
  let file: H5File | undefined;
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    try { file?.close(); } catch { /* already failed */ }
    M.FS.unlink(fsPath);
  };
  const failure = (e: unknown): FormatError => asFormatError(e, fault(), where);
  try {
    file = new h5wasm.File(fsPath, 'r');
    if (file.file_id < 0n) throw fail.malformed(`libhdf5 could not open the file (${fileLen} bytes)`, 'open', { path: where });
    const fileId = file.file_id;
    let objects = 0;
    const dataset = (ds: H5wDataset, path: string): H5LazyDataset => {
      const info = datasetInfo(ds, path, fileLen, lim, where);
      return {
        kind: 'dataset', dtype: info.dtype, shape: info.shape, attrs: info.attrs, byteLength: info.byteLength,
        read: () => {
          if (!open) throw new Error(`hdf5: ${where ?? 'the file'} is closed; cannot read ${path}`);
          try { return readData(M, fileId, path, info, where); } catch (e) { throw failure(e); }
        },
      };
    };
    const walk = (g: H5wGroup, path: string, depth: number): H5LazyGroup => {
      if (depth > lim.maxDepth) throw fail.limit(`group nesting deeper than ${lim.maxDepth} at ${path}`, 'depth', { path: where });
      const children = new Map<string, H5LazyGroup | H5LazyDataset>();
      for (const key of g.keys()) {
        if (++objects > lim.maxObjects) throw fail.limit(`more than ${lim.maxObjects} objects`, 'objects', { path: where });
        const childPath = path === '/' ? `/${key}` : `${path}/${key}`;
        const ent = g.get(key);
        if (ent instanceof h5wasm.Group) children.set(key, walk(ent, childPath, depth + 1));
        else if (ent instanceof h5wasm.Dataset) children.set(key, dataset(ent, childPath));
        else if (ent !== null && ent.constructor.name === 'ExternalLink') {
          throw fail.unsafe(`external link ${childPath} points to another file; refused`, 'external-link', { path: where });
        } else if (ent !== null && ent.constructor.name === 'BrokenSoftLink') {
          throw fail.malformed(`soft link ${childPath} points nowhere`, 'broken-link', { path: where });
        } else if (ent === null) {
          throw fail.malformed(`object ${childPath} cannot be opened`, 'object', { path: where });
        }
      }
      return { kind: 'group', attrs: readAttrs(g as unknown as { attrs: Record<string, unknown> }, path), children };
    };
    return { root: walk(file, '/', 0), close };
  } catch (e) {
    close();
    throw failure(e);
  }
}

/**
 * Reads a whole HDF5 file (structure and every dataset) into a plain tree.
 * @throws FormatError as {@link openHdf5}.
 */
export function parseHdf5(input: Hdf5Input, options: ParseHdf5Options = {}): H5Group {
  const file = openHdf5(input, options);
  try {
    return materialize(file.root);
  } finally {
    file.close();
  }
}

/** Reads every dataset of a lazy tree into a plain one. */
function materialize(g: H5LazyGroup): H5Group {
  const children = new Map<string, H5Group | H5Dataset>();
  for (const [k, c] of g.children) {
    children.set(k, c.kind === 'group' ? materialize(c) : { kind: 'dataset', dtype: c.dtype, shape: c.shape, data: c.read(), attrs: c.attrs });
  }
  return { kind: 'group', attrs: g.attrs, children };
}

/** Turns anything thrown while libhdf5 works into a FormatError; a failed read of the file explains itself. */
function asFormatError(e: unknown, fault: ReadFault | undefined, where: string | undefined): FormatError {
  if (e instanceof FormatError) return e;
  const text = e instanceof Error ? e.message : String(e);
  if (fault !== undefined) {
    const what = fault.cause !== undefined
      ? `reading ${fault.length} bytes failed: ${fault.cause instanceof Error ? fault.cause.message : String(fault.cause)}`
      : `short read: ${fault.got ?? 0} of ${fault.length} bytes (the file is shorter than when it was opened)`;
    return new FormatError(what, { format: 'hdf5', kind: 'truncated', code: fault.cause !== undefined ? 'read-failed' : 'short-read', path: where, offset: fault.position, cause: fault.cause ?? e });
  }
  if (/H5Defl|external raw data file/.test(text)) return fail.unsafe('a dataset keeps its data in an external file (HDF5 external storage); refused', 'external-storage', { path: where, cause: e });
  return fail.malformed(`libhdf5 failed: ${innermost(text)}`, 'libhdf5', { path: where, cause: e });
}

/** The innermost frame of a libhdf5 error stack (`H5Dread(): can't read data`), or the text itself. */
function innermost(text: string): string {
  const frames = [...text.matchAll(/ in (\w+\(\)): ([^\n]*)/g)];
  const last = frames[frames.length - 1];
  return last !== undefined ? `${last[1]!} ${last[2]!}` : text.slice(0, 200);
}

interface DatasetInfo {
  readonly kind: 'dataset';
  readonly dtype: DTypeName;
  readonly shape: readonly number[];
  readonly attrs: Record<string, H5Attr>;
  readonly byteLength: number;
  /** Element size when the file stores big-endian numbers (swapped on read). */
  readonly swapWidth: number;
}

function datasetInfo(ds: H5wDataset, path: string, fileLen: number, lim: Required<H5Limits>, where: string | undefined): DatasetInfo {
  const m = ds.metadata as unknown as H5Meta;
  if (m.virtual_sources !== undefined) throw fail.unsafe(`virtual dataset ${path} maps other files; refused`, 'virtual-dataset', { path: where });
  if (m.shape === null) throw fail.unsupported(`dataset ${path} has a null dataspace`, 'null-space', { path: where });
  if (m.shape.length > lim.maxRank) throw fail.limit(`dataset ${path} has rank ${m.shape.length} > ${lim.maxRank}`, 'rank', { path: where });
  const dtype = dtypeOf(m, path);
  const nbytes = m.size * m.total_size;
  const filtered = ds.filters.length > 0;
  if (nbytes > lim.maxDatasetBytes) throw fail.limit(`dataset ${path} declares ${nbytes} bytes > limit ${lim.maxDatasetBytes}`, 'dataset-size', { path: where });
  if (!filtered && nbytes > fileLen) throw fail.limit(`dataset ${path} declares ${nbytes} bytes but the file has ${fileLen}`, 'declared-size', { path: where });
  if (filtered && nbytes > fileLen * lim.maxCompressionRatio) throw fail.limit(`dataset ${path} expands to ${nbytes} bytes, over ${lim.maxCompressionRatio}x the file's ${fileLen}`, 'compression-ratio', { path: where });
  const attrs = readAttrs(ds as unknown as { attrs: Record<string, unknown> }, path);
  return { kind: 'dataset', dtype, shape: m.shape, attrs, byteLength: nbytes, swapWidth: !m.littleEndian && m.size > 1 ? m.size : 0 };
}

function readData(M: H5Module, fileId: bigint, path: string, info: DatasetInfo, where: string | undefined): Uint8Array {
  const nbytes = info.byteLength;
  if (nbytes === 0) return new Uint8Array(0);
  const ptr = M._malloc(nbytes);
  if (ptr === 0) throw fail.limit(`cannot allocate ${nbytes} bytes for ${path}`, 'alloc', { path: where });
  let data: Uint8Array;
  try {
    const status = M.get_dataset_data(fileId, path, null, null, null, BigInt(ptr));
    if (typeof status === 'number' && status < 0) throw fail.malformed(`dataset ${path} unreadable (status ${status}); external storage is not read`, 'dataset-read', { path: where });
    data = M.HEAPU8.slice(ptr, ptr + nbytes);
  } finally {
    M._free(ptr);
  }
  if (info.swapWidth > 0) swapInPlace(data, info.swapWidth);
  return data;
}

function swapInPlace(b: Uint8Array, width: number): void {
  for (let i = 0; i < b.length; i += width) b.subarray(i, i + width).reverse();
}

const H5_DTYPE: Partial<Record<DTypeName, string>> = {
  float32: '<f', float64: '<d', float16: '<e', int8: '<b', uint8: '<B', int16: '<h', uint16: '<H',
  int32: '<i', uint32: '<I', int64: '<q', uint64: '<Q', bool: '<B', bfloat16: '<H',
};

/** Upper estimate of a written file's size: dataset bytes plus headroom for headers and attributes. */
function estimateSize(g: H5Group): number {
  let n = 64 * 1024;
  for (const c of g.children.values()) n += c.kind === 'group' ? estimateSize(c) : c.data.byteLength + 4096;
  for (const a of Object.values(g.attrs)) n += a.kind === 'string' ? a.value.length + 256 : a.kind === 'string-array' ? a.value.reduce((s, v) => s + v.length + 32, 256) : 256;
  return n;
}

/**
 * Writes a tree as an HDF5 file (superblock v0, symbol-table groups, contiguous datasets,
 * like h5py's defaults) and returns its bytes.
 * @throws Error for dtypes HDF5 cannot hold here (strings, complex).
 */
export function writeHdf5(root: H5Group): Uint8Array {
  const M = module();
  const fsPath = `/tfsave-write-${++counter}.h5`;
  const file = new h5wasm.File(fsPath, 'w', { libver: ['earliest', 'latest'] });
  reserveFile(M, fsPath, estimateSize(root));
  try {
    const writeAttrs = (obj: H5wGroup | H5wDataset, path: string, attrs: Readonly<Record<string, H5Attr>>): void => {
      for (const [name, a] of Object.entries(attrs)) {
        if (a.kind === 'string' || a.kind === 'string-array') {
          const values = a.kind === 'string' ? [a.value] : [...a.value];
          const shape = a.kind === 'string' ? [] : [BigInt(values.length)];
          // An ASCII-declared string holding non-ASCII characters (Python 2 era files decoded as latin-1)
          // is written as UTF-8 so that it reads back as the same characters.
          const cset = a.type.cset === 'utf8' || values.some((v) => /[^\x00-\x7f]/.test(v)) ? 1 : 0;
          const meta = { type: CLASS_STRING, size: 4, vlen: true, cset, strpad: 0, signed: false, littleEndian: true, shape, maxshape: shape, total_size: values.length };
          M.create_vlen_str_attribute(file.file_id, path, name, values, meta);
        } else if (a.kind === 'number-array') {
          const data = a.dtype === 'float64' ? Float64Array.from(a.value) : a.dtype === 'float32' ? Float32Array.from(a.value) : a.dtype === 'int64' ? BigInt64Array.from(a.value.map(BigInt)) : Int32Array.from(a.value);
          const code = { float64: '<d', float32: '<f', int64: '<q', int32: '<i' }[a.dtype];
          obj.create_attribute(name, data, [...a.shape], code);
        }
      }
    };
    const walk = (g: H5wGroup, path: string, node: H5Group): void => {
      writeAttrs(g, path, node.attrs);
      for (const [key, child] of node.children) {
        const childPath = path === '/' ? `/${key}` : `${path}/${key}`;
        if (child.kind === 'group') walk(g.create_group(key), childPath, child);
        else {
          const code = H5_DTYPE[child.dtype];
          const info = dtypeFromName(child.dtype);
          if (code === undefined || info === undefined) throw new Error(`hdf5: cannot write dtype ${child.dtype} (${childPath})`);
          if (child.data.byteLength !== elementCount(child.shape) * info.size) throw new Error(`hdf5: ${childPath} has ${child.data.byteLength} bytes for shape [${child.shape.join(',')}] of ${child.dtype}`);
          const typed = typedArrayFromBytes(info, child.data);
          const view = child.dtype === 'bool' ? new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength) : typed;
          const ds = g.create_dataset({ name: key, data: view, shape: [...child.shape], dtype: code });
          writeAttrs(ds, childPath, child.attrs);
        }
      }
    };
    walk(file, '/', root);
    file.close();
    return takeFile(M, fsPath);
  } finally {
    try { file.close(); } catch { /* closed */ }
    try { M.FS.unlink(fsPath); } catch { /* not created */ }
  }
}
