/** The format adapters of the CLI, one per {@link FormatName}. */
import type { AdapterTable } from '../context.js';
import { openFingerprint } from './fingerprint.js';
import { openKeras } from './keras.js';
import { openKerasMetadata } from './keras-metadata.js';
import { openMetaGraph } from './meta-graph.js';
import { openSavedModel } from './saved-model.js';
import { openTensorBundle } from './tensor-bundle.js';

/** Which opener reads which format. */
export const ADAPTERS: AdapterTable = {
  'tensor-bundle': openTensorBundle,
  'saved-model': openSavedModel,
  hdf5: openKeras,
  'keras-zip': openKeras,
  'meta-graph': openMetaGraph,
  'keras-metadata': openKerasMetadata,
  fingerprint: openFingerprint,
};
