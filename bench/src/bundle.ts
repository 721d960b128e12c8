/**
 * Tensor-bundle benchmark: write and read a checkpoint of `count` float32 tensors of 4 MiB
 * with tfsave, with Python TF (tf.train.Checkpoint.write / load_checkpoint) and as a plain
 * file copy of the same bytes, on this machine in the same run. TF does not fsync checkpoint
 * files, so the headline write numbers are without fsync for every system; the `durable_*`
 * numbers add fsync (tfsave's default) for tfsave and the plain copy.
 * `node bench/dist/src/bundle.js [--quick]` (quick: 64 MiB instead of 1 GiB).
 * The last line printed is one JSON object with MB/s per system and the ratios.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { createBundleWriter, openBundle } from '@tfsave/tensor-bundle/node';

const quick = process.argv.includes('--quick');
const TENSOR_BYTES = 4 << 20;
const COUNT = quick ? 16 : 256;
const N = TENSOR_BYTES / 4;
const TOTAL = COUNT * TENSOR_BYTES;
const MB = 1e6;

function memNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function tfsaveWrite(prefix: string, base: Float32Array, durable: boolean): Promise<{ seconds: number; peakExtra: number }> {
  const w = createBundleWriter(prefix, { durable });
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = memNow();
  let peak = baseline;
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) {
    base[0] = i;
    await w.add(`t${String(i).padStart(4, '0')}`, { dtype: 'float32', shape: [N], data: base });
    peak = Math.max(peak, memNow());
  }
  await w.finish();
  const seconds = (performance.now() - t0) / 1000;
  peak = Math.max(peak, memNow());
  return { seconds, peakExtra: peak - baseline };
}

async function tfsaveRead(prefix: string): Promise<number> {
  const t0 = performance.now();
  const r = await openBundle(prefix);
  let bytes = 0;
  for (const e of r.entries()) bytes += ((await r.readTensor(e.name)).data as Float32Array).byteLength;
  await r.close();
  if (bytes !== TOTAL) throw new Error(`read ${bytes} bytes, expected ${TOTAL}`);
  return (performance.now() - t0) / 1000;
}

async function plainWrite(path: string, base: Float32Array, durable: boolean): Promise<number> {
  const t0 = performance.now();
  const h = await open(path, 'w');
  const bytes = new Uint8Array(base.buffer);
  for (let i = 0; i < COUNT; i++) {
    base[0] = i;
    let off = 0;
    while (off < bytes.length) off += (await h.write(bytes, off, bytes.length - off)).bytesWritten;
  }
  if (durable) await h.sync();
  await h.close();
  return (performance.now() - t0) / 1000;
}

async function plainRead(path: string): Promise<number> {
  const t0 = performance.now();
  const h = await open(path, 'r');
  let pos = 0;
  while (pos < TOTAL) {
    const buf = new Uint8Array(TENSOR_BYTES);
    const { bytesRead } = await h.read(buf, 0, TENSOR_BYTES, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
  }
  await h.close();
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tfsave-bench-bundle-'));
  try {
    const base = Float32Array.from({ length: N }, (_, i) => i);
    const prefix = join(dir, 'ours', 'ckpt');
    await tfsaveWrite(join(dir, 'ours', 'warmup'), base, false);
    const w = await tfsaveWrite(prefix, base, false);
    const wd = await tfsaveWrite(join(dir, 'ours', 'durable'), base, true);
    const ourRead = await tfsaveRead(prefix);
    const copyWrite = await plainWrite(join(dir, 'plain.bin'), base, false);
    const copyWriteDurable = await plainWrite(join(dir, 'plain-durable.bin'), base, true);
    const copyRead = await plainRead(`${prefix}.data-00000-of-00001`);
    const py = runPythonScript(join(repoRoot(), 'bench/python/bundle_tf.py'), [dir, String(COUNT), String(N)], 1_800_000);
    if (!py.ok) throw new Error(`python failed: ${py.stderr.slice(-2000)}`);
    const tf = JSON.parse(py.stdout.trim().split('\n').pop()!) as { write_s: number; read_s: number; bytes: number };
    const dataSize = statSync(`${prefix}.data-00000-of-00001`).size;
    const mbps = (s: number) => Math.round((TOTAL / MB / s) * 10) / 10;
    const result = {
      bench: 'tensor-bundle',
      quick,
      tensors: COUNT,
      tensor_mib: TENSOR_BYTES / (1 << 20),
      total_mib: TOTAL / (1 << 20),
      tfsave: { write_mbps: mbps(w.seconds), read_mbps: mbps(ourRead), durable_write_mbps: mbps(wd.seconds) },
      tf: { write_mbps: mbps(tf.write_s), read_mbps: mbps(tf.read_s) },
      copy: { write_mbps: mbps(copyWrite), read_mbps: mbps(copyRead), durable_write_mbps: mbps(copyWriteDurable) },
      ratios: {
        write_vs_tf: Math.round((tf.write_s / w.seconds) * 100) / 100,
        read_vs_tf: Math.round((tf.read_s / ourRead) * 100) / 100,
        write_vs_copy: Math.round((copyWrite / w.seconds) * 100) / 100,
        durable_write_vs_durable_copy: Math.round((copyWriteDurable / wd.seconds) * 100) / 100,
        read_vs_copy: Math.round((copyRead / ourRead) * 100) / 100,
        peak_write_memory_vs_largest_tensor: Math.round((Math.max(w.peakExtra, wd.peakExtra) / TENSOR_BYTES) * 100) / 100,
      },
      data_file_bytes: dataSize,
    };
    console.log(`tfsave write ${result.tfsave.write_mbps} MB/s (fsync: ${result.tfsave.durable_write_mbps}), read ${result.tfsave.read_mbps} MB/s`);
    console.log(`TF     write ${result.tf.write_mbps} MB/s, read ${result.tf.read_mbps} MB/s`);
    console.log(`copy   write ${result.copy.write_mbps} MB/s (fsync: ${result.copy.durable_write_mbps}), read ${result.copy.read_mbps} MB/s`);
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
