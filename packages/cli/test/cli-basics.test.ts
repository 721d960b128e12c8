/** The command line itself: help, usage errors, exit codes, no stack traces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../src/index.js';
import { tempDir, tfsave, tfsaveInProcess } from './helpers.js';

test('tfsave --help lists every command; COMMAND --help shows usage, options and examples', async () => {
  const top = tfsave(['--help']);
  assert.equal(top.status, 0);
  for (const c of COMMANDS) assert.match(top.stdout, new RegExp(`^  ${c.name} `, 'm'));
  for (const c of COMMANDS) {
    const r = tfsave([c.name, '--help']);
    assert.equal(r.status, 0, c.name);
    assert.match(r.stdout, new RegExp(`^Usage: tfsave ${c.name}`));
    assert.match(r.stdout, /\nOptions:\n/);
    assert.match(r.stdout, new RegExp(`\\nExamples:\\n  tfsave ${c.name} `));
    assert.equal((await tfsaveInProcess(['help', c.name])).stdout, r.stdout);
  }
});

test('no command prints help and exits 2; --version prints the version', () => {
  const r = tfsave([]);
  assert.equal(r.status, 2);
  assert.match(r.stdout, /^Usage: tfsave COMMAND/);
  assert.match(tfsave(['--version']).stdout, /^tfsave \d+\.\d+\.\d+\n$/);
});

test('usage errors are one line on stderr with exit code 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['inspect'], /expected 1 argument\(s\), got 0/],
    [['inspect', 'a', 'b'], /expected 1 argument\(s\), got 2/],
    [['inspect', 'x', '--jsno'], /unknown option --jsno \(did you mean --json\?\)/],
    [['diff', 'a', 'b', '--atol'], /option --atol needs a value/],
    [['diff', 'a', 'b', '--atol', 'abc'], /option --atol needs a number, got "abc"/],
    [['dump', 'a', 'b'], /--out FILE\.npy is required/],
    [['convert', 'a', 'b', '--to', 'onnx'], /--to onnx: expected one of checkpoint, saved-model, h5, weights-h5, keras/],
  ];
  for (const [args, re] of cases) {
    const r = await tfsaveInProcess(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
  }
});

test('bad input files give a clean one-line error; TFSAVE_DEBUG=1 adds the stack', () => {
  const { dir, cleanup } = tempDir();
  try {
    const junk = join(dir, 'junk.h5');
    writeFileSync(junk, 'this is not a model file at all');
    const r = tfsave(['inspect', junk]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^tfsave inspect: .*junk\.h5: not a TensorFlow or Keras file/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    assert.equal(tfsave(['verify', empty]).status, 2);
    const missing = tfsave(['inspect', join(dir, 'nothing-here')]);
    assert.match(missing.stderr, /no such file, directory or checkpoint prefix/);
    const debug = tfsave(['inspect', junk], { TFSAVE_DEBUG: '1' });
    assert.match(debug.stderr, /\n\s+at /);
  } finally {
    cleanup();
  }
});

test('no progress bar when stderr is not a terminal', () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = tfsave(['inspect', dir]);
    assert.equal(r.status, 2);
    assert.doesNotMatch(r.stderr, /\r|\[#/);
  } finally {
    cleanup();
  }
});
