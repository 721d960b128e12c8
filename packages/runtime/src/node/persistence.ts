/**
 * Saving and loading on the local file system, with the format chosen from the
 * path as Keras does: `.keras` zip, `.h5` (legacy HDF5), `.weights.h5` (Keras 3
 * weights), a TF checkpoint prefix (default for weights) or a SavedModel
 * directory (default for whole models). All bytes go through the tfsave format
 * packages.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DirOpener, writeFileAtomic } from '@tfsave/core/node';
import { isFormatError, utf8Encode } from '@tfsave/core';
import { loadKerasModelFile, saveKerasModelFile } from '@tfsave/keras-h5/node';
import { formatCheckpointState, isAbsolutePath, parseCheckpointState } from '@tfsave/tensor-bundle';
import { latestCheckpoint as tbLatestCheckpoint, openBundle, saveObjectCheckpoint } from '@tfsave/tensor-bundle/node';
import { writeSavedModelDir } from '@tfsave/saved-model/node';
import type { LayerSpec, OptimizerSpec } from '@tfsave/saved-model';
import { applyDescription, describeModel, modelFromDescription, trainingConfig } from '../artifacts.js';
import { InputLayer } from '../layers/core.js';
import type { Model } from '../model.js';
import type { CustomObjects } from '../serialization.js';
import { loadSavedModelKeras } from '../saved-model-load.js';
import { checkpointSpec, kerasOptimizerState, restoreFromBundle } from '../tf-checkpoint.js';

/** The on-disk layouts. */
export type SaveFormat = 'tf' | 'h5' | 'weights.h5' | 'keras' | 'savedmodel';

/** The layout Keras picks for `path` (`saveWeights` when `weightsOnly`). */
export function formatForPath(path: string, weightsOnly: boolean): SaveFormat {
  if (path.endsWith('.weights.h5')) return 'weights.h5';
  if (path.endsWith('.keras')) return 'keras';
  if (path.endsWith('.h5') || path.endsWith('.hdf5')) return 'h5';
  return weightsOnly ? 'tf' : 'savedmodel';
}

/** Writes the `checkpoint` state file naming `prefix` as the latest (as tf_keras's save_weights does). */
export async function writeCheckpointState(prefix: string): Promise<void> {
  const name = basename(prefix);
  const text = formatCheckpointState({ model_checkpoint_path: name, all_model_checkpoint_paths: [name], all_model_checkpoint_timestamps: [] });
  await writeFileAtomic(join(dirname(prefix), 'checkpoint'), utf8Encode(text));
}

/**
 * `model.save_weights(path)`: TF checkpoint by default (with optimizer state and
 * the `checkpoint` state file), `.h5` legacy weights, `.weights.h5` Keras 3 weights.
 */
export async function saveWeights(model: Model, path: string): Promise<void> {
  const format = formatForPath(path, true);
  if (format === 'tf') {
    await saveObjectCheckpoint(path, checkpointSpec(model));
    await writeCheckpointState(path);
  } else if (format === 'h5') {
    await saveKerasModelFile(describeModel(model), path, { format: 'weights-h5-legacy' });
  } else if (format === 'weights.h5') {
    await saveKerasModelFile(describeModel(model, true, 'keras3'), path, { format: 'weights.h5' });
  } else {
    throw new Error(`runtime: saveWeights cannot write a ${format} file (${path})`);
  }
}

/**
 * `model.load_weights(path)`: a TF checkpoint prefix (e.g. from {@link latestCheckpoint})
 * or any Keras HDF5 layout; optimizer state is restored when stored and the model is compiled.
 */
export async function loadWeights(model: Model, path: string): Promise<void> {
  if (existsSync(`${path}.index`)) {
    await restoreFromBundle(model, await openBundle(path));
    return;
  }
  const loaded = await loadKerasModelFile(path);
  applyDescription(model, loaded.model);
}

function savedModelLayers(model: Model): LayerSpec[] {
  return model.layers.filter((l) => !(l instanceof InputLayer)).map((l) => ({
    class_name: l.className, config: l.getConfig(),
    weights: l.weights.map((w) => ({ name: `${l.name}/${w.name}`, shape: w.variable.shape, data: (w.variable.dataSync() as Float32Array).slice() })),
  }));
}

/** The compiled optimizer's state as the SavedModel writer takes it (tf_keras's variable order). */
function savedModelOptimizer(model: Model): OptimizerSpec | undefined {
  const opt = model.compiled?.optimizer;
  if (!opt) return undefined;
  const st = kerasOptimizerState(opt);
  return {
    class_name: opt.className, config: opt.getConfig(), iterations: st.iterations, learningRate: st.learningRate,
    slots: st.slots.map((s) => ({ name: s.name, shape: s.shape, data: s.data })),
  };
}

/**
 * `model.save(path)`: `.keras` zip or legacy `.h5` (config, weights, training
 * config, optimizer state), else a SavedModel directory (serving signature,
 * weights, training config and optimizer state as tf_keras lays them out;
 * Sequential models only).
 */
export async function saveModel(model: Model, path: string): Promise<void> {
  const format = formatForPath(path, false);
  if (format === 'keras') return saveKerasModelFile(describeModel(model, true, 'keras3'), path, { format: 'keras' });
  if (format === 'h5') return saveKerasModelFile(describeModel(model), path, { format: 'h5', dialect: 'keras2' });
  if (model.className !== 'Sequential') throw new Error('runtime: SavedModel export supports Sequential models only');
  const shape = model.inputs[0]!.shape.slice(1) as number[];
  const tc = trainingConfig(model);
  const optimizer = savedModelOptimizer(model);
  await writeSavedModelDir(path, {
    layers: savedModelLayers(model), inputShape: shape, kerasConfig: model.toConfig(), ...(tc ? { trainingConfig: tc } : {}), ...(optimizer ? { optimizer } : {}),
  });
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Custom layer classes by class or registered name. */
  customObjects?: CustomObjects;
}

/**
 * `keras.models.load_model(path)` for `.keras` and `.h5` files and Keras SavedModel
 * directories (tf_keras's, or ours): architecture, weights, compile config and
 * optimizer state where stored.
 * @throws FormatError for damaged files, a SavedModel without `keras_metadata.pb`, or
 *   regularizers/constraints the runtime cannot honor; Error for unknown layer classes.
 */
export async function loadModel(path: string, opts: LoadModelOptions = {}): Promise<Model> {
  if (existsSync(path) && statSync(path).isDirectory()) {
    return loadSavedModelKeras(new DirOpener(path), opts.customObjects ?? {}).catch((e: unknown) => {
      throw isFormatError(e) ? e.withPath(path) : e;
    });
  }
  // Lambda layers stay refused by keras-h5; other classes are resolved (never executed) by modelFromConfig,
  // which refuses any class that is neither built in, registered, nor in customObjects.
  const loaded = await loadKerasModelFile(path, { allowUnknownClasses: true });
  try {
    return modelFromDescription(loaded.model, opts.customObjects ?? {});
  } catch (e) {
    throw isFormatError(e) ? e.withPath(path) : e;
  }
}

/**
 * TF's `tf.train.latest_checkpoint(dir)`: the newest checkpoint prefix in `dir`.
 * Unlike TF's, it also returns a `.weights.h5` / `.keras` / `.h5` file named by the
 * state file (ModelCheckpoint records those too). Undefined when there is none.
 */
export async function latestCheckpoint(dir: string): Promise<string | undefined> {
  const tf = await tbLatestCheckpoint(dir);
  if (tf !== undefined) return tf;
  const stateFile = join(dir, 'checkpoint');
  if (!existsSync(stateFile)) return undefined;
  const st = parseCheckpointState(readFileSync(stateFile, 'utf8'), stateFile);
  const p = isAbsolutePath(st.model_checkpoint_path) ? st.model_checkpoint_path : join(resolve(dir), st.model_checkpoint_path);
  return existsSync(p) ? p : undefined;
}
