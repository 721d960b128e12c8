/** A small builder of GraphDef nodes with the attrs TensorFlow's kernels need. */
import { tensorflow } from '@tfsave/protos';

const DT_FLOAT = 1;
const DT_INT32 = 3;

/** A tensor produced in the graph: its `node:output` name and static shape (without batch; null = unknown). */
export interface GraphTensor {
  readonly name: string;
  /** Shape excluding the batch dimension. */
  readonly shape: readonly number[];
  /** DataType code; undefined means float32 (every layer output). */
  readonly dtype?: number;
}

type Attr = tensorflow.IAttrValue;

/** Attr value helpers. */
export const attr = {
  type: (t: number): Attr => ({ type: t }),
  i: (v: number): Attr => ({ i: v }),
  f: (v: number): Attr => ({ f: v }),
  b: (v: boolean): Attr => ({ b: v }),
  s: (v: string): Attr => ({ s: new TextEncoder().encode(v) }),
  ints: (v: readonly number[]): Attr => ({ list: { i: [...v] } }),
  shape: (dims: readonly number[]): Attr => ({ shape: { dim: dims.map((size) => ({ size })) } }),
};

/** Turns one layer weight into a tensor of the graph (a `Const`, or a `ReadVariableOp` of a captured variable). */
export type WeightHook = (g: GraphBuilder, layer: string, role: string, data: Float32Array, shape: readonly number[]) => string;

/** Collects nodes with unique names. */
export class GraphBuilder {
  readonly nodes: tensorflow.INodeDef[] = [];
  private readonly used = new Set<string>();

  /** @param weightHook how {@link weight} materializes layer weights; default: folded into `Const` nodes. */
  constructor(private readonly weightHook?: WeightHook) {}

  /** The tensor of weight `role` of `layer` (see {@link WeightHook}). */
  weight(layer: string, role: string, data: Float32Array, shape: readonly number[]): string {
    return this.weightHook !== undefined ? this.weightHook(this, layer, role, data, shape) : this.constFloat(`${layer}/${role}`, data, shape);
  }

  /** A unique node name from `base` (`dense/MatMul`, `dense/MatMul_1`, …). */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node and returns its first output's tensor name. */
  op(name: string, op: string, inputs: readonly string[], attrs: Record<string, Attr>): string {
    const unique = this.unique(name);
    const sorted: Record<string, Attr> = {};
    for (const k of Object.keys(attrs).sort()) sorted[k] = attrs[k]!;
    this.nodes.push({ name: unique, op, input: [...inputs], attr: sorted });
    return `${unique}:0`;
  }

  /** A float32 Const holding `data` with `shape` (bytes in tensor_content, little-endian). */
  constFloat(name: string, data: Float32Array, shape: readonly number[]): string {
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    data.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.op(name, 'Const', [], {
      dtype: attr.type(DT_FLOAT),
      value: { tensor: { dtype: DT_FLOAT, tensor_shape: { dim: shape.map((size) => ({ size })) }, tensor_content: bytes } },
    });
  }

  /** An int32 Const: a vector by default, or of `shape` (`[]` for a scalar). */
  constInt(name: string, values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.op(name, 'Const', [], {
      dtype: attr.type(DT_INT32),
      value: { tensor: { dtype: DT_INT32, tensor_shape: { dim: shape.map((size) => ({ size })) }, int_val: [...values] } },
    });
  }

  /** Casts `x` of DataType `from` to float32 (returns `x` itself when it is float32 already). */
  castToFloat(name: string, x: string, from: number): string {
    return from === DT_FLOAT ? x : this.op(name, 'Cast', [x], { DstT: attr.type(DT_FLOAT), SrcT: attr.type(from), Truncate: attr.b(false) });
  }

  /** A float32 unary or binary op with `T = float`. */
  float(name: string, op: string, inputs: readonly string[], extra: Record<string, Attr> = {}): string {
    return this.op(name, op, inputs, { T: attr.type(DT_FLOAT), ...extra });
  }
}

export { DT_FLOAT, DT_INT32 };
