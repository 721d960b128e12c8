/**
 * Standalone TF1 MetaGraphDef files (`model.ckpt.meta`, `export.meta`) through
 * `@tfsave/saved-model`: the summary TF users look for (versions, tags, node
 * count, ops, collections, SaverDef, signatures, the graph's variables) and the
 * graph's `Const` tensors as entries.
 */
import { isFormatError } from '@tfsave/core';
import { dtypeName, formatShowAll, parseMetaGraph, shapeOf, toInspectJson, type ParsedMetaGraph, type ParsedSavedModel } from '@tfsave/saved-model';
import type { Opener } from '../context.js';
import type { DetailSection, OpenedFile, TensorEntry } from '../model.js';
import { formatShape } from '../values.js';
import { decodeAs, readProtoFile } from './proto-file.js';
import { decodableDtype, decodeTensorProto, tensorProtoByteSize, tensorShape, type NodeProto } from './tensor-proto.js';
import { textTable, wrapList } from './text-table.js';

/** Graph ops that create a variable. */
export const VARIABLE_OPS: ReadonlySet<string> = new Set(['Variable', 'VariableV2', 'VarHandleOp', 'AutoReloadVariable']);

const COLLECTION_KINDS = ['node_list', 'bytes_list', 'int64_list', 'float_list', 'any_list'] as const;
const SAVER_VERSIONS = ['LEGACY', 'V1', 'V2'];

/** A `*.meta` file as the JSON of `inspect --json` describes it (wire names kept), without `entries`. */
export interface MetaGraphJson {
  readonly format: 'meta-graph';
  readonly tensorflow_version: string;
  readonly tensorflow_git_version: string;
  readonly tags: readonly string[];
  readonly node_count: number;
  readonly function_count: number;
  /** Distinct op types of the graph and its function library, sorted. */
  readonly ops: readonly string[];
  /** By key (sorted): which list the collection holds and how many values. */
  readonly collections: Readonly<Record<string, { kind: string; size: number }>>;
  readonly saver_def: {
    filename_tensor_name: string; save_tensor_name: string; restore_op_name: string; max_to_keep: number;
    sharded: boolean; keep_checkpoint_every_n_hours: number; version: string;
  } | null;
  readonly signatures: ReturnType<typeof toInspectJson>['signatures'];
  /** Nodes whose op creates a variable, in graph order; `shape` null for unknown rank. */
  readonly variables: ReadonlyArray<{ name: string; op: string; dtype: string; shape: number[] | null }>;
}

/** The summary of a parsed `.meta` file (pure). */
export function metaGraphJson(parsed: ParsedMetaGraph): MetaGraphJson {
  const mg = parsed.proto;
  const s = parsed.summary;
  const collections: Record<string, { kind: string; size: number }> = {};
  for (const key of [...parsed.collectionKeys].sort()) {
    const c = mg.collection_def[key]!;
    const kind = COLLECTION_KINDS.find((k) => c[k] !== null && c[k] !== undefined);
    collections[key] = { kind: kind ?? 'none', size: kind === undefined ? 0 : (c[kind]!.value ?? []).length };
  }
  const sd = mg.saver_def;
  const nodes = mg.graph_def?.node ?? [];
  return {
    format: 'meta-graph',
    tensorflow_version: s.tensorflowVersion,
    tensorflow_git_version: s.tensorflowGitVersion,
    tags: [...s.tags],
    node_count: s.nodeCount,
    function_count: s.functions.length,
    ops: [...s.ops],
    collections,
    saver_def: sd === null || sd === undefined ? null : {
      filename_tensor_name: sd.filename_tensor_name ?? '',
      save_tensor_name: sd.save_tensor_name ?? '',
      restore_op_name: sd.restore_op_name ?? '',
      max_to_keep: sd.max_to_keep ?? 0,
      sharded: sd.sharded === true,
      keep_checkpoint_every_n_hours: sd.keep_checkpoint_every_n_hours ?? 0,
      version: SAVER_VERSIONS[sd.version ?? 0] ?? `VERSION_${sd.version}`,
    },
    signatures: toInspectJson(asSavedModel(parsed)).signatures,
    variables: nodes.filter((n) => VARIABLE_OPS.has(n.op ?? '')).map((n) => ({
      name: n.name ?? '', op: n.op ?? '', dtype: dtypeName(n.attr?.['dtype']?.type), shape: shapeOf(n.attr?.['shape']?.shape),
    })),
  };
}

/** The MetaGraph wrapped as a one-MetaGraph SavedModel, so the SavedModel signature listing applies to it. */
function asSavedModel(parsed: ParsedMetaGraph): ParsedSavedModel {
  return { schemaVersion: 1, metaGraphs: [parsed.summary], proto: { meta_graphs: [parsed.proto] } as unknown as ParsedSavedModel['proto'] };
}

/** The readable sections of a `.meta` file. */
export function metaGraphSections(parsed: ParsedMetaGraph, j: MetaGraphJson = metaGraphJson(parsed), skippedConsts = 0): DetailSection[] {
  const sections: DetailSection[] = [];
  sections.push({
    title: 'MetaGraph',
    lines: [
      `tensorflow_version: ${j.tensorflow_version || '?'}  git: ${j.tensorflow_git_version || '?'}  tags: ${j.tags.length === 0 ? '(none)' : j.tags.join(', ')}`,
      `graph: ${j.node_count} nodes, ${j.function_count} functions, producer ${parsed.summary.graphProducer}`,
      `ops (${j.ops.length}):`,
      ...wrapList(j.ops).map((l) => `  ${l}`),
      ...(skippedConsts > 0 ? [`${skippedConsts} Const nodes of dtypes without a decoder are not listed as tensors`] : []),
    ],
  });
  const coll = Object.entries(j.collections);
  sections.push({ title: `Collections (${coll.length})`, lines: coll.length === 0 ? ['(none)'] : textTable(['key', 'kind', 'size'], coll.map(([k, c]) => [k, c.kind, String(c.size)])) });
  const sd = j.saver_def;
  sections.push({
    title: 'Saver (saver_def)',
    lines: sd === null ? ['(none)'] : [
      `filename_tensor_name: ${sd.filename_tensor_name}`,
      `save_tensor_name: ${sd.save_tensor_name}`,
      `restore_op_name: ${sd.restore_op_name}`,
      `sharded: ${sd.sharded}  version: ${sd.version}  max_to_keep: ${sd.max_to_keep}  keep_checkpoint_every_n_hours: ${sd.keep_checkpoint_every_n_hours}`,
    ],
  });
  sections.push(parsed.summary.signatures.length === 0
    ? { title: 'Signatures', lines: ['(none)'] }
    : { title: 'Signatures (saved_model_cli show --all)', lines: formatShowAll(asSavedModel(parsed)).trimEnd().split('\n') });
  sections.push({
    title: `Variables (${j.variables.length} graph nodes)`,
    lines: j.variables.length === 0 ? ['(none)'] : textTable(['name', 'op', 'dtype', 'shape'], j.variables.map((v) => [v.name, v.op, v.dtype, v.shape === null ? '<unknown>' : formatShape(v.shape)])),
  });
  return sections;
}

function constEntry(node: NodeProto, display: string): TensorEntry | undefined {
  const t = node.attr?.['value']?.tensor;
  if (t === null || t === undefined || decodableDtype(t) === undefined) return undefined;
  const name = node.name ?? '';
  return {
    name,
    dtype: decodableDtype(t)!.name,
    shape: tensorShape(t),
    byteSize: tensorProtoByteSize(t),
    async read() {
      try {
        return decodeTensorProto(t, name);
      } catch (e) {
        throw isFormatError(e) ? e.withPath(display) : e;
      }
    },
  };
}

/** The CLI opener for `meta-graph` inputs (`*.meta`). */
export const openMetaGraph: Opener = async (located) => {
  const bytes = await readProtoFile(located);
  const parsed = decodeAs('meta-graph', 'a tensorflow.MetaGraphDef (TF1 .meta file)', bytes, located.display, (b) => parseMetaGraph(b));
  const consts = (parsed.proto.graph_def?.node ?? []).filter((n) => n.op === 'Const');
  const entries = consts.map((n) => constEntry(n, located.display)).filter((e): e is TensorEntry => e !== undefined);
  const j = metaGraphJson(parsed);
  const file: OpenedFile = {
    format: 'meta-graph',
    name: located.display,
    entries,
    entriesTitle: 'Tensors (Const nodes)',
    json: { ...j },
    sections: metaGraphSections(parsed, j, consts.length - entries.length),
    async verify(progress) {
      for (const e of entries) {
        await e.read();
        progress.advance(e.byteSize ?? 0);
      }
    },
    async close() {},
  };
  return file;
};
