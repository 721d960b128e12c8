"""Interop check of the optimizer state @tfsave/saved-model writes into a SavedModel.

Usage: check_optimizer.py cases.json
Each case: {"name", "dir", "iterations", "learning_rate", "slots": [[flat values], shape]..., "x", "y" (flat), "batch"}.
For each TS-written SavedModel directory it reports, as one JSON line:
- tf.saved_model.load: the revived optimizer's `_iterations` (restored by TF's object-graph loader) and
  whether the serving signature matches tf_keras's predict;
- the TF1 Session loader (SaverDef restore, as TF Serving does): the value of the `iteration` variable;
- tf_keras.models.load_model(dir): `iterations` right after loading (tf_keras 2.21 compiles a fresh
  optimizer from training_config, also for SavedModels it wrote itself), then after
  `model.load_weights(dir + "/variables/variables")` (tf_keras's way to restore optimizer state) and
  building the optimizer: iterations, learning rate, and every slot variable against the expected values;
- `fit` continuation: one full-batch step from the restored state compared with a reference model whose
  optimizer state was assigned by hand from the expected values, and with a fresh optimizer (must differ).
Runs `saved_model_cli show --all` on the first case.
"""
import json
import subprocess
import sys

import numpy as np
import tensorflow as tf
import tf_keras

cases = json.load(open(sys.argv[1]))["cases"]
results = []


def weights_of(model):
    return [w.numpy() for w in model.trainable_variables]


def max_diff(a, b):
    return float(max(np.max(np.abs(x - y)) if x.size else 0.0 for x, y in zip(a, b)))


for i, case in enumerate(cases):
    r = {"name": case["name"]}
    d = case["dir"]
    try:
        x = np.asarray(case["x"], np.float32).reshape([case["batch"], -1])
        y = np.asarray(case["y"], np.float32).reshape([case["batch"], -1])
        expected = [np.asarray(v, np.float32).reshape(s) for v, s in case["slots"]]

        loaded = tf.saved_model.load(d)
        r["tf_load_iterations"] = int(loaded.optimizer._iterations.numpy())
        r["tf_load_optimizer_class"] = type(loaded.optimizer).__name__
        serving = loaded.signatures["serving_default"](tf.constant(x))
        served = list(serving.values())[0].numpy()

        with tf.Graph().as_default() as g, tf.compat.v1.Session(graph=g) as sess:
            tf.compat.v1.saved_model.loader.load(sess, ["serve"], d)
            handle = g.get_tensor_by_name("iteration:0")
            r["tf1_iterations"] = int(sess.run(tf.raw_ops.ReadVariableOp(resource=handle, dtype=tf.int64)))

        model = tf_keras.models.load_model(d)
        r["serving_matches_predict"] = bool(np.allclose(served, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6))
        r["optimizer_class"] = type(model.optimizer).__name__
        r["iterations_after_load_model"] = int(model.optimizer.iterations.numpy())
        model.load_weights(d + "/variables/variables")
        opt = model.optimizer
        opt.build(model.trainable_variables)
        r["iterations"] = int(opt.iterations.numpy())
        r["learning_rate"] = float(opt.learning_rate.numpy())
        slots = [v.numpy() for v in opt.variables[1:]]
        r["slot_names"] = [v.name for v in opt.variables[1:]]
        r["slot_count"] = len(slots)
        r["slot_shapes_ok"] = len(slots) == len(expected) and all(a.shape == b.shape for a, b in zip(slots, expected))
        r["slots_equal"] = r["slot_shapes_ok"] and all(np.array_equal(a, b) for a, b in zip(slots, expected))

        model.fit(x, y, batch_size=case["batch"], epochs=1, shuffle=False, verbose=0)
        r["iterations_after_fit"] = int(model.optimizer.iterations.numpy())

        reference = tf_keras.models.load_model(d)
        ref_opt = reference.optimizer
        ref_opt.build(reference.trainable_variables)
        ref_opt.iterations.assign(case["iterations"])
        for var, value in zip(ref_opt.variables[1:], expected):
            var.assign(value)
        reference.fit(x, y, batch_size=case["batch"], epochs=1, shuffle=False, verbose=0)
        fresh = tf_keras.models.load_model(d)
        fresh.fit(x, y, batch_size=case["batch"], epochs=1, shuffle=False, verbose=0)
        r["fit_vs_reference"] = max_diff(weights_of(model), weights_of(reference))
        r["fresh_vs_reference"] = max_diff(weights_of(fresh), weights_of(reference))

        if i == 0:
            cli = subprocess.run([sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "show", "--all", "--dir", d], capture_output=True, text=True)
            r["saved_model_cli_ok"] = cli.returncode == 0 and "serving_default" in cli.stdout
    except Exception as e:  # reported per case
        r["error"] = f"{type(e).__name__}: {e}"
    results.append(r)

print(json.dumps(results))
