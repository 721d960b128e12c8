/**
 * The one IO interface of tfsave: a random-access byte source. Format code
 * only ever sees a {@link RangeSource} (and a way to open siblings), never
 * whether bytes come from disk, memory or HTTP range requests.
 */
import { FormatError } from './errors.js';

/** Random-access read-only bytes. */
export interface RangeSource {
  /** A name for messages: a path, URL or label. */
  readonly name: string;
  /** Total size in bytes. */
  readonly byteLength: number;
  /**
   * Reads exactly `length` bytes at `offset`.
   * @throws FormatError (kind `truncated`) when the range goes past the end.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases the underlying handle, if any. */
  close?(): Promise<void>;
}

/** Opens files next to another one: the other shards of a bundle, `variables/variables.index`… */
export interface SourceOpener {
  /** Opens `relativePath` (forward slashes) relative to the opener's directory. */
  open(relativePath: string): Promise<RangeSource>;
  /** True when `relativePath` exists. */
  exists(relativePath: string): Promise<boolean>;
  /** Names inside a directory, when the backing store can list (HTTP cannot). */
  list?(relativePath: string): Promise<string[]>;
  /** Display name of the directory. */
  readonly name: string;
}

/** Checks a requested range against the source size. */
export function checkRange(source: { name: string; byteLength: number }, offset: number, length: number, format = 'io'): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > source.byteLength) {
    throw new FormatError(`read of ${length} bytes at ${offset} is past the end (${source.byteLength} bytes)`, {
      format,
      kind: 'truncated',
      code: 'read-past-end',
      path: source.name,
      offset,
    });
  }
}

/** A source over bytes already in memory. */
export class MemorySource implements RangeSource {
  readonly byteLength: number;
  constructor(readonly bytes: Uint8Array, readonly name = 'memory') {
    this.byteLength = bytes.byteLength;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** An opener over an in-memory map of relative paths to bytes. */
export class MemoryOpener implements SourceOpener {
  constructor(readonly files: Map<string, Uint8Array>, readonly name = 'memory') {}
  async open(relativePath: string): Promise<RangeSource> {
    const bytes = this.files.get(relativePath);
    if (bytes === undefined) {
      throw new FormatError(`no such file ${relativePath}`, { format: 'io', kind: 'truncated', code: 'not-found', path: `${this.name}/${relativePath}` });
    }
    return new MemorySource(bytes, `${this.name}/${relativePath}`);
  }
  async exists(relativePath: string): Promise<boolean> {
    return this.files.has(relativePath);
  }
  async list(relativePath: string): Promise<string[]> {
    const prefix = relativePath === '' || relativePath === '.' ? '' : relativePath.replace(/\/$/, '') + '/';
    const names = new Set<string>();
    for (const k of this.files.keys()) if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]!);
    return [...names].sort();
  }
}

/** Counts reads and bytes: for tests that assert how much IO an operation costs. */
export class CountingSource implements RangeSource {
  reads = 0;
  bytesRead = 0;
  readonly ranges: Array<[number, number]> = [];
  constructor(readonly inner: RangeSource) {}
  get name(): string {
    return this.inner.name;
  }
  get byteLength(): number {
    return this.inner.byteLength;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    this.reads++;
    this.bytesRead += length;
    this.ranges.push([offset, length]);
    return this.inner.read(offset, length);
  }
  async close(): Promise<void> {
    await this.inner.close?.();
  }
}

/** Reads a whole source into memory (for small files only). */
export async function readAll(source: RangeSource, maxBytes = 1 << 30): Promise<Uint8Array> {
  if (source.byteLength > maxBytes) {
    throw new FormatError(`file of ${source.byteLength} bytes is over the ${maxBytes}-byte limit for whole-file reads`, {
      format: 'io', kind: 'limit', code: 'file-too-large', path: source.name,
    });
  }
  return source.read(0, source.byteLength);
}
