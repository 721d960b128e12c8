/**
 * The parts of `saved_model_cli show --all` beyond signatures: the ops line of
 * each MetaGraph and the TF2 "Concrete Functions" listing, rebuilt from the
 * object graph without loading anything. Python values are printed as Python
 * prints them (reprs, `DType:`/`Value:` lines, the CLI's `\b\b` list endings).
 * Upstream: tensorflow/python/tools/saved_model_cli.py (`_show_defined_functions`, `_print_args`).
 */
import { dtypeFromCode } from '@tfsave/core';
import { int64ToNumber, type tensorflow } from '@tfsave/protos';
import { loadedFunctionNames } from './load-order.js';

/** Op types reachable from the graph (through call ops into library functions), as `ops_used_by_graph_def` finds them. */
export function opsUsedByGraph(graph: tensorflow.IGraphDef): string[] {
  const fns = new Map((graph.library?.function ?? []).map((f) => [f.signature?.name ?? '', f]));
  const used = new Set<string>();
  const queue: tensorflow.IFunctionDef[] = [];
  const mark = (op: string) => {
    const f = fns.get(op);
    if (!used.has(op) && f !== undefined) queue.push(f);
    used.add(op);
  };
  const visit = (n: tensorflow.INodeDef) => {
    mark(n.op ?? '');
    if (n.op === 'PartitionedCall' || n.op === 'StatefulPartitionedCall') mark(n.attr?.['f']?.func?.name ?? '');
  };
  for (const n of graph.node ?? []) visit(n);
  for (let f = queue.pop(); f !== undefined; f = queue.pop()) for (const n of f.node_def ?? []) visit(n);
  return [...used].filter((op) => !fns.has(op)).sort();
}

/** Python `repr` of a str. */
export function pyStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  return q + s.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`).replace(/\n/g, '\\n') + q;
}

function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
  return String(x).replace(/e([+-])(\d)$/, 'e$10$2');
}

function pyShape(s: tensorflow.ITensorShapeProto | null | undefined): string {
  if (s == null || s.unknown_rank === true) return '<unknown>';
  const dims = (s.dim ?? []).map((d) => { const n = int64ToNumber(d.size); return n < 0 ? 'None' : String(n); });
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

const pyDtype = (code: number | null | undefined) => `tf.${dtypeFromCode(code ?? 0)?.name ?? 'invalid'}`;

/** A decoded `StructuredValue` leaf or container, as Python sees it after loading. */
type Py =
  | { t: 'NoneType' } | { t: 'bool'; v: boolean } | { t: 'int'; v: string } | { t: 'float'; v: number } | { t: 'str'; v: string }
  | { t: 'list' | 'tuple'; items: Py[] } | { t: 'dict'; entries: Array<[string, Py]> } | { t: 'TensorSpec'; name: string | null; repr: string } | { t: 'other'; repr: string };

function fromStructured(v: tensorflow.IStructuredValue | null | undefined): Py {
  if (v == null || v.none_value != null) return { t: 'NoneType' };
  if (v.bool_value != null) return { t: 'bool', v: v.bool_value };
  if (v.int64_value != null) return { t: 'int', v: String(v.int64_value) };
  if (v.float64_value != null) return { t: 'float', v: v.float64_value };
  if (v.string_value != null) return { t: 'str', v: v.string_value };
  if (v.list_value != null) return { t: 'list', items: (v.list_value.values ?? []).map(fromStructured) };
  if (v.tuple_value != null) return { t: 'tuple', items: (v.tuple_value.values ?? []).map(fromStructured) };
  if (v.dict_value != null) return { t: 'dict', entries: Object.keys(v.dict_value.fields ?? {}).sort().map((k) => [k, fromStructured(v.dict_value!.fields![k])]) };
  if (v.tensor_spec_value != null) {
    const s = v.tensor_spec_value;
    const name = s.name ? s.name : null;
    return { t: 'TensorSpec', name, repr: `TensorSpec(shape=${pyShape(s.shape)}, dtype=${pyDtype(s.dtype)}, name=${name === null ? 'None' : pyStr(name)})` };
  }
  if (v.tensor_shape_value != null) return { t: 'other', repr: `TensorShape(${pyShape(v.tensor_shape_value)})` };
  if (v.tensor_dtype_value != null) return { t: 'other', repr: pyDtype(v.tensor_dtype_value) };
  return { t: 'other', repr: '<unsupported structured value>' };
}

function pyRepr(p: Py): string {
  switch (p.t) {
    case 'NoneType': return 'None';
    case 'bool': return p.v ? 'True' : 'False';
    case 'int': return p.v;
    case 'float': return pyFloat(p.v);
    case 'str': return pyStr(p.v);
    case 'list': return `[${p.items.map(pyRepr).join(', ')}]`;
    case 'tuple': return p.items.length === 1 ? `(${pyRepr(p.items[0]!)},)` : `(${p.items.map(pyRepr).join(', ')})`;
    case 'dict': return `{${p.entries.map(([k, v]) => `${pyStr(k)}: ${pyRepr(v)}`).join(', ')}}`;
    default: return p.repr;
  }
}

/** Python `str()`: reprs except for str itself. */
const pyText = (p: Py) => (p.t === 'str' ? p.v : pyRepr(p));

function argLines(args: readonly Py[], kind: string): string[] {
  const ind = '        ';
  const out: string[] = [];
  args.forEach((a, i) => {
    out.push(`${ind}${kind} #${i + 1}`);
    if (a.t === 'str') out.push(`${ind}  ${a.v}`);
    else if (a.t === 'TensorSpec') out.push(`          ${a.name ?? 'None'}: ${a.repr}`);
    else if (a.t === 'list' || a.t === 'tuple') out.push(`${ind}  DType: ${a.t}`, `${ind}  Value: [${a.items.map((x) => `${pyRepr(x)}, `).join('')}\b\b]`);
    else if (a.t === 'dict') out.push(`${ind}  DType: dict`, `${ind}  Value: {${a.entries.map(([k, v]) => `'${k}': ${pyRepr(v)}, `).join('')}\b\b}`);
    else out.push(`${ind}  DType: ${a.t === 'other' ? 'object' : a.t}`, `${ind}  Value: ${pyText(a)}`);
  });
  return out;
}

/**
 * The "Concrete Functions:" section of `saved_model_cli show --all` for a MetaGraph's object graph
 * (root children that are functions, by name; each concrete function's input signature).
 * Options are numbered in the order TensorFlow's loader re-creates the functions ({@link loadedFunctionNames}),
 * which is the CLI's order whenever the uids its process hands out have equal widths.
 * Returns no lines when there is no object graph.
 */
export function concreteFunctionLines(mg: tensorflow.IMetaGraphDef): string[] {
  const og = mg.object_graph_def;
  if (og == null) return [];
  const nodes = og.nodes ?? [];
  const out = ['', 'Concrete Functions:'];
  const children = [...(nodes[0]?.children ?? [])].sort((a, b) => ((a.local_name ?? '') < (b.local_name ?? '') ? -1 : (a.local_name ?? '') > (b.local_name ?? '') ? 1 : 0));
  // saved_model_cli lists a function's concrete functions sorted by the names the loader gives them
  const loaded = loadedFunctionNames(mg.graph_def?.library);
  const byLoadedName = (a: string, b: string): number => {
    const [x, y] = [loaded.get(a) ?? a, loaded.get(b) ?? b];
    return x < y ? -1 : x > y ? 1 : 0;
  };
  let first = true;
  for (const child of children) {
    const node = nodes[child.node_id ?? 0];
    let fns: string[];
    if (node?.function != null) fns = [...(node.function.concrete_functions ?? [])];
    else if (node?.bare_concrete_function != null) fns = [node.bare_concrete_function.concrete_function_name ?? ''];
    else continue;
    if (!first) out.push('');
    first = false;
    out.push(`  Function Name: '${child.local_name ?? ''}'`);
    fns.sort(byLoadedName).forEach((name, i) => {
      const cf = og.concrete_functions?.[name];
      const sig = cf?.canonicalized_input_signature;
      let args: Py[] = [], kwargs: Py[] = [];
      if (sig?.tuple_value != null) {
        const [a, k] = (sig.tuple_value.values ?? []).map(fromStructured);
        args = a !== undefined && (a.t === 'tuple' || a.t === 'list') ? a.items : [];
        kwargs = k !== undefined && k.t === 'dict' ? k.entries.map(([key]) => ({ t: 'str', v: key })) : [];
      } else if (node?.bare_concrete_function != null) args = (node.bare_concrete_function.argument_keywords ?? []).map((v) => ({ t: 'str', v }));
      if (args.length > 0) out.push(`    Option #${i + 1}`, '      Callable with:', ...argLines(args, 'Argument'));
      if (kwargs.length > 0) out.push(...argLines(kwargs, 'Named Argument'));
    });
  }
  return out;
}
