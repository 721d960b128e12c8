/**
 * ModelCheckpoint: saves the model or its weights during `fit`, with Keras's
 * file path templates, save frequency, best-only logic and verbose lines. Every
 * save is recorded in the directory's `checkpoint` state file, so
 * `latestCheckpoint` finds it (also `.weights.h5` / `.keras` outputs).
 */
import { Callback } from '../callbacks/callback.js';
import type { Logs } from '../callbacks/callback.js';
import { resolveMode } from '../callbacks/early-stopping.js';
import type { MonitorMode } from '../callbacks/early-stopping.js';
import { formatTemplate } from '../callbacks/template.js';
import { saveModel, saveWeights, writeCheckpointState } from './persistence.js';

/** Options of {@link ModelCheckpoint}. */
export interface ModelCheckpointArgs {
  /** Path template, e.g. `training_2/cp-{epoch:04d}.ckpt` or `best-{val_loss:.2f}.keras`. */
  filepath: string;
  /** Default `val_loss`. */
  monitor?: string;
  verbose?: 0 | 1;
  saveBestOnly?: boolean;
  saveWeightsOnly?: boolean;
  mode?: MonitorMode;
  /** `'epoch'` (default) or a number of batches. */
  saveFreq?: 'epoch' | number;
  /** Starting "best" value for `saveBestOnly`. */
  initialValueThreshold?: number;
  /** Where verbose lines go (default console.log). */
  print?: (s: string) => void;
}

function py5(v: number): string {
  return Number.isFinite(v) ? v.toFixed(5) : v > 0 ? 'inf' : '-inf';
}

/** Keras's ModelCheckpoint. */
export class ModelCheckpoint extends Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveFreq: 'epoch' | number;
  /** Best monitored value so far. */
  best: number;
  /** Paths written, in order. */
  readonly saved: string[] = [];
  private readonly mode: 'min' | 'max';
  private readonly verbose: number;
  private readonly print: (s: string) => void;
  private batchesSinceSave = 0;
  private epoch = 0;

  constructor(a: ModelCheckpointArgs) {
    super();
    this.filepath = a.filepath;
    this.monitor = a.monitor ?? 'val_loss';
    this.saveBestOnly = a.saveBestOnly ?? false;
    this.saveWeightsOnly = a.saveWeightsOnly ?? false;
    this.saveFreq = a.saveFreq ?? 'epoch';
    this.mode = resolveMode(a.mode ?? 'auto', this.monitor);
    this.best = a.initialValueThreshold ?? (this.mode === 'min' ? Infinity : -Infinity);
    this.verbose = a.verbose ?? 0;
    this.print = a.print ?? console.log;
    if (!this.saveWeightsOnly && this.filepath.endsWith('.weights.h5')) {
      throw new Error('runtime: a .weights.h5 filepath needs saveWeightsOnly: true');
    }
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
  }

  override async onTrainBatchEnd(batch: number, logs: Logs): Promise<void> {
    if (this.saveFreq === 'epoch') return;
    this.batchesSinceSave++;
    if (this.batchesSinceSave >= this.saveFreq) {
      this.batchesSinceSave = 0;
      await this.save(this.epoch, batch, logs);
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.saveFreq === 'epoch') await this.save(epoch, undefined, logs);
  }

  private async save(epoch: number, batch: number | undefined, logs: Logs): Promise<void> {
    const values: Record<string, number> = { ...logs, epoch: epoch + 1 };
    if (batch !== undefined) values['batch'] = batch + 1;
    const path = formatTemplate(this.filepath, values);
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        this.print(`Can save best model only with ${this.monitor} available, skipping.`);
        return;
      }
      const improved = this.mode === 'min' ? current < this.best : current > this.best;
      if (!improved) {
        if (this.verbose > 0) this.print(`\nEpoch ${epoch + 1}: ${this.monitor} did not improve from ${py5(this.best)}`);
        return;
      }
      if (this.verbose > 0) {
        this.print(`\nEpoch ${epoch + 1}: ${this.monitor} improved from ${py5(this.best)} to ${py5(current)}, saving model to ${path}`);
      }
      this.best = current;
    } else if (this.verbose > 0) {
      this.print(`\nEpoch ${epoch + 1}: saving model to ${path}`);
    }
    if (this.saveWeightsOnly) await saveWeights(this.model!, path);
    else await saveModel(this.model!, path);
    if (!this.saveWeightsOnly || path.endsWith('.h5')) await writeCheckpointState(path);
    this.saved.push(path);
  }
}
