"""Writes sharded Keras 3 weights and a nested-model .weights.h5 for the reader tests.

argv[1]: output directory. Writes m.weights.json + shards (Sequential 20-30-5, max_shard_size ~2.5 KB)
and nested.weights.h5 (a Sequential inside a Functional). Prints JSON {file: {layer_path: [sha256 of each
variable, little-endian]}} for comparison.
"""
import hashlib, json, os, sys
import numpy as np
import keras

d = sys.argv[1]
keras.utils.set_random_seed(3)
def digest(model, prefix=""):
    out = {}
    for layer in model.layers:
        name = prefix + layer.name
        if isinstance(layer, keras.Model):
            out.update(digest(layer, name + "/"))
        elif layer.weights:
            out[name] = [hashlib.sha256(np.ascontiguousarray(np.asarray(w)).astype("<f4").tobytes()).hexdigest() for w in layer.weights]
    return out

m = keras.Sequential([keras.Input((20,)), keras.layers.Dense(30), keras.layers.Dense(5)])
m.save_weights(os.path.join(d, "m.weights.json"), max_shard_size=0.0000025)

inner = keras.Sequential([keras.Input((8,)), keras.layers.Dense(6, name="inner_dense"), keras.layers.Dense(4, name="inner_out")], name="block")
x = keras.Input((8,), name="x")
y = keras.layers.Dense(3, name="head")(inner(x))
nested = keras.Model(x, y, name="outer")
nested.save_weights(os.path.join(d, "nested.weights.h5"))
with open(os.path.join(d, "nested.config.json"), "w") as f:
    json.dump(keras.saving.serialize_keras_object(nested), f)
print(json.dumps({"m.weights.json": digest(m), "nested.weights.h5": digest(nested), "shards": sorted(p for p in os.listdir(d) if p.startswith("m_"))}))
