import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, tensorSha256 } from '../src/index.js';
import { runPythonCheck } from '../src/node/index.js';

// The foundation's end-to-end proof of the Python loop: TypeScript writes
// files and expectations, numpy in the pinned venv loads them and checks.
test('numpy loads .npy files written by TypeScript with identical bytes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfsave-npy-'));
  const cases: object[] = [];
  const arrays: Array<[string, number[], ArrayBufferView]> = [
    ['float32', [2, 3], new Float32Array([1, -2.5, 3e-8, Infinity, 0, 6])],
    ['int64', [4], new BigInt64Array([0n, -1n, 1n << 62n, 7n])],
    ['float16', [3], new Uint16Array([0x3c00, 0xc000, 0x7bff])],
    ['bool', [2, 2], new Uint8Array([1, 0, 0, 1])],
    ['complex64', [2], new Float32Array([1, 2, 3, 4])],
    ['uint8', [], new Uint8Array([200])],
  ];
  for (const [dtype, shape, data] of arrays) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const path = join(dir, `${dtype}.npy`);
    writeFileSync(path, encodeNpy(dtype, shape, bytes));
    cases.push({ kind: 'npy', path, dtype, shape, sha256: tensorSha256(bytes) });
  }
  const r = runPythonCheck(join(dir, 'cases.json'), cases);
  assert.ok(r.ok, `python check failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /6 ok, 0 failed/);
});
