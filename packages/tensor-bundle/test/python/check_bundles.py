"""Checks bundles written by tfsave with TensorFlow's own reader.

argv[1]: JSON file {"bundles": [{"prefix", "tensors": [{name, dtype, shape, sha256}]}],
                    "restore_variable": {...}, "keras_model": {...}, "latest": {...}}
Prints one JSON line per check: {"check", "ok", "detail"}; exits 0 always (the TS test asserts).
"""
import hashlib
import json
import sys

import numpy as np
import tensorflow as tf


def sha256_of(value):
    h = hashlib.sha256()
    if isinstance(value, bytes):
        value = np.array([value], dtype=object)
    if value.dtype == object or value.dtype.kind in ("S", "O"):
        for el in value.reshape(-1):
            b = el if isinstance(el, bytes) else str(el).encode()
            h.update(len(b).to_bytes(8, "little"))
            h.update(b)
    else:
        h.update(np.ascontiguousarray(value).tobytes())
    return h.hexdigest()


def report(check, ok, detail=""):
    print(json.dumps({"check": check, "ok": bool(ok), "detail": detail}), flush=True)


def check_bundle(b):
    prefix = b["prefix"]
    try:
        reader = tf.train.load_checkpoint(prefix)
        listed = dict(tf.train.list_variables(prefix))
        dtypes = reader.get_variable_to_dtype_map()
        for t in b["tensors"]:
            name = t["name"]
            if name not in listed:
                report(f"{prefix}:{name}", False, "not listed")
                continue
            value = reader.get_tensor(name)
            if not isinstance(value, bytes):
                value = np.asarray(value)
            got = {
                "dtype": dtypes[name].name,
                "shape": list(listed[name]),
                "sha256": sha256_of(value),
            }
            want = {"dtype": t["dtype"], "shape": t["shape"], "sha256": t["sha256"]}
            report(f"{prefix}:{name}", got == want, json.dumps(got) if got != want else "")
        extra = set(listed) - {t["name"] for t in b["tensors"]}
        report(f"{prefix}:no-extra", not extra, ",".join(sorted(extra)))
    except Exception as e:  # noqa: BLE001 - every failure is reported to the TS test
        report(prefix, False, f"{type(e).__name__}: {e}")


def check_restore(spec):
    try:
        v = tf.Variable(tf.zeros(spec["shape"], dtype=spec["dtype"]))
        w = tf.Variable(tf.zeros([], dtype=tf.int64))
        ckpt = tf.train.Checkpoint(v=v, nested=tf.train.Checkpoint(w=w))
        status = ckpt.restore(spec["prefix"])
        status.assert_existing_objects_matched()
        ok = np.array_equal(v.numpy(), np.array(spec["value"], dtype=spec["dtype"]).reshape(spec["shape"])) and int(w.numpy()) == spec["w"]
        ok = ok and int(ckpt.save_counter.numpy()) == 1
        report("restore:tf.train.Checkpoint", ok, f"{v.numpy().tolist()} {w.numpy()}")
    except Exception as e:  # noqa: BLE001
        report("restore:tf.train.Checkpoint", False, f"{type(e).__name__}: {e}")


def check_keras(spec):
    try:
        import tf_keras as keras

        model = keras.Sequential([
            keras.layers.Dense(512, activation="relu", input_shape=(784,)),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10),
        ])
        model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        x = np.zeros((2, 784), np.float32)
        model.train_on_batch(x, np.zeros((2,), np.int64))
        status = model.load_weights(spec["prefix"])
        status.assert_existing_objects_matched()
        hashes = [sha256_of(np.asarray(w)) for w in model.weights]
        report("keras:load_weights weights", hashes == spec["weights"], json.dumps(hashes))
        opt = [sha256_of(np.asarray(v)) for v in model.optimizer.variables]
        report("keras:load_weights optimizer", opt == spec["optimizer"], json.dumps(opt))
        x = np.linspace(0, 1, 784 * 3, dtype=np.float32).reshape(3, 784)
        y = model(x, training=False).numpy()
        report("keras:predict", np.allclose(y, np.array(spec["predict"], np.float32).reshape(3, 10), atol=1e-4), json.dumps(y.tolist()))
    except Exception as e:  # noqa: BLE001
        report("keras:load_weights", False, f"{type(e).__name__}: {e}")


def main():
    spec = json.load(open(sys.argv[1]))
    for b in spec.get("bundles", []):
        check_bundle(b)
    if "restore_variable" in spec:
        check_restore(spec["restore_variable"])
    if "keras_model" in spec:
        check_keras(spec["keras_model"])
    if "latest" in spec:
        got = tf.train.latest_checkpoint(spec["latest"]["dir"])
        report("latest_checkpoint", got == spec["latest"]["expected"], str(got))
        state = tf.train.get_checkpoint_state(spec["latest"]["dir"])
        report("checkpoint_state paths", state is not None and list(state.all_model_checkpoint_paths) == spec["latest"]["all"], str(state))


main()
