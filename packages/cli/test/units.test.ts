/** The pure pieces: argument parser, sniffers, numpy-like formatting, comparison, progress bar. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  UsageError, bundlePrefixOf, compareValues, formatArray, formatNumber, formatShape, latestFromStateText, parseArgs,
  chooseTarget, sniffFile, startProgress, stats, type OptionSpec, type TensorValue,
} from '../src/index.js';
import { crc32 } from '../src/zip-check.js';
import { CliFailure, planOptimizer, SUPPORTED_OPTIMIZERS } from '../src/index.js';
import { TF_KERAS_OPTIMIZER_SLOTS } from '@tfsave/tensor-bundle';
import type { KerasModelDesc, TensorRecord } from '@tfsave/keras-h5';

const SPECS: Record<string, OptionSpec> = {
  json: { type: 'boolean', help: '' },
  atol: { type: 'number', help: '', default: 0 },
  out: { type: 'string', short: 'o', help: '' },
};

test('parseArgs: options in every spelling, positionals in order, -- ends options', () => {
  const a = parseArgs(['x', '--json', '--atol=0.5', '-o', 'f.npy', 'y', '--', '--not-an-option'], SPECS, 't');
  assert.deepEqual(a.positionals, ['x', 'y', '--not-an-option']);
  assert.deepEqual(a.options, { atol: 0.5, json: true, out: 'f.npy' });
  assert.equal(parseArgs(['--no-json'], SPECS, 't').options['json'], false);
  assert.equal(parseArgs(['--atol', '-1e-3'], SPECS, 't').options['atol'], -1e-3);
  assert.throws(() => parseArgs(['--json=1'], SPECS, 't'), UsageError);
  assert.throws(() => parseArgs(['-x'], SPECS, 't'), /unknown option -x/);
});

test('parseArgs: any list of plain words comes back as positionals; any bad option is a UsageError', () => {
  fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-z0-9./_][a-z0-9./_-]*$/)), (words) => {
    assert.deepEqual(parseArgs(words, SPECS, 't').positionals, words);
  }));
  fc.assert(fc.property(fc.array(fc.string()), (argv) => {
    try {
      parseArgs(argv, SPECS, 't');
    } catch (e) {
      assert.ok(e instanceof UsageError, String(e));
    }
  }));
});

test('sniffFile: HDF5 signature, zip header, table footer magic; never throws', () => {
  const hdf5 = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
  const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);
  const magic = new Uint8Array([0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]);
  assert.equal(sniffFile(hdf5, new Uint8Array(8)), 'hdf5');
  assert.equal(sniffFile(zip, new Uint8Array(8)), 'keras-zip');
  assert.equal(sniffFile(new Uint8Array(8), magic), 'tensor-bundle');
  assert.equal(sniffFile(new Uint8Array(3), new Uint8Array(3)), undefined);
  fc.assert(fc.property(fc.uint8Array(), fc.uint8Array(), (h, t) => {
    const r = sniffFile(h, t);
    assert.ok(r === undefined || (['hdf5', 'keras-zip', 'tensor-bundle'] as string[]).includes(r));
  }));
});

test('bundle names and the checkpoint state file', () => {
  assert.equal(bundlePrefixOf('cp.ckpt.index'), 'cp.ckpt');
  assert.equal(bundlePrefixOf('model.ckpt.data-00001-of-00002'), 'model.ckpt');
  assert.equal(bundlePrefixOf('model.h5'), undefined);
  assert.equal(latestFromStateText('model_checkpoint_path: "cp-0010.ckpt"\nall_model_checkpoint_paths: "cp-0000.ckpt"\n'), 'cp-0010.ckpt');
  assert.equal(latestFromStateText('nothing'), undefined);
});

test('numbers, shapes and arrays print like numpy', () => {
  assert.equal(formatNumber(0.5), '0.5');
  assert.equal(formatNumber(1), '1.');
  assert.equal(formatNumber(0), '0.');
  assert.equal(formatNumber(1e-7), '1e-07');
  assert.equal(formatNumber(NaN), 'nan');
  assert.equal(formatNumber(-Infinity), '-inf');
  assert.equal(formatNumber(7, true), '7');
  assert.equal(formatShape([]), '()');
  assert.equal(formatShape([3]), '(3,)');
  assert.equal(formatShape([2, 3]), '(2, 3)');
  assert.equal(formatArray(['1', '2', '3', '4', '5', '6'], [2, 3]), '[[1, 2, 3],\n [4, 5, 6]]');
  const many = Array.from({ length: 2000 }, (_, i) => String(i));
  assert.equal(formatArray(many, [2000]), '[   0,    1,    2, ..., 1997, 1998, 1999]');
  assert.equal(formatArray(['7'], []), '7');
});

test('stats ignore NaN and infinities but count them', () => {
  const s = stats(Float64Array.from([1, 2, 3, NaN, Infinity]));
  assert.deepEqual([s.min, s.max, s.mean, s.nan, s.inf], [1, 3, 2, 1, 1]);
});

const f32 = (xs: number[], shape = [xs.length]): TensorValue => ({ kind: 'bytes', dtype: 'float32', shape, bytes: new Uint8Array(Float32Array.from(xs).buffer) });

test('compareValues: equal, close within tolerance, values, shape and dtype changes', () => {
  assert.equal(compareValues('k', f32([1, 2]), f32([1, 2]), { atol: 0, rtol: 0 }).status, 'equal');
  const d = compareValues('k', f32([1, 2]), f32([1, 2.5]), { atol: 0, rtol: 0 });
  assert.equal(d.status, 'values');
  assert.equal(d.maxAbs, 0.5);
  assert.equal(d.maxRel, 0.2);
  assert.equal(compareValues('k', f32([1, 2]), f32([1, 2.5]), { atol: 0.5, rtol: 0 }).status, 'close');
  assert.equal(compareValues('k', f32([1, 2]), f32([1, 2.5]), { atol: 0, rtol: 0.2 }).status, 'close');
  assert.equal(compareValues('k', f32([1, 2]), f32([1, 2], [2, 1]), { atol: 1, rtol: 1 }).status, 'shape');
  const s: TensorValue = { kind: 'strings', dtype: 'string', shape: [], strings: [new Uint8Array([1])] };
  assert.equal(compareValues('k', f32([1]), s, { atol: 1, rtol: 1 }).status, 'dtype');
  assert.equal(compareValues('k', f32([NaN]), f32([NaN]), { atol: 0, rtol: 0 }).status, 'equal');
});

test('the progress bar draws only on a TTY and clears itself', () => {
  const out: string[] = [] as string[];
  const silent = startProgress({ isTTY: false, write: (t) => out.push(t) }, 'x', 10 << 20);
  silent.advance(10 << 20);
  silent.done();
  assert.equal(out.length, 0);
  let now = 0;
  const bar = startProgress({ isTTY: true, write: (t) => out.push(t) }, 'verifying', 4 << 20, 1 << 20, () => (now += 200));
  bar.advance(2 << 20);
  bar.advance(2 << 20);
  bar.done();
  assert.match(out[0]!, /^\rverifying \[#{15}\.{15}\]  50% 2\.0 MiB\/4\.0 MiB$/);
  assert.match(out[1]!, /100%/);
  assert.equal(out.at(-1), '\r\x1b[K');
});

test('crc32 is the zip (IEEE) CRC', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
});

test('convert picks the target from OUT or --to', () => {
  assert.equal(chooseTarget('m.keras', undefined, false), 'keras');
  assert.equal(chooseTarget('m.weights.h5', undefined, false), 'weights-h5');
  assert.equal(chooseTarget('m.h5', undefined, false), 'h5');
  assert.equal(chooseTarget('m.hdf5', undefined, false), 'h5');
  assert.equal(chooseTarget('export/', undefined, false), 'saved-model');
  assert.equal(chooseTarget('existing-dir', undefined, true), 'saved-model');
  assert.equal(chooseTarget('ckpt/model', undefined, false), 'checkpoint');
  assert.equal(chooseTarget('x.ckpt', undefined, false), 'checkpoint');
  assert.equal(chooseTarget('anything', 'keras', false), 'keras');
  assert.equal(chooseTarget('anything', 'weights.h5', false), 'weights-h5');
  assert.throws(() => chooseTarget('x', 'onnx', false), UsageError);
});

const rec = (name: string, shape: number[], dtype: 'float32' | 'int64' = 'float32'): TensorRecord =>
  ({ name, dtype, shape, data: dtype === 'int64' ? new BigInt64Array(shape.reduce((a, b) => a * b, 1)) : new Float32Array(shape.reduce((a, b) => a * b, 1)) }) as TensorRecord;
const model = (optimizer: KerasModelDesc['optimizer']): KerasModelDesc => ({
  layers: [{ name: 'dense', weights: [rec('kernel', [3, 2]), rec('bias', [2])] }, { name: 'bn', weights: [rec('gamma', [2]), rec('moving_mean', [2])] }],
  ...(optimizer === undefined ? {} : { optimizer }),
});

test('optimizer state maps onto tf_keras keys: iteration, learning rate, slots interleaved per trainable variable', () => {
  const tfKeras = planOptimizer(model({
    config: { class_name: 'Custom>Adam', config: { learning_rate: 0.5 } },
    weights: [rec('iteration', [], 'int64'), ...['kernel', 'bias'].flatMap((w) => ['m', 'v'].map((k) => rec(`Adam/${k}/dense/${w}`, w === 'kernel' ? [3, 2] : [2]))), rec('Adam/m/bn/gamma', [2]), rec('Adam/v/bn/gamma', [2])],
  }), ['dense', 'bn'])!;
  const key = (p: string): string => `optimizer/${p}/.ATTRIBUTES/VARIABLE_VALUE`;
  assert.deepEqual(tfKeras.keys, [key('_iterations'), ...[1, 2, 3, 4, 5, 6].map((i) => key(`_variables/${i}`))]);
  assert.deepEqual(tfKeras.spec.children!.map(([n]) => n), ['_variables', '_iterations', '_learning_rate', '_index_dict', '_momentums', '_velocities']);
  const keras3 = planOptimizer(model({
    config: { class_name: 'SGD', config: { learning_rate: 0.1 } },
    weights: [rec('0', [], 'int64'), rec('1', []), rec('2', [3, 2]), rec('3', [2]), rec('4', [2])],
  }), ['dense', 'bn'])!;
  assert.deepEqual(keras3.keys, [key('_iterations'), key('_learning_rate'), key('_variables/1'), key('_variables/2'), key('_variables/3')]);
  assert.deepEqual(keras3.spec.children!.map(([n]) => n), ['_variables', '_iterations', '_learning_rate', '_index_dict', 'momentums']);
  assert.equal(planOptimizer(model(undefined), ['dense', 'bn']), undefined);
});

test("RMSprop's slots follow one another kind by kind; its three lists are tracked even when empty", () => {
  const key = (p: string): string => `optimizer/${p}/.ATTRIBUTES/VARIABLE_VALUE`;
  const slots = (kinds: string[]): TensorRecord[] => kinds.flatMap((k) => [rec(`${k}/dense/kernel`, [3, 2]), rec(`${k}/dense/bias`, [2]), rec(`${k}/bn/gamma`, [2])]);
  const plain = planOptimizer(model({ config: { class_name: 'RMSprop', config: { learning_rate: 0.01 } }, weights: [rec('iteration', [], 'int64'), ...slots(['velocity'])] }), ['dense', 'bn'])!;
  assert.deepEqual(plain.spec.children!.map(([n, c]) => `${n}:${c.children?.length ?? 0}`), ['_variables:4', '_iterations:0', '_learning_rate:0', '_index_dict:0', '_velocities:3', '_momentums:0', '_average_gradients:0']);
  const centered = planOptimizer(model({ config: { class_name: 'RMSprop', config: { momentum: 0.9, centered: true } }, weights: [rec('iteration', [], 'int64'), ...slots(['velocity', 'momentum', 'average_gradient'])] }), ['dense', 'bn'])!;
  const variables = centered.spec.children![0]![1].children!.map(([, c]) => c.attributes![0]!.full_name);
  assert.deepEqual(variables.slice(1, 5), ['velocity/dense/kernel', 'velocity/dense/bias', 'velocity/bn/gamma', 'momentum/dense/kernel']);
  assert.deepEqual(centered.keys.slice(-1), [key('_variables/9')]);
});

test("the supported optimizers are exactly those of the shared tf_keras layout; Keras 3's Nadam u_product becomes _u_product", () => {
  assert.deepEqual(SUPPORTED_OPTIMIZERS.map((o) => o.toLowerCase()).sort(), Object.keys(TF_KERAS_OPTIMIZER_SLOTS).sort());
  const key = (p: string): string => `optimizer/${p}/.ATTRIBUTES/VARIABLE_VALUE`;
  const slots = [rec('2', [3, 2]), rec('3', [3, 2]), rec('4', [2]), rec('5', [2]), rec('6', [2]), rec('7', [2])];
  const nadam = planOptimizer(model({ config: { class_name: 'Nadam', config: { learning_rate: 0.01 } }, weights: [rec('0', [], 'int64'), rec('1', []), ...slots, rec('8', [])] }), ['dense', 'bn'])!;
  assert.deepEqual(nadam.spec.children!.map(([n]) => n), ['_variables', '_iterations', '_learning_rate', '_index_dict', '_momentums', '_velocities', '_u_product']);
  assert.deepEqual(nadam.keys, [key('_iterations'), key('_learning_rate'), ...[1, 2, 3, 4, 5, 6].map((i) => key(`_variables/${i}`)), key('_u_product')]);
  const tfKeras = planOptimizer(model({ config: { class_name: 'Nadam', config: { learning_rate: 0.01 } }, weights: [rec('iteration', [], 'int64'), ...slots] }), ['dense', 'bn'])!;
  assert.deepEqual(tfKeras.spec.children!.map(([n]) => n), ['_variables', '_iterations', '_learning_rate', '_index_dict', '_momentums', '_velocities']);
  assert.deepEqual(tfKeras.keys, [key('_iterations'), ...[1, 2, 3, 4, 5, 6].map((i) => key(`_variables/${i}`))]);
});

test('optimizer state without a known tf_keras layout is refused with the reason', () => {
  const it = rec('iteration', [], 'int64');
  const cases: Array<[KerasModelDesc['optimizer'], RegExp]> = [
    [{ config: { class_name: 'Adafactor', config: {} }, weights: [it] }, /optimizer Adafactor: unsupported class/],
    [{ weights: [it, rec('1', [3, 2])] }, /no optimizer config/],
    [{ config: { class_name: 'Adam', config: { is_legacy_optimizer: true } }, weights: [it] }, /legacy optimizer/],
    [{ config: { class_name: 'Adam', config: {} }, weights: [it, rec('m', [3, 2])] }, /1 slot variables for 3 trainable variables/],
    [{ config: { class_name: 'Adam', config: {} }, weights: [rec('x', [2]), rec('m', [3, 2])] }, /is not the iteration counter/],
  ];
  for (const [opt, re] of cases) assert.throws(() => planOptimizer(model(opt), ['dense', 'bn']), (e: unknown) => e instanceof CliFailure && re.test(e.message));
});
