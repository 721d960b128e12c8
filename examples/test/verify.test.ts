/**
 * Step 9's machinery on its own: the side-by-side check really runs Python and
 * really fails on a difference; without the pinned environment it explains how
 * to enable it; the printed lines follow Python's formats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@tfsave/core/node';
import { initBackend } from '@tfsave/runtime';
import { loadModel } from '@tfsave/runtime/node';
import { accuracyLine, evaluateLine } from '../src/lib/terminal.js';
import { loadTutorialData, scoreModel } from '../src/lib/tutorial-model.js';
import { verifyWithPython } from '../src/lib/verify.js';

/** Runs `fn` and returns what it printed to stdout. */
async function captured<T>(fn: () => Promise<T>): Promise<{ value: T; text: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let text = '';
  process.stdout.write = ((chunk: string | Uint8Array): boolean => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    return { value: await fn(), text };
  } finally {
    process.stdout.write = write;
  }
}

test('verification matches a Python-written model and flags a one-prediction difference', async () => {
  await initBackend('wasm');
  const path = join(repoRoot(), 'fixtures', 'tutorial-tf-keras', 'my_model.h5');
  const recorded = JSON.parse(readFileSync(join(path, '..', 'outputs.json'), 'utf8')) as { models: Record<string, { test_accuracy: number }> };
  const ours = scoreModel(await loadModel(path), loadTutorialData());
  assert.equal(ours.correct, Math.round(recorded.models['my_model.h5']!.test_accuracy * 1000), 'our score of the fixture = the recorded one');
  const { value, text } = await captured(() => verifyWithPython([
    { artifact: 'my_model.h5', kind: 'tfk_model', path, ours },
    { artifact: 'my_model.h5', label: 'tampered', kind: 'tfk_model', path, ours: { ...ours, correct: ours.correct - 1 } },
  ]));
  assert.equal(value.ran, true);
  assert.equal(value.passed, false);
  assert.match(text, /^my_model\.h5 +tf_keras load_model .* match$/m);
  assert.match(text, /^tampered .*MISMATCH: \d+ correct in Python, \d+ here$/m);
  assert.match(text, /Python verification FAILED/);
});

test('without the pinned Python environment, step 9 says how to enable it', async () => {
  const saved = process.env['TFSAVE_PYTHON'];
  process.env['TFSAVE_PYTHON'] = join(repoRoot(), 'no-such-venv', 'bin', 'python');
  try {
    const { value, text } = await captured(() => verifyWithPython([]));
    assert.deepEqual(value, { ran: false, passed: false, results: [] });
    assert.match(text, /npm run setup:python/);
  } finally {
    if (saved === undefined) delete process.env['TFSAVE_PYTHON'];
    else process.env['TFSAVE_PYTHON'] = saved;
  }
});

test("accuracy and evaluate lines use Python's formats", () => {
  assert.equal(accuracyLine('Restored model', 0.876), 'Restored model, accuracy: 87.60%');
  assert.equal(accuracyLine('Untrained model', 0.092), 'Untrained model, accuracy:  9.20%');
  assert.equal(evaluateLine({ loss: 0.4375, sparse_categorical_accuracy: 0.878 }, 32, 0.125),
    '32/32 - 0s - loss: 0.4375 - sparse_categorical_accuracy: 0.8780 - 125ms/epoch - 4ms/step');
});
