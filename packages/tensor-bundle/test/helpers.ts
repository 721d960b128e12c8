import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@tfsave/core/node';

/** Repository root and the shared wild-files folder beside it. */
export const root = repoRoot();
export const wild = join(root, '..', 'shared', 'wild');
export const fixtures = join(root, 'fixtures');

/** Every `<prefix>` with a `<prefix>.index` under `dir` (recursive), sorted. */
export function findBundles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.index')) out.push(p.slice(0, -'.index'.length));
    }
  };
  walk(dir);
  return out.sort();
}

/** Fixture and wild bundles (the fixture set may still be growing; whatever exists is tested). */
export function allBundles(): string[] {
  return [...findBundles(fixtures), ...findBundles(join(wild, 'a_checkpoint')), ...findBundles(join(wild, 'b_savedmodel'))];
}
