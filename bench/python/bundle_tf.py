"""TensorFlow side of the tensor-bundle benchmark.

argv: <dir> <count> <elements per tensor>. Writes <dir>/tf/ckpt with tf.train.Checkpoint.write
(the same float32 tensors the TS side writes), then reads every tensor back with
tf.train.load_checkpoint. Prints one JSON line: {"write_s", "read_s", "bytes"}.
"""
import json
import os
import sys
import time

import numpy as np
import tensorflow as tf


def main():
    out, count, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    base = np.arange(n, dtype=np.float32)
    variables = {}
    for i in range(count):
        a = base.copy()
        a[0] = i
        variables[f"t{i:04d}"] = tf.Variable(a)
    ckpt = tf.train.Checkpoint(**variables)
    prefix = os.path.join(out, "tf", "ckpt")
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    ckpt.write(prefix + "-warmup")
    t0 = time.perf_counter()
    path = ckpt.write(prefix)
    t1 = time.perf_counter()
    reader = tf.train.load_checkpoint(path)
    total = 0
    for name in reader.get_variable_to_shape_map():
        if name == "_CHECKPOINTABLE_OBJECT_GRAPH":
            continue
        total += reader.get_tensor(name).nbytes
    t2 = time.perf_counter()
    print(json.dumps({"write_s": t1 - t0, "read_s": t2 - t1, "bytes": total}))


main()
