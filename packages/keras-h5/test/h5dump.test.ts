/**
 * Files we write open in the HDF5 reference tool: `h5dump` (Debian's
 * hdf5-tools, installed by .ci/run) dumps each layout we write without error,
 * and its dump names the datasets and attributes Keras reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { repoRoot } from '@tfsave/core/node';
import { loadKerasModel, saveKerasModel, type KerasFormat } from '../src/index.js';

const fixtures = join(repoRoot(), 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'tfsave-h5dump-'));

function h5dump(args: string[], file: string): string {
  const r = spawnSync('h5dump', [...args, file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error !== undefined) assert.fail(`h5dump is not installed (apt-get install hdf5-tools; .ci/run does it): ${r.error.message}`);
  assert.equal(r.status, 0, `h5dump ${args.join(' ')} ${file} failed:\n${r.stderr}`);
  return r.stdout;
}

const cases: Array<[string, KerasFormat, RegExp[]]> = [
  ['tutorial-tf-keras/my_model.h5', 'h5', [/ATTRIBUTE "model_config"/, /ATTRIBUTE "training_config"/, /GROUP "model_weights"/, /DATASET "kernel:0"/, /GROUP "optimizer_weights"/, /ATTRIBUTE "layer_names"/]],
  ['tutorial-tf-keras/my_model.h5', 'weights-h5-legacy', [/ATTRIBUTE "layer_names"/, /ATTRIBUTE "weight_names"/, /DATASET "bias:0"/]],
  ['keras3/m.keras', 'weights.h5', [/GROUP "layers"/, /GROUP "vars"/, /DATASET "0"/, /GROUP "optimizer"/]],
];

for (const [rel, format, expect] of cases) {
  test(`h5dump reads the ${format} layout we write (from ${rel})`, async () => {
    const loaded = await loadKerasModel(new Uint8Array(readFileSync(join(fixtures, rel))));
    const path = join(dir, `${format}.h5`);
    writeFileSync(path, await saveKerasModel(loaded.model, { format }));
    const header = h5dump(['-H', '-A'], path);
    for (const re of expect) assert.match(header, re);
    h5dump([], path); // the full dump reads every dataset's values
  });
}

test('h5dump reads model.weights.h5 inside the .keras archive we write', async () => {
  const loaded = await loadKerasModel(new Uint8Array(readFileSync(join(fixtures, 'keras3/m.keras'))));
  const members = unzipSync(await saveKerasModel(loaded.model, { format: 'keras' }));
  const weights = members['model.weights.h5'];
  assert.ok(weights !== undefined, 'the archive has model.weights.h5');
  const path = join(dir, 'model.weights.h5');
  writeFileSync(path, weights);
  assert.match(h5dump(['-H'], path), /GROUP "layers"/);
  h5dump([], path);
});
