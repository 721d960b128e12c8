/**
 * Node adapter: hardware CRC-32C through the optional dependency `@node-rs/crc32` (napi-rs,
 * SSE4.2 / ARMv8 CRC instructions, prebuilt binaries). Registered into core's kernel choice
 * when this module loads, so everything that goes through `@tfsave/core/node` (file sources,
 * file sinks) checksums with it; without the addon (not installed, no prebuilt binary for the
 * platform) the WebAssembly and JavaScript kernels stay in use. Only this adapter loads it:
 * the browser entry of `@tfsave/core` never does.
 */
import { createRequire } from 'node:module';
import { registerNativeCrc32c, type Crc32cFunction } from '../crc32c-fast.js';

type NodeRsCrc32 = { crc32c(input: Uint8Array, initialState?: number): number };

let loaded: Crc32cFunction | null | undefined;

function load(): Crc32cFunction | null {
  try {
    const addon = createRequire(import.meta.url)('@node-rs/crc32') as NodeRsCrc32;
    const fn = addon.crc32c;
    // `initialState` is the unmasked CRC of the bytes before (0 to start), as in crc32cUpdate;
    // the probe rejects a build that disagrees ("123456789" continued from "1234").
    const probe = new Uint8Array([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]);
    if (typeof fn !== 'function' || fn(probe.subarray(4), fn(probe.subarray(0, 4), 0)) !== 0xe3069283) return null;
    return (crc, bytes) => (bytes.length === 0 ? crc >>> 0 : fn(bytes, crc >>> 0));
  } catch {
    return null;
  }
}

/**
 * Loads `@node-rs/crc32` once and registers its CRC-32C as core's `native` kernel. Called
 * when `@tfsave/core/node` is imported and again by the file adapters (cheap after the first
 * call), so a bundler that drops unused imports cannot lose it.
 * @returns true when the native kernel is registered.
 */
export function installNativeCrc32c(): boolean {
  if (loaded === undefined) {
    loaded = load();
    if (loaded !== null) registerNativeCrc32c(loaded);
  }
  return loaded !== null;
}

installNativeCrc32c();
