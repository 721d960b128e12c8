/** Choosing the output format of `tfsave convert` from OUT's form or `--to`. */
import { UsageError } from '../cli-error.js';

/** Output formats of `convert`. */
export type TargetFormat = 'checkpoint' | 'saved-model' | 'h5' | 'weights-h5' | 'keras';

/** Every `--to` value. */
export const TARGETS: readonly TargetFormat[] = ['checkpoint', 'saved-model', 'h5', 'weights-h5', 'keras'];

/**
 * The target for `out`: `--to` when given; else `.keras` → keras, `.weights.h5` → weights-h5,
 * `.h5`/`.hdf5` → h5, a path ending in `/` or an existing directory → saved-model,
 * anything else (a prefix such as `ckpt/model` or `x.ckpt`) → checkpoint.
 * @throws UsageError for an unknown `--to`.
 */
export function chooseTarget(out: string, to: string | undefined, outIsDir: boolean): TargetFormat {
  if (to !== undefined) {
    const t = to === 'weights.h5' ? 'weights-h5' : to === 'savedmodel' ? 'saved-model' : to;
    if (!(TARGETS as readonly string[]).includes(t)) throw new UsageError(`--to ${to}: expected one of ${TARGETS.join(', ')}`, 'convert');
    return t as TargetFormat;
  }
  if (/\.keras$/i.test(out)) return 'keras';
  if (/\.weights\.h5$/i.test(out)) return 'weights-h5';
  if (/\.(h5|hdf5)$/i.test(out)) return 'h5';
  if (out.endsWith('/') || outIsDir) return 'saved-model';
  return 'checkpoint';
}
