/**
 * EarlyStopping: stop when a monitored value stops improving (Keras semantics).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Callback } from './callback.js';
import type { Logs } from './callback.js';

/** `'min'`, `'max'`, or `'auto'` (max for accuracy-like names, else min). */
export type MonitorMode = 'auto' | 'min' | 'max';

/** Resolves `'auto'` as Keras does. */
export function resolveMode(mode: MonitorMode, monitor: string): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return monitor.includes('acc') || monitor.startsWith('fmeasure') || monitor.endsWith('auc') ? 'max' : 'min';
}

/** Options of {@link EarlyStopping}. */
export interface EarlyStoppingArgs {
  /** Default `val_loss`. */
  monitor?: string;
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  mode?: MonitorMode;
  baseline?: number | null;
  restoreBestWeights?: boolean;
  startFromEpoch?: number;
  verbose?: 0 | 1;
  print?: (s: string) => void;
}

/** Stops training when `monitor` has not improved by `minDelta` for `patience` epochs. */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  private readonly minDelta: number;
  private readonly better: (a: number, b: number) => boolean;
  private readonly verbose: number;
  private readonly print: (s: string) => void;
  /** Epochs without improvement so far. */
  wait = 0;
  /** Epoch (0-based) at which training was stopped, or 0. */
  stoppedEpoch = 0;
  best = Infinity;
  bestEpoch = 0;
  private bestWeights: tf.Tensor[] | undefined;

  constructor(a: EarlyStoppingArgs = {}) {
    super();
    this.monitor = a.monitor ?? 'val_loss';
    this.patience = a.patience ?? 0;
    this.baseline = a.baseline ?? null;
    this.restoreBestWeights = a.restoreBestWeights ?? false;
    this.startFromEpoch = a.startFromEpoch ?? 0;
    this.verbose = a.verbose ?? 0;
    this.print = a.print ?? console.log;
    const mode = resolveMode(a.mode ?? 'auto', this.monitor);
    const d = Math.abs(a.minDelta ?? 0);
    this.minDelta = mode === 'min' ? -d : d;
    this.better = mode === 'min' ? (x, ref) => x - this.minDelta < ref : (x, ref) => x - this.minDelta > ref;
    this.best = mode === 'min' ? Infinity : -Infinity;
  }

  override async onTrainBegin(): Promise<void> {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.best = this.minDelta < 0 || this.better(0, 1) ? Infinity : -Infinity;
    this.disposeBest();
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const current = logs[this.monitor];
    if (current === undefined || epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && !this.bestWeights) this.bestWeights = this.model!.getWeights();
    this.wait++;
    if (this.better(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) {
        this.disposeBest();
        this.bestWeights = this.model!.getWeights();
      }
      if (this.baseline === null || this.better(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
      if (this.restoreBestWeights && this.bestWeights) {
        if (this.verbose > 0) this.print('Restoring model weights from the end of the best epoch: ' + `${this.bestEpoch + 1}.`);
        this.model!.setWeights(this.bestWeights);
      }
    }
  }

  override async onTrainEnd(): Promise<void> {
    if (this.stoppedEpoch > 0 && this.verbose > 0) this.print(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    this.disposeBest();
  }

  private disposeBest(): void {
    if (this.bestWeights) for (const t of this.bestWeights) t.dispose();
    this.bestWeights = undefined;
  }
}
