/**
 * A progress bar on stderr for long operations. It draws only when stderr is
 * a terminal, so pipes, logs and tests see nothing.
 */

/** Where the bar is drawn. */
export interface ProgressTarget {
  readonly isTTY: boolean;
  write(text: string): void;
}

/** Reports work done on one operation. */
export interface Progress {
  /** Adds `n` units of work done. */
  advance(n: number): void;
  /** Clears the bar. */
  done(): void;
}

/** A progress reporter that does nothing. */
export const silentProgress: Progress = { advance() {}, done() {} };

/**
 * Starts a bar for `total` units (bytes) labelled `label`; silent when the
 * target is not a TTY or `total` is below `minTotal` (default 1 MiB).
 */
export function startProgress(target: ProgressTarget, label: string, total: number, minTotal = 1 << 20, now: () => number = Date.now): Progress {
  if (!target.isTTY || total < minTotal || total <= 0) return silentProgress;
  let doneUnits = 0;
  let last = 0;
  let drawn = false;
  const draw = (): void => {
    const frac = Math.min(1, doneUnits / total);
    const width = 30;
    const full = Math.round(frac * width);
    target.write(`\r${label} [${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(doneUnits)}/${formatBytes(total)}`);
    drawn = true;
  };
  return {
    advance(n: number) {
      doneUnits += n;
      const t = now();
      if (t - last >= 100 || doneUnits >= total) {
        last = t;
        draw();
      }
    },
    done() {
      if (drawn) target.write('\r\x1b[K');
    },
  };
}

/** Formats a byte count as `512 B`, `1.5 KiB`, `3.2 MiB`, `1.1 GiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
