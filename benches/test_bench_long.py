"""Long text: find-all and count over People's Daily (January 1998, POS tags stripped).

Groups ``long_find[10k]`` and ``long_count[10k]``: the 10k jieba lexicon, the first ~1 MB of UTF-8
in the default run and the whole text (~5.5 MB) in the full run.  ``extra_info`` records the
throughput in MB/s of UTF-8 input (``mb_per_s``) and in million code points per second.

Engines (same terms, same text, same run):

* ``hansieve_folds_off``: ``len(s.find(text))`` / ``s.count(text)``; plain Aho-Corasick hits, so
  both counts equal pyahocorasick's (asserted);
* ``hansieve_default``: the same calls with the default folds and noise skipping; at least the
  folds-off count (asserted);
* ``pyahocorasick``: ``len(list(A.iter(text)))`` / ``sum(1 for _ in A.iter(text))``;
* ``ahocorasick_rs``: ``len(find_matches_as_indexes(text, overlapping=True))`` for both (it has no
  counting API).

Each round scans a fresh copy of the text (made outside the timing) so that ahocorasick_rs cannot
reuse the UTF-8 form CPython caches in a ``str`` it has already seen.
"""

from __future__ import annotations

import pytest

from .bench_common import Engines, fresh_copies, pick_rounds, timed, utf8_len

ENGINES = ("hansieve_folds_off", "hansieve_default", "pyahocorasick", "ahocorasick_rs")


def long_op(op: str, engine: str, engines: Engines):
    built = engines.get(engine)  # skips when the rival is missing
    if engine.startswith("hansieve"):
        if op == "find":
            return lambda text, find=built.find: len(find(text))
        return built.count
    if engine == "pyahocorasick":
        if op == "find":
            return lambda text, it=built.iter: len(list(it(text)))
        return lambda text, it=built.iter: sum(1 for _ in it(text))
    if engine == "ahocorasick_rs":
        return lambda text, fm=built.find_matches_as_indexes: len(fm(text, overlapping=True))
    raise AssertionError(engine)  # pragma: no cover


@pytest.fixture(scope="session")
def long_expected(engines_10k: Engines, long_text: str) -> dict:
    """``{(op, engine): (count, seconds of one untimed pass)}``."""
    out = {}
    for op in ("find", "count"):
        for engine in ENGINES:
            if engine in engines_10k.missing:
                continue
            out[op, engine] = timed(long_op(op, engine, engines_10k), fresh_copies([long_text])[0])
    return out


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("op", ["find", "count"])
def test_long(benchmark, op, engine, engines_10k, long_expected, long_text):
    run = long_op(op, engine, engines_10k)
    want, seconds = long_expected[op, engine]
    plain = long_expected.get((op, "pyahocorasick"))
    if engine in ("hansieve_folds_off", "ahocorasick_rs") and plain is not None:
        assert want == plain[0], (op, engine, want, plain[0])
    if engine == "hansieve_default" and (op, "hansieve_folds_off") in long_expected:
        assert want >= long_expected[op, "hansieve_folds_off"][0]
    # count and find-all agree for every engine
    other = long_expected.get(("count" if op == "find" else "find", engine))
    if other is not None:
        assert want == other[0]

    n_bytes, n_chars = utf8_len(long_text), len(long_text)
    benchmark.group = f"long_{op}[10k]"
    benchmark.extra_info.update(lexicon="10k", n_terms=len(engines_10k.lexicon), engine=engine,
                                op=op, matches=want, text_bytes=n_bytes, text_chars=n_chars)
    got = benchmark.pedantic(run, setup=lambda: (fresh_copies([long_text]), {}),
                             rounds=pick_rounds(seconds, target=1.5, lo=3, hi=50),
                             warmup_rounds=1)
    assert got == want, (op, engine, got, want)
    if benchmark.enabled and benchmark.stats is not None:
        median = benchmark.stats.stats.median
        benchmark.extra_info["mb_per_s"] = n_bytes / median / 1e6
        benchmark.extra_info["mchars_per_s"] = n_chars / median / 1e6
