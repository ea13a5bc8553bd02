"""Segmentation for verification: hansieve's native jieba (``hansieve.segment``) against jieba.

Verifying a keyword hit means asking whether the segmentation of the hit's context puts token
boundaries at both ends of the hit (法轮 in 没办法轮流 is not a word; 大麻 in 我吸了大麻 is).

Data: the 2,000 sampled reviews (``messages`` fixture) and every occurrence in them of a few
terms (``TERMS``, ~2k hits). For each hit, the window is the message from 16 code points before
the hit to 16 after (clipped to the message).

Group ``segment_verify`` -- one round verifies every hit:

* ``hansieve``: ``seg.is_boundary_aligned(message, start, end)`` (it picks its own window: the
  han blocks around the hit, at most 16 code points each side, up to 32 to reach a block edge);
* ``hansieve_window``: the same call on the window strings jieba gets;
* ``hansieve_many``: ``seg.is_boundary_aligned_many(message, spans)`` once per message with hits;
* ``jieba``: ``tokenizer.lcut(window, HMM=False)`` then the boundary check in Python.

Group ``segment_cut`` -- one round segments the 2,000 messages: ``seg.cut(msg)`` against
``tokenizer.lcut(msg, HMM=False)`` (equal token lists, asserted outside the timing).

``extra_info['us_per_hit']`` / ``['us_per_message']`` divide the median by the number of hits or
messages. ``test_verification_cost_ratio`` checks the issue's goal outside pytest-benchmark:
native verification costs at most 5 % of jieba's time per hit window (best of 3 passes each; it
also runs under ``--benchmark-disable``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import pytest

from .bench_common import pick_rounds, timed

#: terms whose occurrences in the reviews are verified (frequent words and two sensitive ones)
TERMS = ("不错", "质量", "服务", "价格", "房间", "感觉", "一般", "可以", "大麻", "法轮")
WINDOW = 16
#: the issue's goal: native verification costs at most this fraction of jieba's time
MAX_COST_RATIO = 0.05


@dataclass
class Hits:
    spans: list[tuple[str, int, int]]             # (message, start, end)
    windows: list[tuple[str, int, int]]           # (window text, start, end) relative to it
    per_message: list[tuple[str, list[tuple[int, int]]]]


def find_hits(messages: list[str]) -> Hits:
    spans, windows, per_message = [], [], []
    for m in messages:
        mine = []
        for term in TERMS:
            i = m.find(term)
            while i >= 0:
                mine.append((i, i + len(term)))
                i = m.find(term, i + 1)
        mine.sort()
        for s, e in mine:
            lo, hi = max(0, s - WINDOW), min(len(m), e + WINDOW)
            spans.append((m, s, e))
            windows.append((m[lo:hi], s - lo, e - lo))
        if mine:
            per_message.append((m, mine))
    return Hits(spans, windows, per_message)


def token_starts(tokens: list[str]) -> set[int]:
    starts, pos = {0}, 0
    for t in tokens:
        pos += len(t)
        starts.add(pos)
    return starts


# --------------------------------------------------------------------------------------------
# fixtures (outside any timing)


@pytest.fixture(scope="session")
def jieba_tokenizer():
    jieba = pytest.importorskip("jieba")
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


@pytest.fixture(scope="session")
def segmenter():
    """(the Segmenter of jieba's default dictionary, seconds it took to build)"""
    pytest.importorskip("jieba")
    from hansieve.segment import build_segmenter

    t0 = time.perf_counter()
    seg = build_segmenter()
    return seg, time.perf_counter() - t0


@pytest.fixture(scope="session")
def hits(messages: list[str]) -> Hits:
    found = find_hits(messages)
    assert len(found.spans) > 1_000
    return found


# --------------------------------------------------------------------------------------------
# the timed loops: each returns the number of aligned hits


def verify_loop(engine: str, seg, tok):
    if engine == "hansieve":
        def run(h: Hits, aligned=seg.is_boundary_aligned):
            n = 0
            for m, s, e in h.spans:
                n += aligned(m, s, e)
            return n
    elif engine == "hansieve_window":
        def run(h: Hits, aligned=seg.is_boundary_aligned):
            n = 0
            for w, s, e in h.windows:
                n += aligned(w, s, e)
            return n
    elif engine == "hansieve_many":
        def run(h: Hits, many=seg.is_boundary_aligned_many):
            n = 0
            for m, spans in h.per_message:
                n += sum(many(m, spans))
            return n
    elif engine == "jieba":
        def run(h: Hits, lcut=tok.lcut):
            n = 0
            for w, s, e in h.windows:
                starts = token_starts(lcut(w, HMM=False))
                n += s in starts and e in starts
            return n
    else:  # pragma: no cover
        raise AssertionError(engine)
    return run


VERIFY_ENGINES = ("hansieve", "hansieve_window", "hansieve_many", "jieba")


@pytest.fixture(scope="session")
def verify_expected(segmenter, jieba_tokenizer, hits: Hits, messages: list[str]) -> dict:
    """``{engine: (count, seconds of one pass)}`` plus the cross-checks against jieba's
    segmentation of the whole messages."""
    seg, _ = segmenter
    out = {e: timed(verify_loop(e, seg, jieba_tokenizer), hits) for e in VERIFY_ENGINES}
    # The native verdicts, from the native window, are the verdicts of jieba's segmentation of
    # the whole message (the window sees the hit's han blocks whole or 16+ code points of them).
    full = {m: token_starts(jieba_tokenizer.lcut(m, HMM=False)) for m in messages}
    truth = [s in full[m] and e in full[m] for m, s, e in hits.spans]
    native = [seg.is_boundary_aligned(m, s, e) for m, s, e in hits.spans]
    disagree = sum(a != b for a, b in zip(native, truth))
    assert disagree <= len(truth) // 1000, disagree
    assert out["hansieve"][0] == out["hansieve_many"][0] == sum(native)
    out["disagreements_with_full_text"] = disagree
    return out


# --------------------------------------------------------------------------------------------
# benchmarks


@pytest.mark.parametrize("engine", VERIFY_ENGINES)
def test_segment_verify(benchmark, engine, segmenter, jieba_tokenizer, hits, verify_expected):
    seg, _ = segmenter
    run = verify_loop(engine, seg, jieba_tokenizer)
    want, seconds = verify_expected[engine]
    benchmark.group = "segment_verify"
    benchmark.extra_info.update(engine=engine, n_hits=len(hits.spans), window=WINDOW,
                                aligned=want, terms=list(TERMS))
    got = benchmark.pedantic(run, args=(hits,), rounds=pick_rounds(seconds, target=0.5),
                             warmup_rounds=1)
    assert got == want
    if benchmark.enabled and benchmark.stats is not None:
        benchmark.extra_info["us_per_hit"] = benchmark.stats.stats.median / len(hits.spans) * 1e6


def cut_loop(engine: str, seg, tok):
    if engine == "hansieve":
        def run(msgs, cut=seg.cut):
            n = 0
            for m in msgs:
                n += len(cut(m))
            return n
    else:
        def run(msgs, lcut=tok.lcut):
            n = 0
            for m in msgs:
                n += len(lcut(m, HMM=False))
            return n
    return run


@pytest.fixture(scope="session")
def cut_expected(segmenter, jieba_tokenizer, messages: list[str]) -> dict:
    seg, _ = segmenter
    bad = [m for m in messages if seg.cut(m) != jieba_tokenizer.lcut(m, HMM=False)]
    assert not bad, bad[:5]
    return {e: timed(cut_loop(e, seg, jieba_tokenizer), messages) for e in ("hansieve", "jieba")}


@pytest.mark.parametrize("engine", ["hansieve", "jieba"])
def test_segment_cut(benchmark, engine, segmenter, jieba_tokenizer, messages, cut_expected):
    seg, build_seconds = segmenter
    run = cut_loop(engine, seg, jieba_tokenizer)
    want, seconds = cut_expected[engine]
    benchmark.group = "segment_cut"
    benchmark.extra_info.update(engine=engine, n_messages=len(messages), tokens=want)
    if engine == "hansieve":
        benchmark.extra_info.update(build_seconds=build_seconds,
                                    memory_bytes=seg.memory_usage(), **seg.stats())
    got = benchmark.pedantic(run, args=(messages,), rounds=pick_rounds(seconds, target=0.5, lo=3),
                             warmup_rounds=1 if engine == "hansieve" else 0)
    assert got == want
    if benchmark.enabled and benchmark.stats is not None:
        benchmark.extra_info["us_per_message"] = (
            benchmark.stats.stats.median / len(messages) * 1e6)


def test_verification_cost_ratio(segmenter, jieba_tokenizer, hits, verify_expected):
    """The issue's goal: native verification <= 5 % of jieba's time per hit window."""
    seg, _ = segmenter
    best = {}
    for engine in ("hansieve", "jieba"):
        run = verify_loop(engine, seg, jieba_tokenizer)
        best[engine] = min(timed(run, hits)[1] for _ in range(3))
    ratio = best["hansieve"] / best["jieba"]
    n = len(hits.spans)
    print(f"\nverification per hit: hansieve {best['hansieve'] / n * 1e6:.2f} us, "
          f"jieba {best['jieba'] / n * 1e6:.1f} us, ratio {ratio:.2%}")
    assert ratio <= MAX_COST_RATIO, best
