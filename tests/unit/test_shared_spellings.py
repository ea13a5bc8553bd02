"""Every term sharing a spelling is reported (issue 16): two terms folding to one key, or a
variant spelling of one term that is another term's key or variant, report each term, with
its own category and severity, in every call and both match kinds (leftmost-longest: the same
span once for each term sharing it)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import hansieve
from hansieve import Term
from hansieve import variants as V
from hansieve.compile import VARIANT_DEFAULTS
from hansieve.fold import FoldOptions, fold_map
from hansieve.variants import pinyin_syllables

import oracle

needs_pinyin = pytest.mark.skipif(not V.HAS_PYPINYIN, reason="pypinyin is not installed")
KINDS = ["overlapping", "leftmost_longest"]


def every_call(sieve, text):
    """(term, category, severity, start, end) of each hit of `text`, by find, check, a stream
    fed one code point at a time and find_many; asserting that they agree, and that first,
    contains, count and mask agree with them."""
    def rows(matches):
        return [(m.term, m.category, m.severity, m.start, m.end) for m in matches]

    found = rows(sieve.find(text))
    assert rows(sieve.check(text).matches) == found
    stream = sieve.stream()
    streamed = [m for ch in text for m in stream.feed(ch)] + stream.close()
    assert sorted(rows(streamed)) == sorted(found)
    assert [rows(ms) for ms in sieve.find_many([text, "", text])] == [found, [], found]
    assert sieve.count(text) == len(found)
    assert sieve.contains(text) == bool(found)
    first = sieve.first(text)
    assert (first is None) if not found else (rows([first]) == found[:1])
    covered = {i for *_, start, end in found for i in range(start, end)}
    assert sieve.mask(text, "#") == "".join("#" if i in covered else c for i, c in enumerate(text))
    return found


@needs_pinyin
@pytest.mark.issue(16)
@pytest.mark.parametrize("kind", KINDS)
def test_a_pinyin_spelling_two_terms_share_reports_both(kind):
    sieve = hansieve.compile([Term("同姓恋", "other", "notice"),
                              Term("同性恋", "discrimination", "review")], match_kind=kind)
    assert every_call(sieve, "tong xing lian") == [
        ("同姓恋", "other", "notice", 0, 14), ("同性恋", "discrimination", "review", 0, 14)]
    hits = sieve.find("tong xing lian")
    assert [(m.term_id, m.mechanism, m.via) for m in hits] == [
        (0, "pinyin", "tongxinglian"), (1, "pinyin", "tongxinglian")]
    verdict = sieve.check("tong xing lian")
    assert (verdict.action, verdict.severity, verdict.categories) == (
        "review", "review", ("discrimination", "other"))
    # Each term's own spelling stays its own.
    assert [(m.term, m.mechanism) for m in sieve.find("同性恋")] == [("同性恋", "exact")]


@pytest.mark.issue(16)
@pytest.mark.parametrize("kind", KINDS)
def test_duplicate_terms_with_their_own_metadata(kind):
    sieve = hansieve.compile([Term("大麻", category="drugs"),
                              Term("大麻", category="other", severity="block")], match_kind=kind)
    assert every_call(sieve, "他吸大麻") == [("大麻", "drugs", None, 2, 4),
                                          ("大麻", "other", "block", 2, 4)]
    assert sieve.check("他吸大麻").categories == ("drugs", "other")


@pytest.mark.issue(16)
@pytest.mark.parametrize("kind", KINDS)
def test_traditional_and_simplified_terms_fold_together(kind):
    sieve = hansieve.compile([Term("法輪功", "politics", "review"), Term("法轮功", "rumor", "block"),
                              "轮功大法"], match_kind=kind)
    expected = [("法輪功", "politics", "review", 2, 5), ("法轮功", "rumor", "block", 2, 5)]
    assert every_call(sieve, "我说法轮功。") == expected
    assert every_call(sieve, "我说法輪功。") == expected
    assert sieve.check("我说法轮功。").action == "block"


@needs_pinyin
@pytest.mark.issue(16)
@pytest.mark.parametrize("kind", KINDS)
def test_a_variant_of_one_term_is_another_terms_key(kind):
    sieve = hansieve.compile([Term("同性恋", "discrimination"), Term("tongxinglian", "other")],
                             match_kind=kind)
    hits = sieve.find("说 tongxinglian 了")
    # Same span: in entry order (the lexicon's terms, then the variant spellings).
    assert [(m.term, m.category, m.mechanism, m.via) for m in hits] == [
        ("tongxinglian", "other", "exact", "tongxinglian"),
        ("同性恋", "discrimination", "pinyin", "tongxinglian")]
    assert every_call(sieve, "说 tongxinglian 了") == [
        ("tongxinglian", "other", None, 2, 14), ("同性恋", "discrimination", None, 2, 14)]


@needs_pinyin
@pytest.mark.issue(16)
@pytest.mark.parametrize("kind", KINDS)
def test_the_allowlist_drops_every_term_sharing_the_spelling(kind):
    sieve = hansieve.compile(["同姓恋", "同性恋"], allow=["tong xing lian ai"], match_kind=kind)
    assert sieve.find("tong xing lian ai") == []
    assert len(sieve.find("tong xing lian")) == 2


@needs_pinyin
@pytest.mark.issue(16)
def test_masked_forms_treat_every_sharing_term_alike():
    """A masked form is reported only where a mask symbol stood, whichever term owns it."""
    sieve = hansieve.compile([Term("法轮大法", "politics"), Term("法轮大法", "rumor")])
    assert [m.category for m in sieve.find("他们练法*大法")] == ["politics", "rumor"]
    assert [m.mechanism for m in sieve.find("他们练法*大法")] == ["masked", "masked"]


# ---- the oracle, with variant spellings ---------------------------------------------------

# Characters whose readings collide (同性/同姓 tongxing, 大麻/大马 dama, 法轮/法伦 falun) and
# the pinyin people write for them.
HANZI = "同性姓恋大麻马法轮伦功"
SHARING = ["同性恋", "同姓恋", "同性", "同姓", "法轮功", "法伦功", "法輪功", "大麻", "大马"]
PIECES = list(HANZI) + ["tong", "xing", "lian", "da", "ma", "fa", "lun", "gong", " ", "，", "x",
                        "tong xing lian", "同xing恋", "tongxing", "fa lun gong", "法lun功", "flg"]
VARIANT_OPTIONS = {"mask": False}


def _glued_hits(keys, owners, terms, text):
    """(key index, start, end) of pinyin keys of 3+ syllables glued to other Latin letters
    where the glued-pinyin rule (oracle.glued_pinyin_ok) keeps them."""
    sylls = pinyin_syllables()
    low, out = text.lower(), set()
    for k, key in enumerate(keys):
        if not (key.isascii() and key.isalpha()
                and sum(1 for c in terms[owners[k]] if "\u4e00" <= c <= "\u9fff") >= 3):
            continue
        for _, i, j in oracle.find([key], text, whole_word=False):
            touches = (i > 0 and low[i - 1].isascii() and low[i - 1].isalnum()) or (
                j < len(low) and low[j].isascii() and low[j].isalnum())
            if touches and oracle.glued_pinyin_ok(text, i, j, sylls):
                out.add((k, i, j))
    return out


def spellings(term: str) -> list[str]:
    """The folded keys a term owns: its own and every variant spelling compile() asks for."""
    fm = fold_map(FoldOptions())
    keys = [fm.fold_term(term)]
    for v in V.variants(term, **dict(VARIANT_DEFAULTS, **VARIANT_OPTIONS)):
        key = fm.fold_term(v.text)
        if key and key not in keys:
            keys.append(key)
    return keys


@needs_pinyin
@pytest.mark.issue(16)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms=st.lists(st.sampled_from(SHARING) | st.text(alphabet=HANZI, min_size=2, max_size=3),
                     min_size=1, max_size=5),
       text=st.lists(st.sampled_from(PIECES), max_size=10).map("".join),
       kind=st.sampled_from(KINDS))
def test_every_term_owning_a_spelling_is_reported(terms, text, kind):
    """Each term is reported at every hit of any spelling it owns, however many other terms
    own the same one: the oracle searches every (term, spelling) pair on its own."""
    owners, keys = [], []
    for term_id, term in enumerate(terms):
        for key in spellings(term):
            owners.append(term_id)
            keys.append(key)
    # channels=False: the disguise channel (tests/property/test_channels.py) is not a spelling.
    sieve = hansieve.compile(terms, match_kind=kind, verify="off", variants=VARIANT_OPTIONS,
                             collapse_repeats=False, channels=False)
    glued = _glued_hits(keys, owners, terms, text)
    if kind == "overlapping":
        hits = sorted(set(oracle.find(keys, text)) | glued)
    else:
        # which glued hit leftmost-longest keeps is tests/property/test_glued_oracle.py's job
        assume(not glued - set(oracle.find(keys, text)))
        hits = oracle.find_leftmost_longest(keys, text)
    expected = Counter((owners[k], start, end) for k, start, end in hits)
    assert Counter((m.term_id, m.start, m.end) for m in sieve.find(text)) == expected
    assert sieve.count(text) == sum(expected.values())
