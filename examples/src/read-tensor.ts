/**
 * Snippet: read one tensor from a TensorFlow checkpoint, without TensorFlow.
 *
 *   node examples/dist/src/read-tensor.js <checkpoint-prefix> [tensor-name]
 *   node examples/dist/src/read-tensor.js fixtures/tutorial-tf-keras/training_1/cp.ckpt \
 *        layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE
 *
 * Without a name it lists the checkpoint's tensors. Only the index, the footer and
 * the bytes of the one tensor are read (checksum verified), however big the file.
 */
import { openBundle } from '@tfsave/tensor-bundle/node';

const [prefix, name] = process.argv.slice(2);
if (prefix === undefined) {
  console.error('usage: read-tensor <checkpoint-prefix> [tensor-name]');
  process.exit(2);
}

// `prefix` names the pair `<prefix>.index` + `<prefix>.data-00000-of-00001`.
const reader = await openBundle(prefix);
try {
  if (name === undefined) {
    for (const e of reader.entries()) console.log(`${e.name}  ${e.dtype}  [${e.shape.join(', ')}]`);
  } else {
    const t = await reader.readTensor(name); // FormatError when missing, truncated or corrupt
    const values = Array.from(t.data as ArrayLike<number | bigint>, (v) => String(v));
    console.log(`${t.name}: ${t.dtype} [${t.shape.join(', ')}], ${values.length} values`);
    console.log(`first values: ${values.slice(0, 5).join(', ')}`);
  }
} finally {
  await reader.close();
}
