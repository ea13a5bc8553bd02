"""The public API of one Sieve: evasions the fold table sees through, offsets into the original
text, options, errors, introspection."""

import pickle
from pathlib import Path

import pytest

import hansieve
from hansieve import BuildError, MatchError

ISSUE_TEXT = "他說法輪功，還有 Ｆ*Ｕ*Ｃ*Ｋ 和 六 四 以及 法\u200b轮\u200b功"


@pytest.fixture(scope="module")
def sieve():
    # Without variant spellings, so the automaton's sizes below are those of three terms.
    return hansieve.compile(["法轮功", "六四", "fuck"], variants=False)


@pytest.mark.issue(2)
def test_issue_example_four_hits_on_term_characters(sieve):
    hits = [(m.term, ISSUE_TEXT[m.start:m.end]) for m in sieve.find(ISSUE_TEXT)]
    assert hits == [("法轮功", "法輪功"), ("fuck", "Ｆ*Ｕ*Ｃ*Ｋ"), ("六四", "六 四"),
                    ("法轮功", "法\u200b轮\u200b功")]
    folded = hansieve.fold.fold_map()
    for m in sieve.find(ISSUE_TEXT):
        assert not folded.is_noise(ord(ISSUE_TEXT[m.start]))
        assert not folded.is_noise(ord(ISSUE_TEXT[m.end - 1]))


@pytest.mark.parametrize(
    ("text", "disguised"),
    [
        ("法輪功", "法輪功"),                       # traditional
        ("法 轮 功", "法 轮 功"),                   # spaces
        ("法*轮*功", "法*轮*功"),                   # symbols
        ("法\u200b轮\u200b功", "法\u200b轮\u200b功"),  # zero-width
        ("法😀轮\ufe0f功", "法😀轮\ufe0f功"),        # emoji and variation selector
        ("ⓕⓐⓛⓤⓝ", "ⓕⓐⓛⓤⓝ"),                     # circled letters
        ("ＦＡＬＵＮ", "ＦＡＬＵＮ"),                # full width, upper case
        ("𝐟𝐚𝐥𝐮𝐧", "𝐟𝐚𝐥𝐮𝐧"),                     # mathematical bold
        ("法⁠輪⁠功", "法⁠輪⁠功"),                   # word joiner U+2060
    ],
    ids=["traditional", "spaces", "symbols", "zero-width", "emoji", "circled", "fullwidth",
         "math-bold", "word-joiner"],
)
def test_evasions_seen_through(text, disguised):
    s = hansieve.compile(["法轮功", "falun"])
    message = "前" + text + "后"
    (m,) = s.find(message)
    assert message[m.start:m.end] == disguised


def test_offsets_count_code_points_not_utf16():
    s = hansieve.compile(["法轮功"])
    text = "😀😀𠀀法轮功"
    (m,) = s.find(text)
    assert (m.start, m.end) == (3, 6) and text[m.start:m.end] == "法轮功"


def test_max_gap_limits_skipped_noise():
    text = "六  四"    # two spaces
    assert hansieve.compile(["六四"], max_gap=1).find(text) == []
    assert len(hansieve.compile(["六四"], max_gap=2).find(text)) == 1
    assert hansieve.compile(["六四"], max_gap=0).find("六 四") == []


def test_span_starts_and_ends_on_term_characters():
    s = hansieve.compile(["法轮功"])
    (m,) = s.find("**法**轮**功**")
    assert (m.start, m.end) == (2, 9)


def test_one_to_many_fold():
    # ⑩ folds to "10": both characters come from one code point, so the span is that code point.
    s = hansieve.compile(["10", "110"], whole_word=False)
    assert [(m.term, m.start, m.end) for m in s.find("1⑩")] == [("110", 0, 2), ("10", 1, 2)]
    # With the whole-word rule (default), "10" is touched by the digit before it.
    s = hansieve.compile(["10", "110"])
    assert [(m.term, m.start, m.end) for m in s.find("1⑩")] == [("110", 0, 2)]


def test_overlapping_reports_every_hit_longest_first_at_each_end():
    # Raw automaton semantics: with verification on, 法轮 inside the word 法轮功 would be dropped.
    s = hansieve.compile(["法轮", "法轮功", "轮功"], verify="off")
    assert [m.term for m in s.find("法轮功")] == ["法轮", "法轮功", "轮功"]


def test_leftmost_longest_reports_non_overlapping():
    s = hansieve.compile(["法轮", "法轮功", "轮功", "功法"], match_kind="leftmost_longest",
                         verify="off")
    assert [(m.term, m.start, m.end) for m in s.find("法轮功法")] == [("法轮功", 0, 3)]
    assert s.match_kind is hansieve.MatchKind.LEFTMOST_LONGEST


@pytest.mark.parametrize(
    ("option", "text"),
    [("fold_chinese", "法輪功"), ("fold_compat", "ｆａｌｕｎ"), ("fold_case", "FALUN"),
     ("skip_noise", "法*轮*功")],
)
def test_each_fold_switches_off(option, text):
    assert hansieve.compile(["法轮功", "falun"]).contains(text)
    assert not hansieve.compile(["法轮功", "falun"], **{option: False}).contains(text)


def test_contains_first_count_mask_agree_with_find(sieve):
    hits = sieve.find(ISSUE_TEXT)
    assert sieve.contains(ISSUE_TEXT)
    assert sieve.count(ISSUE_TEXT) == len(hits) == 4
    assert sieve.first(ISSUE_TEXT) == hits[0]
    masked = sieve.mask(ISSUE_TEXT)
    assert len(masked) == len(ISSUE_TEXT)
    assert masked.startswith("他說***，") and "**********" not in masked[:8]
    assert sieve.first("干净的句子") is None
    assert sieve.mask("干净的句子") == "干净的句子"


def test_mask_char_must_be_one_character(sieve):
    with pytest.raises(ValueError, match="E101"):
        sieve.mask("法轮功", "**")


@pytest.mark.parametrize("bad", [b"bytes", None, 42, ["法轮功"]], ids=["bytes", "None", "int", "list"])
@pytest.mark.parametrize("method", ["find", "contains", "first", "count", "mask"])
def test_non_str_text_raises_type_error(sieve, method, bad):
    with pytest.raises(TypeError, match="text must be str"):
        getattr(sieve, method)(bad)


def test_str_subclass_is_scanned(sieve):
    class Message(str):
        pass

    assert sieve.contains(Message("法轮功"))


def test_bad_terms():
    with pytest.raises(TypeError):
        hansieve.compile([b"bytes"])
    with pytest.raises(TypeError):
        hansieve.compile("法轮功")      # a single string is not a list of terms
    with pytest.raises(BuildError, match=r"\[E003\] empty term"):
        hansieve.compile(["ok", ""])
    with pytest.raises(BuildError, match=r"'\*\*\*'.*empty after folding"):
        hansieve.compile(["ok", "***"])
    with pytest.raises(ValueError):     # BuildError is a ValueError
        hansieve.compile(["\u200b"])


def test_bad_options():
    with pytest.raises(MatchError, match="E001"):
        hansieve.compile(["a"], match_kind="shortest")
    with pytest.raises(MatchError, match="E002"):
        hansieve.compile(["a"], max_gap=-1)


def test_noise_term_is_fine_when_noise_is_not_skipped():
    s = hansieve.compile(["c++"], skip_noise=False)
    assert [m.term for m in s.find("I like C++")] == ["c++"]


def test_empty_lexicon_matches_nothing():
    s = hansieve.compile([])
    assert len(s) == 0 and s.find("法轮功") == [] and not s.contains("法轮功")


def test_verification_drops_a_two_character_term_inside_a_word():
    s = hansieve.compile(["法轮", "法轮功"])
    assert [m.term for m in s.find("法轮功")] == ["法轮功"]
    assert [m.term for m in s.find("没办法轮流值班")] == []


def test_duplicate_terms_each_reported():
    s = hansieve.compile(["法轮功", "法輪功"])
    assert {m.term for m in s.find("法轮功")} == {"法轮功", "法輪功"}


def test_introspection(sieve):
    assert len(sieve) == 3
    assert sieve.terms == ("法轮功", "六四", "fuck")
    assert sieve.max_term_len == 4
    assert sieve.memory_usage() > 0
    stats = sieve.stats()
    assert stats["terms"] == 3 and stats["states"] == 1 + 3 + 2 + 4
    assert stats["edge_filter_bytes"] == 16         # 6 edges below the root: the two-word minimum
    wide = hansieve.compile([f"法{c}" for c in "abcdefghijklmnopq"], verify="off", variants=False)
    assert wide.stats()["edge_filter_bytes"] == 32  # 17 edges x 8 bits, rounded up to 4 words
    flat = hansieve.compile(["法", "轮"], verify="off", variants=False)
    assert flat.stats()["edge_filter_bytes"] == 0 and flat.count("法轮") == 2   # root edges only
    assert wide.memory_usage() >= 32 and wide.count("法g法z法l") == 2
    assert sieve.options["max_gap"] == 3 and sieve.options["fold_chinese"] is True
    assert "Sieve" in repr(sieve)


def test_sieve_is_immutable(sieve):
    with pytest.raises(AttributeError):
        sieve.terms = ()
    assert not hasattr(sieve, "add")
    with pytest.raises(TypeError):
        hansieve.Sieve()
    with pytest.raises(TypeError):
        hansieve.Match()


def test_match_fields_and_pickle(sieve):
    m = sieve.first("他说法轮功")
    assert (m.term_id, m.term, m.start, m.end, m.span) == (0, "法轮功", 2, 5, (2, 5))
    assert m.category is None and m.severity is None
    assert repr(m) == "Match(term='法轮功', start=2, end=5)"
    plain = pickle.loads(pickle.dumps(m))
    assert (plain.term, plain.start, plain.end) == ("法轮功", 2, 5)


def test_terms_with_categories():
    s = hansieve.compile([hansieve.Term("法轮功", "politics", "block"), "六四"])
    a, b = s.find("法轮功 六四")
    assert (a.category, a.severity) == ("politics", "block")
    assert (b.category, b.severity) == (None, None)


def test_long_terms_use_a_heap_ring():
    term = "法" * 100 + "功"
    s = hansieve.compile([term, "法法"], verify="off")
    text = "x" + "法" * 100 + "功"
    hits = s.find(text)
    assert (hits[-1].term, hits[-1].start, hits[-1].end) == (term, 1, 102)
    assert len(hits) == 99 + 1


def test_exact_hits_report_their_mechanism_and_entry():
    s = hansieve.compile(["法轮功"])
    (m,) = s.find("法輪功")
    assert (m.term, m.mechanism, m.via) == ("法轮功", "exact", "法轮功")
    assert s.entry(0)["kind"] == "deny" and s.entry(0)["base"] == 0


@pytest.mark.parametrize(("text", "term"), [
    ("法法轮轮功", "法轮功"), ("时时时彩", "时时彩"), ("艾未未", "艾未未"),
    ("11", None), ("good", None),
], ids=["stutter", "doubled-term", "doubled-exact", "digits", "letters"])
def test_repeat_collapse(text, term):
    s = hansieve.compile(["法轮功", "时时彩", "艾未未", "1", "god"])
    assert [m.term for m in s.find(text) if m.term in ("法轮功", "时时彩", "艾未未", "god")] == \
        ([term] if term else [])
    if text == "11":
        assert [m.term for m in s.find(text)] == []      # whole-word: 1 is inside 11


def test_compile_pauses_the_garbage_collector_and_restores_it():
    import gc

    collections = []

    def record(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    terms = [f"词{i}" for i in range(30_000)]    # tens of thousands of new tuples: gen-0 passes
    assert gc.isenabled()
    gc.callbacks.append(record)
    try:
        hansieve.compile(terms, verify="off", variants=False, channels=False)
    finally:
        gc.callbacks.remove(record)
    assert collections == []                   # no collection during the build
    assert gc.isenabled()
    with pytest.raises(hansieve.BuildError):
        hansieve.compile(["法轮功", ""])
    assert gc.isenabled()                      # restored after an error too
    gc.disable()
    try:
        hansieve.compile(["法轮功"])
        assert not gc.isenabled()              # a paused collector stays paused
    finally:
        gc.enable()


# ---- issue 15: defects a review found ------------------------------------------------------

@pytest.mark.issue(15)
def test_an_empty_variants_dict_means_variants_on_with_default_options():
    on = hansieve.compile(["法轮功"], variants={}, verify="off")
    assert on.contains("fa lun gong") and on.options["variants"] is True
    off = hansieve.compile(["法轮功"], variants=False, verify="off")
    assert not off.contains("fa lun gong") and off.options["variants"] is False


@pytest.mark.issue(15)
def test_a_compiled_sieve_cannot_be_changed():
    sieve = hansieve.compile(["冰毒"], allow=["冰毒贩子"])
    for name in ("_verifier", "_rules", "match_kind", "_buffers", "_header"):
        with pytest.raises(AttributeError):
            setattr(sieve, name, None)
    # No function of the core changes the term flags of a Sieve (a deny term made an allow
    # entry, or verification turned off, after compile() returned it).
    assert not [n for n in dir(hansieve._core) if "flag" in n.lower() and callable(getattr(hansieve._core, n))]
    assert [m.term for m in sieve.find("出售冰毒")] == ["冰毒"]


@pytest.mark.issue(15)
def test_the_pinyin_flag_adds_pinyin_spellings_even_with_variants_off():
    flagged = hansieve.compile([hansieve.Term("法轮功", flags=frozenset({"pinyin"})),
                                hansieve.Term("冰毒")], variants=False, verify="off")
    assert [(m.term, m.mechanism) for m in flagged.find("练 fa lun gong")] == [("法轮功", "pinyin")]
    assert flagged.find("bing du") == []            # the unflagged term has no pinyin spelling
    plain = hansieve.compile(["法轮功"], variants=False, verify="off")
    assert plain.find("练 fa lun gong") == []


@pytest.mark.issue(15)
def test_core_build_errors_are_build_errors():
    # A folded term with a character the code table lacks was an AssertionError (a traceback in
    # the CLI); every coded error the core raises on a lexicon is a BuildError now.
    import re
    code_table = hansieve._core._build_code_table([], [], [])
    word_table = hansieve._core._build_word_table([])
    header = {"counts": {"n_syms": 0, "n_deny": 1, "n_allow": 0}, "options": {
        "match_kind": "overlapping", "max_gap": 3}, "categories": [], "mechanisms": ["exact"],
        "rules": [], "extra": {}}
    with pytest.raises(hansieve.BuildError, match=r"\[E108\]"):
        hansieve._core._build_sieve(["法"], code_table, word_table, b"\0", ["法"], [0], [0], [0], [0],
                                    header)
    src = Path(hansieve.__file__).with_name("_build.pxi").read_text(encoding="utf-8")
    coded = re.findall(r"raise (\w+)\(f?\"\[E(\d+)\]", src)
    assert coded and all(cls == "BuildError" for cls, _ in coded), coded


# ---- issue 17: no silent "all clean" -------------------------------------------------------

@pytest.mark.issue(17)
def test_variants_switching_off_above_the_auto_limit_warns():
    from hansieve.compile import VARIANTS_AUTO_MAX
    filler = [f"词{i:05d}号" for i in range(VARIANTS_AUTO_MAX - 1)]
    with pytest.warns(hansieve.HansieveWarning, match=r"variant spellings .* are off: the lexicon "
                      r"has 20,001 terms.*variants=True") as caught:
        over = hansieve.compile(["法轮功", "多一个词", *filler], verify="off", channels=False)
    assert caught[0].filename == __file__                  # points at the caller's line
    assert over.first("fa lun gong") is None and over.options["variants"] is False
    with warnings_as_errors():                            # an explicit choice says nothing
        hansieve.compile(["法轮功", "多一个词", *filler], verify="off", variants=False,
                         channels=False)


def warnings_as_errors():
    import warnings
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("error")

    class Done:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            context.__exit__(*exc)
    return Done()


@pytest.mark.issue(17)
@pytest.mark.parametrize("texts", ["法轮功", b"abc"])
def test_find_many_refuses_a_single_string(sieve, texts):
    with pytest.raises(TypeError, match="not a single string"):
        sieve.find_many(texts)
    with pytest.raises(TypeError, match="not a single string"):
        sieve.check_many(texts)


@pytest.mark.issue(17)
def test_unknown_category_is_refused_as_in_lexicon_files():
    with pytest.raises(BuildError, match=r"E012.*unknown category 'nocat'"):
        hansieve.compile([hansieve.Term("冰毒", "nocat", "block")])
    with pytest.raises(BuildError, match=r"E012.*unknown category 'weapons'"):
        hansieve.compile(["枪"], rules=[hansieve.Rule("枪", "&", "出售", category="weapons")])
    assert hansieve.compile([hansieve.Term("冰毒", "drugs", "block")]).first("冰毒").category == "drugs"


@pytest.mark.issue(17)
@pytest.mark.parametrize("option", ["fold_case", "fold_chinese", "skip_noise", "whole_word",
                                    "collapse_repeats", "fold_compat", "fold_variants"])
def test_switches_must_be_booleans(option):
    with pytest.raises(TypeError, match=rf"E013\] {option} must be True or False, not 'no'"):
        hansieve.compile(["法轮功"], **{option: "no"})


@pytest.mark.issue(17)
def test_options_say_verify_and_variants(sieve):
    assert sieve.options["verify"] == "all" and sieve.options["variants"] is False
    default = hansieve.compile(["法轮功"], verify="auto")
    assert default.options["verify"] == "auto" and default.options["variants"] is True
    again = hansieve.Sieve.from_bytes(default.to_bytes())
    assert again.options == default.options


@pytest.mark.issue(17)
def test_len_and_stats_terms_agree_and_keys_count_the_rest():
    s = hansieve.compile(["法轮功", "六四", "fuck"])          # with variant spellings
    stats = s.stats()
    assert stats["terms"] == len(s) == 3
    assert stats["keys"] > 3                                   # the variants are keys, not terms


@pytest.mark.issue(17)
def test_match_carries_the_text_as_written(sieve):
    text = "他說法輪功，還有 Ｆ*Ｕ*Ｃ*Ｋ"
    assert [m.text for m in sieve.find(text)] == ["法輪功", "Ｆ*Ｕ*Ｃ*Ｋ"]
    assert sieve.first(text).text == "法輪功"
    assert [[m.text for m in ms] for ms in sieve.find_many([text, "六 四"])] == [
        ["法輪功", "Ｆ*Ｕ*Ｃ*Ｋ"], ["六 四"]]
    assert [m.text for m in sieve.check(text).matches] == ["法輪功", "Ｆ*Ｕ*Ｃ*Ｋ"]
    stream = sieve.stream()
    got = []
    for piece in ["他說法", "輪", "功，還有 Ｆ*Ｕ", "*Ｃ*Ｋ"]:
        got += stream.feed(piece)
    got += stream.close()
    assert [m.text for m in got] == ["法輪功", "Ｆ*Ｕ*Ｃ*Ｋ"]
    assert pickle.loads(pickle.dumps(sieve.find(text)[0])).text == "法輪功"


@pytest.mark.issue(17)
def test_replace_with_a_string_a_label_or_the_first_character():
    from hansieve.replacements import category_label, keep_first
    s = hansieve.compile([hansieve.Term("法轮功", "politics"), hansieve.Term("傻逼", "abuse"),
                          "六四"], variants=False)
    text = "他說法輪功，傻逼，六 四。"
    assert s.replace(text, "[已屏蔽]") == "他說[已屏蔽]，[已屏蔽]，[已屏蔽]。"
    assert s.replace(text, category_label()) == "他說[政治]，[辱骂]，[已屏蔽]。"
    assert s.replace(text, keep_first()) == "他說法**，傻*，六**。"
    assert s.replace(text, lambda m: f"<{m.term}>") == "他說<法轮功>，<傻逼>，<六四>。"
    assert s.replace("今天天气很好", "x") == "今天天气很好"
    # Overlapping hits are one span, replaced once.
    o = hansieve.compile(["法轮", "轮功"], verify="off", variants=False)
    assert o.replace("法轮功好", "#") == "#好"
    with pytest.raises(TypeError, match="replacement must be a str or a callable"):
        s.replace(text, 3)
    with pytest.raises(TypeError, match="returned int"):
        s.replace(text, lambda m: 3)


@pytest.mark.issue(17)
def test_payload_per_term_reaches_the_match_and_the_file(tmp_path):
    rule = {"id": 17, "action": "escalate"}
    s = hansieve.compile([hansieve.Term("法轮功", "politics", payload=rule), "六四"])
    hit, plain = s.find("法輪功 六 四")
    assert hit.payload == rule and plain.payload is None
    assert s.first("fa lun gong").payload == rule            # a variant carries its term's
    assert s.entry(hit.term_id)["payload"] == rule
    path = tmp_path / "p.hsv"
    s.save(path)
    assert hansieve.load(path).first("法轮功").payload == rule
    odd = hansieve.compile([hansieve.Term("法轮功", payload=object())])
    assert odd.first("法轮功").payload is not None            # any object, in memory
    with pytest.raises(TypeError, match="E109.*payload is not a JSON value"):
        odd.to_bytes()
