import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { repoRoot } from '@tfsave/core/node';
import { isFormatError } from '@tfsave/core';
import { loadKerasModelFile, listKerasDatasetsFile } from '../src/node/index.js';
import { loadKerasModel, saveKerasModel, summarizeModel, sniffContainer, toKeras2, toKeras3, detectDialect, parseShardIndex } from '../src/index.js';
import type { KerasModelDesc, KerasFormat, JsonObject } from '../src/index.js';

const root = repoRoot();
const wild = join(root, '..', 'shared', 'wild');

const WILD: [string, KerasFormat, number, number][] = [
  ['c_hdf5/churn_keras2.15/model.h5', 'h5', 2945, 13],
  ['c_hdf5/churn_keras3.5_legacy_h5/model.h5', 'h5', 2945, 14],
  ['c_hdf5/genomic_gaps/best_weights_cnn_200.hdf5', 'h5', 110868, 38],
  ['c_hdf5/keras2cpp_keras1/my_nn_weights.h5', 'weights-h5-legacy', 4968, 0],
  ['d_keras3/churn_weights_h5_tf2.15/model.weights.h5', 'weights.h5', 2945, 14],
  ['d_keras3/diabetes_keras3.5/model.keras', 'keras', 9729, 21],
  ['d_keras3/hitsong_keras2.14_posix/model.keras', 'keras', 751, 13],
  ['d_keras3/obesity_keras3.7_pair/model.h5', 'h5', 41607, 2],
  ['d_keras3/obesity_keras3.7_pair/model.keras', 'keras', 41607, 2],
];

test('real files from Keras 1.1 to 3.7 load with their weights mapped to layers', async () => {
  for (const [rel, format, params, optVars] of WILD) {
    const r = await loadKerasModelFile(join(wild, rel));
    assert.equal(r.format, format, rel);
    assert.equal(summarizeModel(r.model).totalParams, params, rel);
    assert.equal(r.model.optimizer?.weights.length ?? 0, optVars, rel);
  }
});

test('the h5 and .keras of the same Keras 3.7 model give identical layer weights', async () => {
  const a = await loadKerasModelFile(join(wild, 'd_keras3/obesity_keras3.7_pair/model.h5'));
  const b = await loadKerasModelFile(join(wild, 'd_keras3/obesity_keras3.7_pair/model.keras'));
  const flat = (m: KerasModelDesc) => m.layers.filter((l) => l.weights.length > 0).map((l) => [l.name, l.weights.map((w) => [...w.data])]);
  assert.deepEqual(flat(a.model), flat(b.model));
});

test('a Lambda layer is refused by default, naming the class and the option', async () => {
  const f = join(wild, 'c_hdf5/carnd_keras2.0.4/model.h5');
  await assert.rejects(loadKerasModelFile(f), (e: unknown) => isFormatError(e) && e.kind === 'unsafe' && /Lambda/.test(e.message) && /allowLambda/.test(e.message));
  const ok = await loadKerasModelFile(f, { allowLambda: true });
  assert.equal(summarizeModel(ok.model).totalParams, 140703);
});

test('inspect lists .keras datasets prefixed by the zip member', async () => {
  const l = await listKerasDatasetsFile(join(root, 'fixtures/keras3/m.keras'));
  assert.equal(l.format, 'keras-zip');
  assert.ok(l.entries.some((e) => e.name === 'model.weights.h5:/layers/dense/vars/0' && e.dtype === 'float32'));
  const h = await listKerasDatasetsFile(join(wild, 'c_hdf5/churn_keras2.15/model.h5'));
  assert.equal(h.format, 'hdf5');
  assert.ok(h.entries.some((e) => e.name === '/model_weights/dense/dense/kernel:0'));
});

test('the format comes from content, not the name', () => {
  assert.equal(sniffContainer(new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])), 'hdf5');
  assert.equal(sniffContainer(new Uint8Array([0x50, 0x4b, 3, 4])), 'keras-zip');
  assert.equal(sniffContainer(new Uint8Array([1, 2, 3])), 'unknown');
});

test('Keras 2 and Keras 3 dialects convert both ways', () => {
  const k2: JsonObject = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'd', units: 2, dtype: 'float32', batch_input_shape: [null, 3] } }] } };
  const k3 = toKeras3(k2);
  assert.equal(detectDialect(k2), 'keras2');
  assert.equal(detectDialect(k3), 'keras3');
  const layers = (k3['config'] as JsonObject)['layers'] as JsonObject[];
  assert.equal(layers[0]!['class_name'], 'InputLayer');
  assert.deepEqual((layers[0]!['config'] as JsonObject)['batch_shape'], [null, 3]);
  const back = toKeras2(k3);
  assert.equal(((back['config'] as JsonObject)['layers'] as JsonObject[])[1]!['config'] !== undefined, true);
  assert.equal((((back['config'] as JsonObject)['layers'] as JsonObject[])[1]!['config'] as JsonObject)['dtype'], 'float32');
});

function denseModel(sizes: number[], seed: number): KerasModelDesc {
  const layers = sizes.slice(1).map((units, i) => ({ class_name: 'Dense', config: { name: `dense_${i}`, units, activation: 'linear', use_bias: true, dtype: 'float32' } }));
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  return {
    modelConfig: { class_name: 'Sequential', config: { name: 'sequential', layers: [{ class_name: 'InputLayer', config: { name: 'input', batch_input_shape: [null, sizes[0]!], dtype: 'float32' } }, ...layers] } },
    kerasVersion: '2.21.0',
    layers: sizes.slice(1).map((units, i) => ({
      name: `dense_${i}`,
      weights: [
        { name: 'kernel', dtype: 'float32' as const, shape: [sizes[i]!, units], data: Float32Array.from({ length: sizes[i]! * units }, rnd) },
        { name: 'bias', dtype: 'float32' as const, shape: [units], data: Float32Array.from({ length: units }, rnd) },
      ],
    })),
    optimizer: { weights: [{ name: 'iteration', dtype: 'int64', shape: [], data: BigInt64Array.from([BigInt(seed)]) }] },
  };
}

test('random models round-trip through every layout', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 }), fc.nat(1000), fc.constantFrom<KerasFormat>('h5', 'weights-h5-legacy', 'weights.h5', 'keras'), async (sizes, seed, format) => {
    const m = denseModel(sizes, seed);
    const back = (await loadKerasModel(await saveKerasModel(m, { format }))).model;
    const weighted = back.layers.filter((l) => l.weights.length > 0);
    assert.deepEqual(weighted.map((l) => l.name), m.layers.map((l) => l.name));
    weighted.forEach((l, i) => l.weights.forEach((w, j) => {
      const want = m.layers[i]!.weights[j]!;
      if (format !== 'weights.h5') assert.equal(w.name, want.name);
      assert.deepEqual([...w.shape], [...want.shape]);
      assert.deepEqual([...w.data], [...want.data]);
    }));
    if (format !== 'weights-h5-legacy') assert.equal(back.optimizer?.weights[0]?.data[0], BigInt(seed));
  }), { numRuns: 24 });
});

test('truncations and bit flips of real files give a value or a FormatError', async () => {
  const files = [join(wild, 'c_hdf5/churn_keras2.15/model.h5'), join(wild, 'd_keras3/hitsong_keras2.14_posix/model.keras'), join(root, 'fixtures/custom/k3_custom_model.keras'), join(root, 'fixtures/custom/k3_cnn.weights.h5')];
  for (const f of files) assert.ok(existsSync(f), `${f} missing`);
  const { readFileSync } = await import('node:fs');
  for (const f of files) {
    const bytes = new Uint8Array(readFileSync(f));
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 1 }), fc.integer({ min: 0, max: 7 }), fc.boolean(), async (pos, bit, truncate) => {
      const b = truncate ? bytes.slice(0, pos) : bytes.slice();
      if (!truncate) b[pos]! ^= 1 << bit;
      try { await loadKerasModel(b, { allowLambda: true, allowUnknownClasses: true }); } catch (e) { assert.ok(isFormatError(e), `${f} @${pos}: ${String(e)}`); }
    }), { numRuns: 30 });
  }
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.string(), (junk, text) => {
    for (const b of [junk, new TextEncoder().encode(`{"weight_map": ${text}}`)]) {
      try { parseShardIndex(b); } catch (e) { assert.ok(isFormatError(e), String(e)); }
    }
  }), { numRuns: 200 });
  const again = await loadKerasModelFile(join(wild, 'c_hdf5/churn_keras2.15/model.h5'));
  assert.equal(summarizeModel(again.model).totalParams, 2945);
});
