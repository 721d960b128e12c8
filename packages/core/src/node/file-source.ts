/** Node adapter: local files as {@link RangeSource}s, read at positions. */
import { open, stat, readdir, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { FormatError } from '../errors.js';
import { checkRange, type RangeSource, type SourceOpener } from '../source.js';
import { installNativeCrc32c } from './crc32c-native.js';

/** Reads of at least this many bytes are split in two parallel positioned reads (2 MiB). */
export const PARALLEL_READ_FROM = 2 << 20;

/**
 * A local file read with positioned reads (never loaded whole). Reads land in buffers
 * that are not zero-filled first (`Buffer.allocUnsafeSlow`): every byte of a returned
 * buffer comes from the file and a short read throws before the buffer escapes, so the
 * zero-fill pass (about a fifth of a large read from the page cache) is saved.
 */
export class FileSource implements RangeSource {
  private constructor(readonly name: string, readonly byteLength: number, private handle: FileHandle | undefined) {}

  /**
   * Opens `path` for reading.
   * @throws FormatError (code `not-found`) when the file does not exist.
   */
  static async open(path: string): Promise<FileSource> {
    installNativeCrc32c();
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw new FormatError(`cannot open file: ${(e as Error).message}`, { format: 'io', kind: 'truncated', code: 'not-found', path, cause: e });
    }
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      throw new FormatError('not a regular file', { format: 'io', kind: 'malformed', code: 'not-a-file', path });
    }
    return new FileSource(path, st.size, handle);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    this.openHandle();
    const out = new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
    await this.readInto(offset, out);
    return out;
  }

  /**
   * Fills `target` with the `target.length` bytes at `offset`, straight from the file (no
   * intermediate buffer), so a caller assembling a large tensor from several requests copies
   * nothing twice. Ranges of {@link PARALLEL_READ_FROM} bytes or more are read as two positioned
   * reads in parallel (two of Node's IO threads copy from the page cache at once).
   * @throws FormatError (`read-past-end`, `short-read`, `closed`) as {@link read}.
   */
  async readInto(offset: number, target: Uint8Array): Promise<void> {
    checkRange(this, offset, target.length);
    const handle = this.openHandle();
    if (target.length < PARALLEL_READ_FROM) return this.fill(handle, offset, target);
    const half = target.length >>> 1;
    await Promise.all([this.fill(handle, offset, target.subarray(0, half)), this.fill(handle, offset + half, target.subarray(half))]);
  }

  private async fill(handle: FileHandle, offset: number, target: Uint8Array): Promise<void> {
    const length = target.length;
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(target, done, length - done, offset + done);
      if (bytesRead === 0) {
        throw new FormatError(`file ended after ${offset + done} bytes while reading ${length} at ${offset}`, { format: 'io', kind: 'truncated', code: 'short-read', path: this.name, offset: offset + done });
      }
      done += bytesRead;
    }
  }

  private openHandle(): FileHandle {
    if (this.handle === undefined) throw new FormatError('file is closed', { format: 'io', kind: 'malformed', code: 'closed', path: this.name });
    return this.handle;
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}

/** Opens files relative to a local directory. Paths may not escape it. */
export class DirOpener implements SourceOpener {
  readonly name: string;
  constructor(dir: string) {
    this.name = resolve(dir);
  }
  private resolvePath(relativePath: string): string {
    const p = resolve(this.name, relativePath);
    if (p !== this.name && !p.startsWith(this.name + sep)) {
      throw new FormatError(`path ${relativePath} escapes ${this.name}`, { format: 'io', kind: 'unsafe', code: 'path-escape', path: relativePath });
    }
    return p;
  }
  open(relativePath: string): Promise<RangeSource> {
    return FileSource.open(this.resolvePath(relativePath));
  }
  async exists(relativePath: string): Promise<boolean> {
    try {
      await stat(this.resolvePath(relativePath));
      return true;
    } catch {
      return false;
    }
  }
  async list(relativePath: string): Promise<string[]> {
    return (await readdir(this.resolvePath(relativePath))).sort();
  }
}

/** Opens a local file as a source (see {@link FileSource.open}). */
export function openFile(path: string): Promise<FileSource> {
  return FileSource.open(path);
}

/** An opener for the directory that holds `path`. */
export function openerBeside(path: string): DirOpener {
  return new DirOpener(dirname(path));
}

/** An opener for `dir` itself. */
export function openDir(dir: string): DirOpener {
  return new DirOpener(join(dir));
}
