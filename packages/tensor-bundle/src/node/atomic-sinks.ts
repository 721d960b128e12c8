import { open, rename, rm, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ByteSink } from '@tfsave/core';
import { fsyncDir, tempNameFor } from '@tfsave/core/node';
import { BundleFileSink } from './file-sink.js';
import type { RenamingSinkFactory } from '../bundle-writer.js';

/**
 * Writes each file to a hidden temporary name in `dir`, fsyncs it on close, and on
 * commit renames the files into place in creation order (a bundle's data shards
 * first, its `.index` last), then fsyncs the directory. An existing `.index` of the same name
 * is removed before the data files are replaced. Supports renaming a pending
 * file's final name (for shard counts known only at the end).
 */
export class AtomicBundleSinkFactory implements RenamingSinkFactory {
  private files: Array<{ name: string; temp: string }> = [];
  /**
   * @param dir directory the relative names are resolved in.
   * @param durable fsync each file before the rename and the directory after (default true).
   *   `false` still gives all-or-nothing visibility after a process crash, but not after a power loss
   *   (TensorFlow itself does not fsync checkpoint files).
   */
  constructor(readonly dir: string, readonly durable = true) {}

  async create(relativePath: string): Promise<ByteSink> {
    const finalPath = join(this.dir, relativePath);
    await mkdir(dirname(finalPath), { recursive: true });
    const temp = tempNameFor(finalPath);
    const handle = await open(temp, 'wx');
    this.files.push({ name: relativePath, temp });
    return new BundleFileSink(handle, temp, this.durable);
  }

  rename(from: string, to: string): void {
    const f = this.files.find((x) => x.name === from);
    if (f === undefined) throw new RangeError(`no pending file ${from}`);
    f.name = to;
  }

  async commit(): Promise<void> {
    const files = this.files;
    this.files = [];
    // Replacing a bundle in place: drop its old index first, so a crash between the
    // renames leaves "no bundle" under that prefix rather than old index + new data.
    for (const f of files) if (f.name.endsWith('.index')) await rm(join(this.dir, f.name), { force: true });
    for (const f of files) await rename(f.temp, join(this.dir, f.name));
    if (this.durable) await fsyncDir(this.dir);
  }

  async abort(): Promise<void> {
    const files = this.files;
    this.files = [];
    for (const f of files) await rm(f.temp, { force: true });
  }
}
