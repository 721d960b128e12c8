/** Test helpers: run the built `tfsave` as a child process, find fixtures, make temp dirs. */
import { spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, runPythonScript } from '@tfsave/core/node';

/** The built executable. */
export const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'main.js');
/** `fixtures/` of the repository. */
export const FIXTURES = join(repoRoot(), 'fixtures');
/** Real-world files beside the clone. */
export const WILD = join(repoRoot(), '..', 'shared', 'wild');

/** What a run of the CLI produced. */
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tfsave ...args` synchronously. */
export function tfsave(args: readonly string[], env: Record<string, string> = {}): RunResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd: repoRoot(), env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `tfsave ...args` without blocking the event loop (needed when the test serves HTTP itself). */
export function tfsaveAsync(args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: repoRoot() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tfsave-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Path of one of this package's Python scripts. */
export function pythonScript(name: string): string {
  return join(repoRoot(), 'packages/cli/test/python', name);
}

/**
 * Has `python/check_cli.py` check `cases` (written to `dir/cases.json`) in one Python run, and asserts
 * one passing result line per case and a zero exit status.
 */
export function assertPythonAgrees(dir: string, cases: readonly object[]): void {
  const file = join(dir, 'cases.json');
  writeFileSync(file, JSON.stringify({ cases }));
  const py = runPythonScript(pythonScript('check_cli.py'), [file]);
  const lines = py.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; ok: boolean; detail: string });
  assert.equal(lines.length, cases.length, py.stderr.slice(-2000));
  for (const l of lines) assert.ok(l.ok, `${l.id}: ${l.detail}`);
  assert.equal(py.status, 0);
}

/** Runs `tfsave ...args` inside this process (fast; for loops over many files). */
export async function tfsaveInProcess(args: readonly string[]): Promise<RunResult> {
  const { runCli } = await import('../src/cli.js');
  let stdout = '';
  let stderr = '';
  const status = await runCli(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t), stderrIsTTY: false, env: {} });
  return { status, stdout, stderr };
}
