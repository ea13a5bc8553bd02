"""The glued-pinyin rule (issue 16) against a brute-force oracle: a pinyin key of 3+ syllables
touching Latin letters is reported by find() exactly where ``oracle.glued_pinyin_ok`` (every
segmentation of the run tried) keeps it, in both match kinds' whole-word paths, and a stream
fed the text in any chunks reports the same."""

import functools
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hansieve
from hansieve.lexicon import Term
from hansieve.variants import pinyin_syllables

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import oracle  # noqa: E402

TERMS = ["老哥妈的", "轮子功", "天安门", "草泥马", "去死吧"]
# Pieces of text: syllables (some a/o/e-initial), the keys' own syllables, English-ish letters,
# capitals, digits, CJK and separators.
PIECES = ["wo", "shi", "a", "an", "e", "ou", "de", "xin", "xue", "ni", "ge", "ri", "lao", "ge",
          "ma", "lun", "zi", "gong", "tian", "men", "cao", "qu", "si", "ba", "laogemade",
          "lunzigong", "tiananmen", "caonima", "qusiba", "th", "x", "mother", "L", "Wo", "T",
          "5", "中", " ", "，"]


@functools.lru_cache(maxsize=2)
def sieve(kind):
    return hansieve.compile([Term(t, flags=("pinyin",)) for t in TERMS], variants=False,
                            verify="off", match_kind=kind)


def raw_keys(sv):
    """(entry key, base term id) of every glued pinyin entry."""
    out = []
    for i in range(sv.n_entries if hasattr(sv, "n_entries") else 10**6):
        try:
            e = sv.entry(i)
        except Exception:
            break
        if e.get("kind") == "variant" and e.get("mechanism") == "pinyin":
            out.append((e["text"].lower(), int(e["base"])))
    return out


def expected(sv, text):
    sylls = pinyin_syllables()
    low = text.lower()
    hits = set()
    for key, base in raw_keys(sv):
        i = low.find(key)
        while i >= 0:
            j = i + len(key)
            touches = (i > 0 and low[i - 1].isascii() and low[i - 1].isalnum()) or (
                j < len(low) and low[j].isascii() and low[j].isalnum())
            if not touches or oracle.glued_pinyin_ok(text, i, j, sylls):
                hits.add((base, i, j))
            i = low.find(key, i + 1)
    return hits


text_st = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=text_st, cuts=st.lists(st.integers(0, 60), max_size=3))
def test_glued_find_and_stream_equal_oracle(text, cuts):
    sv = sieve("overlapping")
    got = {(m.term_id, m.start, m.end) for m in sv.find(text)}
    assert got == expected(sv, text), text
    points = [0] + sorted(c % (len(text) + 1) for c in cuts) + [len(text)]
    stream = sv.stream()
    out = []
    for a, b in zip(points, points[1:]):
        out += stream.feed(text[a:b])
    out += stream.close()
    assert {(m.term_id, m.start, m.end) for m in out} == got, text
