import type { FileHandle } from 'node:fs/promises';
import type { ByteSink } from '@tfsave/core';
import { installNativeCrc32c } from '@tfsave/core/node';

/**
 * A buffered file sink (default buffer 256 KiB). Chunks of at least `bufferSize` bytes go straight to the file;
 * `close()` fsyncs first when `durable` (the default), so a rename after it is crash-safe.
 */
export class BundleFileSink implements ByteSink {
  position = 0;
  private readonly buf: Uint8Array;
  private used = 0;

  constructor(private readonly handle: FileHandle, readonly path: string, private readonly durable = true, bufferSize = 256 << 10) {
    installNativeCrc32c();
    this.buf = new Uint8Array(bufferSize);
  }

  write(chunk: Uint8Array): Promise<void> {
    this.position += chunk.length;
    if (chunk.length >= this.buf.length) {
      // Issue the write before returning (no await first), so a caller can checksum the
      // same bytes while the file system copies them.
      return this.used === 0 ? this.writeAll(chunk) : this.flush().then(() => this.writeAll(chunk));
    }
    return this.buffer(chunk);
  }

  private async buffer(chunk: Uint8Array): Promise<void> {
    if (this.used + chunk.length > this.buf.length) await this.flush();
    this.buf.set(chunk, this.used);
    this.used += chunk.length;
  }

  private async writeAll(chunk: Uint8Array): Promise<void> {
    let off = 0;
    while (off < chunk.length) off += (await this.handle.write(chunk, off, chunk.length - off)).bytesWritten;
  }

  private async flush(): Promise<void> {
    let off = 0;
    while (off < this.used) off += (await this.handle.write(this.buf, off, this.used - off)).bytesWritten;
    this.used = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.durable) await this.handle.sync();
    await this.handle.close();
  }
}
