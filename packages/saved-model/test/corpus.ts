// The SavedModels every test reads: fixtures/ plus the real-world files in ../shared/wild.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@tfsave/core/node';

export const wild = join(repoRoot(), '..', 'shared', 'wild');
export const tutorialDir = join(repoRoot(), 'fixtures/tutorial-tf-keras/saved_model/my_model');

function find(dir: string, name: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) find(p, name, out);
    else if (e === name) out.push(p);
  }
  return out;
}

/** Every `saved_model.pb`, `keras_metadata.pb` and `fingerprint.pb` of the corpus. */
export function corpusFiles(name: string): string[] {
  return [
    ...find(join(repoRoot(), 'fixtures'), name),
    ...find(join(wild, 'b_savedmodel'), name),
    ...find(join(wild, 'a_checkpoint', 'tfserving_tf_text_regression_vars'), name),
  ];
}

/** Short display name of a corpus path. */
export const short = (p: string): string => p.replace(repoRoot(), '').replace(/^.*shared\/wild/, 'wild');
