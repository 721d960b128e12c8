import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { formatShowAll, opsUsedByGraph, pyStr } from '../src/index.js';
import { readSavedModelDir, writeSavedModelDir } from '../src/node/index.js';

const WILD = join(repoRoot(), '..', 'shared', 'wild', 'b_savedmodel');
const DIRS = [
  join(repoRoot(), 'fixtures/tutorial-tf-keras/saved_model/my_model'),
  join(repoRoot(), 'fixtures/keras3/export_savedmodel'),
  join(WILD, 'house_rent_tf2.15'),
  join(WILD, 'tfserving/saved_model_half_plus_two_tf2_cpu/00000123'),
  join(WILD, 'tfserving/saved_model_half_plus_two_cpu/00000123'),
  join(WILD, 'tfjs_node/module_with_multiple_signatures'),
  join(WILD, 'tfjs_node/int64_multiply'),
  join(WILD, 'tfjs_node/model_multi_output'),
].filter((d) => existsSync(join(d, 'saved_model.pb')));

/** Whitespace collapsed, and the ops set (printed by Python in hash order) sorted. */
function normalize(text: string): string {
  return text
    .replace(/contains the following ops: \{([^}]*)\}/g, (_, ops: string) => `contains the following ops: {${ops.split(', ').sort().join(', ')}}`)
    .replace(/\s+/g, ' ')
    .trim();
}

test('formatShowAll prints what saved_model_cli show --all prints (signatures, ops, TF2 concrete functions) for TF-written and our SavedModels', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tfsave-sm-show-'));
  try {
    const ours = join(root, 'ours');
    await writeSavedModelDir(ours, {
      inputShape: [3], inputDtype: 'float32', inputName: 'x',
      layers: [{ class_name: 'Dense', config: { name: 'dense', units: 2, activation: 'relu' }, weights: [{ name: 'kernel', shape: [3, 2], data: new Float32Array(6) }, { name: 'bias', shape: [2], data: new Float32Array(2) }] }],
    });
    const dirs = [...DIRS, ours];
    assert.ok(dirs.length >= 5, `only ${dirs.length} SavedModels found`);
    const r = runPythonScript(join(repoRoot(), 'packages/saved-model/test/python/show_all.py'), dirs);
    assert.ok(r.ok, r.stderr);
    const cli = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, string>;
    let functions = 0;
    for (const d of dirs) {
      const theirs = cli[d]!;
      assert.ok(!theirs.startsWith('ERROR'), `${d}: ${theirs}`);
      const text = formatShowAll(await readSavedModelDir(d));
      assert.equal(normalize(text), normalize(theirs), d);
      functions += (theirs.match(/Function Name:/g) ?? []).length;
    }
    assert.ok(functions >= 3, 'the corpus lists concrete functions');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('ops are collected through call ops into reachable library functions only; Python reprs of strings', () => {
  const graph = {
    node: [{ name: 'a', op: 'Placeholder' }, { name: 'c', op: 'StatefulPartitionedCall', attr: { f: { func: { name: 'f1' } } } }],
    library: { function: [{ signature: { name: 'f1' }, node_def: [{ name: 'm', op: 'MatMul' }, { name: 'g', op: 'f2' }] }, { signature: { name: 'f2' }, node_def: [{ name: 'r', op: 'Relu' }] }, { signature: { name: 'unused' }, node_def: [{ name: 's', op: 'Sigmoid' }] }] },
  };
  assert.deepEqual(opsUsedByGraph(graph), ['MatMul', 'Placeholder', 'Relu', 'StatefulPartitionedCall']);
  assert.equal(pyStr("it's"), `"it's"`);
  assert.equal(pyStr('a\\b'), `'a\\\\b'`);
});

test('functions load callees first, ready ones from the end of the list, and are renamed with rising uids', async () => {
  const { functionLoadOrder, loadedFunctionNames } = await import('../src/index.js');
  const fn = (name: string, ...calls: string[]) => ({ signature: { name }, node_def: calls.map((op, i) => ({ name: `n${i}`, op })) });
  const library = {
    function: [
      fn('__inference_outer_50', '__inference_inner_7'),
      fn('__inference_inner_7'),
      fn('__inference_leaf_a_12'),
      { signature: { name: 'by_attr' }, node_def: [{ name: 'c', op: 'StatefulPartitionedCall', attr: { f: { func: { name: '__inference_leaf_a_12' } } } }] },
    ],
  };
  // ready at first: inner, leaf_a (no callees); popped from the end: leaf_a, then by_attr it frees, then inner, then outer
  assert.deepEqual(functionLoadOrder(library), ['__inference_leaf_a_12', 'by_attr', '__inference_inner_7', '__inference_outer_50']);
  const names = loadedFunctionNames(library);
  assert.equal(names.get('__inference_outer_50'), '__inference_outer_1000003');
  assert.equal(names.get('by_attr'), '__inference_by_attr_1000001');
});
