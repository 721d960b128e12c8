import type { RenamingSinkFactory } from './bundle-writer.js';
import { CHECKPOINT_STATE_FILENAME, isAbsolutePath, parseCheckpointState, type CheckpointState } from './checkpoint-state.js';
import { indexFilename } from './naming.js';

/**
 * The file operations a checkpoint directory needs. Names are relative to the directory
 * (absolute names may appear in old state files). Node: `nodeCheckpointDir(dir)`.
 */
export interface CheckpointDir {
  /** A printable location, joined with relative names in results. */
  readonly name: string;
  readText(name: string): Promise<string | undefined>;
  /** Writes a whole file atomically (temp file, fsync, rename). */
  writeTextAtomic(name: string, text: string): Promise<void>;
  exists(name: string): Promise<boolean>;
  /** Removes a file if it exists. */
  remove(name: string): Promise<void>;
  /** File names directly in the directory. */
  list(): Promise<string[]>;
  /** A fresh atomic sink factory for one bundle. */
  sinks(): RenamingSinkFactory;
}

/**
 * Reads and parses `<dir>/checkpoint`, as TF's `get_checkpoint_state`.
 * Returns undefined when the file is missing or unparsable (TF logs and returns None).
 */
export async function readCheckpointState(dir: CheckpointDir): Promise<CheckpointState | undefined> {
  const text = await dir.readText(CHECKPOINT_STATE_FILENAME);
  if (text === undefined) return undefined;
  try {
    return parseCheckpointState(text, `${dir.name}/${CHECKPOINT_STATE_FILENAME}`);
  } catch {
    return undefined;
  }
}

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i < 0 ? p : p.slice(i + 1);
}

/**
 * TF's `latest_checkpoint(dir)`: the state file's `model_checkpoint_path` if its `.index`
 * (V2) or the path itself (V1) exists. Relative paths are relative to the directory.
 * Unlike TF, an absolute path that no longer exists (the directory was moved) falls back
 * to the same file name inside this directory. Returns the path relative to `dir` when
 * it lies inside it, or the absolute path; undefined when nothing usable is found.
 */
export async function latestCheckpoint(dir: CheckpointDir): Promise<string | undefined> {
  const state = await readCheckpointState(dir);
  if (state === undefined) return undefined;
  const p = state.model_checkpoint_path;
  const candidates = isAbsolutePath(p) ? [p, basename(p)] : [p];
  for (const c of candidates) {
    if (await dir.exists(indexFilename(c))) return c;
    if (await dir.exists(c)) return c;
  }
  return undefined;
}
