/**
 * A {@link SinkFactory} wrapper that keeps a copy of one file's bytes and
 * holds back `commit()` until the caller releases it. The writer needs this for
 * `fingerprint.pb`: its `checkpoint_hash` hashes `variables/variables.index`,
 * which the bundle writer writes last and then commits.
 */
import type { ByteSink, SinkFactory } from '@tfsave/core';

/** Wraps `inner`, capturing the bytes written to `watched` and deferring commit. */
export class DeferredCommitSinks implements SinkFactory {
  private chunks: Uint8Array[] | undefined;
  private commitRequested = false;

  constructor(private readonly inner: SinkFactory, private readonly watched: string) {}

  /** Opens a sink of the wrapped factory (teeing `watched`). */
  async create(relativePath: string): Promise<ByteSink> {
    const sink = await this.inner.create(relativePath);
    if (relativePath !== this.watched) return sink;
    const chunks: Uint8Array[] = (this.chunks = []);
    return {
      write: async (chunk) => {
        chunks.push(chunk.slice());
        await sink.write(chunk);
      },
      close: () => sink.close(),
      get position() {
        return sink.position;
      },
    };
  }

  /** Records the commit request; {@link release} performs it. */
  async commit(): Promise<void> {
    this.commitRequested = true;
  }

  /** Discards everything through the wrapped factory. */
  abort(): Promise<void> {
    return this.inner.abort();
  }

  /** Whether a commit was requested. */
  get pending(): boolean {
    return this.commitRequested;
  }

  /** The bytes written to the watched file, or undefined when it was not created. */
  captured(): Uint8Array | undefined {
    if (this.chunks === undefined) return undefined;
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) (out.set(c, at), (at += c.length));
    return out;
  }

  /** Creates `relativePath` with `bytes` in the wrapped factory. */
  async writeFile(relativePath: string, bytes: Uint8Array): Promise<void> {
    const sink = await this.inner.create(relativePath);
    await sink.write(bytes);
    await sink.close();
  }

  /** Commits the wrapped factory. */
  release(): Promise<void> {
    return this.inner.commit();
  }
}
