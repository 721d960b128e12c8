/**
 * Models: the Functional graph of layers and Sequential, with compile, fit,
 * evaluate, predict, weights access and the Keras model config.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputLayer } from './layers/core.js';
import { MergeLayer } from './layers/merge.js';
import { Layer, SymbolicTensor, uniqueName } from './layers/layer.js';
import { layerEntry } from './layers/registry.js';
import type { CallContext, Shape } from './layers/layer.js';
import { getLoss } from './losses.js';
import type { Loss } from './losses.js';
import { getMetric } from './metrics.js';
import type { Metric } from './metrics.js';
import { getOptimizer, Optimizer } from './optimizers.js';
import type { NamedVariable } from './optimizers.js';
import { globalRng } from './rng.js';
import { summaryLines } from './summary.js';
import { evaluateLogs, fit, predict } from './training.js';
import type { EvaluateArgs, FitArgs } from './training.js';
import type { History, TrainingProgress } from './callbacks/callback.js';

/** Options of {@link Model.compile}. */
export interface CompileArgs {
  optimizer: string | Optimizer | { class_name: string; config?: Record<string, unknown> };
  /** One loss for all outputs, or one per output. */
  loss: string | Loss | Array<string | Loss>;
  metrics?: Array<string | Metric>;
}

/** The compiled training configuration. */
export interface Compiled {
  readonly optimizer: Optimizer;
  readonly losses: Loss[];
  readonly metrics: Metric[];
}

/** A model weight with its Keras path (`dense/kernel`). */
export interface ModelWeight extends NamedVariable {
  readonly trainable: boolean;
  readonly layer: Layer;
}

/**
 * Keras's layer order for a graph (tf_keras functional.py `_map_graph_network`): by node depth, deepest
 * (inputs) first, ties broken by the order a depth-first walk from the outputs first meets each layer.
 */
function orderLayers(topo: SymbolicTensor[], outputs: SymbolicTensor[]): Layer[] {
  const depth = new Map<SymbolicTensor, number>();
  for (const o of outputs) depth.set(o, 0);
  for (let i = topo.length - 1; i >= 0; i--) {
    const t = topo[i]!;
    const d = depth.get(t) ?? 0;
    for (const inp of t.inputs) depth.set(inp, Math.max(depth.get(inp) ?? 0, d + 1));
  }
  const firstSeen = new Map<Layer, number>();
  const walked = new Set<SymbolicTensor>();
  const walk = (t: SymbolicTensor): void => {
    if (walked.has(t)) return;
    walked.add(t);
    if (!firstSeen.has(t.layer)) firstSeen.set(t.layer, firstSeen.size);
    for (const i of t.inputs) walk(i);
  };
  for (const o of outputs) walk(o);
  const layerDepth = new Map<Layer, number>();
  for (const t of topo) layerDepth.set(t.layer, Math.max(layerDepth.get(t.layer) ?? 0, depth.get(t) ?? 0));
  return [...layerDepth.keys()].sort((a, b) => layerDepth.get(b)! - layerDepth.get(a)! || firstSeen.get(a)! - firstSeen.get(b)!);
}

/** A graph of layers from symbolic inputs to outputs (Keras's Functional model). */
export class Model {
  readonly name: string;
  inputs: SymbolicTensor[] = [];
  outputs: SymbolicTensor[] = [];
  /** Layers in graph order (input layers first). */
  layers: Layer[] = [];
  protected nodes: SymbolicTensor[] = [];
  compiled: Compiled | undefined;
  /** Set by callbacks (EarlyStopping) to end `fit` after the current epoch. */
  stopTraining = false;
  /** Progress of the running `fit` (updated after every batch). */
  progress: TrainingProgress | undefined;

  constructor(args: { inputs?: SymbolicTensor | SymbolicTensor[]; outputs?: SymbolicTensor | SymbolicTensor[]; name?: string } = {}, prefix = 'model') {
    this.name = args.name ?? uniqueName(prefix);
    if (args.inputs && args.outputs) this.setGraph(
      Array.isArray(args.inputs) ? args.inputs : [args.inputs],
      Array.isArray(args.outputs) ? args.outputs : [args.outputs],
    );
  }

  /** Keras class name (`Functional` / `Sequential`). */
  get className(): string {
    return 'Functional';
  }

  protected setGraph(inputs: SymbolicTensor[], outputs: SymbolicTensor[]): void {
    this.inputs = inputs;
    this.outputs = outputs;
    const seen = new Set<SymbolicTensor>();
    const order: SymbolicTensor[] = [];
    const visit = (t: SymbolicTensor): void => {
      if (seen.has(t)) return;
      seen.add(t);
      for (const i of t.inputs) visit(i);
      order.push(t);
    };
    for (const o of outputs) visit(o);
    this.nodes = order;
    this.layers = orderLayers(order, outputs);
  }

  /** Whether the graph is known (Sequential models build on first use). */
  get isBuilt(): boolean {
    return this.outputs.length > 0;
  }

  /** Builds the model for inputs of `batchInputShape` (Sequential without an input shape). */
  build(batchInputShape: Shape): void {
    void batchInputShape;
  }

  /** Runs the graph on concrete tensors. */
  forward(xs: tf.Tensor[], ctx: Omit<CallContext, 'inputNeedsGrad'>): tf.Tensor[] {
    const values = new Map<SymbolicTensor, tf.Tensor>();
    this.inputs.forEach((inp, i) => values.set(inp, xs[i]!));
    for (const node of this.nodes) {
      if (values.has(node)) continue;
      const src = node.inputs[0]!;
      const inputNeedsGrad = !node.inputs.every((i) => i.layer instanceof InputLayer);
      const layer = node.layer;
      const out = layer instanceof MergeLayer
        ? layer.callMany(node.inputs.map((i) => values.get(i)!), { ...ctx, inputNeedsGrad })
        : layer.call(values.get(src)!, { ...ctx, inputNeedsGrad });
      values.set(node, out);
    }
    return this.outputs.map((o) => values.get(o)!);
  }

  /** All weights, layer by layer (each layer's trainable weights, then non-trainable). */
  get weights(): ModelWeight[] {
    const out: ModelWeight[] = [];
    for (const layer of this.layers) {
      for (const w of layer.weights) {
        out.push({ path: `${layer.name}/${w.name}`, variable: w.variable, trainable: w.trainable && layer.trainable, layer });
      }
    }
    return out;
  }

  /** Weights updated by the optimizer, in Keras order. */
  get trainableWeights(): ModelWeight[] {
    return this.weights.filter((w) => w.trainable);
  }

  /** Copies of the weight values in {@link weights} order (`model.get_weights()`). */
  getWeights(): tf.Tensor[] {
    return this.weights.map((w) => tf.clone(w.variable));
  }

  /** Assigns weight values in {@link weights} order (`model.set_weights()`). */
  setWeights(values: readonly tf.Tensor[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) throw new Error(`runtime: setWeights got ${values.length} tensors, model has ${ws.length} weights`);
    ws.forEach((w, i) => {
      const v = values[i]!;
      if (v.shape.join(',') !== w.variable.shape.join(',')) {
        throw new Error(`runtime: weight ${w.path} has shape [${w.variable.shape}], got [${v.shape}]`);
      }
      w.variable.assign(v);
    });
  }

  /** Total number of weight scalars. */
  countParams(): number {
    return this.layers.reduce((n, l) => n + l.countParams(), 0);
  }

  /** Configures training: optimizer, loss(es) and metrics, as Keras's `compile`. */
  compile(args: CompileArgs): void {
    const n = Math.max(1, this.outputs.length);
    const specs = Array.isArray(args.loss) ? args.loss : Array.from({ length: n }, () => args.loss as string | Loss);
    const losses = specs.map((s) => getLoss(s));
    this.compiled = {
      optimizer: getOptimizer(args.optimizer),
      losses,
      metrics: (args.metrics ?? []).map((m) => getMetric(m, losses[0])),
    };
  }

  /** Predictions for a batch of inputs in inference mode (no batching). */
  call(xs: tf.Tensor | tf.Tensor[]): tf.Tensor[] {
    const list = Array.isArray(xs) ? xs : [xs];
    if (!this.isBuilt) this.build([null, ...list[0]!.shape.slice(1)]);
    return tf.tidy(() => this.forward(list, { training: false, rng: globalRng(), updates: [] }));
  }

  /** The Keras model config (`{class_name, config}`) as in `model.to_json()`. */
  toConfig(): Record<string, unknown> {
    const index = new Map<SymbolicTensor, [string, number, number]>();
    const layersCfg = this.layers.map((layer) => {
      const inbound: unknown[] = [];
      for (const t of this.nodes) {
        if (t.layer !== layer) continue;
        index.set(t, [layer.name, 0, 0]);
        if (t.inputs.length > 0) inbound.push(t.inputs.map((i) => [i.layer.name, 0, 0, {}]));
      }
      return { ...layerEntry(layer), name: layer.name, inbound_nodes: inbound };
    });
    return {
      class_name: 'Functional',
      config: {
        name: this.name, trainable: true, layers: layersCfg,
        input_layers: this.inputs.map((t) => index.get(t) ?? [t.layer.name, 0, 0]),
        output_layers: this.outputs.map((t) => index.get(t) ?? [t.layer.name, 0, 0]),
      },
    };
  }

  /** Trains for `epochs` epochs (Keras's `fit`); resolves to the History. */
  fit(x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args: FitArgs = {}): Promise<History> {
    return fit(this, x, y, args);
  }

  /** Loss and metrics over `x`/`y` in inference mode, keyed by Keras names. */
  evaluate(x: tf.Tensor | tf.Tensor[], y: tf.Tensor | tf.Tensor[], args: EvaluateArgs = {}): Record<string, number> {
    return evaluateLogs(this, x, y, args);
  }

  /** Outputs for `x` in inference mode (a tensor, or one per output for multi-output models). */
  predict(x: tf.Tensor | tf.Tensor[], args: EvaluateArgs = {}): tf.Tensor | tf.Tensor[] {
    const r = predict(this, x, args);
    return r.length === 1 ? r[0]! : r;
  }

  /** Prints Keras's summary table (or hands each line to `printFn`). */
  summary(printFn: (line: string) => void = console.log): void {
    for (const l of summaryLines(this)) printFn(l);
  }

  /** Frees weights and optimizer state. */
  dispose(): void {
    for (const l of this.layers) l.dispose();
    this.compiled?.optimizer.dispose();
  }
}

/** A linear stack of layers (Keras's `Sequential`). */
export class Sequential extends Model {
  private readonly stack: Layer[] = [];

  constructor(layers: Layer[] = [], name?: string) {
    super(name === undefined ? {} : { name }, 'sequential');
    for (const l of layers) this.add(l);
  }

  override get className(): string {
    return 'Sequential';
  }

  /** Appends a layer; the graph is built once the input shape is known. */
  add(layer: Layer): void {
    if (layer instanceof InputLayer) {
      this.stack.length = 0;
      this.inputs = [layer.output];
      return;
    }
    this.stack.push(layer);
    const first = this.stack[0]!;
    if (this.inputs.length === 0 && first.batchInputShape) {
      this.inputs = [new InputLayer({ batchInputShape: first.batchInputShape, name: `${first.name}_input` }).output];
    }
    if (this.inputs.length > 0) this.rebuild();
  }

  /** The layers of the stack (without the input layer). */
  get stackLayers(): Layer[] {
    return [...this.stack];
  }

  private rebuild(): void {
    let t = this.inputs[0]!;
    for (const l of this.stack) t = l.apply(t);
    this.setGraph(this.inputs, [t]);
  }

  override build(batchInputShape: Shape): void {
    if (this.isBuilt) return;
    this.inputs = [new InputLayer({ batchInputShape, name: `${this.stack[0]?.name ?? 'input'}_input` }).output];
    this.rebuild();
  }

  override toConfig(): Record<string, unknown> {
    const inputLayer = this.inputs[0]?.layer;
    const layers: unknown[] = [];
    if (inputLayer) layers.push({ class_name: 'InputLayer', config: inputLayer.getConfig() });
    for (const l of this.stack) layers.push(layerEntry(l));
    return { class_name: 'Sequential', config: { name: this.name, layers } };
  }
}

/** `sequential([...])`: a Sequential model of `layers`. */
export function sequential(layers: Layer[] = [], name?: string): Sequential {
  return new Sequential(layers, name);
}

/** `model({inputs, outputs})`: a Functional model. */
export function model(args: { inputs: SymbolicTensor | SymbolicTensor[]; outputs: SymbolicTensor | SymbolicTensor[]; name?: string }): Model {
  return new Model(args);
}
