import { CRC32C_TABLES } from './crc32c-js.js';
import { CRC32C_WASM_BYTES } from './crc32c-wasm-module.js';

interface Kernel {
  readonly mem: Uint8Array;
  readonly crc: (state: number, ptr: number, len: number) => number;
}

/** Bytes per lane of the module's three-lane loop (see scripts/gen-crc32c-wasm.mjs). */
const LANE = 4096;
/** Where the lane-shift tables start (after the 16 KiB slicing tables). */
const SHIFT_TABLES = 16384;
/** Where the module's 1 MiB data window starts (after the shift tables). */
const WINDOW = 32768;
const WINDOW_BYTES = 1 << 20;

let kernel: Kernel | null | undefined;

/**
 * Byte tables of the linear map "raw CRC register followed by `n` zero bytes": entry
 * k*256 + v is the image of v << 8k, built from the images of the 32 single bits.
 */
function shiftTables(n: number): Int32Array {
  const bit = new Int32Array(32);
  for (let i = 0; i < 32; i++) {
    let r = (1 << i) >>> 0;
    for (let k = 0; k < n; k++) r = CRC32C_TABLES[r & 0xff]! ^ (r >>> 8);
    bit[i] = r;
  }
  const out = new Int32Array(1024);
  for (let k = 0; k < 4; k++) {
    for (let v = 0; v < 256; v++) {
      let x = 0;
      for (let j = 0; j < 8; j++) if (v & (1 << j)) x ^= bit[8 * k + j]!;
      out[k * 256 + v] = x;
    }
  }
  return out;
}

function load(): Kernel | null {
  if (typeof WebAssembly === 'undefined') return null;
  try {
    // Synchronous compile is allowed everywhere for modules this small (< 4 KiB).
    const instance = new WebAssembly.Instance(new WebAssembly.Module(CRC32C_WASM_BYTES as Uint8Array<ArrayBuffer>));
    const memory = instance.exports['memory'] as WebAssembly.Memory;
    const crc = instance.exports['crc'] as Kernel['crc'];
    const mem = new Uint8Array(memory.buffer);
    if (mem.length < WINDOW + WINDOW_BYTES || new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1) return null;
    new Int32Array(memory.buffer, 0, CRC32C_TABLES.length).set(CRC32C_TABLES);
    new Int32Array(memory.buffer, SHIFT_TABLES, 1024).set(shiftTables(LANE));
    new Int32Array(memory.buffer, SHIFT_TABLES + 4096, 1024).set(shiftTables(2 * LANE));
    return { mem, crc };
  } catch {
    return null;
  }
}

/** True when the WebAssembly CRC-32C kernel is usable here (WebAssembly present, little-endian host). */
export function crc32cWasmAvailable(): boolean {
  if (kernel === undefined) kernel = load();
  return kernel !== null;
}

/**
 * Continues a CRC-32C over `bytes` with the WebAssembly kernel (slicing-by-16 on three
 * interleaved 4 KiB lanes, joined with shift tables); the bytes are
 * copied through the module's 1 MiB window. Same results as core's `crc32cUpdate`.
 * @throws Error when WebAssembly is unavailable (check {@link crc32cWasmAvailable} first).
 */
export function crc32cWasm(crc: number, bytes: Uint8Array): number {
  if (kernel === undefined) kernel = load();
  if (kernel === null) throw new Error('crc32c: WebAssembly CRC-32C kernel is unavailable');
  const { mem, crc: run } = kernel;
  let c = ~crc;
  for (let pos = 0; pos < bytes.length; pos += WINDOW_BYTES) {
    const part = bytes.subarray(pos, pos + WINDOW_BYTES);
    mem.set(part, WINDOW);
    c = run(c, WINDOW, part.length);
  }
  return ~c >>> 0;
}
