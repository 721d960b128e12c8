#!/usr/bin/env node
// `npm test`: sets up the pinned Python environment and h5dump (idempotent), builds every
// package, lints it, runs every package's tests (TypeScript and Python interop)
// through turbo in dependency order, and closes with one summary line
// "N passed, N failed" summed over every package's node:test report.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const setup = spawnSync('bash', [join(root, 'tools/setup-python.sh')], { stdio: 'inherit', cwd: root });
if (setup.status !== 0) {
  console.error('npm test: the Python environment could not be set up (tools/setup-python.sh failed)');
  process.exit(1);
}
const tools = spawnSync('bash', [join(root, 'tools/setup-tools.sh')], { stdio: 'inherit', cwd: root });
if (tools.status !== 0) {
  console.error('npm test: h5dump could not be installed (tools/setup-tools.sh failed); the HDF5 interop tests need it');
  process.exit(1);
}
const extra = process.argv.slice(2);
const child = spawn('npx', ['turbo', 'run', 'lint', 'test', '--concurrency=1', '--output-logs=full', ...extra], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, TFSAVE_PYTHON: join(root, 'tools/.venv/bin/python'), FORCE_COLOR: '0' },
});
let pass = 0, fail = 0, skipped = 0, todo = 0, buffer = '';
const count = (line) => {
  const m = /(?:^|\s)ℹ (pass|fail|skipped|todo) (\d+)\s*$/.exec(line) ?? /(?:^|\s)# (pass|fail|skipped|todo) (\d+)\s*$/.exec(line);
  if (!m) return;
  const n = Number(m[2]);
  if (m[1] === 'pass') pass += n; else if (m[1] === 'fail') fail += n; else if (m[1] === 'skipped') skipped += n; else todo += n;
};
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  buffer += chunk.toString('utf8');
  const lines = buffer.split('\n');
  buffer = lines.pop() ?? '';
  lines.forEach(count);
});
child.on('close', (code) => {
  count(buffer);
  console.log('');
  console.log(`${pass} passed, ${fail} failed` + (skipped ? `, ${skipped} skipped` : ''));
  if (skipped > 0 || todo > 0) {
    console.error(`npm test: ${skipped} skipped and ${todo} todo tests: nothing may be skipped`);
    process.exit(1);
  }
  if (pass === 0) { console.error('npm test: no test ran'); process.exit(1); }
  process.exit(code === 0 && fail === 0 ? 0 : 1);
});
