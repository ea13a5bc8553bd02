"""Long text: find-all and count over People's Daily (January 1998, POS tags stripped).

Groups ``long_find[<lexicon>]`` and ``long_count[<lexicon>]``: the 10k jieba lexicon (and all
~337k words in the full run); the first ~1 MB of UTF-8 in the default run and the whole text
(~5.5 MB) in the full run.  ``extra_info`` records the throughput in MB/s of UTF-8 input
(``mb_per_s``) and in million code points per second.

Engines (same terms, same text, same run):

* ``hansieve_folds_off`` / ``hansieve_folds_on``: ``len(s.find(text))`` / ``s.count(text)``;
  folds off gives plain Aho-Corasick hits, so both counts equal the rivals' (asserted);
* the raw rivals: their find-all (``bench_common.find_loop`` on the one text) for ``long_find``;
  for ``long_count`` the cheapest count their API allows (iterating without building a list
  where the result is lazy, a counting callback for hyperscan, else the find-all list).

Each round scans a fresh copy of the text (made outside the timing) so that ahocorasick_rs cannot
reuse the UTF-8 form CPython caches in a ``str`` it has already seen.
"""

from __future__ import annotations

import pytest

from .bench_common import (HANSIEVE, PLAIN_AC, RIVALS, contenders, fresh_copies, interleaved,
                           pick_rounds, record_paired, text_count, text_find, timed,
                           timing_enabled, utf8_len)

ENGINES = HANSIEVE + RIVALS
OPS = {"find": text_find, "count": text_count}


@pytest.fixture(scope="session")
def long_expected(long_lexicon_name, engine_cache, long_text: str, pytestconfig) -> dict:
    """``{(op, engine): (count, seconds of one untimed pass)}``."""
    engines = engine_cache.get(long_lexicon_name)
    out = {}
    for op, make in OPS.items():
        for engine in ENGINES:
            if engine in engines.missing or engine not in engines.built:
                continue
            out[op, engine] = timed(make(engine, engines.built[engine]),
                                    fresh_copies([long_text])[0])
    for op in OPS:
        plain = {e: out[op, e][0] for e in PLAIN_AC if (op, e) in out}
        assert len(set(plain.values())) <= 1, (op, plain)
    for engine in ENGINES:  # count and find-all agree for every engine
        if ("find", engine) in out:
            assert out["find", engine][0] == out["count", engine][0], engine
    if timing_enabled(pytestconfig):  # the gated find-all, timed in alternation
        seconds = {e: out["find", e][1] for e in ENGINES if ("find", e) in out}
        names = contenders(seconds, ("hansieve_folds_off", "hansieve_folds_on"))
        runs = {e: text_find(e, engines.built[e]) for e in names}
        out["paired", "find"] = interleaved(runs, lambda: tuple(fresh_copies([long_text])),
                                            sum(seconds[e] for e in names), budget=6.0, lo=5)
    return out


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("op", list(OPS))
def test_long(benchmark, op, engine, long_lexicon_name, engine_cache, long_expected, long_text):
    engines = engine_cache.get(long_lexicon_name)
    run = OPS[op](engine, engines.get(engine))  # skips when the rival is missing
    want, seconds = long_expected[op, engine]
    n_bytes, n_chars = utf8_len(long_text), len(long_text)
    benchmark.group = f"long_{op}[{long_lexicon_name}]"
    benchmark.extra_info.update(lexicon=long_lexicon_name, n_terms=len(engines.lexicon),
                                engine=engine, op=op, matches=want, text_bytes=n_bytes,
                                text_chars=n_chars)
    got = benchmark.pedantic(run, setup=lambda: (fresh_copies([long_text]), {}),
                             rounds=pick_rounds(seconds, target=1.5, lo=3, hi=50),
                             warmup_rounds=1)
    assert got == want, (op, engine, got, want)
    if benchmark.enabled and benchmark.stats is not None:
        median = benchmark.stats.stats.median
        benchmark.extra_info["mb_per_s"] = n_bytes / median / 1e6
        benchmark.extra_info["mchars_per_s"] = n_chars / median / 1e6
        record_paired(benchmark, long_expected.get(("paired", op)), engine)
