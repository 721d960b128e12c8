"""Optimizer state of every supported optimizer, converted to a checkpoint, restores in tf_keras.

Usage: check_optimizers.py NODE MAIN WORKDIR — for each optimizer (and option that changes the slot layout), trains
a tiny model two steps in tf_keras (saved as .h5) and in Keras 3 (saved as .keras), runs `tfsave convert MODEL PREFIX`
(the real executable), then restores PREFIX with tf_keras `load_weights` into a model compiled with that optimizer
(after `optimizer.build`), asserting every checkpoint value is consumed and every optimizer variable (iteration, each
slot, Nadam's u_product) and the learning rate equal the source's. For tf_keras sources the checkpoint must also
equal what tf_keras's own `save_weights` writes: same keys, values and object-graph bytes. Prints one JSON line
{"id", "ok", "detail"} per case; exit 0 only when all pass.
"""
import json
import os
import subprocess
import sys

import numpy as np

VARIANTS = [
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.9, "centered": True}),
    ("Nadam", {}),
    ("Adamax", {}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Ftrl", {}),
    ("Lion", {}),
    ("Adam", {"amsgrad": True}),
    ("SGD", {"momentum": 0.9}),
    ("AdamW", {}),
    ("Adagrad", {}),
]
X = np.random.default_rng(1).standard_normal((4, 3)).astype("float32")
Y = np.random.default_rng(2).standard_normal((4, 2)).astype("float32")


def train(keras, name, kw):
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu", name="a"), keras.layers.Dense(2, name="b")])
    m.compile(optimizer=getattr(keras.optimizers, name)(**kw), loss="mse")
    m.fit(X, Y, batch_size=2, epochs=1, verbose=0)
    return m


def convert(node, main, src, prefix):
    r = subprocess.run([node, main, "convert", src, prefix], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"convert failed: {r.stderr.strip()}")
    if "note:" in r.stderr:
        raise RuntimeError(f"state not laid out for tf_keras: {r.stderr.strip()}")


def restore(tf_keras, name, kw, prefix):
    twin = tf_keras.Sequential([tf_keras.Input((3,)), tf_keras.layers.Dense(4, activation="relu", name="a"), tf_keras.layers.Dense(2, name="b")])
    twin.compile(optimizer=getattr(tf_keras.optimizers, name)(**kw), loss="mse")
    status = twin.load_weights(prefix)
    twin.optimizer.build(twin.trainable_variables)
    status.assert_consumed()
    return twin


def equal_lists(want, got, what):
    if len(want) != len(got):
        return f"{what}: {len(got)} variables, want {len(want)}"
    for i, (a, b) in enumerate(zip(want, got)):
        if a.shape != b.shape or not np.array_equal(a, b):
            return f"{what}: variable {i} differs"
    return None


def same_as_save_weights(tf, ref, prefix, scratch, name):
    ref.save_weights(scratch)
    want = tf.train.load_checkpoint(scratch)
    got = tf.train.load_checkpoint(prefix)
    wk = set(want.get_variable_to_shape_map())
    gk = set(got.get_variable_to_shape_map())
    missing = wk - gk
    # tf_keras's .h5 does not store Nadam's u_product, so it cannot be carried over from one
    allowed = {"optimizer/_u_product/.ATTRIBUTES/VARIABLE_VALUE"} if name == "Nadam" else set()
    if gk - wk != {"_TFSAVE_KERAS_MODEL"} or missing - allowed:
        return f"keys differ from save_weights: extra {sorted(gk - wk)}, missing {sorted(missing)}"
    for k in sorted(wk - missing):
        a, b = want.get_tensor(k), got.get_tensor(k)
        if k == "_CHECKPOINTABLE_OBJECT_GRAPH":
            if not missing and a != b:
                return "object graph bytes differ from tf_keras save_weights"
        elif a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(a, b):
            return f"{k} differs from save_weights"
    return None


def check_tf_keras(node, main, work, name, kw, tag):
    import tensorflow as tf
    import tf_keras
    src = os.path.join(work, f"tfk-{tag}.h5")
    train(tf_keras, name, kw).save(src)
    ref = tf_keras.models.load_model(src)
    prefix = os.path.join(work, f"tfk-{tag}", "ck")
    convert(node, main, src, prefix)
    twin = restore(tf_keras, name, kw, prefix)
    want = [np.asarray(v) for v in ref.optimizer.variables]
    err = equal_lists(want, [np.asarray(v) for v in twin.optimizer.variables], "optimizer")
    err = err or equal_lists([np.asarray(w) for w in ref.weights], [np.asarray(w) for w in twin.weights], "weights")
    if err is None and float(np.asarray(ref.optimizer.learning_rate)) != float(np.asarray(twin.optimizer.learning_rate)):
        err = "learning rate differs"
    err = err or same_as_save_weights(tf, ref, prefix, os.path.join(work, f"tfk-{tag}-ref", "ck"), name)
    same = "keys and values = tf_keras save_weights but _u_product (not in a tf_keras .h5)" if name == "Nadam" \
        else "keys, values and object graph = tf_keras save_weights"
    return err, f"{len(want)} optimizer variables restored; {same}"


def check_keras3(node, main, work, name, kw, tag):
    import keras
    import tf_keras
    src = os.path.join(work, f"k3-{tag}.keras")
    train(keras, name, kw).save(src)
    ref = keras.saving.load_model(src)
    prefix = os.path.join(work, f"k3-{tag}", "ck")
    convert(node, main, src, prefix)
    twin = restore(tf_keras, name, kw, prefix)
    mine = [np.asarray(v) for v in ref.optimizer.variables]
    u_product = mine.pop() if name == "Nadam" else None  # Keras 3 keeps it last among the variables
    want = [mine[0]] + mine[2:]  # Keras 3 keeps the learning rate among its variables, tf_keras beside them
    err = equal_lists(want, [np.asarray(v) for v in twin.optimizer.variables], "optimizer")
    err = err or equal_lists([np.asarray(w) for w in ref.weights], [np.asarray(w) for w in twin.weights], "weights")
    if err is None and float(np.asarray(twin.optimizer.learning_rate)) != float(mine[1]):
        err = "learning rate differs"
    if err is None and u_product is not None and not np.array_equal(np.asarray(twin.optimizer._u_product), u_product):
        err = "u_product differs"
    return err, f"{len(want)} optimizer variables{' and u_product' if u_product is not None else ''} restored"


def main():
    node, main_js, work = sys.argv[1:4]
    failed = 0
    for name, kw in VARIANTS:
        tag = name + "".join(f"-{k}" for k in kw if k != "learning_rate")
        for flavour, check in (("tf_keras", check_tf_keras), ("Keras 3", check_keras3)):
            cid = f"{flavour} {name}{'(' + ', '.join(f'{k}={v}' for k, v in kw.items()) + ')' if kw else ''}"
            try:
                err, detail = check(node, main_js, work, name, kw, tag)
            except Exception as e:  # reported as a failure, never skipped
                err, detail = f"{type(e).__name__}: {e}", ""
            failed += 1 if err else 0
            print(json.dumps({"id": cid, "ok": err is None, "detail": err or detail}), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
