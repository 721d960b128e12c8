"""Python's view of Keras fixture files, for comparison with @tfsave/keras-h5.

argv[1]: JSON list of file paths. Prints one JSON object keyed by path:
{"model_config": <parsed JSON or null>, "training_config": ..., "layer_names": [...], "optimizer_weight_names": [...]}.
Uses h5py and zipfile only (no TensorFlow), so it is fast.
"""
import io, json, sys, zipfile
import h5py

def s(v):
    return v.decode() if isinstance(v, bytes) else str(v)

def view_h5(f):
    out = {}
    for a in ("model_config", "training_config"):
        out[a] = json.loads(s(f.attrs[a])) if a in f.attrs else None
    g = f["model_weights"] if "model_weights" in f else f
    out["layer_names"] = [s(n) for n in g.attrs["layer_names"]] if "layer_names" in g.attrs else None
    o = f.get("optimizer_weights")
    out["optimizer_weight_names"] = [s(n) for n in o.attrs["weight_names"]] if o is not None else None
    vars_groups = []
    f.visit(lambda n: vars_groups.append(n) if n.endswith("/vars") or n == "vars" else None)
    out["vars_groups"] = sorted(vars_groups)
    return out

res = {}
for p in json.load(open(sys.argv[1])):
    if zipfile.is_zipfile(p):
        z = zipfile.ZipFile(p)
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            v = view_h5(f)
        v["model_config"] = json.loads(z.read("config.json"))
        v["metadata"] = json.loads(z.read("metadata.json"))
    else:
        with h5py.File(p, "r") as f:
            v = view_h5(f)
    res[p] = v
print(json.dumps(res))
