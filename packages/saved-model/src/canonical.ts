/**
 * Canonical ("deterministic") protobuf bytes as TensorFlow's C++ code makes
 * them with `SerializeToStringDeterministic` after parsing a message: fields
 * in field-number order, proto3 scalars equal to their default dropped (oneof
 * members and present sub-messages kept), map entries sorted by key. The
 * fingerprint of a SavedModel hashes these bytes, not the file's.
 * Unknown fields are not kept (protobufjs drops them on decode).
 */
import { errorsFor } from '@tfsave/core';
import { wireSchema } from '@tfsave/protos';

const fail = errorsFor('saved-model');

/** A protobufjs static message class. */
export interface MessageCodec<T> {
  decode(bytes: Uint8Array): T;
  encode(message: T): { finish(): Uint8Array };
}

interface LongLike { low: number; high: number }
const isLong = (v: unknown): v is LongLike => typeof v === 'object' && v !== null && 'low' in v && 'high' in v && 'unsigned' in v;

function isDefaultScalar(value: unknown, dflt: unknown): boolean {
  if (typeof dflt === 'number') return typeof value === 'number' && Object.is(value, dflt);
  if (typeof dflt === 'string' || typeof dflt === 'boolean') return value === dflt;
  if (isLong(dflt)) return (isLong(value) && value.low === 0 && value.high === 0) || value === 0;
  if (dflt instanceof Uint8Array) return value instanceof Uint8Array && value.length === 0;
  return false;
}

/** Drops proto3 scalars equal to their defaults from a decoded protobufjs message tree (in place). */
export function stripDefaults(message: unknown): void {
  if (typeof message !== 'object' || message === null || message instanceof Uint8Array || isLong(message)) return;
  if (Array.isArray(message)) {
    for (const m of message) stripDefaults(m);
    return;
  }
  const proto = Object.getPrototypeOf(message) as Record<string, unknown> | null;
  const isMessage = proto !== null && proto !== Object.prototype;
  const obj = message as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    // Oneof members and sub-messages default to null: presence is kept.
    if (isMessage && proto !== null && key in proto && isDefaultScalar(value, proto[key])) delete obj[key];
    else stripDefaults(value);
  }
}

interface Field { readonly no: number; readonly bytes: Uint8Array; readonly entry: boolean; readonly key: Uint8Array | bigint | undefined }

function readVarint(b: Uint8Array, pos: number): [bigint, number] {
  let v = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (pos >= b.length || shift > 63n) throw fail.malformed(`canonical encoding: bad varint at offset ${pos}`, 'bad-varint');
    const byte = b[pos++]!;
    v |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [v, pos];
  }
}

/** A varint as a number (tags, lengths): exact below 2^53. */
function readSmall(b: Uint8Array, pos: number): [number, number] {
  let v = 0;
  for (let mul = 1; ; mul *= 128) {
    if (pos >= b.length || mul > 2 ** 49) throw fail.malformed(`canonical encoding: bad varint at offset ${pos}`, 'bad-varint');
    const byte = b[pos++]!;
    v += (byte & 0x7f) * mul;
    if ((byte & 0x80) === 0) return [v, pos];
  }
}

function pushVarint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

function compareKeys(a: Uint8Array | bigint | undefined, b: Uint8Array | bigint | undefined): number {
  if (typeof a === 'bigint' || typeof b === 'bigint') {
    const x = typeof a === 'bigint' ? a : 0n, y = typeof b === 'bigint' ? b : 0n;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = a ?? new Uint8Array(0), y = b ?? new Uint8Array(0);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * Re-orders the wire bytes of message `typeName`: fields by number, map entries by key, recursively.
 * Returns `bytes` itself when nothing moves.
 */
export function sortWire(bytes: Uint8Array, typeName: string): Uint8Array {
  const schema = wireSchema[typeName] ?? {};
  const fields: Field[] = [];
  let changed = false;
  let lastNo = 0;
  for (let pos = 0; pos < bytes.length;) {
    const start = pos;
    const [tag, p1] = readSmall(bytes, pos);
    const no = Math.floor(tag / 8), wt = tag % 8;
    pos = p1;
    let body: Uint8Array | undefined;
    if (wt === 0) pos = readSmallOrBig(bytes, pos);
    else if (wt === 1) pos += 8;
    else if (wt === 5) pos += 4;
    else if (wt === 2) {
      const [len, p2] = readSmall(bytes, pos);
      body = bytes.subarray(p2, p2 + len);
      pos = p2 + len;
    } else throw fail.unsupported(`canonical encoding: wire type ${wt} of field ${no} in ${typeName}`, 'wire-type');
    if (pos > bytes.length) throw fail.truncated(`canonical encoding: field ${no} of ${typeName} ends past ${bytes.length}`, { offset: start });
    if (no < lastNo) changed = true;
    lastNo = no;
    const sub = schema[no];
    if (wt === 2 && sub !== undefined && body !== undefined) {
      const inner = sortWire(body, sub);
      const entry = sub.endsWith('$entry');
      if (entry) changed = true;
      if (inner === body) fields.push({ no, bytes: bytes.subarray(start, pos), entry, key: entry ? entryKey(inner) : undefined });
      else {
        changed = true;
        const head: number[] = [];
        pushVarint(head, no * 8 + 2);
        pushVarint(head, inner.length);
        fields.push({ no, bytes: concat([Uint8Array.from(head), inner]), entry, key: entry ? entryKey(inner) : undefined });
      }
    } else fields.push({ no, bytes: bytes.subarray(start, pos), entry: false, key: undefined });
  }
  if (!changed) return bytes;
  const sorted = fields.map((f, i) => ({ f, i })).sort((a, b) => a.f.no - b.f.no || (a.f.entry && b.f.entry ? compareKeys(a.f.key, b.f.key) : 0) || a.i - b.i);
  return concat(sorted.map((x) => x.f.bytes));
}

/** Skips a varint (up to 10 bytes) and returns the position after it. */
function readSmallOrBig(b: Uint8Array, pos: number): number {
  for (let n = 0; n < 10; n++) {
    if (pos >= b.length) break;
    if ((b[pos++]! & 0x80) === 0) return pos;
  }
  throw fail.malformed(`canonical encoding: bad varint at offset ${pos}`, 'bad-varint');
}

function entryKey(entry: Uint8Array): Uint8Array | bigint | undefined {
  let found: Uint8Array | bigint | undefined;
  for (let pos = 0; pos < entry.length;) {
    const [tag, p1] = readSmall(entry, pos);
    const no = Math.floor(tag / 8), wt = tag % 8;
    pos = p1;
    if (wt === 0) {
      const [v, p2] = readVarint(entry, pos);
      if (no === 1) found = v;
      pos = p2;
    } else if (wt === 2) {
      const [len, p2] = readSmall(entry, pos);
      if (no === 1) found = entry.subarray(p2, p2 + len);
      pos = p2 + len;
    } else pos += wt === 1 ? 8 : 4;
  }
  return found;
}

/**
 * The deterministic serialization TensorFlow's C++ protobuf gives `message` of type `typeName`
 * (e.g. `tensorflow.GraphDef`) after parsing it.
 */
export function canonicalBytes<T>(codec: MessageCodec<T>, typeName: string, message: T): Uint8Array {
  const copy = codec.decode(codec.encode(message).finish());
  stripDefaults(copy);
  return sortWire(codec.encode(copy).finish(), typeName);
}
