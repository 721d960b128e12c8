#!/usr/bin/env bash
# Self-test of tools/check/check.py against the Python-written fixtures:
# every case built from fixtures/MANIFEST.json must pass, every corrupted copy must fail.
#   bash tools/check/selftest.sh [fixtures_dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$root/tools/.venv/bin/python"
fx="${1:-$root/fixtures}"
[ -f "$fx/MANIFEST.json" ] || { echo "selftest: $fx/MANIFEST.json missing (run npm run fixtures)" >&2; exit 1; }
export TF_CPP_MIN_LOG_LEVEL=2 CUDA_VISIBLE_DEVICES=-1 PYTHONDONTWRITEBYTECODE=1
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
read -r n_good n_bad < <("$py" "$here/selftest_cases.py" "$fx" "$tmp" 2>"$tmp/cases.log" || { cat "$tmp/cases.log" >&2; echo "0 0"; })
[ "${n_good:-0}" -gt 0 ] || { echo "selftest: could not build cases" >&2; exit 1; }
fail=0

"$py" "$here/check.py" "$tmp/good.json" >"$tmp/good.out" 2>"$tmp/good.err" && rc=0 || rc=$?
cat "$tmp/good.out"
if [ "$rc" -ne 0 ] || ! grep -qx "check.py: $n_good ok, 0 failed" "$tmp/good.out"; then
  echo "selftest: FAIL: expected $n_good ok / 0 failed on good.json (rc=$rc)" >&2; tail -20 "$tmp/good.err" >&2; fail=1
fi

"$py" "$here/check.py" "$tmp/bad.json" >"$tmp/bad.out" 2>"$tmp/bad.err" && rc=0 || rc=$?
cat "$tmp/bad.out"
if [ "$rc" -ne 1 ] || ! grep -qx "check.py: 0 ok, $n_bad failed" "$tmp/bad.out"; then
  echo "selftest: FAIL: expected 0 ok / $n_bad failed on bad.json (rc=$rc)" >&2; tail -20 "$tmp/bad.err" >&2; fail=1
fi

echo '{"cases": []}' >"$tmp/empty.json"
if "$py" "$here/check.py" "$tmp/empty.json" >"$tmp/empty.out" 2>&1; then
  echo "selftest: FAIL: zero cases must exit non-zero" >&2; fail=1
fi

if [ "$fail" -eq 0 ]; then echo "selftest: ok ($n_good good cases passed, $n_bad corrupted cases failed, empty rejected)"; fi
exit "$fail"
