import type { SinkFactory } from '@tfsave/core';
import type { BundleReader, RawEntry } from './bundle-reader.js';
import { BundleWriter, type BundleWriterOptions } from './bundle-writer.js';
import type { SliceExtent } from './entry.js';

/**
 * Copies every tensor of an open bundle into a new bundle, keeping each tensor's
 * shard and the data-file order (shard, offset). For a bundle written by TF the
 * output is byte-identical to the input.
 */
export async function rewriteBundle(reader: BundleReader, factory: SinkFactory, prefix: string, options: BundleWriterOptions = {}): Promise<void> {
  const slices = new Map<RawEntry, { name: string; full: readonly number[]; slice: readonly SliceExtent[] }>();
  for (const info of reader.entries()) {
    if (!info.partitioned) continue;
    for (const { slice, row } of reader.sliceRows(info.name)) slices.set(row, { name: info.name, full: info.shape, slice });
  }
  const rows = reader.rawEntries
    .filter((r) => r.entry.slices.length === 0)
    .sort((a, b) => a.entry.shard_id - b.entry.shard_id || a.entry.offset - b.entry.offset);
  const w = new BundleWriter(factory, prefix, { ...options, numShards: reader.header.num_shards });
  for (const r of rows) {
    const data = await reader.readRow(r);
    const t = { dtype: r.entry.dtype, shape: r.entry.shape, data };
    const s = slices.get(r);
    if (s === undefined) await w.add(new TextDecoder().decode(r.key), t, { shard: r.entry.shard_id });
    else await w.addSlice(s.name, s.full, s.slice, t, { shard: r.entry.shard_id });
  }
  await w.finish();
}
