/**
 * Optimizer state of every supported optimizer (tf_keras and Keras 3 sources) is laid out in a
 * converted checkpoint as tf_keras tracks it, so tf_keras `load_weights` restores all of it
 * (one Python run that trains the sources, runs the real executable and restores the results).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPythonScript } from '@tfsave/core/node';
import { SUPPORTED_OPTIMIZERS } from '../src/index.js';
import { MAIN, pythonScript, tempDir } from './helpers.js';

const CHECKED = ['RMSprop', 'RMSprop(momentum=0.9, centered=True)', 'Nadam', 'Adamax', 'Adadelta(learning_rate=1.0)', 'Ftrl', 'Lion', 'Adam(amsgrad=True)', 'SGD(momentum=0.9)', 'AdamW', 'Adagrad'];

test('tf_keras load_weights restores every optimizer variable of a converted checkpoint (every supported optimizer)', () => {
  const { dir, cleanup } = tempDir();
  try {
    const py = runPythonScript(pythonScript('check_optimizers.py'), [process.execPath, MAIN, dir]);
    const lines = py.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; ok: boolean; detail: string });
    assert.deepEqual(lines.map((l) => l.id), CHECKED.flatMap((c) => [`tf_keras ${c}`, `Keras 3 ${c}`]), py.stderr.slice(-3000));
    assert.deepEqual(lines.filter((l) => !l.ok).map((l) => `${l.id}: ${l.detail}`), []);
    assert.equal(py.status, 0);
  } finally {
    cleanup();
  }
});

test('every supported optimizer is among those checked', () => {
  const checked = new Set(CHECKED.map((c) => c.replace(/\(.*$/, '')));
  assert.deepEqual(SUPPORTED_OPTIMIZERS.filter((o) => !checked.has(o)), []);
});
