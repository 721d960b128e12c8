/** Keras-like model summaries: layer name and class, output shape, parameter count. */
import type { KerasModelDesc } from './model-desc.js';
import { isKerasObject, layerName, modelLayers } from './config-model.js';
import type { Shape } from './shape-inference.js';
import { inferOutputShapes } from './shape-inference.js';

/** One row of a model summary. */
export interface SummaryRow {
  readonly name: string;
  readonly className: string;
  /** Output shape (`null` = batch or unknown dimension); undefined when it cannot be inferred from the config. */
  readonly outputShape: Shape | undefined;
  readonly params: number;
  readonly weightShapes: readonly (readonly number[])[];
}

/** A model summary: rows in config order and the total parameter count (trainable and not). */
export interface ModelSummary {
  readonly rows: SummaryRow[];
  readonly totalParams: number;
}

/** Summarizes a loaded model: layers in config order with output shapes and parameter counts. */
export function summarizeModel(model: KerasModelDesc): ModelSummary {
  const cfg = model.modelConfig !== undefined && isKerasObject(model.modelConfig) ? model.modelConfig : undefined;
  const cfgLayers = cfg !== undefined ? modelLayers(cfg) : [];
  const shapes = cfg !== undefined ? inferOutputShapes(cfg) : new Map<string, Shape | undefined>();
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const names = cfgLayers.length > 0 ? cfgLayers.map((l) => ({ name: layerName(l), className: l.class_name })) : model.layers.map((l) => ({ name: l.name, className: '?' }));
  const rows = names.map(({ name, className }) => {
    const nested = model.layers.filter((l) => l.name.startsWith(`${name}/`));
    const w = [...(byName.get(name)?.weights ?? []), ...nested.flatMap((l) => l.weights)];
    return { name, className, outputShape: shapes.get(name), params: w.reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0), weightShapes: w.map((t) => t.shape) };
  });
  return { rows, totalParams: rows.reduce((s, r) => s + r.params, 0) };
}

/** Formats a shape like Keras: `(None, 28, 28, 1)`. */
export function formatShape(shape: Shape | undefined): string {
  if (shape === undefined) return '?';
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** Renders a summary as a plain-text table (layer (type), output shape, params) ending with the total. */
export function formatSummary(summary: ModelSummary): string {
  const cells = summary.rows.map((r) => [`${r.name} (${r.className})`, formatShape(r.outputShape), String(r.params)] as const);
  const head = ['Layer (type)', 'Output Shape', 'Param #'] as const;
  const width = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => c.map((x, i) => x.padEnd(width[i]!)).join('  ').trimEnd();
  return [line(head), '-'.repeat(width.reduce((a, b) => a + b + 2, -2)), ...cells.map(line), `Total params: ${summary.totalParams}`].join('\n');
}
