/**
 * Settings in a Keras layer config that the runtime cannot honor. Loading a
 * model that uses them is refused rather than silently training a different
 * model: regularizers (they add loss terms) and constraints (they project
 * weights after each step) of the built-in layers.
 */
import { errorsFor } from '@tfsave/core';

const fail = errorsFor('runtime');

function describe(v: unknown): string {
  if (v !== null && typeof v === 'object' && 'class_name' in v) {
    const o = v as { class_name: unknown; config?: unknown };
    return `${String(o.class_name)} ${JSON.stringify(o.config ?? {})}`;
  }
  return JSON.stringify(v);
}

/** Config keys of built-in layers whose non-null value the runtime cannot honor (`kernel_regularizer`, `bias_constraint`, …). */
export function unsupportedSettings(config: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(config).filter((k) => (k.endsWith('_regularizer') || k.endsWith('_constraint')) && config[k] !== null && config[k] !== undefined);
}

/**
 * Refuses a built-in layer config that sets a regularizer or a constraint.
 * @throws FormatError (`runtime`, kind `unsupported`, code `regularizer` or `constraint`) naming the layer, the key and its value.
 */
export function assertHonorable(className: string, config: Readonly<Record<string, unknown>>): void {
  const bad = unsupportedSettings(config);
  if (bad.length === 0) return;
  const key = bad[0]!;
  const name = typeof config['name'] === 'string' ? config['name'] : '?';
  const list = bad.map((k) => `${k}=${describe(config[k])}`).join(', ');
  throw fail.unsupported(
    `layer "${name}" (${className}) sets ${list}; the runtime does not apply ${key.endsWith('_constraint') ? 'weight constraints' : 'regularization losses'}, so it refuses to load a model it would train differently`,
    key.endsWith('_constraint') ? 'constraint' : 'regularizer',
  );
}
