"""Loads the outputs of `tfsave convert` with TensorFlow / Keras and compares them to the source model.

Usage: check_convert.py CASES.json  — prints one JSON line {"id", "ok", "detail"} per case; exit 0 only when all pass.

Kinds (reference = the source model file, loaded by `loader`):
  ckpt-exact    {prefix, reference, scratch}: tf_keras loads the reference and writes model.save_weights(scratch);
                our checkpoint has the same keys, values and object graph bytes (plus only the _TFSAVE_KERAS_MODEL
                entry); a fresh compiled clone restores weights AND optimizer state with load_weights, and TF logs
                no warning about it.
  like-opt      {path, ckpt, optimizer?, loader?}: the .h5 converted with --like loads in tf_keras with its optimizer,
                whose variables equal the checkpoint's optimizer/_iterations and optimizer/_variables/N; with
                optimizer false, the model (loaded by loader) has the checkpoint's layer_with_weights-K weights.
  ckpt-weights  {prefix, reference, ref_loader, named?}: a weights-only source's checkpoint holds the reference's
                weights at layer_with_weights-K/<name> (var_N when named is false); with a tf_keras reference a clone's
                load_weights restores them.
  ckpt-keras3   {prefix, reference}: tf.train.load_checkpoint finds each weight of the Keras 3 reference
                at layer_with_weights-K/<name>, and its optimizer variables (iteration, learning rate, slots)
                at optimizer/_iterations, optimizer/_learning_rate and optimizer/_variables/N.
  model         {path, reference, loader, ref_loader}: the converted model loads and has equal weights
                and equal predictions.
  weights       {path, reference, ref_loader, arch?}: Keras 3 clone of arch (default reference) + load_weights(path)
                gives the reference's weights.
A case with "custom": true needs the custom classes of tools/fixtures/custom_objects.py (registered once).
  saved-model   {dir, reference, ref_loader}: the serving_default signature predicts what the reference does.
"""
import json
import sys

import numpy as np


def register_custom_objects():
    """Registers the tfsave>ScaledDense / tfsave>TinyResidual classes of fixtures/custom in tf_keras and Keras 3."""
    import os
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
    sys.path.insert(0, os.path.join(root, "tools", "fixtures"))
    import custom_objects
    custom_objects.get("tf_keras")
    custom_objects.get("keras3")


CASE = {}


def load(path, loader):
    """loader tf_keras / keras3; tf_keras_weights: a tf_keras weights-only .h5 loaded into the case's ref_arch."""
    if loader == "tf_keras_weights":
        import tf_keras
        m = tf_keras.models.clone_model(tf_keras.models.load_model(CASE["ref_arch"], compile=False))
        m.load_weights(path)
        return m
    if loader == "tf_keras":
        import tf_keras
        return tf_keras.models.load_model(path, compile=False)
    import keras
    return keras.saving.load_model(path, compile=False)


def input_for(model):
    """A batch of 2 for each input (a list when the model has several)."""
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal([d if d is not None else 2 for d in t.shape]).astype("float32") for t in model.inputs]
    return xs[0] if len(xs) == 1 else xs


def same_weights(a, b):
    wa = [np.asarray(w) for w in a.get_weights()]
    wb = [np.asarray(w) for w in b.get_weights()]
    if len(wa) != len(wb):
        return False, f"{len(wa)} weights vs {len(wb)}"
    for i, (x, y) in enumerate(zip(wa, wb)):
        if x.shape != y.shape or not np.array_equal(x, y):
            return False, f"weight {i} differs ({x.shape} vs {y.shape})"
    return True, f"{len(wa)} weights equal"


EXTRA = "_TFSAVE_KERAS_MODEL"


def ckpt_exact(case):
    import gc
    import logging
    import warnings
    import tensorflow as tf
    import tf_keras
    ref = tf_keras.models.load_model(case["reference"])
    ref.save_weights(case["scratch"])
    want = tf.train.load_checkpoint(case["scratch"])
    got = tf.train.load_checkpoint(case["prefix"])
    wk = set(want.get_variable_to_shape_map())
    gk = set(got.get_variable_to_shape_map())
    if gk - wk != {EXTRA} or wk - gk:
        return False, f"keys differ: extra {sorted(gk - wk)}, missing {sorted(wk - gk)}"
    for k in sorted(wk):
        a, b = want.get_tensor(k), got.get_tensor(k)
        if k == "_CHECKPOINTABLE_OBJECT_GRAPH":
            if a != b:
                return False, "object graph bytes differ from tf_keras's"
        elif a.dtype != b.dtype or a.shape != b.shape or not np.array_equal(a, b):
            return False, f"{k} differs"
    records = []

    class Catch(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.WARNING:
                records.append(record.getMessage())

    handler = Catch()
    tf.get_logger().addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fresh = tf_keras.models.clone_model(ref)
            fresh.compile(optimizer=ref.optimizer.__class__.from_config(ref.optimizer.get_config()), loss="mse")
            status = fresh.load_weights(case["prefix"])
            fresh.optimizer.build(fresh.trainable_variables)
            status.assert_consumed()
            ok, detail = same_weights(ref, fresh)
            ov = [np.asarray(v) for v in ref.optimizer.variables]
            fv = [np.asarray(v) for v in fresh.optimizer.variables]
            same_lr = float(np.asarray(ref.optimizer.learning_rate)) == float(np.asarray(fresh.optimizer.learning_rate))
            del status, fresh  # TF logs unrestored checkpoint values when the restored objects are deleted
            gc.collect()
    finally:
        tf.get_logger().removeHandler(handler)
    noisy = records + [str(w.message) for w in caught if "checkpoint" in str(w.message).lower()]
    if noisy:
        return False, f"TF warned while restoring: {noisy[:3]}"
    if not ok:
        return ok, detail
    if len(ov) != len(fv) or not all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(ov, fv)):
        return False, "optimizer variables differ after restore"
    if not same_lr:
        return False, "learning rate differs"
    return True, f"{len(wk)} keys and object graph equal tf_keras's; {len(fv)} optimizer variables restored, no warnings"


def like_opt(case):
    import tensorflow as tf
    ck = tf.train.load_checkpoint(case["ckpt"])
    if not case.get("optimizer", True):
        m = load(case["path"], case.get("loader", "tf_keras"))
        k = 0
        n = 0
        for layer in m.layers:
            for i, w in enumerate(layer.weights):
                name = w.name.split("/")[-1].split(":")[0]
                if not np.array_equal(np.asarray(w), ck.get_tensor(f"layer_with_weights-{k}/{name}/.ATTRIBUTES/VARIABLE_VALUE")):
                    return False, f"{layer.name}/{name} differs from the checkpoint"
                n += 1
            k += 1 if layer.weights else 0
        return True, f"{n} weights equal the checkpoint's"
    import tf_keras
    m = tf_keras.models.load_model(case["path"])
    opt = [np.asarray(v) for v in m.optimizer.variables]
    if not opt:
        return False, "no optimizer variables after load"
    want = [ck.get_tensor("optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE")]
    want += [ck.get_tensor(f"optimizer/_variables/{i}/.ATTRIBUTES/VARIABLE_VALUE") for i in range(1, len(opt))]
    for i, (a, b) in enumerate(zip(opt, want)):
        if a.shape != b.shape or not np.array_equal(a, b):
            return False, f"optimizer variable {i} differs"
    k = ck.get_tensor("layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE")
    if not np.array_equal(np.asarray(m.layers[0].kernel), k):
        return False, "first kernel differs"
    return True, f"{len(opt)} optimizer variables equal the checkpoint's"


def ckpt_keras3(case):
    import keras
    import tensorflow as tf
    ref = keras.saving.load_model(case["reference"])
    reader = tf.train.load_checkpoint(case["prefix"])
    k = 0
    n = 0
    for layer in ref.layers:
        if not layer.weights:
            continue
        for w in layer.weights:
            key = f"layer_with_weights-{k}/{w.name}/.ATTRIBUTES/VARIABLE_VALUE"
            if not np.array_equal(reader.get_tensor(key), np.asarray(w.numpy())):
                return False, f"{key} differs"
            n += 1
        k += 1
    ov = [np.asarray(v) for v in ref.optimizer.variables] if ref.optimizer is not None else []
    if case.get("h5_optimizer"):  # Keras 3 does not restore a legacy .h5's optimizer state: read it with h5py
        import h5py
        with h5py.File(case["reference"], "r") as f:
            g = f["optimizer_weights"]
            ov = [np.asarray(g[n.decode() if isinstance(n, bytes) else n]) for n in g.attrs["weight_names"]]
    if ov:
        if not np.array_equal(reader.get_tensor("optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE"), ov[0]):
            return False, "iterations differ"
        if not np.array_equal(reader.get_tensor("optimizer/_learning_rate/.ATTRIBUTES/VARIABLE_VALUE"), ov[1]):
            return False, "learning rate differs"
        for i, v in enumerate(ov[2:]):
            if not np.array_equal(reader.get_tensor(f"optimizer/_variables/{i + 1}/.ATTRIBUTES/VARIABLE_VALUE"), v):
                return False, f"optimizer slot {i} differs"
    restored = tf_keras_restore(ref, case["prefix"], ov)
    if restored is not None:
        return False, restored
    return True, f"{n} weights and {len(ov)} optimizer variables found; a tf_keras twin restores them all"


def tf_keras_restore(ref, prefix, mine):
    """Builds the tf_keras twin of a Keras 3 Sequential of Dense/Dropout layers, restores the checkpoint into it
    with load_weights (+ optimizer.build) and compares weights and optimizer state; None when all equal."""
    import tf_keras
    layers = [tf_keras.Input(tuple(ref.inputs[0].shape[1:]))]
    for layer in ref.layers:
        c = layer.get_config()
        if type(layer).__name__ == "Dense":
            layers.append(tf_keras.layers.Dense(c["units"], activation=c["activation"], use_bias=c["use_bias"]))
        elif type(layer).__name__ == "Dropout":
            layers.append(tf_keras.layers.Dropout(c["rate"]))
        else:
            return f"no tf_keras twin for {type(layer).__name__}"
    twin = tf_keras.Sequential(layers)
    twin.compile(optimizer=tf_keras.optimizers.Adam(), loss="mse")
    status = twin.load_weights(prefix)
    twin.optimizer.build(twin.trainable_variables)
    status.assert_consumed()
    if not all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(ref.weights, twin.weights)):
        return "tf_keras twin: weights differ"
    theirs = [np.asarray(v) for v in twin.optimizer.variables]
    want = [mine[0]] + mine[2:]  # Keras 3 keeps the learning rate among its variables, tf_keras beside them
    if len(want) != len(theirs) or not all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(want, theirs)):
        return "tf_keras twin: optimizer variables differ"
    if float(np.asarray(twin.optimizer.learning_rate)) != float(mine[1]):
        return "tf_keras twin: learning rate differs"
    return None


def model(case):
    ref = load(case["reference"], case["ref_loader"])
    got = load(case["path"], case["loader"])
    ok, detail = same_weights(ref, got)
    if not ok:
        return ok, detail
    x = input_for(ref)
    if not np.allclose(np.asarray(ref(x)), np.asarray(got(x)), atol=1e-6):
        return False, "predictions differ"
    return True, detail + ", predictions equal"


def ckpt_weights(case):
    """A weights-only source: layer_with_weights-K/<name> hold the reference's weights (names var_N when the
    source did not name them); with a tf_keras reference, a clone's load_weights restores them."""
    import tensorflow as tf
    ref = load(case["reference"], case["ref_loader"])
    reader = tf.train.load_checkpoint(case["prefix"])
    k = 0
    n = 0
    for layer in ref.layers:
        if not layer.weights:
            continue
        for i, w in enumerate(layer.weights):
            name = w.name.split("/")[-1].split(":")[0] if case.get("named", True) else f"var_{i}"
            key = f"layer_with_weights-{k}/{name}/.ATTRIBUTES/VARIABLE_VALUE"
            if not np.array_equal(reader.get_tensor(key), np.asarray(w)):
                return False, f"{key} differs"
            n += 1
        k += 1
    detail = f"{n} weights found"
    if case["ref_loader"] == "tf_keras":
        import tf_keras
        fresh = tf_keras.models.clone_model(ref)
        fresh.load_weights(case["prefix"]).expect_partial()
        ok, d = same_weights(ref, fresh)
        if not ok:
            return ok, "tf_keras load_weights: " + d
        detail += "; tf_keras load_weights restores them"
    return True, detail


def weights(case):
    import keras
    ref = load(case["reference"], case["ref_loader"])
    fresh = keras.models.clone_model(load(case.get("arch", case["reference"]), "keras3"))
    fresh.load_weights(case["path"])
    return same_weights(ref, fresh)


def saved_model(case):
    import tensorflow as tf
    ref = load(case["reference"], case["ref_loader"])
    sm = tf.saved_model.load(case["dir"])
    fn = sm.signatures["serving_default"]
    x = input_for(ref)
    out = list(fn(tf.constant(x)).values())[0].numpy()
    want = np.asarray(ref(x))
    if out.shape != want.shape or not np.allclose(out, want, atol=1e-5):
        return False, f"prediction differs: max abs {np.max(np.abs(out - want))}"
    return True, f"serving_default output {out.shape} matches"


CHECKS = {"ckpt-weights": ckpt_weights, "ckpt-exact": ckpt_exact, "like-opt": like_opt, "ckpt-keras3": ckpt_keras3, "model": model, "weights": weights, "saved-model": saved_model}


def main():
    cases = json.load(open(sys.argv[1]))["cases"]
    if any(c.get("custom") for c in cases):
        register_custom_objects()
    failed = 0
    for case in cases:
        CASE.clear()
        CASE.update(case)
        try:
            ok, detail = CHECKS[case["kind"]](case)
        except Exception as e:  # reported as a failure, never skipped
            ok, detail = False, f"{type(e).__name__}: {e}"
        failed += 0 if ok else 1
        print(json.dumps({"id": case["id"], "ok": bool(ok), "detail": detail}), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
