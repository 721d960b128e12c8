/**
 * `tfsave convert IN OUT [--to FORMAT] [--like MODEL] [--force]`. Everything is
 * read and the output built (or found impossible) before a file is written;
 * writes are atomic. Custom (unregistered) layer classes are carried over as
 * JSON; `Lambda` layers are refused (their code would travel with the model).
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { readAll } from '@tfsave/core';
import { AtomicDirSinkFactory, writeFileAtomic } from '@tfsave/core/node';
import { detectDialect, loadKerasModel, saveKerasModel, toKeras3, type KerasModelDesc } from '@tfsave/keras-h5';
import { loadKerasModelFile } from '@tfsave/keras-h5/node';
import { buildSavedModel, readSavedModel, writeSavedModel } from '@tfsave/saved-model';
import { BundleReader, BundleWriter, OBJECT_GRAPH_KEY, buildObjectGraph } from '@tfsave/tensor-bundle';
import { AtomicBundleSinkFactory } from '@tfsave/tensor-bundle/node';
import { flag, stringOption } from '../args.js';
import { CliFailure, ExitCode } from '../cli-error.js';
import type { CommandContext } from '../context.js';
import type { Progress } from '../progress.js';
import { hasStoredModel, planCheckpoint, readStoredModel, weightsFromCheckpoint } from '../convert/keras-checkpoint.js';
import { savedModelSpec } from '../convert/keras-saved-model.js';
import { descFromWeights, rootModelConfig, rootTrainingConfig } from '../convert/saved-model-keras.js';
import { bundleKerasWeights } from '../adapters/bundle-weights.js';
import { chooseTarget, type TargetFormat } from '../convert/targets.js';
import { weightsLike } from '../convert/like-weights.js';
import { locate, type Located } from '../locate.js';

/** Runs `convert`. */
export async function convertCommand(ctx: CommandContext): Promise<number> {
  const [input, out] = ctx.args.positionals as [string, string];
  const outStat = await stat(out).catch(() => undefined);
  const target = chooseTarget(out, stringOption(ctx.args, 'to'), outStat?.isDirectory() === true);
  const located = await locate(input);
  const like = stringOption(ctx.args, 'like');
  const desc = await sourceModel(located, like === undefined ? undefined : await locate(like));
  const notes: string[] = [];
  if (target === 'h5' || target === 'keras') {
    if (desc.modelConfig === undefined) throw new CliFailure(`cannot convert to ${target}: ${input} holds weights only (no model config); use --to weights-h5, or --like MODEL to take the architecture from a Keras file`);
  }
  if (target === 'saved-model' && desc.optimizer !== undefined) notes.push('optimizer state is not part of a serving SavedModel and was left out');
  const outPath = out.replace(/\/+$/, '');
  const exists = target === 'checkpoint' ? await stat(`${outPath}.index`).then(() => true, () => false) : outStat !== undefined;
  if (exists && !flag(ctx.args, 'force')) throw new CliFailure(`${out} exists; pass --force to overwrite`);
  const total = [...desc.layers.flatMap((l) => l.weights), ...(desc.optimizer?.weights ?? [])].reduce((n, w) => n + w.data.byteLength, 0);
  const progress = ctx.progress('converting', total);
  let written: string;
  try {
    written = await writeTarget(desc, target, outPath, progress, flag(ctx.args, 'drop-optimizer'), notes);
  } finally {
    progress.done();
  }
  for (const n of notes) ctx.io.err(`tfsave convert: note: ${n}\n`);
  ctx.io.out(`wrote ${written} (${target}) from ${input} (${located.format})\n`);
  return ExitCode.ok;
}

/** Loads a Keras file: a local one through positional reads (closed afterwards), a URL from its bytes. */
async function loadKeras(located: Located): Promise<KerasModelDesc> {
  const opts = { name: located.display, allowUnknownClasses: true };
  if (located.localPath !== undefined) return (await loadKerasModelFile(located.localPath, opts)).model;
  const src = await located.opener.open(located.target);
  let bytes: Uint8Array;
  try {
    bytes = await readAll(src);
  } finally {
    await src.close?.();
  }
  return (await loadKerasModel(bytes, opts)).model;
}

/**
 * The Keras model held by any input: a Keras file directly (a weights-only one with the
 * architecture of `like`); a checkpoint written by `tfsave convert` from its stored model;
 * a tf_keras SavedModel from its Keras metadata; any tf_keras-layout checkpoint or
 * SavedModel variables with the architecture of `like`.
 */
export async function sourceModel(located: Located, like: Located | undefined): Promise<KerasModelDesc> {
  if (located.format === 'meta-graph' || located.format === 'keras-metadata' || located.format === 'fingerprint') {
    throw new CliFailure(`cannot convert ${located.display}: a ${located.format} file holds no weights (convert the checkpoint or SavedModel it belongs to)`);
  }
  const likeDesc = like === undefined ? undefined : await likeModel(like);
  if (located.format === 'hdf5' || located.format === 'keras-zip') {
    const model = withModules(await loadKeras(located));
    if (likeDesc === undefined) return model;
    if (model.modelConfig !== undefined) throw new CliFailure(`--like: ${located.display} already holds a model; --like is for checkpoints, SavedModel variables and weights-only files`);
    return weightsLike(model, likeDesc, located.display);
  }
  if (located.format === 'tensor-bundle') {
    const reader = await BundleReader.open(located.opener, located.target);
    try {
      if (hasStoredModel(reader) && likeDesc === undefined) return await readStoredModel(reader);
      if (likeDesc !== undefined) return await weightsFromCheckpoint(reader, likeDesc);
    } finally {
      await reader.close();
    }
    throw new CliFailure(`cannot convert ${located.display}: a TF checkpoint holds no model architecture or layer names; pass --like MODEL (.h5/.keras) with the same architecture`);
  }
  const info = await readSavedModel<BundleReader>(located.opener, { openVariables: (o, p) => BundleReader.open(o, p) });
  const config = rootModelConfig(info.kerasMetadata);
  if (likeDesc === undefined && config !== undefined && info.hasVariables) {
    const reader = await info.variables();
    try {
      const weights = await bundleKerasWeights(reader);
      if (weights !== undefined) return withModules(await descFromWeights(config, weights, info.metaGraphs[0]?.tensorflowVersion, rootTrainingConfig(info.kerasMetadata)));
    } finally {
      await reader.close();
    }
  }
  if (likeDesc === undefined || !info.hasVariables) {
    throw new CliFailure(`cannot convert ${located.display}: ${info.hasVariables ? 'pass --like MODEL (.h5/.keras) with the architecture of this SavedModel' : 'this SavedModel has no variables (weights folded into the graph)'}`);
  }
  const reader = await info.variables();
  try {
    return await weightsFromCheckpoint(reader, likeDesc);
  } finally {
    await reader.close();
  }
}

/**
 * Keras 3 writes a legacy `.h5` config in its own dialect but without the `module` keys a `.keras`
 * config needs (`Could not locate class 'Sequential'`), and SavedModel Keras metadata has none at
 * the root; fills them in.
 */
function withModules(desc: KerasModelDesc): KerasModelDesc {
  const cfg = desc.modelConfig;
  if (cfg === undefined || cfg['module'] !== undefined || detectDialect(cfg) !== 'keras3') return desc;
  return { ...desc, modelConfig: toKeras3(cfg) };
}

async function likeModel(like: Located): Promise<KerasModelDesc> {
  if (like.format !== 'hdf5' && like.format !== 'keras-zip') throw new CliFailure(`--like ${like.display}: expected a Keras .h5 or .keras file, found ${like.format}`);
  return loadKeras(like);
}

async function writeTarget(desc: KerasModelDesc, target: TargetFormat, out: string, progress: Progress, dropOptimizer: boolean, notes: string[]): Promise<string> {
  switch (target) {
    case 'h5':
    case 'keras':
    case 'weights-h5': {
      const bytes = await saveKerasModel(desc, { format: target === 'weights-h5' ? 'weights.h5' : target });
      await writeFileAtomic(out, bytes);
      progress.advance(bytes.byteLength);
      return out;
    }
    case 'saved-model': {
      const spec = savedModelSpec(desc);
      buildSavedModel(spec);
      await writeSavedModel(spec, new AtomicDirSinkFactory(resolve(out)));
      return `${out}/`;
    }
    case 'checkpoint': {
      const plan = planCheckpoint(desc, { dropOptimizer });
      notes.push(...plan.notes);
      const graph = buildObjectGraph(plan.root);
      const w = new BundleWriter(new AtomicBundleSinkFactory(dirname(resolve(out))), basename(out));
      try {
        for (const t of [...graph.tensors, ...plan.extras]) {
          await w.add(t.key, t.value);
          const d = t.value.data;
          progress.advance(Array.isArray(d) ? 0 : (d as ArrayBufferView).byteLength);
        }
        await w.add(OBJECT_GRAPH_KEY, { dtype: 'string', shape: [], data: [graph.bytes] });
      } catch (e) {
        await w.abort();
        throw e;
      }
      await w.finish();
      return out;
    }
  }
}
