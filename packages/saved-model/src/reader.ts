/**
 * Reading a SavedModel directory through a {@link SourceOpener}: the pure
 * {@link parseSavedModel} does the work on bytes; {@link readSavedModel}
 * fetches `saved_model.pb`, `keras_metadata.pb` and `fingerprint.pb` and leaves
 * `variables/` to be opened lazily.
 */
import { errorsFor, readAll, type SourceOpener } from '@tfsave/core';
import type { tensorflow } from '@tfsave/protos';
import { BundleReader } from '@tfsave/tensor-bundle';
import { decodeFingerprint, decodeKerasMetadata, decodeSavedModel } from './codec.js';
import { resolveLimits, type SavedModelLimits } from './limits.js';
import { summarizeFingerprint, summarizeKerasMetadata, summarizeMetaGraph } from './summarize.js';
import type { FingerprintSummary, KerasMetadataNode, MetaGraphSummary } from './summary-types.js';

const fail = errorsFor('saved-model');

/** The contents of `saved_model.pb` as plain data, plus the decoded proto. */
export interface ParsedSavedModel {
  readonly schemaVersion: number;
  readonly metaGraphs: readonly MetaGraphSummary[];
  /** The decoded message, for callers that need every field. */
  readonly proto: tensorflow.SavedModel;
}

/**
 * Opens the `variables/variables` bundle of a SavedModel. The default uses
 * `@tfsave/tensor-bundle`; pass your own to read with something else.
 */
export type VariablesOpener<V> = (opener: SourceOpener, prefix: string) => Promise<V>;

/** Options of {@link readSavedModel}. */
export interface ReadSavedModelOptions<V> extends SavedModelLimits {
  /** How `variables()` opens the bundle. Default: `BundleReader.open` of `@tfsave/tensor-bundle`. */
  readonly openVariables?: VariablesOpener<V>;
}

/** A SavedModel directory, read. */
export interface SavedModelInfo<V = BundleReader> extends ParsedSavedModel {
  /** `keras_metadata.pb` nodes, when the file exists (tf_keras SavedModels). */
  readonly kerasMetadata: readonly KerasMetadataNode[] | undefined;
  /** `fingerprint.pb`, when the file exists (TF ≥ 2.11). */
  readonly fingerprint: FingerprintSummary | undefined;
  /** True when `variables/variables.index` exists. */
  readonly hasVariables: boolean;
  /** Files under `assets/` and `assets.extra/` (when the opener can list). */
  readonly assetFiles: readonly string[];
  /** Opens `variables/variables` (once; later calls return the same promise). */
  variables(): Promise<V>;
}

/**
 * Parses the bytes of `saved_model.pb`.
 * @throws FormatError for truncated, malformed or over-limit input; `unsupported` for a schema version other than 1 (0 is accepted: old files omit it).
 */
export function parseSavedModel(bytes: Uint8Array, limits?: SavedModelLimits, path?: string): ParsedSavedModel {
  const proto = decodeSavedModel(bytes, limits, path);
  const schemaVersion = Number(proto.saved_model_schema_version ?? 0);
  if (schemaVersion !== 0 && schemaVersion !== 1) {
    throw fail.unsupported(`saved_model_schema_version ${schemaVersion} (only 1 is known)`, 'schema-version', { path });
  }
  if ((proto.meta_graphs ?? []).length === 0) throw fail.malformed('SavedModel has no MetaGraphDef', 'no-meta-graph', { path });
  return { schemaVersion, metaGraphs: proto.meta_graphs.map(summarizeMetaGraph), proto };
}

async function readOptional(opener: SourceOpener, name: string, max: number): Promise<Uint8Array | undefined> {
  if (!(await opener.exists(name))) return undefined;
  const src = await opener.open(name);
  try {
    return await readAll(src, max);
  } finally {
    await src.close?.();
  }
}

async function listOptional(opener: SourceOpener, dir: string): Promise<string[]> {
  if (opener.list === undefined || !(await opener.exists(dir))) return [];
  try {
    return (await opener.list(dir)).map((n) => `${dir}/${n}`);
  } catch {
    return [];
  }
}

/**
 * Reads a SavedModel directory. Only the small protobuf files are read; the
 * variables are opened when {@link SavedModelInfo.variables} is called.
 * @throws FormatError when `saved_model.pb` is missing (`saved_model.pbtxt` is `unsupported`), or any file is malformed.
 */
export async function readSavedModel<V = BundleReader>(opener: SourceOpener, options: ReadSavedModelOptions<V> = {}): Promise<SavedModelInfo<V>> {
  const lim = resolveLimits(options);
  const where = (f: string) => `${opener.name}/${f}`;
  const pb = await readOptional(opener, 'saved_model.pb', lim.maxFileBytes);
  if (pb === undefined) {
    if (await opener.exists('saved_model.pbtxt')) throw fail.unsupported('text-format saved_model.pbtxt is not supported', 'pbtxt', { path: where('saved_model.pbtxt') });
    if (await opener.exists('saved_model.cpb')) throw fail.unsupported('chunked saved_model.cpb is not supported', 'cpb', { path: where('saved_model.cpb') });
    throw fail.truncated('no saved_model.pb in directory', { path: opener.name });
  }
  const parsed = parseSavedModel(pb, lim, where('saved_model.pb'));
  const km = await readOptional(opener, 'keras_metadata.pb', lim.maxFileBytes);
  const fp = await readOptional(opener, 'fingerprint.pb', lim.maxFileBytes);
  const hasVariables = await opener.exists('variables/variables.index');
  const assetFiles = [...(await listOptional(opener, 'assets')), ...(await listOptional(opener, 'assets.extra'))];
  let pending: Promise<V> | undefined;
  return {
    ...parsed,
    kerasMetadata: km === undefined ? undefined : summarizeKerasMetadata(decodeKerasMetadata(km, lim, where('keras_metadata.pb'))),
    fingerprint: fp === undefined ? undefined : summarizeFingerprint(decodeFingerprint(fp, lim, where('fingerprint.pb'))),
    hasVariables,
    assetFiles,
    variables(): Promise<V> {
      if (pending !== undefined) return pending;
      if (!hasVariables) return Promise.reject(fail.truncated('SavedModel has no variables/variables.index', { path: opener.name }));
      const open = options.openVariables ?? ((o: SourceOpener, prefix: string) => BundleReader.open(o, prefix) as Promise<unknown> as Promise<V>);
      pending = open(opener, 'variables/variables');
      return pending;
    },
  };
}
