"""hansieve.variants: the variant generators and the per-code-point variant folds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import hansieve
from hansieve import variants as V
from hansieve.fold import fold_map

needs_pinyin = pytest.mark.skipif(not V.HAS_PYPINYIN, reason="pypinyin is not installed")

ROOT = Path(__file__).resolve().parents[2]


def texts(vs, mechanism=None):
    return [v.text for v in vs if mechanism is None or v.mechanism == mechanism]


# --- data tables -------------------------------------------------------------------------


def test_data_files_have_provenance_headers():
    for name in ("char_folds.tsv", "homophones.tsv", "splits.tsv", "lookalikes.tsv", "readings.tsv",
                 "guard_words.txt", "syllables.txt"):
        lines = (Path(V.DATA_DIR) / name).read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# hansieve") and "gen_variant_data.py" in lines[0]
        header = {l.split("\t")[0][1:]: l.split("\t")[1] for l in lines if l.startswith("@")}
        body = [l for l in lines if l and l[0] not in "#@"]
        assert int(header["count"]) == len(body), name


def test_char_folds_shape():
    fm = fold_map()
    assert len(V.CHAR_FOLDS) > 1000
    for k, v in V.CHAR_FOLDS.items():
        assert len(k) == 1 and len(v) == 1 and k != v
        assert fm.fold_term(v) == v, (k, v)  # targets are fixed points of the fold
    common = [k for k in V.CHAR_FOLDS if k.encode("gb2312", "ignore") and "\u4e00" <= k <= "\u9fff"]
    assert common == []  # no common (GB 2312) character is folded away


@pytest.mark.parametrize("src,dst", [
    ("⻩", "黄"), ("⻢", "马"), ("⻔", "门"), ("⺠", "民"),  # CJK Radicals Supplement (noise for the fold)
    ("薬", "药"), ("売", "卖"), ("氷", "冰"), ("対", "对"), ("検", "检"),  # shinjitai
    ("毐", "毒"), ("滛", "淫"),  # rare lookalike / variant
    ("ᴀ", "a"), ("ꜰ", "f"), ("ꜱ", "s"),  # small capitals
    ("а", "a"), ("е", "e"), ("ѕ", "s"), ("ӏ", "l"), ("М", "m"), ("τ", "t"), ("Η", "h"),  # homoglyphs
    ("ā", "a"), ("ǚ", "v"), ("ü", "v"),  # pinyin tone marks
    ("❼", "7"), ("⓿", "0"), ("➂", "3"),  # dingbat digits NFKC leaves alone
])
def test_char_folds_entries(src, dst):
    assert V.CHAR_FOLDS[src] == dst


def test_char_folds_leave_common_characters_alone():
    for ch in "刁习睹赌抡轮句狗某x0":
        assert ch not in V.CHAR_FOLDS


def test_char_folds_are_closed_under_the_fold():
    """Every code point the fold turns into a key is a key itself, so applying CHAR_FOLDS to
    the raw code point first (then the fold) misses nothing."""
    fm = fold_map()
    for cp in list(range(0x00A0, 0x0600)) + list(range(0x1D00, 0x1E00)) + list(range(0xFF00, 0xFF70)):
        ch = chr(cp)
        f = fm.fold_term(ch)
        if len(f) == 1 and f != ch and f in V.CHAR_FOLDS:
            assert ch in V.CHAR_FOLDS, ch
    assert V.CHAR_FOLDS["Η"] == "h" and V.CHAR_FOLDS["η"] == "n"  # raw upper case has its own target


def test_char_folds_are_the_fold_layers_table():
    # The table is a layer of the fold (the floor below); variants re-exports it.
    from hansieve import fold
    assert V.CHAR_FOLDS is fold.CHAR_FOLDS and V.apply_char_folds is fold.apply_char_folds
    code = "import sys, hansieve.fold; sys.exit('hansieve.variants' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_apply_char_folds_keeps_length():
    s = "ꜰᴜᴄᴋ ⻩色 薬"
    assert V.apply_char_folds(s) == "fuck 黄色 药"


# --- pinyin ------------------------------------------------------------------------------


@needs_pinyin
def test_pinyin_full_and_heteronyms():
    assert texts(V.pinyin_variants("法轮功")) == ["falungong"]
    assert set(texts(V.pinyin_variants("藏独"))) == {"cangdu", "zangdu"}
    assert "yinhang" in texts(V.pinyin_variants("银行"))  # phrase reading
    nv = texts(V.pinyin_variants("女优写真"))
    assert nv == ["nvyouxiezhen", "nuyouxiezhen"]  # ü as v and as u
    assert texts(V.pinyin_variants("pcp气枪")) == ["pcpqiqiang"]
    assert V.pinyin_variants("nsfw") == []


@needs_pinyin
def test_pinyin_rare_heteronyms_left_out():
    assert texts(V.pinyin_variants("冰毒片")) == ["bingdupian"]  # not ningdaipian


@needs_pinyin
def test_pinyin_cap():
    out = V.pinyin_variants("乐行长重还了", limit=5)
    assert len(out) == 5


@needs_pinyin
def test_pinyin_guard_for_two_character_terms():
    assert V.pinyin_collision("台独", "taidu") == "态度"
    assert texts(V.pinyin_variants("台独")) == []
    assert texts(V.pinyin_variants("台独", guard=False)) == ["taidu"]
    assert texts(V.pinyin_variants("台湾独立")) == ["taiwanduli"]


@needs_pinyin
def test_initials():
    assert texts(V.initials_variants("法轮功")) == ["flg"]
    assert V.initials_variants("冰毒") == []
    assert not V.initials_default("法轮功") and V.initials_default("合成大麻")
    assert "flg" not in texts(V.variants("法轮功"))  # None: 4+ characters only
    assert "flg" in texts(V.variants("法轮功", initials=True))
    assert "hcdm" in texts(V.variants("合成大麻"))
    assert not any(v.mechanism == "pinyin_initials" for v in V.variants("合成大麻", initials=False))


@needs_pinyin
def test_mixed():
    out = texts(V.mixed_variants("法轮功"))
    for t in ("fa轮功", "法lun功", "法轮gong", "f轮功", "法l功", "falun功", "法lungong", "f轮g", "fal功"):
        assert t in out, t
    assert "falungong" not in out and "flg" not in out  # other mechanisms
    assert all(any(V._is_han(c) for c in t) for t in out)  # at least one hanzi stays
    assert len(out) == 3 ** 3 - 3 - 6  # every mix with at least one hanzi
    assert set(texts(V.mixed_variants("法轮功", initials=False))) == {
        "fa轮功", "法lun功", "法轮gong", "falun功", "fa轮gong", "法lungong"}
    long = V.mixed_variants("阿布巴克尔巴格达迪")
    assert len(long) == V.MIXED_LIMIT
    assert texts(long)[:2] == ["a布巴克尔巴格达迪", "阿bu巴克尔巴格达迪"]  # tier 1 first


# --- homophones and the guard ------------------------------------------------------------


def test_homophones_replace_one_character():
    out = texts(V.homophone_variants("吸笑气"))
    assert "西笑气" in out
    for t in out:
        assert len(t) == 3 and sum(a != b for a, b in zip(t, "吸笑气")) == 1
    assert len(out) <= V.HOMOPHONE_LIMIT


def test_homophones_two_character_pattern():
    out = texts(V.homophone_variants("汉狗"))
    assert "韩狗" in out
    assert any(a != "汉" and b != "狗" for a, b in out)  # both replaced


@pytest.mark.parametrize("term,word", [("冰毒", "病毒"), ("台独", "态度"), ("赌博", "读博"), ("大麻", "大妈")])
def test_guard_drops_real_words(term, word):
    removed: list = []
    out = texts(V.homophone_variants(term, removed=removed))
    assert word not in out
    assert word in removed
    assert word in texts(V.homophone_variants(term, guard=False, limit=500))


def test_guard_drops_common_pairs_for_two_character_terms():
    assert "还没" not in texts(V.homophone_variants("嗨妹"))
    assert V.makes_word("线上读博", "线上赌博", [2]) == "读博"
    assert V.boundary_pair_rate("还没") > V.BOUNDARY_PAIR_MAX > V.boundary_pair_rate("韩狗")


def test_homophone_never_a_fold_of_the_original():
    fm = fold_map()
    for t in texts(V.homophone_variants("发票代开")):
        assert fm.fold_term(t) != "发票代开"


# --- characters --------------------------------------------------------------------------


def test_variant_char_lookalikes():
    assert "刁" in V._lookalikes()["习"]
    out = texts(V.variant_char_variants("网赌"))
    assert "网睹" in out  # one component swapped (贝 ~ 目)
    assert texts(V.variant_char_variants("赌博")) == ["睹博", "赌搏"]


def test_split_char():
    assert V._splits()["法"] == ("氵去",)
    assert V._splits()["张"] == ("弓长",)
    assert V._splits()["轮"] == ("车仑",)
    assert V._splits()["药"] == ("艹约",)
    assert V._splits()["淫"] == ("氵爫壬",)
    out = texts(V.split_variants("法轮功"))
    assert "氵去轮功" in out and "法车仑功" in out and "氵去车仑功" in out
    assert len(V.split_variants("身份证照片出售", limit=5)) == 5


def test_split_that_is_a_word_only_in_longer_terms():
    assert "女子" not in texts(V.split_variants("好"))  # single char: would be the word 女子
    assert "女子色" not in texts(V.split_variants("好色"))
    assert "女子色情" in texts(V.split_variants("好色情"))


def test_leet():
    out = texts(V.leet_variants("porn"))
    assert "p0rn" in out
    assert "s3x" in texts(V.leet_variants("sex"))
    assert "fvck" in texts(V.leet_variants("fuck"))
    assert "n84投注" in texts(V.leet_variants("nba投注"))
    assert V.leet_variants("ab") == []  # runs of 3+ letters only
    assert not any(c in t for t in texts(V.leet_variants("nsfw")) for c in "$@!")
    assert len(V.leet_variants("towelhead")) <= V.LEET_LIMIT
    assert "t0w3lh3ad" in texts(V.leet_variants("towelhead"))


def test_unleet_symbols():
    assert V.unleet_symbols("n$fw ddo$服务 mrn@ $100 a @ b") == "nsfw ddos服务 mrna $100 a @ b"


def test_numeric():
    assert set(texts(V.numeric_variants("六四"))) >= {"64", "陆肆"}
    assert set(texts(V.numeric_variants("8964"))) >= {"八九六四", "捌玖陆肆"}
    assert set(texts(V.numeric_variants("77式手枪"))) >= {"七十七式手枪", "七七式手枪", "柒拾柒式手枪"}
    assert "十八禁" in texts(V.numeric_variants("18禁"))
    assert "72个处女" in texts(V.numeric_variants("七十二个处女"))
    assert "佰家乐" in texts(V.numeric_variants("百家乐"))
    assert "731是假的" in texts(V.numeric_variants("七三一是假的"))
    assert "零元购" not in texts(V.numeric_variants("零元购"))
    assert V.numeric_variants("p0rn") == []  # digits inside a Latin word are leet
    assert V.numeric_variants("bet365") == []


def test_reversed_and_name_heuristic():
    assert texts(V.reversed_variants("李洪志")) == ["志洪李"]
    assert V.reversed_variants("台独") == []
    assert V.reversed_variants("色中色") == []
    assert V.reversed_variants("dmt") == []         # would be TMD (他妈的's initials)
    assert V.is_name_like("布雷维克")
    assert not V.is_name_like("冰毒")
    assert "志洪李" in texts(V.variants("李洪志", reverse=True))
    assert "志洪李" not in texts(V.variants("李洪志"))


def test_masked():
    fm = fold_map()
    out = texts(V.masked_variants("伪造证明"))
    assert "伪某证明" in out and "伪x证明" in out and "伪造〇明" in out
    assert not any(t.startswith(("x", "某")) or t.endswith(("x", "某")) for t in out)  # inner only
    for p in V.MASK_PLACEHOLDERS:
        assert fm.fold_term(p) != ""  # placeholders are not noise
    for m in ("*", "×", "○", "□", "_"):
        assert m in V.NOISE_MASKS and fm.fold_term(m) == ""
    assert V.masked_variants("台独") == []
    assert texts(V.masked_variants("fuck")) == ["fxck", "fuxk"]
    assert texts(V.masked_variants("77式手枪")) == texts(V.masked_variants("77式手枪"))
    assert not any(t.startswith("7x") for t in texts(V.masked_variants("77式手枪")))


def test_collapse_repeats():
    assert V.collapse_repeats("法法轮轮功") == ("法轮功", [0, 2, 4])
    assert V.collapse_repeats("fuuuck") == ("fuck", [0, 1, 4, 5])
    assert V.collapse_repeats("abc") == ("abc", [0, 1, 2])
    assert V.collapse_repeats("") == ("", [])
    assert V.collapse_repeats("aab", min_run=3) == ("aab", [0, 1, 2])


# --- all together ------------------------------------------------------------------------


def test_variants_dedup_by_key_and_mechanisms():
    vs = V.variants("法轮功", reverse=True, mask=True)
    keys = [V._key(v.text) for v in vs]
    assert len(keys) == len(set(keys))
    assert V._key("法轮功") not in keys
    assert {v.mechanism for v in vs} <= set(V.MECHANISMS)
    assert V.variants("法轮功", pinyin=False, homophones=False, chars=False) == []


def test_variants_deterministic():
    terms = ("法轮功", "冰毒", "77式手枪", "fuck", "银行卡套现")
    code = ("import hansieve.variants as V;"
            f"print(repr([tuple(v) for t in {terms!r} for v in V.variants(t, reverse=True, mask=True)]))")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    here = repr([tuple(v) for t in terms for v in V.variants(t, reverse=True, mask=True)])
    assert out.strip() == here


@pytest.mark.slow
@pytest.mark.skipif(not (Path.home() / ".cache" / "hansieve-variant-sources").is_dir(),
                    reason="source wheels not downloaded (run tools/gen_variant_data.py once)")
def test_tables_are_up_to_date():
    r = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_variant_data.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


# ---- masked forms: a mask symbol standing for one inner character --------------------------

def test_every_mask_symbol_stands_for_one_character():
    """variants.NOISE_MASKS is the scanner's list, and each of them works as a mask."""
    assert V.NOISE_MASKS == tuple("*×○●□■_◯△✕✖＊＿") == tuple(hansieve._core.MASK_CHARS)
    s = hansieve.compile(["法轮功", "fuck"])
    for m in V.NOISE_MASKS:
        assert [(h.term, h.mechanism) for h in s.find(f"他练法{m}功了")] == [("法轮功", "masked")], m
        assert [(h.term, h.mechanism) for h in s.find(f"f{m}ck you")] == [("fuck", "masked")], m
    for m in V.NOT_MASKS:
        assert s.find(f"他练法{m}功了") == [], m


@pytest.mark.parametrize("text", ["做法功能很多", "法😀功", "法\u200b功", "fck", "法功", "法 功"])
def test_masked_form_needs_a_mask_symbol(text):
    assert hansieve.compile(["法轮功", "fuck"]).find(text) == []


def test_mask_read_as_noise_wins_over_mask_read_as_a_character():
    """法*輪*功 is 法轮功 with noise, not 轮子功 with 子 masked; the masked reading stays where
    nothing else explains the text."""
    s = hansieve.compile(["法轮功", "轮子功"])
    assert [(m.term, m.mechanism) for m in s.find("法*輪*功")] == [("法轮功", "exact")]
    assert [(m.term, m.mechanism) for m in s.find("轮*功")] == [("轮子功", "masked")]
    stream = s.stream()
    assert [m.term for m in stream.feed("法*輪") + stream.feed("*功。") + stream.close()] == ["法轮功"]


def test_deleted_variants():
    assert [v.text for v in V.deleted_variants("法轮功")] == ["法功"]
    assert all(v.deleted and v.mechanism == "masked" for v in V.deleted_variants("胡锦涛"))
    assert [v.text for v in V.deleted_variants("代人杀人")] == ["代杀人"]    # not 代人人: a doubling
    assert [v.text for v in V.deleted_variants("fuck")] == ["fck", "fuk"]
    assert V.deleted_variants("六四") == [] and V.deleted_variants("ass") == []


# --- long terms: variants linear in the term ----------------------------------------------

#: A long entry that wakes most mechanisms: hanzi (pinyin, homophones, masks), digits, letters.
LONG_PATTERN = "法轮功六四事件abc18我们的大麻烦"


def long_term(n):
    return (LONG_PATTERN * (n // len(LONG_PATTERN) + 1))[:n]


@pytest.mark.parametrize("n", [1_000, 10_000])
def test_variants_of_a_long_term_hold_a_linear_budget(n):
    term = long_term(n)
    assert V.variant_budget(term) == max(V.VARIANT_CHARS_MIN, V.VARIANT_CHARS_PER_CHAR * n)
    vs = V.variants(term, reverse=True, mask=True, mixed_limit=24, homophone_limit=8)
    assert vs and sum(len(v.text) for v in vs) <= V.variant_budget(term)
    # Each mechanism is asked for no more than the budget holds: masked spellings alone were
    # 3 per character, each as long as the term.
    assert len(V.masked_variants(term, limit=5)) == 5 and len(V.deleted_variants(term, limit=5)) == 5
    assert len(V.homophone_variants(term, 40, tries=3)) <= 3


def test_short_terms_are_far_from_the_budget():
    # The budget cuts only what no real term makes: a 12-character term with every mechanism on.
    term = "泰米尔伊拉姆猛虎解放组织"
    vs = V.variants(term, reverse=True, mask=True)
    assert V.variant_budget(term) == V.VARIANT_CHARS_MIN > 10 * sum(len(v.text) for v in vs)


@pytest.mark.issue(16)
@pytest.mark.skipif("ASAN_OPTIONS" in os.environ,
                    reason="ASan reserves terabytes of shadow address space: no RLIMIT_AS fits it")
def test_compiling_a_100000_character_term_fits_in_bounded_memory():
    # Default options (variants, masks, verification). It took all of 24 GB before the budget.
    # The bound, time-independent: the variants hold at most VARIANT_CHARS_PER_CHAR characters
    # per character of the term, so the automaton has at most (1 + VARIANT_CHARS_PER_CHAR) * n
    # + 1 states, and the peak memory a compile adds over one of a short term (every table it
    # reads already loaded) stays under 3 KB a character (measured: 0.2 KB for this term, 1.5
    # KB for 大 x 100,000, whose pinyin spellings are twice as long as the term); under a 3 GB
    # address-space limit for the whole process (the extensions and jieba's dictionary included).
    n = 100_000
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
        "import hansieve, json\n"
        "def peak(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        "hansieve.compile(['法轮功', '大麻', 'fuck'])\n"
        "base = peak()\n"
        f"term = ({LONG_PATTERN!r} * 10_000)[:{n}]\n"
        "sieve = hansieve.compile([term])\n"
        "hits = [(h.start, h.end) for h in sieve.find(term)]\n"
        "stats = [sieve.stats()]\n"
        f"stats.append(hansieve.compile(['大' * {n}]).stats())\n"
        "print(json.dumps({'hits': hits, 'stats': stats, 'grew': peak() - base}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert out["hits"] == [[0, n]]
    for stats in out["stats"]:
        assert stats["keys"] <= 1 + 2 * V.VARIANT_CHARS_PER_CHAR
        assert stats["states"] <= (1 + V.VARIANT_CHARS_PER_CHAR) * n + 1
    assert out["grew"] <= 3 * 1024 * n


# --- cached helpers give what they stand for ----------------------------------------------


@needs_pinyin
def test_memoised_pinyin_is_pypinyins_lazy_pinyin():
    import random

    import pypinyin
    from hansieve.segment import jieba_words

    rng = random.Random(16)
    words = rng.sample([w for w in jieba_words().words if len(w) >= 2], 3000)
    texts = words + [t.text for t in hansieve.load_lexicon().terms]
    texts += ["".join(rng.sample(words, 3)) + "abc12" + rng.choice(words) for _ in range(300)]
    for text in texts:
        assert V._lazy_pinyin(text) == pypinyin.lazy_pinyin(text, style=pypinyin.Style.NORMAL), text
        assert V._lazy_pinyin(text, tone3=True) == pypinyin.lazy_pinyin(
            text, style=pypinyin.Style.TONE3, neutral_tone_with_five=True), text


def test_native_keys_are_the_fold_of_each_text():
    texts = ["法輪功", "f*u*c*k", "ＡＢＣ①", "", "㎂", "法 轮\u200b功", "p0rn"]
    assert V._keys(texts) == [V._key(t) for t in texts]
    assert V._cjk_count("法a轮𠀀b") == 3
