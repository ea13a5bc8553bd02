"""What variant spellings (pinyin, homophones, split and lookalike characters...) cost: compile
time and the scan loop, bundled lexicon, variants on vs off, same messages, same run.
Issue 3's goal: the hot loop slows by at most 25 % with variants on."""

import time

import pytest

import hansieve

N = 2_000


@pytest.fixture(scope="module")
def messages():
    from .bench_common import read_reviews
    lines = read_reviews()
    return lines[::len(lines) // N][:N]


@pytest.fixture(scope="module")
def sieves():
    lexicon = hansieve.load_lexicon()
    out = {}
    for variants in (False, True):
        start = time.perf_counter()
        out[variants] = hansieve.compile(lexicon, variants=variants, channels=False)
        out[variants, "seconds"] = time.perf_counter() - start
    return out


def _count_loop(sieve):
    def run(msgs):
        return sum(sieve.count(m) for m in msgs)
    return run


@pytest.fixture(scope="module")
def variants_paired(sieves, messages, pytestconfig):
    """Variants on and off timed in alternation (the gated ratio)."""
    from .bench_common import interleaved_loops
    runs = {"variants_off": _count_loop(sieves[False]), "variants_on": _count_loop(sieves[True])}
    return interleaved_loops(runs, messages, pytestconfig)


@pytest.mark.benchmark(group="variants_scan")
@pytest.mark.parametrize("variants", [False, True], ids=["variants_off", "variants_on"])
def test_scan_with_and_without_variants(benchmark, sieves, messages, variants, variants_paired):
    from .bench_common import record_paired
    sieve = sieves[variants]
    # Raw automaton loop (count), so verification of the few hits does not hide the loop's cost.
    counts = benchmark(lambda: sum(sieve.count(m) for m in messages))
    assert counts >= sum(sieves[False].count(m) for m in messages) if variants else counts >= 0
    benchmark.extra_info["engine"] = "variants_on" if variants else "variants_off"
    if benchmark.enabled:
        record_paired(benchmark, variants_paired, benchmark.extra_info["engine"])
    benchmark.extra_info["keys"] = sieve.stats()["keys"]
    benchmark.extra_info["states"] = sieve.stats()["states"]
