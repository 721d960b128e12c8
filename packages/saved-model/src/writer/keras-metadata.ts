/**
 * `keras_metadata.pb` for an exported Sequential model: one node for the
 * model (its `model_config` and, when given, `training_config`) and one per
 * layer (class, config, `build_input_shape`), so tf_keras `load_model`
 * revives every layer from its config, builds it, and restores its weights
 * from `variables/`. Upstream: tf_keras/saving/legacy/saved_model/{layer_serialization,load}.py.
 */
import type { keras } from '@tfsave/protos';
import type { LayerSpec, ModelSpec } from './model-spec.js';

/** One layer as exported: its spec, input shape without batch, and object graph node. */
export interface KerasLayerNode {
  readonly spec: LayerSpec;
  readonly inputShape: readonly number[];
  readonly nodeId: number;
  readonly nodePath: string;
}

/** Keras version string written into the metadata. */
export const KERAS_VERSION = '2.21.0';

const EXPECTS_TRAINING = new Set(['Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'BatchNormalization']);
const shape = (s: readonly number[]) => ({ class_name: 'TensorShape', items: [null, ...s] });
const version = { producer: 2, min_consumer: 1 };

/** The layer config with its `name` and `dtype` filled in. */
export function layerConfig(l: LayerSpec): Record<string, unknown> {
  return { name: l.class_name.toLowerCase(), trainable: true, dtype: 'float32', ...l.config };
}

/** The Keras `model_config` JSON of `model` (given `kerasConfig`, or built from the layers). */
export function modelConfig(model: ModelSpec, inputName: string): Record<string, unknown> {
  if (model.kerasConfig !== undefined && model.kerasConfig !== null && typeof model.kerasConfig === 'object') return model.kerasConfig as Record<string, unknown>;
  const layers = model.layers.filter((l) => l.class_name !== 'InputLayer');
  return {
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, ...model.inputShape], dtype: 'float32', sparse: false, ragged: false, name: inputName } },
        ...layers.map((l) => ({ class_name: l.class_name, config: layerConfig(l) })),
      ],
    },
  };
}

/** Builds the SavedMetadata message for `model` with layer nodes `layers`. */
export function buildKerasMetadata(model: ModelSpec, inputName: string, layers: readonly KerasLayerNode[]): keras.ISavedMetadata {
  const mc = modelConfig(model, inputName);
  const root: Record<string, unknown> = {
    name: (mc['config'] as { name?: unknown } | undefined)?.name ?? 'sequential', trainable: true, expects_training_arg: true, dtype: 'float32',
    batch_input_shape: null, must_restore_from_config: false, class_name: mc['class_name'], config: mc['config'],
    build_input_shape: shape(model.inputShape), is_graph_network: true, keras_version: KERAS_VERSION, backend: 'tensorflow', model_config: mc,
  };
  // tf_keras's compile_args_from_training_config indexes these keys unconditionally.
  if (model.trainingConfig !== undefined && model.trainingConfig !== null) root['training_config'] = { metrics: null, weighted_metrics: null, loss_weights: null, ...(model.trainingConfig as object) };
  return {
    nodes: [
      { node_id: 0, node_path: 'root', identifier: '_tf_keras_sequential', metadata: JSON.stringify(root), version },
      ...layers.map((l) => {
        const config = layerConfig(l.spec);
        const meta = {
          name: config['name'], trainable: true, expects_training_arg: EXPECTS_TRAINING.has(l.spec.class_name), dtype: 'float32', batch_input_shape: null,
          stateful: false, must_restore_from_config: false, class_name: l.spec.class_name, config, build_input_shape: shape(l.inputShape),
        };
        return { node_id: l.nodeId, node_path: l.nodePath, identifier: '_tf_keras_layer', metadata: JSON.stringify(meta), version };
      }),
    ],
  };
}
