#!/usr/bin/env bash
# Creates (idempotently) the pinned Python environment that generates fixtures
# and checks what TypeScript writes: tools/.venv from tools/fixtures/requirements.txt.
# Re-installs only when requirements.txt changed since the last successful install.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/fixtures/requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
py="${PYTHON:-}"
if [ -z "$py" ]; then
  for c in python3.11 python3; do
    if command -v "$c" >/dev/null 2>&1; then py="$c"; break; fi
  done
fi
if [ -z "$py" ]; then echo "setup-python: no python3 found; install Python 3.11" >&2; exit 1; fi
echo "setup-python: creating $venv with $("$py" --version) from $req" >&2
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
"$venv/bin/python" -c "import tensorflow, tf_keras, keras, h5py; print('setup-python: tensorflow', tensorflow.__version__, 'tf_keras', tf_keras.__version__, 'keras', keras.__version__, 'h5py', h5py.__version__)" >&2
echo "$want" > "$stamp"
