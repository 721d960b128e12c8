/**
 * Snippet: convert a Keras 2 `.h5` model (tf.keras `model.save('m.h5')`) to the
 * Keras 3 `.keras` format: architecture, weights, compile config and optimizer state.
 *
 *   node examples/dist/src/h5-to-keras.js fixtures/tutorial-tf-keras/my_model.h5 my_model.keras
 *
 * The file is parsed, never executed: unknown or unsafe layer classes (Lambda) are refused.
 */
import { loadKerasModelFile, saveKerasModelFile } from '@tfsave/keras-h5/node';

const [input, output] = process.argv.slice(2);
if (input === undefined || output === undefined) {
  console.error('usage: h5-to-keras <model.h5> <model.keras>');
  process.exit(2);
}

const loaded = await loadKerasModelFile(input);
console.log(`read ${input}: ${loaded.format}, Keras ${loaded.model.kerasVersion ?? '?'}, ${loaded.model.layers.length} layers`);
// saveKerasModelFile converts the Keras 2 config, compile config and optimizer variables to Keras 3.
await saveKerasModelFile(loaded.model, output, { format: 'keras' });
const weights = loaded.model.layers.reduce((n, l) => n + l.weights.length, 0);
console.log(`wrote ${output}: ${weights} weights${loaded.model.optimizer ? `, ${loaded.model.optimizer.weights.length} optimizer variables` : ''}`);
