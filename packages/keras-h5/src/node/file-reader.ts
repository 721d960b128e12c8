/** Node adapter: a local file as a {@link RandomAccessReader} over one file descriptor (positional reads). */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { RandomAccessReader } from '../random-access.js';

/** A reader over an open file; `close()` releases the descriptor (idempotent). */
export interface FileReader extends RandomAccessReader {
  readonly path: string;
  close(): void;
}

/**
 * Opens `path` read-only. The size is taken once, at open; reads are `pread`s at positions,
 * so nothing is read until asked for.
 * @throws Error (from `node:fs`) when the file cannot be opened or is not a regular file.
 */
export function openFileReader(path: string): FileReader {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error(`EISDIR: not a regular file, open '${path}'`), { code: 'EISDIR', path });
    size = st.size;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  let open = true;
  return {
    path,
    size,
    read(position, into) {
      if (!open) throw new Error(`file ${path} is closed`);
      return into.length === 0 ? 0 : readSync(fd, into, 0, into.length, position);
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/** Runs `fn` with a reader over `path` and closes the descriptor afterwards, also when `fn` fails. */
export async function withFileReader<T>(path: string, fn: (reader: FileReader) => Promise<T> | T): Promise<T> {
  const reader = openFileReader(path);
  try {
    return await fn(reader);
  } finally {
    reader.close();
  }
}
