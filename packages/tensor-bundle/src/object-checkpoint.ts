import type { SinkFactory } from '@tfsave/core';
import { BundleWriter, type BundleWriterOptions } from './bundle-writer.js';
import type { BundleReader } from './bundle-reader.js';
import { E } from './errors.js';
import { buildObjectGraph, type TrackableSpec } from './object-graph-writer.js';
import { OBJECT_GRAPH_KEY, objectKeys, parseObjectGraph, type ObjectKey, type TrackableObject } from './object-graph.js';

/**
 * Writes an object-based checkpoint (what `tf.train.Checkpoint.write` produces): every
 * attribute tensor in node order, then the `_CHECKPOINTABLE_OBJECT_GRAPH` string last.
 * @returns the checkpoint keys written, in data order.
 */
export async function writeObjectCheckpoint(factory: SinkFactory, prefix: string, root: TrackableSpec, options: BundleWriterOptions = {}): Promise<string[]> {
  const graph = buildObjectGraph(root);
  const w = new BundleWriter(factory, prefix, options);
  try {
    for (const t of graph.tensors) await w.add(t.key, t.value);
    await w.add(OBJECT_GRAPH_KEY, { dtype: 'string', shape: [], data: [graph.bytes] });
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.finish();
  return [...graph.tensors.map((t) => t.key), OBJECT_GRAPH_KEY];
}

/** The decoded object graph of a bundle and its key map, or undefined for a name-based bundle. */
export interface ObjectTree {
  readonly nodes: TrackableObject[];
  readonly keys: ObjectKey[];
}

/**
 * Reads `_CHECKPOINTABLE_OBJECT_GRAPH` and explains every key (object path, slots, save_counter).
 * @throws FormatError when the graph entry is not a scalar string or does not decode.
 */
export async function readObjectTree(reader: BundleReader): Promise<ObjectTree | undefined> {
  if (!reader.has(OBJECT_GRAPH_KEY)) return undefined;
  const t = await reader.readTensor(OBJECT_GRAPH_KEY);
  if (t.dtype !== 'string' || t.shape.length !== 0) throw E.malformed(`${OBJECT_GRAPH_KEY} is ${t.dtype}[${t.shape.join(',')}], not a string scalar`, 'object-graph', { path: reader.prefix });
  const nodes = parseObjectGraph((t.data as Uint8Array[])[0]!, reader.prefix);
  return { nodes, keys: objectKeys(nodes) };
}
