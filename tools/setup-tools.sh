#!/usr/bin/env bash
# Installs the non-Python tools the interop tests use, when missing:
# h5dump (Debian's hdf5-tools), which must read every HDF5 file we write.
# Needs root (or passwordless sudo) for apt-get; otherwise it says what to install.
set -uo pipefail
command -v h5dump >/dev/null 2>&1 && exit 0
sudo=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "setup-tools: h5dump is missing; install Debian's hdf5-tools (apt-get install hdf5-tools)" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-tools: h5dump is missing and there is no apt-get; install the HDF5 command-line tools" >&2
  exit 1
fi
echo "setup-tools: installing hdf5-tools (h5dump)" >&2
$sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq hdf5-tools >/dev/null
command -v h5dump >/dev/null 2>&1
