/**
 * The three copy-paste snippets run as a user runs them (a child `node` process on
 * the Python-written fixtures), and Python TensorFlow / Keras confirms what they
 * print and write: the tensor values, the converted `.keras`, the signature.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot, runPythonScript } from '@tfsave/core/node';

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const fixtures = join(repoRoot(), 'fixtures', 'tutorial-tf-keras');
const tmp = mkdtempSync(join(tmpdir(), 'tfsave-snippets-'));
const KERNEL = 'layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE';

/** Runs `examples/dist/src/<script>.js args…` and returns its stdout (throws on a non-zero exit). */
function snippet(script: string, ...args: string[]): string {
  return execFileSync(process.execPath, [join(srcDir, `${script}.js`), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface PythonView {
  tensor: { dtype: string; shape: number[]; first: number[] };
  keras: { ok: boolean; error?: string; logits?: number[][]; iterations?: number | null };
  signature: { inputs: Record<string, [string, number[]]>; outputs: Record<string, [string, number[]]> };
}

let python: PythonView | undefined;
function pythonView(): PythonView {
  if (python) return python;
  snippet('h5-to-keras', join(fixtures, 'my_model.h5'), join(tmp, 'my_model.keras'));
  const cases = {
    tensor: { prefix: join(fixtures, 'training_1', 'cp.ckpt'), name: KERNEL },
    keras: { path: join(tmp, 'my_model.keras') },
    signature: { dir: join(fixtures, 'saved_model', 'my_model') },
  };
  writeFileSync(join(tmp, 'cases.json'), JSON.stringify(cases));
  const r = runPythonScript(join(repoRoot(), 'examples/python/check_snippets.py'), [join(tmp, 'cases.json'), join(tmp, 'out.json')]);
  assert.ok(r.ok, `check_snippets.py failed (${r.status}):\n${r.stderr.slice(-3000)}`);
  python = JSON.parse(readFileSync(join(tmp, 'out.json'), 'utf8')) as PythonView;
  return python;
}

test('read-tensor lists a checkpoint and prints one tensor with the values TensorFlow reads', () => {
  const prefix = join(fixtures, 'training_1', 'cp.ckpt');
  const list = snippet('read-tensor', prefix);
  assert.match(list, /^layer_with_weights-0\/kernel\/\.ATTRIBUTES\/VARIABLE_VALUE {2}float32 {2}\[784, 512\]$/m);
  assert.match(list, /^optimizer\/_iterations\/\.ATTRIBUTES\/VARIABLE_VALUE {2}int64 {2}\[\]$/m);
  const one = snippet('read-tensor', prefix, KERNEL);
  assert.match(one, /: float32 \[784, 512\], 401408 values/);
  const first = /first values: (.*)$/m.exec(one)![1]!.split(', ').map(Number);
  const py = pythonView().tensor;
  assert.equal(py.dtype, 'float32');
  assert.deepEqual(py.shape, [784, 512]);
  assert.deepEqual(first, py.first.map((v) => Math.fround(v)));
});

test('read-tensor exits non-zero with a FormatError for a missing tensor', () => {
  assert.throws(() => snippet('read-tensor', join(fixtures, 'training_1', 'cp.ckpt'), 'no/such/tensor'), /no\/such\/tensor/);
});

test('h5-to-keras converts the tutorial my_model.h5 to a .keras that Keras 3 loads with the same predictions and optimizer step', () => {
  const view = pythonView().keras;
  assert.ok(view.ok, view.error);
  const rec = (JSON.parse(readFileSync(join(fixtures, 'outputs.json'), 'utf8')) as { models: Record<string, { data: number[] }> }).models['my_model.h5']!;
  const got = view.logits!.flat();
  assert.equal(got.length, rec.data.length);
  const diff = Math.max(...got.map((v, i) => Math.abs(v - rec.data[i]!)));
  assert.ok(diff < 1e-4, `max |Keras 3 - tf_keras| = ${diff}`);
  assert.ok((view.iterations ?? 0) > 0, 'optimizer state carried over');
});

test("saved-model-signature prints the serving signature TensorFlow sees (names, dtypes, shapes)", () => {
  const out = snippet('saved-model-signature', join(fixtures, 'saved_model', 'my_model'));
  assert.match(out, /signature 'serving_default' \(tensorflow\/serving\/predict\)/);
  const sig = pythonView().signature;
  for (const [kind, map] of [['input ', sig.inputs], ['output', sig.outputs]] as const) {
    for (const [key, [dtype, shape]] of Object.entries(map)) {
      assert.ok(out.includes(`  ${kind} ${key}: ${dtype} shape [${shape.join(', ')}]`), `${kind} ${key} ${dtype} [${shape}] in:\n${out}`);
    }
  }
  assert.equal(Object.keys(sig.inputs).length, 1);
});
