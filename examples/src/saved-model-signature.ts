/**
 * Snippet: show a SavedModel's serving signatures (what `saved_model_cli show` prints):
 * the input and output names, dtypes and shapes a server feeds and fetches.
 *
 *   node examples/dist/src/saved-model-signature.js fixtures/tutorial-tf-keras/saved_model/my_model
 *
 * Only `saved_model.pb` (and the small metadata files) are read; variables stay on disk.
 */
import { readSavedModelDir } from '@tfsave/saved-model/node';

const [dir] = process.argv.slice(2);
if (dir === undefined) {
  console.error('usage: saved-model-signature <saved-model-dir>');
  process.exit(2);
}

const info = await readSavedModelDir(dir);
for (const graph of info.metaGraphs) {
  console.log(`MetaGraph tags [${graph.tags.join(', ')}], written by TensorFlow ${graph.tensorflowVersion || '?'}`);
  for (const sig of graph.signatures) {
    console.log(`signature '${sig.key}' (${sig.methodName})`);
    const show = (kind: string, m: typeof sig.inputs): void => {
      for (const [key, t] of Object.entries(m)) {
        console.log(`  ${kind} ${key}: ${t.dtype} shape ${t.shape === null ? 'unknown' : `[${t.shape.join(', ')}]`} (tensor ${t.name})`);
      }
    };
    show('input ', sig.inputs);
    show('output', sig.outputs);
  }
}
