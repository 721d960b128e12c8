"""Interop check for @tfsave/saved-model's writer.

Usage: check_export.py cases.json
Each case: {"dir", "layers": [{class_name, config, weights: [[flat values], shape]...}], "input_shape", "x": flat inputs, "batch"}.
Rebuilds the same model in tf_keras (reference), then loads the TS-written SavedModel with
tf.saved_model.load and runs signatures['serving_default']; reports the loaded object's variables
(restored from variables/ when the writer stored weights as variables); with "keras": true also
loads it with tf_keras.models.load_model, predicts, and (given "training_config" and labels "y")
compares model.evaluate with the reference compiled from the same training config; with "evaluate_mnist"
also evaluates ours and the original SavedModel on the 1000 test examples of tools/fixtures/mnist_data.py. Every case is also
run through the TF1 Session loader (SaverDef restore, as TF Serving does). Prints one JSON line.
Runs `saved_model_cli show --all` on the first case.
"""
import json
import os
import subprocess
import sys

import numpy as np
import tensorflow as tf
import tf_keras
from tf_keras.src.saving.legacy import saving_utils

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "tools", "fixtures"))
import mnist_data  # noqa: E402  (the shared 1000/1000 MNIST split of every tfsave fixture)

cases = json.load(open(sys.argv[1]))["cases"]
results = []
for case in cases:
    r = {"name": case["name"]}
    try:
        in_dtype = case.get("input_dtype") or "float32"
        model = tf_keras.Sequential([tf_keras.Input(shape=case["input_shape"], dtype=in_dtype)])
        for layer in case["layers"]:
            cls = getattr(tf_keras.layers, layer["class_name"])
            lyr = cls.from_config(layer["config"])
            model.add(lyr)
            if layer["weights"]:
                lyr.set_weights([np.asarray(v, np.float32).reshape(s) for v, s in layer["weights"]])
        x = np.asarray(case["x"]).astype(in_dtype).reshape([case["batch"]] + case["input_shape"])
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
        r["input_dtype"] = fn.structured_input_signature[1][in_key].dtype.name
        r["variables"] = sorted(v.name for v in getattr(loaded, "variables", []))
        r["trainable"] = len(getattr(loaded, "trainable_variables", []))
        # The Session path of TF Serving / saved_model_cli run: SaverDef restore, then the signature tensors.
        with tf.compat.v1.Session(graph=tf.Graph()) as sess:
            mg = tf.compat.v1.saved_model.loader.load(sess, ["serve"], case["dir"])
            sig = mg.signature_def["serving_default"]
            (tin,) = list(sig.inputs.values())
            (tout,) = list(sig.outputs.values())
            t1 = sess.run(tout.name, {tin.name: x})
            if mg.HasField("saver_def"):
                # The SaverDef's save function writes a checkpoint TF can list.
                prefix = case["dir"] + "_tf1_save/ckpt"
                sess.run(mg.saver_def.save_tensor_name, {mg.saver_def.filename_tensor_name: prefix})
                r["tf1_saved_keys"] = sorted(name for name, _ in tf.train.list_variables(prefix))
        r["tf1_max_abs_diff"] = float(np.max(np.abs(t1 - ref)))
        if case.get("keras"):
            # tf_keras rebuilds the model from keras_metadata.pb and restores variables/.
            km = tf_keras.models.load_model(case["dir"])
            r["keras_class"] = type(km).__name__
            r["keras_name"] = km.name
            r["keras_layers"] = [l.__class__.__name__ for l in km.layers]
            kp = km.predict(x, verbose=0)
            r["keras_max_abs_diff"] = float(np.max(np.abs(kp - ref)))
            r["keras_optimizer"] = type(km.optimizer).__name__ if km.optimizer is not None else None
            if case.get("original"):
                orig = tf_keras.models.load_model(case["original"])
                r["original_max_abs_diff"] = float(np.max(np.abs(orig.predict(x, verbose=0) - kp)))
                if case.get("evaluate_mnist"):
                    # The tutorial's test split: our re-export against tf_keras's own SavedModel of the same model.
                    _, _, x_test, y_test = mnist_data.load_mnist()
                    r["mnist_test"] = {
                        "ours": km.evaluate(x_test, y_test, verbose=0, return_dict=True),
                        "ref": orig.evaluate(x_test, y_test, verbose=0, return_dict=True),
                        "count": int(len(y_test)),
                    }
            tc = case.get("training_config")
            if tc is not None:
                y = np.asarray(case["y"]).reshape([case["batch"]] + list(case.get("y_shape", [])))
                model.compile(**saving_utils.compile_args_from_training_config(tc))
                ours = km.evaluate(x, y, verbose=0, return_dict=True)
                theirs = model.evaluate(x, y, verbose=0, return_dict=True)
                r["evaluate"] = {"ours": ours, "ref": theirs}
    except Exception as e:  # report, the TS test fails on it
        r["error"] = f"{type(e).__name__}: {e}"
    results.append(r)

if cases:
    cli = subprocess.run([sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", "show", "--dir", cases[0]["dir"], "--all"],
                         capture_output=True, text=True)
    results.append({"name": "__saved_model_cli__", "returncode": cli.returncode, "stdout": cli.stdout, "stderr": cli.stderr[-2000:]})
print(json.dumps(results))
