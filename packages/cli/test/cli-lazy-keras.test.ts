/**
 * A local Keras file is read in place: `tfsave inspect big.h5` (and a big `.keras`) reads the file's
 * structure and the model config, not the 64 MiB of weights; reading the tensors (`--json` hashes every
 * one) is what reads their bytes. Reads are counted through the opener's injectable file reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveKerasModel, type KerasFormat, type KerasModelDesc } from '@tfsave/keras-h5';
import { openFileReader, type FileReader } from '@tfsave/keras-h5/node';
import { ADAPTERS } from '../src/adapters/index.js';
import { kerasOpener } from '../src/adapters/keras.js';
import { runCli } from '../src/cli.js';
import { tempDir } from './helpers.js';

const UNITS = 4096;
const KERNEL_BYTES = UNITS * UNITS * 4;

/** A Sequential model with one 4096×4096 Dense layer (64 MiB of float32 kernel), in the Keras 2 dialect. */
function bigModel(): KerasModelDesc {
  const kernel = new Float32Array(UNITS * UNITS);
  for (let i = 0; i < kernel.length; i++) kernel[i] = (i % 1021) / 1021;
  return {
    kerasVersion: '2.21.0',
    backend: 'tensorflow',
    modelConfig: {
      class_name: 'Sequential',
      config: {
        name: 'big',
        layers: [
          { class_name: 'InputLayer', config: { batch_input_shape: [null, UNITS], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } },
          { class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: UNITS, activation: 'linear', use_bias: true } },
        ],
      },
    },
    layers: [{ name: 'dense', weights: [
      { name: 'kernel', dtype: 'float32', shape: [UNITS, UNITS], data: kernel },
      { name: 'bias', dtype: 'float32', shape: [UNITS], data: new Float32Array(UNITS).fill(0.5) },
    ] }],
  };
}

/** File readers that count the bytes read through them and whether they were closed. */
function countingReaders(): { open: (path: string) => FileReader; bytes: () => number; opened: () => number; closed: () => number } {
  let bytes = 0;
  let opened = 0;
  let closed = 0;
  const open = (path: string): FileReader => {
    const inner = openFileReader(path);
    opened++;
    return {
      path: inner.path,
      size: inner.size,
      read(position, into) {
        const n = inner.read(position, into);
        bytes += n;
        return n;
      },
      close() {
        closed++;
        inner.close();
      },
    };
  };
  return { open, bytes: () => bytes, opened: () => opened, closed: () => closed };
}

async function inspectCounting(path: string, extra: readonly string[]): Promise<{ status: number; stdout: string; stderr: string; bytes: number; opened: number; closed: number }> {
  const readers = countingReaders();
  const opener = kerasOpener(readers.open);
  let stdout = '';
  let stderr = '';
  const status = await runCli(['inspect', path, ...extra], { out: (t) => void (stdout += t), err: (t) => void (stderr += t), stderrIsTTY: false, env: {} }, { ...ADAPTERS, hdf5: opener, 'keras-zip': opener });
  return { status, stdout, stderr, bytes: readers.bytes(), opened: readers.opened(), closed: readers.closed() };
}

const cases: ReadonlyArray<{ format: KerasFormat; file: string; kernel: RegExp }> = [
  { format: 'h5', file: 'big.h5', kernel: /\/model_weights\/dense\/dense\/kernel:0\s+float32\s+\(4096, 4096\)\s+64(\.0)? MiB/ },
  { format: 'keras', file: 'big.keras', kernel: /model\.weights\.h5:\/layers\/dense\/vars\/0\s+float32\s+\(4096, 4096\)\s+64(\.0)? MiB/ },
];

for (const c of cases) {
  test(`inspect ${c.file} (64 MiB) reads its structure in place, not its weights; --json reads every tensor`, { timeout: 120_000 }, async (t) => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, c.file);
      writeFileSync(path, await saveKerasModel(bigModel(), { format: c.format }));
      const size = statSync(path).size;
      assert.ok(size > KERNEL_BYTES, `${c.file} holds the kernel (${size} bytes)`);

      const text = await inspectCounting(path, []);
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /dense \(Dense\)\s+\(None, 4096\)\s+16781312\n/);
      assert.match(text.stdout, c.kernel);
      assert.ok(text.bytes < size / 64, `inspect read ${text.bytes} of ${size} bytes`);
      assert.equal(text.opened, 1);
      assert.equal(text.closed, 1, 'the reader is closed when inspect is done');

      // The same counter sees a full read: hashing every tensor reads the kernel's bytes.
      const json = await inspectCounting(path, ['--json']);
      assert.equal(json.status, 0, json.stderr);
      assert.equal((JSON.parse(json.stdout) as { entries: unknown[] }).entries.length, 2);
      assert.ok(json.bytes >= KERNEL_BYTES, `inspect --json read ${json.bytes} bytes, the kernel alone is ${KERNEL_BYTES}`);
      assert.equal(json.closed, 1);
      t.diagnostic(`${c.file}: ${size} bytes; inspect read ${text.bytes}, inspect --json ${json.bytes}`);
    } finally {
      cleanup();
    }
  });
}
