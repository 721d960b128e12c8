/**
 * How HDF5 files reach libhdf5 inside h5wasm's Emscripten in-memory file
 * system (MEMFS), for `h5-backend.ts`: whole bytes placed without a copy,
 * files served lazily from a {@link RandomAccessReader}, and written files
 * reserved at their final size. Nothing here reaches outside that sandbox.
 */
import type { RandomAccessReader } from './random-access.js';

/** An Emscripten MEMFS file node: `contents` holds `usedBytes` bytes (capacity may be larger). */
interface MemNode {
  contents: Uint8Array | Int8Array | null;
  usedBytes: number;
  stream_ops: Record<string, unknown>;
}

/** Minimal view of the Emscripten module h5wasm resolves to. */
export interface H5Module {
  FS: {
    writeFile(path: string, data: Uint8Array): void; readFile(path: string): Uint8Array; unlink(path: string): void;
    lookupPath?(path: string): { node?: MemNode };
    ErrnoError?: new (errno: number) => Error;
  };
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  get_dataset_data(fileId: bigint, path: string, c: null, o: null, s: null, ptr: bigint): number;
  create_vlen_str_attribute(fileId: bigint, path: string, name: string, data: string[], meta: object): number;
  activate_throwing_error_handler(): number;
}

function memNode(M: H5Module, path: string): MemNode | undefined {
  try {
    const node = M.FS.lookupPath?.(path).node;
    return node !== undefined && 'usedBytes' in node && typeof node.stream_ops === 'object' && (node.contents === null || ArrayBuffer.isView(node.contents)) ? node : undefined;
  } catch { return undefined; }
}

/** Puts `bytes` into the in-memory FS without copying when MEMFS exposes its node (the file is only read). */
export function placeFile(M: H5Module, path: string, bytes: Uint8Array): void {
  M.FS.writeFile(path, new Uint8Array(0));
  const node = memNode(M, path);
  if (node !== undefined) { node.contents = bytes; node.usedBytes = bytes.length; } else M.FS.writeFile(path, bytes);
}

/** The first read of a reader-backed file that failed: a short read or an error of the reader. */
export interface ReadFault {
  readonly position: number;
  readonly length: number;
  /** Bytes the reader returned, for a short read. */
  readonly got?: number;
  /** What the reader threw. */
  readonly cause?: unknown;
}

/** Emscripten (WASI) errno values used below. */
const EIO = 29, EPERM = 63, ENODEV = 43;
/** Largest single read handed to the reader (Node's `readSync` takes at most 2 GiB - 1). */
const MAX_READ = 1 << 30;

/**
 * Makes `path` a read-only MEMFS file whose size is `reader.size` and whose reads are served
 * from `reader` straight into the WebAssembly heap: libhdf5 sees an ordinary file, and only
 * the byte ranges it asks for are read. A failing or short read becomes `EIO` for libhdf5
 * (which then fails the call cleanly) and is recorded for the error message.
 * @returns a function giving the first failed read, if any.
 * @throws Error when the Emscripten FS does not have the expected shape.
 */
export function placeReader(M: H5Module, path: string, reader: RandomAccessReader): () => ReadFault | undefined {
  const Errno = M.FS.ErrnoError;
  M.FS.writeFile(path, new Uint8Array(0));
  const node = memNode(M, path);
  if (node === undefined || Errno === undefined) {
    M.FS.unlink(path);
    throw new Error('hdf5: the Emscripten file system of h5wasm does not have the expected shape; cannot serve reads from a file');
  }
  let fault: ReadFault | undefined;
  const failWith = (f: ReadFault): never => { fault ??= f; throw new Errno(EIO); };
  node.contents = null;
  node.usedBytes = reader.size; // what MEMFS reports as the size (fstat, SEEK_END)
  node.stream_ops = {
    ...node.stream_ops,
    read(_stream: unknown, heap: Int8Array, offset: number, length: number, position: number): number {
      if (position >= reader.size) return 0;
      const size = Math.min(length, reader.size - position);
      const into = new Uint8Array(heap.buffer, heap.byteOffset + offset, size);
      let got = 0;
      try {
        while (got < size) {
          const n = reader.read(position + got, into.subarray(got, Math.min(size, got + MAX_READ)));
          if (!(n > 0)) break;
          got += n;
        }
      } catch (e) {
        failWith({ position, length: size, cause: e });
      }
      if (got < size) failWith({ position, length: size, got });
      return size;
    },
    write(): never { throw new Errno(EPERM); },
    mmap(): never { throw new Errno(ENODEV); },
  };
  return () => fault;
}

/** Grows a MEMFS file's capacity once up front (MEMFS otherwise grows large files by 1/8 per write, copying each time). */
export function reserveFile(M: H5Module, path: string, capacity: number): void {
  const node = memNode(M, path);
  if (node === undefined || (node.contents?.length ?? 0) >= capacity) return;
  const buf = new Uint8Array(capacity);
  if (node.contents !== null) buf.set(node.contents.subarray(0, node.usedBytes));
  node.contents = buf;
  // MEMFS replaces the buffer on a first write at offset 0 of an empty file; one placeholder byte (overwritten
  // by the superblock; libhdf5 truncates the file to its end of allocation on close) keeps the reservation.
  if (node.usedBytes === 0) node.usedBytes = 1;
}

/** The bytes of a MEMFS file without the copy `FS.readFile` makes (trimmed when capacity was over-reserved). */
export function takeFile(M: H5Module, path: string): Uint8Array {
  const node = memNode(M, path);
  if (node === undefined || node.contents === null) return M.FS.readFile(path);
  const out = new Uint8Array(node.contents.buffer, node.contents.byteOffset, node.usedBytes);
  return node.contents.length - node.usedBytes > (1 << 20) ? out.slice() : out;
}
