"""Writes HDF5 files that reach outside themselves, for the refusal tests.

argv[1]: output directory. Writes secret.h5 (a plain file the others point at), and
external_link.h5, virtual.h5, external_storage.h5, soft_link_loop.h5 in Keras weights layouts;
prints a JSON list of the written names.
"""
import json, os, sys
import numpy as np
import h5py

d = sys.argv[1]
secret = os.path.join(d, "secret.h5")
with h5py.File(secret, "w") as f:
    f.create_dataset("data", data=np.arange(16, dtype="float32"))
raw = os.path.join(d, "secret.bin")
np.arange(16, dtype="<f4").tofile(raw)

def legacy_weights(path, fill):
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [b"dense"]
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.21.0"
        g = f.create_group("dense")
        g.attrs["weight_names"] = [b"dense/kernel:0"]
        fill(g.create_group("dense"))

legacy_weights(os.path.join(d, "external_link.h5"), lambda g: g.__setitem__("kernel:0", h5py.ExternalLink(secret, "/data")))

def vds(g):
    layout = h5py.VirtualLayout(shape=(16,), dtype="float32")
    layout[:] = h5py.VirtualSource(secret, "data", shape=(16,))
    g.create_virtual_dataset("kernel:0", layout)
legacy_weights(os.path.join(d, "virtual.h5"), vds)

legacy_weights(os.path.join(d, "external_storage.h5"), lambda g: g.create_dataset("kernel:0", shape=(16,), dtype="<f4", external=[(raw, 0, 64)]))
print(json.dumps(["external_link.h5", "virtual.h5", "external_storage.h5"]))
