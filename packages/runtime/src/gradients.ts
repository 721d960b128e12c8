/**
 * Gradients for the tfjs kernels the runtime differentiates through. The Node
 * bundle of tfjs-core registers none (the union `@tensorflow/tfjs` package
 * normally does), so the runtime registers its own, once.
 */
import * as tf from '@tensorflow/tfjs-core';

type G = tf.Tensor;
type Grads = Record<string, () => G>;

/** Sums `g` down to `shape` (undoing broadcasting). */
function unbroadcast(g: G, shape: readonly number[]): G {
  if (g.shape.join(',') === shape.join(',')) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length ? tf.sum(g, axes, true) : g;
  return tf.reshape(s, shape as number[]);
}

function axesOf(axis: unknown, rank: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(axis) ? (axis as number[]) : [axis as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}

/** `dy` of a reduction expanded back to `xShape`. */
function expandReduced(dy: G, xShape: number[], axis: unknown): G {
  const axes = axesOf(axis, xShape.length);
  const kept = xShape.map((d, i) => (axes.includes(i) ? 1 : d));
  return tf.mul(tf.reshape(dy, kept), tf.ones(xShape));
}

type Unary = (dy: G, x: G, y: G, attrs: Record<string, unknown>) => G;

function unary(kernelName: string, fn: Unary, needsOutput = false, inputName = 'x'): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: [inputName],
    ...(needsOutput ? { outputsToSave: [true] } : {}),
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0] as G;
      const y = (needsOutput ? saved[1] : x) as G;
      return { [inputName]: () => fn(dy as G, x, y, attrs as Record<string, unknown>) };
    },
  };
}

function binary(kernelName: string, fa: (dy: G, a: G, b: G) => G, fb: (dy: G, a: G, b: G) => G): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as [G, G];
      const d = dy as G;
      return { a: () => unbroadcast(fa(d, a, b), a.shape), b: () => unbroadcast(fb(d, a, b), b.shape) };
    },
  };
}

const f = (t: G): G => tf.cast(t, 'float32');

const configs: tf.GradConfig[] = [
  binary('Add', (dy) => dy, (dy) => dy),
  binary('Sub', (dy) => dy, (dy) => tf.neg(dy)),
  binary('Multiply', (dy, _a, b) => tf.mul(dy, b), (dy, a) => tf.mul(dy, a)),
  binary('RealDiv', (dy, _a, b) => tf.div(dy, b), (dy, a, b) => tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))),
  binary('Maximum', (dy, a, b) => tf.mul(dy, f(tf.greaterEqual(a, b))), (dy, a, b) => tf.mul(dy, f(tf.less(a, b)))),
  binary('Minimum', (dy, a, b) => tf.mul(dy, f(tf.lessEqual(a, b))), (dy, a, b) => tf.mul(dy, f(tf.greater(a, b)))),
  binary('SquaredDifference', (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(a, b))), (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(b, a)))),
  {
    kernelName: 'AddN', saveAllInputs: true,
    gradFunc: (dy, saved) => Object.fromEntries(saved.map((_, i) => [String(i), () => tf.clone(dy as G)])),
  },
  unary('Neg', (dy) => tf.neg(dy)),
  unary('Identity', (dy) => dy),
  unary('Cast', (dy) => dy),
  unary('Square', (dy, x) => tf.mul(dy, tf.mul(2, x))),
  unary('Sqrt', (dy, _x, y) => tf.div(dy, tf.mul(2, y)), true),
  unary('Rsqrt', (dy, x, y) => tf.neg(tf.div(tf.mul(dy, tf.mul(0.5, y)), x)), true),
  unary('Exp', (dy, _x, y) => tf.mul(dy, y), true),
  unary('Log', (dy, x) => tf.div(dy, x)),
  unary('Log1p', (dy, x) => tf.div(dy, tf.add(x, 1))),
  unary('Abs', (dy, x) => tf.mul(dy, tf.sign(x))),
  unary('Relu', (dy, x) => tf.mul(dy, tf.step(x))),
  unary('Relu6', (dy, x) => tf.mul(dy, f(tf.logicalAnd(tf.greater(x, 0), tf.less(x, 6))))),
  unary('LeakyRelu', (dy, x, _y, a) => tf.mul(dy, tf.where(tf.greater(x, 0), tf.onesLike(x), tf.fill(x.shape, Number(a['alpha']))))),
  unary('Elu', (dy, x, y) => tf.mul(dy, tf.where(tf.greater(x, 0), tf.onesLike(x), tf.add(y, 1))), true),
  unary('Sigmoid', (dy, _x, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y))), true),
  unary('Tanh', (dy, _x, y) => tf.mul(dy, tf.sub(1, tf.square(y))), true),
  unary('Softplus', (dy, x) => tf.mul(dy, tf.sigmoid(x))),
  unary('Erf', (dy, x) => tf.mul(dy, tf.mul(2 / Math.sqrt(Math.PI), tf.exp(tf.neg(tf.square(x)))))),
  unary('Step', (dy) => tf.zerosLike(dy)),
  unary('Sign', (dy) => tf.zerosLike(dy)),
  unary('ClipByValue', (dy, x, _y, a) =>
    tf.mul(dy, f(tf.logicalAnd(tf.greaterEqual(x, Number(a['clipValueMin'])), tf.lessEqual(x, Number(a['clipValueMax'])))))),
  unary('Softmax', (dy, _x, y) => tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), -1, true))), true, 'logits'),
  unary('Reshape', (dy, x) => tf.reshape(dy, x.shape)),
  unary('Transpose', (dy, _x, _y, a) => {
    const perm = a['perm'] as number[];
    const inv = perm.map((_, i) => perm.indexOf(i));
    return tf.transpose(dy, inv);
  }),
  unary('Sum', (dy, x, _y, a) => expandReduced(dy, x.shape, a['axis'])),
  unary('Mean', (dy, x, _y, a) => {
    const axes = axesOf(a['axis'], x.rank);
    const count = axes.reduce((n, i) => n * x.shape[i]!, 1);
    return tf.div(expandReduced(dy, x.shape, a['axis']), count);
  }),
  {
    kernelName: 'Concat', saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const xs = saved as G[];
      const d = dy as G;
      const axis = axesOf((attrs as Record<string, unknown>)['axis'], d.rank)[0]!;
      const sizes = xs.map((x) => x.shape[axis]!);
      const parts = tf.split(d, sizes, axis);
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  },
  {
    kernelName: 'Select', inputsToSave: ['condition'],
    gradFunc: (dy, saved) => {
      const c = saved[0] as G;
      const d = dy as G;
      return {
        condition: () => tf.zerosLike(c),
        t: () => tf.where(c, d, tf.zerosLike(d)),
        e: () => tf.where(c, tf.zerosLike(d), d),
      };
    },
  },
  {
    kernelName: 'MaxPool', inputsToSave: ['x'], outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, y] = saved as [G, G];
      const a = attrs as unknown as { filterSize: number; strides: number; pad: string; dimRoundingMode?: string };
      return {
        x: () => tf.engine().runKernel('MaxPoolGrad', { dy: dy as G, input: x, output: y },
          { filterSize: a.filterSize, strides: a.strides, pad: a.pad, ...(a.dimRoundingMode ? { dimRoundingMode: a.dimRoundingMode } : {}) }) as G,
      };
    },
  },
  {
    kernelName: 'AvgPool', inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0] as G;
      const a = attrs as unknown as { filterSize: number; strides: number; pad: string };
      return {
        x: () => tf.engine().runKernel('AvgPoolGrad', { dy: dy as G, input: x },
          { filterSize: a.filterSize, strides: a.strides, pad: a.pad }) as G,
      };
    },
  },
];

let registered = false;

/** Registers the runtime's gradients (idempotent; skips kernels that already have one). */
export function registerGradients(): void {
  if (registered) return;
  registered = true;
  for (const c of configs) if (!tf.getGradient(c.kernelName)) tf.registerGradient(c);
}
