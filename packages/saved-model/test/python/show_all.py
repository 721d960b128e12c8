"""Prints what `saved_model_cli show --all` prints for each directory.

Usage: show_all.py dir...   One JSON line {dir: stdout text}. Imports TF once
and calls the CLI's own `_show_all` with stdout captured.

The CLI lists a function's concrete functions sorted by the names the loader
gives them, `__inference_<name>_<uid>`, with uids counting up in load order. It
compares them as strings, so where two uids differ in their number of digits
(94 and 114) the listed order depends on how many uids the process used before,
not on the file. The uids are therefore offset by 10**9 here (all ten digits):
the printed order is then the load order, which is what the CLI prints whenever
its uids happen to have equal widths.
"""
import contextlib
import io
import json
import sys

from tensorflow.python.framework import ops
from tensorflow.python.tools import saved_model_cli

_uid = ops.uid
ops.uid = lambda: _uid() + 10**9

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
