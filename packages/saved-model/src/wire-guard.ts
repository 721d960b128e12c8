/**
 * A schema-aware protobuf wire walker run before protobufjs decodes a file.
 * protobufjs recurses without a depth limit and trusts declared lengths; this
 * pass visits every field iteratively, checks that each length fits in its
 * enclosing message, that message-typed fields use the length-delimited wire
 * type, and enforces nesting depth and message count limits.
 */
import { errorsFor } from '@tfsave/core';
import { wireSchema } from '@tfsave/protos';
import type { SavedModelLimits } from './limits.js';
import { resolveLimits } from './limits.js';

const fail = errorsFor('saved-model');

interface Frame {
  readonly type: string;
  readonly end: number;
}

/** Statistics of a successful walk. */
export interface WireStats {
  /** Messages visited, the root included. */
  readonly messages: number;
  /** Deepest nesting seen (the root is depth 1). */
  readonly depth: number;
}

/**
 * Checks that `bytes` is a well-formed encoding of message `rootType`
 * (a fully-qualified name such as `tensorflow.SavedModel`) within `limits`.
 * @throws FormatError `truncated` when a field runs past its message, `malformed`
 *   for bad tags/wire types, `limit` when depth, count or size limits are exceeded.
 */
export function checkWire(bytes: Uint8Array, rootType: string, limits: SavedModelLimits = {}, path?: string): WireStats {
  const lim = resolveLimits(limits);
  if (bytes.length > lim.maxFileBytes) {
    throw fail.limit(`${rootType} of ${bytes.length} bytes is over the ${lim.maxFileBytes}-byte limit`, 'file-too-large', { path });
  }
  const stack: Frame[] = [{ type: rootType, end: bytes.length }];
  let pos = 0;
  let messages = 1;
  let maxDepth = 1;

  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= stack[stack.length - 1]!.end) throw fail.truncated(`varint runs past the end of its message (${stack[stack.length - 1]!.type})`, { path, offset: pos });
      const b = bytes[pos++]!;
      if (mul < 2 ** 56) result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return result;
    }
    throw fail.malformed('varint longer than 10 bytes', 'bad-varint', { path, offset: pos });
  };

  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (pos === frame.end) {
      stack.pop();
      continue;
    }
    const tagAt = pos;
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0 || field > 0x1fffffff) throw fail.malformed(`invalid field number ${field} in ${frame.type}`, 'bad-tag', { path, offset: tagAt });
    const childType = wireSchema[frame.type]?.[field];
    if (childType !== undefined && wireType !== 2) {
      throw fail.malformed(`field ${field} of ${frame.type} is a message but has wire type ${wireType}`, 'bad-wire-type', { path, offset: tagAt });
    }
    const need = (n: number): void => {
      if (pos + n > frame.end) throw fail.truncated(`field ${field} of ${frame.type} needs ${n} bytes at ${pos} but the message ends at ${frame.end}`, { path, offset: pos });
      pos += n;
    };
    switch (wireType) {
      case 0:
        varint();
        break;
      case 1:
        need(8);
        break;
      case 5:
        need(4);
        break;
      case 2: {
        const len = varint();
        if (pos + len > frame.end) {
          throw fail.truncated(`field ${field} of ${frame.type} declares ${len} bytes at ${pos} but only ${frame.end - pos} remain`, { path, offset: pos });
        }
        if (childType === undefined) {
          pos += len;
          break;
        }
        if (stack.length + 1 > lim.maxDepth) throw fail.limit(`messages nested deeper than ${lim.maxDepth}`, 'max-depth', { path, offset: pos });
        if (++messages > lim.maxMessages) throw fail.limit(`more than ${lim.maxMessages} messages`, 'max-messages', { path, offset: pos });
        stack.push({ type: childType, end: pos + len });
        maxDepth = Math.max(maxDepth, stack.length);
        break;
      }
      default:
        throw fail.malformed(`unsupported wire type ${wireType} (field ${field} of ${frame.type})`, 'bad-wire-type', { path, offset: tagAt });
    }
  }
  return { messages, depth: maxDepth };
}
