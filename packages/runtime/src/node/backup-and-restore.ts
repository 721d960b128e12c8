/**
 * BackupAndRestore: periodically saves weights, optimizer state and the exact
 * training progress (epoch, batch, RNG states, running metric sums); a `fit`
 * started again after the process died resumes from the last backup and ends
 * with the same weights as an uninterrupted run.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { utf8Encode } from '@tfsave/core';
import { writeFileAtomic } from '@tfsave/core/node';
import { Callback } from '../callbacks/callback.js';
import type { TrainingProgress } from '../callbacks/callback.js';
import { loadWeights, saveWeights } from './persistence.js';

/** Options of {@link BackupAndRestore}. */
export interface BackupAndRestoreArgs {
  /** `'epoch'` (default) or a number of batches. */
  saveFreq?: 'epoch' | number;
  /** Remove the backup when training finishes (default true). */
  deleteCheckpoint?: boolean;
}

interface BackupState {
  readonly prefix: string;
  readonly progress: TrainingProgress;
}

const STATE = 'training_state.json';

/** Keras's BackupAndRestore, with exact mid-epoch resumption. */
export class BackupAndRestore extends Callback {
  private readonly saveFreq: 'epoch' | number;
  private readonly deleteCheckpoint: boolean;
  private batches = 0;
  private counter = 0;

  constructor(readonly backupDir: string, a: BackupAndRestoreArgs = {}) {
    super();
    this.saveFreq = a.saveFreq ?? 'epoch';
    this.deleteCheckpoint = a.deleteCheckpoint ?? true;
  }

  override async resumeFrom(): Promise<TrainingProgress | undefined> {
    const p = join(this.backupDir, STATE);
    if (!existsSync(p)) return undefined;
    const st = JSON.parse(readFileSync(p, 'utf8')) as BackupState;
    await loadWeights(this.model!, join(this.backupDir, st.prefix));
    this.counter = Number(/(\d+)$/.exec(st.prefix)?.[1] ?? 0);
    return st.progress;
  }

  override async onTrainBatchEnd(): Promise<void> {
    if (this.saveFreq === 'epoch') return;
    if (++this.batches >= this.saveFreq) {
      this.batches = 0;
      await this.backup();
    }
  }

  override async onEpochEnd(): Promise<void> {
    if (this.saveFreq === 'epoch') await this.backup();
  }

  override async onTrainEnd(): Promise<void> {
    if (this.deleteCheckpoint && !this.model!.stopTraining) rmSync(this.backupDir, { recursive: true, force: true });
  }

  /** Writes a new checkpoint, then atomically points the state file at it, then drops the previous one. */
  private async backup(): Promise<void> {
    const progress = this.model!.progress;
    if (!progress) return;
    const old = this.counter;
    const prefix = `ckpt-${++this.counter}`;
    await saveWeights(this.model!, join(this.backupDir, prefix));
    const state: BackupState = { prefix, progress };
    await writeFileAtomic(join(this.backupDir, STATE), utf8Encode(JSON.stringify(state)));
    for (const suffix of ['.index', '.data-00000-of-00001']) rmSync(join(this.backupDir, `ckpt-${old}${suffix}`), { force: true });
  }
}
