/** SavedModel directories through `@tfsave/saved-model` (variables through `@tfsave/tensor-bundle`). */
import { readSavedModel, toInspectJson, formatShowAll } from '@tfsave/saved-model';
import { BundleReader } from '@tfsave/tensor-bundle';
import type { Opener } from '../context.js';
import type { DetailSection, OpenedFile, TensorEntry } from '../model.js';
import { bundleKerasWeights } from './bundle-weights.js';
import { bundleEntries, bundleSection, verifyBundle } from './tensor-bundle.js';

/** The CLI opener for `saved-model` inputs. */
export const openSavedModel: Opener = async (located) => {
  const info = await readSavedModel<BundleReader>(located.opener, { openVariables: (o, prefix) => BundleReader.open(o, prefix) });
  const reader = info.hasVariables ? await info.variables() : undefined;
  const entries: TensorEntry[] = reader === undefined ? [] : bundleEntries(reader);
  const { signatures } = toInspectJson(info);
  const sections: DetailSection[] = [];
  const mg = info.metaGraphs;
  sections.push({
    title: 'SavedModel',
    lines: [
      `schema version: ${info.schemaVersion}  meta graphs: ${mg.length}`,
      ...mg.map((m) => `tags {${m.tags.join(', ')}}: TF ${m.tensorflowVersion || '?'}, ${m.signatures.length} signatures, ${m.functions.length} functions, ${m.nodeCount} graph nodes`),
      ...(info.kerasMetadata === undefined ? [] : [`keras_metadata.pb: ${info.kerasMetadata.length} nodes`]),
      ...(info.fingerprint === undefined ? [] : [`fingerprint: saved_model_checksum ${info.fingerprint.savedModelChecksum}`]),
      ...(info.assetFiles.length === 0 ? [] : [`assets: ${info.assetFiles.join(', ')}`]),
      ...(info.hasVariables ? [] : ['variables: none (no variables/variables.index beside saved_model.pb)']),
    ],
  });
  sections.push({ title: 'Signatures (saved_model_cli show --all)', lines: formatShowAll(info).trimEnd().split('\n') });
  if (reader !== undefined) sections.push(bundleSection(reader, 'Variables'));
  const file: OpenedFile = {
    format: 'saved-model',
    name: located.display,
    entries,
    json: { signatures },
    sections,
    kerasWeights: async () => (reader === undefined ? undefined : bundleKerasWeights(reader)),
    async verify(progress) {
      if (reader !== undefined) await verifyBundle(reader, progress);
    },
    async close() {
      await reader?.close();
    },
  };
  return file;
};
