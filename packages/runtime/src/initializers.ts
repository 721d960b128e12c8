/**
 * Keras initializers (`glorot_uniform`, `he_normal`, `zeros`, …), drawn from the
 * runtime's seeded stream.
 */
import { globalRng, SeededRandom } from './rng.js';

/** A Keras initializer as it appears in a layer config. */
export interface InitializerConfig {
  class_name: string;
  config: Record<string, unknown>;
}

/** Anything accepted where Keras accepts an initializer: a name or a config. */
export type InitializerSpec = string | InitializerConfig;

const aliases: Record<string, string> = {
  glorot_uniform: 'GlorotUniform', glorot_normal: 'GlorotNormal', he_uniform: 'HeUniform',
  he_normal: 'HeNormal', lecun_uniform: 'LecunUniform', lecun_normal: 'LecunNormal', zeros: 'Zeros',
  ones: 'Ones', constant: 'Constant', random_uniform: 'RandomUniform', random_normal: 'RandomNormal',
  truncated_normal: 'TruncatedNormal',
};

/** Normalizes a name or config to Keras's `{class_name, config}` form. */
export function initializerConfig(spec: InitializerSpec): InitializerConfig {
  if (typeof spec !== 'string') return spec;
  const cls = aliases[spec] ?? spec;
  if (!Object.values(aliases).includes(cls)) throw new Error(`runtime: unknown initializer '${spec}'`);
  const config: Record<string, unknown> = { seed: null };
  if (cls === 'Zeros' || cls === 'Ones') return { class_name: cls, config: {} };
  if (cls === 'Constant') return { class_name: cls, config: { value: 0 } };
  if (cls === 'RandomUniform') Object.assign(config, { minval: -0.05, maxval: 0.05 });
  if (cls === 'RandomNormal' || cls === 'TruncatedNormal') Object.assign(config, { mean: 0, stddev: 0.05 });
  return { class_name: cls, config };
}

function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i]!;
  return [shape[shape.length - 2]! * receptive, shape[shape.length - 1]! * receptive];
}

function truncatedNormal(rng: SeededRandom): number {
  for (;;) {
    const v = rng.normal();
    if (Math.abs(v) <= 2) return v;
  }
}

/** Stddev correction of a normal truncated at ±2σ (Keras's variance-scaling constant). */
const TRUNC_STD = 0.8796256610342398;

/**
 * Fills a float32 array of `shape` as the initializer `spec` does.
 * A `seed` in the config gives a private stream; otherwise the global one is used.
 */
export function initialize(spec: InitializerSpec, shape: readonly number[]): Float32Array {
  const { class_name: cls, config } = initializerConfig(spec);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const seed = config['seed'];
  const rng = typeof seed === 'number' ? new SeededRandom(seed) : globalRng();
  const [fanIn, fanOut] = fans(shape);
  const fill = (f: () => number): Float32Array => {
    for (let i = 0; i < n; i++) out[i] = f();
    return out;
  };
  const uniform = (limit: number) => fill(() => (rng.next() * 2 - 1) * limit);
  const truncated = (std: number) => fill(() => truncatedNormal(rng) * std);
  switch (cls) {
    case 'Zeros': return out;
    case 'Ones': return out.fill(1);
    case 'Constant': return out.fill(Number(config['value'] ?? 0));
    case 'GlorotUniform': return uniform(Math.sqrt(6 / (fanIn + fanOut)));
    case 'GlorotNormal': return truncated(Math.sqrt(2 / (fanIn + fanOut)) / TRUNC_STD);
    case 'HeUniform': return uniform(Math.sqrt(6 / fanIn));
    case 'HeNormal': return truncated(Math.sqrt(2 / fanIn) / TRUNC_STD);
    case 'LecunUniform': return uniform(Math.sqrt(3 / fanIn));
    case 'LecunNormal': return truncated(Math.sqrt(1 / fanIn) / TRUNC_STD);
    case 'RandomUniform': {
      const lo = Number(config['minval'] ?? -0.05);
      const hi = Number(config['maxval'] ?? 0.05);
      return fill(() => lo + rng.next() * (hi - lo));
    }
    case 'RandomNormal': {
      const mean = Number(config['mean'] ?? 0);
      const std = Number(config['stddev'] ?? 0.05);
      return fill(() => mean + rng.normal() * std);
    }
    case 'TruncatedNormal': {
      const mean = Number(config['mean'] ?? 0);
      const std = Number(config['stddev'] ?? 0.05);
      return fill(() => mean + truncatedNormal(rng) * std);
    }
    default: throw new Error(`runtime: unknown initializer class '${cls}'`);
  }
}
