import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCheckpointState } from '../src/index.js';
import { latestCheckpoint, openBundle, openCheckpointManager } from '../src/node/index.js';
import { readFileSync } from 'node:fs';
import { rng } from './tensors.js';

const child = fileURLToPath(new URL('./kill-child.js', import.meta.url));

async function checkDir(dir: string): Promise<number> {
  const state = parseCheckpointState(readFileSync(join(dir, 'checkpoint'), 'utf8'));
  const latest = await latestCheckpoint(dir);
  assert.equal(latest, join(dir, state.model_checkpoint_path), 'latest checkpoint named by the state file exists');
  for (const p of new Set([state.model_checkpoint_path, ...state.all_model_checkpoint_paths])) {
    const r = await openBundle(join(dir, p));
    await r.verifyAll();
    await r.close();
  }
  // no half-written file under a final name: every index present opens with all its data
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.index')) continue;
    const r = await openBundle(join(dir, f.slice(0, -6)));
    await r.verifyAll();
    await r.close();
  }
  return state.all_model_checkpoint_paths.length;
}

test('SIGKILL at random moments never leaves a broken checkpoint (30 kills)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-kill-'));
  const m = await openCheckpointManager(dir, { maxToKeep: 2 });
  await m.save(async (w) => w.add('t0', { dtype: 'float32', shape: [3], data: new Float32Array(3) }));
  const r = rng(12345);
  let progressed = 0;
  const before = Date.now();
  for (let i = 0; i < 30 && Date.now() - before < 40_000; i++) {
    const proc = spawn(process.execPath, [child], { env: { ...process.env, TB_KILL_DIR: dir }, stdio: 'ignore' });
    await new Promise((res) => setTimeout(res, 80 + Math.floor(r() * 400)));
    proc.kill('SIGKILL');
    await new Promise((res) => proc.once('exit', res));
    await checkDir(dir);
    const latest = await latestCheckpoint(dir);
    if (latest !== undefined && Number(/-(\d+)$/.exec(latest)![1]) > 1) progressed++;
  }
  assert.ok(progressed > 0, 'the child managed to save at least once');
});
