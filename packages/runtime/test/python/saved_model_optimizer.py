"""Resumes training in tf_keras from SavedModels written by the runtime's saveModel (run by
test/saved-model-optimizer.test.ts).

usage: saved_model_optimizer.py <cases.json> <out.json>
Each case: {id, dir, x, x_shape, y (raw little-endian float32 / int32 files), batch, slots (the runtime's optimizer
slots in tf_keras order, concatenated float32), expected (the runtime's trainable weights after one more epoch of an
uninterrupted run, concatenated float32)}.
tf_keras.models.load_model(dir) compiles a fresh optimizer (as for tf_keras's own SavedModels); the optimizer state
is restored by model.load_weights(dir + "/variables/variables"). Reports iterations, the slot values against ours,
and the weights after one more epoch of fit (shuffle off) against the runtime's uninterrupted run.
"""
import json
import sys

import numpy as np
import tf_keras

cases = json.load(open(sys.argv[1]))["cases"]
results = []
for c in cases:
    r = {"id": c["id"]}
    try:
        x = np.fromfile(c["x"], dtype="<f4").reshape(c["x_shape"])
        y = np.fromfile(c["y"], dtype="<i4")
        ours_slots = np.fromfile(c["slots"], dtype="<f4")
        expected = np.fromfile(c["expected"], dtype="<f4")
        model = tf_keras.models.load_model(c["dir"])
        model.load_weights(c["dir"] + "/variables/variables")
        opt = model.optimizer
        opt.build(model.trainable_variables)
        r["optimizer"] = type(opt).__name__
        r["iterations"] = int(opt.iterations.numpy())
        slots = np.concatenate([v.numpy().reshape(-1) for v in opt.variables[1:]]) if len(opt.variables) > 1 else np.zeros(0, np.float32)
        r["slot_names"] = [v.name for v in opt.variables[1:]]
        r["slots_max_abs_diff"] = float(np.max(np.abs(slots - ours_slots))) if slots.size == ours_slots.size else None
        model.fit(x, y, batch_size=c["batch"], epochs=1, shuffle=False, verbose=0)
        r["iterations_after_fit"] = int(model.optimizer.iterations.numpy())
        weights = np.concatenate([v.numpy().reshape(-1) for v in model.trainable_variables])
        r["weights_max_abs_diff"] = float(np.max(np.abs(weights - expected))) if weights.size == expected.size else None
        r["weights_max_abs"] = float(np.max(np.abs(expected)))
    except Exception as e:  # reported per case
        r["error"] = f"{type(e).__name__}: {e}"
    results.append(r)
json.dump({"results": results}, open(sys.argv[2], "w"))
