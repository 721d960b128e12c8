/** Text and JSON views of a read SavedModel, for `tfsave inspect`. */
import type { ParsedSavedModel } from './reader.js';
import { concreteFunctionLines, opsUsedByGraph } from './show-functions.js';
import type { SignatureSummary, TensorInfoSummary } from './summary-types.js';

function shapeText(info: TensorInfoSummary): string {
  if (info.shape === null) return 'unknown_rank';
  return info.shape.length === 1 ? `(${info.shape[0]})` : `(${info.shape.join(', ')})`;
}

function tensorLines(kind: 'inputs' | 'outputs', key: string, info: TensorInfoSummary): string[] {
  return [
    `    ${kind}['${key}'] tensor_info:`,
    `        dtype: ${info.dtypeEnum}`,
    `        shape: ${shapeText(info)}`,
    `        name: ${info.name}`,
  ];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byKey = (a: [string, unknown], b: [string, unknown]) => cmp(a[0], b[0]);

function signatureLines(sig: SignatureSummary): string[] {
  const out = [``, `signature_def['${sig.key}']:`, '  The given SavedModel SignatureDef contains the following input(s):'];
  for (const [k, v] of Object.entries(sig.inputs).sort(byKey)) out.push(...tensorLines('inputs', k, v));
  out.push('  The given SavedModel SignatureDef contains the following output(s):');
  for (const [k, v] of Object.entries(sig.outputs).sort(byKey)) out.push(...tensorLines('outputs', k, v));
  out.push(`  Method name is: ${sig.methodName}`);
  return out;
}

/**
 * The text of `saved_model_cli show --all`: per MetaGraph (by tags) its
 * signatures (by key) with dtypes, shapes and tensor names, and the ops line
 * (ops listed sorted; Python prints a set in hash order); then the TF2
 * "Concrete Functions" of the first object graph (see {@link concreteFunctionLines}).
 */
export function formatShowAll(model: ParsedSavedModel): string {
  const out: string[] = [];
  const order = model.metaGraphs.map((mg, i) => ({ mg, proto: model.proto.meta_graphs[i]! }));
  order.sort((a, b) => cmp(JSON.stringify(a.mg.tags), JSON.stringify(b.mg.tags)));
  for (const { mg, proto } of order) {
    out.push('', `MetaGraphDef with tag-set: '${mg.tags.join(', ')}' contains the following SignatureDefs:`);
    for (const sig of [...mg.signatures].sort((a, b) => cmp(a.key, b.key))) out.push(...signatureLines(sig));
    const ops = opsUsedByGraph(proto.graph_def ?? {});
    out.push(`The MetaGraph with tag set [${mg.tags.map((t) => `'${t}'`).join(', ')}] contains the following ops: ${ops.length === 0 ? 'set()' : `{${ops.map((o) => `'${o}'`).join(', ')}}`}`);
  }
  const withObjects = model.proto.meta_graphs.find((m) => m.object_graph_def != null);
  if (withObjects !== undefined) out.push(...concreteFunctionLines(withObjects));
  return out.join('\n') + '\n';
}

/** The `--json` shape of `tfsave inspect` for a SavedModel. */
export interface SavedModelInspectJson<E> {
  readonly format: 'saved-model';
  /** Signatures of every MetaGraph, keyed by signature key (prefixed by the tag set when there are several MetaGraphs). */
  readonly signatures: Record<string, { method_name: string; inputs: Record<string, JsonTensor>; outputs: Record<string, JsonTensor> }>;
  /** `variables/` entries in the tensor-bundle JSON contract (passed through). */
  readonly entries: readonly E[];
}

/** One signature tensor in {@link SavedModelInspectJson}. */
export interface JsonTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[] | null;
}

/** Builds the `{format, signatures, entries}` JSON of `tfsave inspect --json`. */
export function toInspectJson<E>(model: ParsedSavedModel, entries: readonly E[] = []): SavedModelInspectJson<E> {
  const signatures: SavedModelInspectJson<E>['signatures'] = {};
  const many = model.metaGraphs.length > 1;
  for (const mg of model.metaGraphs) {
    for (const sig of mg.signatures) {
      const conv = (m: Readonly<Record<string, TensorInfoSummary>>) =>
        Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { name: v.name, dtype: v.dtype, shape: v.shape }]));
      signatures[many ? `${mg.tags.join(',')}/${sig.key}` : sig.key] = { method_name: sig.methodName, inputs: conv(sig.inputs), outputs: conv(sig.outputs) };
    }
  }
  return { format: 'saved-model', signatures, entries };
}
