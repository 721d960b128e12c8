/**
 * TensorFlow's protocol buffer messages, generated with protobufjs from
 * tfsave's own `.proto` files in `specs/proto`. Field names keep the wire's
 * snake_case. 64-bit integer fields decode as `Long` (or `number`); use
 * {@link int64ToBigInt} / {@link int64ToNumber} to read them.
 */
export { tensorflow, google, keras } from './gen/protos.js';
export * from './int64.js';
export { wireSchema } from './gen/wire-schema.js';
