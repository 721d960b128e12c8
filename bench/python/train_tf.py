"""tf_keras side of bench/src/train.ts: the tutorial workload, timed the same way.

usage: train_tf.py <epochs>; prints one JSON object (ms/step of training batches, samples/s,
epoch wall times, evaluate/predict times, test accuracy).
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "fixtures"))
import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
from mnist_data import load_mnist  # noqa: E402


class Timer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.step_s, self.epoch_s = [], []

    def on_train_batch_begin(self, batch, logs=None):
        self.t = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.step_s.append(time.perf_counter() - self.t)

    def on_epoch_begin(self, epoch, logs=None):
        self.e = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_s.append(time.perf_counter() - self.e)


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    xtr, ytr, xte, yte = load_mnist()
    keras.utils.set_random_seed(1)
    m = keras.Sequential([keras.layers.Dense(512, activation="relu", input_shape=(784,)), keras.layers.Dropout(0.2),
                          keras.layers.Dense(10)])
    m.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=[keras.metrics.SparseCategoricalAccuracy()])
    t = Timer()
    t0 = time.perf_counter()
    m.fit(xtr, ytr, epochs=epochs, batch_size=32, validation_data=(xte, yte), callbacks=[t], verbose=0)
    fit_s = time.perf_counter() - t0
    steady = t.step_s[len(t.step_s) // epochs:] if epochs > 1 else t.step_s  # first epoch includes tracing
    ms_step = 1000 * float(np.median(steady))
    t0 = time.perf_counter()
    _, acc = m.evaluate(xte, yte, batch_size=32, verbose=0)
    eval_ms = 1000 * (time.perf_counter() - t0)
    t0 = time.perf_counter()
    m.predict(xte, batch_size=32, verbose=0)
    pred32 = 1000 * (time.perf_counter() - t0)
    t0 = time.perf_counter()
    m.predict(xte, batch_size=1000, verbose=0)
    pred1000 = 1000 * (time.perf_counter() - t0)
    print(json.dumps({"msPerStep": ms_step, "samplesPerSec": 32000 / ms_step, "fitSeconds": fit_s,
                      "epochMs": 1000 * float(np.median(t.epoch_s[1:] or t.epoch_s)), "evaluateMs": eval_ms,
                      "predictMs32": pred32, "predictMs1000": pred1000, "testAccuracy": float(acc)}))


if __name__ == "__main__":
    main()
