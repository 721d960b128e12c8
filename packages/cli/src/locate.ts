/**
 * Turns what the user typed (a file, a checkpoint prefix, a directory or an
 * HTTP(S) URL) into a format and a place to read it from, judging by content
 * rather than by name.
 */
import { stat, readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { HttpOpener, HttpSource, type RangeSource, type SourceOpener } from '@tfsave/core';
import { DirOpener, FileSource } from '@tfsave/core/node';
import { CliFailure } from './cli-error.js';
import type { FormatName } from './model.js';
import { bundlePrefixOf, hdf5SignatureOffsets, isHdf5Signature, latestFromStateText, protoFormatOfName, sniffFile } from './sniff.js';

const NOT_KNOWN =
  'not a TensorFlow or Keras file (no tensor-bundle footer, HDF5 signature or zip header, and not named *.meta, saved_model.pb, keras_metadata.pb or fingerprint.pb)';

/** A detected input. */
export interface Located {
  readonly format: FormatName;
  /** What the user typed. */
  readonly display: string;
  /** Opens files in the directory that holds the input (for a SavedModel: the directory itself). */
  readonly opener: SourceOpener;
  /**
   * Relative to `opener`: the file name (`.h5`, `.keras`), the checkpoint
   * prefix (tensor bundle) or `''` (SavedModel directory).
   */
  readonly target: string;
  readonly isUrl: boolean;
  /** The absolute path of a local single-file input (`.h5`, `.keras`, …), for adapters that read it in place. */
  readonly localPath?: string;
}

/** True when `input` is an HTTP(S) URL. */
export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

/**
 * Detects the format of `input`.
 * @throws CliFailure when nothing readable is there or the content is not a known format.
 */
export async function locate(input: string): Promise<Located> {
  return isUrl(input) ? locateUrl(input) : locateLocal(input);
}

async function sniffSource(src: RangeSource): Promise<FormatName | undefined> {
  const head = await src.read(0, Math.min(8, src.byteLength));
  const tail = await src.read(Math.max(0, src.byteLength - 8), Math.min(8, src.byteLength));
  const found = sniffFile(head, tail);
  if (found !== undefined) return found;
  for (const off of hdf5SignatureOffsets(src.byteLength).slice(1)) {
    if (isHdf5Signature(await src.read(off, 8))) return 'hdf5';
  }
  return undefined;
}

async function locateLocal(input: string): Promise<Located> {
  const path = resolve(input);
  const st = await stat(path).catch(() => undefined);
  if (st?.isDirectory()) return locateDir(input, path);
  if (st?.isFile()) {
    const src = await FileSource.open(path);
    let format: FormatName | undefined;
    try {
      format = await sniffSource(src);
    } finally {
      await src.close();
    }
    const opener = new DirOpener(dirname(path));
    const name = basename(path);
    if (format === 'tensor-bundle') {
      const prefix = bundlePrefixOf(name);
      return { format, display: input, opener, target: prefix ?? name, isUrl: false };
    }
    if (format !== undefined) return { format, display: input, opener, target: name, isUrl: false, localPath: path };
    const prefix = bundlePrefixOf(name);
    if (prefix !== undefined && (await opener.exists(`${prefix}.index`))) {
      return { format: 'tensor-bundle', display: input, opener, target: prefix, isUrl: false };
    }
    if (name === 'saved_model.pb') return locateDir(input, dirname(path));
    const proto = protoFormatOfName(name);
    if (proto !== undefined) return { format: proto, display: input, opener, target: name, isUrl: false, localPath: path };
    throw new CliFailure(`${input}: ${NOT_KNOWN}`);
  }
  const opener = new DirOpener(dirname(path));
  if (await opener.exists(`${basename(path)}.index`)) {
    return { format: 'tensor-bundle', display: input, opener, target: basename(path), isUrl: false };
  }
  throw new CliFailure(`${input}: no such file, directory or checkpoint prefix`);
}

async function locateDir(input: string, dir: string): Promise<Located> {
  const opener = new DirOpener(dir);
  if ((await opener.exists('saved_model.pb')) || (await opener.exists('saved_model.pbtxt'))) {
    return { format: 'saved-model', display: input, opener, target: '', isUrl: false };
  }
  if (await opener.exists('checkpoint')) {
    const latest = latestFromStateText(await readFile(resolve(dir, 'checkpoint'), 'utf8'));
    if (latest !== undefined) {
      const full = resolve(dir, latest);
      return { format: 'tensor-bundle', display: input, opener: new DirOpener(dirname(full)), target: basename(full), isUrl: false };
    }
  }
  const indexes = (await opener.list('.')).filter((n) => n.endsWith('.index'));
  if (indexes.length === 1) return { format: 'tensor-bundle', display: input, opener, target: indexes[0]!.slice(0, -6), isUrl: false };
  if (indexes.length > 1) {
    throw new CliFailure(`${input}: directory holds ${indexes.length} checkpoints (${indexes.map((n) => n.slice(0, -6)).join(', ')}); name one prefix`);
  }
  throw new CliFailure(`${input}: directory has no saved_model.pb, checkpoint state file or .index file`);
}

async function locateUrl(url: string): Promise<Located> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.split('/').pop() ?? '');
  const base = new URL('.', u).toString();
  const opener = new HttpOpener(base);
  if (name === '') {
    if (await opener.exists('saved_model.pb')) return { format: 'saved-model', display: url, opener, target: '', isUrl: true };
    throw new CliFailure(`${url}: no saved_model.pb under this URL`);
  }
  const prefix = bundlePrefixOf(name);
  if (prefix !== undefined) return { format: 'tensor-bundle', display: url, opener, target: prefix, isUrl: true };
  if (name === 'saved_model.pb') return { format: 'saved-model', display: url, opener, target: '', isUrl: true };
  const proto = protoFormatOfName(name);
  if (proto !== undefined) return { format: proto, display: url, opener, target: name, isUrl: true };
  const src = await HttpSource.open(url).catch(() => undefined);
  if (src !== undefined) {
    const format = await sniffSource(src);
    if (format === undefined) throw new CliFailure(`${url}: ${NOT_KNOWN}`);
    return { format, display: url, opener, target: name, isUrl: true };
  }
  if (await opener.exists(`${name}.index`)) return { format: 'tensor-bundle', display: url, opener, target: name, isUrl: true };
  const dirOpener = new HttpOpener(`${url}/`);
  if (await dirOpener.exists('saved_model.pb')) return { format: 'saved-model', display: url, opener: dirOpener, target: '', isUrl: true };
  throw new CliFailure(`${url}: not found (no file, <prefix>.index or saved_model.pb)`);
}
