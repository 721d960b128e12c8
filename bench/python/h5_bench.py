"""Python side of the keras-h5 benchmark: h5py, tf_keras and Keras 3 on the same files and sizes.

argv: <dir> <layers> <units> <input 784-model .h5> <repeats>. Prints one JSON line of median seconds:
h5py write/read of a `layers` x (units x units float32) weights file in the Keras 3 .weights.h5 layout,
Keras 3 save_weights/load_weights of the same model, tf_keras save/load_model of the tutorial .h5,
Keras 3 save/load_model of the tutorial model as .keras.
"""
import json, os, statistics, sys, time
import numpy as np
import h5py

out, layers, units, tutorial, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])

def median_time(fn):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return statistics.median(ts)

rng = np.random.default_rng(0)
weights = [(rng.standard_normal((units, units), dtype=np.float32), np.zeros(units, np.float32)) for _ in range(layers)]
big = os.path.join(out, "py_big.weights.h5")

def h5py_write():
    with h5py.File(big, "w") as f:
        for i, (k, b) in enumerate(weights):
            g = f.create_group(f"layers/dense_{i}/vars" if i else "layers/dense/vars")
            g["0"] = k; g["1"] = b
def h5py_read():
    total = 0
    with h5py.File(big, "r") as f:
        def visit(n, o):
            nonlocal total
            if isinstance(o, h5py.Dataset): total += o[()].nbytes
        f.visititems(visit)  # a callback returning non-None stops the walk, so it returns None
    assert total >= layers * units * units * 4, total
res = {"h5py_write_s": median_time(h5py_write), "h5py_read_s": median_time(h5py_read)}

import keras
m = keras.Sequential([keras.Input((units,))] + [keras.layers.Dense(units) for _ in range(layers)])
for layer, (k, b) in zip(m.layers, weights): layer.set_weights([k, b])
kb = os.path.join(out, "keras_big.weights.h5")
res["keras3_save_weights_s"] = median_time(lambda: m.save_weights(kb))
res["keras3_load_weights_s"] = median_time(lambda: m.load_weights(kb))
res["big_bytes"] = os.path.getsize(kb)
del m

import tf_keras
t = tf_keras.models.load_model(tutorial)
th = os.path.join(out, "tfk_tutorial.h5")
res["tf_keras_save_h5_s"] = median_time(lambda: t.save(th))
res["tf_keras_load_h5_s"] = median_time(lambda: tf_keras.models.load_model(th))
k3 = keras.saving.load_model(os.path.join(os.path.dirname(tutorial), "..", "keras3", "m.keras"))
tk = os.path.join(out, "k3_tutorial.keras")
res["keras3_save_keras_s"] = median_time(lambda: k3.save(tk))
res["keras3_load_keras_s"] = median_time(lambda: keras.saving.load_model(tk))
print(json.dumps(res))
