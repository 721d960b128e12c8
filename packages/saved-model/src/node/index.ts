/** Node adapter: SavedModel directories on the local file system. */
import { AtomicDirSinkFactory, DirOpener } from '@tfsave/core/node';
import type { BundleReader } from '@tfsave/tensor-bundle';
import { readSavedModel, type ReadSavedModelOptions, type SavedModelInfo } from '../reader.js';
import type { ModelSpec } from '../writer/model-spec.js';
import { writeSavedModel, type BuiltGraph } from '../writer/write-saved-model.js';

/** Reads the SavedModel in local directory `dir` (see {@link readSavedModel}). */
export function readSavedModelDir<V = BundleReader>(dir: string, options: ReadSavedModelOptions<V> = {}): Promise<SavedModelInfo<V>> {
  return readSavedModel(new DirOpener(dir), options);
}

/** Writes the SavedModel of `spec` into local directory `dir` atomically (see {@link writeSavedModel}). */
export function writeSavedModelDir(dir: string, spec: ModelSpec): Promise<BuiltGraph> {
  return writeSavedModel(spec, new AtomicDirSinkFactory(dir));
}
