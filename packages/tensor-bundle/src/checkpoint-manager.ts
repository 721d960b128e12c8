import type { BundleWriter } from './bundle-writer.js';
import { BundleWriter as Writer } from './bundle-writer.js';
import { latestCheckpoint, readCheckpointState, type CheckpointDir } from './checkpoint-dir.js';
import { CHECKPOINT_STATE_FILENAME, formatCheckpointState } from './checkpoint-state.js';
import { indexFilename } from './naming.js';

/** Options of {@link CheckpointManager}, named after `tf.train.CheckpointManager`'s arguments. */
export interface CheckpointManagerOptions {
  /** Checkpoints to keep (oldest deleted first); undefined keeps all. */
  readonly maxToKeep?: number | undefined;
  /** Additionally keep one checkpoint every this many hours. Default: none. */
  readonly keepCheckpointEveryNHours?: number | undefined;
  /** Prefix of checkpoint names. Default `ckpt` (→ `ckpt-1`, `ckpt-2`…). */
  readonly checkpointName?: string;
  /** Current training step, needed with `checkpointInterval`. */
  readonly stepCounter?: () => number;
  /** Minimum steps between two saves. Default: none. */
  readonly checkpointInterval?: number | undefined;
  /** Clock in seconds since the epoch. Default `Date.now() / 1000`. */
  readonly clock?: () => number;
}

/** Writes one checkpoint's tensors; the manager finishes the writer. */
export type CheckpointWriteFn = (writer: BundleWriter, checkpointNumber: number) => Promise<void>;

/**
 * Keeps a directory of numbered checkpoints like `tf.train.CheckpointManager`: numbering
 * from a save counter, `maxToKeep` / `keepCheckpointEveryNHours` retention, a step interval,
 * and the `checkpoint` state file (relative paths + timestamps). A new checkpoint is fully
 * committed and recorded in the state file before any old one is deleted.
 */
export class CheckpointManager {
  private readonly maybeDelete = new Map<string, number>();
  private lastPreserved = 0;
  private latest: string | undefined;
  private lastStep: number | undefined;
  /** The save counter (number of the last checkpoint written). */
  saveCounter = 0;

  private constructor(readonly dir: CheckpointDir, private readonly options: CheckpointManagerOptions) {}

  /** Opens a manager, recovering state from `<dir>/checkpoint` as TF does. */
  static async create(dir: CheckpointDir, options: CheckpointManagerOptions = {}): Promise<CheckpointManager> {
    if (options.checkpointInterval !== undefined && options.stepCounter === undefined) throw new RangeError('checkpointInterval needs a stepCounter');
    const m = new CheckpointManager(dir, options);
    const now = m.now();
    const state = await readCheckpointState(dir);
    if (state === undefined) {
      m.lastPreserved = now - 1;
      return m;
    }
    m.latest = state.model_checkpoint_path;
    m.lastPreserved = Math.min(state.last_preserved_timestamp ?? 0, now);
    const stamps = state.all_model_checkpoint_timestamps.length > 0 ? state.all_model_checkpoint_timestamps : state.all_model_checkpoint_paths.map(() => m.lastPreserved);
    state.all_model_checkpoint_paths.forEach((p, i) => {
      const t = Math.min(stamps[i] ?? m.lastPreserved, now);
      if (t > m.lastPreserved) m.maybeDelete.set(p, t);
    });
    const n = /-(\d+)$/.exec(m.latest);
    if (n !== null) m.saveCounter = Number(n[1]);
    return m;
  }

  private now(): number {
    return this.options.clock?.() ?? Date.now() / 1000;
  }

  /** Prefix of the newest checkpoint (relative to the directory), if any. */
  get latestCheckpoint(): string | undefined {
    return this.latest;
  }

  /** Checkpoints still managed (candidates for deletion), oldest first. */
  get checkpoints(): string[] {
    return [...this.maybeDelete.keys()];
  }

  /**
   * Saves a checkpoint named `<checkpointName>-<n>` (n = `checkpointNumber` or the incremented
   * save counter). Returns its prefix, or undefined when skipped by `checkpointInterval`.
   */
  async save(write: CheckpointWriteFn, opts: { checkpointNumber?: number; checkInterval?: boolean } = {}): Promise<string | undefined> {
    if (this.options.checkpointInterval !== undefined) {
      const step = this.options.stepCounter!();
      if (this.lastStep !== undefined) {
        if (step === this.lastStep) return undefined;
        if ((opts.checkInterval ?? true) && step < this.lastStep + this.options.checkpointInterval) return undefined;
      }
      this.lastStep = step;
    }
    const number = opts.checkpointNumber ?? this.saveCounter + 1;
    this.saveCounter = Math.max(this.saveCounter, number);
    const prefix = `${this.options.checkpointName ?? 'ckpt'}-${number}`;
    const w = new Writer(this.dir.sinks(), prefix);
    try {
      await write(w, number);
    } catch (e) {
      await w.abort();
      throw e;
    }
    await w.finish();
    const t = this.now();
    this.maybeDelete.delete(prefix);
    this.maybeDelete.set(prefix, t);
    this.latest = prefix;
    // Unlike TF (record, sweep, record again), the state file never names a deleted
    // checkpoint: the swept names are dropped from it before their files are removed.
    const doomed = this.sweep();
    await this.recordState();
    for (const name of doomed) await this.deleteCheckpoint(name);
    return prefix;
  }

  private sweep(): string[] {
    const doomed: string[] = [];
    const max = this.options.maxToKeep;
    if (max === undefined || max <= 0) return doomed;
    while (this.maybeDelete.size > max) {
      const [name, t] = this.maybeDelete.entries().next().value as [string, number];
      this.maybeDelete.delete(name);
      const hours = this.options.keepCheckpointEveryNHours;
      if (hours !== undefined && t - hours * 3600 >= this.lastPreserved) {
        this.lastPreserved = t;
        continue;
      }
      doomed.push(name);
    }
    return doomed;
  }

  private async deleteCheckpoint(name: string): Promise<void> {
    await this.dir.remove(indexFilename(name));
    for (const f of await this.dir.list()) if (f.startsWith(`${name}.data-`) && /\.data-\d{5}-of-\d{5}$/.test(f)) await this.dir.remove(f);
  }

  private async recordState(): Promise<void> {
    const text = formatCheckpointState({
      model_checkpoint_path: this.latest!,
      all_model_checkpoint_paths: [...this.maybeDelete.keys()],
      all_model_checkpoint_timestamps: [...this.maybeDelete.values()],
      last_preserved_timestamp: this.lastPreserved,
    });
    await this.dir.writeTextAtomic(CHECKPOINT_STATE_FILENAME, text);
  }

  /**
   * Restores from the latest checkpoint if there is one (calling `restore(prefix)`),
   * else calls `init`. Returns the prefix restored from, or undefined.
   */
  async restoreOrInitialize(restore: (prefix: string) => Promise<void>, init?: () => Promise<void>): Promise<string | undefined> {
    const p = await latestCheckpoint(this.dir);
    if (p !== undefined) {
      await restore(p);
      return p;
    }
    await init?.();
    return undefined;
  }
}
