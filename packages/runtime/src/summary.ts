/**
 * `model.summary()`: the layer table tf_keras prints (print_summary in
 * tf_keras/src/utils/layer_utils.py), column layout and size units included.
 */
import { InputLayer } from './layers/core.js';
import type { Shape } from './layers/layer.js';
import type { Model } from './model.js';

function shapeStr(s: Shape | undefined): string {
  if (!s) return '?';
  const parts = s.map((d) => (d === null ? 'None' : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

/** `1.55 MB`, `228.00 Byte`: a byte count in 1024-based units with two decimals. */
export function readableSize(bytes: number): string {
  const units = ['Byte', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(2)} ${units[i]}`;
}

function rows(fields: string[], positions: number[]): string[] {
  const left = [...fields];
  const out: string[] = [];
  while (left.some((f) => f.length > 0)) {
    let line = ' ';
    for (let col = 0; col < left.length; col++) {
      const start = col > 0 ? positions[col - 1]! : 0;
      const end = positions[col]!;
      const space = col !== positions.length - 1 ? 2 : 0;
      const cutoff = end - start - space - (col === 0 ? 1 : 0);
      const text = left[col]!;
      let fit = text.slice(0, cutoff);
      // Keras breaks lines after the first `),` `},` `],` or `',` that fits
      const breaks = ['),', '},', '],', "',"].map((b) => (fit.includes(b) ? fit.indexOf(b) + b.length : -1)).filter((i) => i >= 0);
      const cut = breaks.length ? Math.min(...breaks) : cutoff;
      fit = fit.slice(0, cut);
      line += fit + ' '.repeat(space);
      left[col] = text.slice(cut);
      line += ' '.repeat(Math.max(0, positions[col]! - line.length));
    }
    out.push(line);
  }
  return out;
}

/** The summary table as lines (what `summary()` prints). */
export function summaryLines(model: Model): string[] {
  const sequential = model.className === 'Sequential';
  const lineLength = sequential ? 65 : 98;
  const positions = (sequential ? [0.45, 0.85, 1] : [0.3, 0.6, 0.7, 1]).map((p) => Math.floor(lineLength * p));
  const header = sequential ? ['Layer (type)', 'Output Shape', 'Param #'] : ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];
  const out = [`Model: "${model.name}"`, '_'.repeat(lineLength), ...rows(header, positions), '='.repeat(lineLength)];
  const layers = sequential ? model.layers.filter((l) => !(l instanceof InputLayer)) : model.layers;
  layers.forEach((layer) => {
    const isInput = layer instanceof InputLayer;
    const shape = isInput ? `[${shapeStr(layer.outputShape)}]` : shapeStr(layer.outputShape);
    const fields = [`${layer.name} (${layer.className})`, shape, String(layer.countParams())];
    if (!sequential) {
      const node = model.outputs.length ? findInbound(model, layer.name) : [];
      fields.push(`[${node.map((n) => `'${n}[0][0]'`).join(', ')}]`);
    }
    out.push(...rows(fields, positions));
    out.push(' '.repeat(lineLength));
  });
  const total = model.countParams();
  const trainable = model.trainableWeights.reduce((n, w) => n + w.variable.size, 0);
  out.push('='.repeat(lineLength));
  out.push(`Total params: ${total} (${readableSize(total * 4)})`);
  out.push(`Trainable params: ${trainable} (${readableSize(trainable * 4)})`);
  out.push(`Non-trainable params: ${total - trainable} (${readableSize((total - trainable) * 4)})`);
  out.push('_'.repeat(lineLength));
  return out;
}

function findInbound(model: Model, layerName: string): string[] {
  const cfg = model.toConfig()['config'] as { layers: Array<{ name: string; inbound_nodes: unknown[][][] }> };
  const entry = cfg.layers.find((l) => l.name === layerName);
  const first = entry?.inbound_nodes[0] ?? [];
  return first.map((n) => String(n[0]));
}
