"""Facts about standalone TF protobuf files, computed by TensorFlow's own protos.

Usage: proto_facts.py CASES.json
Each case is {"kind", "id", "path"} (plus "npy" for kind "npy"); prints one JSON
line per case: {"id", "facts"} or {"id", "error"}.

Kinds:
  meta            a MetaGraphDef (`*.meta`) parsed with meta_graph_pb2: versions, tags,
                  node count, ops, collections, saver_def, signature keys, variables,
                  Const tensors (tf.make_ndarray, contract sha256); "imported" is the
                  operation count after tf.compat.v1.train.import_meta_graph (or an error).
  keras-metadata  keras_metadata.pb parsed with tf_keras's saved_metadata_pb2.
  fingerprint     fingerprint.pb parsed with fingerprint_pb2.
  saved-model-pb  saved_model.pb parsed with saved_model_pb2.
  npy             the contract sha256, dtype and shape of np.load(npy).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_cli import tensor_sha256  # noqa: E402  (the contract's sha256, shared with the other CLI checks)


def shape_of(s):
    return None if s.unknown_rank else [d.size for d in s.dim]


def signatures(sigs):
    import tensorflow as tf
    def infos(m):
        return {k: {"name": v.name, "dtype": tf.as_dtype(v.dtype).name if v.dtype else None, "shape": shape_of(v.tensor_shape)} for k, v in m.items()}
    return {k: {"method_name": s.method_name, "inputs": infos(s.inputs), "outputs": infos(s.outputs)} for k, s in sigs.items()}


def meta_facts(path):
    import numpy as np
    import tensorflow as tf
    from tensorflow.core.protobuf import meta_graph_pb2, saver_pb2
    mg = meta_graph_pb2.MetaGraphDef()
    mg.ParseFromString(open(path, "rb").read())
    g = mg.graph_def
    ops = {n.op for n in g.node} | {n.op for f in g.library.function for n in f.node_def}
    collections = {}
    for k, c in mg.collection_def.items():
        kind = c.WhichOneof("kind")
        collections[k] = {"kind": kind, "size": len(getattr(c, kind).value)}
    saver = None
    if mg.HasField("saver_def"):
        s = mg.saver_def
        saver = {"filename_tensor_name": s.filename_tensor_name, "save_tensor_name": s.save_tensor_name, "restore_op_name": s.restore_op_name,
                 "max_to_keep": s.max_to_keep, "sharded": s.sharded, "keep_checkpoint_every_n_hours": s.keep_checkpoint_every_n_hours,
                 "version": saver_pb2.SaverDef.CheckpointFormatVersion.Name(s.version)}
    variables = [{"name": n.name, "op": n.op, "dtype": tf.as_dtype(n.attr["dtype"].type).base_dtype.name, "shape": shape_of(n.attr["shape"].shape)}
                 for n in g.node if n.op in ("Variable", "VariableV2", "VarHandleOp", "AutoReloadVariable")]
    consts = []
    for n in g.node:
        if n.op != "Const":
            continue
        t = n.attr["value"].tensor
        arr = np.asarray(tf.make_ndarray(t))
        if t.dtype == tf.bfloat16.as_datatype_enum:
            arr = arr.view(np.uint16)
        consts.append({"name": n.name, "dtype": tf.as_dtype(t.dtype).name, "shape": list(arr.shape), "sha256": tensor_sha256(arr)})
    try:
        graph = tf.Graph()
        with graph.as_default():
            tf.compat.v1.train.import_meta_graph(path, clear_devices=True)
        imported = len(graph.get_operations())
    except Exception as e:  # reported, and the test says which files must import
        imported = f"{type(e).__name__}: {e}".splitlines()[0]
    return {
        "tensorflow_version": mg.meta_info_def.tensorflow_version, "tensorflow_git_version": mg.meta_info_def.tensorflow_git_version,
        "tags": list(mg.meta_info_def.tags), "node_count": len(g.node), "function_count": len(g.library.function), "ops": sorted(o for o in ops if o),
        "collections": collections, "saver_def": saver, "signatures": signatures(mg.signature_def), "variables": variables, "consts": consts, "imported": imported,
    }


def keras_metadata_facts(path):
    from tf_keras.protobuf import saved_metadata_pb2
    md = saved_metadata_pb2.SavedMetadata()
    md.ParseFromString(open(path, "rb").read())
    nodes = []
    for n in md.nodes:
        meta = json.loads(n.metadata)
        nodes.append({"node_id": n.node_id, "node_path": n.node_path, "identifier": n.identifier, "class_name": meta.get("class_name"),
                      "name": meta.get("name"), "producer": n.version.producer})
    return {"nodes": nodes}


def fingerprint_facts(path):
    from tensorflow.core.protobuf import fingerprint_pb2
    f = fingerprint_pb2.FingerprintDef()
    f.ParseFromString(open(path, "rb").read())
    return {"saved_model_checksum": str(f.saved_model_checksum), "graph_def_program_hash": str(f.graph_def_program_hash),
            "signature_def_hash": str(f.signature_def_hash), "saved_object_graph_hash": str(f.saved_object_graph_hash),
            "checkpoint_hash": str(f.checkpoint_hash), "uuid": f.uuid,
            "version": {"producer": f.version.producer, "min_consumer": f.version.min_consumer, "bad_consumers": list(f.version.bad_consumers)}}


def saved_model_facts(path):
    from tensorflow.core.protobuf import saved_model_pb2
    sm = saved_model_pb2.SavedModel()
    sm.ParseFromString(open(path, "rb").read())
    mg = sm.meta_graphs[0]
    return {"meta_graphs": len(sm.meta_graphs), "tags": list(mg.meta_info_def.tags), "tensorflow_version": mg.meta_info_def.tensorflow_version,
            "node_count": len(mg.graph_def.node), "function_count": len(mg.graph_def.library.function), "signatures": signatures(mg.signature_def)}


def npy_facts(case):
    import numpy as np
    arr = np.load(case["npy"])
    return {"dtype": arr.dtype.name, "shape": list(arr.shape), "sha256": tensor_sha256(arr)}


KINDS = {"meta": lambda c: meta_facts(c["path"]), "keras-metadata": lambda c: keras_metadata_facts(c["path"]),
         "fingerprint": lambda c: fingerprint_facts(c["path"]), "saved-model-pb": lambda c: saved_model_facts(c["path"]), "npy": npy_facts}


def main():
    for case in json.load(open(sys.argv[1]))["cases"]:
        try:
            print(json.dumps({"id": case["id"], "facts": KINDS[case["kind"]](case)}), flush=True)
        except Exception as e:
            print(json.dumps({"id": case["id"], "error": f"{type(e).__name__}: {e}"}), flush=True)


if __name__ == "__main__":
    main()
