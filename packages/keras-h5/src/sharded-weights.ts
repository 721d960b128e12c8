/**
 * Sharded Keras 3 weights (`save_weights('x.weights.json', max_shard_size=…)`): a JSON index
 * `{metadata: {total_size}, weight_map: {"/layers/dense/vars": ["x_00000.weights.h5", …]}}` beside
 * shard files that each hold part of the `.weights.h5` tree. Shards are merged, then read as one.
 */
import { errorsFor, utf8Decode } from '@tfsave/core';
import { h5Ready, parseHdf5 } from './h5-backend.js';
import type { Hdf5Input } from './h5-backend.js';
import type { H5Dataset, H5Group, H5Limits } from './h5-types.js';
import type { KerasModelDesc } from './model-desc.js';
import { isJsonObject, parseJsonBounded } from './model-desc.js';
import type { KerasObjectJson } from './config-model.js';
import { readWeightsH5 } from './weights-h5.js';

const fail = errorsFor('keras-sharded-weights');

/** The parsed `.weights.json` index. */
export interface ShardIndex {
  /** Shard file names in first-use order. */
  readonly shards: string[];
  /** `weight_map`: group path → shard file names. */
  readonly weightMap: ReadonlyMap<string, readonly string[]>;
  /** `metadata.total_size` in bytes, when present. */
  readonly totalSize?: number;
}

/** True when the bytes look like a sharded-weights index (a JSON object with `weight_map`). */
export function isShardIndex(head: Uint8Array): boolean {
  const text = utf8Decode(head.subarray(0, 4096)).trimStart();
  return text.startsWith('{') && text.includes('"weight_map"');
}

/**
 * Parses a `.weights.json` index. Shard names must be plain sibling file names.
 * @throws FormatError `malformed` for bad JSON or shape, `unsafe` for shard names with directories, `limit` past `maxShards`.
 */
export function parseShardIndex(bytes: Uint8Array, maxShards = 10_000, where?: string): ShardIndex {
  let json: unknown;
  try { json = parseJsonBounded(utf8Decode(bytes)); } catch (e) {
    throw fail.malformed(`index is not JSON (${e instanceof Error ? e.message : String(e)})`, 'json', { path: where, cause: e });
  }
  if (!isJsonObject(json) || !isJsonObject(json['weight_map'])) throw fail.malformed('index has no weight_map object', 'weight-map', { path: where });
  const weightMap = new Map<string, string[]>();
  const shards: string[] = [];
  for (const [group, files] of Object.entries(json['weight_map'])) {
    const list = Array.isArray(files) ? files : [files];
    for (const f of list) {
      if (typeof f !== 'string' || f === '' || /[\\/]|^\.\.?$|^[A-Za-z]:|\0/.test(f)) throw fail.unsafe(`shard name ${JSON.stringify(f)} for ${group} is not a plain sibling file name; refused`, 'shard-name', { path: where });
      if (!shards.includes(f)) shards.push(f);
      if (shards.length > maxShards) throw fail.limit(`more than ${maxShards} shards`, 'shards', { path: where });
    }
    weightMap.set(group, list as string[]);
  }
  const meta = json['metadata'];
  const total = isJsonObject(meta) && typeof meta['total_size'] === 'number' ? meta['total_size'] : undefined;
  return { shards, weightMap, ...(total !== undefined ? { totalSize: total } : {}) };
}

/**
 * Merges HDF5 trees (shards of one `.weights.h5`): groups are united, attributes combined.
 * @throws FormatError `malformed` when two shards hold different datasets at one path.
 */
export function mergeH5Trees(trees: readonly H5Group[], where?: string): H5Group {
  const merge = (a: H5Group, b: H5Group, path: string): H5Group => {
    const children = new Map<string, H5Group | H5Dataset>(a.children);
    for (const [k, c] of b.children) {
      const prev = children.get(k);
      if (prev === undefined) children.set(k, c);
      else if (prev.kind === 'group' && c.kind === 'group') children.set(k, merge(prev, c, `${path}/${k}`));
      else throw fail.malformed(`${path}/${k} appears in more than one shard`, 'shard-overlap', { path: where });
    }
    return { kind: 'group', attrs: { ...a.attrs, ...b.attrs }, children };
  };
  return trees.reduce((acc, t) => merge(acc, t, ''), { kind: 'group', attrs: {}, children: new Map() } as H5Group);
}

/** Options of {@link readShardedWeights}. */
export interface ShardedReadOptions {
  readonly h5Limits?: H5Limits;
  /** Model config to map layer groups to layers. */
  readonly modelConfig?: KerasObjectJson;
  /** Most shards accepted. Default 10 000. */
  readonly maxShards?: number;
  /** Name for error messages. */
  readonly name?: string;
}

/**
 * Reads sharded Keras 3 weights: the index bytes and a way to open a sibling shard by name
 * (as bytes, or as a reader that the caller closes afterwards).
 * @throws FormatError as {@link parseShardIndex}, {@link mergeH5Trees} and `parseHdf5`.
 */
export async function readShardedWeights(index: Uint8Array, openShard: (name: string) => Promise<Hdf5Input>, options: ShardedReadOptions = {}): Promise<KerasModelDesc> {
  await h5Ready();
  const idx = parseShardIndex(index, options.maxShards, options.name);
  const trees: H5Group[] = [];
  for (const s of idx.shards) trees.push(parseHdf5(await openShard(s), { ...options.h5Limits, name: s }));
  return readWeightsH5(mergeH5Trees(trees, options.name), options.modelConfig, options.name);
}
