"""Checks tfsave CLI outputs against TensorFlow / numpy / Keras.

Usage: check_cli.py CASES.json
Each case is {"kind": ..., "id": ...}; prints one JSON line per case
{"id", "ok", "detail"} and exits 0 only when every case passed.

Kinds:
  bundle-json   {prefix, json}: the `inspect --json` document matches what
                tf.train.load_checkpoint reads (names, dtypes, shapes, sha256).
  npy           {npy, prefix, name}: np.load(npy) equals the checkpoint tensor.
  npy-h5        {npy, h5, dataset}: np.load(npy) equals the HDF5 dataset (h5py).
  h5-json       {h5, json}: `inspect --json` of an HDF5 file matches h5py.
"""
import hashlib
import json
import struct
import sys


def tensor_sha256(arr):
    import numpy as np
    if isinstance(arr, bytes):
        return hashlib.sha256(struct.pack("<Q", len(arr)) + arr).hexdigest()
    if arr.dtype.kind in ("O", "S", "U"):
        h = hashlib.sha256()
        for el in arr.reshape(-1):
            b = el if isinstance(el, bytes) else str(el).encode()
            h.update(struct.pack("<Q", len(b)))
            h.update(b)
        return h.hexdigest()
    return hashlib.sha256(np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()).hexdigest()


def check_bundle_json(case):
    import tensorflow as tf
    doc = json.load(open(case["json"]))
    reader = tf.train.load_checkpoint(case["prefix"])
    dtypes = reader.get_variable_to_dtype_map()
    shapes = reader.get_variable_to_shape_map()
    if doc.get("format") != case.get("format", "tensor-bundle"):
        return False, f"format {doc.get('format')}"
    names = [e["name"] for e in doc["entries"]]
    if sorted(names) != sorted(shapes.keys()):
        return False, f"names differ: {sorted(set(names) ^ set(shapes.keys()))}"
    for e in doc["entries"]:
        n = e["name"]
        if e["dtype"] != dtypes[n].name:
            return False, f"{n}: dtype {e['dtype']} != {dtypes[n].name}"
        if list(e["shape"]) != list(shapes[n]):
            return False, f"{n}: shape {e['shape']} != {shapes[n]}"
        value = reader.get_tensor(n)
        import numpy as np
        arr = value if isinstance(value, bytes) else np.asarray(value)
        if dtypes[n].name == "bfloat16":
            arr = arr.view(np.uint16)
        if e["sha256"] != tensor_sha256(arr):
            return False, f"{n}: sha256 differs"
    return True, f"{len(names)} entries match"


def check_npy(case):
    import numpy as np
    import tensorflow as tf
    got = np.load(case["npy"])
    want = np.asarray(tf.train.load_checkpoint(case["prefix"]).get_tensor(case["name"]))
    if got.shape != want.shape or got.dtype != want.dtype:
        return False, f"npy {got.dtype}{got.shape} != {want.dtype}{want.shape}"
    return bool(np.array_equal(got, want)), f"{got.dtype}{got.shape}"


def h5_datasets(path, member=None):
    import io
    import zipfile
    import h5py
    out = {}
    src = io.BytesIO(zipfile.ZipFile(path).read(member)) if member else path
    prefix = f"{member}:" if member else ""
    with h5py.File(src, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out[prefix + "/" + name] = obj[()]
        f.visititems(visit)
    return out


def check_npy_h5(case):
    import numpy as np
    got = np.load(case["npy"])
    want = np.asarray(h5_datasets(case["h5"])[case["dataset"]])
    if got.shape != want.shape or got.dtype != want.dtype:
        return False, f"npy {got.dtype}{got.shape} != {want.dtype}{want.shape}"
    return bool(np.array_equal(got, want)), f"{got.dtype}{got.shape}"


def check_h5_json(case):
    import numpy as np
    doc = json.load(open(case["json"]))
    ds = h5_datasets(case["h5"], case.get("member"))
    names = {e["name"]: e for e in doc["entries"]}
    if doc.get("format") != ("keras-zip" if case.get("member") else "hdf5"):
        return False, f"format {doc.get('format')}"
    if sorted(names) != sorted(ds):
        return False, f"names differ: {sorted(set(names) ^ set(ds))}"
    for n, v in ds.items():
        arr = np.asarray(v)
        e = names[n]
        if list(e["shape"]) != list(arr.shape):
            return False, f"{n}: shape {e['shape']} != {arr.shape}"
        if e["sha256"] != tensor_sha256(arr):
            return False, f"{n}: sha256 differs"
    return True, f"{len(ds)} datasets match"


CHECKS = {"bundle-json": check_bundle_json, "npy": check_npy, "npy-h5": check_npy_h5, "h5-json": check_h5_json}


def main():
    cases = json.load(open(sys.argv[1]))["cases"]
    failed = 0
    for case in cases:
        try:
            ok, detail = CHECKS[case["kind"]](case)
        except Exception as e:  # report, never skip
            ok, detail = False, f"{type(e).__name__}: {e}"
        failed += 0 if ok else 1
        print(json.dumps({"id": case["id"], "ok": ok, "detail": detail}), flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
