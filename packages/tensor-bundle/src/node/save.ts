import { basename, dirname } from 'node:path';
import { BundleWriter, type BundleWriterOptions } from '../bundle-writer.js';
import { writeObjectCheckpoint } from '../object-checkpoint.js';
import type { TrackableSpec } from '../object-graph-writer.js';
import { AtomicBundleSinkFactory } from './atomic-sinks.js';

/** Options of the local-file writers. */
export interface LocalWriteOptions extends BundleWriterOptions {
  /** fsync files and directory before and after the renames. Default true. */
  readonly durable?: boolean;
}

/** A streaming writer for `<prefix>.index` + `<prefix>.data-*` on the local file system (atomic commit on finish). */
export function createBundleWriter(prefix: string, options: LocalWriteOptions = {}): BundleWriter {
  return new BundleWriter(new AtomicBundleSinkFactory(dirname(prefix), options.durable ?? true), basename(prefix), options);
}

/** Writes an object-based checkpoint at `prefix` (see {@link writeObjectCheckpoint}). */
export function saveObjectCheckpoint(prefix: string, root: TrackableSpec, options: LocalWriteOptions = {}): Promise<string[]> {
  return writeObjectCheckpoint(new AtomicBundleSinkFactory(dirname(prefix), options.durable ?? true), basename(prefix), root, options);
}
