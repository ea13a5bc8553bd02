"""The disguise channel (issue 16): its automaton against the plain-Python reference
(``oracle.channel_hits``), and every caller agreeing on what the judge keeps: ``find``,
``check``, ``find_many``, ``first``/``contains``/``count``, a ``Stream`` fed in any chunks, a
Sieve saved and loaded."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hansieve
from hansieve import _core
from hansieve.channels import table

from oracle import channel_hits
from test_stream import chunks_of

TERMS = ["冰毒", "法轮功", "枪支", "女权", "共产党", "鸡头", "大麻", "傻逼", "傻比", "台独", "人妖",
         "六四", "fuck"]
# Characters a disguise of those terms is made of, their homophones and lookalikes, emoji and
# fillers of the channel table, noise, separators, ordinary text, and the hard cases: non-BMP
# characters and lone surrogates.
_T = table()
DISGUISE_CHARS = sorted(set(
    "".join(TERMS) + "犊毒读珐伦工罚仑抡公功攻贡残产铲钕权拳🐔🔫🐎💣鸡几头投打妈马麻病态度要妖我住"
    + "x啊吗呀哈吧 ，。*·\u200b🙂ab1" + "\U00020000\U0002a6a5\ud800"))
text_st = st.lists(st.sampled_from(DISGUISE_CHARS), max_size=40).map("".join)


@pytest.fixture(scope="module")
def sieve():
    return hansieve.compile(TERMS, variants=False, collapse_repeats=False)


def channel_terms(s):
    """Channel automaton term k -> index into TERMS."""
    first = s.header["counts"]["channel_first"]
    n = len(s._channel)
    return [s.entry(first + k)["base"] for k in range(n)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=text_st)
def test_channel_automaton_matches_the_oracle(sieve, text):
    to_term = channel_terms(sieve)
    got = sorted({(to_term[k], a, b) for k, a, b in _core._raw_hits(sieve._channel, text)})
    want = sorted({(TERMS.index(TERMS[k]), a, b) for k, a, b in channel_hits(TERMS, text)
                   if k in to_term})
    assert got == want


def spans(ms):
    return [(m.term_id, m.start, m.end, m.mechanism) for m in ms]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=text_st, cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=6))
def test_every_caller_agrees(sieve, text, cuts):
    found = sieve.find(text)
    assert spans(sieve.find_many([text, text])[1]) == spans(found)
    assert spans(sieve.check(text).matches) == spans(found)
    assert sieve.count(text) == len(found)
    assert sieve.contains(text) == bool(found)
    first = sieve.first(text)
    if found:
        assert (first.term_id, first.start, first.end) == (found[0].term_id, *found[0].span)
    else:
        assert first is None
    stream = sieve.stream()
    out = []
    for chunk in chunks_of(text, cuts):
        out += stream.feed(chunk)
    out += stream.close()
    assert spans(out) == spans(found)


def test_disguises_are_found_and_named():
    s = hansieve.compile(TERMS, variants=False)
    cases = {
        "我买了冰犊": ("冰毒", "sound"), "他练珐伦工": ("法轮功", "sound"), "钕权主义": ("女权", "sound"),
        "一只🐔头": ("鸡头", "emoji"), "卖枪x支": ("枪支", "filler"),
    }
    for text, (term, mechanism) in cases.items():
        ms = [m for m in s.find(text) if m.term == term]
        assert ms, text
        m = ms[0]
        assert m.mechanism == mechanism and m.via == m.text and m.severity in ("review", "notice")
        assert s.check(text).action == "review"


def test_ordinary_words_that_sound_like_terms_are_not_reported():
    s = hansieve.compile(TERMS, variants=False)
    for text in ["我大妈来了", "病毒来了", "他的态度很好", "我住在这里", "人要吃饭", "打马虎眼"]:
        assert s.find(text) == [], text


def test_the_judges_memo_holds_only_what_the_span_decides():
    """The core skips the judge for a (term, span) in its `known` memo: every memo entry is the
    code a fresh judge gives that span in another context, and a second find() agrees."""
    from hansieve.disguise import DisguiseJudge
    s = hansieve.compile(TERMS, variants=False)
    texts = ["我大妈来了", "病毒来了", "他的态度很好", "我买了冰犊", "钕权主义", "人要吃饭", "打马虎眼",
             "你傻逼", "若只是这样", "贡残党", "一只🐔头"]
    first = [spans(s.find(t)) for t in texts]
    assert [spans(s.find(t)) for t in texts] == first
    known = dict(s._disguise.known)
    assert known
    fresh = DisguiseJudge(s.options)
    for (term, span), code in known.items():
        assert fresh.judge("他说" + span + "了", term, 2, 2 + len(span), False)[0] == code


def test_the_judges_context_rules():
    """A span inside a longer dictionary word of the text is ordinary text (福建人 holds 建人,
    which reads as 贱人), and the channel collapses no repeats: two characters of one class are
    two characters (台态度 is no 台独); a term holding a filler has no channel key (呢 in
    机西呢无) and is still found as written."""
    s = hansieve.compile(["贱人", "台独", "机西呢无"], variants=False)
    assert s.find("那些福建人都很好") == []
    assert [m.mechanism for m in s.find("你这建人滚")] == ["sound"]
    assert s.find("说话的台态度不好") == []
    assert s.options["channels"] and [m.term for m in s.find("一个机西呢无")] == ["机西呢无"]


def test_a_separator_inside_drops_a_disguise_in_every_caller():
    """Regression: a stream queued the channel's hits without their raw hits' span bits, so a
    disguise across a full stop (宜。后 read as 以后) was dropped by find() but reported by a
    stream, and by count()/contains() on texts long enough to be streamed."""
    s = hansieve.compile(["以后", "冰毒"], variants=False)
    text = "白棋占得一些便宜。后丁伟的黑棋"
    assert s.find(text) == []
    stream = s.stream()
    assert stream.feed(text) + stream.close() == []
    long_text = (text + "\n") * 2000          # > 16,384 code points: count() streams it
    assert s.count(long_text) == 0 and not s.contains(long_text)


def test_the_judge_reads_a_bounded_context():
    """Regression (fuzz_stream): the judge's edge test segmented the whole text, and a long run
    of one character (六 x 40) segments by its parity from where the run starts: a stream, which
    keeps only the verifier's reach before a waiting hit, judged 六肆 otherwise than find()."""
    s = hansieve.compile(["六四", "大"], variants=False, collapse_repeats=False)
    text = "大大ℹ大" + "六" * 23 + "肆六大大中功大６i国ℹ大６Ｓ"
    found = spans(s.find(text))
    for cuts in ([], [5], [9, 10, 22, 27], list(range(0, len(text), 3))):
        stream = s.stream()
        out = []
        for chunk in chunks_of(text, cuts):
            out += stream.feed(chunk)
        assert spans(out + stream.close()) == found, cuts


def test_a_term_written_as_another_term_is_that_term():
    s = hansieve.compile(TERMS, variants=False)
    assert [(m.term, m.mechanism) for m in s.find("你傻逼")] == [("傻逼", "exact")]


def test_saved_and_loaded_sieve_keeps_the_channel(tmp_path):
    s = hansieve.compile(TERMS, variants=False)
    path = tmp_path / "lex.hsv"
    s.save(path)
    loaded = hansieve.load(path)
    for text in ["我买了冰犊", "一只🐔头", "我大妈来了"]:
        assert spans(loaded.find(text)) == spans(s.find(text))
    assert spans(hansieve.Sieve.from_bytes(s.to_bytes()).find("我买了冰犊")) == spans(s.find("我买了冰犊"))


def test_channels_switch_and_its_warnings():
    import warnings
    assert hansieve.compile(TERMS, channels=False, variants=False).find("我买了冰犊") == []
    assert hansieve.compile(TERMS, channels=False, variants=False).options["channels"] is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = hansieve.compile(TERMS, match_kind="leftmost_longest", variants=False)
    assert s.options["channels"] is False
    with pytest.raises(hansieve.MatchError, match="E014"):
        hansieve.compile(TERMS, match_kind="leftmost_longest", channels=True)
    with pytest.raises(hansieve.MatchError, match="E015"):
        hansieve.compile(TERMS, channels="yes")


def test_explain_names_the_channel_and_the_test():
    from hansieve.explain import explain
    s = hansieve.compile(TERMS, variants=False)
    hits = {h.original: h for h in explain(s, "我买了冰犊，我大妈来了").hits}
    assert hits["冰犊"].kept and hits["冰犊"].mechanism == "sound" and hits["冰犊"].stage == "disguise"
    assert not hits["大妈"].kept and "dictionary word" in hits["大妈"].reason
