/** Keras activation names as graph ops (float32). */
import { errorsFor } from '@tfsave/core';
import type { GraphBuilder } from './graph-builder.js';

const fail = errorsFor('saved-model');

const UNARY: Readonly<Record<string, string>> = {
  relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softmax: 'Softmax', elu: 'Elu', selu: 'Selu', softplus: 'Softplus',
  softsign: 'Softsign', relu6: 'Relu6', exponential: 'Exp', log_softmax: 'LogSoftmax',
};

/** Activation names the writer can express. */
export const SUPPORTED_ACTIVATIONS: readonly string[] = ['linear', ...Object.keys(UNARY), 'swish', 'silu', 'gelu', 'hard_sigmoid', 'leaky_relu', 'mish'];

/**
 * Appends activation `name` to tensor `x` under scope `scope`.
 * `hard_sigmoid` follows tf_keras (clip(0.2x + 0.5, 0, 1)); `gelu` is the exact erf form (Keras default `approximate=False`);
 * `leaky_relu` is `tf.nn.leaky_relu` with its default alpha 0.2; `mish` is x·tanh(softplus(x)).
 * @throws FormatError (`unsupported`) naming the layer for any other activation.
 */
export function applyActivation(g: GraphBuilder, scope: string, x: string, name: string, layer: string): string {
  if (name === 'linear' || name === '' || name === 'None') return x;
  const op = UNARY[name];
  if (op !== undefined) return g.float(`${scope}/${op}`, op, [x]);
  const c = (v: number, tag: string) => g.constFloat(`${scope}/${tag}`, Float32Array.of(v), []);
  switch (name) {
    case 'swish':
    case 'silu': {
      const s = g.float(`${scope}/Sigmoid`, 'Sigmoid', [x]);
      return g.float(`${scope}/mul`, 'Mul', [x, s]);
    }
    case 'gelu': {
      const scaled = g.float(`${scope}/truediv`, 'Mul', [x, c(Math.SQRT1_2, 'inv_sqrt2')]);
      const erf = g.float(`${scope}/Erf`, 'Erf', [scaled]);
      const onePlus = g.float(`${scope}/add`, 'AddV2', [erf, c(1, 'one')]);
      const half = g.float(`${scope}/mul`, 'Mul', [x, c(0.5, 'half')]);
      return g.float(`${scope}/mul_1`, 'Mul', [half, onePlus]);
    }
    case 'leaky_relu':
      return g.float(`${scope}/LeakyRelu`, 'LeakyRelu', [x], { alpha: { f: 0.2 } });
    case 'mish': {
      const sp = g.float(`${scope}/Softplus`, 'Softplus', [x]);
      return g.float(`${scope}/mul`, 'Mul', [x, g.float(`${scope}/Tanh`, 'Tanh', [sp])]);
    }
    case 'hard_sigmoid': {
      const lin = g.float(`${scope}/add`, 'AddV2', [g.float(`${scope}/mul`, 'Mul', [x, c(0.2, 'slope')]), c(0.5, 'offset')]);
      return g.float(`${scope}/clip`, 'ClipByValue', [lin, c(0, 'zero'), c(1, 'one')]);
    }
    default:
      throw fail.unsupported(`layer ${layer}: activation '${name}' cannot be exported (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`, 'activation');
  }
}
