/**
 * The order in which TensorFlow's loader re-creates the functions of a
 * SavedModel's library, and so the names they get: `tf.saved_model.load` sorts
 * the library topologically (a function after every function it calls), takes
 * ready functions from the end of its work list first, and renames each one
 * `__inference_<name without prefix and uid>_<new uid>` with uids counting up in
 * that order. Tools that list loaded functions sorted by name
 * (`saved_model_cli show --all`) therefore list them in this order, not in the
 * order of the names saved in the file.
 * Upstream facts: tensorflow/python/saved_model/function_deserialization.py
 * (`_sort_function_defs`, `_list_function_deps`, `_clean_function_name`).
 */
import type { tensorflow } from '@tfsave/protos';

const CALL_OPS = new Set(['StatefulPartitionedCall', 'PartitionedCall']);

/** Functions a function refers to: called as ops, through a custom gradient, or named by a func attribute. */
function dependencies(f: tensorflow.IFunctionDef, names: ReadonlySet<string>, gradients: ReadonlyMap<string, string>): Set<string> {
  const deps = new Set<string>();
  for (const n of f.node_def ?? []) {
    const op = n.op ?? '';
    const gradType = !CALL_OPS.has(op) ? n.attr?.['_gradient_op_type']?.s : undefined;
    const gradFn = gradType != null && gradType.length > 0 ? gradients.get(new TextDecoder().decode(gradType)) : undefined;
    if (names.has(op)) deps.add(op);
    else if (gradFn !== undefined) deps.add(gradFn);
    else {
      for (const a of Object.values(n.attr ?? {})) {
        if (a.func != null) deps.add(a.func.name ?? '');
        for (const fn of a.list?.func ?? []) deps.add(fn.name ?? '');
      }
    }
  }
  return deps;
}

/** Library function names in the order TensorFlow's loader creates them (functions in a cycle are left out). */
export function functionLoadOrder(library: tensorflow.IFunctionDefLibrary | null | undefined): string[] {
  const fns = library?.function ?? [];
  const names = new Set(fns.map((f) => f.signature?.name ?? ''));
  const gradients = new Map((library?.registered_gradients ?? []).map((g) => [g.registered_op_type ?? '', g.gradient_func ?? '']));
  const edges = new Map<string, string[]>();
  const inCount = new Map<string, number>();
  for (const f of fns) {
    const name = f.signature?.name ?? '';
    for (const dep of dependencies(f, names, gradients)) {
      edges.set(dep, [...(edges.get(dep) ?? []), name]);
      inCount.set(name, (inCount.get(name) ?? 0) + 1);
    }
  }
  const ready = fns.map((f) => f.signature?.name ?? '').filter((n) => (inCount.get(n) ?? 0) === 0);
  const out: string[] = [];
  for (let n = ready.pop(); n !== undefined; n = ready.pop()) {
    out.push(n);
    for (const dest of edges.get(n) ?? []) {
      const left = (inCount.get(dest) ?? 0) - 1;
      inCount.set(dest, left);
      if (left === 0) ready.push(dest);
    }
  }
  return out;
}

/**
 * For each library function, the name TensorFlow's loader gives it, up to the
 * uid base: the uids are written as `1000000 + position in load order`, so names
 * compare as the loaded names do whenever the real uids have the same number of digits.
 */
export function loadedFunctionNames(library: tensorflow.IFunctionDefLibrary | null | undefined): Map<string, string> {
  const clean = (name: string): string => /^__inference_(.*)_\d+$/.exec(name)?.[1] ?? name;
  return new Map(functionLoadOrder(library).map((name, i) => [name, `__inference_${clean(name)}_${1_000_000 + i}`]));
}
