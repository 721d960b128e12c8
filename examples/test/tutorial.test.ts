/**
 * The reference example, run as a user runs it (`--quick` into a temp folder, in a
 * child process): it prints the tutorial's steps in order, writes every artifact,
 * the artifacts load again, and Python TensorFlow / Keras agrees on every accuracy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@tfsave/runtime';
import { latestCheckpoint, loadModel, loadWeights } from '@tfsave/runtime/node';
import { createModel, loadTutorialData, Scale, scoreModel } from '../src/lib/tutorial-model.js';
import { parseArgs } from '../src/lib/args.js';

const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'tutorial.js');
const out = join(mkdtempSync(join(tmpdir(), 'tfsave-tutorial-')), 'my output');

interface Run { code: number | null; stdout: string; stderr: string; seconds: number }
let run: Promise<Run> | undefined;

/** Runs `node tutorial.js --quick --out <tmp>` once for all tests. */
function quickRun(): Promise<Run> {
  run ??= new Promise((resolve) => {
    const t = performance.now();
    const child = spawn(process.execPath, [script, '--quick', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - t) / 1000 }));
  });
  return run;
}

/** Asserts that `needles` occur in `text` in this order. */
function inOrder(text: string, needles: readonly (string | RegExp)[]): void {
  let at = 0;
  for (const n of needles) {
    const rest = text.slice(at);
    const m = typeof n === 'string' ? { index: rest.indexOf(n), len: n.length } : (() => {
      const r = n.exec(rest);
      return { index: r ? r.index : -1, len: r ? r[0].length : 0 };
    })();
    assert.ok(m.index >= 0, `expected ${String(n)} after offset ${at} of the output:\n${text.slice(at, at + 1500)}`);
    at += m.index + m.len;
  }
}

test('the quick run exits 0 in well under 90 s', async () => {
  const r = await quickRun();
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  assert.ok(r.seconds < 90, `took ${r.seconds.toFixed(1)} s`);
});

test('it prints the tutorial steps in the tutorial order', async () => {
  const { stdout } = await quickRun();
  inOrder(stdout, [
    '== 1.', 'Total params: 407050 (1.55 MB)',
    '== 2.', 'Epoch 1/2', 'Epoch 1: saving model to training_1/cp.ckpt', /32\/32 \[=+\] - .* - val_sparse_categorical_accuracy: /,
    '$ ls training_1', 'checkpoint', 'cp.ckpt.data-00000-of-00001', 'cp.ckpt.index',
    '== 3.', /Untrained model, accuracy: +\d+\.\d\d%/, /Restored model, accuracy: \d+\.\d\d%/, 'Same as the trained model',
    '== 4.', 'Epoch 5: saving model to training_2/cp-0005.ckpt', 'Epoch 10: saving model to training_2/cp-0010.ckpt',
    '$ ls training_2', "latestCheckpoint('training_2') → training_2/cp-0010.ckpt", 'Restored model, accuracy',
    '== 5.', 'Restored model, accuracy', '$ ls checkpoints', 'my_checkpoint.index',
    '== 6.', '$ ls saved_model/my_model', 'saved_model.pb', 'variables/', 'Model: "', 'Restored model, accuracy',
    'predict(test_images).shape → [1000, 10]',
    '== 7.', 'Restored model, accuracy', /Optimizer restored: Adam at step (\d+) \(saved at step \1\)/,
    '== 8.', 'Restored model (.keras), accuracy', "Without customObjects: runtime: unknown layer class 'Scale'",
    'With customObjects: { Scale }', 'Restored custom model, accuracy',
    '== 9.', /Python verification passed: 8 checks, identical accuracy \(\d+\.\ds\)\./, 'Done in',
  ]);
});

test('the untrained model scores near chance (about 10%)', async () => {
  const { stdout } = await quickRun();
  const acc = Number(/Untrained model, accuracy: +(\d+\.\d\d)%/.exec(stdout)![1]);
  assert.ok(acc > 3 && acc < 25, `untrained accuracy ${acc}%`);
});

test('every artifact exists under the output folder with the tutorial names', async () => {
  await quickRun();
  const has = (p: string): void => assert.ok(existsSync(join(out, p)), `${p} missing; have ${readdirSync(out).join(', ')}`);
  for (const p of ['training_1/checkpoint', 'training_1/cp.ckpt.index', 'training_1/cp.ckpt.data-00000-of-00001']) has(p);
  for (const e of ['0000', '0005', '0010']) has(`training_2/cp-${e}.ckpt.index`);
  for (const p of ['checkpoints/my_checkpoint.index', 'saved_model/my_model/saved_model.pb', 'saved_model/my_model/variables/variables.index']) has(p);
  for (const p of ['my_model.h5', 'my_model.keras', 'custom_model.keras']) has(p);
});

test('Python loaded every artifact with the same accuracy (the side-by-side table all matches)', async () => {
  const { stdout } = await quickRun();
  const table = stdout.slice(stdout.indexOf('== 9.'));
  const rows = table.split('\n').filter((l) => /%/.test(l));
  assert.equal(rows.length, 8, table);
  for (const row of rows) {
    const [ours, py] = [...row.matchAll(/(\d+\.\d\d)%/g)].map((m) => m[1]);
    assert.equal(py, ours, row);
    assert.match(row, / match$/);
  }
  assert.doesNotMatch(table, /MISMATCH|FAILED/);
});

test('the artifacts load again in this process with the accuracies the example printed', async () => {
  const { stdout } = await quickRun();
  await initBackend('wasm');
  const data = loadTutorialData();
  const printed = [...stdout.matchAll(/^Restored model, accuracy: +(\d+\.\d\d)%$/gm)].map((m) => m[1]);
  const pct = (n: number): string => ((100 * n) / 1000).toFixed(2);
  const m1 = createModel();
  await loadWeights(m1, join(out, 'training_1', 'cp.ckpt'));
  assert.equal(pct(scoreModel(m1, data).correct), printed[0]);
  const latest = await latestCheckpoint(join(out, 'training_2'));
  assert.equal(latest, join(out, 'training_2', 'cp-0010.ckpt'));
  const sm = await loadModel(join(out, 'saved_model', 'my_model'));
  assert.equal(pct(scoreModel(sm, data).correct), printed[3]);
  const h5 = await loadModel(join(out, 'my_model.h5'));
  assert.equal(pct(scoreModel(h5, data).correct), printed[4]);
  assert.ok(h5.compiled!.optimizer.iterations > 0);
  const custom = await loadModel(join(out, 'custom_model.keras'), { customObjects: { Scale } });
  assert.equal(custom.layers.at(-1)!.className, 'Scale');
});

test('options: --quick, --out DIR (and --out=DIR), --no-verify; unknown options are refused', () => {
  assert.deepEqual(parseArgs([]), { quick: false, out: './tutorial-output', verify: true, help: false });
  assert.deepEqual(parseArgs(['--quick', '--out', 'x']), { quick: true, out: 'x', verify: true, help: false });
  assert.equal(parseArgs(['--out=y', '--no-verify']).verify, false);
  assert.throws(() => parseArgs(['--out']), /--out needs a directory/);
  assert.throws(() => parseArgs(['--fast']), /unknown option --fast/);
});
