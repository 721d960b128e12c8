/**
 * Keras's progress output: the live bar for `verbose: 1` and one line per epoch
 * for `verbose: 2` (formats of tf_keras's Progbar).
 */
import { Callback } from './callback.js';
import type { Logs } from './callback.js';

/** Formats a value as Keras does: `%.4f`, or `%.4e` when at most 1e-3. */
export function formatValue(v: number): string {
  if (Math.abs(v) > 1e-3) return v.toFixed(4);
  const [m, e] = v.toExponential(4).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** ` 17ms/step`, ` 2s/epoch`, ` 950us/step`. */
export function formatTime(seconds: number, unit: string): string {
  if (seconds >= 1 || seconds === 0) return ` ${seconds.toFixed(0)}s/${unit}`;
  if (seconds >= 1e-3) return ` ${(seconds * 1000).toFixed(0)}ms/${unit}`;
  return ` ${(seconds * 1e6).toFixed(0)}us/${unit}`;
}

function metrics(logs: Logs): string {
  return Object.entries(logs).map(([k, v]) => ` - ${k}: ${formatValue(v)}`).join('');
}

/** Options of {@link ProgressLogger}. */
export interface ProgressLoggerArgs {
  /** Sink for output; `newline` false means "rewrite the current line". Defaults to stdout. */
  print?: (s: string, newline: boolean) => void;
}

const defaultPrint = (s: string, newline: boolean): void => {
  const g = globalThis as { process?: { stdout?: { write(s: string): void } } };
  if (g.process?.stdout) g.process.stdout.write(newline ? `${s}\n` : `\r${s}`);
  else if (newline) console.log(s);
};

/** Prints `Epoch i/N` and Keras's bar (`verbose: 1`) or epoch line (`verbose: 2`). */
export class ProgressLogger extends Callback {
  private readonly print: (s: string, newline: boolean) => void;
  private epochStart = 0;
  private lastDraw = 0;

  constructor(args: ProgressLoggerArgs = {}) {
    super();
    this.print = args.print ?? defaultPrint;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.print(`Epoch ${epoch + 1}/${this.params?.epochs ?? 0}`, true);
    this.epochStart = performance.now();
    this.lastDraw = 0;
  }

  private counter(current: number): string {
    const target = this.params?.steps ?? current;
    const digits = String(target).length;
    return `${String(current).padStart(digits)}/${target}`;
  }

  override async onTrainBatchEnd(batch: number, logs: Logs): Promise<void> {
    if (this.params?.verbose !== 1) return;
    const now = performance.now();
    const target = this.params.steps;
    if (batch + 1 < target && now - this.lastDraw < 50) return;
    this.lastDraw = now;
    const current = batch + 1;
    const width = 30;
    const done = Math.floor((width * current) / target);
    let bar = '='.repeat(Math.max(0, done - 1));
    bar += current < target ? '>' : '=';
    bar = `[${bar}${'.'.repeat(width - bar.length)}]`;
    const perStep = (now - this.epochStart) / 1000 / current;
    const eta = perStep * (target - current);
    const etaStr = eta > 3600 ? `${Math.floor(eta / 3600)}:${String(Math.floor((eta % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(eta % 60)).padStart(2, '0')}`
      : eta > 60 ? `${Math.floor(eta / 60)}:${String(Math.floor(eta % 60)).padStart(2, '0')}` : `${eta.toFixed(0)}s`;
    if (current < target) this.print(`${this.counter(current)} ${bar} - ETA: ${etaStr}${metrics(logs)}`, false);
  }

  override async onEpochEnd(_epoch: number, logs: Logs): Promise<void> {
    const steps = this.params?.steps ?? 1;
    const elapsed = (performance.now() - this.epochStart) / 1000;
    if (this.params?.verbose === 1) {
      this.print(`${this.counter(steps)} [${'='.repeat(30)}] - ${elapsed.toFixed(0)}s${formatTime(elapsed / steps, 'step')}${metrics(logs)}`, false);
      this.print('', true);
    } else {
      this.print(`${this.counter(steps)} - ${elapsed.toFixed(0)}s${metrics(logs)} -${formatTime(elapsed, 'epoch')} -${formatTime(elapsed / steps, 'step')}`, true);
    }
  }
}
