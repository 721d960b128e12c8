/**
 * What the tutorial prints, as Keras and a shell print it: progress lines, the
 * `evaluate(verbose=2)` line, `ls` listings, accuracy lines, and a live progress
 * display for long silent steps when stdout is a terminal.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { formatTime, formatValue } from '@tfsave/runtime';
import type { Logs } from '@tfsave/runtime';

/** Whether stdout is an interactive terminal (live progress bars are drawn only then). */
export const isTTY = process.stdout.isTTY === true;

/** Prints one line. */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** A section header: the tutorial step and what it does. */
export function heading(step: string, title: string): void {
  say('');
  say(`== ${step}. ${title} ${'='.repeat(Math.max(3, 72 - step.length - title.length))}`);
}

/**
 * The `print` option for `fit`: on a terminal Keras's live bar (rewritten in
 * place); otherwise only the final line of each epoch, as Keras prints to a log file.
 */
export function fitPrinter(): (s: string, newline: boolean) => void {
  let pending = '';
  return (s, newline) => {
    if (isTTY) {
      process.stdout.write(newline ? `${s}\n` : `\r${s}\x1b[K`);
      return;
    }
    if (!newline) {
      pending = s;
      return;
    }
    if (s === '' && pending !== '') {
      say(pending);
      pending = '';
    } else if (s !== '') {
      say(s);
    }
  };
}

/** The line `model.evaluate(..., verbose=2)` prints: `32/32 - 0s - loss: … - 120ms/epoch - 4ms/step`. */
export function evaluateLine(logs: Logs, steps: number, seconds: number): string {
  const metrics = Object.entries(logs).map(([k, v]) => ` - ${k}: ${formatValue(v)}`).join('');
  return `${steps}/${steps} - ${seconds.toFixed(0)}s${metrics} -${formatTime(seconds, 'epoch')} -${formatTime(seconds / steps, 'step')}`;
}

/** `Restored model, accuracy: 87.60%` (Python's `{:5.2f}%`). */
export function accuracyLine(label: string, accuracy: number): string {
  return `${label}, accuracy: ${(100 * accuracy).toFixed(2).padStart(5)}%`;
}

/** The sorted entries of `dir` (directories get a trailing `/`), as `ls -p` shows them. */
export function listing(dir: string): string[] {
  return readdirSync(dir).sort().map((n) => (statSync(join(dir, n)).isDirectory() ? `${n}/` : n));
}

/** Prints `$ ls <shown>` and the entries of `dir`, one per line. */
export function printListing(dir: string, shown: string): void {
  say(`$ ls ${shown}`);
  for (const n of listing(dir)) say(`  ${n}`);
}

/**
 * A live progress line for a long step without Keras output (the 50-epoch run,
 * the Python verification). Draws only on a terminal; `done()` clears it.
 */
export class ProgressLine {
  private readonly start = performance.now();
  private frame = 0;

  constructor(private readonly label: string) {}

  /** Redraws with `current` of `total` done (or a spinner without a total). */
  update(current?: number, total?: number): void {
    if (!isTTY) return;
    const secs = ((performance.now() - this.start) / 1000).toFixed(0);
    let body: string;
    if (current !== undefined && total !== undefined && total > 0) {
      const width = 30;
      const filled = Math.floor((width * current) / total);
      body = `[${'='.repeat(filled)}${current < total ? '>' : ''}${'.'.repeat(Math.max(0, width - filled - (current < total ? 1 : 0)))}] ${current}/${total}`;
    } else {
      body = '|/-\\'[this.frame++ % 4]!;
    }
    process.stdout.write(`\r${this.label} ${body} ${secs}s\x1b[K`);
  }

  /** Clears the line. */
  done(): void {
    if (isTTY) process.stdout.write('\r\x1b[K');
  }
}
