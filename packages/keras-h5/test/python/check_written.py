"""Interop checks for files written by @tfsave/keras-h5.

argv[1]: JSON spec {"dir": <dir with our outputs>, "tfk_ref": <tf_keras .h5>, "k3_ref": <Keras 3 .keras>,
"hash": [files to hash]}. Prints one JSON object: per-check {"ok": bool, "detail": str} plus per-file
dataset sha256 listings.
"""
import hashlib, json, os, sys, traceback
import numpy as np
import h5py

spec = json.load(open(sys.argv[1]))
d = spec["dir"]
res = {}
def check(name, fn):
    try:
        res[name] = {"ok": True, "detail": str(fn())}
    except Exception as e:
        res[name] = {"ok": False, "detail": f"{type(e).__name__}: {e}\n{traceback.format_exc()[-800:]}"}

def close(y, ref, what, tol=1e-5):
    err = float(np.max(np.abs(np.asarray(y) - np.asarray(ref))))
    if err > tol: raise AssertionError(f"{what}: max abs diff {err}")
    return f"max abs diff {err}"

def same_state(got, want, what):
    """got/want: lists of arrays in stored order (iteration first, learning_rate excluded)."""
    if len(got) != len(want): raise AssertionError(f"{what}: {len(got)} optimizer variables != {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        if g.shape != w.shape or not np.array_equal(g, w): raise AssertionError(f"{what}: variable {i} differs (shape {g.shape} vs {w.shape})")
    if int(got[0]) == 0: raise AssertionError(f"{what}: iteration is 0")
    return f"{len(got)} variables equal, iteration {int(got[0])}"

def k3_state(m):
    vs = [np.asarray(v) for v in m.optimizer.variables]
    names = [v.path for v in m.optimizer.variables]
    return [v for v, n in zip(vs, names) if not n.endswith("learning_rate")], names

import tf_keras
tfk_ref = tf_keras.models.load_model(spec["tfk_ref"])
x = np.random.RandomState(0).rand(4, tfk_ref.input_shape[-1]).astype("float32")
ref = tfk_ref(x, training=False).numpy()
tfk_state = [np.asarray(v) for v in tfk_ref.optimizer.variables()]

def tfk_h5():
    m = tf_keras.models.load_model(os.path.join(d, "model.h5"))
    if type(m.loss).__name__ != "SparseCategoricalCrossentropy": raise AssertionError(f"loss {m.loss}")
    return close(m(x, training=False), ref, "h5") + "; " + same_state([np.asarray(v) for v in m.optimizer.variables()], tfk_state, "optimizer")
check("tf_keras.load_model(h5) compiled, same predictions and optimizer state", tfk_h5)
def tfk_weights():
    m = tf_keras.models.clone_model(tfk_ref)
    m.load_weights(os.path.join(d, "w.h5"))
    return close(m(x, training=False), ref, "w.h5")
check("tf_keras.load_weights(w.h5)", tfk_weights)

import keras
k3_ref = keras.saving.load_model(spec["k3_ref"])
x3 = np.random.RandomState(1).rand(4, k3_ref.input_shape[-1]).astype("float32")
ref3 = np.asarray(k3_ref(x3, training=False))
k3_ref_state, _ = k3_state(k3_ref)

def k3_keras():
    m = keras.saving.load_model(os.path.join(d, "model.keras"))
    if m.compiled_loss is None and getattr(m, "loss", None) is None: raise AssertionError("not compiled")
    st, names = k3_state(m)
    lr = [float(np.asarray(v)) for v in m.optimizer.variables if v.path.endswith("learning_rate")]
    if lr != [np.float32(0.001)]: raise AssertionError(f"learning_rate variables {lr}")
    return close(m(x, training=False), ref, "keras") + "; " + same_state(st, tfk_state, "optimizer from tf_keras h5")
check("keras3.load_model(.keras from tf_keras h5) compiled, same predictions and optimizer state", k3_keras)
def k3_h5():
    # Keras 3 does not restore optimizer state from a legacy .h5 (its own files included: set_weights
    # fails on a partly built optimizer), so the stored state is checked with h5py in Keras 3 order.
    p = os.path.join(d, "model_k3.h5")
    m = keras.saving.load_model(p)
    if type(getattr(m, "loss", None)).__name__ != "SparseCategoricalCrossentropy": raise AssertionError(f"loss {getattr(m, 'loss', None)}")
    with h5py.File(p, "r") as f:
        g = f["optimizer_weights"]
        stored = [np.asarray(g[n.decode() if isinstance(n, bytes) else n]) for n in g.attrs["weight_names"]]
    if float(stored[1]) != np.float32(0.001): raise AssertionError(f"learning_rate {stored[1]}")
    return close(m(x, training=False), ref, "keras3 h5") + "; " + same_state([stored[0]] + stored[2:], tfk_state, "stored optimizer_weights")
check("keras3.load_model(h5, keras3 dialect) compiled, same predictions; optimizer_weights in Keras 3 order", k3_h5)
def k3_weights():
    m = keras.saving.load_model(os.path.join(d, "model.keras"))
    for w in m.weights: w.assign(np.zeros(w.shape, w.dtype))
    m.load_weights(os.path.join(d, "model.weights.h5"))
    return close(m(x, training=False), ref, "weights.h5")
check("keras3.load_weights(.weights.h5)", k3_weights)

def k3_to_tfk():
    m = tf_keras.models.load_model(os.path.join(d, "k3_to_tfk.h5"))
    if type(m.loss).__name__ != "SparseCategoricalCrossentropy": raise AssertionError(f"loss {m.loss}")
    return close(m(x3, training=False), ref3, "k3->tfk") + "; " + same_state([np.asarray(v) for v in m.optimizer.variables()], k3_ref_state, "optimizer from Keras 3")
check("tf_keras.load_model(h5 converted from Keras 3 .keras) compiled, same predictions and optimizer state", k3_to_tfk)
def k3_roundtrip():
    m = keras.saving.load_model(os.path.join(d, "k3_copy.keras"))
    return close(m(x3, training=False), ref3, "k3 copy") + "; " + same_state(k3_state(m)[0], k3_ref_state, "optimizer")
check("keras3.load_model(.keras rewritten from .keras)", k3_roundtrip)

def attr_types():
    out = []
    with h5py.File(os.path.join(d, "model.h5"), "r") as f, h5py.File(spec["tfk_ref"], "r") as g:
        def t(obj, a):
            ty = obj.attrs.get_id(a).get_type()
            if isinstance(ty, h5py.h5t.TypeStringID):
                return ("str", ty.is_variable_str(), ty.get_cset(), obj.attrs.get_id(a).shape)
            return (type(ty).__name__, ty.get_size(), obj.attrs.get_id(a).shape)
        for path in ["/", "model_weights", "model_weights/dense", "model_weights/dropout", "model_weights/top_level_model_weights", "optimizer_weights"]:
            for a in g[path].attrs:
                if t(f[path], a) != t(g[path], a): raise AssertionError(f"{path}@{a}: ours {t(f[path], a)} != tf_keras {t(g[path], a)}")
                out.append(f"{path}@{a}")
    return ",".join(out)
check("h5py attribute types equal tf_keras's on every attribute", attr_types)

def shape_of(layer, keras3):
    s = layer.output.shape if keras3 else layer.output_shape
    if isinstance(s, list) and len(s) == 1: s = s[0]
    return [None if v is None else int(v) for v in s]
summaries = {}
for item in spec.get("summaries", []):
    def summ(item=item):
        k3 = item["loader"] == "keras3"
        m = keras.saving.load_model(item["file"], compile=False) if k3 else tf_keras.models.load_model(item["file"], compile=False)
        summaries[item["file"]] = [[l.name, type(l).__name__, shape_of(l, k3), int(l.count_params())] for l in m.layers]
        return len(m.layers)
    check(f"summary of {os.path.basename(item['file'])}", summ)

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
print(json.dumps({"checks": res, "hashes": hashes, "summaries": summaries}))
