"""Interop check for @tfsave/saved-model's writer.

Usage: check_export.py cases.json
Each case: {"dir", "layers": [{class_name, config, weights: [[flat values], shape]...}], "input_shape", "x": flat inputs, "batch"}.
Rebuilds the same model in tf_keras (reference), then loads the TS-written SavedModel with
tf.saved_model.load and runs signatures['serving_default']; reports the loaded object's variables
(restored from variables/ when the writer stored weights as variables); prints one JSON line.
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
for case in cases:
    r = {"name": case["name"]}
    try:
        model = tf_keras.Sequential([tf_keras.Input(shape=case["input_shape"])])
        for layer in case["layers"]:
            cls = getattr(tf_keras.layers, layer["class_name"])
            lyr = cls.from_config(layer["config"])
            model.add(lyr)
            if layer["weights"]:
                lyr.set_weights([np.asarray(v, np.float32).reshape(s) for v, s in layer["weights"]])
        x = np.asarray(case["x"], np.float32).reshape([case["batch"]] + case["input_shape"])
        ref = model(x, training=False).numpy()
        loaded = tf.saved_model.load(case["dir"])
        fn = loaded.signatures["serving_default"]
        (in_key,) = list(fn.structured_input_signature[1].keys())
        outs = fn(**{in_key: tf.constant(x)})
        (out,) = list(outs.values())
        out = out.numpy()
        r["shape_ok"] = list(out.shape) == list(ref.shape)
        r["max_abs_diff"] = float(np.max(np.abs(out - ref))) if r["shape_ok"] else None
        r["max_abs_ref"] = float(np.max(np.abs(ref)))
        r["output_keys"] = sorted(outs.keys())
        r["input_key"] = in_key
        r["variables"] = sorted(v.name for v in getattr(loaded, "variables", []))
        r["trainable"] = len(getattr(loaded, "trainable_variables", []))
    except Exception as e:  # report, the TS test fails on it
        r["error"] = f"{type(e).__name__}: {e}"
    results.append(r)

if cases:
    cli = subprocess.run([sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "show", "--dir", cases[0]["dir"], "--all"],
                         capture_output=True, text=True)
    results.append({"name": "__saved_model_cli__", "returncode": cli.returncode, "stdout": cli.stdout, "stderr": cli.stderr[-2000:]})
print(json.dumps(results))
