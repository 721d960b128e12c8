/**
 * Node adapter for interop tests: runs the pinned Python checker
 * (`tools/check/check.py` in the pinned venv) over a cases file that
 * TypeScript wrote next to its artifacts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (found from this file's location in `packages/core/dist/src/node`). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'turbo.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('tfsave repository root not found');
}

/** The pinned interpreter: `$TFSAVE_PYTHON` or `tools/.venv/bin/python`. */
export function pinnedPython(): string {
  const p = process.env['TFSAVE_PYTHON'] ?? join(repoRoot(), 'tools/.venv/bin/python');
  if (!existsSync(p)) throw new Error(`pinned Python not found at ${p}: run \`npm run setup:python\``);
  return p;
}

/** Result of one Python check run. */
export interface PythonCheckResult {
  readonly ok: boolean;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Writes `{cases}` to `casesFile` and runs `tools/check/check.py` on it.
 * Never skips: a missing interpreter is an error.
 */
export function runPythonCheck(casesFile: string, cases: readonly object[], timeoutMs = 600_000): PythonCheckResult {
  writeFileSync(casesFile, JSON.stringify({ cases }, null, 1));
  return runPythonScript(join(repoRoot(), 'tools/check/check.py'), [resolve(casesFile)], timeoutMs);
}

/** Runs a Python script with the pinned interpreter and TF's logging quieted. */
export function runPythonScript(script: string, args: readonly string[], timeoutMs = 600_000): PythonCheckResult {
  const r = spawnSync(pinnedPython(), [script, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', CUDA_VISIBLE_DEVICES: '-1', PYTHONHASHSEED: '0' },
  });
  return { ok: r.status === 0, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
}
