import { dtypeFromCode, type DTypeInfo } from '@tfsave/core';
import { int64ToBigInt, tensorflow } from '@tfsave/protos';
import { E } from './errors.js';

/** One extent of a tensor slice: `length` undefined means the whole dimension. */
export interface SliceExtent {
  readonly start: number;
  readonly length?: number | undefined;
}

/** A decoded `BundleEntryProto`, wire names kept. */
export interface BundleEntryProto {
  readonly dtype: number;
  readonly shape: readonly number[];
  readonly unknown_rank: boolean;
  readonly shard_id: number;
  readonly offset: number;
  readonly size: number;
  readonly crc32c: number;
  readonly slices: readonly (readonly SliceExtent[])[];
}

/** Limits applied to entry protos. */
export interface EntryLimits {
  /** Largest rank accepted. Default 64. */
  readonly maxRank?: number;
}

function safe(v: bigint, what: string, path: string | undefined): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw E.malformed(`${what} ${v} is out of range`, 'entry-range', { path });
  return Number(v);
}

/**
 * Decodes a serialized `BundleEntryProto`.
 * @throws FormatError `malformed` for undecodable bytes, negative or unsafe sizes.
 */
export function parseEntry(bytes: Uint8Array, key: string, path?: string, limits: EntryLimits = {}): BundleEntryProto {
  let m: tensorflow.BundleEntryProto;
  try {
    m = tensorflow.BundleEntryProto.decode(bytes);
  } catch (e) {
    throw E.malformed(`entry for key ${JSON.stringify(key)} is not a valid BundleEntryProto: ${(e as Error).message}`, 'entry-proto', { path, cause: e });
  }
  const maxRank = limits.maxRank ?? 64;
  const dims = m.shape?.dim ?? [];
  if (dims.length > maxRank) throw E.limit(`entry ${JSON.stringify(key)} has rank ${dims.length}, over the limit of ${maxRank}`, 'rank', { path });
  const shape = dims.map((d) => safe(int64ToBigInt(d.size), `dimension of ${JSON.stringify(key)}`, path));
  const slices = (m.slices ?? []).map((s) =>
    (s.extent ?? []).map((x) => {
      const start = safe(int64ToBigInt(x.start), 'slice start', path);
      const has = Object.prototype.hasOwnProperty.call(x, 'length') && x.length !== null && x.length !== undefined;
      return has ? { start, length: safe(int64ToBigInt(x.length), 'slice length', path) } : { start };
    }),
  );
  if (m.shard_id < 0) throw E.malformed(`entry ${JSON.stringify(key)} has negative shard id ${m.shard_id}`, 'entry-range', { path });
  return {
    dtype: m.dtype,
    shape,
    unknown_rank: m.shape?.unknown_rank === true,
    shard_id: m.shard_id,
    offset: safe(int64ToBigInt(m.offset), `offset of ${JSON.stringify(key)}`, path),
    size: safe(int64ToBigInt(m.size), `size of ${JSON.stringify(key)}`, path),
    crc32c: m.crc32c >>> 0,
    slices,
  };
}

/** Encodes an entry as TF's C++ serializer does: field order 1..7, zero scalars omitted, shape always present. */
export function encodeEntry(e: BundleEntryProto): Uint8Array {
  const msg: tensorflow.IBundleEntryProto = { shape: { dim: e.shape.map((size) => ({ size })) } };
  if (e.unknown_rank) msg.shape = { dim: [], unknown_rank: true };
  if (e.dtype !== 0) msg.dtype = e.dtype;
  if (e.shard_id !== 0) msg.shard_id = e.shard_id;
  if (e.offset !== 0) msg.offset = e.offset;
  if (e.size !== 0) msg.size = e.size;
  if (e.crc32c !== 0) msg.crc32c = e.crc32c;
  if (e.slices.length > 0) {
    msg.slices = e.slices.map((s) => ({
      extent: s.map((x) => {
        const o: tensorflow.TensorSliceProto.IExtent = {};
        if (x.start !== 0) o.start = x.start;
        if (x.length !== undefined) o.length = x.length;
        return o;
      }),
    }));
  }
  // Dimension size 0 must be omitted too (proto3 default).
  for (const d of msg.shape!.dim ?? []) if (d.size === 0) delete d.size;
  return tensorflow.BundleEntryProto.encode(msg).finish();
}

/** The dtype table entry for an entry's dtype code. */
export function entryDtype(e: BundleEntryProto, key: string, path?: string): DTypeInfo {
  const d = dtypeFromCode(e.dtype);
  if (d === undefined) throw E.unsupported(`entry ${JSON.stringify(key)} has unknown dtype code ${e.dtype}`, 'dtype', { path });
  return d;
}
