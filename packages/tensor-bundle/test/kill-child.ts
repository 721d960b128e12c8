// Child process of atomic.test.ts: saves checkpoints in a loop until killed.
// Does nothing when run directly (node --test also loads this file).
import { rng } from './tensors.js';
import { openCheckpointManager } from '../src/node/index.js';

const dir = process.env['TB_KILL_DIR'];
if (dir !== undefined) {
  const r = rng(process.pid);
  const m = await openCheckpointManager(dir, { maxToKeep: 2 });
  for (;;) {
    await m.save(async (w, n) => {
      const count = 1 + Math.floor(r() * 6);
      for (let i = 0; i < count; i++) {
        const len = 1 + Math.floor(r() * 200_000);
        await w.add(`t${i}`, { dtype: 'float32', shape: [len], data: new Float32Array(len).fill(n) });
      }
    });
  }
}
