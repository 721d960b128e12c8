/** Node adapter: load and save Keras files on the local filesystem (atomic writes). */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@tfsave/core/node';
import { loadKerasModel, saveKerasModel, listKerasDatasets } from '../keras-file.js';
import type { InspectListing, LoadedKerasFile, LoadOptions, SaveOptions } from '../keras-file.js';
import type { KerasModelDesc } from '../model-desc.js';
import { readShardedWeights } from '../sharded-weights.js';
import type { ShardedReadOptions } from '../sharded-weights.js';

/** Loads a Keras file from disk; the layout comes from the content, not the name. */
export async function loadKerasModelFile(path: string, opts: LoadOptions = {}): Promise<LoadedKerasFile> {
  return loadKerasModel(new Uint8Array(await readFile(path)), { name: path, ...opts });
}

/** Saves a description to `path` atomically in the given layout. */
export async function saveKerasModelFile(desc: KerasModelDesc, path: string, opts: SaveOptions): Promise<void> {
  await writeFileAtomic(path, await saveKerasModel(desc, opts));
}

/** Lists a file's datasets for `tfsave inspect --json`. */
export async function listKerasDatasetsFile(path: string, opts: LoadOptions = {}): Promise<InspectListing> {
  return listKerasDatasets(new Uint8Array(await readFile(path)), { name: path, ...opts });
}

/** Reads sharded Keras 3 weights from a `.weights.json` index and its sibling shard files. */
export async function loadShardedWeightsFile(indexPath: string, opts: ShardedReadOptions = {}): Promise<KerasModelDesc> {
  const dir = dirname(indexPath);
  return readShardedWeights(new Uint8Array(await readFile(indexPath)), async (name) => new Uint8Array(await readFile(join(dir, name))), { name: indexPath, ...opts });
}
