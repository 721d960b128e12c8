import { basename, dirname } from 'node:path';
import { BundleReader, type BundleReadOptions } from '../bundle-reader.js';
import { DirOpener, installNativeCrc32c } from '@tfsave/core/node';

/**
 * Opens a bundle on the local file system from its prefix
 * (`dir/ckpt` for `dir/ckpt.index` + `dir/ckpt.data-*`), reading through core's `DirOpener` (positioned reads, no zero-fill),
 * checksumming with core's hardware `native` CRC-32C kernel when `@node-rs/crc32` is installed.
 */
export function openBundle(prefix: string, options: BundleReadOptions = {}): Promise<BundleReader> {
  installNativeCrc32c();
  return BundleReader.open(new DirOpener(dirname(prefix)), basename(prefix), options);
}
