"""Sieve.find / contains / first / count / mask against the plain-Python oracle (the automaton
with folds, noise skipping and the whole-word rule; word-boundary verification off), on random
lexicons and texts made of the characters that exercise every fold: traditional and simplified
CJK, full width, circled and mathematical letters, one-to-many folds, noise of every class,
non-BMP characters and lone surrogates."""

import random

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import hansieve
from hansieve.fold import FoldOptions, fold_map

import oracle

# Characters chosen so that random terms and texts collide often.
TERM_CHARS = ("ab法轮輪功發发六四A" "\uff21\uff41" "\u24d0\U0001d41a" "1\u2460\u2469" "\U00020000\U0002a6a5"
              "\u2ee9\u9ec4\u0455\u1d00")     # ⻩ 黄 ѕ ᴀ: the variant layer
NOISE_CHARS = " *\u200b\ufe0f\u3002\uff0c\U0001f600\u0301"
OTHER_CHARS = "xy\ud800\udfff\uffff\U000e0100"
ALL_CHARS = TERM_CHARS + NOISE_CHARS + OTHER_CHARS

terms_st = st.lists(st.text(alphabet=TERM_CHARS + NOISE_CHARS[:3], min_size=1, max_size=4),
                    min_size=1, max_size=8)
text_st = st.text(alphabet=ALL_CHARS, max_size=60)
options_st = st.builds(FoldOptions, st.booleans(), st.booleans(), st.booleans(), st.booleans(),
                       st.booleans())


def usable(terms, options):
    fm = fold_map(options)
    return all(fm.fold_term(t) for t in terms)


def compile_with(terms, options, max_gap, kind="overlapping", whole_word=True, collapse=False):
    return hansieve.compile(terms, match_kind=kind, fold_chinese=options.chinese,
                            fold_compat=options.compat, fold_case=options.case,
                            skip_noise=options.noise, fold_variants=options.variants,
                            max_gap=max_gap, whole_word=whole_word, verify="off",
                            collapse_repeats=collapse, variants=False, channels=False)


def triples(matches):
    return [(m.term_id, m.start, m.end) for m in matches]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms=terms_st, text=text_st, options=options_st, max_gap=st.integers(0, 3),
       whole_word=st.booleans())
def test_find_equals_oracle(terms, text, options, max_gap, whole_word):
    assume(usable(terms, options))
    sieve = compile_with(terms, options, max_gap, whole_word=whole_word)
    expected = oracle.find(terms, text, options, max_gap, whole_word)
    assert triples(sieve.find(text)) == expected
    assert sieve.count(text) == len(expected)
    assert sieve.contains(text) == bool(expected)
    first = sieve.first(text)
    assert (first is None) if not expected else (triples([first]) == expected[:1])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms=terms_st, text=st.text(alphabet=ALL_CHARS + "法法轮轮", max_size=60),
       options=options_st, max_gap=st.integers(0, 3))
def test_repeat_collapse_equals_oracle(terms, text, options, max_gap):
    """For lexicons without a doubled character, collapsing repeats inside a match is reading
    every run of one folded character as one."""
    assume(usable(terms, options))
    fm = fold_map(options)
    assume(all(not any(a == b for a, b in zip(k, k[1:])) for k in map(fm.fold_term, terms)))
    sieve = compile_with(terms, options, max_gap, collapse=True)
    expected = oracle.find(terms, text, options, max_gap, collapse=True)
    assert triples(sieve.find(text)) == expected


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms=terms_st, text=text_st, options=options_st, max_gap=st.integers(0, 3),
       whole_word=st.booleans())
def test_leftmost_longest_equals_oracle(terms, text, options, max_gap, whole_word):
    assume(usable(terms, options))
    sieve = compile_with(terms, options, max_gap, kind="leftmost_longest", whole_word=whole_word)
    expected = oracle.find_leftmost_longest(terms, text, options, max_gap, whole_word)
    assert triples(sieve.find(text)) == expected
    assert sieve.count(text) == len(expected)
    first = sieve.first(text)
    assert (first is None) if not expected else (triples([first]) == expected[:1])


# Wide states (more than 8 edges: searched by bisection behind the edge filter), as a real
# lexicon with variant spellings has under its common first characters.
WIDE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789轮功六四发法黄大小中"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(heads=st.lists(st.sampled_from("法轮a"), min_size=1, max_size=2, unique=True),
       tails=st.lists(st.text(alphabet=WIDE_CHARS, min_size=1, max_size=3), min_size=9,
                      max_size=60, unique=True),
       extra=terms_st, text=st.text(alphabet=WIDE_CHARS + "法轮 *x\U0001f600", max_size=80),
       kind=st.sampled_from(["overlapping", "leftmost_longest"]))
def test_wide_states_equal_oracle(heads, tails, extra, text, kind):
    terms = [h + t for h in heads for t in tails] + extra
    options = FoldOptions()
    assume(usable(terms, options))
    sieve = compile_with(terms, options, 1, kind=kind)
    if kind == "overlapping":
        expected = oracle.find(terms, text, options, 1, True)
    else:
        expected = oracle.find_leftmost_longest(terms, text, options, 1, True)
    assert triples(sieve.find(text)) == expected


@settings(max_examples=200, deadline=None)
@given(terms=terms_st, text=text_st, max_gap=st.integers(0, 3))
def test_mask_keeps_length_and_everything_outside_hits(terms, text, max_gap):
    assume(usable(terms, FoldOptions()))
    sieve = compile_with(terms, FoldOptions(), max_gap)
    masked = sieve.mask(text, "#")
    assert len(masked) == len(text)
    covered = set()
    for _, start, end in oracle.find(terms, text, FoldOptions(), max_gap):
        covered.update(range(start, end))
    for i, (a, b) in enumerate(zip(text, masked)):
        assert b == ("#" if i in covered else a)


@settings(max_examples=200, deadline=None)
@given(terms=st.lists(st.text(alphabet="abc法轮功", min_size=1, max_size=4), min_size=1,
                      max_size=10, unique=True),
       text=st.text(alphabet="abc法轮功 x", max_size=80))
def test_folds_off_equals_pyahocorasick(terms, text):
    ahocorasick = pytest.importorskip("ahocorasick")
    automaton = ahocorasick.Automaton()
    for i, t in enumerate(terms):
        automaton.add_word(t, (i, t))
    automaton.make_automaton()
    expected = sorted((i, end - len(t) + 1, end + 1) for end, (i, t) in automaton.iter(text))
    sieve = hansieve.compile(terms, fold_chinese=False, fold_compat=False, fold_case=False,
                             skip_noise=False, fold_variants=False, whole_word=False,
                             verify="off", collapse_repeats=False, variants=False, channels=False)
    assert sorted(triples(sieve.find(text))) == expected


@pytest.mark.slow     # 30 one-megabyte texts: over a minute on 2 busy cores
@settings(max_examples=30, deadline=None)
@given(terms=terms_st, seed=st.integers(0, 2**32 - 1))
def test_one_megabyte_text(terms, seed):
    options = FoldOptions()
    assume(usable(terms, options))
    rng = random.Random(seed)
    # 1 MiB-ish of code points, built from random chunks with the terms planted in them.
    pieces = []
    size = 0
    while size < 1 << 20:
        if rng.random() < 0.05:
            piece = rng.choice(terms)
        else:
            piece = "".join(rng.choice(ALL_CHARS) for _ in range(rng.randint(1, 64)))
        pieces.append(piece)
        size += len(piece)
    text = "".join(pieces)
    sieve = compile_with(terms, options, 3)
    assert triples(sieve.find(text)) == oracle.find(terms, text, options, 3)


@pytest.mark.parametrize("text", ["", " ", "\u200b" * 10, "*" * 1000, "\ud800", "\U0001f600" * 5],
                         ids=["empty", "space", "zero-width", "stars", "lone-surrogate", "emoji"])
def test_edge_texts(text):
    sieve = hansieve.compile(["法轮功", "a"])
    assert sieve.find(text) == []
    assert not sieve.contains(text)
    assert sieve.mask(text) == text
