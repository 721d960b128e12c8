/**
 * `@tfsave/saved-model`: read and write TensorFlow SavedModel directories.
 * Format code is pure and environment-neutral; `@tfsave/saved-model/node`
 * adds local-directory helpers.
 */
export * from './limits.js';
export * from './wire-guard.js';
export * from './codec.js';
export * from './meta-graph.js';
export * from './summary-types.js';
export * from './summarize.js';
export * from './reader.js';
export * from './show.js';
export * from './show-functions.js';
export { functionLoadOrder, loadedFunctionNames } from './load-order.js';
export * from './farmhash.js';
export * from './canonical.js';
export * from './fingerprint.js';
export * from './writer/model-spec.js';
export * from './writer/graph-builder.js';
export * from './writer/activations.js';
export * from './writer/layers.js';
export * from './writer/write-saved-model.js';
export * from './writer/function-def.js';
export * from './writer/object-graph.js';
export * from './writer/build-tf2.js';
export * from './writer/keras-metadata.js';
export * from './writer/saver-functions.js';
export * from './writer/deferred-commit.js';
export * from './writer/model-graph.js';
export * from './writer/merge-layers.js';
export * from './writer/wire-layers.js';
export * from './writer/optimizer-state.js';
