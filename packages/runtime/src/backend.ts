/**
 * Backend selection: tfjs WASM (SIMD) first, the pure-JS CPU backend when WASM
 * cannot load.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerGradients } from './gradients.js';

/** Which tfjs backend the runtime computes on. */
export type BackendName = 'wasm' | 'cpu';

/**
 * Selects the backend: `preferred` (default `'wasm'`), else the CPU backend.
 * Idempotent; returns the backend actually in use.
 */
export async function initBackend(preferred: BackendName = 'wasm'): Promise<BackendName> {
  registerGradients();
  if (tf.getBackend() === preferred) return preferred;
  let ok = false;
  try {
    ok = await tf.setBackend(preferred);
  } catch {
    ok = false;
  }
  if (!ok) await tf.setBackend('cpu');
  await tf.ready();
  return tf.getBackend() as BackendName;
}

export { tf };
