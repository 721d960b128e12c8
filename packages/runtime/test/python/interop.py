"""Interop checks for @tfsave/runtime, run by test/interop.test.ts (one TF import for all cases).

usage: interop.py <cases.json> <out.json>
cases.json = {"cases": [...], "export_dir": str|null}
case kinds:
  summary  {config}                          -> tf_keras builds the model from our config; returns its summary lines
  predict  {config, weights, x, x_shape, expected}
                                             -> tf_keras builds + sets our weights, predicts x, compares with ours
If export_dir is set, tf_keras models are trained briefly and written there as
<name>.config.json + <name>.weights.{json,bin} + <name>.x.bin + <name>.pred.bin for the runtime to load.
"""
import io
import json
import os
import sys
from contextlib import redirect_stdout

import numpy as np
import tf_keras as keras


def read_set(path_noext):
    with open(path_noext + ".json") as f:
        meta = json.load(f)
    raw = open(path_noext + ".bin", "rb").read()
    return [np.frombuffer(raw[t["offset"]:t["offset"] + t["length"]], dtype=np.dtype(t["dtype"]).newbyteorder("<"))
            .reshape(t["shape"]) for t in meta["tensors"]]


def write_set(path_noext, named):
    tensors, off, chunks = [], 0, []
    for name, a in named:
        b = np.ascontiguousarray(np.asarray(a, dtype=np.float32).reshape(np.shape(a))).tobytes()
        tensors.append({"name": name, "dtype": "float32", "shape": list(a.shape), "offset": off, "length": len(b)})
        chunks.append(b)
        off += len(b)
    with open(path_noext + ".json", "w") as f:
        json.dump({"tensors": tensors}, f)
    with open(path_noext + ".bin", "wb") as f:
        f.write(b"".join(chunks))


def load_config(path):
    keras.backend.clear_session()
    with open(path) as f:
        return keras.models.model_from_json(f.read())


def run_case(c):
    if c["kind"] == "summary":
        m = load_config(c["config"])
        buf = io.StringIO()
        with redirect_stdout(buf):
            m.summary()
        return {"lines": buf.getvalue().rstrip("\n").split("\n")}
    if c["kind"] == "predict":
        m = load_config(c["config"])
        w = read_set(c["weights"])
        m.set_weights(w)
        if "xs" in c:
            x = [np.fromfile(e["path"], dtype="<f4").reshape(e["shape"]) for e in c["xs"]]
        else:
            x = np.fromfile(c["x"], dtype="<f4").reshape(c["x_shape"])
        ours = np.fromfile(c["expected"], dtype="<f4")
        pred = m.predict(x, verbose=0)
        pred = pred if isinstance(pred, list) else [pred]
        theirs = np.concatenate([p.astype(np.float32).reshape(-1) for p in pred])
        diff = float(np.max(np.abs(theirs - ours))) if ours.size == theirs.size else float("inf")
        return {"max_abs_diff": diff, "size": int(theirs.size), "weights": [v.name for v in m.weights]}
    if c["kind"] == "train":
        m = load_config(c["config"])
        m.set_weights(read_set(c["weights"]))
        opt = keras.optimizers.deserialize(c["optimizer"])
        loss = keras.losses.deserialize(c["loss"])
        m.compile(optimizer=opt, loss=loss)
        x = np.fromfile(c["x"], dtype="<f4").reshape(c["x_shape"])
        y = np.fromfile(c["y"], dtype="<" + ("i4" if c["y_dtype"] == "int32" else "f4")).reshape(c["y_shape"])
        h = m.fit(x, y, batch_size=c["batch_size"], epochs=1, shuffle=False, verbose=0)
        named = [(w.name[:-2] if w.name.endswith(":0") else w.name, w.numpy()) for w in m.weights]
        named += [(v.name[:-2] if v.name.endswith(":0") else v.name, np.asarray(v.numpy(), dtype=np.float32))
                  for v in m.optimizer.variables]
        write_set(c["out"], named)
        return {"loss": float(h.history["loss"][0]), "iterations": int(m.optimizer.iterations.numpy())}
    raise ValueError("unknown case kind " + c["kind"])


def export(d):
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(7)
    keras.utils.set_random_seed(7)
    keras.backend.clear_session()
    models = {}
    models["tutorial"] = keras.Sequential([keras.layers.Dense(64, activation="relu", input_shape=(784,)),
                                           keras.layers.Dropout(0.2), keras.layers.Dense(10)])
    models["cnn"] = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Reshape((28, 28, 1)),
                                      keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.MaxPooling2D(2),
                                      keras.layers.BatchNormalization(), keras.layers.Flatten(), keras.layers.Dense(10)])
    a = keras.Input(shape=(784,), name="pixels")
    b = keras.Input(shape=(3,), name="extra")
    j = keras.layers.Concatenate()([keras.layers.Dense(8, activation="relu")(a), keras.layers.Dense(4)(b)])
    j = keras.layers.Add()([keras.layers.Dense(5)(j), keras.layers.Dense(5)(j)])
    models["two_inputs"] = keras.Model([a, b], keras.layers.Dense(3)(j))
    inp = keras.Input(shape=(784,))
    h = keras.layers.Dense(16, activation="tanh")(inp)
    h = keras.layers.LayerNormalization()(h)
    h = keras.layers.Activation("gelu")(h)
    out = keras.layers.Dense(3, activation="softmax")(h)
    models["functional"] = keras.Model(inp, out)
    x = rng.random((64, 784), dtype=np.float32)
    x2 = rng.random((64, 3), dtype=np.float32)
    for name, m in models.items():
        m.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=name != "functional"))
        xin = [x, x2] if name == "two_inputs" else x
        m.fit(xin, rng.integers(0, 3, 64), epochs=2, batch_size=16, verbose=0)
        with open(os.path.join(d, name + ".config.json"), "w") as f:
            f.write(m.to_json())
        write_set(os.path.join(d, name + ".weights"), [(w.name, w.numpy()) for w in m.weights])
        x.astype("<f4").tofile(os.path.join(d, name + ".x.bin"))
        x2.astype("<f4").tofile(os.path.join(d, name + ".x2.bin"))
        m.predict(xin, verbose=0).astype("<f4").tofile(os.path.join(d, name + ".pred.bin"))


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    results = []
    for c in spec.get("cases", []):
        try:
            results.append({"id": c["id"], "ok": True, **run_case(c)})
        except Exception as e:  # reported per case; the TS test fails on it
            results.append({"id": c["id"], "ok": False, "error": f"{type(e).__name__}: {e}"})
    if spec.get("export_dir"):
        export(spec["export_dir"])
    with open(sys.argv[2], "w") as f:
        json.dump({"results": results, "tf_keras": keras.__version__}, f)


if __name__ == "__main__":
    main()
