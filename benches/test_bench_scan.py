"""Short messages: find-all and contains per message, hansieve against every rival.

Groups ``find[<corpus>/<lexicon>]`` and ``contains[<corpus>/<lexicon>]``: in each group every
engine scans the same 2,000 real messages with the same terms, in the same run.  The cases
(corpus x lexicon) are ``SCAN_CASES_DEFAULT`` / ``SCAN_CASES_FULL`` in ``bench_common``.

Gated ratios use a second, interleaved timing of the close contenders made by the case's fixture
(``extra_info['paired_median']``): see ``bench_common.interleaved`` and README "Gates".

Unit: one round is a loop over all 2,000 messages (``extra_info['us_per_message']`` is the median
divided by 2,000).  Each round gets 2,000 fresh ``str`` objects from a ``setup`` callable that
pytest-benchmark runs outside the timed region (see ``bench_common.fresh_copies``).

Engines (the loops are in ``bench_common.find_loop`` / ``contains_loop``):

hansieve_folds_off
    every fold, noise skipping and whole-word off: by contract plain Aho-Corasick hits.
hansieve_folds_on
    ``hansieve.compile(terms, verify="off")``: the default folds (t2s + NFKC + lower case, repeat
    collapsing where the build has it), noise skipping (max_gap=3), whole-word for ASCII terms;
    no word-boundary verification.  Its own count (more hits from traditional / full-width /
    split spellings, fewer from whole-word), fixed outside the timing.  The gated engine.
hansieve_default
    ``hansieve.compile(terms)``: every default, including word-boundary verification of CJK
    hits by native jieba segmentation (fewer hits: 法轮 in 没办法轮流 is dropped).
pyahocorasick, ahocorasick_rs, daachorse, daachorse_bytes, cyac, hyperscan
    the raw rivals, every overlapping hit; their counts equal hansieve_folds_off's (asserted).
    contains: an early exit where the API has one (pyahocorasick / cyac: ``next()`` of the lazy
    iterator; hyperscan: the match callback returns 1), else the cheapest full scan
    (ahocorasick_rs, daachorse: non-overlapping find, tested for emptiness).
diy_opencc_pyahocorasick
    OpenCC t2s + ``str.translate`` width/case fold + pyahocorasick over normalized terms.
baseline_len
    ``len(msg)`` in the same loop: what the Python loop itself costs.
"""

from __future__ import annotations

import pytest

from .bench_common import (HANSIEVE, N_MESSAGES, PLAIN_AC, SCAN_ENGINES, contains_loop, contenders,
                           find_loop, fresh_copies, interleaved, pick_rounds, record_paired, timed,
                           timing_enabled)

LOOPS = {"find": find_loop, "contains": contains_loop}


@pytest.fixture(scope="session")
def scan_expected(scan_case, corpora, engine_cache, pytestconfig) -> dict:
    """``{(op, engine): (count, seconds of one untimed pass)}`` for every available engine of the
    case, after the cross-engine checks that do not depend on timing; and ``{("paired", op):
    {engine: timing}}``: the hansieve engines and the rivals within 3x of the fastest timed in
    alternation (``bench_common.interleaved``), which the gates use."""
    corpus_name, lexicon_name = scan_case
    msgs = corpora.get(corpus_name).messages
    engines = engine_cache.get(lexicon_name)
    out = {}
    for op, make in LOOPS.items():
        for engine in SCAN_ENGINES:
            if engine in engines.missing:
                continue
            built = None if engine == "baseline_len" else engines.built[engine]
            make(engine, built)(fresh_copies(msgs[:50]))  # warm caches, first-call work
            out[op, engine] = timed(make(engine, built), fresh_copies(msgs))
    # plain Aho-Corasick engines agree on both questions
    for op in LOOPS:
        plain = {e: out[op, e][0] for e in PLAIN_AC if (op, e) in out}
        assert len(set(plain.values())) <= 1, (scan_case, op, plain)
    # hansieve: a message "contains" iff find() is non-empty
    for engine in HANSIEVE:
        if engine in engines.built:
            find = engines.built[engine].find
            with_hits = sum(1 for m in msgs if find(m))
            assert out["contains", engine][0] == with_hits, (scan_case, engine)
    if timing_enabled(pytestconfig):
        for op, make in LOOPS.items():
            seconds = {e: out[op, e][1] for e in SCAN_ENGINES if (op, e) in out}
            names = contenders(seconds, ("hansieve_folds_off", "hansieve_folds_on"))
            runs = {e: make(e, engines.built[e]) for e in names}
            out["paired", op] = interleaved(runs, lambda: (fresh_copies(msgs),),
                                            sum(seconds[e] for e in names))
    return out


def run_scan(benchmark, op: str, engine: str, scan_case, corpora, engine_cache,
             expected: dict) -> None:
    corpus_name, lexicon_name = scan_case
    corpus = corpora.get(corpus_name)
    engines = engine_cache.get(lexicon_name)
    built = None if engine == "baseline_len" else engines.get(engine)  # skips a missing rival
    run = LOOPS[op](engine, built)
    want, seconds = expected[op, engine]
    if op == "contains" and engine != "baseline_len":
        assert 0 <= want <= N_MESSAGES

    msgs = corpus.messages
    lexicon = engines.lexicon
    benchmark.group = f"{op}[{corpus_name}/{lexicon_name}]"
    benchmark.extra_info.update(
        corpus=corpus_name, corpus_source=corpus.source, lexicon=lexicon_name,
        n_terms=len(lexicon), n_messages=len(msgs), engine=engine, op=op, matches=want)
    got = benchmark.pedantic(run, setup=lambda: ((fresh_copies(msgs),), {}),
                             rounds=pick_rounds(seconds), warmup_rounds=1)
    assert got == want, (op, engine, got, want)
    if benchmark.enabled and benchmark.stats is not None:
        median = benchmark.stats.stats.median
        benchmark.extra_info["us_per_message"] = median / len(msgs) * 1e6
        record_paired(benchmark, expected.get(("paired", op)), engine)


@pytest.mark.parametrize("engine", SCAN_ENGINES)
def test_find(benchmark, engine, scan_case, corpora, engine_cache, scan_expected):
    run_scan(benchmark, "find", engine, scan_case, corpora, engine_cache, scan_expected)


@pytest.mark.parametrize("engine", SCAN_ENGINES)
def test_contains(benchmark, engine, scan_case, corpora, engine_cache, scan_expected):
    run_scan(benchmark, "contains", engine, scan_case, corpora, engine_cache, scan_expected)
