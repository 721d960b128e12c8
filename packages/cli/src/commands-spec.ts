/** The commands of `tfsave`, their options and the examples shown by `--help`. */
import type { OptionSpec } from './args.js';

/** One command's interface. */
export interface CommandSpec {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly description: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
}

const help: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help' };
const quiet: OptionSpec = { type: 'boolean', short: 'q', help: 'no progress bar' };

/** Every command, in help order. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'inspect',
    usage: 'tfsave inspect PATH [--json] [--tensor NAME]',
    summary: 'list the tensors, signatures and layers of any TF/Keras file',
    description:
      'Detects the format from content (tensor-bundle prefix or .index, SavedModel directory, legacy Keras .h5,\n' +
      '.weights.h5, .keras) and prints entries with dtype, shape and size, plus signatures and the Keras layer table.\n' +
      'Without --json only the index/metadata is read, never the data (so URLs cost a few small range requests).\n' +
      "TF's protobuf files, which have no magic bytes, are known by name and decoded strictly: a TF1 *.meta\n" +
      '(MetaGraphDef: versions, ops, collections, saver_def, signatures, variables; its Const nodes are the tensors),\n' +
      'saved_model.pb (its SavedModel directory), keras_metadata.pb (layer nodes) and fingerprint.pb (the hashes).',
    minArgs: 1,
    maxArgs: 1,
    options: {
      json: { type: 'boolean', help: 'print {"format", "entries": [{"name","dtype","shape","sha256"}], ...} (reads all data)' },
      tensor: { type: 'string', value: 'NAME', help: 'print one tensor summarized like numpy (shape, dtype, min/max/mean, values)' },
      'edge-items': { type: 'number', value: 'N', help: 'values shown at each end of a summarized axis', default: 3 },
      help,
      quiet,
    },
    examples: [
      'tfsave inspect training_1/cp.ckpt',
      'tfsave inspect saved_model/my_model --json',
      'tfsave inspect my_model.h5 --tensor dense/kernel:0',
      'tfsave inspect https://example.com/ckpt/model.ckpt',
      'tfsave inspect houseprices/model.ckpt.meta',
      'tfsave inspect saved_model/my_model/fingerprint.pb --json',
    ],
  },
  {
    name: 'verify',
    usage: 'tfsave verify PATH',
    summary: 'run every checksum and structural check; exit 0 only when intact',
    description: 'Reads every tensor and checks every checksum the format has. Prints "ok" and exits 0 when the file is\nintact; otherwise prints what is wrong and where, and exits 2.',
    minArgs: 1,
    maxArgs: 1,
    options: { help, quiet },
    examples: ['tfsave verify training_1/cp.ckpt', 'tfsave verify m.keras', 'tfsave verify model.ckpt.meta'],
  },
  {
    name: 'convert',
    usage: 'tfsave convert IN OUT [--to FORMAT]',
    summary: 'convert between checkpoint, SavedModel, .h5, .weights.h5 and .keras',
    description:
      "The target format comes from OUT's form (.keras, .weights.h5, .h5, .index/prefix, a directory for a SavedModel)\n" +
      'or --to (checkpoint | saved-model | h5 | weights-h5 | keras). Conversions that cannot be expressed are refused\n' +
      'before anything is written.',
    minArgs: 2,
    maxArgs: 2,
    options: {
      to: { type: 'string', value: 'FORMAT', help: 'checkpoint | saved-model | h5 | weights-h5 | keras' },
      like: { type: 'string', value: 'MODEL', help: 'a Keras .h5/.keras whose architecture a plain checkpoint, SavedModel or weights-only file fills' },
      force: { type: 'boolean', help: 'overwrite OUT when it exists' },
      'drop-optimizer': { type: 'boolean', help: 'leave the optimizer state out' },
      help,
      quiet,
    },
    examples: ['tfsave convert my_model.h5 ckpt/model', 'tfsave convert m.keras m.weights.h5', 'tfsave convert ckpt/model out.h5 --to h5'],
  },
  {
    name: 'diff',
    usage: 'tfsave diff A B [--atol X] [--rtol Y] [--json]',
    summary: 'compare two files tensor by tensor; exit 1 when they differ',
    description:
      'Matches tensors by Keras weight path when both inputs are Keras models, by key otherwise, and reports missing,\n' +
      'extra, shape and dtype changes and the max absolute and relative difference. Values are close when\n' +
      '|a - b| <= atol + rtol * |b| (numpy.allclose). Exit 0 when everything matches, 1 when anything differs.',
    minArgs: 2,
    maxArgs: 2,
    options: {
      atol: { type: 'number', value: 'X', help: 'absolute tolerance', default: 0 },
      rtol: { type: 'number', value: 'Y', help: 'relative tolerance', default: 0 },
      json: { type: 'boolean', help: 'print the comparison as JSON' },
      help,
      quiet,
    },
    examples: ['tfsave diff training_1/cp.ckpt my_model.h5', 'tfsave diff a.weights.h5 b.weights.h5 --atol 1e-6'],
  },
  {
    name: 'dump',
    usage: 'tfsave dump PATH NAME --out FILE.npy',
    summary: 'write one tensor as a .npy file numpy loads',
    description: 'Writes the tensor NAME (as listed by inspect) to a .npy file. bfloat16 and float8 tensors are written as\ntheir raw unsigned bits; strings cannot be written.',
    minArgs: 2,
    maxArgs: 2,
    options: {
      out: { type: 'string', short: 'o', value: 'FILE', help: 'the .npy file to write (required)' },
      help,
      quiet,
    },
    examples: ['tfsave dump training_1/cp.ckpt layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE --out k.npy'],
  },
];

/** The usage text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const opts = Object.entries(spec.options).map(([name, o]) => {
    const left = `${o.short === undefined ? '    ' : `-${o.short}, `}--${name}${o.value === undefined ? '' : ` ${o.value}`}`;
    return `  ${left.padEnd(24)} ${o.help}${o.default === undefined ? '' : ` (default ${o.default})`}`;
  });
  return [`Usage: ${spec.usage}`, '', spec.summary, '', spec.description, '', 'Options:', ...opts, '', 'Examples:', ...spec.examples.map((e) => `  ${e}`), ''].join('\n');
}

/** The top-level usage text. */
export function mainHelp(): string {
  return [
    'Usage: tfsave COMMAND [options]',
    '',
    'Inspect, verify, convert, diff and dump TensorFlow and Keras files without Python.',
    'PATH may be a file, a checkpoint prefix, a SavedModel directory or an http(s) URL.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`),
    '',
    'Run `tfsave COMMAND --help` for options and examples.',
    'Exit codes: 0 ok, 1 files differ (diff), 2 bad input or usage. Set TFSAVE_DEBUG=1 for stack traces.',
    '',
  ].join('\n');
}
