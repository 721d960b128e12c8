"""Prints what `saved_model_cli show --all` prints for each directory.

Usage: show_all.py dir...   One JSON line {dir: stdout text}. Imports TF once
and calls the CLI's own `_show_all` with stdout captured.
"""
import contextlib
import io
import json
import sys

from tensorflow.python.tools import saved_model_cli

out = {}
for d in sys.argv[1:]:
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            saved_model_cli._show_all(d)  # pylint: disable=protected-access
        out[d] = buf.getvalue()
    except Exception as e:  # reported, the TS test fails on it
        out[d] = f"ERROR {type(e).__name__}: {e}"
print(json.dumps(out))
