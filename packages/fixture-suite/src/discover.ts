/**
 * Walks fixture roots and groups files into cases by what their bytes are:
 * tensor bundles (a prefix with `.index` + shards), SavedModel directories,
 * HDF5 files, `.keras` zips, and everything else. Bare protobuf files carry no
 * magic, so those alone are found by the names TensorFlow gives them
 * (`*.meta`, `keras_metadata.pb`, `fingerprint.pb`) and then decoded strictly.
 */
import { readdirSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { join, relative, dirname, basename } from 'node:path';

/** What a case is. */
export type CaseKind = 'tensor-bundle' | 'v1-table' | 'saved-model' | 'hdf5' | 'keras-zip' | 'checkpoint-state' | ProtoFileKind | 'other';

/** A bare protobuf file outside a SavedModel directory. */
export type ProtoFileKind = 'meta-graph' | 'keras-metadata' | 'fingerprint';

/** One unit of the round-trip suite. */
export interface FixtureCase {
  readonly kind: CaseKind;
  /** Stable id: `<root label>/<path relative to the root>`. For bundles, the prefix. */
  readonly id: string;
  /** Absolute path (bundle prefix, SavedModel directory, or file). */
  readonly path: string;
  /** Files this case covers (absolute). */
  readonly files: readonly string[];
}

const TABLE_MAGIC = [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb];
const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function readAt(path: string, offset: number, length: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(length);
    const n = readSync(fd, buf, 0, length, offset);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

const startsWith = (b: Uint8Array, magic: readonly number[]) => magic.every((m, i) => b[i] === m);

/** Classifies one file from its first and last bytes. */
export function sniffFile(path: string): Exclude<CaseKind, 'saved-model'> | 'table' {
  const size = statSync(path).size;
  const head = readAt(path, 0, 8);
  if (startsWith(head, HDF5_MAGIC)) return 'hdf5';
  // HDF5 allows a user block: the signature may sit at 512, 1024, 2048, …
  for (let off = 512; off < Math.min(size, 1 << 20); off *= 2) if (startsWith(readAt(path, off, 8), HDF5_MAGIC)) return 'hdf5';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'keras-zip';
  if (size >= 48 && startsWith(readAt(path, size - 8, 8), TABLE_MAGIC)) return 'table';
  return 'other';
}

/** A `checkpoint` state file: text starting with `model_checkpoint_path:`. */
function isCheckpointState(path: string): boolean {
  const head = new TextDecoder().decode(readAt(path, 0, 32));
  return head.startsWith('model_checkpoint_path:');
}

/**
 * The protobuf message a file outside a SavedModel holds, from the name TensorFlow gives it:
 * `<prefix>.meta` (a TF1 Saver's MetaGraphDef), `keras_metadata.pb`, `fingerprint.pb`.
 */
export function protoFileKind(path: string): ProtoFileKind | undefined {
  const name = basename(path);
  if (name === 'keras_metadata.pb') return 'keras-metadata';
  if (name === 'fingerprint.pb') return 'fingerprint';
  if (name.endsWith('.meta')) return 'meta-graph';
  return undefined;
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile()) out.push(p);
  }
}

/**
 * Discovers the cases under `root`, labelled `label` in ids.
 * Files inside a SavedModel directory belong to that case; a table file
 * named `<prefix>.index` makes a bundle case with its `<prefix>.data-*` shards.
 */
export function discover(root: string, label: string): FixtureCase[] {
  const files: string[] = [];
  walk(root, files);
  const cases: FixtureCase[] = [];
  const claimed = new Set<string>();
  const savedModelDirs = files.filter((f) => basename(f) === 'saved_model.pb').map((f) => dirname(f));
  for (const dir of savedModelDirs) {
    const inside = files.filter((f) => f.startsWith(dir + '/'));
    inside.forEach((f) => claimed.add(f));
    cases.push({ kind: 'saved-model', id: `${label}/${relative(root, dir)}`, path: dir, files: inside });
  }
  for (const f of files) {
    if (claimed.has(f)) continue;
    const kind = sniffFile(f);
    if (kind === 'table' && f.endsWith('.index')) {
      const prefix = f.slice(0, -'.index'.length);
      const shards = files.filter((g) => g.startsWith(prefix + '.data-'));
      [f, ...shards].forEach((g) => claimed.add(g));
      cases.push({ kind: 'tensor-bundle', id: `${label}/${relative(root, prefix)}`, path: prefix, files: [f, ...shards] });
    }
  }
  for (const f of files) {
    if (claimed.has(f)) continue;
    const kind = sniffFile(f);
    claimed.add(f);
    const other = (): CaseKind => (isCheckpointState(f) ? 'checkpoint-state' : protoFileKind(f) ?? 'other');
    const caseKind: CaseKind = kind === 'table' ? 'v1-table' : kind === 'other' ? other() : kind;
    cases.push({ kind: caseKind, id: `${label}/${relative(root, f)}`, path: f, files: [f] });
  }
  return cases.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
