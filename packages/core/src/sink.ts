/**
 * Streaming output. Writers push bytes into a {@link ByteSink}; where they go
 * (a temp file that is renamed on commit, memory, a browser download) is the
 * adapter's business.
 */

/** A sequential byte destination. */
export interface ByteSink {
  /** Appends bytes. The caller may reuse `chunk` after the promise settles. */
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes and closes. */
  close(): Promise<void>;
  /** Bytes written so far. */
  readonly position: number;
}

/** Creates the sinks of a multi-file save and makes them visible at once. */
export interface SinkFactory {
  /** Opens a sink that will become `relativePath` when the save is committed. */
  create(relativePath: string): Promise<ByteSink>;
  /** Makes every created file visible under its final name (atomically per file, final files last). */
  commit(): Promise<void>;
  /** Discards everything written by this save. */
  abort(): Promise<void>;
}

/** A sink that collects bytes in memory. */
export class MemorySink implements ByteSink {
  private chunks: Uint8Array[] = [];
  position = 0;
  closed = false;
  async write(chunk: Uint8Array): Promise<void> {
    this.chunks.push(chunk.slice());
    this.position += chunk.length;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  /** Everything written, concatenated. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.position);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** A {@link SinkFactory} over memory; `files` holds committed files. */
export class MemorySinkFactory implements SinkFactory {
  readonly files = new Map<string, Uint8Array>();
  private pending = new Map<string, MemorySink>();
  async create(relativePath: string): Promise<ByteSink> {
    const s = new MemorySink();
    this.pending.set(relativePath, s);
    return s;
  }
  async commit(): Promise<void> {
    for (const [k, s] of this.pending) this.files.set(k, s.bytes());
    this.pending.clear();
  }
  async abort(): Promise<void> {
    this.pending.clear();
  }
}
