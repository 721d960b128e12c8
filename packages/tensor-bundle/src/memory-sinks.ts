import { MemorySink, type ByteSink } from '@tfsave/core';
import type { RenamingSinkFactory } from './bundle-writer.js';

/** In-memory {@link RenamingSinkFactory}: committed files appear in `files`. */
export class MemoryBundleSinkFactory implements RenamingSinkFactory {
  /** Committed files by relative path. */
  readonly files = new Map<string, Uint8Array>();
  private pending: Array<{ name: string; sink: MemorySink }> = [];
  async create(relativePath: string): Promise<ByteSink> {
    const sink = new MemorySink();
    this.pending.push({ name: relativePath, sink });
    return sink;
  }
  rename(from: string, to: string): void {
    const p = this.pending.find((x) => x.name === from);
    if (p === undefined) throw new RangeError(`no pending file ${from}`);
    p.name = to;
  }
  async commit(): Promise<void> {
    for (const p of this.pending) this.files.set(p.name, p.sink.bytes());
    this.pending = [];
  }
  async abort(): Promise<void> {
    this.pending = [];
  }
}
