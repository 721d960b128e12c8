"""Builds check.py cases from fixtures/MANIFEST.json (used by selftest.sh).

python selftest_cases.py <fixtures_dir> <out_dir>
writes <out_dir>/good.json (every case must pass) and <out_dir>/bad.json (every case must fail),
and prints the number of cases in each.
"""
from __future__ import annotations

import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))

import numpy as np  # noqa: E402

import common  # noqa: E402


def write_meta(out, name, n_vars):
    """Writes a .meta of a graph with `n_vars` float variables and a Saver; returns its path."""
    import tensorflow as tf

    path = os.path.join(out, name)
    with tf.Graph().as_default():
        for i in range(n_vars):
            tf.compat.v1.get_variable(f"w{i}", [2, 3], initializer=tf.compat.v1.zeros_initializer())
        saver = tf.compat.v1.train.Saver()
        tf.compat.v1.train.export_meta_graph(filename=path, saver_def=saver.as_saver_def())
    return path


def main(fx, out):
    man = json.load(open(os.path.join(fx, "MANIFEST.json"), encoding="utf-8"))["cases"]
    _, _, x_test, y_test = common.mnist()
    xp = x_test[:8]
    inp = {"shape": [8, 784], "data": [float(v) for v in xp.reshape(-1)]}
    aux = np.zeros((8, 10), np.float32)
    aux[np.arange(8), y_test[:8]] = 0.5
    aux_inp = {"shape": [8, 10], "data": [float(v) for v in aux.reshape(-1)]}

    def tensors(case, key, drop_graph=True):
        ts = man[case]["tensors"][key]["tensors"]
        return [t for t in ts if not (drop_graph and t["name"] == "_CHECKPOINTABLE_OBJECT_GRAPH")]

    def expected(case, key):
        o = man[case]["outputs"]["models"][key]
        return {"shape": o["shape"], "data": o["data"]}

    def p(case, rel):
        return os.path.join(fx, case, rel)

    good = []
    for key in ("object/ckpt", "raw/bundle", "sharded/ckpt", "v1_sharded/model.ckpt", "v1_partitioned/model.ckpt"):
        good.append({"kind": "tensor-bundle", "path": p("dtypes", key), "tensors": tensors("dtypes", key)})
    good[2]["num_shards"] = 4
    good[3]["num_shards"] = 2
    # object graph included explicitly
    good.append({"kind": "tensor-bundle", "path": p("tutorial-tf-keras", "training_1/cp.ckpt"),
                 "tensors": tensors("tutorial-tf-keras", "training_1/cp.ckpt", drop_graph=False)})
    good.append({"kind": "latest-checkpoint", "path": p("tutorial-tf-keras", "training_2"),
                 "expected": "cp-0005.ckpt"})
    good.append({"kind": "h5", "path": p("tutorial-tf-keras", "my_model.h5"),
                 "datasets": tensors("tutorial-tf-keras", "my_model.h5"), "exact_keys": True,
                 "attrs": {"/": {"backend": "tensorflow"},
                           "/model_weights/dense": {"weight_names": ["dense/kernel:0", "dense/bias:0"]}}})
    good.append({"kind": "h5", "path": p("keras3", "m.weights.h5"), "datasets": tensors("keras3", "m.weights.h5")})
    good.append({"kind": "keras-model", "path": p("tutorial-tf-keras", "my_model.h5"), "loader": "tf_keras",
                 "input": inp, "expected": expected("tutorial-tf-keras", "my_model.h5"), "atol": 1e-5})
    good.append({"kind": "keras-model", "path": p("tutorial-tf-keras", "saved_model/my_model"), "loader": "tf_keras",
                 "input": inp, "expected": expected("tutorial-tf-keras", "saved_model/my_model"), "atol": 1e-5})
    good.append({"kind": "keras-model", "path": p("keras3", "m.keras"), "loader": "keras3", "compile": False,
                 "input": inp, "expected": expected("keras3", "m.keras"), "atol": 1e-5})
    good.append({"kind": "keras-model", "path": p("custom", "k3_custom_model.keras"), "loader": "keras3",
                 "input": inp, "expected": expected("custom", "k3_custom_model.keras"), "atol": 1e-5})
    good.append({"kind": "keras-model", "path": p("custom", "tfk_custom_layer.h5"), "loader": "tf_keras",
                 "input": inp, "expected": expected("custom", "tfk_custom_layer.h5"), "atol": 1e-5})
    good.append({"kind": "keras-model", "path": p("custom", "k3_two_inputs.keras"), "loader": "keras3",
                 "input": [inp, aux_inp], "expected": expected("custom", "k3_two_inputs.keras"), "atol": 1e-5})
    good.append({"kind": "keras-weights", "path": p("tutorial-tf-keras", "w.h5"), "loader": "tf_keras",
                 "model_config_json": "tutorial", "input": inp,
                 "expected": expected("tutorial-tf-keras", "w.h5"), "atol": 1e-5})
    good.append({"kind": "keras-weights", "path": p("tutorial-tf-keras", "training_2/cp-0005.ckpt"),
                 "loader": "tf_keras", "model_config_json": "tutorial", "input": inp,
                 "expected": expected("tutorial-tf-keras", "training_2/cp-0005.ckpt"), "atol": 1e-5})
    import zipfile
    with zipfile.ZipFile(p("keras3", "m.keras")) as z:  # the 32-unit tutorial architecture
        small_json = z.read("config.json").decode("utf-8")
    good.append({"kind": "keras-weights", "path": p("keras3", "m.weights.h5"), "loader": "keras3",
                 "model_config_json": small_json, "input": inp,
                 "expected": expected("keras3", "m.weights.h5"), "atol": 1e-5})
    with zipfile.ZipFile(p("custom", "k3_cnn.keras")) as z:
        cnn_json = z.read("config.json").decode("utf-8")
    good.append({"kind": "keras-weights", "path": p("custom", "k3_cnn.weights.h5"), "loader": "keras3",
                 "model_config_json": cnn_json, "input": inp,
                 "expected": expected("custom", "k3_cnn.weights.h5"), "atol": 1e-5})
    # A TF1 MetaGraphDef (.meta) as tf.compat.v1.train.Saver writes it, and one of another graph.
    metas = [write_meta(out, "a.meta", 1), write_meta(out, "b.meta", 2)]
    good.append({"kind": "meta-graph", "path": metas[0], "original": metas[0], "node_count": 18,
                 "collection_keys": ["variables", "trainable_variables"], "saver_filename_tensor": "save/Const:0"})
    good.append({"kind": "proto-equal", "message": "FingerprintDef", "path": p("tutorial-tf-keras", "saved_model/my_model/fingerprint.pb"),
                 "original": p("tutorial-tf-keras", "saved_model/my_model/fingerprint.pb"), "fields": {"version": {"producer": 4}}})
    good.append({"kind": "proto-equal", "message": "SavedMetadata", "path": p("tutorial-tf-keras", "saved_model/my_model/keras_metadata.pb"),
                 "original": p("tutorial-tf-keras", "saved_model/my_model/keras_metadata.pb"),
                 "fields": {"nodes": [{"node_path": "root", "identifier": "_tf_keras_sequential"}] + [{}] * 5}})
    # A .keras zip opened by zipfile + h5py, and a SavedModel served by tf.saved_model.load.
    zip_datasets = [dict(t, name=t["name"].split(":", 1)[1]) for t in tensors("keras3", "m.keras")]
    good.append({"kind": "keras-zip", "path": p("keras3", "m.keras"), "datasets": zip_datasets, "exact_keys": True})
    good.append({"kind": "saved-model-load", "path": p("keras3", "export_savedmodel"), "signatures": ["serve", "serving_default"],
                 "input": inp, "expected": expected("keras3", "export_savedmodel"), "atol": 1e-5})
    npy = os.path.join(out, "a.npy")
    arr = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.save(npy, arr)
    good.append({"kind": "npy", "path": "a.npy", "dtype": "float32", "shape": [3, 4],
                 "sha256": common.tensor_sha256(arr)})

    bad = []

    def corrupt(i, f):
        c = copy.deepcopy(good[i])
        f(c)
        bad.append(c)

    def flip_sha(c, key="tensors"):
        t = c[key][len(c[key]) // 2]
        t["sha256"] = ("0" if t["sha256"][0] != "0" else "1") + t["sha256"][1:]

    corrupt(0, flip_sha)                                             # one tensor's sha256
    corrupt(1, lambda c: c["tensors"][3].__setitem__("shape", [99]))   # shape
    corrupt(1, lambda c: c["tensors"][4].__setitem__("dtype", "int8"))  # dtype
    corrupt(2, lambda c: c["tensors"].pop())                           # unexpected extra key in the bundle
    corrupt(2, lambda c: c.__setitem__("num_shards", 1))               # shard count
    corrupt(3, lambda c: c["tensors"].append({"name": "nope", "dtype": "float32", "shape": [1]}))  # missing key
    corrupt(6, lambda c: c.__setitem__("expected", "cp-0000.ckpt"))    # latest checkpoint
    corrupt(7, lambda c: flip_sha(c, "datasets"))                      # h5 dataset
    corrupt(7, lambda c: c["attrs"]["/"].__setitem__("backend", "jax"))  # h5 attribute
    corrupt(9, lambda c: c["expected"]["data"].__setitem__(0, c["expected"]["data"][0] + 0.01))  # model output
    corrupt(15, lambda c: c["expected"]["data"].__setitem__(5, c["expected"]["data"][5] - 1.0))  # weights output
    corrupt(len(good) - 1, lambda c: c.__setitem__("shape", [4, 3]))   # npy shape
    meta, fp, km = (next(i for i, c in enumerate(good) if c["kind"] == k and c.get("message") == m)
                    for k, m in (("meta-graph", None), ("proto-equal", "FingerprintDef"), ("proto-equal", "SavedMetadata")))
    corrupt(meta, lambda c: c.__setitem__("original", metas[1]))      # .meta of another graph
    corrupt(meta, lambda c: c.__setitem__("node_count", 19))           # .meta node count
    corrupt(fp, lambda c: c.__setitem__("original", p("keras3", "export_savedmodel/fingerprint.pb")))  # another fingerprint
    corrupt(km, lambda c: c["fields"]["nodes"][0].__setitem__("identifier", "_tf_keras_model"))  # keras metadata field
    kz, sm = (next(i for i, c in enumerate(good) if c["kind"] == k) for k in ("keras-zip", "saved-model-load"))
    corrupt(kz, lambda c: flip_sha(c, "datasets"))                     # .keras weight
    corrupt(kz, lambda c: c.__setitem__("members", ["config.json", "assets.json"]))  # .keras member
    corrupt(sm, lambda c: c["signatures"].append("predict"))           # SavedModel signature
    corrupt(sm, lambda c: c["expected"]["data"].__setitem__(3, c["expected"]["data"][3] + 0.01))  # served output
    bad.append({"kind": "no-such-kind", "path": "a.npy"})                # unknown kind
    bad.append({"kind": "h5", "path": "missing.h5", "datasets": []})   # missing file

    json.dump({"cases": good}, open(os.path.join(out, "good.json"), "w"), indent=1)
    json.dump({"cases": bad}, open(os.path.join(out, "bad.json"), "w"), indent=1)
    print(len(good), len(bad))


if __name__ == "__main__":
    main(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]))
