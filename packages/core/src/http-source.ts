/**
 * HTTP(S) range-request sources, through an injectable `fetch` so that the
 * same code runs in browsers, Node and tests.
 */
import { FormatError } from './errors.js';
import { checkRange, type RangeSource, type SourceOpener } from './source.js';

/** The subset of `fetch` tfsave uses. */
export type FetchLike = (url: string, init?: { method?: string; headers?: Record<string, string> }) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

function httpError(reason: string, url: string, code: string): FormatError {
  return new FormatError(reason, { format: 'http', kind: 'truncated', code, path: url });
}

/** A source reading byte ranges of one URL. */
export class HttpSource implements RangeSource {
  private constructor(readonly name: string, readonly byteLength: number, private readonly fetchFn: FetchLike) {}

  /**
   * Opens `url`: one HEAD request for the size.
   * @throws FormatError when the server does not answer 2xx or gives no Content-Length.
   */
  static async open(url: string, fetchFn: FetchLike = globalThis.fetch as unknown as FetchLike): Promise<HttpSource> {
    const res = await fetchFn(url, { method: 'HEAD' });
    if (!res.ok) throw httpError(`HEAD answered ${res.status}`, url, 'http-status');
    const len = Number(res.headers.get('content-length'));
    if (!Number.isSafeInteger(len) || len < 0) throw httpError('no Content-Length in HEAD response', url, 'http-length');
    return new HttpSource(url, len, fetchFn);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length, 'http');
    if (length === 0) return new Uint8Array(0);
    const res = await this.fetchFn(this.name, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
    if (res.status !== 206 && !(res.status === 200 && offset === 0 && length === this.byteLength)) {
      throw httpError(`range request answered ${res.status} (206 expected)`, this.name, 'http-range');
    }
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.length !== length) throw httpError(`range request returned ${body.length} bytes, ${length} expected`, this.name, 'http-range');
    return body;
  }
}

/** Opens files relative to a base URL. */
export class HttpOpener implements SourceOpener {
  readonly name: string;
  constructor(baseUrl: string, private readonly fetchFn: FetchLike = globalThis.fetch as unknown as FetchLike) {
    this.name = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  }
  open(relativePath: string): Promise<RangeSource> {
    return HttpSource.open(new URL(relativePath, this.name).toString(), this.fetchFn);
  }
  async exists(relativePath: string): Promise<boolean> {
    const res = await this.fetchFn(new URL(relativePath, this.name).toString(), { method: 'HEAD' });
    return res.ok;
  }
}
