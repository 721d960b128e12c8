#!/usr/bin/env python3
"""tfsave checker: verify artifacts written by TypeScript with the real Python TF / Keras / h5py.

Usage: tools/.venv/bin/python tools/check/check.py <cases.json> [more.json ...]

cases.json = {"cases": [ {"kind": ..., "path": ..., ...}, ... ]}; `path` is absolute or relative
to the directory of the json file. See tools/check/README.md for every kind.
Prints `ok <kind> <path>` / `FAIL <kind> <path>: <reason>` per case and a final
`check.py: N ok, M failed`; exit 1 if anything failed or there were zero cases.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES_TOOLS = os.path.join(HERE, "..", "fixtures")
sys.path.insert(0, os.path.abspath(FIXTURES_TOOLS))

import numpy as np  # noqa: E402

import common  # noqa: E402  (tools/fixtures/common.py: tensor hashing)
import tensors_io  # noqa: E402


class CheckError(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise CheckError(msg)


def resolve(base: str, p: str) -> str:
    return p if os.path.isabs(p) else os.path.normpath(os.path.join(base, p))


def compare_tensor(label, dtype, shape, array, exp, errors):
    """exp: {name, dtype?, shape?, sha256?, data?, atol?}"""
    if "dtype" in exp and exp["dtype"] != dtype:
        errors.append(f"{label}: dtype {dtype} != expected {exp['dtype']}")
    if "shape" in exp and list(exp["shape"]) != list(shape):
        errors.append(f"{label}: shape {list(shape)} != expected {list(exp['shape'])}")
    if "sha256" in exp:
        got = common.tensor_sha256(array)
        if got != exp["sha256"]:
            errors.append(f"{label}: sha256 {got[:16]}… != expected {exp['sha256'][:16]}…")
    if "data" in exp:
        want = np.asarray(exp["data"], dtype=np.float64).reshape(-1)
        got = np.asarray(array, dtype=np.float64).reshape(-1)
        atol = float(exp.get("atol", 0.0))
        if want.shape != got.shape:
            errors.append(f"{label}: {got.size} elements != expected {want.size}")
        elif not np.allclose(got, want, rtol=0, atol=atol, equal_nan=True):
            errors.append(f"{label}: values differ (max abs diff {np.nanmax(np.abs(got - want)):.3g} > atol {atol})")


def check_tensor_list(items, expected, exact_keys, label, ignore=()):
    """items: [(name, dtype, shape, array)] actually present; expected: [{name,...}]."""
    errors = []
    have = {n: (dt, sh, a) for n, dt, sh, a in items}
    want_names = [e["name"] for e in expected]
    missing = [n for n in want_names if n not in have]
    if missing:
        errors.append(f"missing {len(missing)} tensor(s): {missing[:5]}")
    if exact_keys:
        extra = sorted(set(have) - set(want_names) - set(ignore))
        if extra:
            errors.append(f"unexpected {len(extra)} tensor(s): {extra[:5]}")
    for e in expected:
        if e["name"] in have:
            dt, sh, a = have[e["name"]]
            compare_tensor(e["name"], dt, sh, a, e, errors)
    if errors:
        more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
        raise CheckError("; ".join(errors[:5]) + more)


# ----------------------------------------------------------------------------- kinds


def k_npy(case, path):
    need(os.path.isfile(path), "file not found")
    a = np.load(path, allow_pickle=False)
    errors = []
    dt = common.dtype_name(a)
    compare_tensor("array", dt, list(a.shape), a, case, errors)
    if case.get("fortran_order") is False and a.flags.f_contiguous and not a.flags.c_contiguous:
        errors.append("array is Fortran-ordered")
    if errors:
        raise CheckError("; ".join(errors))


def k_tensor_bundle(case, path):
    need(os.path.isfile(path + ".index"), f"{path}.index not found")
    items = tensors_io.read_bundle(path, include_object_graph=True)
    listed = {n for n, *_ in items}
    # tf.train.list_variables must agree with the reader
    import tensorflow as tf

    lv = {n: list(s) for n, s in tf.train.list_variables(path)}
    need(set(lv) == listed, "list_variables disagrees with load_checkpoint")
    expected = case.get("tensors", [])
    exact = case.get("exact_keys", True)
    check_tensor_list(items, expected, exact, path, ignore=("_CHECKPOINTABLE_OBJECT_GRAPH",))
    if "num_shards" in case:
        import glob

        n = len(glob.glob(glob.escape(path) + ".data-*-of-*"))
        need(n == case["num_shards"], f"{n} data files != expected {case['num_shards']}")


def k_latest_checkpoint(case, path):
    import tensorflow as tf

    got = tf.train.latest_checkpoint(path)
    exp = case["expected"]
    if exp is None:
        need(got is None, f"latest_checkpoint = {got!r}, expected None")
        return
    exp_abs = resolve(path, exp)
    need(got is not None, f"latest_checkpoint(...) = None, expected {exp!r}")
    need(os.path.normpath(got) == os.path.normpath(exp_abs) or got == exp,
         f"latest_checkpoint = {got!r}, expected {exp!r}")


def _attr_value(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.ndarray):
        return [_attr_value(x) for x in v.tolist()]
    if isinstance(v, (list, tuple)):
        return [_attr_value(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


def _attr_equal(got, want):
    if isinstance(want, (dict, list)) and isinstance(got, str):
        try:
            return json.loads(got) == want
        except ValueError:
            return False
    if isinstance(want, float) and isinstance(got, (int, float)):
        return abs(got - want) <= 1e-12 * max(1.0, abs(want))
    return got == want


def k_h5(case, path):
    import h5py

    need(os.path.isfile(path), "file not found")
    with h5py.File(path, "r") as f:
        items = tensors_io.read_h5_obj(f)
        datasets = case.get("datasets", [])
        norm = [dict(d, name=d["name"] if d["name"].startswith("/") else "/" + d["name"]) for d in datasets]
        check_tensor_list(items, norm, case.get("exact_keys", False), path)
        errors = []
        for obj_path, attrs in (case.get("attrs") or {}).items():
            if obj_path not in f and obj_path != "/":
                errors.append(f"{obj_path}: object missing")
                continue
            obj = f[obj_path]
            for an, av in attrs.items():
                if an not in obj.attrs:
                    errors.append(f"{obj_path}@{an}: attribute missing")
                    continue
                got = _attr_value(obj.attrs[an])
                if not _attr_equal(got, av):
                    errors.append(f"{obj_path}@{an}: {str(got)[:80]!r} != expected {str(av)[:80]!r}")
        if errors:
            raise CheckError("; ".join(errors[:5]))


def _keras(loader):
    if loader == "tf_keras":
        import tf_keras as keras
    elif loader == "keras3":
        import keras
    else:
        raise CheckError(f"unknown loader {loader!r} (tf_keras|keras3)")
    # register the fixture custom classes (tfsave>ScaledDense, tfsave>TinyResidual)
    import custom_objects

    custom_objects.get(loader)
    return keras


def _inputs(case):
    spec = case["input"]
    specs = spec if isinstance(spec, list) else [spec]
    arrs = [np.asarray(s["data"], dtype=s.get("dtype", "float32")).reshape(s["shape"]) for s in specs]
    return arrs if isinstance(spec, list) else arrs[0]


def _compare_prediction(model, case):
    y = model.predict(_inputs(case), verbose=0)
    if isinstance(y, (list, tuple)):
        y = y[0]
    exp = case["expected"]
    errors = []
    compare_tensor("output", common.dtype_name(y), list(y.shape), y,
                   {"shape": exp["shape"], "data": exp["data"], "atol": case.get("atol", 1e-5)}, errors)
    if errors:
        raise CheckError("; ".join(errors))


def k_keras_model(case, path):
    need(os.path.exists(path), "path not found")
    keras = _keras(case.get("loader", "keras3"))
    compile_ = bool(case.get("compile", True))
    if case.get("loader") == "tf_keras":
        model = keras.models.load_model(path, compile=compile_)
    else:
        model = keras.saving.load_model(path, compile=compile_)
    _compare_prediction(model, case)


def k_keras_weights(case, path):
    need(os.path.exists(path) or os.path.exists(path + ".index"), "path not found")
    loader = case.get("loader", "keras3")
    keras = _keras(loader)
    cfg = case["model_config_json"]
    if cfg == "tutorial":
        import models

        model = (models.create_model_tf_keras(keras) if loader == "tf_keras" else models.create_model_keras3(keras))
    elif cfg == "cnn":
        import models

        model = models.create_cnn(keras)
    else:
        model = keras.models.model_from_json(cfg if isinstance(cfg, str) else json.dumps(cfg))
    status = model.load_weights(path)
    if status is not None and hasattr(status, "expect_partial"):
        status.expect_partial()
    _compare_prediction(model, case)


def k_file_sha256(case, path):
    need(os.path.isfile(path), "file not found")
    got = hashlib.sha256(open(path, "rb").read()).hexdigest()
    need(got == case["sha256"], f"sha256 {got[:16]}… != expected {case['sha256'][:16]}…")


def k_keras_zip(case, path):
    """A .keras zip: Python's zipfile opens it, the named members exist, and
    h5py reads the datasets of model.weights.h5 (names without the member prefix)."""
    import io
    import zipfile

    import h5py

    need(os.path.isfile(path), "file not found")
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for m in case.get("members", ["metadata.json", "config.json", "model.weights.h5"]):
            need(m in names, f"member {m} missing (has {sorted(names)})")
        json.loads(z.read("config.json"))
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            items = tensors_io.read_h5_obj(f)
    datasets = case.get("datasets", [])
    norm = [dict(d, name=d["name"] if d["name"].startswith("/") else "/" + d["name"]) for d in datasets]
    check_tensor_list(items, norm, case.get("exact_keys", False), path)


def k_saved_model_load(case, path):
    """tf.saved_model.load opens the directory; the expected signatures exist; optionally
    `serving_default` (or case["signature"]) run on `input` matches `expected`."""
    import tensorflow as tf

    need(os.path.isfile(os.path.join(path, "saved_model.pb")), "saved_model.pb not found")
    if case.get("tf1"):
        # TF1 graphs (reference-typed variables, no object graph) load through a v1 session.
        with tf.Graph().as_default():
            with tf.compat.v1.Session() as sess:
                mg = tf.compat.v1.saved_model.loader.load(sess, case.get("tags") or ["serve"], path)
                sigs = sorted(mg.signature_def.keys())
                for s in case.get("signatures", []):
                    need(s in sigs, f"signature {s!r} missing (has {sigs})")
        return
    loaded = tf.saved_model.load(path, tags=case.get("tags"))
    sigs = sorted(getattr(loaded, "signatures", {}).keys())
    for s in case.get("signatures", []):
        need(s in sigs, f"signature {s!r} missing (has {sigs})")
    if "input" in case:
        fn = loaded.signatures[case.get("signature", "serving_default")]
        out = fn(tf.constant(_inputs(case)))
        y = next(iter(out.values())).numpy() if isinstance(out, dict) else out.numpy()
        exp = case["expected"]
        errors = []
        compare_tensor("output", common.dtype_name(y), list(y.shape), y,
                       {"shape": exp["shape"], "data": exp["data"], "atol": case.get("atol", 1e-5)}, errors)
        if errors:
            raise CheckError("; ".join(errors))


def _parse_proto(message, path):
    """Parses `path` as one of the protobuf messages TF writes, with TF's / tf_keras's own generated code."""
    if message == "MetaGraphDef":
        from tensorflow.core.protobuf import meta_graph_pb2 as mod
    elif message == "FingerprintDef":
        from tensorflow.core.protobuf import fingerprint_pb2 as mod
    elif message == "SavedMetadata":
        try:
            from tf_keras.protobuf import saved_metadata_pb2 as mod
        except ImportError:
            from tensorflow.python.keras.protobuf import saved_metadata_pb2 as mod
    else:
        raise CheckError(f"unknown message {message!r} (MetaGraphDef|FingerprintDef|SavedMetadata)")
    need(os.path.isfile(path), f"{path} not found")
    m = getattr(mod, message)()
    with open(path, "rb") as f:
        m.ParseFromString(f.read())
    return m


def _subset_errors(got, want, label, errors):
    """Every key of `want` (recursively; lists elementwise, same length) has the same value in `got`."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            errors.append(f"{label}: {str(got)[:60]!r} is not a message")
            return
        for k, v in want.items():
            _subset_errors(got.get(k), v, f"{label}.{k}", errors)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            errors.append(f"{label}: {len(got) if isinstance(got, list) else got!r} items != expected {len(want)}")
            return
        for i, (g, w) in enumerate(zip(got, want)):
            _subset_errors(g, w, f"{label}[{i}]", errors)
    elif got != want:
        errors.append(f"{label}: {str(got)[:60]!r} != expected {str(want)[:60]!r}")


def _message_dict(m):
    from google.protobuf.json_format import MessageToDict

    return MessageToDict(m, preserving_proto_field_name=True)


def k_proto_equal(case, path):
    """`path` parses as case["message"] with TF's protos, equals the message parsed from case["original"]
    (protobuf equality: every field, maps as maps), and has the fields given in case["fields"] (a subset of
    its JSON form: uint64 as decimal strings, default values absent)."""
    got = _parse_proto(case["message"], path)
    if "original" in case:
        want = _parse_proto(case["message"], case["original"])
        if got != want:
            a, b = _message_dict(got), _message_dict(want)
            diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            raise CheckError(f"{case['message']} differs from the original in {diff[:5]}")
    errors = []
    _subset_errors(_message_dict(got), case.get("fields", {}), case["message"], errors)
    if errors:
        raise CheckError("; ".join(errors[:5]))


def _import_meta_graph(path):
    """tf.compat.v1.train.import_meta_graph(path) into a fresh graph; returns what Python sees."""
    import re

    import tensorflow as tf
    from packaging.version import InvalidVersion

    g = tf.Graph()
    try:
        with g.as_default():
            saver = tf.compat.v1.train.import_meta_graph(path)
    except InvalidVersion:
        # TF 2.21 parses meta_info_def.tensorflow_version with packaging (meta_graph.py), which rejects
        # pre-PEP 440 versions such as "0.12.head" after the graph is imported; import again with the
        # numeric prefix ("0.12"), which gives the same answer to its only question (is it >= 1.9?).
        mg = _parse_proto("MetaGraphDef", path)
        mg.meta_info_def.tensorflow_version = re.match(r"\d+(\.\d+)*", mg.meta_info_def.tensorflow_version).group(0)
        g = tf.Graph()
        with g.as_default():
            saver = tf.compat.v1.train.import_meta_graph(mg)
    return {
        "nodes": len(g.as_graph_def().node),
        "collections": sorted(g.get_all_collection_keys()),
        "saver_def": None if saver is None else saver.saver_def.SerializeToString(deterministic=True),
    }


def k_meta_graph(case, path):
    """A TF1 MetaGraphDef (.meta): tf.compat.v1.train.import_meta_graph(path) in a fresh graph gives the
    node count, collection keys and SaverDef that importing case["original"] gives; the parsed proto has
    case["node_count"] nodes, case["collection_keys"] and a SaverDef with case["saver_filename_tensor"]."""
    got = _import_meta_graph(path)
    errors = []
    if "original" in case:
        want = _import_meta_graph(case["original"])
        for k in ("nodes", "collections", "saver_def"):
            if got[k] != want[k]:
                errors.append(f"imported {k}: {str(got[k])[:80]} != original's {str(want[k])[:80]}")
    mg = _parse_proto("MetaGraphDef", path)
    if "node_count" in case and len(mg.graph_def.node) != case["node_count"]:
        errors.append(f"graph_def has {len(mg.graph_def.node)} nodes != expected {case['node_count']}")
    if "collection_keys" in case and sorted(mg.collection_def) != sorted(case["collection_keys"]):
        errors.append(f"collection_def keys {sorted(mg.collection_def)} != expected {sorted(case['collection_keys'])}")
    if "saver_filename_tensor" in case and mg.saver_def.filename_tensor_name != case["saver_filename_tensor"]:
        errors.append(f"saver_def.filename_tensor_name {mg.saver_def.filename_tensor_name!r} != expected {case['saver_filename_tensor']!r}")
    if errors:
        raise CheckError("; ".join(errors[:5]))


KINDS = {
    "keras-zip": k_keras_zip,
    "saved-model-load": k_saved_model_load,
    "npy": k_npy,
    "tensor-bundle": k_tensor_bundle,
    "latest-checkpoint": k_latest_checkpoint,
    "h5": k_h5,
    "keras-model": k_keras_model,
    "keras-weights": k_keras_weights,
    "file-sha256": k_file_sha256,
    "proto-equal": k_proto_equal,
    "meta-graph": k_meta_graph,
}


def run_file(cases_json: str):
    with open(cases_json, encoding="utf-8") as f:
        doc = json.load(f)
    base = os.path.dirname(os.path.abspath(cases_json))
    cases = doc.get("cases") if isinstance(doc, dict) else None
    if not isinstance(cases, list):
        raise SystemExit(f"check.py: {cases_json}: expected {{\"cases\": [...]}}")
    results = []
    for case in cases:
        kind = case.get("kind")
        shown = case.get("path", "?")
        try:
            if kind not in KINDS:
                raise CheckError(f"unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})")
            need(isinstance(case.get("path"), str), "missing 'path'")
            KINDS[kind](case, resolve(base, case["path"]))
            print(f"ok {kind} {shown}", flush=True)
            results.append(True)
        except CheckError as e:
            print(f"FAIL {kind} {shown}: {e}", flush=True)
            results.append(False)
        except Exception as e:  # a crash in TF/h5py while reading is a failure of the artifact
            msg = f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}"
            print(f"FAIL {kind} {shown}: {msg}", flush=True)
            if os.environ.get("CHECK_VERBOSE"):
                traceback.print_exc()
            results.append(False)
    return results


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    results = []
    for p in argv[1:]:
        results += run_file(p)
    ok = sum(results)
    bad = len(results) - ok
    print(f"check.py: {ok} ok, {bad} failed")
    return 1 if bad or not results else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
