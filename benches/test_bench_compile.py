"""Compile time with every default (variants, verification): what issue 16 asks of the compile.

Group ``compile[bundled]``: ``hansieve.compile(hansieve.load_lexicon())`` (the bundled lexicon,
5,214 terms, about 240k automaton keys with their variant spellings), in a warm process, against
pyahocorasick building the same number of keys: the texts of every entry of the compiled Sieve
(terms and variant spellings, ``sieve.entry(i)['text']``). The two builds alternate, three
rounds; the gate reads the medians (``paired_median``). The issue's goal is 1 s for the compile.

Group ``compile_fresh[5 terms]``: a fresh process running ``import hansieve;
hansieve.compile(['法轮功', '冰毒', '大麻', '六四', '台独'])`` against a fresh process running
``import hansieve`` alone, both timed whole from the parent (interpreter start-up included), in
alternation: the ratio is what a first small compile costs over the import (the jieba
dictionary, pypinyin, the variant tables and the verification segmenter it loads). The issue's
goal is 0.3 s for the whole process.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import pytest

from .bench_common import import_rival, record_paired, timing_enabled

FIVE = ["法轮功", "冰毒", "大麻", "六四", "台独"]
BUNDLED_ROUNDS = 3
FRESH_ROUNDS = 5
FRESH_CHILD = {
    "hansieve_default": f"import hansieve; hansieve.compile({FIVE!r})",
    "hansieve_import": "import hansieve",
}


def _summary(times: dict[str, list[float]]) -> dict[str, dict]:
    return {e: {"median": statistics.median(v), "min": min(v), "rounds": len(v)}
            for e, v in times.items()}


@pytest.fixture(scope="module")
def bundled_builders() -> dict:
    import hansieve

    lexicon = hansieve.load_lexicon()
    sieve = hansieve.compile(lexicon)       # untimed: imports and tables warm
    texts = [sieve.entry(i)["text"] for i in range(sieve.stats()["keys"])]

    def rival(texts=texts):
        ahocorasick = import_rival("ahocorasick")
        automaton = ahocorasick.Automaton()
        for i, text in enumerate(texts):
            automaton.add_word(text, i)
        automaton.make_automaton()
        return automaton

    return {"hansieve_default": lambda: hansieve.compile(lexicon), "pyahocorasick": rival}


@pytest.fixture(scope="module")
def bundled_paired(pytestconfig, bundled_builders):
    if not timing_enabled(pytestconfig):
        return None
    runs = dict(bundled_builders)
    try:
        runs["pyahocorasick"]()
    except pytest.skip.Exception:
        del runs["pyahocorasick"]
    times: dict[str, list[float]] = {e: [] for e in runs}
    for r in range(BUNDLED_ROUNDS):
        names = list(runs)
        k = r % len(names)
        for name in names[k:] + names[:k]:
            t0 = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - t0)
    return _summary(times)


@pytest.mark.parametrize("engine", ("hansieve_default", "pyahocorasick"))
def test_compile_bundled(benchmark, engine, bundled_builders, bundled_paired):
    runs = bundled_builders
    benchmark.group = "compile[bundled]"
    benchmark.extra_info.update(lexicon="bundled", engine=engine)
    if engine == "pyahocorasick":
        import_rival("ahocorasick")
    built = benchmark.pedantic(runs[engine], rounds=1, warmup_rounds=0)
    assert built is not None
    if benchmark.enabled:
        record_paired(benchmark, bundled_paired, engine)


def fresh_seconds(engine: str) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", FRESH_CHILD[engine]], capture_output=True,
                          text=True, timeout=300)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise AssertionError(f"fresh {engine} failed:\n{proc.stderr[-2000:]}")
    return seconds


@pytest.fixture(scope="module")
def fresh_paired(pytestconfig):
    if not timing_enabled(pytestconfig):
        return None
    times: dict[str, list[float]] = {e: [] for e in FRESH_CHILD}
    for r in range(FRESH_ROUNDS):
        names = list(FRESH_CHILD)
        k = r % len(names)
        for name in names[k:] + names[:k]:
            times[name].append(fresh_seconds(name))
    return _summary(times)


@pytest.mark.parametrize("engine", tuple(FRESH_CHILD))
def test_compile_fresh(benchmark, engine, fresh_paired):
    benchmark.group = "compile_fresh[5 terms]"
    benchmark.extra_info.update(n_terms=len(FIVE), engine=engine)
    seconds = benchmark.pedantic(fresh_seconds, args=(engine,), rounds=1, warmup_rounds=0)
    assert seconds > 0
    if benchmark.enabled:
        record_paired(benchmark, fresh_paired, engine)
