/** A weights-only Keras file given the architecture of another Keras file (`convert --like`). */
import type { KerasModelDesc, TensorRecord } from '@tfsave/keras-h5';
import { CliFailure } from '../cli-error.js';

function fit(t: TensorRecord, want: TensorRecord, what: string): TensorRecord {
  if (t.dtype !== want.dtype || t.shape.join(',') !== want.shape.join(',')) {
    throw new CliFailure(`${what} is ${t.dtype} [${t.shape.join(', ')}] but the --like model's is ${want.dtype} [${want.shape.join(', ')}]`);
  }
  return { ...t, name: want.name };
}

/**
 * The model of `like` holding the weights of `weights`, matched by layer name and weight order,
 * every shape and dtype checked. The optimizer state of `weights` comes along when it matches
 * the variables of `like`'s optimizer one for one; otherwise the result has no optimizer state.
 * @throws CliFailure naming the first layer or weight that does not fit.
 */
export function weightsLike(weights: KerasModelDesc, like: KerasModelDesc, source: string): KerasModelDesc {
  const wanted = new Set(like.layers.map((l) => l.name));
  const stray = weights.layers.find((l) => l.weights.length > 0 && !wanted.has(l.name));
  if (stray !== undefined) throw new CliFailure(`layer ${stray.name} of ${source} is not in the --like model`);
  const byName = new Map(weights.layers.map((l) => [l.name, l]));
  const layers = like.layers.map((lw) => {
    if (lw.weights.length === 0) return lw;
    const got = byName.get(lw.name)?.weights ?? [];
    if (got.length !== lw.weights.length) throw new CliFailure(`${source} has ${got.length} weights for layer ${lw.name}, the --like model ${lw.weights.length}`);
    return { name: lw.name, weights: lw.weights.map((w, i) => fit(got[i]!, w, `${lw.name}/${w.name}`)) };
  });
  const { optimizer, ...rest } = like;
  const mine = weights.optimizer?.weights ?? [];
  const fits = optimizer !== undefined && mine.length === optimizer.weights.length && mine.length > 0
    && mine.every((t, i) => t.dtype === optimizer.weights[i]!.dtype && t.shape.join(',') === optimizer.weights[i]!.shape.join(','));
  return fits ? { ...rest, layers, optimizer: { ...optimizer, weights: mine.map((t, i) => ({ ...t, name: optimizer.weights[i]!.name })) } } : { ...rest, layers };
}
