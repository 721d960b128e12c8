"""Times tf.saved_model.load and tf_keras load_model on a SavedModel dir (after imports). Prints JSON."""
import json
import sys
import time

import tensorflow as tf
import tf_keras

d = sys.argv[1]
t = time.perf_counter(); m = tf.saved_model.load(d); sigs = list(m.signatures.keys()); a = time.perf_counter() - t
t = time.perf_counter(); k = tf_keras.models.load_model(d); n = len(k.weights); b = time.perf_counter() - t
print(json.dumps({"tf_saved_model_load_s": a, "tf_keras_load_model_s": b, "signatures": sigs, "weights": n}))
