/** The format adapters of the CLI, one per {@link FormatName}. */
import type { AdapterTable } from '../context.js';
import { openKeras } from './keras.js';
import { openSavedModel } from './saved-model.js';
import { openTensorBundle } from './tensor-bundle.js';

/** Which opener reads which format. */
export const ADAPTERS: AdapterTable = {
  'tensor-bundle': openTensorBundle,
  'saved-model': openSavedModel,
  hdf5: openKeras,
  'keras-zip': openKeras,
};
