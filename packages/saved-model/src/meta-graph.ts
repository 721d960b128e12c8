/**
 * Standalone TF1 MetaGraphDef files (`model.ckpt.meta`, `export.meta`), as
 * `tf.compat.v1.train.Saver` and `export_meta_graph` write them next to a
 * checkpoint. The same message sits inside `saved_model.pb`; a `.meta` file
 * holds one, bare. Decoding runs the same wire guard and limits as
 * `saved_model.pb`.
 */
import { errorsFor, isFormatError } from '@tfsave/core';
import { tensorflow } from '@tfsave/protos';
import type { SavedModelLimits } from './limits.js';
import { summarizeMetaGraph } from './summarize.js';
import type { MetaGraphSummary } from './summary-types.js';
import { checkWire } from './wire-guard.js';

const fail = errorsFor('saved-model');
const TYPE = 'tensorflow.MetaGraphDef';

/**
 * Decodes a standalone MetaGraphDef (`.meta`) file.
 * @param limits - the same limits as for `saved_model.pb` (defaults in {@link DEFAULT_LIMITS}).
 * @param path - shown in errors.
 * @throws FormatError `truncated` when a field runs past its message, `malformed` for bytes that are not a
 *   MetaGraphDef, `limit` when size, depth or message-count limits are exceeded.
 */
export function decodeMetaGraphDef(bytes: Uint8Array, limits?: SavedModelLimits, path?: string): tensorflow.MetaGraphDef {
  checkWire(bytes, TYPE, limits, path);
  try {
    return tensorflow.MetaGraphDef.decode(bytes);
  } catch (e) {
    if (isFormatError(e)) throw e;
    throw fail.malformed(`${TYPE} does not decode: ${(e as Error).message}`, 'bad-proto', { path, cause: e });
  }
}

/**
 * Encodes a MetaGraphDef: fields in number order, map entries in the order of the message's keys. A message
 * from {@link decodeMetaGraphDef} keeps its file's map order (TF 1.x wrote maps in hash-map order, not
 * sorted), so a decoded file re-encodes byte-identically — unless a map with integer keys (FunctionDef
 * `arg_attr`, `resource_arg_unique_id`) was stored out of numeric order: JavaScript objects list such keys
 * in ascending order. For TF's deterministic bytes use `canonicalBytes(tensorflow.MetaGraphDef, …)`.
 */
export function encodeMetaGraphDef(meta: tensorflow.IMetaGraphDef): Uint8Array {
  return tensorflow.MetaGraphDef.encode(meta).finish();
}

/** A standalone `.meta` file, decoded. */
export interface ParsedMetaGraph {
  /** Tags, versions, node count, SaverDef… as plain data. */
  readonly summary: MetaGraphSummary;
  /** `collection_def` keys in file order (`variables`, `train_op`, …). */
  readonly collectionKeys: readonly string[];
  /** The decoded message, for callers that need every field. */
  readonly proto: tensorflow.MetaGraphDef;
}

/**
 * Parses the bytes of a standalone `.meta` file.
 * @throws FormatError as {@link decodeMetaGraphDef}; `malformed` when the message has no `graph_def`.
 */
export function parseMetaGraph(bytes: Uint8Array, limits?: SavedModelLimits, path?: string): ParsedMetaGraph {
  const proto = decodeMetaGraphDef(bytes, limits, path);
  if (proto.graph_def === null || proto.graph_def === undefined) throw fail.malformed('MetaGraphDef has no graph_def', 'no-graph-def', { path });
  return { summary: summarizeMetaGraph(proto), collectionKeys: Object.keys(proto.collection_def ?? {}), proto };
}
