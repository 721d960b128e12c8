/** Finding a tensor by the name the user typed. */
import { CliFailure } from './cli-error.js';
import type { OpenedFile, TensorEntry } from './model.js';

/**
 * The entry named `name`: by exact key, then by Keras weight path, then
 * ignoring a `:0` suffix or a leading `/`.
 * @throws CliFailure listing close names when nothing matches.
 */
export async function findEntry(file: OpenedFile, name: string): Promise<TensorEntry> {
  const norm = (s: string): string => s.replace(/^\//, '').replace(/:0$/, '');
  const direct = file.entries.find((e) => e.name === name);
  if (direct !== undefined) return direct;
  const all = [...file.entries, ...((await file.kerasWeights?.()) ?? [])];
  const exact = all.find((e) => e.weightPath === name);
  if (exact !== undefined) return exact;
  const loose = all.filter((e) => norm(e.name) === norm(name) || (e.weightPath !== undefined && norm(e.weightPath) === norm(name)));
  if (loose.length === 1) return loose[0]!;
  const near = all.filter((e) => e.name.includes(name) || name.includes(e.name)).slice(0, 5);
  const hint = near.length > 0 ? `; close names: ${near.map((e) => e.name).join(', ')}` : `; it has ${file.entries.length} tensors (see tfsave inspect)`;
  throw new CliFailure(`${file.name}: no tensor named ${JSON.stringify(name)}${hint}`);
}
