/**
 * TensorFlow's "Save and load models" tutorial, end to end in TypeScript:
 * `npm run example -- [--quick] [--out DIR] [--no-verify]`.
 *
 * Each step mirrors the Python tutorial line by line (tf.keras → @tfsave/runtime)
 * and writes its artifacts under the output folder, which becomes the working
 * directory so every printed path reads as in the tutorial (`training_1/cp.ckpt`).
 * Step 9 has Python TensorFlow / Keras load every artifact and compare accuracies.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Callback, formatTemplate, initBackend, setRandomSeed } from '@tfsave/runtime';
import type { Logs, Model } from '@tfsave/runtime';
import { latestCheckpoint, loadModel, loadWeights, ModelCheckpoint, saveModel, saveWeights } from '@tfsave/runtime/node';
import { parseArgs, USAGE } from './lib/args.js';
import { accuracyLine, evaluateLine, fitPrinter, heading, isTTY, printListing, ProgressLine, say } from './lib/terminal.js';
import { compileTutorial, createCustomModel, createModel, loadTutorialData, Scale, scoreModel } from './lib/tutorial-model.js';
import type { TutorialData } from './lib/tutorial-model.js';
import { verifyWithPython } from './lib/verify.js';
import type { VerifyCase } from './lib/verify.js';

/** Every artifact the tutorial writes (removed first, so listings show this run only). */
export const ARTIFACTS = ['training_1', 'training_2', 'checkpoints', 'saved_model', 'my_model.h5', 'my_model.keras', 'custom_model.keras'];

const started = performance.now();
const opts = (() => {
  try {
    return parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(String((e as Error).message));
    process.exit(2);
  }
})();
if (opts.help) {
  say(USAGE);
  process.exit(0);
}
const epochs = opts.quick ? { t1: 2, t2: 10, save: 1, custom: 1 } : { t1: 10, t2: 50, save: 5, custom: 2 };
const out = resolve(opts.out);
mkdirSync(out, { recursive: true });
for (const a of ARTIFACTS) rmSync(resolve(out, a), { recursive: true, force: true });
process.chdir(out);

const backend = await initBackend('wasm');
setRandomSeed(42);
const data = loadTutorialData();
const cases: VerifyCase[] = [];
say(`tfsave: TensorFlow's "Save and load models" tutorial in TypeScript (backend ${backend}${opts.quick ? ', --quick' : ''})`);
say(`Artifacts go to ${out}`);

/** `model.evaluate(test_images, test_labels, verbose=2)`: prints Keras's line, returns the accuracy. */
function evaluate(model: Model, d: TutorialData): number {
  const t = performance.now();
  const logs = model.evaluate(d.testImages, d.testLabels);
  say(evaluateLine(logs, Math.ceil(d.testLabels.shape[0] / 32), (performance.now() - t) / 1000));
  return logs['sparse_categorical_accuracy'] ?? NaN;
}

/** Scores `model` for step 9 and records how Python should load `artifact`. */
function record(artifact: string, kind: VerifyCase['kind'], model: Model, label?: string): void {
  const iterations = kind === 'tfk_model' || kind === 'k3_model' || kind === 'tfk_savedmodel' ? model.compiled?.optimizer.iterations : undefined;
  cases.push({
    artifact, kind, path: resolve(out, artifact), ours: scoreModel(model, data),
    ...(iterations ? { iterations } : {}), ...(label !== undefined ? { label } : {}),
  });
}

const checkpointPrint = (s: string): void => say(isTTY ? s : s.replace(/^\n/, ''));

// 1. create_model() and its summary
heading('1', 'Define a model: create_model(); model.summary()');
let model = createModel();
model.summary(say);

// 2. ModelCheckpoint(save_weights_only=True) during fit
heading('2', `Save checkpoints during training: fit(epochs=${epochs.t1}) with ModelCheckpoint`);
const cp1 = new ModelCheckpoint({ filepath: 'training_1/cp.ckpt', saveWeightsOnly: true, verbose: 1, print: checkpointPrint });
const hist = await model.fit(data.trainImages, data.trainLabels, {
  epochs: epochs.t1, validationData: [data.testImages, data.testLabels], callbacks: [cp1], print: fitPrinter(),
});
const trainedAcc = hist.history['val_sparse_categorical_accuracy']!.at(-1)!;
printListing('training_1', 'training_1');

// 3. a fresh model, then load_weights
heading('3', 'Untrained model vs. load_weights("training_1/cp.ckpt")');
model = createModel();
say(accuracyLine('Untrained model', evaluate(model, data)));
await loadWeights(model, 'training_1/cp.ckpt');
const restored1 = evaluate(model, data);
say(accuracyLine('Restored model', restored1));
say(`${restored1 === trainedAcc ? 'Same as' : 'DIFFERENT from'} the trained model (${(100 * trainedAcc).toFixed(2)}%).`);
record('training_1/cp.ckpt', 'tfk_weights', model);

// 4. epoch-numbered checkpoints every 5 epochs, latest_checkpoint
heading('4', `Checkpoint every 5 epochs: training_2/cp-{epoch:04d}.ckpt, ${epochs.t2} epochs`);
const batchSize = 32;
const nBatches = Math.ceil(data.trainLabels.shape[0] / batchSize);
const progress = new ProgressLine(`  training ${epochs.t2} epochs (verbose=0)`);
class EpochProgress extends Callback {
  override async onEpochEnd(epoch: number, _logs: Logs): Promise<void> {
    progress.update(epoch + 1, epochs.t2);
  }
}
const cp2 = new ModelCheckpoint({
  filepath: 'training_2/cp-{epoch:04d}.ckpt', verbose: 1, saveWeightsOnly: true, saveFreq: 5 * nBatches,
  print: (s) => {
    progress.done();
    checkpointPrint(s);
  },
});
model = createModel();
await saveWeights(model, formatTemplate('training_2/cp-{epoch:04d}.ckpt', { epoch: 0 }));
await model.fit(data.trainImages, data.trainLabels, {
  epochs: epochs.t2, batchSize, callbacks: [cp2, new EpochProgress()], validationData: [data.testImages, data.testLabels], verbose: 0,
});
progress.done();
printListing('training_2', 'training_2');
const latest = await latestCheckpoint('training_2');
if (latest === undefined) throw new Error('no checkpoint in training_2');
say(`latestCheckpoint('training_2') → ${relative(out, latest)}`);
model = createModel();
await loadWeights(model, latest);
say(accuracyLine('Restored model', evaluate(model, data)));
record(relative(out, latest), 'tfk_latest', model);

// 5. manual save_weights / load_weights
heading('5', "Manually save weights: saveWeights('./checkpoints/my_checkpoint')");
await saveWeights(model, './checkpoints/my_checkpoint');
model = createModel();
await loadWeights(model, './checkpoints/my_checkpoint');
say(accuracyLine('Restored model', evaluate(model, data)));
record('checkpoints/my_checkpoint', 'tfk_weights', model);
printListing('checkpoints', 'checkpoints');

// 6. the whole model as a SavedModel
heading('6', "Save the entire model as a SavedModel: save('saved_model/my_model')");
model = createModel();
await model.fit(data.trainImages, data.trainLabels, { epochs: epochs.save, print: fitPrinter() });
await saveModel(model, 'saved_model/my_model');
printListing('saved_model', 'saved_model');
printListing('saved_model/my_model', 'saved_model/my_model');
let newModel = await loadModel('saved_model/my_model');
if (!newModel.compiled) {
  say('(keras_metadata.pb carries no training_config: compiling the loaded model as create_model() does)');
  compileTutorial(newModel);
}
newModel.summary(say);
say(accuracyLine('Restored model', evaluate(newModel, data)));
const pred = newModel.predict(data.testImages);
say(`predict(test_images).shape → [${(Array.isArray(pred) ? pred[0]! : pred).shape.join(', ')}]`);
record('saved_model/my_model', 'tfk_savedmodel', newModel);
record('saved_model/my_model', 'tf_serving', newModel, 'saved_model/my_model (serving)');

// 7. the whole model as HDF5, optimizer included
heading('7', "Save the entire model as HDF5: save('my_model.h5')");
model = createModel();
await model.fit(data.trainImages, data.trainLabels, { epochs: epochs.save, print: fitPrinter() });
await saveModel(model, 'my_model.h5');
newModel = await loadModel('my_model.h5');
newModel.summary(say);
say(accuracyLine('Restored model', evaluate(newModel, data)));
const opt = newModel.compiled?.optimizer;
say(`Optimizer restored: ${opt?.className ?? 'none'} at step ${opt?.iterations ?? 0} (saved at step ${model.compiled!.optimizer.iterations})`);
record('my_model.h5', 'tfk_model', newModel);

// 8. beyond the tutorial: the Keras 3 format and a custom layer
heading('8', "Keras 3 format save('my_model.keras'); a custom layer with customObjects");
await saveModel(model, 'my_model.keras');
newModel = await loadModel('my_model.keras');
say(accuracyLine('Restored model (.keras)', evaluate(newModel, data)));
record('my_model.keras', 'k3_model', newModel);
const custom = createCustomModel();
await custom.fit(data.trainImages, data.trainLabels, { epochs: epochs.custom, print: fitPrinter() });
await saveModel(custom, 'custom_model.keras');
try {
  await loadModel('custom_model.keras');
  say('Loading without customObjects unexpectedly worked');
} catch (e) {
  say(`Without customObjects: ${(e as Error).message}`);
}
const customLoaded = await loadModel('custom_model.keras', { customObjects: { Scale } });
say(`With customObjects: { Scale }: layers ${customLoaded.layers.map((l) => l.className).join(' → ')}`);
say(accuracyLine('Restored custom model', evaluate(customLoaded, data)));
record('custom_model.keras', 'k3_custom', customLoaded);

// 9. Python TensorFlow / Keras loads every artifact
heading('9', 'Verification: Python TensorFlow / Keras loads every artifact');
const outcome = opts.verify ? await verifyWithPython(cases) : { ran: false, passed: false };
if (!opts.verify) say('Skipped (--no-verify).');
say('');
say(`Done in ${((performance.now() - started) / 1000).toFixed(1)}s. Artifacts in ${out}`);
if (outcome.ran && !outcome.passed) process.exit(1);
