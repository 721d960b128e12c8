"""Keras references for `tfsave inspect` / `diff` tests, in one Python run (one TensorFlow import).

Usage: keras_reference.py CASES.json — CASES is
  {"summaries": [{"id", "path", "loader": "tf_keras" | "keras3"}], "checkpoints": {"out": DIR, "models": [MODEL.keras]}}.
Prints one JSON line per summary: {"kind": "summary", "id", "ok", "rows": [[name, class, output_shape, params]],
"total", "text"} — rows parsed from what model.summary() prints (tf_keras's plain table or Keras 3's box table);
then one line per model: {"kind": "checkpoint", "model", "prefix", "weights", "optimizer_variables"} after writing
tf.train.Checkpoint(model=..., optimizer=...) of the Keras 3 model (TensorFlow backend) to DIR/<i>/ckpt.
"""
import json
import os
import re
import sys

ROW = re.compile(r"^\W*(\S+) \((\w+)\)\s*│?\s*(\([^)]*\)|\[\([^]]*\)\]|multiple)\s*│?\s*([\d,]+)")
TOTAL = re.compile(r"Total params: ([\d,]+)")
TRAINABLE = re.compile(r"(Non-trainable|Trainable) params: ([\d,]+)")


def summary_text(path, loader):
    lines = []
    if loader == "tf_keras":
        import tf_keras
        model = tf_keras.models.load_model(path, compile=False)
        model.summary(print_fn=lambda s, **_: lines.append(s), line_length=200)
    else:
        import keras
        model = keras.saving.load_model(path, compile=False)
        model.summary(print_fn=lambda s, **_: lines.append(s), line_length=200)
    return "\n".join(lines)


def parse(text):
    rows = []
    for line in text.splitlines():
        m = ROW.match(line)
        if m:
            rows.append([m.group(1), m.group(2), m.group(3), int(m.group(4).replace(",", ""))])
    params = {k: int(v.replace(",", "")) for k, v in TRAINABLE.findall(text)}
    return rows, params.get("Trainable", 0) + params.get("Non-trainable", 0)


def write_checkpoints(out, models):
    import keras
    import tensorflow as tf
    for i, path in enumerate(models):
        model = keras.saving.load_model(path)
        objects = {"model": model}
        if model.optimizer is not None:
            objects["optimizer"] = model.optimizer
        prefix = tf.train.Checkpoint(**objects).write(os.path.join(out, str(i), "ckpt"))
        n_opt = len(model.optimizer.variables) if model.optimizer is not None else 0
        print(json.dumps({"kind": "checkpoint", "model": path, "prefix": prefix, "weights": len(model.weights), "optimizer_variables": n_opt}), flush=True)


def main():
    os.environ["COLUMNS"] = "200"  # Keras 3 draws its table with rich, as wide as the terminal
    os.environ["KERAS_BACKEND"] = "tensorflow"
    spec = json.load(open(sys.argv[1]))
    for case in spec.get("summaries", []):
        try:
            text = summary_text(case["path"], case["loader"])
            rows, total = parse(text)
            out = {"kind": "summary", "id": case["id"], "ok": bool(rows), "rows": rows, "total": total, "text": text}
        except Exception as e:  # reported, never skipped
            out = {"kind": "summary", "id": case["id"], "ok": False, "rows": [], "total": 0, "text": f"{type(e).__name__}: {e}"}
        print(json.dumps(out), flush=True)
    ck = spec.get("checkpoints")
    if ck is not None:
        write_checkpoints(ck["out"], ck["models"])


if __name__ == "__main__":
    main()
