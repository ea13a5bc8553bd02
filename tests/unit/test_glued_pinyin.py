"""Glued pinyin (issue 16): a pinyin key of 3+ syllables may touch Latin letters where the run
around it splits into pinyin syllables at its ends; English and other Latin words stay out."""

import pytest

import hansieve
from hansieve import _core
from hansieve.explain import explain
from hansieve.lexicon import Term
from hansieve.verify import PinyinRunCheck

TERMS = ["老哥妈的", "轮子功", "天安门", "大麻", "尼哥", "夫妻交换", "特码"]


@pytest.fixture(scope="module")
def sv():
    return hansieve.compile([Term(t, flags=("pinyin",)) for t in TERMS], variants=False)


def terms(sieve, text):
    return [m.term for m in sieve.find(text)]


@pytest.mark.parametrize("text,term", [
    ("woshilaogemade", "老哥妈的"),
    ("laogemadeni", "老哥妈的"),
    ("ni shi laogemadea", None),             # 'a' after de: an a-initial syllable glued on
    ("xinxuelunzigongba", "轮子功"),
    ("成为坚强fuqijiaohuandezhan斗堡垒", "夫妻交换"),
    ("WOSHILAOGEMADE", "老哥妈的"),           # all capitals: not a name
    ("ｗｏｓｈｉｌａｏｇｅｍａｄｅ", "老哥妈的"),  # full width folds to letters
    ("qutiananmenkan", "天安门"),
])
def test_glued_kept(sv, text, term):
    assert terms(sv, text) == ([term] if term else [])


@pytest.mark.parametrize("text", [
    "mother", "Bali", "Lima", "Dubai", "Google",
    "motherlaogemade",          # 'mother' does not split into syllables
    "Woshilaogemade",           # written like a name
    "5laogemade", "laogemade5",  # a digit touches it: the whole-word rule, as before
    "xlaogemadex",              # x is no syllable
    "xianlaogemadeang",         # 'ang' glued after de
    "Nigeria", "nigerian", "Guatemala", "damage", "adamawa",
])
def test_glued_dropped(sv, text):
    assert terms(sv, text) == []


def test_two_syllable_keys_keep_the_whole_word_rule(sv):
    # dama, nige, tema: two syllables, read inside too many English words (taiwanese, animate)
    assert terms(sv, "tema") == ["特码"]
    assert terms(sv, "xuetema") == []
    assert terms(sv, "nige") == ["尼哥"]
    assert terms(sv, "woshinige") == []


def test_which_keys_may_glue():
    import importlib
    C = importlib.import_module("hansieve.compile")
    assert C.GLUED_MIN_SYLLABLES == 3
    assert C._gluable("老哥妈的", "laogemade")
    assert not C._gluable("大麻", "dama")
    assert not C._gluable("老哥妈的", "lao2ge1ma1de")      # toned keys hold digits


@pytest.mark.parametrize("text", [
    "woshilaogemade he xinxuelunzigong", "Nigeria woshilaogemadeang", "ni shi laogemade5",
    "qutiananmenkan，" * 3,
])
def test_every_call_agrees(sv, text):
    found = [(m.term_id, m.start, m.end) for m in sv.find(text)]
    for size in (1, 2, 3, 7):
        st = sv.stream()
        out = []
        for k in range(0, len(text), size):
            out += st.feed(text[k:k + size])
        out += st.close()
        assert [(m.term_id, m.start, m.end) for m in out] == found
    assert [[(m.term_id, m.start, m.end) for m in ms] for ms in sv.find_many([text, text])] == [found, found]
    assert sv.count(text) == len(found)
    assert sv.contains(text) == bool(found)
    assert (sv.first(text) is not None) == bool(found)
    assert sv.check(text).action == ("block" if found else "pass")


def test_leftmost_longest(sv):
    ll = hansieve.compile([Term(t, flags=("pinyin",)) for t in TERMS], variants=False,
                          match_kind="leftmost_longest")
    assert [m.term for m in ll.find("woshilaogemade")] == ["老哥妈的"]
    assert ll.mask("woshilaogemade") == "woshi*********"
    assert ll.find("motherlaogemade") == []


def test_explain_names_the_glued_rule(sv):
    ex = explain(sv, "xlaogemade")
    dropped = [h for h in ex.hits if not h.kept]
    assert dropped and dropped[0].stage == "whole-word"
    assert "pinyin" in dropped[0].reason
    assert [h.term for h in explain(sv, "woshilaogemade").kept] == ["老哥妈的"]


def test_check_reads_only_the_window():
    check = PinyinRunCheck(hansieve.compile(["x"]).options)
    assert check.splits("woshilaogemade", run_start=True)
    assert not check.splits("mother", run_start=True)
    assert not check.splits("ria")           # ri|a: a glued after ri
    # a run longer than the window: its outermost letters may be part of a syllable
    long = "zhuang" + "shi" * 10 + "laogemade"
    assert check.ok(long, len(long) - 9, len(long))
