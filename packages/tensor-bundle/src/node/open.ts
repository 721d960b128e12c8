import { basename, dirname } from 'node:path';
import { DirOpener } from '@tfsave/core/node';
import { BundleReader, type BundleReadOptions } from '../bundle-reader.js';

/**
 * Opens a bundle on the local file system from its prefix
 * (`dir/ckpt` for `dir/ckpt.index` + `dir/ckpt.data-*`).
 */
export function openBundle(prefix: string, options: BundleReadOptions = {}): Promise<BundleReader> {
  return BundleReader.open(new DirOpener(dirname(prefix)), basename(prefix), options);
}
