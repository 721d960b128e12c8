/**
 * `fingerprint.pb` as TensorFlow 2.21 computes it when saving
 * (tensorflow/cc/saved_model/fingerprinting.cc, graph/regularization/simple_delete.cc):
 * FarmHash Fingerprint64 over deterministic serializations of
 * 1. the whole SavedModel (`saved_model_checksum`);
 * 2. the first MetaGraph's GraphDef with call-op function names stripped of their
 *    numeric suffix, `config_proto` attrs emptied, string Const values cleared,
 *    and the function library and versions cleared (`graph_def_program_hash`);
 * 3. its SignatureDefs in key order, each as Cat(key, def) (`signature_def_hash`);
 * 4. its object graph's concrete functions in order of the numeric suffix of
 *    their names, each as Cat(name without suffix, function) (`saved_object_graph_hash`);
 * 5. the bytes of `variables/variables.index`, 0 without one (`checkpoint_hash`);
 * plus a random `uuid` and `version.producer` 4.
 */
import { errorsFor } from '@tfsave/core';
import { tensorflow } from '@tfsave/protos';
import { canonicalBytes, type MessageCodec } from './canonical.js';
import { fingerprint64, fingerprint64String, fingerprintCat64 } from './farmhash.js';

const fail = errorsFor('saved-model');
const DT_STRING = 7;

/** `version.producer` of the fingerprints TF 2.21 writes (read from its files and `CreateFingerprintDef`). */
export const FINGERPRINT_PRODUCER = 4;

/** The fingerprint fields as unsigned 64-bit BigInts. */
export interface ComputedFingerprint {
  readonly savedModelChecksum: bigint;
  readonly graphDefProgramHash: bigint;
  readonly signatureDefHash: bigint;
  readonly savedObjectGraphHash: bigint;
  readonly checkpointHash: bigint;
}

const codec = <T>(c: unknown) => c as MessageCodec<T>;

/** The integer after the last `_` of a function name (absl `SimpleAtoi` rules), or undefined. */
export function suffixUid(name: string): bigint | undefined {
  const last = name.slice(name.lastIndexOf('_') + 1).trim();
  if (!/^[+-]?\d+$/.test(last)) return undefined;
  const v = BigInt(last);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : undefined;
}

const stripUid = (name: string, uid: bigint) => (name.endsWith(uid.toString()) ? name.slice(0, name.length - uid.toString().length) : name);

/** TF's `SimpleDelete` regularization of a GraphDef (returns a regularized copy). */
export function regularizeGraphDef(graph: tensorflow.IGraphDef): tensorflow.IGraphDef {
  const node = (graph.node ?? []).map((n) => {
    const attr: Record<string, tensorflow.IAttrValue> = { ...(n.attr ?? {}) };
    if (n.op === 'PartitionedCall' || n.op === 'StatefulPartitionedCall') {
      const f = attr['f'];
      const name = f?.func?.name ?? '';
      const uid = suffixUid(name);
      if (f !== undefined && uid !== undefined) attr['f'] = { ...f, func: { ...f.func, name: stripUid(name, uid) } };
      if (attr['config_proto'] !== undefined) attr['config_proto'] = { s: new Uint8Array(0) };
    }
    if (n.op === 'Const' && attr['dtype']?.type === DT_STRING && attr['value'] !== undefined) attr['value'] = {};
    return { ...n, attr };
  });
  return { ...graph, node, library: {}, versions: {} };
}

/**
 * Computes the hash fields of `fingerprint.pb` for `savedModel`, with `checkpointIndex` the bytes of
 * `variables/variables.index` (undefined when there is none).
 * @throws FormatError (`malformed`) when the SavedModel has no MetaGraph or a concrete function name does not end in a number (TF refuses those too).
 */
export function computeFingerprint(savedModel: tensorflow.ISavedModel, checkpointIndex: Uint8Array | undefined): ComputedFingerprint {
  const mg = savedModel.meta_graphs?.[0];
  if (mg === undefined) throw fail.malformed('fingerprint: the SavedModel has no MetaGraph', 'no-meta-graph');
  const savedModelChecksum = fingerprint64(canonicalBytes(codec(tensorflow.SavedModel), 'tensorflow.SavedModel', savedModel));
  const graph = regularizeGraphDef(mg.graph_def ?? {});
  const graphDefProgramHash = fingerprint64(canonicalBytes(codec(tensorflow.GraphDef), 'tensorflow.GraphDef', graph));
  let signatureDefHash = 0n;
  const byteOrder = (a: string, b: string) => utf8Compare(a, b);
  for (const key of Object.keys(mg.signature_def ?? {}).sort(byteOrder)) {
    signatureDefHash = fingerprintCat64(signatureDefHash, fingerprint64String(key));
    const def = canonicalBytes(codec(tensorflow.SignatureDef), 'tensorflow.SignatureDef', mg.signature_def![key]!);
    signatureDefHash = fingerprintCat64(signatureDefHash, fingerprint64(def));
  }
  const byUid = new Map<bigint, string>();
  for (const name of Object.keys(mg.object_graph_def?.concrete_functions ?? {})) {
    const uid = suffixUid(name);
    if (uid === undefined) throw fail.malformed(`fingerprint: concrete function name '${name}' does not end in an integer`, 'function-uid');
    if (!byUid.has(uid)) byUid.set(uid, name);
  }
  let savedObjectGraphHash = 0n;
  for (const uid of [...byUid.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const name = byUid.get(uid)!;
    savedObjectGraphHash = fingerprintCat64(savedObjectGraphHash, fingerprint64String(stripUid(name, uid)));
    const fn = canonicalBytes(codec(tensorflow.SavedConcreteFunction), 'tensorflow.SavedConcreteFunction', mg.object_graph_def!.concrete_functions![name]!);
    savedObjectGraphHash = fingerprintCat64(savedObjectGraphHash, fingerprint64(fn));
  }
  const checkpointHash = checkpointIndex === undefined ? 0n : fingerprint64(checkpointIndex);
  return { savedModelChecksum, graphDefProgramHash, signatureDefHash, savedObjectGraphHash, checkpointHash };
}

/** Compares two strings by their UTF-8 bytes (the order of C++ `std::string` keys). */
function utf8Compare(a: string, b: string): number {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

const u64 = (v: bigint) => ({ low: Number(v & 0xffffffffn) | 0, high: Number(v >> 32n) | 0, unsigned: true });

/** A random 128-bit UUID as TF writes it: decimal, zero-padded to at least 20 digits. */
export function randomFingerprintUuid(): string {
  const words = new Uint32Array(4);
  globalThis.crypto.getRandomValues(words);
  const v = words.reduce((acc, w) => (acc << 32n) | BigInt(w), 0n);
  return v.toString().padStart(20, '0');
}

/** The `fingerprint.pb` message for computed hashes `fp` (producer {@link FINGERPRINT_PRODUCER}). */
export function fingerprintMessage(fp: ComputedFingerprint, uuid: string = randomFingerprintUuid()): tensorflow.IFingerprintDef {
  return {
    saved_model_checksum: u64(fp.savedModelChecksum), graph_def_program_hash: u64(fp.graphDefProgramHash), signature_def_hash: u64(fp.signatureDefHash),
    saved_object_graph_hash: u64(fp.savedObjectGraphHash), checkpoint_hash: u64(fp.checkpointHash), uuid, version: { producer: FINGERPRINT_PRODUCER },
  } as tensorflow.IFingerprintDef;
}
