/**
 * Keras files (legacy `.h5`, `.weights.h5`, `.keras`) through `@tfsave/keras-h5`.
 * Entries are the stored HDF5 datasets (prefixed by the zip member inside a
 * `.keras`); the model's weights by Keras weight path (`dense/kernel`) are
 * kept for `diff`.
 */
import { readAll } from '@tfsave/core';
import {
  formatSummary, h5Ready, listDatasets, loadKerasModel, parseHdf5, summarizeModel, tensorFromDataset, unpackKerasZip,
  type H5Dataset, type KerasModelDesc, type LoadedKerasFile, type ModelSummary, type TensorRecord,
} from '@tfsave/keras-h5';
import type { Opener } from '../context.js';
import type { DetailSection, OpenedFile, TensorEntry } from '../model.js';
import { formatShape, maxLength } from '../values.js';
import { checkZipCrcs } from '../zip-check.js';
import { toTensorValue } from './tensor-data.js';

function datasetEntry(name: string, ds: H5Dataset): TensorEntry {
  const t = tensorFromDataset(name, ds);
  return { name, dtype: t.dtype, shape: t.shape, byteSize: ds.data.byteLength, read: async () => toTensorValue(t.dtype, t.shape, t.data) };
}

/** The model's weights keyed by Keras weight path (`layer/weight`, `optimizer/<name>`). */
export function kerasWeightEntries(model: KerasModelDesc): TensorEntry[] {
  const out: TensorEntry[] = [];
  const add = (path: string, t: TensorRecord): void => {
    out.push({ name: path, weightPath: path, dtype: t.dtype, shape: t.shape, byteSize: t.data.byteLength, read: async () => toTensorValue(t.dtype, t.shape, t.data) });
  };
  for (const layer of model.layers) for (const w of layer.weights) add(`${layer.name}/${w.name}`, w);
  for (const w of model.optimizer?.weights ?? []) add(`optimizer/${w.name}`, w);
  return out;
}

/**
 * The rows Keras's `model.summary()` shows: every config layer with its output shape and
 * parameter count, without a Sequential's InputLayer (not one of `model.layers`).
 */
export function summaryRows(model: KerasModelDesc): ModelSummary {
  const summary = summarizeModel(model);
  if (model.modelConfig?.['class_name'] !== 'Sequential') return summary;
  return { ...summary, rows: summary.rows.filter((r) => r.className !== 'InputLayer') };
}

/**
 * The layer table: Keras's `model.summary()` table (layer (type), output shape, params) when the
 * file has a model config; layers with weight shapes for weights-only files.
 */
export function layerTable(loaded: LoadedKerasFile): DetailSection {
  const summary = summaryRows(loaded.model);
  if (loaded.model.modelConfig !== undefined) return { title: 'Layers', lines: formatSummary(summary).split('\n') };
  const { rows, totalParams } = summary;
  const w0 = maxLength(rows.map((r) => r.name), 5);
  const lines = [`${'layer'.padEnd(w0)}  ${'params'.padStart(9)}  weights`];
  for (const r of rows) lines.push(`${r.name.padEnd(w0)}  ${String(r.params).padStart(9)}  ${r.weightShapes.map(formatShape).join(' ')}`.trimEnd());
  lines.push(`Total params: ${totalParams}`);
  return { title: 'Layers', lines };
}

/** The CLI opener for `hdf5` and `keras-zip` inputs. */
export const openKeras: Opener = async (located) => {
  const src = await located.opener.open(located.target);
  let bytes: Uint8Array;
  try {
    bytes = await readAll(src);
  } finally {
    await src.close?.();
  }
  await h5Ready();
  const name = located.display;
  const entries: TensorEntry[] = [];
  let members: Map<string, Uint8Array> | undefined;
  if (located.format === 'hdf5') {
    for (const { path, ds } of listDatasets(parseHdf5(bytes, { name }))) entries.push(datasetEntry(path, ds));
  } else {
    members = unpackKerasZip(bytes, {}, name);
    for (const [member, data] of members) {
      if (!member.endsWith('.h5')) continue;
      for (const { path, ds } of listDatasets(parseHdf5(data, { name: `${name}:${member}` }))) entries.push(datasetEntry(`${member}:${path}`, ds));
    }
  }
  let loaded: LoadedKerasFile | undefined;
  let loadError: unknown;
  try {
    loaded = await loadKerasModel(bytes, { name, skipSafetyCheck: true });
  } catch (e) {
    loadError = e;
  }
  const sections: DetailSection[] = [];
  const json: Record<string, unknown> = {};
  if (loaded !== undefined) {
    const m = loaded.model;
    const cls = m.modelConfig === undefined ? 'weights only' : String(m.modelConfig['class_name'] ?? '?');
    sections.push({
      title: 'Keras',
      lines: [
        `layout: ${loaded.format}  model: ${cls}${m.kerasVersion === undefined ? '' : `  keras_version: ${m.kerasVersion}`}${m.backend === undefined ? '' : `  backend: ${m.backend}`}`,
        `optimizer state: ${m.optimizer === undefined ? 'none' : `${m.optimizer.weights.length} tensors`}`,
      ],
    });
    sections.push(layerTable(loaded));
    json['layout'] = loaded.format;
    json['layers'] = summaryRows(loaded.model).rows.map((r) => ({ name: r.name, class_name: r.className, output_shape: r.outputShape ?? null, params: r.params }));
  } else {
    sections.push({ title: 'Keras', lines: [`not readable as a Keras model: ${loadError instanceof Error ? loadError.message : String(loadError)}`] });
  }
  return {
    format: located.format,
    name,
    entries,
    json,
    sections,
    ...(loaded === undefined ? {} : { kerasWeights: async () => kerasWeightEntries(loaded.model) }),
    async verify(progress) {
      if (members !== undefined) checkZipCrcs(bytes, members, name);
      if (loadError !== undefined) throw loadError;
      for (const e of entries) {
        await e.read();
        progress.advance(e.byteSize ?? 0);
      }
    },
    async close() {},
  } satisfies OpenedFile;
};
