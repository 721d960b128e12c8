"""Checks what the example snippets print and write against Python TensorFlow / Keras
(run by examples/test/snippets.test.ts).

usage: check_snippets.py <cases.json> <out.json>
cases.json: {"tensor": {"prefix", "name"}, "keras": {"path"}, "signature": {"dir"}}
out.json:   {"tensor": {"dtype", "shape", "first"}, "keras": {"ok", "logits", "iterations"},
             "signature": {"inputs": {key: [dtype, shape]}, "outputs": {...}}}
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "fixtures"))
from mnist_data import load_mnist  # noqa: E402

import tensorflow as tf  # noqa: E402
import keras  # noqa: E402


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    out = {}
    t = cases["tensor"]
    value = tf.train.load_checkpoint(t["prefix"]).get_tensor(t["name"])
    out["tensor"] = {"dtype": str(value.dtype), "shape": list(value.shape),
                     "first": [float(v) for v in value.reshape(-1)[:5]]}
    try:
        m = keras.saving.load_model(cases["keras"]["path"])
        _, _, x_test, _ = load_mnist(ROOT)
        out["keras"] = {"ok": True, "logits": m.predict(x_test[:8], verbose=0).astype(float).tolist(),
                        "iterations": int(m.optimizer.iterations.numpy()) if m.optimizer is not None else None}
    except Exception as e:  # reported; the test fails on it
        out["keras"] = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    sig = tf.saved_model.load(cases["signature"]["dir"]).signatures["serving_default"]
    spec = lambda s: [s.dtype.name, [-1 if d is None else d for d in s.shape.as_list()]]
    out["signature"] = {"inputs": {k: spec(v) for k, v in sig.structured_input_signature[1].items()},
                        "outputs": {k: spec(v) for k, v in sig.structured_outputs.items()}}
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
