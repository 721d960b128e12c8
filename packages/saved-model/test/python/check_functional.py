"""Interop check for functional (multi-input/multi-output) models written by @tfsave/saved-model.

Usage: check_functional.py cases.json
Each case: {"name", "dir", "model_config" (Keras Functional JSON), "weights": {layer: [[flat, shape], ...]},
"inputs": {key: {"x": flat, "shape": [batch, ...], "dtype"}}, "outputs": [output layer names]}.
Builds the reference with tf_keras Model.from_config + set_weights, then checks the SavedModel with
tf.saved_model.load (serving signature, keyword inputs, dict outputs), the TF1 Session loader, and
tf_keras load_model (predict). Prints one JSON line: per case the max |diff| of each path.
"""
import json
import sys

import numpy as np
import tensorflow as tf
import tf_keras

cases = json.load(open(sys.argv[1]))["cases"]
results = []
for case in cases:
    r = {"name": case["name"]}
    try:
        model = tf_keras.Model.from_config(case["model_config"]["config"])
        for name, ws in case["weights"].items():
            model.get_layer(name).set_weights([np.asarray(v, np.float32).reshape(s) for v, s in ws])
        xs = {k: np.asarray(v["x"]).astype(v["dtype"]).reshape(v["shape"]) for k, v in case["inputs"].items()}
        ordered = [xs[n] for n in model.input_names]
        ref = model(ordered, training=False)
        ref = [t.numpy() for t in (ref if isinstance(ref, (list, tuple)) else [ref])]
        ref_by_key = dict(zip(case["outputs"], ref))
        r["max_abs_ref"] = float(max(np.max(np.abs(a)) for a in ref))
        loaded = tf.saved_model.load(case["dir"])
        fn = loaded.signatures["serving_default"]
        r["input_keys"] = sorted(fn.structured_input_signature[1].keys())
        r["input_dtypes"] = {k: s.dtype.name for k, s in fn.structured_input_signature[1].items()}
        outs = fn(**{k: tf.constant(v) for k, v in xs.items()})
        r["output_keys"] = sorted(outs.keys())
        r["max_abs_diff"] = float(max(np.max(np.abs(outs[k].numpy() - ref_by_key[k])) for k in case["outputs"]))
        r["output_shapes"] = {k: list(outs[k].shape) for k in outs}
        with tf.compat.v1.Session(graph=tf.Graph()) as sess:
            mg = tf.compat.v1.saved_model.loader.load(sess, ["serve"], case["dir"])
            sig = mg.signature_def["serving_default"]
            feed = {sig.inputs[k].name: v for k, v in xs.items()}
            got = sess.run({k: sig.outputs[k].name for k in sig.outputs}, feed)
        r["tf1_max_abs_diff"] = float(max(np.max(np.abs(got[k] - ref_by_key[k])) for k in case["outputs"]))
        km = tf_keras.models.load_model(case["dir"])
        r["keras_class"] = type(km).__name__
        r["keras_inputs"] = list(km.input_names)
        r["keras_outputs"] = list(km.output_names)
        kp = km.predict([xs[n] for n in km.input_names], verbose=0)
        kp = kp if isinstance(kp, list) else [kp]
        r["keras_max_abs_diff"] = float(max(np.max(np.abs(a - ref_by_key[n])) for a, n in zip(kp, km.output_names)))
    except Exception as e:  # reported, the TS test fails on it
        r["error"] = f"{type(e).__name__}: {e}"
    results.append(r)
print(json.dumps(results))
