/**
 * Node adapter: atomic multi-file saves. Every file is written under a
 * temporary name in its final directory, fsynced, then renamed into place on
 * commit (files in the order they were created, so writers create the file
 * that "publishes" a save — an index, a state file — last), and the directory
 * is fsynced. A crash at any point leaves either the old file or the new one
 * under each final name, never a partial one.
 */
import { open, rename, rm, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import type { ByteSink, SinkFactory } from '../sink.js';
import { installNativeCrc32c } from './crc32c-native.js';

let counter = 0;
/** A temporary name beside `finalPath`, unique within this process. */
export function tempNameFor(finalPath: string): string {
  counter = (counter + 1) % 1_000_000;
  return join(dirname(finalPath), `.${basename(finalPath)}.tmp-${process.pid}-${Date.now().toString(36)}-${counter}`);
}

/** A sink writing to a file handle, buffering small writes. */
export class FileSink implements ByteSink {
  position = 0;
  private buf: Uint8Array;
  private used = 0;
  constructor(private readonly handle: FileHandle, readonly path: string, bufferSize = 1 << 20) {
    installNativeCrc32c();
    this.buf = new Uint8Array(bufferSize);
  }
  async write(chunk: Uint8Array): Promise<void> {
    this.position += chunk.length;
    if (chunk.length >= this.buf.length) {
      await this.flush();
      await this.writeFully(chunk);
      return;
    }
    if (this.used + chunk.length > this.buf.length) await this.flush();
    this.buf.set(chunk, this.used);
    this.used += chunk.length;
  }
  private async writeFully(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, off, bytes.length - off);
      off += bytesWritten;
    }
  }
  async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.writeFully(this.buf.subarray(0, this.used));
    this.used = 0;
  }
  /** Flushes, fsyncs and closes. */
  async close(): Promise<void> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
  }
}

/** Opens, fsyncs and closes a directory so renames inside it are durable (best effort). */
export async function fsyncDir(dir: string): Promise<void> {
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    /* some filesystems cannot fsync directories; rename is still atomic */
  }
}

/**
 * A {@link SinkFactory} over a local directory with atomic commit.
 * Paths given to `create` are relative to `dir`; subdirectories are created.
 */
export class AtomicDirSinkFactory implements SinkFactory {
  private readonly files: Array<{ finalPath: string; tempPath: string; sink: FileSink }> = [];
  constructor(readonly dir: string) {}

  async create(relativePath: string): Promise<ByteSink> {
    const finalPath = join(this.dir, relativePath);
    await mkdir(dirname(finalPath), { recursive: true });
    const tempPath = tempNameFor(finalPath);
    const handle = await open(tempPath, 'wx');
    const sink = new FileSink(handle, tempPath);
    this.files.push({ finalPath, tempPath, sink });
    return sink;
  }

  async commit(): Promise<void> {
    const dirs = new Set<string>();
    for (const f of this.files) {
      await rename(f.tempPath, f.finalPath);
      dirs.add(dirname(f.finalPath));
    }
    for (const d of dirs) await fsyncDir(d);
    this.files.length = 0;
  }

  async abort(): Promise<void> {
    for (const f of this.files) await rm(f.tempPath, { force: true });
    this.files.length = 0;
  }
}

/** Writes `bytes` to `path` atomically (temp file, fsync, rename, fsync dir). */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const f = new AtomicDirSinkFactory(dirname(path));
  try {
    const s = await f.create(basename(path));
    await s.write(bytes);
    await s.close();
    await f.commit();
  } catch (e) {
    await f.abort();
    throw e;
  }
}
