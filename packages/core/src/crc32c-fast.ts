import { crc32cUpdate } from './crc32c.js';
import { crc32cSlicing16 } from './crc32c-js.js';
import { crc32cWasm, crc32cWasmAvailable } from './crc32c-wasm.js';

/**
 * Which CRC-32C implementation {@link crc32cFast} uses for long inputs: `native` (hardware
 * CRC-32C through an addon an environment adapter registered, see
 * {@link registerNativeCrc32c}), `wasm` or `js`.
 */
export type Crc32cKernel = 'native' | 'wasm' | 'js';

/** An unmasked CRC-32C continuation: `(crc of everything before, bytes) => crc including bytes`. */
export type Crc32cFunction = (crc: number, bytes: Uint8Array) => number;

/** Inputs shorter than this go to core's byte loop (no call or copy overhead). */
const SHORT = 64;
/** Inputs from this size on go to the WebAssembly kernel when it is available. */
const WASM_FROM = 512;
/** Inputs from this size on go to the native kernel when one is registered (below it the call costs more than it saves). */
const NATIVE_FROM = 256;

let forced: Crc32cKernel | undefined;
let native: Crc32cFunction | undefined;

/**
 * Registers a native CRC-32C kernel (for example a hardware-accelerated addon). Environment
 * adapters call this — `@tfsave/core/node` registers `@node-rs/crc32` when it is installed — so
 * this module itself never loads platform code and browser bundles stay free of it.
 * The function must give exactly {@link crc32cUpdate}'s results; `undefined` unregisters it.
 */
export function registerNativeCrc32c(kernel: Crc32cFunction | undefined): void {
  native = kernel;
  if (kernel === undefined && forced === 'native') forced = undefined;
}

/** The registered native kernel, if any (see {@link registerNativeCrc32c}). */
export function nativeCrc32c(): Crc32cFunction | undefined {
  return native;
}

/**
 * The kernel used for long inputs: `native` when an adapter registered one (Node with
 * `@node-rs/crc32`: hardware CRC-32C, several times the WebAssembly kernel), else `wasm`
 * (slicing-by-16 in WebAssembly, about 1.5–2x the JavaScript loop, see BENCHMARKS.md) wherever
 * WebAssembly runs, else `js`.
 */
export function crc32cKernel(): Crc32cKernel {
  if (forced !== undefined) return forced;
  if (native !== undefined) return 'native';
  return crc32cWasmAvailable() ? 'wasm' : 'js';
}

/**
 * Forces one kernel (`undefined` restores the automatic choice). For benchmarks and tests.
 * @throws RangeError when `native` is forced but none is registered, or `wasm` is forced but
 *   WebAssembly is unavailable.
 */
export function setCrc32cKernel(kernel: Crc32cKernel | undefined): void {
  if (kernel === 'native' && native === undefined) throw new RangeError('crc32c: no native kernel is registered');
  if (kernel === 'wasm' && !crc32cWasmAvailable()) throw new RangeError('crc32c: WebAssembly is unavailable');
  forced = kernel;
}

/**
 * Continues an (unmasked) CRC-32C over `bytes` with the fastest kernel available:
 * a registered native kernel, else the WebAssembly kernel for long inputs, the JavaScript
 * slicing-by-16 loop where WebAssembly is missing, core's byte loop for short inputs.
 * Every kernel gives the same result.
 */
export function crc32cFast(crc: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n < SHORT) return crc32cUpdate(crc, bytes);
  const kernel = crc32cKernel();
  if (kernel === 'native' && n >= NATIVE_FROM) return native!(crc, bytes);
  if (kernel !== 'js' && n >= WASM_FROM && crc32cWasmAvailable()) return crc32cWasm(crc, bytes);
  return crc32cSlicing16(crc, bytes);
}
