"""Build time of long terms: is the build linear in the lexicon's characters?

Group ``build_long[<n>]``: `n` synthetic terms of 1,003 characters, a 1,000-character prefix
they all share then 3 characters of their own (fixed seed; CJK code points), so the lexicon has
n * 1,003 characters but only about n * 3 automaton states.  Default run: 2,000 and 10,000
terms (2M and 10M characters); full run: also 100,000 (100M characters, the case of issue 19:
60 s against pyahocorasick's 1.3 s).  Engines: ``hansieve_folds_on`` (``compile(terms,
verify="off", variants=False)``: every fold applied to every character) and the raw builders of
pyahocorasick and cyac, timed in alternation (``paired_median``).  The gate asks hansieve to stay
within 5x pyahocorasick at every size: a constant per character within 5x of pyahocorasick's.
"""

from __future__ import annotations

import random

import pytest

from .bench_common import (BUILDERS, bench_full_enabled, interleaved_builds, record_paired, timed,
                           timing_enabled)

ENGINES = ("hansieve_folds_on", "pyahocorasick", "cyac")
PREFIX_CHARS = 1_000
OWN_CHARS = 3
# CI: 10k only (2k builds in ~30 ms, too short for a stable ratio: 2.95 and 4.43 in two runs)
SIZES_DEFAULT = (10_000,)
SIZES_FULL = (2_000, 10_000, 100_000)


def long_terms(n: int, seed: int = 20240619) -> list[str]:
    """`n` distinct terms: one shared 1,000-character prefix, then 3 characters each."""
    rng = random.Random(seed)
    cjk = lambda: chr(0x4E00 + rng.randrange(0x51A6))  # noqa: E731 (CJK unified ideographs)
    prefix = "".join(cjk() for _ in range(PREFIX_CHARS))
    terms: dict[str, None] = {}
    while len(terms) < n:
        terms[prefix + "".join(cjk() for _ in range(OWN_CHARS))] = None
    return list(terms)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "n_long" in metafunc.fixturenames:
        sizes = SIZES_FULL if bench_full_enabled(metafunc.config) else SIZES_DEFAULT
        metafunc.parametrize("n_long", sizes, scope="module")


@pytest.fixture(scope="module")
def terms_long(n_long):
    return long_terms(n_long)


@pytest.fixture(scope="module")
def paired_long(terms_long, pytestconfig):
    if not timing_enabled(pytestconfig):
        return None
    return interleaved_builds(ENGINES, terms_long, budget=8.0, hi=15)


@pytest.mark.parametrize("engine", ENGINES)
def test_build_long(benchmark, engine, n_long, terms_long, paired_long):
    build = BUILDERS[engine]
    benchmark.group = f"build_long[{n_long}]"
    benchmark.extra_info.update(lexicon=f"long{n_long}", n_terms=n_long, engine=engine,
                                n_chars=sum(map(len, terms_long)))
    built, _ = timed(build, terms_long)     # imports warm, a missing rival skips
    del built
    rounds = 3 if benchmark.enabled else 1
    built = benchmark.pedantic(build, args=(terms_long,), rounds=rounds, warmup_rounds=0)
    if engine == "hansieve_folds_on":
        # every term is found where it is (the build is a real automaton)
        probe = terms_long[-1]
        assert [(m.start, m.end) for m in built.find(probe)] == [(0, len(probe))]
    if benchmark.enabled:
        record_paired(benchmark, paired_long, engine)
