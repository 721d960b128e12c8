/** `<prefix>.index`. */
export function indexFilename(prefix: string): string {
  return `${prefix}.index`;
}

/** `<prefix>.data-SSSSS-of-NNNNN` (five-digit zero padded, as TF's DataFilename). */
export function dataFilename(prefix: string, shard: number, numShards: number): string {
  return `${prefix}.data-${String(shard).padStart(5, '0')}-of-${String(numShards).padStart(5, '0')}`;
}
