"""The full default pipeline against the do-it-yourself one, on the bundled lexicon.

Group ``pipeline[<corpus>/bundled]`` (reviews and COLD comments; HKCanCor too in the full run).
One round handles the 2,000 messages of the corpus; the count is the number of hits each engine
reports (its own semantics, fixed outside the timing):

* ``hansieve_pipeline``: ``hansieve.compile(hansieve.load_lexicon())`` -- deny terms, allowlist,
  combination rules, every default fold, noise skipping, whole-word and boundary verification --
  and ``len(s.check(msg).matches)`` per message (the Verdict a service acts on);
* ``hansieve_default``: ``s.find(msg)``, ``hansieve.compile(<bundled deny terms>)``: every
  default including verification, but no allowlist or rules;
* ``hansieve_folds_on``: the same without verification (``verify="off"``);
* ``diy_opencc_pyahocorasick``: OpenCC t2s + ``str.translate`` (full width -> ASCII, lower case)
  + pyahocorasick over the normalized deny terms, every hit;
* ``diy_verified_jieba``: the same, then ``jieba.lcut`` of each message that has a hit, keeping
  the hits whose both ends fall on token boundaries (what a Python user writes to drop 法轮 in
  没办法轮流).  The DIY pipelines have no allowlist, rules or noise skipping;
* ``baseline_len``: the loop alone.

The goal (gated in CI): ``hansieve_pipeline`` at least 20x faster than ``diy_verified_jieba``.
"""

from __future__ import annotations

import pytest

from .bench_common import (check_loop, contenders, fresh_copies, interleaved, pick_rounds,
                           record_paired, timed, timing_enabled)

ENGINES = ("hansieve_pipeline", "hansieve_default", "hansieve_folds_on",
           "diy_opencc_pyahocorasick", "diy_verified_jieba", "baseline_len")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "pipeline_corpus" in metafunc.fixturenames:
        from .bench_common import bench_full_enabled

        names = ["reviews", "cold"] + (["trad"] if bench_full_enabled(metafunc.config) else [])
        metafunc.parametrize("pipeline_corpus", names, scope="session")


@pytest.fixture(scope="session")
def pipeline_expected(pipeline_corpus, corpora, engine_cache, pytestconfig) -> dict:
    msgs = corpora.get(pipeline_corpus).messages
    engines = engine_cache.get("bundled", ENGINES)
    out = {}
    for engine in ENGINES:
        if engine in engines.missing:
            continue
        built = engines.built.get(engine)
        check_loop(engine, built)(fresh_copies(msgs[:50]))
        out[engine] = timed(check_loop(engine, built), fresh_copies(msgs))
    if "hansieve_pipeline" in out:
        s = engines.built["hansieve_pipeline"]
        assert out["hansieve_pipeline"][0] == sum(len(s.find(m)) for m in msgs)
    if "diy_verified_jieba" in out:  # verification only removes hits
        assert out["diy_verified_jieba"][0] <= out["diy_opencc_pyahocorasick"][0]
    if timing_enabled(pytestconfig):
        seconds = {e: out[e][1] for e in out if e != "baseline_len"}
        names = contenders(seconds, ("hansieve_pipeline", "hansieve_default"), factor=1e9)
        runs = {e: check_loop(e, engines.built[e]) for e in names}
        out["paired"] = interleaved(runs, lambda: (fresh_copies(msgs),),
                                    sum(seconds[e] for e in names))
    return out


@pytest.mark.parametrize("engine", ENGINES)
def test_pipeline(benchmark, engine, pipeline_corpus, corpora, engine_cache, pipeline_expected):
    corpus = corpora.get(pipeline_corpus)
    engines = engine_cache.get("bundled", ENGINES)
    built = None if engine == "baseline_len" else engines.get(engine)
    run = check_loop(engine, built)
    want, seconds = pipeline_expected[engine]
    paired = pipeline_expected.get("paired")
    msgs = corpus.messages
    benchmark.group = f"pipeline[{pipeline_corpus}/bundled]"
    benchmark.extra_info.update(corpus=pipeline_corpus, corpus_source=corpus.source,
                                lexicon="bundled", n_terms=len(engines.lexicon),
                                n_messages=len(msgs), engine=engine, op="pipeline",
                                matches=want)
    got = benchmark.pedantic(run, setup=lambda: ((fresh_copies(msgs),), {}),
                             rounds=pick_rounds(seconds, lo=3), warmup_rounds=1)
    assert got == want, (engine, got, want)
    if benchmark.enabled and benchmark.stats is not None:
        benchmark.extra_info["us_per_message"] = benchmark.stats.stats.median / len(msgs) * 1e6
        record_paired(benchmark, paired, engine)
