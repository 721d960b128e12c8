import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '@tfsave/core/node';
import { utf8Encode } from '@tfsave/core';
import type { CheckpointDir } from '../checkpoint-dir.js';
import { latestCheckpoint as latestIn } from '../checkpoint-dir.js';
import { CheckpointManager, type CheckpointManagerOptions } from '../checkpoint-manager.js';
import { AtomicBundleSinkFactory } from './atomic-sinks.js';

/** A {@link CheckpointDir} over a local directory. */
export function nodeCheckpointDir(dir: string): CheckpointDir {
  const root = resolve(dir);
  const at = (name: string): string => resolve(root, name);
  return {
    name: root,
    async readText(name) {
      try {
        return await readFile(at(name), 'utf8');
      } catch {
        return undefined;
      }
    },
    writeTextAtomic: (name, text) => writeFileAtomic(at(name), utf8Encode(text)),
    async exists(name) {
      try {
        await stat(at(name));
        return true;
      } catch {
        return false;
      }
    },
    remove: (name) => rm(at(name), { force: true }),
    async list() {
      try {
        return (await readdir(root)).sort();
      } catch {
        return [];
      }
    },
    sinks: () => new AtomicBundleSinkFactory(root),
  };
}

/**
 * TF's `tf.train.latest_checkpoint(dir)` on the local file system: the absolute prefix
 * of the newest checkpoint, or undefined. Tolerates a moved directory (see the pure version).
 */
export async function latestCheckpoint(dir: string): Promise<string | undefined> {
  const p = await latestIn(nodeCheckpointDir(dir));
  return p === undefined ? undefined : resolve(dir, p);
}

/** A {@link CheckpointManager} over a local directory. */
export function openCheckpointManager(dir: string, options: CheckpointManagerOptions = {}): Promise<CheckpointManager> {
  return CheckpointManager.create(nodeCheckpointDir(dir), options);
}
