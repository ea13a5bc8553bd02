"""After the automaton: allowlist precedence, whole-word rule, combination rules, Verdict."""

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hansieve
from hansieve import Rule, Term
from hansieve.verify import verdict


@pytest.mark.parametrize("kind", ["overlapping", "leftmost_longest"])
def test_allow_entry_drops_hits_inside_it(kind):
    s = hansieve.compile(["大麻", "黄片"], allow=["大麻烦", "三黄片"], match_kind=kind)
    assert [m.term for m in s.find("真是大麻烦")] == []
    assert [m.term for m in s.find("看三黄片")] == []
    assert [m.term for m in s.find("吸大麻，看黄片")] == ["大麻", "黄片"]
    assert s.count("大麻烦和大麻") == 1
    assert not s.contains("大麻烦")           # a hit an allow entry takes back is no hit
    assert s.first("大麻烦和大麻").start == 4
    assert s.mask("大麻烦和大麻") == "大麻烦和**"


def test_allow_entry_folds_like_terms():
    s = hansieve.compile(["大麻"], allow=["大麻烦"])
    assert s.find("真是大*麻*煩") == []


@pytest.mark.parametrize(("term", "text", "hit"), [
    ("sex", "Sussex is in England", False),
    ("sex", "no sex please", True),
    ("sex", "ＳＥＸ片", True),
    ("sex", "ⓢⓤⓢⓢⓔⓧ", False),           # circled letters fold to letters: still inside a word
    ("av", "I write Java", False),
    ("av", "看av", True),
    ("69", "编号695", False),
    ("69", "来69号", True),
    ("AV女优", "日本AV女优", True),
    ("AV女优", "JAV女优", False),
    ("ass", "grass", False),
    ("ass", "kiss my ass!", True),
], ids=lambda v: v if isinstance(v, str) else None)
def test_whole_word_rule_for_latin_and_digit_terms(term, text, hit):
    assert hansieve.compile([term]).contains(text) is hit


def test_whole_word_rule_can_be_switched_off():
    assert hansieve.compile(["sex"], whole_word=False).contains("Sussex")


def test_rules():
    rules = [Rule("枪", "&", "出售", 6, "violence", "block"),
             Rule("百家乐", "~", "防骗", None, "gambling", "review"),
             Rule("发票", "&", "代开", None, "fraud", "block")]
    s = hansieve.compile(["冰毒"], rules=rules)
    (m,) = s.find("出售仿真枪")
    assert (m.term, m.category, m.severity, m.start, m.end) == ("枪&出售/6", "violence", "block", 0, 5)
    assert s.find("出售二手自行车，不卖枪支弹药只是聊天") == []         # too far apart
    assert [m.term for m in s.find("百家乐包赢")] == ["百家乐~防骗"]
    assert s.find("百家乐防骗指南") == []
    assert [m.term for m in s.find("代开各类發票")] == ["发票&代开"]
    # Operands alone are never reported.
    assert s.find("枪") == [] and s.find("出售") == []
    assert s.find("冰毒")[0].term == "冰毒"


def test_rules_need_overlapping_mode():
    with pytest.raises(hansieve.MatchError, match="E005"):
        hansieve.compile(["a"], rules=[Rule("a", "&", "b")], match_kind="leftmost_longest")


def test_verdict():
    s = hansieve.compile([Term("法轮功", "politics", "block"), Term("傻逼", "abuse", "review"),
                          Term("卧槽", "abuse", "notice")])
    v = s.check("傻逼，法轮功")
    assert (v.action, v.severity, v.categories) == ("block", "block", ("abuse", "politics"))
    assert [m.term for m in v.matches] == ["傻逼", "法轮功"]
    assert s.check("傻逼").action == "review"
    assert s.check("卧槽").action == "pass" and s.check("卧槽").flagged
    v = s.check("今天天气很好")
    assert (v.action, v.severity, v.categories, v.matches) == ("pass", None, (), [])


_VERDICT_TERMS = [Term("法轮功", "politics", "block"), Term("傻逼", "abuse", "review"),
                  Term("卧槽", "abuse", "notice"), Term("冰毒", "drugs", None),
                  Term("轮功", None, "review"), Term("毒", None, None)]


@pytest.fixture(scope="module")
def verdict_sieve():
    return hansieve.compile(_VERDICT_TERMS)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([t.text for t in _VERDICT_TERMS] + ["法", "，", "好", "𠀋", "冰"]),
                max_size=12).map("".join))
def test_native_verdict_equals_generic_verdict(verdict_sieve, text):
    # check() aggregates from the Sieve's native tables; verify.verdict() from the Match
    # properties: the same Verdict for every mix of severities and categories (None included).
    s = verdict_sieve
    want = verdict(s.find(text))
    assert s.check(text) == want
    assert s.check_many([text, text], threads=2) == [want, want]


def test_verdict_is_an_immutable_value(verdict_sieve):
    s = verdict_sieve
    v = s.check("傻逼，冰毒")
    assert (v.action, v.severity, v.categories) == ("block", "block", ("abuse", "drugs"))
    assert v == hansieve.Verdict("block", "block", ["abuse", "drugs"], v.matches)
    assert v != hansieve.Verdict("review", "block", ("abuse", "drugs"), v.matches)
    assert hash(v) == hash(hansieve.Verdict("block", "block", ("abuse", "drugs"), v.matches))
    assert repr(s.check("好")) == "Verdict(action='pass', severity=None, categories=(), matches=[])"
    with pytest.raises(AttributeError):
        v.action = "pass"
    clean = pickle.loads(pickle.dumps(s.check("好")))
    assert clean == s.check("好") and not clean.flagged
    with pytest.raises(TypeError):
        hansieve.Verdict(1, None, (), [])


def test_bundled_lexicon_end_to_end():
    s = hansieve.compile(hansieve.load_lexicon())
    assert s.check("出售冰毒，价格私聊").action == "block"
    assert s.find("这真是个大麻烦") == []          # allowlist
    assert s.check("今天天气很好，我们去公园吧").action == "pass"
