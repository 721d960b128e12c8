/**
 * Keras files (legacy `.h5`, `.weights.h5`, `.keras`) through `@tfsave/keras-h5`.
 * Entries are the stored HDF5 datasets (prefixed by the zip member inside a
 * `.keras`); the model's weights by Keras weight path (`dense/kernel`) are
 * kept for `diff`. A local file is read in place (only the structure until a
 * tensor is asked for); a URL's bytes are fetched whole.
 */
import { readAll } from '@tfsave/core';
import {
  bytesReader, formatSummary, h5Ready, listDatasets, loadKerasModel, openHdf5, openKerasZip, summarizeModel, tensorFromDataset,
  type H5LazyDataset, type Hdf5File, type KerasModelDesc, type LoadedKerasFile, type ModelSummary, type RandomAccessReader, type TensorRecord,
} from '@tfsave/keras-h5';
import { openFileReader, type FileReader } from '@tfsave/keras-h5/node';
import type { Opener } from '../context.js';
import type { Located } from '../locate.js';
import type { DetailSection, OpenedFile, TensorEntry } from '../model.js';
import { formatShape, maxLength } from '../values.js';
import { checkZipCrcs } from '../zip-check.js';
import { toTensorValue } from './tensor-data.js';

function datasetEntry(name: string, ds: H5LazyDataset): TensorEntry {
  const tensor = (data: Uint8Array): TensorRecord => tensorFromDataset(name, { kind: 'dataset', dtype: ds.dtype, shape: ds.shape, attrs: ds.attrs, data });
  const { dtype, shape } = tensor(new Uint8Array(0));
  return {
    name, dtype, shape, byteSize: ds.byteLength,
    read: async () => {
      const t = tensor(ds.read());
      return toTensorValue(t.dtype, t.shape, t.data);
    },
  };
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

/** Opens a local file for synchronous positional reads (injectable: tests count the bytes read). */
export type OpenFileReader = (path: string) => FileReader;

/** The input as a reader: a local file in place, a URL's bytes (fetched whole) in memory. */
async function openInput(located: Located, openReader: OpenFileReader): Promise<{ reader: RandomAccessReader; close(): void }> {
  if (located.localPath !== undefined) {
    const reader = openReader(located.localPath);
    return { reader, close: () => reader.close() };
  }
  const src = await located.opener.open(located.target);
  try {
    return { reader: bytesReader(await readAll(src)), close() {} };
  } finally {
    await src.close?.();
  }
}

/**
 * The CLI opener for `hdf5` and `keras-zip` inputs. Opening reads the file's structure (HDF5
 * object headers, the zip directory and JSON members) and the model's config and weight shapes;
 * dataset bytes are read when an entry is read.
 */
export function kerasOpener(openReader: OpenFileReader = openFileReader): Opener {
  return async (located) => {
    const input = await openInput(located, openReader);
    const files: Hdf5File[] = [];
    const closeAll = (): void => {
      for (const f of files) f.close();
      input.close();
    };
    try {
      return await openWith(located, input.reader, files, closeAll);
    } catch (e) {
      closeAll();
      throw e;
    }
  };
}

/** The CLI opener for `hdf5` and `keras-zip` inputs, reading local files in place. */
export const openKeras: Opener = kerasOpener();

async function openWith(located: Located, reader: RandomAccessReader, files: Hdf5File[], closeAll: () => void): Promise<OpenedFile> {
  await h5Ready();
  const name = located.display;
  const entries: TensorEntry[] = [];
  const addDatasets = (file: Hdf5File, prefix: string): void => {
    files.push(file);
    for (const { path, ds } of listDatasets(file.root)) entries.push(datasetEntry(`${prefix}${path}`, ds));
  };
  if (located.format === 'hdf5') {
    addDatasets(openHdf5(reader, { name }), '');
  } else {
    for (const [member, m] of openKerasZip(reader, {}, name)) {
      if (member.endsWith('.h5')) addDatasets(openHdf5(m.reader ?? m.read(), { name: `${name}:${member}` }), `${member}:`);
    }
  }
  const opts = { name, skipSafetyCheck: true } as const;
  let loaded: LoadedKerasFile | undefined;
  let loadError: unknown;
  try {
    loaded = await loadKerasModel(reader, { ...opts, withoutValues: true });
  } catch (e) {
    loadError = e;
  }
  let weights: Promise<TensorEntry[]> | undefined;
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
    ...(loaded === undefined ? {} : { kerasWeights: () => (weights ??= loadKerasModel(reader, opts).then((l) => kerasWeightEntries(l.model))) }),
    async verify(progress) {
      if (located.format === 'keras-zip') checkZipCrcs(reader, name);
      if (loadError !== undefined) throw loadError;
      for (const e of entries) {
        await e.read();
        progress.advance(e.byteSize ?? 0);
      }
    },
    async close() {
      closeAll();
    },
  } satisfies OpenedFile;
}
