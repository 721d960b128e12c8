#!/usr/bin/env node
// Package lint: type-checks the package without emitting, then enforces the
// repository rules that TypeScript alone cannot: format code never imports
// `node:*` (only files under `src/node/` or named `*.node.ts` may), and no
// source file grows past the size limit of the house style.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';

const pkgDir = process.cwd();
const MAX_LINES = 600;
const problems = [];

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const nodeAllowed = (rel) => rel.includes('/node/') || rel.endsWith('.node.ts') || rel.startsWith('src/cli');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const nodeOnlyPackage = pkg.tfsave?.nodeOnly === true;
let files = [];
try { files = walk(join(pkgDir, 'src')); } catch { /* no src */ }
for (const file of files) {
  const rel = relative(pkgDir, file);
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n').length;
  if (lines > MAX_LINES && !rel.includes('/gen/')) problems.push(`${rel}: ${lines} lines (limit ${MAX_LINES}); split it by responsibility`);
  if (!nodeOnlyPackage && !nodeAllowed(rel) && /from\s+['"]node:|import\(\s*['"]node:|require\(\s*['"]node:/.test(text)) {
    problems.push(`${rel}: imports node:* outside an adapter (src/node/ or *.node.ts)`);
  }
}
try {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit', '--composite', 'false', '--declaration', 'false', '--declarationMap', 'false', '--incremental', 'false'], { stdio: 'inherit' });
} catch {
  problems.push('tsc --noEmit failed');
}
if (problems.length > 0) {
  for (const p of problems) console.error(`lint: ${p}`);
  process.exit(1);
}
console.log(`lint: ${files.length} source files ok`);
