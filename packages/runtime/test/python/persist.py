"""Checks files written by @tfsave/runtime with tf_keras, Keras 3 and TF (run by test/persist.test.ts).

usage: persist.py <cases.json> <out.json>; every case compares predictions on x with the runtime's.
kinds: tfk_load_weights {config, path}, tfk_load_model {path}, k3_load_model {path},
       k3_load_weights {model_path, path}, savedmodel {path}, tfk_load_savedmodel {path}, latest {dir},
       write_regularized {dir}: writes tf_keras .h5 / SavedModel and Keras 3 .keras models that use a regularizer
       or a constraint (the runtime must refuse them),
       write_tfk_functional {dir}: a trained two-input Functional tf_keras model saved as a SavedModel, with its
       inputs and predictions as raw float32 files
"""
import json
import sys

import numpy as np
import tensorflow as tf
import tf_keras
import keras


def x_and_expected(c):
    x = np.fromfile(c["x"], dtype="<f4").reshape(c["x_shape"])
    ours = np.fromfile(c["expected"], dtype="<f4") if c.get("expected") else None
    return x, ours


def compare(pred, ours):
    pred = np.asarray(pred, dtype=np.float32).reshape(-1)
    return float(np.max(np.abs(pred - ours))) if pred.size == ours.size else float("inf")


def opt_state(opt):
    if opt is None:
        return None
    return {"iterations": int(opt.iterations.numpy()),
            "variables": [[v.name, float(np.sum(np.asarray(v.numpy(), dtype=np.float64)))] for v in opt.variables]}


def write_regularized(d):
    tf_keras.backend.clear_session()
    m = tf_keras.Sequential([tf_keras.layers.Dense(4, kernel_regularizer=tf_keras.regularizers.L2(0.01), input_shape=(3,)),
                             tf_keras.layers.Dense(2)])
    m.compile(optimizer="adam", loss="mse")
    m.save(d + "/tfk_l2.h5")
    m.save(d + "/tfk_l2_savedmodel")
    tf_keras.backend.clear_session()
    c = tf_keras.Sequential([tf_keras.layers.Dense(4, input_shape=(3,), kernel_constraint=tf_keras.constraints.MaxNorm(2.0))])
    c.save(d + "/tfk_maxnorm.h5")
    k = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, bias_regularizer=keras.regularizers.L1(0.1))])
    k.save(d + "/k3_l1.keras")
    return {"files": ["tfk_l2.h5", "tfk_l2_savedmodel", "tfk_maxnorm.h5", "k3_l1.keras"]}


def write_tfk_functional(d):
    tf_keras.backend.clear_session()
    rng = np.random.default_rng(7)
    a = tf_keras.Input((12,), name="a")
    b = tf_keras.Input((5,), name="b")
    h = tf_keras.layers.Concatenate()([tf_keras.layers.Dense(8, activation="relu")(a), tf_keras.layers.Dense(4)(b)])
    out = tf_keras.layers.Dense(3)(h)
    m = tf_keras.Model([a, b], out)
    m.compile(optimizer="adam", loss="mse")
    xa = rng.normal(size=(16, 12)).astype("float32")
    xb = rng.normal(size=(16, 5)).astype("float32")
    m.fit([xa, xb], rng.normal(size=(16, 3)).astype("float32"), batch_size=8, epochs=1, verbose=0)
    m.save(d + "/tfk_functional_savedmodel")
    xa.tofile(d + "/tfk_functional_xa.bin")
    xb.tofile(d + "/tfk_functional_xb.bin")
    m.predict([xa, xb], verbose=0).astype("<f4").tofile(d + "/tfk_functional_pred.bin")
    return {"iterations": int(m.optimizer.iterations.numpy())}


def run(c):
    k = c["kind"]
    if k == "latest":
        return {"latest": tf.train.latest_checkpoint(c["dir"])}
    if k == "write_regularized":
        return write_regularized(c["dir"])
    if k == "write_tfk_functional":
        return write_tfk_functional(c["dir"])
    x, ours = x_and_expected(c)
    if k == "tfk_load_weights":
        tf_keras.backend.clear_session()
        with open(c["config"]) as f:
            m = tf_keras.models.model_from_json(f.read())
        m.load_weights(c["path"])
        return {"max_abs_diff": compare(m.predict(x, verbose=0), ours)}
    if k == "tfk_load_model":
        tf_keras.backend.clear_session()
        m = tf_keras.models.load_model(c["path"])
        return {"max_abs_diff": compare(m.predict(x, verbose=0), ours), "optimizer": opt_state(m.optimizer),
                "loss": type(m.loss).__name__ if m.loss is not None else None}
    if k == "k3_load_model":
        m = keras.saving.load_model(c["path"])
        return {"max_abs_diff": compare(m.predict(x, verbose=0), ours),
                "optimizer": {"iterations": int(m.optimizer.iterations.numpy())} if m.optimizer is not None else None}
    if k == "k3_load_weights":
        m = keras.saving.load_model(c["model_path"], compile=False)
        m.load_weights(c["path"])
        return {"max_abs_diff": compare(m.predict(x, verbose=0), ours)}
    if k == "tfk_load_savedmodel":
        tf_keras.backend.clear_session()
        m = tf_keras.models.load_model(c["path"])
        return {"max_abs_diff": compare(m.predict(x, verbose=0), ours), "class": type(m).__name__,
                "layers": [l.name for l in m.layers],
                "loss": type(m.loss).__name__ if m.loss is not None else None,
                "optimizer": type(m.optimizer).__name__ if m.optimizer is not None else None}
    if k == "savedmodel":
        loaded = tf.saved_model.load(c["path"])
        fn = loaded.signatures["serving_default"]
        out = list(fn(tf.constant(x)).values())[0]
        return {"max_abs_diff": compare(out.numpy(), ours)}
    raise ValueError("unknown kind " + k)


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)["cases"]
    results = []
    for c in cases:
        try:
            results.append({"id": c["id"], "ok": True, **run(c)})
        except Exception as e:
            results.append({"id": c["id"], "ok": False, "error": f"{type(e).__name__}: {e}"})
    with open(sys.argv[2], "w") as f:
        json.dump({"results": results}, f)


if __name__ == "__main__":
    main()
