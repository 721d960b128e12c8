/** Keras merge layers (several inbound tensors) as graph ops, float32, channels-last. */
import { errorsFor } from '@tfsave/core';
import { DT_FLOAT, DT_INT32, attr, type GraphBuilder, type GraphTensor } from './graph-builder.js';
import type { LayerSpec } from './model-spec.js';

const fail = errorsFor('saved-model');

/** Merge layer classes the writer can export. */
export const MERGE_LAYERS: readonly string[] = ['Concatenate', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'];

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Appends merge layer `spec` over `xs` (already float32). Elementwise merges need equal shapes
 * (no broadcasting); `Concatenate` joins on the last axis.
 * @throws FormatError (`unsupported`) naming the layer otherwise.
 */
export function addMergeLayer(g: GraphBuilder, spec: LayerSpec, name: string, xs: readonly GraphTensor[]): GraphTensor {
  const bad = (what: string) => fail.unsupported(`layer ${name}: ${what}`, 'layer');
  if (xs.length < 2) throw bad(`${spec.class_name} needs at least 2 inputs, got ${xs.length}`);
  const first = xs[0]!;
  if (spec.class_name === 'Concatenate') {
    const rank = first.shape.length;
    const axis = spec.config['axis'] ?? -1;
    if (axis !== -1 && axis !== rank) throw bad(`Concatenate over axis ${String(axis)} (only the last axis)`);
    for (const x of xs) if (x.shape.length !== rank || !same(x.shape.slice(0, -1), first.shape.slice(0, -1))) throw bad(`cannot concatenate [${x.shape.join(', ')}] with [${first.shape.join(', ')}]`);
    const y = g.op(`${name}/concat`, 'ConcatV2', [...xs.map((x) => x.name), g.constInt(`${name}/concat/axis`, [-1], [])], { N: attr.i(xs.length), T: attr.type(DT_FLOAT), Tidx: attr.type(DT_INT32) });
    return { name: y, shape: [...first.shape.slice(0, -1), xs.reduce((n, x) => n + x.shape[rank - 1]!, 0)] };
  }
  for (const x of xs) if (!same(x.shape, first.shape)) throw bad(`${spec.class_name} of shapes [${x.shape.join(', ')}] and [${first.shape.join(', ')}] (no broadcasting)`);
  const fold = (op: string, base: string) => xs.slice(1).reduce((acc, x, i) => g.float(`${name}/${base}${i === 0 ? '' : `_${i}`}`, op, [acc, x.name]), first.name);
  switch (spec.class_name) {
    case 'Add': return { name: fold('AddV2', 'add'), shape: first.shape };
    case 'Multiply': return { name: fold('Mul', 'mul'), shape: first.shape };
    case 'Maximum': return { name: fold('Maximum', 'Maximum'), shape: first.shape };
    case 'Minimum': return { name: fold('Minimum', 'Minimum'), shape: first.shape };
    case 'Subtract':
      if (xs.length !== 2) throw bad(`Subtract needs exactly 2 inputs, got ${xs.length}`);
      return { name: g.float(`${name}/sub`, 'Sub', [first.name, xs[1]!.name]), shape: first.shape };
    case 'Average': {
      const sum = fold('AddV2', 'add');
      return { name: g.float(`${name}/truediv`, 'RealDiv', [sum, g.constFloat(`${name}/truediv/y`, Float32Array.of(xs.length), [])]), shape: first.shape };
    }
    default:
      throw bad(`class ${spec.class_name} is not a merge layer`);
  }
}
