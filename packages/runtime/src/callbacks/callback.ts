/**
 * The callback protocol of `fit` (Keras's `Callback`): hooks may be async.
 */
import type { Model } from '../model.js';

/** Metric values by Keras name (`loss`, `val_loss`, `sparse_categorical_accuracy`, …). */
export type Logs = Record<string, number>;

/** Facts about the run, given to callbacks before training. */
export interface TrainParams {
  readonly epochs: number;
  /** Batches per epoch. */
  readonly steps: number;
  readonly verbose: 0 | 1 | 2;
}

/**
 * Where `fit` is inside an epoch: enough to continue exactly (BackupAndRestore
 * saves it, and hands it back through {@link Callback.resumeFrom}).
 */
export interface TrainingProgress {
  /** 0-based epoch. */
  epoch: number;
  /** Batches completed in this epoch. */
  batch: number;
  /** RNG state when the epoch began (regenerates the shuffle order). */
  rngAtEpochStart: number;
  /** RNG state now. */
  rng: number;
  /** Running sums of the logged values and the examples seen this epoch. */
  totals: number[];
  seen: number;
}

/** Base class with no-op hooks; override the ones you need. */
export class Callback {
  model: Model | undefined;
  params: TrainParams | undefined;
  setModel(model: Model): void {
    this.model = model;
  }
  setParams(params: TrainParams): void {
    this.params = params;
  }
  /** Called before training; a callback may return progress to resume from (BackupAndRestore). */
  async resumeFrom(): Promise<TrainingProgress | undefined> {
    return undefined;
  }
  async onTrainBegin(_logs: Logs): Promise<void> {}
  async onTrainEnd(_logs: Logs): Promise<void> {}
  async onEpochBegin(_epoch: number, _logs: Logs): Promise<void> {}
  async onEpochEnd(_epoch: number, _logs: Logs): Promise<void> {}
  async onTrainBatchBegin(_batch: number, _logs: Logs): Promise<void> {}
  async onTrainBatchEnd(_batch: number, _logs: Logs): Promise<void> {}
}

/** Records every epoch's logs (returned by `fit`). */
export class History extends Callback {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};
  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
