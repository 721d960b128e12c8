import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCheckpointState, parseCheckpointState, pythonFloat } from '../src/index.js';
import { latestCheckpoint, openCheckpointManager } from '../src/node/index.js';
import { wild } from './helpers.js';

test('a TF CheckpointManager state file (timestamps, last_preserved) parses and formats back byte-identically', () => {
  const text = readFileSync(join(wild, 'a_checkpoint/a2c_ckptmanager_2025/checkpoint'), 'utf8');
  const s = parseCheckpointState(text);
  assert.equal(s.model_checkpoint_path, 'ckpt-9');
  assert.deepEqual(s.all_model_checkpoint_paths, ['ckpt-7', 'ckpt-8', 'ckpt-9']);
  assert.equal(s.all_model_checkpoint_timestamps[0], 1749551857.5064511);
  assert.equal(s.last_preserved_timestamp, 1749486234.077182);
  assert.equal(formatCheckpointState(s), text);
});

test('state strings are C-escaped as Python text_format does and parse back', () => {
  const s = { model_checkpoint_path: 'dir "x"/ckpt-1\\é', all_model_checkpoint_paths: ['a\nb'], all_model_checkpoint_timestamps: [1700000000] };
  const text = formatCheckpointState(s);
  assert.equal(text, 'model_checkpoint_path: "dir \\"x\\"/ckpt-1\\\\\\303\\251"\nall_model_checkpoint_paths: "a\\nb"\nall_model_checkpoint_timestamps: 1700000000.0\n');
  assert.deepEqual(parseCheckpointState(text), { ...s, last_preserved_timestamp: undefined });
});

test('doubles print like Python repr', () => {
  assert.equal(pythonFloat(1749551857.5064511), '1749551857.5064511');
  assert.equal(pythonFloat(1e16), '1e+16');
  assert.equal(pythonFloat(0.00001), '1e-05');
  assert.equal(pythonFloat(3), '3.0');
});

test('a state file without model_checkpoint_path or with an unknown field is malformed', () => {
  assert.throws(() => parseCheckpointState('all_model_checkpoint_paths: "x"\n'), { name: 'FormatError', kind: 'malformed' });
  assert.throws(() => parseCheckpointState('model_checkpoint_path: "x"\nbogus: 1\n'), { name: 'FormatError' });
});

test('latestCheckpoint follows relative paths, requires the .index, and tolerates a moved directory', async () => {
  const base = mkdtempSync(join(tmpdir(), 'tb-latest-'));
  const dir = join(base, 'a');
  cpSync(join(wild, 'a_checkpoint/a2c_ckptmanager_2025'), dir, { recursive: true });
  assert.equal(await latestCheckpoint(dir), join(dir, 'ckpt-9'));
  // absolute paths written elsewhere, then the directory moved
  writeFileSync(join(dir, 'checkpoint'), 'model_checkpoint_path: "/somewhere/else/ckpt-8"\nall_model_checkpoint_paths: "/somewhere/else/ckpt-8"\n');
  renameSync(dir, join(base, 'moved'));
  assert.equal(await latestCheckpoint(join(base, 'moved')), join(base, 'moved', 'ckpt-8'));
  writeFileSync(join(base, 'moved', 'checkpoint'), 'model_checkpoint_path: "ckpt-99"\n');
  assert.equal(await latestCheckpoint(join(base, 'moved')), undefined);
  assert.equal(await latestCheckpoint(join(base, 'nothing-here')), undefined);
});

const write = (n: number) => async (w: { add: (k: string, t: never) => Promise<void> }) => {
  await w.add('save_counter/.ATTRIBUTES/VARIABLE_VALUE', { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(n)) } as never);
};

test('CheckpointManager: numbering, maxToKeep, keepCheckpointEveryNHours, interval, recovery', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-manager-'));
  let now = 1_000_000;
  let step = 0;
  const opts = { maxToKeep: 2, keepCheckpointEveryNHours: 1, clock: () => now, stepCounter: () => step, checkpointInterval: 10, checkpointName: 'model' };
  const m = await openCheckpointManager(dir, opts);
  const saved: Array<string | undefined> = [];
  for (let i = 0; i < 8; i++) {
    saved.push(await m.save((w, n) => write(n)(w)));
    step += 5; // only every other call passes the 10-step interval
    now += 1800; // half an hour
  }
  assert.deepEqual(saved, ['model-1', undefined, 'model-2', undefined, 'model-3', undefined, 'model-4', undefined]);
  // model-1 (t0) is deleted; model-2 (t0 + 1 h) leaves the managed list but is preserved by keepCheckpointEveryNHours.
  const files = readdirSync(dir).filter((f) => f.endsWith('.index')).sort();
  assert.deepEqual(files, ['model-2.index', 'model-3.index', 'model-4.index']);
  const state = parseCheckpointState(readFileSync(join(dir, 'checkpoint'), 'utf8'));
  assert.deepEqual(state.all_model_checkpoint_paths, ['model-3', 'model-4']);
  assert.equal(state.model_checkpoint_path, 'model-4');
  // a new manager recovers the numbering and the managed list
  const again = await openCheckpointManager(dir, { maxToKeep: 2, clock: () => now });
  assert.deepEqual(again.checkpoints, ['model-3', 'model-4']);
  const restored: string[] = [];
  assert.equal(await again.restoreOrInitialize(async (p) => void restored.push(p)), 'model-4');
  assert.equal(again.saveCounter, 4);
  assert.ok(existsSync(join(dir, 'model-2.index')), 'preserved by keepCheckpointEveryNHours');
  let initialized = false;
  const empty = await openCheckpointManager(mkdtempSync(join(tmpdir(), 'tb-empty-')));
  assert.equal(await empty.restoreOrInitialize(async () => {}, async () => void (initialized = true)), undefined);
  assert.ok(initialized);
});
