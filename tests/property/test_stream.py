"""Sieve.stream(): for any split of a text into chunks, the stream's hits equal find() on the
whole text (offsets absolute, hits across chunk boundaries and noise skipped across them), and
the text it holds stays bounded whatever the stream's length."""

import functools

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import hansieve
from hansieve.fold import FoldOptions

from test_oracle import ALL_CHARS, compile_with, options_st, terms_st, usable


def spans(matches):
    return [(m.term_id, m.start, m.end) for m in matches]


def chunks_of(text, cuts):
    """`text` cut at the sorted, distinct positions `cuts` (chunks may be empty)."""
    points = [0] + sorted(c % (len(text) + 1) for c in cuts) + [len(text)]
    return [text[a:b] for a, b in zip(points, points[1:])]


def streamed(sieve, chunks):
    """The stream's hits over `chunks`; checks on the way that `settled` only moves forward and
    that every term hit of find() starting before it has been returned by then."""
    stream = sieve.stream()
    text = "".join(chunks)
    expected = [m for m in sieve.find(text) if not is_rule(sieve, m)]
    out = []
    settled = 0
    for chunk in chunks:
        out += stream.feed(chunk)
        assert settled <= stream.settled <= stream.position
        settled = stream.settled
        got = {(m.term_id, m.start, m.end) for m in out}
        assert all((m.term_id, m.start, m.end) in got for m in expected if m.start < settled)
    out += stream.close()
    assert stream.closed and stream.position == len(text) == stream.settled
    return out


def is_rule(sieve, m):
    return sieve.entry(m.term_id)["kind"] == "rule"


def split_rules(sieve, matches):
    """(term hits in order, rule hits sorted): a stream reports a rule hit when it is decided,
    find() after the term hits."""
    rules = [m for m in matches if is_rule(sieve, m)]
    terms = [m for m in matches if not is_rule(sieve, m)]
    return spans(terms), sorted(spans(rules))


# ---- random lexicons: every fold, noise, whole-word rule, both match kinds ---------------------

@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms=terms_st, text=st.text(alphabet=ALL_CHARS + "法法轮轮\ud83d\ude00", max_size=80),
       options=options_st, max_gap=st.integers(0, 3), whole_word=st.booleans(),
       kind=st.sampled_from(["overlapping", "leftmost_longest"]), collapse=st.booleans(),
       cuts=st.lists(st.integers(0, 10**6), max_size=12))
def test_any_split_equals_find(terms, text, options, max_gap, whole_word, kind, collapse, cuts):
    assume(usable(terms, options))
    sieve = compile_with(terms, options, max_gap, kind=kind, whole_word=whole_word,
                         collapse=collapse)
    expected = spans(sieve.find(text))
    assert spans(streamed(sieve, chunks_of(text, cuts))) == expected
    # One code point per chunk, and the whole text in one chunk.
    assert spans(streamed(sieve, list(text))) == expected
    assert spans(streamed(sieve, [text])) == expected


def test_split_inside_a_surrogate_pair():
    """A pair of surrogates split across chunks stays two code points, as in the joined text."""
    sieve = hansieve.compile(["法轮功"], verify="off")
    text = "法轮\ud83d\ude00功 法轮功\ud83d\ude00法輪功"
    expected = spans(sieve.find(text))
    assert expected == [(0, 6, 9), (0, 11, 14)]     # lone surrogates are not noise: no skip
    assert spans(streamed(sieve, ["法轮\ud83d", "\ude00功 法轮功\ud83d", "\ude00法", "輪功"])) == expected


# ---- the default pipeline: allowlist, verification, rules, variants --------------------------

@functools.lru_cache(maxsize=1)
def default_sieve():
    return hansieve.compile(hansieve.load_lexicon())


# Pieces that make the default lexicon's decisions matter: deny terms, allowlisted contexts,
# boundary-verified terms in and out of words, rule operands near and far, variants, noise.
PIECES = ["法轮功", "法輪功", "法*轮*功", "falungong", "大麻", "大麻烦", "出售", "枪支", "枪",
          "百家乐", "防骗", "加微信", "上门", "没办法轮流值班", "六四", "六 四", "周六四点",
          "fuck", "Sussex", "共铲党", "习近平", "兼职", "刷单", "，", "。", " ", "\u200b", "*",
          "今天天气很好", "我们", "这个东西", "\U0001f600", "\ud83d", "\ude00", "x", "3"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=30),
       cuts=st.lists(st.integers(0, 10**6), max_size=10))
def test_default_pipeline_any_split_equals_find(pieces, cuts):
    sieve = default_sieve()
    text = "".join(pieces)
    expected = split_rules(sieve, sieve.find(text))
    assert split_rules(sieve, streamed(sieve, chunks_of(text, cuts))) == expected
    assert split_rules(sieve, streamed(sieve, list(text))) == expected


def test_block_hit_arrives_before_the_stream_ends():
    """A service can stop generation at the first block hit: the hit comes back from the feed
    that completes it plus at most the verification window, not at close()."""
    sieve = default_sieve()
    stream = sieve.stream()
    tokens = ["我", "觉得", "法", "*轮", "*功", "是", "一个"] + ["很长的回答"] * 20
    seen_at = None
    for i, token in enumerate(tokens):
        if any(m.severity == "block" for m in stream.feed(token)):
            seen_at = i
            break
    assert seen_at is not None and seen_at <= 6


# ---- bounded memory ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "法" * 200_000 + "轮功",                       # a stutter longer than any span
    ("今天说了法轮功，明天又说大麻烦的事。" * 20_000),
    "\u200b" * 100_000 + "法轮功",
    "f" * 100_000 + "uck",
], ids=["stutter", "sentences", "noise", "latin-run"])
def test_held_text_is_bounded(text):
    sieve = default_sieve()
    stream = sieve.stream()
    held = 0
    out = []
    for i in range(0, len(text), 7):
        out += stream.feed(text[i:i + 7])
        held = max(held, stream.buffered)
    out += stream.close()
    bound = sieve.max_term_len * (sieve.options["max_gap"] + 1) + 2 * 21 + 7 + 1
    assert held <= bound
    assert split_rules(sieve, out) == split_rules(sieve, sieve.find(text))


# ---- the API's edges -------------------------------------------------------------------------

def test_stream_api_errors():
    sieve = hansieve.compile(["法轮功"])
    stream = sieve.stream()
    with pytest.raises(TypeError):
        stream.feed(b"\xe6\xb3\x95")
    with pytest.raises(TypeError):
        stream.feed(None)
    assert stream.feed("") == [] and stream.position == 0
    assert stream.sieve is sieve
    stream.feed("法轮")
    assert [m.term for m in stream.close()] == []
    assert stream.close() == []
    with pytest.raises(ValueError, match="E106"):
        stream.feed("功")
    with pytest.raises(TypeError):
        hansieve.Stream()


def test_empty_lexicon_and_empty_stream():
    sieve = hansieve.compile(["法轮功"])
    assert sieve.stream().close() == []
    leftmost = hansieve.compile(["法轮", "法轮功"], match_kind="leftmost_longest", verify="off")
    assert spans(streamed(leftmost, ["法", "轮", "功"])) == [(1, 0, 3)]
    assert spans(streamed(leftmost, ["法", "轮", ""])) == [(0, 0, 2)]


# ---- contains() and count() past their held-hit cap go on with a stream ----------------------

@pytest.fixture
def held_hit_cap_one():
    """Every text with a held hit takes the streamed path of contains()/count()."""
    old = hansieve._core._set_held_hits_cap(1)
    try:
        yield
    finally:
        hansieve._core._set_held_hits_cap(old)


@pytest.mark.issue(8)
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(terms=terms_st, text=st.text(alphabet=ALL_CHARS + "法法轮轮", max_size=80),
       options=options_st, max_gap=st.integers(0, 3),
       kind=st.sampled_from(["overlapping", "leftmost_longest"]), collapse=st.booleans(),
       allow=st.lists(st.text(alphabet="法轮輪功六四ab", min_size=2, max_size=5), max_size=3))
def test_streamed_contains_and_count_equal_find(held_hit_cap_one, terms, text, options, max_gap,
                                                kind, collapse, allow):
    assume(usable(terms + allow, options))
    sieve = hansieve.compile(terms, allow=allow, match_kind=kind, fold_chinese=options.chinese,
                             fold_compat=options.compat, fold_case=options.case,
                             skip_noise=options.noise, fold_variants=options.variants,
                             max_gap=max_gap, verify="off", collapse_repeats=collapse,
                             variants=False)
    hits = sieve.find(text)
    assert sieve.contains(text) == bool(hits)
    assert sieve.count(text) == len(hits)


@pytest.mark.issue(8)
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=30))
def test_default_pipeline_streamed_contains_and_count_equal_find(held_hit_cap_one, pieces):
    sieve = default_sieve()
    text = "".join(pieces)
    hits = sieve.find(text)
    assert sieve.contains(text) == bool(hits)
    assert sieve.count(text) == len(hits)
