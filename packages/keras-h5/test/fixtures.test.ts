import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { loadKerasModelFile, listKerasDatasetsFile } from '../src/node/index.js';
import { CustomObjectRegistry, summarizeModel } from '../src/index.js';
import type { JsonObject, LoadedKerasFile } from '../src/index.js';

const root = repoRoot();
const fixtures = join(root, 'fixtures');

interface ManifestTensor { name: string; dtype: string; shape: number[]; sha256: string }
interface Manifest { cases: Record<string, { tensors: Record<string, { kind: string; tensors: ManifestTensor[] }> }> }

const manifest = JSON.parse(readFileSync(join(fixtures, 'MANIFEST.json'), 'utf8')) as Manifest;
const kerasFiles = Object.entries(manifest.cases).flatMap(([c, v]) =>
  Object.entries(v.tensors).filter(([, t]) => t.kind === 'h5' || t.kind === 'keras-zip').map(([f, t]) => ({ path: join(fixtures, c, f), rel: `${c}/${f}`, ...t })));

/** The custom classes of fixtures/custom, registered the way their Python generator did (`tfsave>Name`). */
function fixtureRegistry(): CustomObjectRegistry {
  const reg = new CustomObjectRegistry();
  for (const name of ['ScaledDense', 'TinyResidual']) reg.register<JsonObject>(name, { getConfig: (o) => o, fromConfig: (c) => c }, 'tfsave');
  return reg;
}

/** Keras layouts the tests rely on; each must be in the manifest. */
const REQUIRED = [
  'tutorial-tf-keras/my_model.h5', 'tutorial-tf-keras/w.h5', 'keras3/m.keras', 'keras3/m.weights.h5', 'keras3/legacy.h5',
  'keras3/ckpt/model.keras', 'keras3/ckpt/weights-01.weights.h5', 'custom/k3_cnn.keras', 'custom/k3_cnn.weights.h5', 'custom/tfk_cnn.h5',
  'custom/k3_custom_layer.keras', 'custom/tfk_custom_layer.h5', 'custom/k3_custom_model.keras', 'custom/tfk_custom_model.weights.h5',
  'custom/k3_two_inputs.keras', 'custom/tfk_two_inputs.h5',
];

/** Parameter count implied by the manifest: every stored model variable (optimizer and metric state excluded). */
function manifestParams(tensors: readonly ManifestTensor[]): number {
  return tensors.filter((t) => !/(^|[/:])(optimizer|optimizer_weights|metrics)\//.test(t.name)).reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
}

test('the fixture set has every Keras layout the tests rely on', () => {
  for (const rel of REQUIRED) assert.ok(kerasFiles.some((f) => f.rel === rel), `fixture ${rel} missing from fixtures/MANIFEST.json`);
});

test('every HDF5 and .keras fixture lists the datasets of the manifest with identical sha256, dtype and shape', async () => {
  for (const f of kerasFiles) {
    const listing = await listKerasDatasetsFile(f.path);
    assert.equal(listing.format, f.kind === 'h5' ? 'hdf5' : 'keras-zip', f.rel);
    const ours = new Map(listing.entries.map((e) => [e.name, e]));
    assert.equal(ours.size, f.tensors.length, `${f.rel}: dataset count`);
    for (const t of f.tensors) {
      const e = ours.get(t.name);
      assert.ok(e !== undefined, `${f.rel}: ${t.name} not listed`);
      assert.equal(e.sha256, t.sha256, `${f.rel}:${t.name}`);
      assert.equal(e.dtype, t.dtype, `${f.rel}:${t.name}`);
      assert.deepEqual([...e.shape], t.shape, `${f.rel}:${t.name}`);
    }
  }
});

test('every fixture loads with weights mapped to its layers; custom classes need the registry', async () => {
  const registry = fixtureRegistry();
  for (const f of kerasFiles) {
    const r = await loadKerasModelFile(f.path, { registry });
    assert.equal(summarizeModel(r.model).totalParams, manifestParams(f.tensors), f.rel);
    const builtIn = r.model.modelConfig !== undefined && !/custom/.test(f.rel);
    if (builtIn) for (const l of r.model.layers) for (const w of l.weights) assert.ok(!/^var_\d+$/.test(w.name), `${f.rel}: ${l.name}/${w.name} has no Keras weight name`);
  }
  for (const rel of ['custom/k3_custom_layer.keras', 'custom/tfk_custom_layer.h5', 'custom/k3_custom_model.keras']) {
    await assert.rejects(loadKerasModelFile(join(fixtures, rel)), /ScaledDense|TinyResidual/, rel);
  }
});

test('configs, layer names and optimizer weight names match what h5py and zipfile see', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keras-h5-fixtures-'));
  const spec = join(dir, 'files.json');
  writeFileSync(spec, JSON.stringify(kerasFiles.map((f) => f.path)));
  const r = runPythonScript(join(root, 'packages/keras-h5/test/python/fixture_configs.py'), [spec]);
  assert.equal(r.ok, true, r.stderr.slice(-2000));
  const py = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, {
    model_config: JsonObject | null; training_config: JsonObject | null; layer_names: string[] | null; optimizer_weight_names: string[] | null; metadata?: JsonObject;
  }>;
  const registry = fixtureRegistry();
  for (const f of kerasFiles) {
    const v = py[f.path];
    assert.ok(v !== undefined, f.rel);
    const r: LoadedKerasFile = await loadKerasModelFile(f.path, { registry });
    if (f.kind === 'keras-zip') {
      const { compile_config: _c, ...rest } = v.model_config ?? {};
      const ours = { ...r.model.modelConfig };
      delete ours['compile_config'];
      assert.deepEqual(ours, rest, f.rel);
      assert.deepEqual(r.metadata, v.metadata, f.rel);
    } else {
      assert.deepEqual(r.model.modelConfig ?? null, v.model_config, f.rel);
      assert.deepEqual(r.model.trainingConfig ?? null, v.training_config, f.rel);
      if (v.layer_names !== null) assert.deepEqual(r.model.layers.map((l) => l.name), v.layer_names, f.rel);
      if (v.optimizer_weight_names !== null) assert.deepEqual(r.model.optimizer?.weights.map((w) => w.name), v.optimizer_weight_names.map((n) => n.replace(/:\d+$/, '')), f.rel);
    }
  }
});
