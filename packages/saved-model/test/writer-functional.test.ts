import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { buildSavedModel, modelConfig, parseSavedModel, encodeSavedModel, type LayerSpec, type ModelSpec } from '../src/index.js';
import { writeSavedModelDir } from '../src/node/index.js';

let seed = 11;
const rnd = (n: number, scale = 0.5) => Float32Array.from({ length: n }, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 2 * scale);
const w = (name: string, shape: number[], scale = 0.5) => ({ name, shape, data: rnd(shape.reduce((a, b) => a * b, 1), scale) });
const dense = (name: string, inp: number, units: number, activation: string, inbound: string[]): LayerSpec =>
  ({ class_name: 'Dense', config: { name, units, activation }, weights: [w('kernel', [inp, units]), w('bias', [units], 0.1)], inbound });

const MODELS: Record<string, ModelSpec> = {
  // Two inputs (one int64), a shared concatenation, two heads: the "two-input functional" shape of the fixtures.
  two_in_two_out: {
    inputShape: [], inputs: [{ name: 'image', shape: [6] }, { name: 'meta', shape: [3], dtype: 'int64' }],
    layers: [
      dense('img_dense', 6, 4, 'relu', ['image']),
      dense('meta_dense', 3, 4, 'tanh', ['meta']),
      { class_name: 'Concatenate', config: { name: 'concat', axis: -1 }, inbound: ['img_dense', 'meta_dense'] },
      dense('class_out', 8, 3, 'softmax', ['concat']),
      dense('score', 8, 1, 'linear', ['concat']),
    ],
    outputs: ['score', 'class_out'],
  },
  // Residual-style merges: Add, Subtract, Multiply, Average, Maximum, Minimum.
  merges: {
    inputShape: [], inputs: [{ name: 'a', shape: [5] }, { name: 'b', shape: [5] }],
    layers: [
      dense('da', 5, 5, 'relu', ['a']),
      { class_name: 'Add', config: { name: 'add' }, inbound: ['da', 'b', 'a'] },
      { class_name: 'Subtract', config: { name: 'sub' }, inbound: ['add', 'b'] },
      { class_name: 'Multiply', config: { name: 'mul' }, inbound: ['sub', 'da'] },
      { class_name: 'Average', config: { name: 'avg' }, inbound: ['mul', 'a'] },
      { class_name: 'Maximum', config: { name: 'max' }, inbound: ['avg', 'b'] },
      { class_name: 'Minimum', config: { name: 'min' }, inbound: ['max', 'da'] },
      dense('out', 5, 2, 'sigmoid', ['min']),
    ],
    outputs: ['out'],
  },
};

test('functional models (several inputs and outputs, merge layers) load in tf.saved_model.load, the TF1 Session loader and tf_keras load_model, within 1e-5', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tfsave-sm-fn-'));
  try {
    const batch = 4;
    const cases = [];
    for (const [name, spec] of Object.entries(MODELS)) {
      const dir = join(root, name);
      await writeSavedModelDir(dir, spec);
      cases.push({
        name, dir, model_config: modelConfig(spec, 'unused'), outputs: spec.outputs,
        weights: Object.fromEntries(spec.layers.filter((l) => (l.weights ?? []).length > 0).map((l) => [String(l.config['name']), l.weights!.map((x) => [Array.from(x.data), x.shape])])),
        inputs: Object.fromEntries(spec.inputs!.map((i) => {
          const n = batch * i.shape.reduce((a, b) => a * b, 1);
          const x = Array.from(rnd(n, 1)).map((v) => (i.dtype === 'int64' ? Math.round(v * 4) : v));
          return [i.name, { x, shape: [batch, ...i.shape], dtype: i.dtype ?? 'float32' }];
        })),
      });
    }
    writeFileSync(join(root, 'cases.json'), JSON.stringify({ cases }));
    const r = runPythonScript(join(repoRoot(), 'packages/saved-model/test/python/check_functional.py'), [join(root, 'cases.json')]);
    assert.ok(r.ok, r.stderr);
    const results = JSON.parse(r.stdout.trim().split('\n').pop()!) as Array<Record<string, unknown>>;
    for (const [name, spec] of Object.entries(MODELS)) {
      const res = results.find((x) => x['name'] === name)!;
      assert.equal(res['error'], undefined, `${name}: ${String(res['error'])}`);
      const tol = 1e-5 * Math.max(1, res['max_abs_ref'] as number);
      assert.deepEqual(res['input_keys'], spec.inputs!.map((i) => i.name).sort(), name);
      assert.deepEqual(res['input_dtypes'], Object.fromEntries(spec.inputs!.map((i) => [i.name, i.dtype ?? 'float32'])), name);
      assert.deepEqual(res['output_keys'], [...spec.outputs!].sort(), name);
      for (const k of ['max_abs_diff', 'tf1_max_abs_diff', 'keras_max_abs_diff']) assert.ok((res[k] as number) <= tol, `${name}: ${k} ${String(res[k])} > ${tol}`);
      assert.equal(res['keras_class'], 'Functional', name);
      assert.deepEqual(res['keras_inputs'], spec.inputs!.map((i) => i.name), name);
      assert.deepEqual(res['keras_outputs'], spec.outputs, name);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('functional signatures list every input and output in key order; the constants graph wires them too', () => {
  const m = parseSavedModel(encodeSavedModel(buildSavedModel(MODELS['two_in_two_out']!).savedModel));
  const sig = m.metaGraphs[0]!.signatures.find((s) => s.key === 'serving_default')!;
  assert.deepEqual(Object.keys(sig.inputs).sort(), ['image', 'meta']);
  assert.equal(sig.inputs['meta']!.dtype, 'int64');
  assert.deepEqual(sig.outputs['class_out'], { ...sig.outputs['class_out']!, name: 'StatefulPartitionedCall:0', shape: [-1, 3] });
  assert.deepEqual(sig.outputs['score']!.name, 'StatefulPartitionedCall:1');
  const c = parseSavedModel(encodeSavedModel(buildSavedModel({ ...MODELS['two_in_two_out']!, weightStorage: 'constants' }).savedModel));
  assert.deepEqual(Object.keys(c.metaGraphs[0]!.signatures[0]!.outputs).sort(), ['class_out', 'score']);
});

test('a functional wiring that names a missing tensor, or a merge of mismatched shapes, is a FormatError naming the layer', () => {
  const base = MODELS['merges']!;
  assert.throws(() => buildSavedModel({ ...base, layers: [dense('d', 5, 5, 'relu', ['nope'])], outputs: ['d'] }), /layer d: inbound 'nope'/);
  assert.throws(() => buildSavedModel({ ...base, layers: [dense('d', 5, 3, 'relu', ['a']), { class_name: 'Add', config: { name: 'bad_add' }, inbound: ['d', 'b'] }], outputs: ['bad_add'] }), /layer bad_add: Add of shapes/);
  assert.throws(() => buildSavedModel({ ...base, outputs: ['missing'] }), /output 'missing'/);
  assert.throws(() => buildSavedModel({ ...base, layers: [{ class_name: 'Dense', config: { name: 'two' }, weights: [w('kernel', [5, 1])], inbound: ['a', 'b'] }], outputs: ['two'] }), /layer two: Dense takes one input/);
});
