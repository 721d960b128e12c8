/**
 * Child process for the BackupAndRestore test (inert unless RUNTIME_BACKUP_CHILD=1):
 * trains 3 epochs with BackupAndRestore every 3 batches, optionally SIGKILLs
 * itself after global batch `killAt`, and writes the final weights to `out`.
 */
import { writeFileSync } from 'node:fs';
import {
  Adam, Callback, clearSession, Dense, Dropout, initBackend, sequential, setRandomSeed, SparseCategoricalCrossentropy, tf,
} from '../src/index.js';
import { BackupAndRestore, loadExamples } from '../src/node/index.js';

class KillAt extends Callback {
  private seen = 0;
  constructor(private readonly at: number) {
    super();
  }
  override async onTrainBatchEnd(): Promise<void> {
    if (++this.seen === this.at) process.kill(process.pid, 'SIGKILL');
  }
}

async function main(): Promise<void> {
  const [backupDir, out, killAt] = process.argv.slice(2);
  await initBackend('wasm');
  clearSession();
  setRandomSeed(42);
  const m = sequential([new Dense({ units: 32, activation: 'relu', inputShape: [784] }), new Dropout({ rate: 0.2 }), new Dense({ units: 10 })]);
  m.compile({ optimizer: new Adam(), loss: new SparseCategoricalCrossentropy({ fromLogits: true }) });
  const e = loadExamples(0, 128);
  const x = tf.tensor2d(e.x, [128, 784]);
  const y = tf.tensor1d(e.y, 'int32');
  const callbacks: Callback[] = [new BackupAndRestore(backupDir!, { saveFreq: 3 })];
  if (Number(killAt) > 0) callbacks.push(new KillAt(Number(killAt)));
  const h = await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, callbacks });
  writeFileSync(out!, JSON.stringify({ weights: m.weights.map((w) => Array.from(w.variable.dataSync())), loss: h.history['loss'] }));
}

if (process.env['RUNTIME_BACKUP_CHILD'] === '1') await main();
