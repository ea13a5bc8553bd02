#!/usr/bin/env bash
# CI: a short atheris run of every fuzz target (fuzz/fuzz_*.py) on a coverage-instrumented
# AddressSanitizer + UndefinedBehaviorSanitizer build of the extension. Fails on any crash,
# sanitizer report, uncaught exception or oracle mismatch (the fuzzer exits non-zero and the
# input is kept in .fuzz-artifacts/).
#
#   bash .ci/fuzz.sh                 # FUZZ_SECONDS=15 per target (four targets: about a minute)
#   FUZZ_SECONDS=600 bash .ci/fuzz.sh
#
# Needs clang (libFuzzer's -fsanitize=fuzzer-no-link; Debian/Ubuntu: apt-get install clang) and
# the atheris wheel. The long runs are described in docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv-fuzz
ART=$ROOT/.fuzz-artifacts
SECONDS_PER_TARGET=${FUZZ_SECONDS:-15}
TARGETS=${FUZZ_TARGETS:-"scan load lexicon stream"}

for tool in clang clang++; do
    command -v "$tool" > /dev/null || { echo ".ci/fuzz.sh: $tool not found (apt-get install clang)" >&2; exit 2; }
done

rm -rf "$VENV" "$ART"
mkdir -p "$ART"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet "atheris==3.0.0" "Cython>=3.1" "setuptools>=77" wheel \
    "jieba>=0.42.1" "pypinyin>=0.50"

# Build from a copy of the sources: Cython writes the generated C++ beside the .pyx.
BUILD=$(mktemp -d)
WORK=$(mktemp -d)
trap 'rm -rf "$BUILD" "$WORK"' EXIT
cp -r src setup.py pyproject.toml README.md MANIFEST.in lexicons "$BUILD"/
rm -f "$BUILD"/src/hansieve/*.so "$BUILD"/src/hansieve/*.cpp
# -fno-sanitize=vptr,function: those two checks need the C++ UBSan runtime, which atheris'
# preloaded asan_with_fuzzer.so does not carry (the extension would not import).
FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize=vptr,function -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
(cd "$BUILD" && CC=clang CXX=clang++ CFLAGS="$FLAGS" CXXFLAGS="$FLAGS" LDSHARED="clang -shared" \
    LDCXXSHARED="clang++ -shared" "$VENV/bin/pip" install --quiet --no-build-isolation --no-deps .)

ATHERIS_DIR=$("$VENV/bin/python" -c 'import atheris; print(atheris.path())')
export LD_PRELOAD="$ATHERIS_DIR/asan_with_fuzzer.so"
# detect_leaks=0: CPython keeps its interned objects and arenas until exit (not our leaks).
export ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

failed=0
for t in $TARGETS; do
    mkdir -p "$WORK/$t"
    cp fuzz/corpus/"$t"/* "$WORK/$t"/ 2>/dev/null || true
    echo "== fuzz_$t: $SECONDS_PER_TARGET s"
    # run from the checkout's fuzz/ (common.py puts tests/ on sys.path for the oracle; the
    # installed, instrumented hansieve is imported, never src/)
    if ! "$VENV/bin/python" "fuzz/fuzz_$t.py" "$WORK/$t" -max_total_time="$SECONDS_PER_TARGET" \
            -timeout=60 -print_final_stats=1 -artifact_prefix="$ART/$t-" > "$WORK/$t.log" 2>&1; then
        failed=1
        echo ".ci/fuzz.sh: fuzz_$t FAILED; input kept in $ART/" >&2
        grep -v "^INFO: Instrumenting" "$WORK/$t.log" | tail -60 >&2
    else
        grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done )|no Sieve.stream" "$WORK/$t.log" || true
    fi
done
exit "$failed"
