/**
 * saved-model benchmark: open and list the tutorial SavedModel (tags, signatures, concrete functions
 * via `formatShowAll`, and the `variables/` entries) with tfsave, against `tf.saved_model.load` and
 * tf_keras `load_model` of the same directory in the same run (`bench/python/saved_model_bench.py`,
 * imports excluded). tfsave: median of 21 runs after one warm-up; Python: median of 3.
 * `node bench/dist/src/saved-model.js [dir]`. The last line printed is one JSON object.
 */
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { formatShowAll } from '@tfsave/saved-model';
import { readSavedModelDir } from '@tfsave/saved-model/node';

const RUNS = 21;
const PY_REPEATS = 3;
const dir = process.argv[2] ?? join(repoRoot(), 'fixtures/tutorial-tf-keras/saved_model/my_model');

async function openAndList(): Promise<number> {
  const model = await readSavedModelDir(dir);
  const text = formatShowAll(model);
  const bundle = await model.variables();
  const entries = bundle.entries().length;
  await bundle.close();
  return text.length + entries;
}

const round = (s: number) => Math.round(s * 1e5) / 1e5;
const ratio = (python: number, ours: number) => Math.round((python / ours) * 10) / 10;

async function main(): Promise<void> {
  await openAndList();
  const ts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await openAndList();
    ts.push((performance.now() - t0) / 1000);
  }
  const ours = ts.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  const py = runPythonScript(join(repoRoot(), 'bench/python/saved_model_bench.py'), [dir, String(PY_REPEATS)], 600_000);
  if (!py.ok) throw new Error(`python failed: ${py.stderr.slice(-2000)}`);
  const p = JSON.parse(py.stdout.trim().split('\n').pop()!) as Record<string, number>;
  const result = {
    bench: 'saved-model', dir, runs: RUNS, python_repeats: PY_REPEATS,
    tfsave: { open_and_list_s: round(ours) },
    python: { tf_saved_model_load_s: round(p['tf_saved_model_load_s']!), tf_keras_load_model_s: round(p['tf_keras_load_model_s']!) },
    ratios: { tf_saved_model_load_vs_ours: ratio(p['tf_saved_model_load_s']!, ours), tf_keras_load_model_vs_ours: ratio(p['tf_keras_load_model_s']!, ours) },
  };
  console.log(JSON.stringify(result));
}

await main();
