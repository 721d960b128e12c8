"""Loads the outputs of `tfsave convert` with TensorFlow / Keras and compares them to the source model.

Usage: check_convert.py CASES.json  — prints one JSON line {"id", "ok", "detail"} per case; exit 0 only when all pass.

Kinds (reference = the source model file, loaded by `loader`):
  ckpt-tfkeras  {prefix, reference}: a fresh tf_keras model of the reference's architecture
                restores every weight from the checkpoint with model.load_weights(prefix).
  ckpt-keras3   {prefix, reference}: tf.train.load_checkpoint finds each weight of the Keras 3 reference
                at layer_with_weights-K/<name>.
  model         {path, reference, loader, ref_loader}: the converted model loads and has equal weights
                and equal predictions.
  weights       {path, reference, ref_loader}: reference architecture + load_weights(path) gives equal weights.
  saved-model   {dir, reference, ref_loader}: the serving_default signature predicts what the reference does.
"""
import json
import sys

import numpy as np


def load(path, loader):
    if loader == "tf_keras":
        import tf_keras
        return tf_keras.models.load_model(path, compile=False)
    import keras
    return keras.saving.load_model(path, compile=False)


def input_for(model):
    shape = [d if d is not None else 2 for d in model.inputs[0].shape]
    return np.random.default_rng(0).standard_normal(shape).astype("float32")


def same_weights(a, b):
    wa = [np.asarray(w) for w in a.get_weights()]
    wb = [np.asarray(w) for w in b.get_weights()]
    if len(wa) != len(wb):
        return False, f"{len(wa)} weights vs {len(wb)}"
    for i, (x, y) in enumerate(zip(wa, wb)):
        if x.shape != y.shape or not np.array_equal(x, y):
            return False, f"weight {i} differs ({x.shape} vs {y.shape})"
    return True, f"{len(wa)} weights equal"


def ckpt_tfkeras(case):
    import tf_keras
    ref = load(case["reference"], "tf_keras")
    fresh = tf_keras.models.clone_model(ref)
    fresh.load_weights(case["prefix"]).assert_existing_objects_matched()
    return same_weights(ref, fresh)


def ckpt_keras3(case):
    import tensorflow as tf
    ref = load(case["reference"], "keras3")
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
    return True, f"{n} weights found"


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


def weights(case):
    import keras
    ref = load(case["reference"], case["ref_loader"])
    fresh = keras.models.clone_model(load(case["reference"], "keras3"))
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


CHECKS = {"ckpt-tfkeras": ckpt_tfkeras, "ckpt-keras3": ckpt_keras3, "model": model, "weights": weights, "saved-model": saved_model}


def main():
    cases = json.load(open(sys.argv[1]))["cases"]
    failed = 0
    for case in cases:
        try:
            ok, detail = CHECKS[case["kind"]](case)
        except Exception as e:  # reported as a failure, never skipped
            ok, detail = False, f"{type(e).__name__}: {e}"
        failed += 0 if ok else 1
        print(json.dumps({"id": case["id"], "ok": bool(ok), "detail": detail}), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
