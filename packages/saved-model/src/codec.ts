/**
 * Guarded decode and deterministic encode of the protobuf files of a
 * SavedModel directory. Every decode first runs {@link checkWire}, and any
 * failure of protobufjs itself is turned into a {@link FormatError}.
 */
import { errorsFor, isFormatError } from '@tfsave/core';
import { keras, tensorflow } from '@tfsave/protos';
import type { SavedModelLimits } from './limits.js';
import { checkWire } from './wire-guard.js';

const fail = errorsFor('saved-model');

interface Codec<T> {
  decode(bytes: Uint8Array): T;
  encode(message: T): { finish(): Uint8Array };
}

function guardedDecode<T>(codec: Codec<T>, typeName: string, bytes: Uint8Array, limits: SavedModelLimits | undefined, path: string | undefined): T {
  checkWire(bytes, typeName, limits, path);
  try {
    return codec.decode(bytes);
  } catch (e) {
    if (isFormatError(e)) throw e;
    throw fail.malformed(`${typeName} does not decode: ${(e as Error).message}`, 'bad-proto', { path, cause: e });
  }
}

/**
 * Decodes `saved_model.pb`.
 * @throws FormatError for truncated, malformed or over-limit bytes.
 */
export function decodeSavedModel(bytes: Uint8Array, limits?: SavedModelLimits, path?: string): tensorflow.SavedModel {
  return guardedDecode(tensorflow.SavedModel as Codec<tensorflow.SavedModel>, 'tensorflow.SavedModel', bytes, limits, path);
}

/** Encodes a SavedModel message (fields in number order, maps in insertion order). */
export function encodeSavedModel(model: tensorflow.ISavedModel): Uint8Array {
  return tensorflow.SavedModel.encode(model).finish();
}

/**
 * Decodes tf_keras's `keras_metadata.pb`.
 * @throws FormatError for truncated, malformed or over-limit bytes.
 */
export function decodeKerasMetadata(bytes: Uint8Array, limits?: SavedModelLimits, path?: string): keras.SavedMetadata {
  return guardedDecode(keras.SavedMetadata as Codec<keras.SavedMetadata>, 'keras.SavedMetadata', bytes, limits, path);
}

/** Encodes a `keras_metadata.pb` message. */
export function encodeKerasMetadata(metadata: keras.ISavedMetadata): Uint8Array {
  return keras.SavedMetadata.encode(metadata).finish();
}

/**
 * Decodes `fingerprint.pb`.
 * @throws FormatError for truncated, malformed or over-limit bytes.
 */
export function decodeFingerprint(bytes: Uint8Array, limits?: SavedModelLimits, path?: string): tensorflow.FingerprintDef {
  return guardedDecode(tensorflow.FingerprintDef as Codec<tensorflow.FingerprintDef>, 'tensorflow.FingerprintDef', bytes, limits, path);
}

/** Encodes a FingerprintDef. */
export function encodeFingerprint(fingerprint: tensorflow.IFingerprintDef): Uint8Array {
  return tensorflow.FingerprintDef.encode(fingerprint).finish();
}
