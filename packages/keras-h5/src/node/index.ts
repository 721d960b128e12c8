/**
 * Node adapter: load and save Keras files on the local filesystem. Reads go through one file
 * descriptor with positional reads (only the parts of the file that are needed), and the
 * descriptor is closed when the call returns or fails; writes are atomic.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@tfsave/core/node';
import { loadKerasModel, saveKerasModel, listKerasDatasets } from '../keras-file.js';
import type { InspectListing, LoadedKerasFile, LoadOptions, SaveOptions } from '../keras-file.js';
import type { KerasModelDesc } from '../model-desc.js';
import { readShardedWeights } from '../sharded-weights.js';
import type { ShardedReadOptions } from '../sharded-weights.js';
import { openFileReader, withFileReader } from './file-reader.js';
import type { FileReader } from './file-reader.js';

export { openFileReader, withFileReader } from './file-reader.js';
export type { FileReader } from './file-reader.js';

/** Loads a Keras file from disk; the layout comes from the content, not the name. */
export async function loadKerasModelFile(path: string, opts: LoadOptions = {}): Promise<LoadedKerasFile> {
  return withFileReader(path, (reader) => loadKerasModel(reader, { name: path, ...opts }));
}

/** Saves a description to `path` atomically in the given layout. */
export async function saveKerasModelFile(desc: KerasModelDesc, path: string, opts: SaveOptions): Promise<void> {
  await writeFileAtomic(path, await saveKerasModel(desc, opts));
}

/** Lists a file's datasets for `tfsave inspect --json`, reading one dataset at a time. */
export async function listKerasDatasetsFile(path: string, opts: LoadOptions = {}): Promise<InspectListing> {
  return withFileReader(path, (reader) => listKerasDatasets(reader, { name: path, ...opts }));
}

/** Reads sharded Keras 3 weights from a `.weights.json` index and its sibling shard files. */
export async function loadShardedWeightsFile(indexPath: string, opts: ShardedReadOptions = {}): Promise<KerasModelDesc> {
  const dir = dirname(indexPath);
  const opened: FileReader[] = [];
  try {
    return await readShardedWeights(new Uint8Array(await readFile(indexPath)), async (name) => {
      const reader = openFileReader(join(dir, name));
      opened.push(reader);
      return reader;
    }, { name: indexPath, ...opts });
  } finally {
    for (const r of opened) r.close();
  }
}
