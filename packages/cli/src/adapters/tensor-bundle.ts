/** Tensor bundles (TF checkpoints, `variables/` of a SavedModel) through `@tfsave/tensor-bundle`. */
import { BundleReader } from '@tfsave/tensor-bundle';
import type { SourceOpener } from '@tfsave/core';
import type { Opener } from '../context.js';
import type { DetailSection, OpenedFile, TensorEntry } from '../model.js';
import type { Progress } from '../progress.js';
import { bundleKerasWeights } from './bundle-weights.js';
import { toTensorValue } from './tensor-data.js';

/** The tensors of an opened bundle as CLI entries. */
export function bundleEntries(reader: BundleReader): TensorEntry[] {
  return reader.entries().map((info) => ({
    name: info.name,
    dtype: info.dtype,
    shape: info.shape,
    byteSize: info.size,
    async read() {
      const t = await reader.readTensor(info.name);
      return toTensorValue(t.dtype, t.shape, t.data);
    },
  }));
}

/** Reads every tensor, checking every checksum, reporting bytes to `progress`. */
export async function verifyBundle(reader: BundleReader, progress: Progress): Promise<void> {
  for (const info of reader.entries()) {
    await reader.readTensor(info.name);
    progress.advance(info.size);
  }
  await reader.verifyAll();
}

/** A short description of the bundle header. */
export function bundleSection(reader: BundleReader, title = 'Bundle'): DetailSection {
  const objectBased = reader.has('_CHECKPOINTABLE_OBJECT_GRAPH');
  return {
    title,
    lines: [
      `prefix: ${reader.prefix}`,
      `shards: ${reader.header.num_shards}  version: producer ${reader.header.version.producer}, min consumer ${reader.header.version.min_consumer}`,
      `keys: ${objectBased ? 'object-based (TF2 tf.train.Checkpoint / Keras)' : 'name-based (TF1 Saver)'}`,
    ],
  };
}

/** Opens a bundle prefix through any opener. */
export async function openBundleFile(opener: SourceOpener, prefix: string, display: string): Promise<OpenedFile> {
  const reader = await BundleReader.open(opener, prefix);
  return {
    format: 'tensor-bundle',
    name: display,
    entries: bundleEntries(reader),
    sections: [bundleSection(reader)],
    kerasWeights: () => bundleKerasWeights(reader),
    verify: (progress) => verifyBundle(reader, progress),
    close: () => reader.close(),
  };
}

/** The CLI opener for `tensor-bundle` inputs. */
export const openTensorBundle: Opener = (located) => openBundleFile(located.opener, located.target, located.display);
