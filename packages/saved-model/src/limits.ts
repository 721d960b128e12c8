/** Resource limits applied to every protobuf file of a SavedModel before decoding. */

/** Limits against hostile or corrupt `saved_model.pb`, `keras_metadata.pb` and `fingerprint.pb` files. */
export interface SavedModelLimits {
  /** Largest protobuf file accepted, in bytes. Default 1 GiB (TensorFlow itself stops at 2 GiB). */
  readonly maxFileBytes?: number;
  /** Deepest nesting of messages inside messages. Default 100 (TensorFlow's own parser allows 100). */
  readonly maxDepth?: number;
  /** Most messages (of any type, at any depth) in one file. Default 5,000,000. */
  readonly maxMessages?: number;
}

/** The limits used when an option is not given. */
export const DEFAULT_LIMITS: Required<SavedModelLimits> = {
  maxFileBytes: 1 << 30,
  maxDepth: 100,
  maxMessages: 5_000_000,
};

/** Fills in defaults. */
export function resolveLimits(limits: SavedModelLimits = {}): Required<SavedModelLimits> {
  return { ...DEFAULT_LIMITS, ...limits };
}
