"""TensorFlow side of the tensor-bundle benchmark.

argv: <dir> <count> <elements per tensor> [<repetitions>]. Per repetition: `sync`, then writes
<dir>/tf/ckpt with tf.train.Checkpoint.write (the same float32 tensors the TS side writes), then
reads every tensor back with tf.train.load_checkpoint + get_tensor (page cache warm, as for the
TS side). Prints one JSON line: {"write_s": [...], "read_s": [...], "bytes"}.
"""
import json
import os
import shutil
import sys
import time

import numpy as np
import tensorflow as tf


def main():
    out, count, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    base = np.arange(n, dtype=np.float32)
    variables = {}
    for i in range(count):
        a = base.copy()
        a[0] = i
        variables[f"t{i:04d}"] = tf.Variable(a)
    ckpt = tf.train.Checkpoint(**variables)
    folder = os.path.join(out, "tf")
    os.makedirs(folder, exist_ok=True)
    ckpt.write(os.path.join(folder, "warmup"))
    shutil.rmtree(folder)
    writes, reads, total = [], [], 0
    for rep in range(reps):
        os.makedirs(folder, exist_ok=True)
        os.sync()
        t0 = time.perf_counter()
        path = ckpt.write(os.path.join(folder, "ckpt"))
        t1 = time.perf_counter()
        writes.append(t1 - t0)
        for _ in range(2):  # the first pass warms the page cache and TF's reader, as on the TS side
            t1 = time.perf_counter()
            reader = tf.train.load_checkpoint(path)
            total = 0
            for name in reader.get_variable_to_shape_map():
                if name == "_CHECKPOINTABLE_OBJECT_GRAPH":
                    continue
                total += reader.get_tensor(name).nbytes
            t2 = time.perf_counter()
        reads.append(t2 - t1)
        shutil.rmtree(folder)
    print(json.dumps({"write_s": writes, "read_s": reads, "bytes": total}))


main()
