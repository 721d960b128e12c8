/**
 * The Keras 3 `.keras` zip: `metadata.json`, `config.json`,
 * `model.weights.h5`, optional `assets/`. Entry names are checked (no `..`,
 * absolute paths or drive letters; Windows backslashes normalized) and
 * sizes are bounded before anything is inflated.
 */
import { zipSync } from 'fflate';
import { errorsFor, utf8Decode, utf8Encode } from '@tfsave/core';
import type { Json } from './model-desc.js';
import { isJsonObject, parseJsonBounded } from './model-desc.js';

const fail = errorsFor('keras-zip');

/** Limits applied to a `.keras` zip. */
export interface KerasZipLimits {
  /** Most entries. Default 10 000. */
  readonly maxEntries?: number;
  /** Largest total uncompressed size. Default 8 GiB. */
  readonly maxTotalBytes?: number;
  /** Largest uncompressed/compressed ratio of a deflated entry. Default 200. */
  readonly maxRatio?: number;
}

/** The defaults of {@link KerasZipLimits}. */
export const DEFAULT_ZIP_LIMITS: Required<KerasZipLimits> = { maxEntries: 10_000, maxTotalBytes: 8 * 1024 ** 3, maxRatio: 200 };

/** True when `head` starts with a zip local file header `PK\x03\x04`. */
export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

/**
 * Normalizes a zip entry name (backslashes → `/`) and refuses unsafe ones.
 * @throws FormatError kind `unsafe` for `..`, absolute paths and drive letters.
 */
export function safeEntryName(name: string, where?: string): string {
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || /^[A-Za-z]:/.test(n) || n.split('/').some((p) => p === '..') || n.includes('\0')) {
    throw fail.unsafe(`entry name ${JSON.stringify(name)} escapes the archive; refused`, 'entry-path', { path: where });
  }
  return n.replace(/^(\.\/)+/, '');
}

/** The members of a `.keras` archive, by normalized name. */
export type KerasZipEntries = Map<string, Uint8Array>;

/** Reads a JSON member (bounded nesting) or undefined when absent. */
export function zipJson(entries: KerasZipEntries, name: string, where?: string): Json | undefined {
  const b = entries.get(name);
  if (b === undefined) return undefined;
  try {
    return parseJsonBounded(utf8Decode(b));
  } catch (e) {
    throw fail.malformed(`${name} is not valid JSON (${e instanceof Error ? e.message : String(e)})`, 'json', { path: where, cause: e });
  }
}

/** Inputs of {@link packKerasZip}. */
export interface KerasZipContents {
  readonly metadata: Json;
  readonly config: Json;
  readonly weights: Uint8Array;
  /** Extra files under `assets/` (names relative to it). */
  readonly assets?: ReadonlyMap<string, Uint8Array>;
}

/** Packs a `.keras` zip in Keras's entry order, stored (no compression) like Python's `zipfile` default. */
export function packKerasZip(c: KerasZipContents): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0; mtime: Date }]> = {};
  const fixed = new Date(1980, 0, 1, 0, 0, 0);
  files['metadata.json'] = [utf8Encode(JSON.stringify(c.metadata)), { level: 0, mtime: fixed }];
  files['config.json'] = [utf8Encode(JSON.stringify(c.config)), { level: 0, mtime: fixed }];
  files['model.weights.h5'] = [c.weights, { level: 0, mtime: new Date() }];
  for (const [name, data] of c.assets ?? []) files[`assets/${safeEntryName(name)}`] = [data, { level: 0, mtime: fixed }];
  return zipSync(files);
}

/** True when a zip's members look like a Keras archive. */
export function looksLikeKerasZip(entries: KerasZipEntries): boolean {
  return entries.has('config.json') && (entries.has('model.weights.h5') || entries.has('model.weights.npz') || isJsonObject(zipJson(entries, 'metadata.json')));
}
