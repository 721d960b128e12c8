/** tf_keras's `keras_metadata.pb` on its own: the object-graph nodes Keras describes, with identifiers and classes. */
import { errorsFor } from '@tfsave/core';
import { decodeKerasMetadata } from '@tfsave/saved-model';
import type { Opener } from '../context.js';
import type { OpenedFile } from '../model.js';
import { decodeAs, readProtoFile } from './proto-file.js';
import { textTable } from './text-table.js';

const fail = errorsFor('keras-metadata');

/** One node of `keras_metadata.pb` as `inspect --json` lists it (`class_name`, `name` from its metadata JSON; null when absent). */
export interface KerasMetadataNodeJson {
  readonly node_id: number;
  readonly node_path: string;
  readonly identifier: string;
  readonly class_name: string | null;
  readonly name: string | null;
  /** `version.producer` of the node (tf_keras writes 2). */
  readonly producer: number;
}

type Metadata = ReturnType<typeof decodeKerasMetadata>;

/** The nodes of a decoded `keras_metadata.pb`. */
export function kerasMetadataNodes(md: Metadata): KerasMetadataNodeJson[] {
  return (md.nodes ?? []).map((n) => {
    let meta: Record<string, unknown> = {};
    try {
      const v: unknown = JSON.parse(n.metadata ?? '');
      if (typeof v === 'object' && v !== null) meta = v as Record<string, unknown>;
    } catch {
      /* verify reports it */
    }
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    return { node_id: n.node_id ?? 0, node_path: n.node_path ?? '', identifier: n.identifier ?? '', class_name: str(meta['class_name']), name: str(meta['name']), producer: n.version?.producer ?? 0 };
  });
}

/**
 * The structural checks of `verify`: at least one node, and every node's metadata a JSON object.
 * @throws FormatError `malformed` naming the node.
 */
export function checkKerasMetadata(md: Metadata, path: string): void {
  const nodes = md.nodes ?? [];
  if (nodes.length === 0) throw fail.malformed('keras.SavedMetadata has no nodes', 'no-nodes', { path });
  for (const n of nodes) {
    let v: unknown;
    try {
      v = JSON.parse(n.metadata ?? '');
    } catch (e) {
      throw fail.malformed(`metadata of node ${n.node_id ?? 0} (${n.node_path ?? ''}) is not JSON: ${(e as Error).message}`, 'bad-json', { path });
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail.malformed(`metadata of node ${n.node_id ?? 0} (${n.node_path ?? ''}) is not a JSON object`, 'bad-json', { path });
  }
}

/** The CLI opener for `keras-metadata` inputs (`keras_metadata.pb`). */
export const openKerasMetadata: Opener = async (located) => {
  const bytes = await readProtoFile(located);
  const md = decodeAs('keras-metadata', 'a keras.SavedMetadata (tf_keras keras_metadata.pb)', bytes, located.display, (b) => decodeKerasMetadata(b));
  const nodes = kerasMetadataNodes(md);
  const root = nodes.find((n) => n.node_path === 'root');
  const file: OpenedFile = {
    format: 'keras-metadata',
    name: located.display,
    entries: [],
    entriesTitle: null,
    headline: `${nodes.length} ${nodes.length === 1 ? 'node' : 'nodes'}`,
    json: { nodes },
    sections: [
      {
        title: 'Keras metadata (keras_metadata.pb)',
        lines: [
          `nodes: ${nodes.length}  producer: ${[...new Set(nodes.map((n) => n.producer))].join(', ') || '?'}${root === undefined ? '' : `  model: ${root.class_name ?? '?'} "${root.name ?? ''}" (${root.identifier})`}`,
        ],
      },
      {
        title: 'Nodes',
        lines: textTable(['node_id', 'node_path', 'identifier', 'class_name', 'name'], nodes.map((n) => [String(n.node_id), n.node_path, n.identifier, n.class_name ?? '', n.name ?? ''])),
      },
    ],
    async verify() {
      checkKerasMetadata(md, located.display);
    },
    async close() {},
  };
  return file;
};
