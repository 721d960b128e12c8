/**
 * The same MNIST split in both languages: the TypeScript loader of
 * @tfsave/runtime and tools/fixtures/mnist_data.py give identical arrays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tensorSha256 } from '@tfsave/core';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { loadMnist } from '@tfsave/runtime/node';

test('TypeScript and Python load byte-identical MNIST train and test splits', () => {
  const { train, test: testSplit } = loadMnist();
  const mine: Record<string, string> = {
    x_train: tensorSha256(train.x), y_train: tensorSha256(train.y),
    x_test: tensorSha256(testSplit.x), y_test: tensorSha256(testSplit.y),
  };
  const r = runPythonScript(join(repoRoot(), 'tools/fixtures/mnist_data.py'), []);
  assert.ok(r.ok, r.stderr);
  const python = Object.fromEntries(r.stdout.trim().split('\n').map((l) => { const p = l.split(' '); return [p[0], p.at(-1)]; }));
  assert.deepEqual(mine, python);
  assert.equal(train.count, 1000);
  assert.deepEqual([...train.y.slice(0, 12)], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
});
