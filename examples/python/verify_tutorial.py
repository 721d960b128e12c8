"""Step 9 of the reference example: Python TensorFlow / Keras loads every artifact the
TypeScript tutorial wrote and reports its accuracy on the same 1000-example test split.

usage: verify_tutorial.py <cases.json> <out.json>

cases.json: {"cases": [{"id", "kind", "path", ...}]}; kinds:
  tfk_weights      tf_keras create_model() + load_weights(path)          (TF checkpoint prefix)
  tfk_latest       tf.train.latest_checkpoint(dir), then as tfk_weights  (records "latest")
  tfk_savedmodel   tf_keras.models.load_model(dir), then load_weights(dir/variables/variables) for the
                   optimizer state                                       (SavedModel + keras_metadata.pb)
  tf_serving       tf.saved_model.load(dir).signatures["serving_default"]
  tfk_model        tf_keras.models.load_model(path)                      (legacy .h5)
  k3_model         keras.saving.load_model(path)                         (.keras)
  k3_custom        keras.saving.load_model(path, custom_objects={"Scale": Scale})
Every case may carry "logits": a float32 file of our predictions [1000, 10] to compare.
out.json: {"results": [{"id", "ok", "loader", "correct", "total", "max_abs_diff", ...}]}
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "fixtures"))
from mnist_data import load_mnist  # noqa: E402

import tensorflow as tf  # noqa: E402
import tf_keras  # noqa: E402
import keras  # noqa: E402


def create_model():
    """The tutorial's model, in tf_keras."""
    model = tf_keras.Sequential([
        tf_keras.layers.Dense(512, activation="relu", input_shape=(784,)),
        tf_keras.layers.Dropout(0.2),
        tf_keras.layers.Dense(10),
    ])
    model.compile(optimizer="adam",
                  loss=tf_keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[tf_keras.metrics.SparseCategoricalAccuracy()])
    return model


class Scale(keras.layers.Layer):
    """The example's custom layer: multiplies its input by one learned scalar."""

    def __init__(self, init=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init = float(init)

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=(), initializer=keras.initializers.Constant(self.init))

    def call(self, x):
        return x * self.scale

    def get_config(self):
        return {**super().get_config(), "init": self.init}


def optimizer_iterations(model):
    opt = getattr(model, "optimizer", None)
    if opt is None or not hasattr(opt, "iterations"):
        return None
    return int(opt.iterations.numpy())


def load(case):
    kind, path = case["kind"], case.get("path")
    extra = {}
    if kind == "tfk_latest":
        path = tf.train.latest_checkpoint(case["dir"])
        extra["latest"] = path
        kind = "tfk_weights"
    if kind == "tfk_weights":
        tf_keras.backend.clear_session()
        m = create_model()
        m.load_weights(path).expect_partial()
        return m.predict, "tf_keras load_weights", extra
    if kind == "tf_serving":
        fn = tf.saved_model.load(path).signatures["serving_default"]
        return (lambda x, **_: list(fn(tf.constant(x)).values())[0].numpy()), "tf.saved_model.load", extra
    if kind in ("tfk_savedmodel", "tfk_model"):
        tf_keras.backend.clear_session()
        m = tf_keras.models.load_model(path)
        if kind == "tfk_savedmodel":
            # tf_keras never restores optimizer state from a SavedModel on its own (not even from
            # its own); the checkpoint in variables/ holds it, and load_weights reads it back
            m.load_weights(os.path.join(path, "variables", "variables")).expect_partial()
        extra["optimizer_iterations"] = optimizer_iterations(m)
        return m.predict, "tf_keras load_model", extra
    if kind in ("k3_model", "k3_custom"):
        custom = {"Scale": Scale} if kind == "k3_custom" else None
        m = keras.saving.load_model(path, custom_objects=custom)
        extra["optimizer_iterations"] = optimizer_iterations(m)
        return m.predict, "keras 3 load_model", extra
    raise ValueError(f"unknown kind {kind}")


def run(case, x_test, y_test):
    predict, loader, extra = load(case)
    logits = np.asarray(predict(x_test, verbose=0), dtype=np.float32).reshape(len(x_test), -1)
    correct = int(np.sum(np.argmax(logits, axis=1) == y_test))
    out = {"loader": loader, "correct": correct, "total": int(len(y_test)), **extra}
    if case.get("logits"):
        ours = np.fromfile(case["logits"], dtype="<f4").reshape(logits.shape)
        out["max_abs_diff"] = float(np.max(np.abs(ours - logits)))
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    _, _, x_test, y_test = load_mnist(ROOT)
    results = []
    for case in cases:
        try:
            results.append({"id": case["id"], "ok": True, **run(case, x_test, y_test)})
        except Exception as e:  # reported per case; the TypeScript side fails on it
            results.append({"id": case["id"], "ok": False, "error": f"{type(e).__name__}: {e}"})
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump({"versions": {"tensorflow": tf.__version__, "tf_keras": tf_keras.__version__,
                                "keras": keras.__version__}, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
