"""Checks files written by @tfsave/runtime with tf_keras, Keras 3 and TF (run by test/persist.test.ts).

usage: persist.py <cases.json> <out.json>; every case compares predictions on x with the runtime's.
kinds: tfk_load_weights {config, path}, tfk_load_model {path}, k3_load_model {path},
       k3_load_weights {model_path, path}, savedmodel {path}, latest {dir}
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


def run(c):
    k = c["kind"]
    if k == "latest":
        return {"latest": tf.train.latest_checkpoint(c["dir"])}
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
