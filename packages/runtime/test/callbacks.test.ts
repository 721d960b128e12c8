/**
 * Callbacks: History, ModelCheckpoint (templates, frequency, best-only, verbose
 * lines, checkpoint state), EarlyStopping, CSVLogger, the progress logger's
 * Keras formats, and BackupAndRestore surviving a SIGKILL mid-epoch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import {
  Adam, clearSession, Dense, Dropout, EarlyStopping, formatTemplate, sequential, setRandomSeed, SparseCategoricalCrossentropy,
  sparseCategoricalAccuracy, tf,
} from '../src/index.js';
import type { Model } from '../src/index.js';
import { CSVLogger, latestCheckpoint, loadWeights, ModelCheckpoint } from '../src/node/index.js';
import { backendReady, mnistTensors } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'runtime-callbacks-'));

function small(): Model {
  clearSession();
  setRandomSeed(9);
  const m = sequential([new Dense({ units: 16, activation: 'relu', inputShape: [784] }), new Dropout({ rate: 0.2 }), new Dense({ units: 10 })]);
  m.compile({ optimizer: new Adam(), loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: [sparseCategoricalAccuracy()] });
  return m;
}

test('file path templates follow Python format specs', () => {
  assert.equal(formatTemplate('cp-{epoch:04d}.ckpt', { epoch: 5 }), 'cp-0005.ckpt');
  assert.equal(formatTemplate('w-{epoch:02d}-{val_loss:.2f}.keras', { epoch: 3, val_loss: 0.4567 }), 'w-03-0.46.keras');
  assert.equal(formatTemplate('{loss:.3e}', { loss: 0.000123 }), '1.230e-04');
  assert.throws(() => formatTemplate('{nope}', { epoch: 1 }), /nope/);
});

test('ModelCheckpoint saves weights every epoch as cp-{epoch:04d}.ckpt, prints Keras lines, and both latest_checkpoint find the last', async () => {
  await backendReady;
  const m = small();
  const { x, y } = mnistTensors(0, 64);
  const lines: string[] = [];
  const d = join(dir, 'training_2');
  const cb = new ModelCheckpoint({ filepath: join(d, 'cp-{epoch:04d}.ckpt'), saveWeightsOnly: true, verbose: 1, print: (s) => lines.push(s) });
  const h = await m.fit(x, y, { epochs: 3, batchSize: 32, verbose: 0, callbacks: [cb] });
  assert.deepEqual(h.epoch, [0, 1, 2]);
  assert.deepEqual(Object.keys(h.history), ['loss', 'sparse_categorical_accuracy']);
  assert.deepEqual(lines, [1, 2, 3].map((e) => `\nEpoch ${e}: saving model to ${join(d, `cp-000${e}.ckpt`)}`));
  assert.ok(readdirSync(d).includes('cp-0002.ckpt.index'));
  assert.equal(await latestCheckpoint(d), join(d, 'cp-0003.ckpt'));
  const fresh = small();
  await loadWeights(fresh, (await latestCheckpoint(d))!);
  fresh.weights.forEach((w, i) => assert.deepEqual(w.variable.dataSync(), m.weights[i]!.variable.dataSync()));
  const cases = join(dir, 'latest.json');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(cases, JSON.stringify({ cases: [{ id: 'latest', kind: 'latest', dir: d }] }));
  const r = runPythonScript(join(repoRoot(), 'packages/runtime/test/python/persist.py'), [cases, join(dir, 'latest-out.json')]);
  assert.ok(r.ok, r.stderr.slice(-2000));
  const out = JSON.parse(readFileSync(join(dir, 'latest-out.json'), 'utf8')) as { results: Array<{ latest: string }> };
  assert.equal(out.results[0]!.latest, join(d, 'cp-0003.ckpt'));
});

test('ModelCheckpoint saveBestOnly with {val_loss:.2f}.keras saves only improvements and says so', async () => {
  const m = small();
  const { x, y } = mnistTensors(0, 64);
  const v = mnistTensors(1000, 64);
  const lines: string[] = [];
  const d = join(dir, 'best');
  const cb = new ModelCheckpoint({ filepath: join(d, 'best-{epoch:02d}-{val_loss:.2f}.keras'), saveBestOnly: true, verbose: 1, print: (s) => lines.push(s) });
  const h = await m.fit(x, y, { epochs: 4, batchSize: 32, verbose: 0, validationData: [v.x, v.y], callbacks: [cb] });
  const vl = h.history['val_loss']!;
  let best = Infinity;
  const expected: string[] = [];
  vl.forEach((val, i) => {
    const py5 = (n: number) => (Number.isFinite(n) ? n.toFixed(5) : 'inf');
    if (val < best) {
      const p = join(d, `best-0${i + 1}-${val.toFixed(2)}.keras`);
      expected.push(`\nEpoch ${i + 1}: val_loss improved from ${py5(best)} to ${py5(val)}, saving model to ${p}`);
      best = val;
    } else expected.push(`\nEpoch ${i + 1}: val_loss did not improve from ${py5(best)}`);
  });
  assert.deepEqual(lines, expected);
  assert.equal(cb.saved.length, expected.filter((l) => l.includes('saving')).length);
  assert.equal(await latestCheckpoint(d), cb.saved[cb.saved.length - 1], 'ours finds .keras outputs through the state file');
});

test('ModelCheckpoint with initialValueThreshold saves nothing that is not better; saveFreq counts batches', async () => {
  const m = small();
  const { x, y } = mnistTensors(0, 96);
  const none = new ModelCheckpoint({ filepath: join(dir, 'never-{epoch}.weights.h5'), saveWeightsOnly: true, saveBestOnly: true, monitor: 'loss', initialValueThreshold: 0 });
  const freq = new ModelCheckpoint({ filepath: join(dir, 'freq', 'b-{epoch}-{batch}.weights.h5'), saveWeightsOnly: true, saveFreq: 2 });
  await m.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0, callbacks: [none, freq] });
  assert.equal(none.saved.length, 0);
  assert.deepEqual(freq.saved.map((p) => p.split('/').pop()), ['b-1-2.weights.h5', 'b-2-1.weights.h5', 'b-2-3.weights.h5']);
  assert.equal(await latestCheckpoint(join(dir, 'freq')), freq.saved[2]);
});

test('EarlyStopping stops after `patience` epochs without improvement and can restore the best weights', async () => {
  const m = small();
  const { x, y } = mnistTensors(0, 64);
  const es = new EarlyStopping({ monitor: 'loss', patience: 1, minDelta: 1e9 });
  const h = await m.fit(x, y, { epochs: 10, batchSize: 32, verbose: 0, callbacks: [es] });
  assert.equal(h.epoch.length, 2, 'improvement by 1e9 never happens: stops after epoch 2');
  assert.equal(es.stoppedEpoch, 1);
  const m2 = small();
  const es2 = new EarlyStopping({ monitor: 'sparse_categorical_accuracy', mode: 'max', patience: 2, restoreBestWeights: true, minDelta: 1e9 });
  const h2 = await m2.fit(x, y, { epochs: 10, batchSize: 32, verbose: 0, callbacks: [es2] });
  assert.equal(h2.epoch.length, 3);
});

test('CSVLogger writes epoch plus sorted keys, Python float formatting, CRLF rows', async () => {
  const m = small();
  const { x, y } = mnistTensors(0, 64);
  const v = mnistTensors(1000, 32);
  const f = join(dir, 'log.csv');
  const h = await m.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0, validationData: [v.x, v.y], callbacks: [new CSVLogger(f)] });
  const rows = readFileSync(f, 'utf8').split('\r\n');
  assert.equal(rows[0], 'epoch,loss,sparse_categorical_accuracy,val_loss,val_sparse_categorical_accuracy');
  assert.equal(rows.length, 4);
  const r1 = rows[2]!.split(',');
  assert.equal(r1[0], '1');
  assert.equal(Number(r1[1]), h.history['loss']![1]);
});

test('verbose 2 prints "Epoch i/N" and Keras\'s one-line epoch summary; verbose 1 ends with the full bar', async () => {
  const m = small();
  const { x, y } = mnistTensors(0, 64);
  const out: Array<[string, boolean]> = [];
  await m.fit(x, y, { epochs: 2, batchSize: 32, verbose: 2, print: (s, nl) => out.push([s, nl]) });
  assert.equal(out[0]![0], 'Epoch 1/2');
  assert.match(out[1]![0], /^2\/2 - \d+s - loss: \d\.\d{4} - sparse_categorical_accuracy: \d\.\d{4} - \d+m?s\/epoch - \d+[mu]?s\/step$/);
  const out1: string[] = [];
  await m.fit(x, y, { epochs: 1, batchSize: 16, verbose: 1, print: (s) => out1.push(s) });
  assert.equal(out1[0], 'Epoch 1/1');
  const last = out1.filter((s) => s.startsWith('4/4'))[0]!;
  assert.match(last, /^4\/4 \[==============================\] - \d+s \d+[mu]?s\/step - loss: \d\.\d{4} - sparse_categorical_accuracy: \d\.\d{4}$/);
});

test('BackupAndRestore: a run SIGKILLed mid-epoch and started again ends with the same weights as an uninterrupted run', async () => {
  const child = join(dirname(fileURLToPath(import.meta.url)), 'backup-child.js');
  const env = { ...process.env, RUNTIME_BACKUP_CHILD: '1' };
  const run = (backup: string, out: string, killAt: number) => spawnSync(process.execPath, [child, backup, out, String(killAt)], { env, encoding: 'utf8' });
  const ref = run(join(dir, 'bk-ref'), join(dir, 'ref.json'), 0);
  assert.equal(ref.status, 0, ref.stderr);
  const killed = run(join(dir, 'bk'), join(dir, 'resumed.json'), 13);
  assert.equal(killed.signal, 'SIGKILL');
  assert.ok(existsSync(join(dir, 'bk', 'training_state.json')), 'a backup exists after the kill');
  assert.ok(!existsSync(join(dir, 'resumed.json')));
  const resumed = run(join(dir, 'bk'), join(dir, 'resumed.json'), 0);
  assert.equal(resumed.status, 0, resumed.stderr);
  const a = JSON.parse(readFileSync(join(dir, 'ref.json'), 'utf8')) as { weights: number[][]; loss: number[] };
  const b = JSON.parse(readFileSync(join(dir, 'resumed.json'), 'utf8')) as { weights: number[][]; loss: number[] };
  assert.deepEqual(b.weights, a.weights);
  assert.deepEqual(b.loss, a.loss.slice(1), 'the resumed run logs the epochs it ran (2 and 3) with the same values');
  assert.ok(!existsSync(join(dir, 'bk')), 'backup removed after training finished');
  void tf;
  void Adam;
  void Dense;
  void Dropout;
});
