import { basename, dirname } from 'node:path';
import { BundleReader, type BundleReadOptions } from '../bundle-reader.js';
import { DirOpener } from '@tfsave/core/node';

/**
 * Opens a bundle on the local file system from its prefix
 * (`dir/ckpt` for `dir/ckpt.index` + `dir/ckpt.data-*`), reading through core's `DirOpener` (positioned reads, no zero-fill).
 */
export function openBundle(prefix: string, options: BundleReadOptions = {}): Promise<BundleReader> {
  return BundleReader.open(new DirOpener(dirname(prefix)), basename(prefix), options);
}
