"""Build time: compiling a lexicon into an automaton.

Group ``build[10k]`` (default run) and ``build[all]`` (full run: all ~337k jieba words of >= 2
code points).  Every engine gets the same raw term list; the timed call is the whole public build:

* ``hansieve_folds_off`` / ``hansieve_default``: ``hansieve.compile(terms, ...)`` -- term folding
  (Python), symbol numbering and the native automaton build;
* ``pyahocorasick``: ``Automaton()``, ``add_word(term, i)`` for each term, ``make_automaton()``;
* ``ahocorasick_rs``: ``AhoCorasick(terms, matchkind=MatchKind.Standard)``.

``extra_info['memory_bytes']`` is the built automaton's own size report where the library has one:
``Sieve.memory_usage()`` for hansieve, ``get_stats()['total_size']`` for pyahocorasick;
ahocorasick_rs exposes none (``None``).
"""

from __future__ import annotations

import pytest

from .bench_common import (BUILDERS, Lexicon, bench_full_enabled, make_lexicon, pick_rounds,
                           timed)

ENGINES = ("hansieve_folds_off", "hansieve_default", "pyahocorasick", "ahocorasick_rs")


def memory_bytes(engine: str, built) -> int | None:
    if engine.startswith("hansieve"):
        return built.memory_usage()
    if engine == "pyahocorasick":
        return built.get_stats()["total_size"]
    return None


def size_of(engine: str, built) -> int | None:
    """Number of patterns the built automaton holds, where the library says."""
    if engine.startswith("hansieve") or engine == "pyahocorasick":
        return len(built)
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "build_size" in metafunc.fixturenames:
        sizes = ["10k", "all"] if bench_full_enabled(metafunc.config) else ["10k"]
        metafunc.parametrize("build_size", sizes)


@pytest.fixture
def build_lexicon(build_size: str, jieba_words: list[str]) -> Lexicon:
    return make_lexicon(build_size, jieba_words)


@pytest.mark.parametrize("engine", ENGINES)
def test_build(benchmark, engine, build_size, build_lexicon):
    build = BUILDERS[engine]
    terms = build_lexicon.terms
    benchmark.group = f"build[{build_size}]"
    benchmark.extra_info.update(lexicon=build_size, n_terms=len(terms), engine=engine)
    if benchmark.enabled:
        # one untimed build: imports and caches warm, and it picks the number of rounds
        _, seconds = timed(build, terms)
        rounds = pick_rounds(seconds, target=2.0, lo=3, hi=30)
    else:
        rounds = 1
    built = benchmark.pedantic(build, args=(terms,), rounds=rounds, warmup_rounds=0)
    n = size_of(engine, built)
    if n is not None:
        assert n == len(terms)
    benchmark.extra_info["memory_bytes"] = memory_bytes(engine, built)
