/**
 * CSVLogger: one row per epoch (`epoch` then the logged values in sorted key
 * order), numbers written as Python's `str(float)` writes them.
 */
import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { pythonFloat } from '@tfsave/tensor-bundle';
import { Callback } from '../callbacks/callback.js';
import type { Logs } from '../callbacks/callback.js';

/** Options of {@link CSVLogger}. */
export interface CSVLoggerArgs {
  separator?: string;
  /** Append to an existing file instead of overwriting it. */
  append?: boolean;
}

/** Keras's CSVLogger. */
export class CSVLogger extends Callback {
  private keys: string[] | undefined;
  private readonly sep: string;
  private readonly append: boolean;

  constructor(readonly filename: string, a: CSVLoggerArgs = {}) {
    super();
    this.sep = a.separator ?? ',';
    this.append = a.append ?? false;
  }

  override async onTrainBegin(): Promise<void> {
    this.keys = undefined;
    if (!this.append) writeFileSync(this.filename, '');
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (!this.keys) {
      this.keys = Object.keys(logs).sort();
      const fresh = !this.append || !existsSync(this.filename) || this.size() === 0;
      if (fresh) appendFileSync(this.filename, `${['epoch', ...this.keys].join(this.sep)}\r\n`);
    }
    const row = [String(epoch), ...this.keys.map((k) => (logs[k] === undefined ? 'NA' : pythonFloat(logs[k])))];
    appendFileSync(this.filename, `${row.join(this.sep)}\r\n`);
  }

  private size(): number {
    return existsSync(this.filename) ? statSync(this.filename).size : 0;
  }
}
