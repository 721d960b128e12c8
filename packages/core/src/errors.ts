/**
 * The one error family of tfsave. Every problem with the bytes of a file is a
 * {@link FormatError}; its `kind` says whether the file was cut short, is
 * malformed, uses something we do not support, failed a checksum, or exceeded
 * a resource limit.
 */

/** What went wrong with the input. */
export type FormatErrorKind = 'truncated' | 'malformed' | 'unsupported' | 'checksum' | 'limit' | 'unsafe';

/** Details attached to a {@link FormatError}. */
export interface FormatErrorDetails {
  /** Format name: `tensor-bundle`, `saved-model`, `hdf5`, `keras-zip`, `protobuf`, … */
  readonly format: string;
  /** The kind of failure. */
  readonly kind: FormatErrorKind;
  /** A stable machine-readable code, e.g. `footer-magic`, `block-crc`. */
  readonly code: string;
  /** The file (path, URL or source name) the bytes came from, when known. */
  readonly path?: string | undefined;
  /** Byte offset in that file where the problem was found, when known. */
  readonly offset?: number | bigint | undefined;
  /** The underlying error, when one caused this. */
  readonly cause?: unknown;
}

/**
 * A file is truncated, malformed, unsupported, corrupted or over a limit.
 *
 * The message starts with the format name and gives the real numbers, the
 * file and the offset, e.g.
 * `tensor-bundle: footer magic 0x1234 != 0xdb4775248b80fb57 at offset 1024 of x.index`.
 */
export class FormatError extends Error {
  readonly format: string;
  readonly kind: FormatErrorKind;
  readonly code: string;
  readonly path: string | undefined;
  readonly offset: number | bigint | undefined;

  constructor(reason: string, details: FormatErrorDetails) {
    const where =
      details.offset !== undefined && details.path !== undefined
        ? ` at offset ${details.offset} of ${details.path}`
        : details.offset !== undefined
          ? ` at offset ${details.offset}`
          : details.path !== undefined
            ? ` in ${details.path}`
            : '';
    super(`${details.format}: ${reason}${where}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'FormatError';
    this.format = details.format;
    this.kind = details.kind;
    this.code = details.code;
    this.path = details.path;
    this.offset = details.offset;
  }

  /** Returns a copy of this error that names `path` (when it did not already). */
  withPath(path: string): FormatError {
    if (this.path !== undefined) return this;
    return new FormatError(this.message.slice(this.format.length + 2), {
      format: this.format,
      kind: this.kind,
      code: this.code,
      path,
      offset: this.offset,
      cause: this.cause,
    });
  }
}

/** True when `e` is a {@link FormatError} (also across package copies). */
export function isFormatError(e: unknown): e is FormatError {
  return e instanceof FormatError || (e instanceof Error && e.name === 'FormatError' && 'kind' in e && 'format' in e);
}

/**
 * Shorthand constructors bound to one format name, so that parsers read as
 * `fail.truncated('footer', { offset })`.
 */
export interface ErrorFactory {
  truncated(reason: string, where?: Where): FormatError;
  malformed(reason: string, code: string, where?: Where): FormatError;
  unsupported(reason: string, code: string, where?: Where): FormatError;
  checksum(reason: string, code: string, where?: Where): FormatError;
  limit(reason: string, code: string, where?: Where): FormatError;
  unsafe(reason: string, code: string, where?: Where): FormatError;
}

/** Location of a problem. */
export interface Where {
  readonly path?: string | undefined;
  readonly offset?: number | bigint | undefined;
  readonly cause?: unknown;
}

/** Creates an {@link ErrorFactory} for `format`. */
export function errorsFor(format: string): ErrorFactory {
  const make = (kind: FormatErrorKind) => (reason: string, code: string, where: Where = {}) =>
    new FormatError(reason, { format, kind, code, ...where });
  return {
    truncated: (reason, where = {}) => new FormatError(reason, { format, kind: 'truncated', code: 'truncated', ...where }),
    malformed: make('malformed'),
    unsupported: make('unsupported'),
    checksum: make('checksum'),
    limit: make('limit'),
    unsafe: make('unsafe'),
  };
}
