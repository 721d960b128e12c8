// The generated protobufjs module is plain JS with pbts declarations: tsc only
// type-checks against the .d.ts, so copy both next to the emitted index.js.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(pkg, 'dist/src/gen'), { recursive: true });
for (const f of ['protos.js', 'protos.d.ts']) copyFileSync(join(pkg, 'src/gen', f), join(pkg, 'dist/src/gen', f));
