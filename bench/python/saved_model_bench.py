"""Python side of the saved-model benchmark: open and list a SavedModel with TF on this machine.

argv: <saved model dir> <repeats>. Imports are excluded. Prints one JSON line of median seconds:
tf.saved_model.load(dir) then list its signatures (name, inputs, outputs) and variables;
tf_keras.models.load_model(dir) then list its layers and weights.
"""
import json
import statistics
import sys
import time

import tensorflow as tf
import tf_keras

d, repeats = sys.argv[1], int(sys.argv[2])


def median_time(fn):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def tf_load():
    m = tf.saved_model.load(d)
    listing = {k: (f.structured_input_signature, f.structured_outputs) for k, f in m.signatures.items()}
    names = [v.name for v in m.variables]
    return listing, names


def keras_load():
    k = tf_keras.models.load_model(d)
    return [l.name for l in k.layers], [w.name for w in k.weights]


print(json.dumps({"tf_saved_model_load_s": median_time(tf_load), "tf_keras_load_model_s": median_time(keras_load), "repeats": repeats}))
