"""Tests for the generated fold table (``fold_table.tsv``) and ``hansieve.fold``.

The table is checked against its real sources (OpenCC, ``unicodedata``); the
composed fold is checked against a deliberately naive reference
implementation, for idempotence under every option combination, and on the
documented examples.
"""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hansieve
from hansieve.fold import FoldMap, FoldOptions, fold_map, load_char_folds, load_table

TABLE = load_table()
CHAR_FOLDS = load_char_folds()

# Every field of FoldOptions, the variant layer included.
ALL_OPTIONS = [FoldOptions(*bits)
               for bits in itertools.product((True, False), repeat=len(FoldOptions._fields))]


def _options_id(options: FoldOptions) -> str:
    return "-".join(name if on else f"no_{name}" for name, on in options._asdict().items())


# Written out again rather than imported from the generator, so that the test
# is an independent statement of the rules.
NOISE_CATEGORIES = frozenset(
    "Zs Zl Zp Pc Pd Ps Pe Pi Pf Po Sm Sc Sk So Cc Cf Mn Mc Me".split()
)
CJK_RANGES = (
    (0x2E80, 0x2FDF), (0x2FF0, 0x2FFF), (0x3000, 0x303F), (0x3100, 0x312F),
    (0x31A0, 0x31EF), (0x3200, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x1F200, 0x1F2FF),
    (0x20000, 0x323AF),
)
ALL_CPS = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]

same_unidata = pytest.mark.skipif(
    unicodedata.unidata_version != TABLE.header["unidata_version"],
    reason=(f"table built with Unicode {TABLE.header['unidata_version']}, this Python has "
            f"{unicodedata.unidata_version}; regenerate with tools/gen_fold_table.py"),
)


def _first_mismatches(actual: dict, expected: dict, n: int = 10) -> list:
    keys = sorted(actual.keys() | expected.keys())
    return [(f"U+{k:04X}", actual.get(k), expected.get(k))
            for k in keys if actual.get(k) != expected.get(k)][:n]


# --- the table against its sources -------------------------------------------

def test_t2s_layer_equals_opencc():
    opencc = pytest.importorskip("opencc", reason="OpenCC not installed")
    if opencc.__version__ != TABLE.header["opencc_version"]:
        pytest.skip(f"table built with OpenCC {TABLE.header['opencc_version']}, "
                    f"installed is {opencc.__version__}")
    converters = [opencc.OpenCC(name) for name in ("t2s", "tw2s", "hk2s")]
    expected = {}
    for first, last in CJK_RANGES:
        for cp in range(first, last + 1):
            ch = chr(cp)
            for conv in converters:
                res = conv.convert(ch)
                if res != ch:
                    if len(res) == 1:
                        expected[cp] = res
                    break
    assert not _first_mismatches(TABLE.t2s, expected)


@same_unidata
def test_nfkc_layer_equals_unicodedata():
    nfkc = unicodedata.normalize
    expected = {cp: r for cp in ALL_CPS if (r := nfkc("NFKC", chr(cp))) != chr(cp)}
    assert not _first_mismatches(TABLE.nfkc, expected)


@same_unidata
def test_lower_layer_equals_str_lower():
    expected = {cp: r for cp in ALL_CPS if (r := chr(cp).lower()) != chr(cp)}
    assert not _first_mismatches(TABLE.lower, expected)


@same_unidata
def test_noise_ranges_equal_category_rule():
    category = unicodedata.category
    noise = [cp for cp in ALL_CPS if category(chr(cp)) in NOISE_CATEGORIES]
    assert _expand(TABLE.noise_ranges) == set(noise)
    _assert_merged(TABLE.noise_ranges)


def test_header_counts_match_contents():
    h = TABLE.header
    assert int(h["count.t2s"]) == len(TABLE.t2s)
    assert int(h["count.nfkc"]) == len(TABLE.nfkc)
    assert int(h["count.lower"]) == len(TABLE.lower)
    assert int(h["count.noise_ranges"]) == len(TABLE.noise_ranges)
    assert int(h["count.noise_cps"]) == len(_expand(TABLE.noise_ranges))
    assert h["generator_version"] and h["opencc_version"] and h["unidata_version"]


def test_versions_exposed_on_fold_map():
    fm = fold_map()
    assert fm.unidata_version == TABLE.header["unidata_version"]
    assert fm.opencc_version == TABLE.header["opencc_version"]


@pytest.mark.parametrize("text, message", [
    ("@a\tb\n[noise]\n0000\t0001\n[nfkc]\n00A0\t0020\n[lower]\n0041\t0061\n", "missing"),
    ("[noise]\n0000\t0001\n[nfkc]\n00A0\n[lower]\n0041\t0061\n[t2s]\n8AAA\t8BF4\n", "two columns"),
    ("[bogus]\n0000\t0001\n", "unexpected section"),
], ids=["missing-section", "one-column", "unknown-section"])
def test_malformed_table_is_rejected(tmp_path, text, message):
    path = tmp_path / "bad.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_table(str(path))


# --- composition ----------------------------------------------------------------

def _expand(ranges) -> set:
    out = set()
    for a, b in ranges:
        out.update(range(a, b + 1))
    return out


def _assert_merged(ranges) -> None:
    for a, b in ranges:
        assert a <= b
    for (_, b), (c, _) in zip(ranges, ranges[1:]):
        assert c > b + 1, "ranges must be sorted, disjoint and non-adjacent"


def _reference_fold(options: FoldOptions):
    """Naive per-char pipeline over the raw layers: (mapping, noise set)."""
    category = _expand(TABLE.noise_ranges)
    pipeline = []
    variant_keys = set()
    if options.variants:
        # First in every pass: it reads raw code points, and the results of the other layers.
        variant_keys = {ord(k) for k in CHAR_FOLDS}
        pipeline.append({ord(k): v for k, v in CHAR_FOLDS.items()})
    if options.compat:
        pipeline.append(TABLE.nfkc)
    if options.case:
        pipeline.append(TABLE.lower)
        if options.compat:
            pipeline.append(TABLE.nfkc)
    if options.chinese:
        pipeline.append(TABLE.t2s)

    def one_pass(s: str) -> str:
        for layer in pipeline:
            s = "".join(layer.get(ord(c), c) for c in s)
        return s

    mapping, noise = {}, set()
    candidates = set(category).union(*pipeline)
    for cp in candidates:
        s = chr(cp)
        for _ in range(5):
            s, prev = one_pass(s), s
            if s == prev:
                break
        else:
            pytest.fail(f"U+{cp:04X} does not converge")
        kept = "".join(c for c in s if ord(c) not in category)
        symbol = cp in category and cp not in variant_keys
        if options.noise and (not kept or (symbol and not options.compat)):
            noise.add(cp)
            continue
        result = kept if options.noise else s
        if result != chr(cp):
            mapping[cp] = result
    return mapping, noise


@pytest.mark.parametrize("options", ALL_OPTIONS, ids=_options_id)
def test_fold_map_equals_reference(options):
    fm = fold_map(options)
    mapping, noise = _reference_fold(options)
    assert not _first_mismatches(fm.mapping, mapping)
    assert _expand(fm.noise_ranges) == noise
    _assert_merged(fm.noise_ranges)


@pytest.mark.parametrize("options", ALL_OPTIONS, ids=_options_id)
def test_fold_is_idempotent(options):
    # fold(fold(x)) == fold(x) for every code point x: an unmapped code point folds to itself
    # or (noise) to "", both fixed points by definition, so the mapped ones are what to check.
    fm = fold_map(options)
    for cp, folded in fm.mapping.items():
        assert folded, f"U+{cp:04X} folds to nothing but is not noise"
        assert not fm.is_noise(cp)
        assert fm.fold_term(folded) == folded, f"U+{cp:04X}"
        for ch in folded:
            # Every char of a result is itself a fixed point and not noise.
            assert fm.fold_char(ord(ch)) == ch, f"U+{cp:04X} -> U+{ord(ch):04X}"


def test_variant_fold_reaches_a_fixed_point():
    # NFKC makes ㎂ "μA"; μ is a variant-layer key (μ -> u): the fold goes on to "ua".
    fm = fold_map(FoldOptions(variants=True))
    assert fm.fold_term("㎂") == fm.fold_term("μa") == "ua"
    assert fm.fold_term("㏁") == "mw"


def test_a_term_folding_through_the_variant_layer_finds_its_compatibility_form():
    # fold_variants=True is compile()'s default.
    assert [h.term for h in hansieve.compile(["μa"]).find("电流为 ㎂ 级")] == ["μa"]
    assert [h.term for h in hansieve.compile(["ua"]).find("㎂")] == ["ua"]


@pytest.mark.parametrize("options", ALL_OPTIONS, ids=_options_id)
def test_is_noise_at_range_edges(options):
    fm = fold_map(options)
    for a, b in fm.noise_ranges:
        assert fm.is_noise(a) and fm.is_noise(b)
        assert not fm.is_noise(a - 1) and not fm.is_noise(b + 1)
        assert fm.fold_char(a) == fm.fold_char(b) == ""
    assert not fm.is_noise(-1) and not fm.is_noise(0x110000)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40), options=st.sampled_from(ALL_OPTIONS))
def test_fold_term_idempotent_on_any_text(text, options):
    fm = fold_map(options)
    once = fm.fold_term(text)
    assert once == "".join(fm.fold_char(ord(ch)) for ch in text)
    assert fm.fold_term(once) == once


def test_fold_map_is_cached_per_options():
    assert fold_map() is fold_map(FoldOptions())
    assert fold_map() is fold_map((1, 1, 1, 1))
    assert isinstance(fold_map(), FoldMap)
    assert fold_map() is not fold_map(FoldOptions(noise=False))


# --- documented examples (default options) ----------------------------------

@pytest.mark.parametrize("term, expected", [
    ("法輪功", "法轮功"),
    ("發", "发"),
    ("Ｆ*Ｕ*Ｃ*Ｋ", "fuck"),
    ("六 四", "六四"),
    ("法\u200b轮", "法轮"),
    ("𝐟𝐚", "fa"),
    ("①", "1"),
    ("⑩", "10"),
    ("⑴", "1"),
    ("FALUN", "falun"),
    ("\ufe0f", ""),
    ("😀", ""),
    ("ⓕⓐⓛⓤⓝ", "falun"),
    ("ⒻⒶⓁⓊⓃ", "falun"),
    ("⼀", "一"),
    ("\uf902", "车"),    # compatibility ideograph 車 -> 車 -> 车
    ("İ", "i"),         # lower() adds U+0307, a combining mark: noise
    ("薴", "苎"),        # two t2s hops: 薴 -> 苧 -> 苎
], ids=["t2s-phrase", "t2s-char", "fullwidth-asterisks", "space", "zero-width-space",
        "math-bold", "circled-1", "circled-10", "parenthesized-1", "upper", "vs16", "emoji",
        "circled-small", "circled-capital", "kangxi-radical", "compat-ideograph",
        "dotted-capital-i", "t2s-chain"])
def test_fold_term_examples(term, expected):
    assert fold_map().fold_term(term) == expected


@pytest.mark.parametrize("cp, noise", [
    (0x200B, True), (0xFE0F, True), (0x1F600, True), (ord("，"), True), (ord(" "), True),
    (0x0301, True), (0x0000, True),
    (ord("a"), False), (ord("法"), False), (0xD800, False), (0xE000, False), (0x0378, False),
    (0x24D0, False), (0x2F00, False),
], ids=["zwsp", "vs16", "emoji", "fullwidth-comma", "space", "combining-acute", "nul",
        "letter", "ideograph", "surrogate", "private-use", "unassigned",
        "circled-letter", "kangxi-radical"])
def test_is_noise_examples(cp, noise):
    fm = fold_map()
    assert fm.is_noise(cp) is noise
    assert (fm.fold_char(cp) == "") is noise


def test_surrogate_folds_to_itself():
    assert fold_map().fold_char(0xD800) == "\ud800"


# --- each option really switches its layer off -------------------------------

def test_chinese_off_keeps_traditional():
    fm = fold_map(FoldOptions(chinese=False))
    assert fm.fold_term("法輪功") == "法輪功"
    assert fm.fold_term("發") == "發"
    assert fm.fold_term("Ｆ") == "f"  # the other layers still apply


def test_case_off_keeps_upper_case():
    fm = fold_map(FoldOptions(case=False))
    assert fm.fold_term("A") == "A"
    assert fm.fold_term("FALUN") == "FALUN"
    assert fm.fold_term("Ｆ") == "F"  # NFKC still applies
    assert fm.fold_term("Ⓐ") == "A"


def test_compat_off_keeps_compatibility_forms():
    fm = fold_map(FoldOptions(compat=False))
    assert fm.fold_term("１") == "１"
    assert fm.fold_term("Ｆ") == "ｆ"  # lower() still applies, width is kept
    assert fold_map(FoldOptions(compat=False, case=False)).fold_term("Ｆ") == "Ｆ"
    assert fm.fold_term("⑩") == "⑩"  # category No: not noise either
    # Symbols only NFKC turns into text are plain noise without it.
    assert fm.fold_term("ⓕⓐⓛⓤⓝ") == ""
    assert fm.is_noise(0x24D0) and fm.is_noise(0x2F00) and fm.is_noise(0x24B6)


def test_noise_off_keeps_everything():
    fm = fold_map(FoldOptions(noise=False))
    assert fm.noise_ranges == ()
    for cp in (0x200B, 0xFE0F, 0x1F600, ord("*"), ord(" "), ord("，"), 0x0000, 0x24D0):
        assert not fm.is_noise(cp)
    assert fm.fold_term("Ｆ*Ｕ*Ｃ*Ｋ") == "f*u*c*k"
    assert fm.fold_term("六 四") == "六 四"
    assert fm.fold_term("⑴") == "(1)"
    assert fm.fold_term("😀") == "😀"


_PIECES = st.one_of(st.text(max_size=6), st.sampled_from(["法輪功", "Ｆ*Ｕ", "\u200b", " ", "⑩"]),
                    st.just("\ue000"), st.just(chr(0xE000 + 1)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=4).map("".join), max_size=8),
       st.sampled_from([FoldOptions(), FoldOptions(False, False, False, False, False)]))
def test_fold_terms_equals_fold_term_of_each(terms, options):
    # compile() folds a whole lexicon in one translate pass over the terms joined by a
    # private-use separator; a term that holds the separator itself must not split.
    fm = fold_map(options)
    assert fm.fold_terms(terms) == [fm.fold_term(t) for t in terms]
    sep = fm._separator
    assert sep is not None and fm.fold_term(sep) == sep
    assert fm.fold_terms([f"a{sep}b", "c"]) == [fm.fold_term(f"a{sep}b"), "c"]
