"""Optimizer state across every persistence format, both ways (run once by test/optimizer-formats.test.ts).

usage: optimizer_formats.py <cases.json> <out.json>
cases.json: {variants: [{id, class_name, kwargs}], loads: [{id, variant, format, path, iterations, learning_rate,
slots: {kind: [values of the slot for trainable variable 0, 1, …]}}], slot_lists: {class_name: {kind: list attribute}},
write_dir}.

1. loads: opens each file the runtime wrote (format tf: tf_keras model.load_weights(prefix) into the same
   architecture compiled with the same optimizer; h5: tf_keras load_model; savedmodel: tf_keras load_model, then
   model.load_weights(dir + "/variables/variables"), as tf_keras never restores optimizer state from a SavedModel on
   its own; keras: Keras 3 load_model) and compares every optimizer variable with ours by identity: the slot of
   kind k for trainable variable i is found through the optimizer's own per-kind list (tf_keras `_momentums`, …)
   and its variable index, never by position in `optimizer.variables`.
2. writes: for each variant, trains a tf_keras model two steps and writes `.h5`, a TF checkpoint (save_weights)
   and a SavedModel from the same state, and a Keras 3 model two steps and writes `.keras` and a legacy `.h5`;
   reports the state of each by identity (iterations, slots per kind per trainable variable).
"""
import json
import os
import sys

import numpy as np
import tf_keras
import keras

cfg = json.load(open(sys.argv[1]))
variants = {v["id"]: v for v in cfg["variants"]}
slot_lists = cfg["slot_lists"]
rng = np.random.default_rng(3)
x = rng.standard_normal((16, 5)).astype(np.float32)
y = rng.integers(0, 3, 16).astype(np.int32)


def tfk_model(variant):
    m = tf_keras.Sequential([tf_keras.layers.Dense(4, input_shape=(5,)), tf_keras.layers.Dense(3)])
    opt = getattr(tf_keras.optimizers, variant["class_name"])(**variant["kwargs"])
    m.compile(optimizer=opt, loss=tf_keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return m


def k3_model(variant):
    m = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4), keras.layers.Dense(3)])
    opt = getattr(keras.optimizers, variant["class_name"])(**variant["kwargs"])
    m.compile(optimizer=opt, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return m


def state_by_identity(model, class_name, k3):
    """{iterations, learning_rate, slots: {kind: [flat values per trainable variable]}, unaccounted}."""
    opt = model.optimizer
    tv = model.trainable_variables
    slots = {}
    found = set()
    for kind, attr in slot_lists[class_name].items():
        lst = getattr(opt, attr, None)
        if not lst:
            continue
        per_var = []
        for v in tv:
            idx = opt._get_variable_index(v) if k3 else opt._index_dict[opt._var_key(v)]
            s = lst[idx]
            found.add(id(s))
            per_var.append([float(a) for a in np.asarray(s.numpy(), dtype=np.float32).reshape(-1)])
        slots[kind] = per_var
    scalars = {id(opt.iterations)} | ({id(opt._learning_rate)} if k3 else set())
    unaccounted = [v.path if k3 else v.name for v in opt.variables if id(v) not in found and id(v) not in scalars]
    out = {"iterations": int(opt.iterations.numpy()), "slots": slots, "unaccounted": unaccounted,
           "variable_count": len(opt.variables)}
    if k3:
        out["learning_rate"] = float(np.asarray(opt.learning_rate.numpy()))
    return out


def compare(load, got):
    r = {"iterations": got["iterations"], "unaccounted": got["unaccounted"], "variable_count": got["variable_count"],
         "kinds": sorted(got["slots"]), "compared": 0, "mismatches": []}
    if "learning_rate" in got:
        r["learning_rate"] = got["learning_rate"]
    for kind, per_var in load["slots"].items():
        theirs = got["slots"].get(kind)
        if theirs is None:
            r["mismatches"].append(f"{kind}: no such slot list")
            continue
        for i, ours in enumerate(per_var):
            a = np.asarray(ours, dtype=np.float32)
            b = np.asarray(theirs[i], dtype=np.float32)
            d = float(np.max(np.abs(a - b))) if a.size == b.size else float("inf")
            if d != 0:
                r["mismatches"].append(f"{kind}[{i}]: max |diff| {d}")
            r["compared"] += 1
    return r


loads = []
for c in cfg["loads"]:
    v = variants[c["variant"]]
    r = {"id": c["id"]}
    try:
        if c["format"] == "keras":
            m = keras.models.load_model(c["path"])
            got = state_by_identity(m, v["class_name"], True)
        else:
            if c["format"] == "tf":
                m = tfk_model(v)
                m.load_weights(c["path"])
            elif c["format"] == "savedmodel":
                m = tf_keras.models.load_model(c["path"])
                m.load_weights(os.path.join(c["path"], "variables", "variables"))
            else:
                m = tf_keras.models.load_model(c["path"])
            m.optimizer.build(m.trainable_variables)
            got = state_by_identity(m, v["class_name"], False)
        r.update(compare(c, got))
    except Exception as e:  # reported per case
        r["error"] = f"{type(e).__name__}: {e}"
    loads.append(r)

writes = []
d = cfg["write_dir"]
for vid, v in variants.items():
    for writer in ("tf_keras", "keras3"):
        r = {"variant": vid, "writer": writer}
        try:
            k3 = writer == "keras3"
            m = k3_model(v) if k3 else tfk_model(v)
            m.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
            base = os.path.join(d, f"{vid}-{writer}")
            if k3:
                m.save(base + ".keras")
                m.save(base + ".h5")
                r["files"] = {"keras": base + ".keras", "h5": base + ".h5"}
            else:
                m.save(base + ".h5")
                m.save_weights(base + "-ckpt")
                m.save(base + "-savedmodel")
                r["files"] = {"h5": base + ".h5", "tf": base + "-ckpt", "savedmodel": base + "-savedmodel"}
            r.update(state_by_identity(m, v["class_name"], k3))
        except Exception as e:  # reported per case
            r["error"] = f"{type(e).__name__}: {e}"
        writes.append(r)

json.dump({"loads": loads, "writes": writes}, open(sys.argv[2], "w"))
