"""Short messages: find-all and contains per message, hansieve against its rivals.

Groups ``scan_short_find[<lexicon>]`` and ``scan_short_contains[<lexicon>]``; in each group every
engine scans the same N_MESSAGES (2,000) real reviews with the same terms, in the same run.

Unit: one benchmark round is a loop over all 2,000 messages (``extra_info['us_per_message']`` is
the median divided by 2,000).  Timing a single short message per round would be dominated by
timer resolution and call overhead, and giving each message a fresh ``str`` object per call (so
that ahocorasick_rs cannot reuse the UTF-8 copy CPython caches inside a ``str``) costs more than
some of the scans; so each round gets 2,000 fresh message objects from a ``setup`` callable that
pytest-benchmark runs outside the timed region.  The same treatment is given to every engine.

Engines
-------
hansieve_folds_off
    every fold and noise skipping off: by contract the hits of a plain Aho-Corasick automaton, so
    its counts MUST equal pyahocorasick's (asserted).
hansieve_default
    hansieve's defaults: t2s + NFKC + lower-case folding and noise skipping (max_gap=3).  Finds at
    least the folds-off hits (asserted), usually more: traditional / full-width / upper-case
    spellings and terms split by punctuation or spaces.  Terms made partly of noise also fold to
    shorter keys (``c++`` is matched as ``c``), which adds hits on real text.
pyahocorasick
    find-all ``list(A.iter(msg))`` (all overlapping hits); contains ``next(A.iter(msg), None)``
    (its early exit: the iterator stops at the first hit).
ahocorasick_rs
    find-all ``find_matches_as_indexes(msg, overlapping=True)``; contains is the truthiness of the
    non-overlapping ``find_matches_as_indexes(msg)``: ahocorasick_rs has no early-exit API, so it
    scans every message to the end.  Same counts as pyahocorasick (asserted).
diy_opencc_pyahocorasick
    what a Python user writes today: ``OpenCC('t2s').convert(msg).translate(table)`` (full width
    -> ASCII, ASCII lower case; table built once) then pyahocorasick, with the terms normalized by
    the same function.  Its counts differ from hansieve_default's: OpenCC converts by phrase, it
    does not fold NFKC compatibility characters beyond full-width ASCII, it skips no noise, and
    terms that normalize alike share one key (one hit instead of one per term).
baseline_len
    ``len(msg)`` in the same loop: the cost of the Python loop itself (its "count" is the number of
    code points).
"""

from __future__ import annotations

from typing import Callable

import pytest

from .bench_common import (ALL_ENGINES, N_MESSAGES, Engines, Lexicon, fresh_copies,
                           pick_rounds, timed)

ENGINES = ALL_ENGINES + ("baseline_len",)
#: engines whose hits are, by definition, plain Aho-Corasick's overlapping hits
PLAIN_AC = ("hansieve_folds_off", "pyahocorasick", "ahocorasick_rs")


# --------------------------------------------------------------------------------------------
# the timed loops: each takes the 2,000 messages and returns a total count


def find_loop(engine: str, engines: Engines) -> Callable[[list[str]], int]:
    if engine == "baseline_len":
        def run(msgs):
            n = 0
            for m in msgs:
                n += len(m)
            return n
        return run

    built = engines.get(engine)
    if engine.startswith("hansieve"):
        def run(msgs, find=built.find):
            n = 0
            for m in msgs:
                n += len(find(m))
            return n
    elif engine == "pyahocorasick":
        def run(msgs, it=built.iter):
            n = 0
            for m in msgs:
                n += len(list(it(m)))
            return n
    elif engine == "ahocorasick_rs":
        def run(msgs, fm=built.find_matches_as_indexes):
            n = 0
            for m in msgs:
                n += len(fm(m, overlapping=True))
            return n
    elif engine == "diy_opencc_pyahocorasick":
        def run(msgs, norm=built.normalize, it=built.automaton.iter):
            n = 0
            for m in msgs:
                n += len(list(it(norm(m))))
            return n
    else:  # pragma: no cover
        raise AssertionError(engine)
    return run


def contains_loop(engine: str, engines: Engines) -> Callable[[list[str]], int]:
    """Returns the number of messages with at least one hit (baseline: code points)."""
    if engine == "baseline_len":
        return find_loop(engine, engines)

    built = engines.get(engine)
    if engine.startswith("hansieve"):
        def run(msgs, contains=built.contains):
            n = 0
            for m in msgs:
                if contains(m):
                    n += 1
            return n
    elif engine == "pyahocorasick":
        def run(msgs, it=built.iter):
            n = 0
            for m in msgs:
                if next(it(m), None) is not None:
                    n += 1
            return n
    elif engine == "ahocorasick_rs":
        # No early-exit API: a non-overlapping scan of the whole message, tested for emptiness.
        def run(msgs, fm=built.find_matches_as_indexes):
            n = 0
            for m in msgs:
                if fm(m):
                    n += 1
            return n
    elif engine == "diy_opencc_pyahocorasick":
        def run(msgs, norm=built.normalize, it=built.automaton.iter):
            n = 0
            for m in msgs:
                if next(it(norm(m)), None) is not None:
                    n += 1
            return n
    else:  # pragma: no cover
        raise AssertionError(engine)
    return run


LOOPS = {"find": find_loop, "contains": contains_loop}


# --------------------------------------------------------------------------------------------
# expected counts, computed once per lexicon outside the timing


@pytest.fixture(scope="session")
def scan_expected(scan_engines: Engines, messages: list[str]) -> dict:
    """``{(op, engine): (count, seconds of one untimed pass)}`` for every available engine, plus
    the cross-engine checks that do not depend on timing."""
    out = {}
    for op, make in LOOPS.items():
        for engine in ENGINES:
            if engine in scan_engines.missing:
                continue
            out[op, engine] = timed(make(engine, scan_engines), fresh_copies(messages))
    # contains must agree with find for hansieve: a message "contains" iff find() is non-empty
    for engine in ("hansieve_folds_off", "hansieve_default"):
        s = scan_engines.get(engine)
        with_hits = sum(1 for m in messages if s.find(m))
        assert out["contains", engine][0] == with_hits, engine
    return out


def check_expected(op: str, engine: str, expected: dict) -> int:
    """The count `engine` must return, after checking it against the other engines'."""
    count = expected[op, engine][0]
    plain = expected.get((op, "pyahocorasick"))
    if engine in PLAIN_AC and plain is not None:
        # hansieve folds-off == pyahocorasick == ahocorasick_rs (overlapping for find-all)
        assert count == plain[0], (op, engine, count, plain[0])
    if engine == "hansieve_default" and (op, "hansieve_folds_off") in expected:
        assert count >= expected[op, "hansieve_folds_off"][0]
    if op == "contains" and engine != "baseline_len":
        assert 0 <= count <= N_MESSAGES
    return count


def run_scan(benchmark, op: str, engine: str, lexicon: Lexicon, engines: Engines,
             expected: dict, messages: list[str]) -> None:
    run = LOOPS[op](engine, engines)  # skips when the rival is missing
    want = check_expected(op, engine, expected)

    benchmark.group = f"scan_short_{op}[{lexicon.name}]"
    benchmark.extra_info.update(
        lexicon=lexicon.name, n_terms=len(lexicon), n_messages=len(messages), engine=engine,
        op=op, matches=want)
    rounds = pick_rounds(expected[op, engine][1])
    got = benchmark.pedantic(run, setup=lambda: ((fresh_copies(messages),), {}),
                             rounds=rounds, warmup_rounds=1)
    assert got == want, (op, engine, got, want)
    if benchmark.enabled and benchmark.stats is not None:
        median = benchmark.stats.stats.median
        benchmark.extra_info["us_per_message"] = median / len(messages) * 1e6


@pytest.mark.parametrize("engine", ENGINES)
def test_scan_short_find(benchmark, engine, scan_lexicon, scan_engines, scan_expected, messages):
    run_scan(benchmark, "find", engine, scan_lexicon, scan_engines, scan_expected, messages)


@pytest.mark.parametrize("engine", ENGINES)
def test_scan_short_contains(benchmark, engine, scan_lexicon, scan_engines, scan_expected,
                             messages):
    run_scan(benchmark, "contains", engine, scan_lexicon, scan_engines, scan_expected, messages)
