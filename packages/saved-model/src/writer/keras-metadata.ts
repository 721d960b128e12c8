/**
 * `keras_metadata.pb` for an exported Sequential model: one node for the
 * model (its `model_config` and, when given, `training_config`) and one per
 * layer (class, config, `build_input_shape`), so tf_keras `load_model`
 * revives every layer from its config, builds it, and restores its weights
 * from `variables/`. Upstream: tf_keras/saving/legacy/saved_model/{layer_serialization,load}.py.
 */
import type { keras } from '@tfsave/protos';
import type { ModelGraph } from './model-graph.js';
import type { LayerSpec, ModelSpec } from './model-spec.js';

/** One layer as exported: its spec, input shape(s) without batch, and object graph node. */
export interface KerasLayerNode {
  readonly spec: LayerSpec;
  /** One shape, or one per inbound tensor for merge layers. */
  readonly inputShape: readonly number[] | ReadonlyArray<readonly number[]>;
  readonly nodeId: number;
  readonly nodePath: string;
  /** Functional models: the inbound layer/input names. */
  readonly inbound?: readonly string[];
}

/** Keras version string written into the metadata. */
export const KERAS_VERSION = '2.21.0';

const EXPECTS_TRAINING = new Set(['Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'BatchNormalization']);
const shape = (s: readonly number[]) => ({ class_name: 'TensorShape', items: [null, ...s] });
const shapes = (s: readonly number[] | ReadonlyArray<readonly number[]>) =>
  s.length > 0 && Array.isArray(s[0]) ? (s as ReadonlyArray<readonly number[]>).map(shape) : shape(s as readonly number[]);
const inputLayerConfig = (name: string, dims: readonly number[], dtype: string) => ({ batch_input_shape: [null, ...dims], dtype, sparse: false, ragged: false, name });
const version = { producer: 2, min_consumer: 1 };

/** The layer config with its `name` and `dtype` filled in. */
export function layerConfig(l: LayerSpec): Record<string, unknown> {
  return { name: l.class_name.toLowerCase(), trainable: true, dtype: 'float32', ...l.config };
}

/** The Keras `model_config` JSON of `model` (given `kerasConfig`, or built from the layers; `Functional` when `model.inputs` is set). */
export function modelConfig(model: ModelSpec, inputName: string): Record<string, unknown> {
  if (model.kerasConfig !== undefined && model.kerasConfig !== null && typeof model.kerasConfig === 'object') return model.kerasConfig as Record<string, unknown>;
  if (model.inputs !== undefined) {
    const layers = model.layers.filter((l) => l.class_name !== 'InputLayer');
    return {
      class_name: 'Functional',
      config: {
        name: 'model', trainable: true,
        layers: [
          ...model.inputs.map((i) => ({ class_name: 'InputLayer', config: inputLayerConfig(i.name, i.shape, i.dtype ?? 'float32'), name: i.name, inbound_nodes: [] })),
          ...layers.map((l) => {
            const config = layerConfig(l);
            return { class_name: l.class_name, config, name: config['name'], inbound_nodes: [(l.inbound ?? []).map((n) => [n, 0, 0, {}])] };
          }),
        ],
        input_layers: model.inputs.map((i) => [i.name, 0, 0]),
        output_layers: (model.outputs ?? []).map((o) => [o, 0, 0]),
      },
    };
  }
  const layers = model.layers.filter((l) => l.class_name !== 'InputLayer');
  return {
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, ...model.inputShape], dtype: model.inputDtype ?? 'float32', sparse: false, ragged: false, name: inputName } },
        ...layers.map((l) => ({ class_name: l.class_name, config: layerConfig(l) })),
      ],
    },
  };
}

/**
 * Builds the SavedMetadata message for `model` (graph view `graph`) with layer nodes `layers` and, for
 * functional models, InputLayer nodes `inputNodes` (in input order).
 */
export function buildKerasMetadata(model: ModelSpec, graph: ModelGraph, layers: readonly KerasLayerNode[], inputNodes: ReadonlyArray<{ readonly id: number; readonly path: string }> = []): keras.ISavedMetadata {
  const mc = modelConfig(model, graph.inputs[0]!.key);
  const inShapes = graph.inputs.map((i) => i.shape);
  const root: Record<string, unknown> = {
    name: (mc['config'] as { name?: unknown } | undefined)?.name ?? 'sequential', trainable: true, expects_training_arg: true, dtype: 'float32',
    batch_input_shape: null, must_restore_from_config: false, class_name: mc['class_name'], config: mc['config'],
    build_input_shape: inShapes.length === 1 ? shape(inShapes[0]!) : inShapes.map(shape), is_graph_network: true, keras_version: KERAS_VERSION, backend: 'tensorflow', model_config: mc,
  };
  // tf_keras's compile_args_from_training_config indexes these keys unconditionally.
  if (model.trainingConfig !== undefined && model.trainingConfig !== null) {
    const opt = model.optimizer;
    const optimizerConfig = opt === undefined ? {} : { optimizer_config: { class_name: opt.class_name, config: opt.config ?? {} } };
    root['training_config'] = { metrics: null, weighted_metrics: null, loss_weights: null, ...optimizerConfig, ...(model.trainingConfig as object) };
  }
  return {
    nodes: [
      { node_id: 0, node_path: 'root', identifier: graph.functional ? '_tf_keras_network' : '_tf_keras_sequential', metadata: JSON.stringify(root), version },
      ...inputNodes.map((n, i) => {
        const input = graph.inputs[i]!;
        const config = inputLayerConfig(input.key, input.shape, input.dtypeName);
        const meta = { class_name: 'InputLayer', name: input.key, dtype: input.dtypeName, sparse: false, ragged: false, batch_input_shape: config.batch_input_shape, config };
        return { node_id: n.id, node_path: n.path, identifier: '_tf_keras_input_layer', metadata: JSON.stringify(meta), version };
      }),
      ...layers.map((l) => {
        const config = layerConfig(l.spec);
        const meta = {
          name: config['name'], trainable: true, expects_training_arg: EXPECTS_TRAINING.has(l.spec.class_name), dtype: 'float32', batch_input_shape: null,
          stateful: false, must_restore_from_config: false, class_name: l.spec.class_name, config, build_input_shape: shapes(l.inputShape),
        };
        return { node_id: l.nodeId, node_path: l.nodePath, identifier: '_tf_keras_layer', metadata: JSON.stringify(meta), version };
      }),
    ],
  };
}
