/** Turns decoded SavedModel protos into plain-data summaries. Pure; never executes anything. */
import { dtypeFromCode } from '@tfsave/core';
import { int64ToBigInt, int64ToNumber, keras, tensorflow } from '@tfsave/protos';
import type {
  FingerprintSummary, FunctionArgSummary, FunctionSummary, KerasMetadataNode, MetaGraphSummary, ObjectSummary, Shape,
  SignatureSummary, TensorInfoSummary,
} from './summary-types.js';

/** Python name of a DataType code (`float32`), folding `_REF` types; `DT_<n>` when unknown. */
export function dtypeName(code: number | null | undefined): string {
  const c = code ?? 0;
  return dtypeFromCode(c >= 100 ? c - 100 : c)?.name ?? `DT_${c}`;
}

/** TensorFlow's enum name of a DataType code (`DT_FLOAT`). */
export function dtypeEnumName(code: number | null | undefined): string {
  const c = code ?? 0;
  return (tensorflow.DataType as unknown as Record<number, string>)[c] ?? `DT_${c}`;
}

/** A TensorShapeProto as numbers (-1 unknown); null for unknown rank. */
export function shapeOf(shape: tensorflow.ITensorShapeProto | null | undefined): Shape {
  if (shape === null || shape === undefined) return null;
  if (shape.unknown_rank === true) return null;
  return (shape.dim ?? []).map((d) => int64ToNumber(d.size));
}

function tensorInfo(info: tensorflow.ITensorInfo): TensorInfoSummary {
  const encoding = info.coo_sparse ? 'coo_sparse' : info.composite_tensor ? 'composite' : 'dense';
  const name = info.name ?? info.coo_sparse?.values_tensor_name ?? '';
  return { name, encoding, dtype: dtypeName(info.dtype), dtypeEnum: dtypeEnumName(info.dtype), shape: shapeOf(info.tensor_shape) };
}

function signature(key: string, sig: tensorflow.ISignatureDef): SignatureSummary {
  const map = (m: Record<string, tensorflow.ITensorInfo> | null | undefined) =>
    Object.fromEntries(Object.keys(m ?? {}).sort().map((k) => [k, tensorInfo(m![k]!)]));
  return { key, methodName: sig.method_name ?? '', inputs: map(sig.inputs), outputs: map(sig.outputs) };
}

function arg(a: tensorflow.OpDef.IArgDef): FunctionArgSummary {
  return { name: a.name ?? '', dtype: a.type ? dtypeName(a.type) : (a.type_attr ?? a.type_list_attr ?? '') };
}

function functionSummary(f: tensorflow.IFunctionDef): FunctionSummary {
  const s = f.signature ?? {};
  return { name: s.name ?? '', inputs: (s.input_arg ?? []).map(arg), outputs: (s.output_arg ?? []).map(arg), nodeCount: f.node_def?.length ?? 0 };
}

/** Escapes one object-graph edge name the way checkpoint keys do ('.' -> '..', '/' -> '.S'). */
export function escapeLocalName(name: string): string {
  return name.replace(/\./g, '..').replace(/\//g, '.S');
}

/** Checkpoint key prefix of every object reachable from node 0 (breadth-first, first path wins). */
function objectPaths(nodes: readonly tensorflow.ISavedObject[]): Map<number, string> {
  const paths = new Map<number, string>([[0, '']]);
  const queue = [0];
  while (queue.length > 0) {
    const id = queue.shift()!;
    const base = paths.get(id)!;
    for (const c of nodes[id]?.children ?? []) {
      const child = c.node_id ?? 0;
      if (paths.has(child) || child < 0 || child >= nodes.length) continue;
      paths.set(child, base === '' ? escapeLocalName(c.local_name ?? '') : `${base}/${escapeLocalName(c.local_name ?? '')}`);
      queue.push(child);
    }
  }
  return paths;
}

const KINDS = ['user_object', 'asset', 'function', 'variable', 'bare_concrete_function', 'constant', 'resource', 'captured_tensor'] as const;

function objects(graph: tensorflow.ISavedObjectGraph): ObjectSummary[] {
  const nodes = graph.nodes ?? [];
  const paths = objectPaths(nodes);
  return nodes.map((n, id) => {
    const kind = KINDS.find((k) => n[k] !== null && n[k] !== undefined) ?? '';
    const out: { -readonly [K in keyof ObjectSummary]: ObjectSummary[K] } = {
      id, kind, children: (n.children ?? []).map((c) => ({ name: c.local_name ?? '', id: c.node_id ?? 0 })),
    };
    if (n.user_object) out.identifier = n.user_object.identifier ?? '';
    if (n.variable) {
      const p = paths.get(id);
      out.variable = {
        name: n.variable.name ?? '', dtype: dtypeName(n.variable.dtype), shape: shapeOf(n.variable.shape), trainable: n.variable.trainable === true,
        checkpointKey: p === undefined ? undefined : `${p}/.ATTRIBUTES/VARIABLE_VALUE`,
      };
    }
    if (n.function) out.concreteFunctions = n.function.concrete_functions ?? [];
    if (n.bare_concrete_function) out.concreteFunctions = [n.bare_concrete_function.concrete_function_name ?? ''];
    return out;
  });
}

/** Summarizes one MetaGraphDef. */
export function summarizeMetaGraph(mg: tensorflow.IMetaGraphDef): MetaGraphSummary {
  const info = mg.meta_info_def ?? {};
  const graph = mg.graph_def ?? {};
  const lib = graph.library?.function ?? [];
  const ops = new Set<string>();
  for (const n of graph.node ?? []) ops.add(n.op ?? '');
  for (const f of lib) for (const n of f.node_def ?? []) ops.add(n.op ?? '');
  const sigs = mg.signature_def ?? {};
  const saver = mg.saver_def;
  return {
    tags: info.tags ?? [],
    tensorflowVersion: info.tensorflow_version ?? '',
    tensorflowGitVersion: info.tensorflow_git_version ?? '',
    graphProducer: graph.versions?.producer ?? 0,
    signatures: Object.keys(sigs).sort().map((k) => signature(k, sigs[k]!)),
    functions: lib.map(functionSummary),
    nodeCount: graph.node?.length ?? 0,
    ops: [...ops].filter((o) => o !== '').sort(),
    objects: mg.object_graph_def ? objects(mg.object_graph_def) : undefined,
    assets: (mg.asset_file_def ?? []).map((a) => ({ filename: a.filename ?? '', tensorName: a.tensor_info?.name ?? '' })),
    saver: saver ? { filenameTensorName: saver.filename_tensor_name ?? '', restoreOpName: saver.restore_op_name ?? '', version: saver.version ?? 0 } : undefined,
  };
}

/** Parses the nodes of `keras_metadata.pb`, decoding each metadata JSON. */
export function summarizeKerasMetadata(md: keras.ISavedMetadata): KerasMetadataNode[] {
  return (md.nodes ?? []).map((n) => {
    let metadata: unknown = n.metadata ?? '';
    try {
      metadata = JSON.parse(n.metadata ?? '');
    } catch {
      /* keep the raw text */
    }
    return { nodeId: n.node_id ?? 0, nodePath: n.node_path ?? '', identifier: n.identifier ?? '', metadata };
  });
}

/** Summarizes `fingerprint.pb`. */
export function summarizeFingerprint(f: tensorflow.IFingerprintDef): FingerprintSummary {
  const u = (v: Parameters<typeof int64ToBigInt>[0]) => int64ToBigInt(v, true).toString();
  return {
    savedModelChecksum: u(f.saved_model_checksum), graphDefProgramHash: u(f.graph_def_program_hash), signatureDefHash: u(f.signature_def_hash),
    savedObjectGraphHash: u(f.saved_object_graph_hash), checkpointHash: u(f.checkpoint_hash), uuid: f.uuid ?? '', producer: f.version?.producer ?? 0,
  };
}
