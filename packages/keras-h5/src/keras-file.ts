/**
 * Entry points: sniff a Keras file from its content, load any layout into a
 * {@link KerasModelDesc}, save a description in any layout, and list stored
 * datasets for `tfsave inspect`.
 */
import { errorsFor, FormatError, tensorSha256 } from '@tfsave/core';
import { h5Ready, isHdf5, openHdf5, parseHdf5, writeHdf5 } from './h5-backend.js';
import type { Hdf5Input, ParseHdf5Options } from './h5-backend.js';
import type { H5Group, H5LazyGroup, H5Limits } from './h5-types.js';
import { buildLegacyH5, legacyKind, listDatasets, readLegacyH5 } from './legacy-h5.js';
import { buildWeightsH5, isWeightsH5Tree, readWeightsH5 } from './weights-h5.js';
import type { KerasZipLimits } from './keras-zip.js';
import { isZip, packKerasZip, zipJson } from './keras-zip.js';
import { openKerasZip, unpackKerasZip } from './keras-zip-reader.js';
import type { RandomAccessReader } from './random-access.js';
import { readExactly } from './random-access.js';
import type { JsonObject, KerasFormat, KerasModelDesc } from './model-desc.js';
import { isJsonObject } from './model-desc.js';
import { isKerasObject } from './config-model.js';
import type { SafetyOptions } from './registry.js';
import { checkConfigSafety } from './registry.js';
import { detectDialect, toKeras2, toKeras3 } from './dialect.js';
import type { KerasDialect } from './dialect.js';
import { detectTrainingDialect, learningRateOf, optimizerConfigOf, toCompileConfig, toKeras2TrainingConfig, toKeras3TrainingConfig } from './training-config.js';
import { convertOptimizerState, detectOptimizerLayout } from './optimizer-state.js';

const fail = errorsFor('keras');

/** Container format judged from the first bytes. */
export type ContainerKind = 'hdf5' | 'keras-zip' | 'unknown';

/** Sniffs the container from content (never from the file name); never throws. */
export function sniffContainer(head: Uint8Array): ContainerKind {
  return isHdf5(head) ? 'hdf5' : isZip(head) ? 'keras-zip' : 'unknown';
}

/**
 * A Keras file: its bytes, or a {@link RandomAccessReader} over it. From a reader, only the
 * parts read are fetched: HDF5 structure and dataset bytes, the `.keras` zip directory, its JSON
 * members, and its `model.weights.h5` served in place when stored (as Keras writes it) or
 * inflated into memory when deflated.
 */
export type KerasInput = Uint8Array | RandomAccessReader;

function headOf(input: KerasInput, where: string | undefined): Uint8Array {
  if (input instanceof Uint8Array) return input.subarray(0, 8);
  try {
    return readExactly(input, 0, Math.min(8, input.size));
  } catch (e) {
    throw new FormatError(`cannot read the first bytes: ${e instanceof Error ? e.message : String(e)}`, { format: 'keras', kind: 'truncated', code: 'read-failed', path: where, offset: 0, cause: e });
  }
}

/** A `.keras` member: as HDF5 input (a reader over it when stored and read in place) and as bytes. */
interface ZipMemberInput {
  h5(): Hdf5Input;
  bytes(): Uint8Array;
}

function zipMembers(input: KerasInput, opts: LoadOptions): Map<string, ZipMemberInput> {
  if (input instanceof Uint8Array) return new Map([...unpackKerasZip(input, opts.zipLimits, opts.name)].map(([k, v]) => [k, { h5: () => v, bytes: () => v }]));
  return new Map([...openKerasZip(input, opts.zipLimits, opts.name)].map(([k, m]) => [k, { h5: () => m.reader ?? m.read(), bytes: () => m.read() }]));
}

/** The JSON members of a `.keras` as bytes, for {@link zipJson}. */
function jsonMembers(members: Map<string, ZipMemberInput>): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const name of ['config.json', 'metadata.json']) {
    const m = members.get(name);
    if (m !== undefined) out.set(name, m.bytes());
  }
  return out;
}

/** Options of {@link loadKerasModel}. */
export interface LoadOptions extends SafetyOptions {
  readonly h5Limits?: H5Limits;
  readonly zipLimits?: KerasZipLimits;
  /** Skip the config safety check (configs are still never executed). Default false. */
  readonly skipSafetyCheck?: boolean;
  /** Name for error messages. */
  readonly name?: string;
  /**
   * Read the structure only: every tensor keeps its dtype and shape but gets no values (zero-length
   * `data`), and no dataset bytes are read (to describe a large file). Default false.
   */
  readonly withoutValues?: boolean;
}

/** A loaded file: its layout and contents. */
export interface LoadedKerasFile {
  readonly format: KerasFormat;
  readonly container: 'hdf5' | 'keras-zip';
  readonly model: KerasModelDesc;
  /** `metadata.json` of a `.keras`. */
  readonly metadata?: Record<string, unknown>;
}

/** The plain tree of an HDF5 file: every dataset's bytes, or none of them for {@link LoadOptions.withoutValues}. */
function readH5Tree(input: Hdf5Input, options: ParseHdf5Options, opts: LoadOptions): H5Group {
  if (opts.withoutValues !== true) return parseHdf5(input, options);
  const file = openHdf5(input, options);
  const empty = new Uint8Array(0);
  const plain = (g: H5LazyGroup): H5Group => ({
    kind: 'group', attrs: g.attrs,
    children: new Map([...g.children].map(([k, c]) => [k, c.kind === 'group' ? plain(c) : { kind: 'dataset', dtype: c.dtype, shape: c.shape, data: empty, attrs: c.attrs }] as const)),
  });
  try {
    return plain(file.root);
  } finally {
    file.close();
  }
}

function fromH5Tree(tree: H5Group, opts: LoadOptions): { format: KerasFormat; model: KerasModelDesc } {
  const kind = legacyKind(tree);
  if (kind !== undefined) return { format: kind, model: readLegacyH5(tree, opts.name) };
  if (isWeightsH5Tree(tree)) return { format: 'weights.h5', model: readWeightsH5(tree, undefined, opts.name) };
  throw fail.unsupported('HDF5 file has none of the Keras layouts (model_config, layer_names, layers/)', 'layout', { path: opts.name });
}

/**
 * Loads any Keras layout from bytes or a reader, detecting it from content.
 * @throws FormatError for broken, unsafe (Lambda, unregistered classes, external links, zip paths) or over-limit files.
 */
export async function loadKerasModel(input: KerasInput, opts: LoadOptions = {}): Promise<LoadedKerasFile> {
  await h5Ready();
  const kind = sniffContainer(headOf(input, opts.name));
  let out: LoadedKerasFile;
  if (kind === 'hdf5') {
    const r = fromH5Tree(readH5Tree(input, { ...opts.h5Limits, ...(opts.name !== undefined ? { name: opts.name } : {}) }, opts), opts);
    out = { ...r, container: 'hdf5' };
  } else if (kind === 'keras-zip') {
    const members = zipMembers(input, opts);
    const entries = jsonMembers(members);
    const config = zipJson(entries, 'config.json', opts.name);
    if (!isKerasObject(config)) throw fail.malformed('config.json is missing or not a serialized Keras object', 'config', { path: opts.name });
    const metadata = zipJson(entries, 'metadata.json', opts.name);
    const weights = members.get('model.weights.h5');
    if (weights === undefined) {
      throw fail.unsupported(members.has('model.weights.npz') ? 'model.weights.npz archives are not supported' : 'no model.weights.h5 in the archive', 'weights-member', { path: opts.name });
    }
    const where = `${opts.name ?? ''}:model.weights.h5`;
    const model = readWeightsH5(readH5Tree(weights.h5(), { ...opts.h5Limits, name: where }, opts), config, where);
    const compile = config['compile_config'];
    const optConfig = isJsonObject(compile) ? optimizerConfigOf(compile) : undefined;
    out = {
      format: 'keras', container: 'keras-zip',
      model: {
        ...model,
        ...(model.optimizer !== undefined && optConfig !== undefined ? { optimizer: { ...model.optimizer, config: optConfig } } : {}),
        ...(isJsonObject(compile) ? { trainingConfig: compile } : {}),
        ...(isJsonObject(metadata) && typeof metadata['keras_version'] === 'string' ? { kerasVersion: metadata['keras_version'] } : {}),
      },
      ...(isJsonObject(metadata) ? { metadata } : {}),
    };
  } else {
    throw fail.unsupported('neither HDF5 nor zip signature: not a Keras file', 'signature', { path: opts.name, offset: 0 });
  }
  if (out.model.modelConfig !== undefined && opts.skipSafetyCheck !== true) checkConfigSafety(out.model.modelConfig, opts);
  return out;
}

/** Options of {@link saveKerasModel}. */
export interface SaveOptions {
  /** `h5` legacy full model, `weights-h5-legacy` (`save_weights('w.h5')`), `weights.h5` (Keras 3) or `keras` zip. */
  readonly format: KerasFormat;
  /** Include optimizer state. Default true. */
  readonly includeOptimizer?: boolean;
  /**
   * Dialect of a legacy `.h5` (model and training configs, optimizer variable order): `keras2`
   * loads compiled in tf_keras, `keras3` in Keras 3. Default: `keras3` when the description's
   * `kerasVersion` is 3.x, else `keras2`. `.keras` and `.weights.h5` are always Keras 3.
   */
  readonly dialect?: KerasDialect;
}

/**
 * Returns the description in one dialect: model config, training config, optimizer
 * variable order and `kerasVersion`. Parts already in that dialect are kept as they are.
 */
export function toDialect(desc: KerasModelDesc, target: KerasDialect): KerasModelDesc {
  const mc = desc.modelConfig === undefined ? undefined : withoutCompileConfig(desc.modelConfig);
  const modelConfig = mc === undefined || detectDialect(mc) === target ? mc : target === 'keras3' ? toKeras3(mc) : toKeras2(mc);
  const tc = desc.trainingConfig;
  const trainingConfig = tc === undefined ? undefined
    : target === 'keras2' ? toKeras2TrainingConfig(tc)
      : detectTrainingDialect(tc) === 'keras3' && !isJsonObject(tc['optimizer']) ? tc : toKeras3TrainingConfig(tc);
  let optimizer = desc.optimizer;
  if (optimizer !== undefined) {
    const from = detectOptimizerLayout(optimizer, desc.kerasVersion);
    const config = optimizer.config ?? (tc !== undefined ? optimizerConfigOf(tc) : undefined);
    optimizer = convertOptimizerState(optimizer, from, target === 'keras3' ? 'keras3' : 'tf_keras', learningRateOf(config), config);
  }
  const v = desc.kerasVersion;
  const kerasVersion = target === 'keras3' ? (v?.startsWith('3') === true ? v : '3.15.1') : (v === undefined || v.startsWith('3') ? '2.21.0' : v);
  return {
    ...desc, kerasVersion,
    ...(modelConfig !== undefined ? { modelConfig } : {}),
    ...(trainingConfig !== undefined ? { trainingConfig } : {}),
    ...(optimizer !== undefined ? { optimizer } : {}),
  };
}

/**
 * Serializes a description in the requested layout, converting between the Keras 2 and
 * Keras 3 dialects where the layout needs it.
 * @throws TypeError when the layout needs a model config and there is none.
 */
export async function saveKerasModel(desc: KerasModelDesc, opts: SaveOptions): Promise<Uint8Array> {
  await h5Ready();
  const withOpt = opts.includeOptimizer === false ? { ...desc, optimizer: undefined } : desc;
  const clean: KerasModelDesc = Object.fromEntries(Object.entries(withOpt).filter(([, v]) => v !== undefined)) as unknown as KerasModelDesc;
  const h5Dialect = opts.dialect ?? (clean.kerasVersion?.startsWith('3') === true ? 'keras3' : 'keras2');
  switch (opts.format) {
    case 'h5': return writeHdf5(buildLegacyH5(toDialect(clean, h5Dialect)));
    case 'weights-h5-legacy': return writeHdf5(buildLegacyH5(clean, { weightsOnly: true }));
    case 'weights.h5': return writeHdf5(buildWeightsH5(toDialect(clean, 'keras3'), optimizerNameOpt(clean)));
    case 'keras': {
      if (clean.modelConfig === undefined) throw new TypeError('keras-h5: a .keras archive needs modelConfig');
      const k3 = toDialect(clean, 'keras3');
      const config = { ...k3.modelConfig! };
      if (clean.trainingConfig !== undefined) config['compile_config'] = toCompileConfig(clean.trainingConfig);
      const weights = writeHdf5(buildWeightsH5({ ...k3, modelConfig: config }, optimizerNameOpt(clean)));
      const now = new Date().toISOString();
      return packKerasZip({ metadata: { keras_version: k3.kerasVersion ?? '3.15.1', date_saved: `${now.slice(0, 10)}@${now.slice(11, 19)}` }, config, weights });
    }
  }
}

function withoutCompileConfig(mc: JsonObject): JsonObject {
  if (!('compile_config' in mc)) return mc;
  const { compile_config: _drop, ...rest } = mc;
  return rest;
}

function optimizerNameOpt(desc: KerasModelDesc): { optimizerName?: string } {
  const cfg = desc.optimizer?.config?.['config'];
  const fromCfg = isJsonObject(cfg) && typeof cfg['name'] === 'string' ? cfg['name'].toLowerCase() : undefined;
  const name = desc.optimizer?.name ?? fromCfg;
  return name !== undefined ? { optimizerName: name } : {};
}

/** One stored tensor as listed by `tfsave inspect --json`. */
export interface InspectEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly sha256: string;
}

/** Listing of a file's datasets: HDF5 paths, prefixed by the zip member inside a `.keras`. */
export interface InspectListing {
  readonly format: 'hdf5' | 'keras-zip';
  readonly entries: InspectEntry[];
}

/**
 * Lists every dataset with dtype, shape and sha256 of its little-endian bytes. Datasets are
 * read one at a time, so memory holds one dataset's bytes at once (plus, from a reader, nothing
 * of the file beyond what libhdf5 is reading).
 * @throws FormatError as {@link loadKerasModel}.
 */
export async function listKerasDatasets(input: KerasInput, opts: LoadOptions = {}): Promise<InspectListing> {
  await h5Ready();
  const kind = sniffContainer(headOf(input, opts.name));
  const list = (h5: Hdf5Input, name: string | undefined, prefix: string): InspectEntry[] => {
    const file = openHdf5(h5, { ...opts.h5Limits, ...(name !== undefined ? { name } : {}) });
    try {
      return listDatasets(file.root).map(({ path, ds }) => ({ name: `${prefix}${path}`, dtype: ds.dtype, shape: ds.shape, sha256: tensorSha256(ds.read()) }));
    } finally {
      file.close();
    }
  };
  if (kind === 'hdf5') return { format: 'hdf5', entries: list(input, opts.name, '') };
  if (kind === 'keras-zip') {
    const out: InspectEntry[] = [];
    for (const [member, m] of zipMembers(input, opts)) if (member.endsWith('.h5')) out.push(...list(m.h5(), opts.name !== undefined ? `${opts.name}:${member}` : member, `${member}:`));
    return { format: 'keras-zip', entries: out };
  }
  throw fail.unsupported('neither HDF5 nor zip signature: not a Keras file', 'signature', { path: opts.name, offset: 0 });
}
