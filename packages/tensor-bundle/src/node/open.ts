import { basename, dirname } from 'node:path';
import { BundleReader, type BundleReadOptions } from '../bundle-reader.js';
import { BundleDirOpener } from './file-source.js';

/**
 * Opens a bundle on the local file system from its prefix
 * (`dir/ckpt` for `dir/ckpt.index` + `dir/ckpt.data-*`), reading through {@link BundleDirOpener}.
 */
export function openBundle(prefix: string, options: BundleReadOptions = {}): Promise<BundleReader> {
  return BundleReader.open(new BundleDirOpener(dirname(prefix)), basename(prefix), options);
}
