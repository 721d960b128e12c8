/** Node adapter: SavedModel directories on the local file system. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AtomicDirSinkFactory, DirOpener } from '@tfsave/core/node';
import type { BundleReader } from '@tfsave/tensor-bundle';
import { readSavedModel, type ReadSavedModelOptions, type SavedModelInfo } from '../reader.js';
import type { ModelSpec } from '../writer/model-spec.js';
import { writeSavedModel, type BuiltGraph } from '../writer/write-saved-model.js';

/** Reads the SavedModel in local directory `dir` (see {@link readSavedModel}). */
export function readSavedModelDir<V = BundleReader>(dir: string, options: ReadSavedModelOptions<V> = {}): Promise<SavedModelInfo<V>> {
  return readSavedModel(new DirOpener(dir), options);
}

/**
 * Writes the SavedModel of `spec` into local directory `dir` atomically (see {@link writeSavedModel}),
 * with the (empty) `assets/` directory TensorFlow's own writer creates.
 */
export async function writeSavedModelDir(dir: string, spec: ModelSpec): Promise<BuiltGraph> {
  const built = await writeSavedModel(spec, new AtomicDirSinkFactory(dir));
  await mkdir(join(dir, 'assets'), { recursive: true });
  return built;
}
