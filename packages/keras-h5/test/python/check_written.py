"""Interop checks for files written by @tfsave/keras-h5.

argv[1]: JSON file {"reference": <original .h5>, "dir": <dir with our outputs>, "hash": [files to hash]}.
Prints one JSON object: per-check {"ok": bool, "detail": str} plus per-file dataset sha256 listings.
"""
import hashlib, json, os, sys, traceback
import numpy as np
import h5py

spec = json.load(open(sys.argv[1]))
d = spec["dir"]
res = {}
def check(name, fn):
    try:
        detail = fn()
        res[name] = {"ok": True, "detail": str(detail)}
    except Exception as e:
        res[name] = {"ok": False, "detail": f"{type(e).__name__}: {e}\n{traceback.format_exc()[-800:]}"}

import tf_keras
ref_model = tf_keras.models.load_model(spec["reference"])
x = np.random.RandomState(0).rand(4, ref_model.input_shape[-1]).astype("float32")
ref = ref_model(x, training=False).numpy()

def close(y, what):
    err = float(np.max(np.abs(np.asarray(y) - ref)))
    if err > 1e-5: raise AssertionError(f"{what}: max abs diff {err}")
    return f"max abs diff {err}"

check("tf_keras.load_model(h5)", lambda: close(tf_keras.models.load_model(os.path.join(d, "model.h5"))(x, training=False), "h5"))
def tfk_weights():
    m = tf_keras.models.clone_model(ref_model)
    m.load_weights(os.path.join(d, "w.h5"))
    return close(m(x, training=False), "w.h5")
check("tf_keras.load_weights(w.h5)", tfk_weights)
def tfk_opt():
    m = tf_keras.models.load_model(os.path.join(d, "model.h5"))
    it = int(m.optimizer.iterations.numpy())
    it_ref = int(ref_model.optimizer.iterations.numpy())
    if it != it_ref or it == 0: raise AssertionError(f"optimizer iterations {it} != {it_ref}")
    return f"iterations {it}"
check("tf_keras optimizer state resumes", tfk_opt)

import keras
check("keras3.load_model(.keras)", lambda: close(keras.saving.load_model(os.path.join(d, "model.keras"))(x, training=False), "keras"))
check("keras3.load_model(h5)", lambda: close(keras.saving.load_model(os.path.join(d, "model.h5"), compile=False)(x, training=False), "keras3 h5"))
def k3_weights():
    m = keras.saving.load_model(os.path.join(d, "model.keras"))
    for w in m.weights: w.assign(np.zeros(w.shape, w.dtype))
    m.load_weights(os.path.join(d, "model.weights.h5"))
    return close(m(x, training=False), "weights.h5")
check("keras3.load_weights(.weights.h5)", k3_weights)

def attr_types():
    out = []
    with h5py.File(os.path.join(d, "model.h5"), "r") as f:
        def t(obj, a):
            ty = obj.attrs.get_id(a).get_type()
            if isinstance(ty, h5py.h5t.TypeStringID):
                return ("str", ty.is_variable_str(), ty.get_cset(), obj.attrs.get_id(a).shape)
            return (type(ty).__name__, ty.get_size(), obj.attrs.get_id(a).shape)
        want = {
            ("/", "keras_version"): ("str", True, 1, ()), ("/", "backend"): ("str", True, 1, ()),
            ("/", "model_config"): ("str", True, 0, ()), ("/", "training_config"): ("str", True, 0, ()),
            ("model_weights", "layer_names"): ("str", True, 0, (len(f["model_weights"].attrs["layer_names"]),)), ("model_weights", "backend"): ("str", True, 0, ()),
            ("model_weights", "keras_version"): ("str", True, 0, ()),
        }
        for (g, a), w in want.items():
            got = t(f[g], a)
            if got != w: raise AssertionError(f"{g}@{a}: {got} != {w}")
            out.append(a)
        got = t(f["model_weights"]["top_level_model_weights"], "weight_names")
        if got != ("TypeFloatID", 8, (0,)): raise AssertionError(f"empty weight_names {got}")
    return ",".join(out)
check("h5py attribute types match tf_keras", attr_types)

hashes = {}
for p in spec.get("hash", []):
    entries = {}
    with h5py.File(p, "r") as f:
        def v(n, o):
            if isinstance(o, h5py.Dataset):
                a = np.ascontiguousarray(o[()])
                entries["/" + n] = {"sha256": hashlib.sha256(a.astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest(), "shape": list(o.shape), "dtype": str(o.dtype)}
        f.visititems(v)
    hashes[p] = entries
print(json.dumps({"checks": res, "hashes": hashes}))
