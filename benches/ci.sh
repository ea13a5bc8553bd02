#!/usr/bin/env bash
# The reduced benchmark run of CI (a few minutes on 2 cores): the default groups with 0.5 s of
# timing per scan benchmark, then the ratio gates of benches/ratios.json (exit 1 on a regression).
#   bash benches/ci.sh [PYTHON]        e.g. bash benches/ci.sh .venv/bin/python
# HANSIEVE_BENCH_JSON=path keeps the JSON (default: a temporary file).
set -euo pipefail
PY=${1:-python}
cd "$(dirname "$0")/.."
OUT=${HANSIEVE_BENCH_JSON:-$(mktemp -d)/bench.json}
"$PY" -m pytest benches/test_bench_scan.py benches/test_bench_pipeline.py \
    benches/test_bench_long.py benches/test_bench_build.py benches/test_bench_load.py \
    benches/test_bench_batch.py benches/test_bench_variants.py benches/test_bench_serve.py \
    benches/test_bench_verify.py benches/test_bench_build_long.py benches/test_bench_compile.py \
    benches/test_bench_channels.py --benchmark-enable --benchmark-only --bench-seconds=0.5 -p no:cacheprovider -q \
    --benchmark-json="$OUT" --benchmark-columns=median,iqr,rounds --benchmark-sort=name
"$PY" benches/check_ratios.py "$OUT"
