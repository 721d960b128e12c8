/**
 * keras-h5 benchmark: write and read the tutorial model (legacy .h5 and .keras) and a ~512 MiB
 * Keras 3 `.weights.h5` with tfsave, against h5py, tf_keras and Keras 3 on the same machine in the
 * same run (`bench/python/h5_bench.py`). Median of 3 runs each; file IO included on both sides. Python
 * does not fsync, so the compared writes are plain `writeFile`; `big_write_durable_s` adds the atomic,
 * fsynced write `saveKerasModelFile` does. Reads are timed two ways: from bytes already read whole
 * (`readFile` + `loadKerasModel(bytes)`, what a browser does) and by path (`loadKerasModelFile`, positional
 * reads on one descriptor); the peak RSS of a fresh process doing each big read is recorded too.
 * `node bench/dist/src/h5.js [--quick]` (quick: 64 MiB). The last line printed is one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, runPythonScript, writeFileAtomic } from '@tfsave/core/node';
import { h5Ready, loadKerasModel, saveKerasModel } from '@tfsave/keras-h5';
import { loadKerasModelFile } from '@tfsave/keras-h5/node';
import type { KerasModelDesc } from '@tfsave/keras-h5';

const quick = process.argv.includes('--quick');
const UNITS = 2048;
const LAYERS = quick ? 4 : 32;
const REPEATS = 3;

async function median(fn: () => Promise<unknown>): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await fn();
    ts.push((performance.now() - t0) / 1000);
  }
  return ts.sort((a, b) => a - b)[Math.floor(REPEATS / 2)]!;
}

function bigModel(): KerasModelDesc {
  const dense = Array.from({ length: LAYERS }, (_, i) => ({ class_name: 'Dense', config: { name: i === 0 ? 'dense' : `dense_${i}`, units: UNITS, activation: 'linear', use_bias: true } }));
  let s = 1;
  const kernel = () => Float32Array.from({ length: UNITS * UNITS }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5);
  return {
    modelConfig: { module: 'keras', class_name: 'Sequential', config: { name: 'sequential', layers: [{ class_name: 'InputLayer', config: { name: 'input', batch_shape: [null, UNITS] } }, ...dense] } },
    kerasVersion: '3.15.1',
    layers: dense.map((d) => ({ name: d.config.name, weights: [
      { name: 'kernel', dtype: 'float32' as const, shape: [UNITS, UNITS], data: kernel() },
      { name: 'bias', dtype: 'float32' as const, shape: [UNITS], data: new Float32Array(UNITS) },
    ] })),
  };
}

/** `--peak <none|bytes|file> <path>`: one read in this fresh process, then its peak RSS in MiB. */
async function peakChild(mode: string, path: string): Promise<void> {
  await h5Ready();
  if (mode === 'bytes') await loadKerasModel(new Uint8Array(await readFile(path)));
  else if (mode === 'file') await loadKerasModelFile(path);
  // VmHWM is this process's own high-water mark; ru_maxrss on Linux keeps the parent's across fork + exec.
  const hwm = /VmHWM:\s+(\d+) kB/.exec(existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '');
  console.log(JSON.stringify({ max_rss_mib: Math.round(Number(hwm?.[1] ?? process.resourceUsage().maxRSS) / 1024) }));
}

function peakRss(mode: string, path: string): number {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--peak', mode, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`peak child failed: ${r.stderr.slice(-2000)}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { max_rss_mib: number }).max_rss_mib;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const ratio = (theirs: number, ours: number) => Math.round((theirs / ours) * 100) / 100;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tfsave-bench-h5-'));
  try {
    const tutorialPath = join(repoRoot(), 'fixtures/tutorial-tf-keras/my_model.h5');
    const tutorial = (await loadKerasModel(new Uint8Array(await readFile(tutorialPath)))).model;
    const k3 = (await loadKerasModel(new Uint8Array(await readFile(join(repoRoot(), 'fixtures/keras3/m.keras'))))).model;
    const big = bigModel();
    const bigPath = join(dir, 'ours_big.weights.h5');
    const ours = {
      save_h5_s: await median(async () => writeFile(join(dir, 'ours.h5'), await saveKerasModel(tutorial, { format: 'h5' }))),
      load_h5_s: await median(async () => loadKerasModel(new Uint8Array(await readFile(join(dir, 'ours.h5'))))),
      load_h5_file_s: await median(async () => loadKerasModelFile(join(dir, 'ours.h5'))),
      save_keras_s: await median(async () => writeFile(join(dir, 'ours.keras'), await saveKerasModel(k3, { format: 'keras' }))),
      load_keras_s: await median(async () => loadKerasModel(new Uint8Array(await readFile(join(dir, 'ours.keras'))))),
      load_keras_file_s: await median(async () => loadKerasModelFile(join(dir, 'ours.keras'))),
      big_write_s: await median(async () => writeFile(bigPath, await saveKerasModel(big, { format: 'weights.h5' }))),
      big_write_durable_s: await median(async () => writeFileAtomic(join(dir, 'durable.weights.h5'), await saveKerasModel(big, { format: 'weights.h5' }))),
      big_read_s: await median(async () => loadKerasModel(new Uint8Array(await readFile(bigPath)))),
      big_read_file_s: await median(async () => loadKerasModelFile(bigPath)),
    };
    const peak = { baseline: peakRss('none', bigPath), big_read_bytes: peakRss('bytes', bigPath), big_read_file: peakRss('file', bigPath) };
    const bigBytes = statSync(bigPath).size;
    const py = runPythonScript(join(repoRoot(), 'bench/python/h5_bench.py'), [dir, String(LAYERS), String(UNITS), tutorialPath, String(REPEATS)], 1_800_000);
    if (!py.ok) throw new Error(`python failed: ${py.stderr.slice(-2000)}`);
    const p = JSON.parse(py.stdout.trim().split('\n').pop()!) as Record<string, number>;
    const result = {
      bench: 'keras-h5', quick, repeats: REPEATS, big_mib: Math.round(bigBytes / 2 ** 20),
      tfsave: Object.fromEntries(Object.entries(ours).map(([k, v]) => [k, round(v)])),
      peak_rss_mib: peak,
      python: Object.fromEntries(Object.entries(p).map(([k, v]) => [k, k.endsWith('_s') ? round(v) : v])),
      ratios: {
        tutorial_h5_save_vs_tf_keras: ratio(p['tf_keras_save_h5_s']!, ours.save_h5_s),
        tutorial_h5_load_vs_tf_keras: ratio(p['tf_keras_load_h5_s']!, ours.load_h5_s),
        tutorial_keras_save_vs_keras3: ratio(p['keras3_save_keras_s']!, ours.save_keras_s),
        tutorial_keras_load_vs_keras3: ratio(p['keras3_load_keras_s']!, ours.load_keras_s),
        big_write_vs_h5py: ratio(p['h5py_write_s']!, ours.big_write_s),
        big_read_vs_h5py: ratio(p['h5py_read_s']!, ours.big_read_s),
        big_read_file_vs_h5py: ratio(p['h5py_read_s']!, ours.big_read_file_s),
        big_write_vs_keras3_save_weights: ratio(p['keras3_save_weights_s']!, ours.big_write_s),
        big_read_vs_keras3_load_weights: ratio(p['keras3_load_weights_s']!, ours.big_read_s),
        big_read_file_vs_keras3_load_weights: ratio(p['keras3_load_weights_s']!, ours.big_read_file_s),
      },
    };
    console.log(`tfsave ${JSON.stringify(result.tfsave)} peak RSS MiB ${JSON.stringify(peak)}`);
    console.log(`python ${JSON.stringify(result.python)}`);
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--peak') await peakChild(process.argv[3]!, process.argv[4]!);
else await main();
