/**
 * Turns the nodes of a {@link GraphBuilder} into the body of a FunctionDef.
 * Inside a function, a node output is named `node:output_arg:index` (the
 * op's OpDef output argument name), and function arguments by their bare name.
 */
import { errorsFor } from '@tfsave/core';
import type { tensorflow } from '@tfsave/protos';

const fail = errorsFor('saved-model');

/** The (single) output argument name of each op the writer emits, from the ops' OpDefs. */
export const OUTPUT_ARG: Readonly<Record<string, string>> = {
  MatMul: 'product', BiasAdd: 'output', Conv2D: 'output', MaxPool: 'output', AvgPool: 'output', Mean: 'output', Max: 'output',
  Reshape: 'output', Identity: 'output', Const: 'output', ClipByValue: 'output', ReadVariableOp: 'value',
  Relu: 'activations', Relu6: 'activations', LeakyRelu: 'activations', Elu: 'activations', Selu: 'activations', Softplus: 'activations', Softsign: 'activations',
  Sigmoid: 'y', Tanh: 'y', Exp: 'y', Erf: 'y', Rsqrt: 'y', Neg: 'y', Softmax: 'softmax', LogSoftmax: 'logsoftmax',
  Mul: 'z', AddV2: 'z', Sub: 'z', SquaredDifference: 'z', Cast: 'y', GatherV2: 'output', ConcatV2: 'output', Maximum: 'z', Minimum: 'z', RealDiv: 'z',
};

/**
 * Rewrites graph-style inputs (`node:0`) of `nodes` to function-body form
 * (`node:product:0`); inputs without a colon are function arguments and stay as they are.
 * @throws FormatError (`unsupported`) for an op missing from {@link OUTPUT_ARG}.
 */
export function toFunctionBody(nodes: readonly tensorflow.INodeDef[]): tensorflow.INodeDef[] {
  const ops = new Map(nodes.map((n) => [n.name ?? '', n.op ?? '']));
  return nodes.map((n) => ({ ...n, input: (n.input ?? []).map((i) => functionTensorName(i, ops)) }));
}

/** The function-body name of graph tensor `name` (`node:k` → `node:<output_arg>:k`). */
export function functionTensorName(name: string, ops: ReadonlyMap<string, string>): string {
  const colon = name.lastIndexOf(':');
  if (colon < 0 || name.startsWith('^')) return name;
  const node = name.slice(0, colon);
  const op = ops.get(node);
  const arg = op === undefined ? undefined : OUTPUT_ARG[op];
  if (arg === undefined) throw fail.unsupported(`no output argument name known for op ${op ?? '?'} of node ${node}`, 'function-body');
  return `${node}:${arg}:${name.slice(colon + 1)}`;
}
