/**
 * Step 9: Python TensorFlow / Keras (the pinned environment of `tools/`) loads
 * every artifact and scores it on the same test split; the numbers are printed
 * beside ours and must match exactly (same count of correct predictions).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnedPython, repoRoot } from '@tfsave/core/node';
import type { Scored } from './tutorial-model.js';
import { ProgressLine, say } from './terminal.js';

/** How Python loads an artifact (see `examples/python/verify_tutorial.py`). */
export type VerifyKind = 'tfk_weights' | 'tfk_latest' | 'tfk_savedmodel' | 'tf_serving' | 'tfk_model' | 'k3_model' | 'k3_custom';

/** One artifact to verify, with our own score of the model we loaded from it. */
export interface VerifyCase {
  /** Artifact path relative to the output folder, as printed. */
  readonly artifact: string;
  /** Row label and result id when one artifact is checked twice (default: `artifact`). */
  readonly label?: string;
  readonly kind: VerifyKind;
  /** Absolute path (a file, checkpoint prefix or directory). */
  readonly path: string;
  readonly ours: Scored;
  /** Optimizer steps stored in the artifact, when it carries optimizer state. */
  readonly iterations?: number;
}

/** Python's answer for one case. */
export interface PythonResult {
  readonly id: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly loader?: string;
  readonly correct?: number;
  readonly total?: number;
  readonly max_abs_diff?: number;
  readonly latest?: string;
  readonly optimizer_iterations?: number | null;
}

/** The outcome of step 9. */
export interface VerifyOutcome {
  /** False when the pinned Python environment is missing (nothing was checked). */
  readonly ran: boolean;
  /** True when every artifact loaded in Python with the same number of correct predictions. */
  readonly passed: boolean;
  readonly results: readonly PythonResult[];
  readonly versions?: Record<string, string>;
}

/** Logits may differ by float noise between tfjs WASM and TF's CPU kernels, never more. */
export const LOGIT_TOLERANCE = 1e-3;

function pythonOrUndefined(): string | undefined {
  try {
    return pinnedPython();
  } catch {
    return undefined;
  }
}

function runAsync(python: string, args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const progress = new ProgressLine('  Python is loading the artifacts');
    const timer = setInterval(() => progress.update(), 200);
    const child = spawn(python, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', CUDA_VISIBLE_DEVICES: '-1', PYTHONHASHSEED: '0' },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('close', (status) => {
      clearInterval(timer);
      progress.done();
      resolve({ status, stderr });
    });
  });
}

const pct = (c: number | undefined, t: number | undefined): string =>
  c === undefined || !t ? '   -   ' : `${((100 * c) / t).toFixed(2).padStart(6)}%`;

function check(c: VerifyCase, r: PythonResult | undefined): string | undefined {
  if (!r) return 'no result';
  if (!r.ok) return r.error ?? 'failed';
  if (r.correct !== c.ours.correct) return `${r.correct} correct in Python, ${c.ours.correct} here`;
  if (r.max_abs_diff !== undefined && !(r.max_abs_diff <= LOGIT_TOLERANCE)) return `logits differ by ${r.max_abs_diff}`;
  if (c.kind === 'tfk_latest' && r.latest !== c.path) return `tf.train.latest_checkpoint gave ${r.latest}`;
  if (c.iterations !== undefined && r.optimizer_iterations !== undefined && r.optimizer_iterations !== null
    && r.optimizer_iterations !== c.iterations) return `optimizer at step ${r.optimizer_iterations}, ours ${c.iterations}`;
  return undefined;
}

/**
 * Runs `examples/python/verify_tutorial.py` on `cases` and prints ours and
 * Python's accuracy side by side. Prints how to enable it when the pinned
 * environment is missing.
 */
export async function verifyWithPython(cases: readonly VerifyCase[]): Promise<VerifyOutcome> {
  const python = pythonOrUndefined();
  if (python === undefined) {
    say('Python verification skipped: the pinned environment tools/.venv is missing.');
    say('Enable it with `npm run setup:python` (TensorFlow 2.21, tf_keras, Keras 3), then run the example again.');
    return { ran: false, passed: false, results: [] };
  }
  const tmp = mkdtempSync(join(tmpdir(), 'tfsave-verify-'));
  try {
    const list = cases.map((c, i) => {
      const logits = join(tmp, `logits-${i}.bin`);
      writeFileSync(logits, new Uint8Array(c.ours.logits.buffer, c.ours.logits.byteOffset, c.ours.logits.byteLength));
      const where = c.kind === 'tfk_latest' ? { dir: join(c.path, '..') } : { path: c.path };
      return { id: c.label ?? c.artifact, kind: c.kind, logits, ...where };
    });
    writeFileSync(join(tmp, 'cases.json'), JSON.stringify({ cases: list }));
    const script = join(repoRoot(), 'examples/python/verify_tutorial.py');
    const t0 = performance.now();
    const r = await runAsync(python, [script, join(tmp, 'cases.json'), join(tmp, 'out.json')]);
    if (r.status !== 0 || !existsSync(join(tmp, 'out.json'))) {
      say(`Python verification FAILED to run (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
      return { ran: true, passed: false, results: [] };
    }
    const out = JSON.parse(readFileSync(join(tmp, 'out.json'), 'utf8')) as { versions: Record<string, string>; results: PythonResult[] };
    const byId = new Map(out.results.map((x) => [x.id, x]));
    const v = out.versions;
    say(`Python: TensorFlow ${v['tensorflow']}, tf_keras ${v['tf_keras']}, Keras ${v['keras']}`);
    say(`${'artifact'.padEnd(30)} ${'loaded in Python by'.padEnd(22)} ${'ours'.padStart(7)}  ${'python'.padStart(7)}  max|Δlogit|`);
    let passed = true;
    for (const c of cases) {
      const r = byId.get(c.label ?? c.artifact);
      const problem = check(c, r);
      if (problem !== undefined) passed = false;
      const diff = r?.max_abs_diff === undefined ? '-' : r.max_abs_diff.toExponential(1);
      say(`${(c.label ?? c.artifact).padEnd(30)} ${(r?.loader ?? '-').padEnd(22)} ${pct(c.ours.correct, c.ours.total)}  ${pct(r?.correct, r?.total)}  ${diff.padEnd(8)} ${problem === undefined ? 'match' : `MISMATCH: ${problem}`}`);
    }
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    say(passed ? `Python verification passed: ${cases.length} checks, identical accuracy (${secs}s).` : `Python verification FAILED (${secs}s).`);
    return { ran: true, passed, results: out.results, versions: v };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
