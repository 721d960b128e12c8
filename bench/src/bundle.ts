/**
 * Tensor-bundle benchmark: write and read a checkpoint of `count` float32 tensors of 4 MiB
 * with tfsave, with Python TF (tf.train.Checkpoint.write / load_checkpoint) and as a plain
 * file copy of the same bytes, on this machine in the same run. Every timed write starts after
 * a `sync` so no phase pays for the previous phase's dirty pages. TF does not fsync checkpoint
 * files, so the headline write numbers are without fsync for every system; the `durable_*`
 * numbers add fsync (tfsave's default) for tfsave and the plain copy. The plain read is timed into
 * fresh zero-filled buffers (`new Uint8Array`, the baseline of earlier runs) and into fresh unzeroed
 * ones (`Buffer.allocUnsafeSlow`, as tfsave's node file source). Each figure is the median
 * of several repetitions (5 with --quick, 3 for 1 GiB); each repetition runs every system, TF
 * included (one Python process per repetition), so all see the same machine state. It also times the CRC-32C kernels
 * (JavaScript slicing-by-16, WebAssembly, and the native `@node-rs/crc32` one the node adapter
 * registers) on 64 MiB, median of 5.
 * `node bench/dist/src/bundle.js [--quick]` (quick: 64 MiB instead of 1 GiB).
 * The last line printed is one JSON object with MB/s per system and the ratios.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { repoRoot, runPythonScript } from '@tfsave/core/node';
import { crc32cSlicing16, crc32cWasm, crc32cKernel, nativeCrc32c } from '@tfsave/core';
import { createBundleWriter, openBundle } from '@tfsave/tensor-bundle/node';

setFlagsFromString('--expose-gc');
/** A full collection before each memory baseline, so garbage from earlier phases is not counted. */
const gc = runInNewContext('gc') as () => void;

const quick = process.argv.includes('--quick');
const TENSOR_BYTES = 4 << 20;
const COUNT = quick ? 16 : 256;
const REPS = quick ? 5 : 3;
const N = TENSOR_BYTES / 4;
const TOTAL = COUNT * TENSOR_BYTES;
const MB = 1e6;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mbps = (bytes: number, s: number): number => Math.round((bytes / MB / s) * 10) / 10;
const ratio = (x: number): number => Math.round(x * 100) / 100;
const sync = (): void => void execFileSync('sync');

function memNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function crcKernels(): { js_mbps: number; wasm_mbps: number; native_mbps: number | null; chosen: string } {
  const buf = new Uint8Array(64 << 20);
  for (let i = 0; i < buf.length; i++) buf[i] = (i * 2654435761) >>> 24;
  const time = (f: (c: number, b: Uint8Array) => number): number => {
    f(0, buf.subarray(0, 1 << 20));
    const t: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      f(0, buf);
      t.push((performance.now() - t0) / 1000);
    }
    return mbps(buf.length, median(t));
  };
  const native = nativeCrc32c();
  if (crc32cSlicing16(0, buf) !== crc32cWasm(0, buf) || (native !== undefined && native(0, buf) !== crc32cWasm(0, buf))) throw new Error('CRC kernels disagree');
  return { js_mbps: time(crc32cSlicing16), wasm_mbps: time(crc32cWasm), native_mbps: native === undefined ? null : time(native), chosen: crc32cKernel() };
}

async function tfsaveWrite(prefix: string, base: Float32Array, durable: boolean): Promise<{ seconds: number; peakExtra: number }> {
  sync();
  const w = createBundleWriter(prefix, { durable });
  gc();
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
  for await (const t of r.readAll()) bytes += (t.data as Float32Array).byteLength;
  await r.close();
  if (bytes !== TOTAL) throw new Error(`read ${bytes} bytes, expected ${TOTAL}`);
  return (performance.now() - t0) / 1000;
}

async function plainWrite(path: string, base: Float32Array, durable: boolean): Promise<number> {
  sync();
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

/** Reads the file in 4 MiB requests into fresh buffers: zero-filled (`new Uint8Array`) or not (`Buffer.allocUnsafeSlow`). */
async function plainRead(path: string, zeroed: boolean): Promise<number> {
  const t0 = performance.now();
  const h = await open(path, 'r');
  let pos = 0;
  while (pos < TOTAL) {
    const buf = zeroed ? new Uint8Array(TENSOR_BYTES) : new Uint8Array(Buffer.allocUnsafeSlow(TENSOR_BYTES).buffer);
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
    const crc = crcKernels();
    const base = Float32Array.from({ length: N }, (_, i) => i);
    const prefix = join(dir, 'ours', 'ckpt');
    await tfsaveWrite(join(dir, 'ours', 'warmup'), base, false);
    rmSync(join(dir, 'ours'), { recursive: true, force: true });
    const ws: number[] = [], wds: number[] = [], rs: number[] = [], cw: number[] = [], cwd: number[] = [], cr: number[] = [], cru: number[] = [];
    let peakExtra = 0;
    const tf = { write_s: [] as number[], read_s: [] as number[] };
    for (let rep = 0; rep < REPS; rep++) {
      // Every system writes into an empty place (TF's side removes its folder too): replacing a
      // 1 GiB file makes the rename free its old extents, seconds on this VM's disk.
      rmSync(join(dir, 'ours'), { recursive: true, force: true });
      const w = await tfsaveWrite(prefix, base, false);
      ws.push(w.seconds);
      const wd = await tfsaveWrite(join(dir, 'ours', 'durable'), base, true);
      wds.push(wd.seconds);
      peakExtra = Math.max(peakExtra, w.peakExtra, wd.peakExtra);
      rmSync(join(dir, 'ours', 'durable.index'));
      rmSync(join(dir, 'ours', 'durable.data-00000-of-00001'));
      cw.push(await plainWrite(join(dir, 'plain.bin'), base, false));
      cwd.push(await plainWrite(join(dir, 'plain-durable.bin'), base, true));
      rmSync(join(dir, 'plain.bin'));
      rmSync(join(dir, 'plain-durable.bin'));
      await tfsaveRead(prefix); // page-cache warm for both readers
      rs.push(await tfsaveRead(prefix));
      cr.push(await plainRead(`${prefix}.data-00000-of-00001`, true));
      cru.push(await plainRead(`${prefix}.data-00000-of-00001`, false));
      // TF in the same repetition, so every system sees the same (shared, noisy) machine state
      const py = runPythonScript(join(repoRoot(), 'bench/python/bundle_tf.py'), [dir, String(COUNT), String(N), '1'], 1_800_000);
      if (!py.ok) throw new Error(`python failed: ${py.stderr.slice(-2000)}`);
      const one = JSON.parse(py.stdout.trim().split('\n').pop()!) as { write_s: number[]; read_s: number[]; bytes: number };
      if (one.bytes !== TOTAL) throw new Error(`TF read ${one.bytes} bytes, expected ${TOTAL}`);
      tf.write_s.push(...one.write_s);
      tf.read_s.push(...one.read_s);
    }
    const dataSize = statSync(`${prefix}.data-00000-of-00001`).size;
    rmSync(join(dir, 'ours'), { recursive: true, force: true });
    const [w, wd, r, tw, tr, pw, pwd, pr, pru] = [ws, wds, rs, tf.write_s, tf.read_s, cw, cwd, cr, cru].map(median) as [number, number, number, number, number, number, number, number, number];
    const result = {
      bench: 'tensor-bundle',
      quick,
      tensors: COUNT,
      tensor_mib: TENSOR_BYTES / (1 << 20),
      total_mib: TOTAL / (1 << 20),
      repetitions: REPS,
      crc32c_64mib: crc,
      tfsave: { write_mbps: mbps(TOTAL, w), read_mbps: mbps(TOTAL, r), durable_write_mbps: mbps(TOTAL, wd) },
      tf: { write_mbps: mbps(TOTAL, tw), read_mbps: mbps(TOTAL, tr) },
      copy: { write_mbps: mbps(TOTAL, pw), read_mbps: mbps(TOTAL, pr), unzeroed_read_mbps: mbps(TOTAL, pru), durable_write_mbps: mbps(TOTAL, pwd) },
      ratios: {
        write_vs_tf: ratio(tw / w),
        read_vs_tf: ratio(tr / r),
        write_vs_copy: ratio(pw / w),
        durable_write_vs_durable_copy: ratio(pwd / wd),
        read_vs_copy: ratio(pr / r),
        read_vs_unzeroed_copy: ratio(pru / r),
        peak_write_memory_vs_largest_tensor: ratio(peakExtra / TENSOR_BYTES),
      },
      data_file_bytes: dataSize,
      seconds: { tfsave_write: ws, tfsave_durable_write: wds, tfsave_read: rs, tf_write: tf.write_s, tf_read: tf.read_s, copy_write: cw, copy_durable_write: cwd, copy_read: cr, copy_unzeroed_read: cru },
    };
    console.log(`CRC-32C on 64 MiB: JS ${crc.js_mbps} MB/s, WebAssembly ${crc.wasm_mbps} MB/s, native ${crc.native_mbps ?? 'unavailable'} MB/s (using ${crc.chosen})`);
    console.log(`tfsave write ${result.tfsave.write_mbps} MB/s (fsync: ${result.tfsave.durable_write_mbps}), read ${result.tfsave.read_mbps} MB/s`);
    console.log(`TF     write ${result.tf.write_mbps} MB/s, read ${result.tf.read_mbps} MB/s`);
    console.log(`copy   write ${result.copy.write_mbps} MB/s (fsync: ${result.copy.durable_write_mbps}), read ${result.copy.read_mbps} MB/s (unzeroed buffers: ${result.copy.unzeroed_read_mbps})`);
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
