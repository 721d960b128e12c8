"""Interop check for @tfsave/saved-model's fingerprint.pb.

Usage: check_fingerprint.py cases.json   ({"dirs": [...], "strings": [hex...]})
For each string prints tf.fingerprint's FarmHash Fingerprint64 (decimal); for each SavedModel directory prints what TensorFlow computes for it
(fingerprinting_pywrap.CreateFingerprintDef, the function tf.saved_model.save
uses to write fingerprint.pb) and what tf.saved_model.experimental.read_fingerprint
reads from its fingerprint.pb (null when it has none). One JSON line.
"""
import json
import sys

import tensorflow as tf
from tensorflow.core.protobuf import fingerprint_pb2
from tensorflow.python.saved_model.pywrap_saved_model import fingerprinting as fingerprinting_pywrap

FIELDS = ["saved_model_checksum", "graph_def_program_hash", "signature_def_hash", "saved_object_graph_hash", "checkpoint_hash"]
cases = json.load(open(sys.argv[1]))
strings = [bytes.fromhex(h) for h in cases["strings"]]
fps = tf.fingerprint(tf.constant(strings, dtype=tf.string)).numpy() if strings else []
out = {"strings": [str(int.from_bytes(bytes(row.tolist()), "little")) for row in fps], "dirs": {}}
for d in cases["dirs"]:
    r = {}
    try:
        fp = fingerprint_pb2.FingerprintDef.FromString(fingerprinting_pywrap.CreateFingerprintDef(d))
        r["computed"] = {f: str(getattr(fp, f)) for f in FIELDS}
        r["computed"]["producer"] = fp.version.producer
        try:
            read = tf.saved_model.experimental.read_fingerprint(d)
            r["read"] = {f: str(getattr(read, f)) for f in FIELDS}
            r["read"]["singleprint"] = read.singleprint()
        except Exception:  # no fingerprint.pb
            r["read"] = None
    except Exception as e:
        r["error"] = f"{type(e).__name__}: {e}"
    out["dirs"][d] = r
print(json.dumps(out))
