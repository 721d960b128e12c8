import { crc32cUpdate } from './crc32c.js';
import { crc32cSlicing16 } from './crc32c-js.js';
import { crc32cWasm, crc32cWasmAvailable } from './crc32c-wasm.js';

/** Which CRC-32C implementation {@link crc32cFast} uses for long inputs. */
export type Crc32cKernel = 'wasm' | 'js';

/** Inputs shorter than this go to core's byte loop (no call or copy overhead). */
const SHORT = 64;
/** Inputs from this size on go to the WebAssembly kernel when it is available. */
const WASM_FROM = 512;

let forced: Crc32cKernel | undefined;

/**
 * The kernel used for long inputs: `wasm` (slicing-by-16 in WebAssembly, about 1.5–2x the
 * JavaScript loop on 64 MiB, see BENCHMARKS.md) wherever WebAssembly runs, `js` otherwise.
 */
export function crc32cKernel(): Crc32cKernel {
  if (forced !== undefined) return forced;
  return crc32cWasmAvailable() ? 'wasm' : 'js';
}

/**
 * Forces one kernel (`undefined` restores the automatic choice). For benchmarks and tests.
 * @throws RangeError when `wasm` is forced but WebAssembly is unavailable.
 */
export function setCrc32cKernel(kernel: Crc32cKernel | undefined): void {
  if (kernel === 'wasm' && !crc32cWasmAvailable()) throw new RangeError('crc32c: WebAssembly is unavailable');
  forced = kernel;
}

/**
 * Continues an (unmasked) CRC-32C over `bytes` with the fastest kernel available:
 * the WebAssembly kernel for long inputs, the JavaScript slicing-by-16 loop where WebAssembly
 * is missing, core's byte loop for short inputs. Every kernel gives the same result.
 */
export function crc32cFast(crc: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n < SHORT) return crc32cUpdate(crc, bytes);
  if (n >= WASM_FROM && crc32cKernel() === 'wasm') return crc32cWasm(crc, bytes);
  return crc32cSlicing16(crc, bytes);
}
