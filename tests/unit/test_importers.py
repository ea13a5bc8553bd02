"""`hansieve.importers`: public word-list formats -> hansieve lexicon folders.

The fixtures under tests/fixtures/import/ are tiny made-up files (every term is an invented
``示例...`` word). The real public lists are read from ../shared/data/lexicons at run time, never
copied into the repository; those tests skip when the folder is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import hansieve
from hansieve.errors import LexiconError
from hansieve.fold import fold_map
from hansieve.importers import FORMATS, HOUBB_CODES, ImportReport, import_lexicon
from hansieve.lexicon import read_lexicon

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
LEXICONS = Path(__file__).resolve().parents[3] / "shared" / "data" / "lexicons"

HEADER = re.compile(
    r"# hansieve lexicon - (category: [a-z]+ \(\S+\)|allowlist \(.*\))\n"
    r"# imported with `hansieve lexicon import --format (?P<fmt>[a-z]+)` on \d{4}-\d{2}-\d{2}\n"
    r"# source: (?P<source>.+)\n"
    r"# terms: (?P<n>\d+)\n\n")


def body(path: Path) -> list[str]:
    """The entry lines of a written file, after checking its header."""
    text = path.read_text(encoding="utf-8")
    m = HEADER.match(text)
    assert m, f"{path.name} has no import header:\n{text[:300]}"
    lines = text[m.end():].splitlines()
    assert int(m["n"]) == len(lines)
    return lines


def written(report: ImportReport) -> dict[str, list[str]]:
    """File name -> entry lines, for every file but the manifest."""
    assert report.files[-1].name == "manifest.toml"
    return {p.name: body(p) for p in report.files[:-1]}


def reasons(lines: list[str]) -> list[str]:
    """`file:line: ...` entries with the folder prefix removed."""
    return [line.replace(str(FIXTURES) + "/", "") for line in lines]


def check_readable(out: Path, report: ImportReport, lex=None) -> None:
    assert report.ok and report.errors == []
    lex = lex or read_lexicon(out)
    assert lex.errors == []
    assert len(lex.terms) == report.imported
    assert len(lex.allow) == report.counts.get("allow", 0)
    sieve = hansieve.compile(lex, variants=False, channels=False)   # large: no warnings
    if lex.terms:
        term = lex.terms[0]
        assert any(m.term == term.text for m in sieve.find(f"前面{term.text}后面"))


# ---- fixtures: exact output -------------------------------------------------------------------

def test_houbb_fixture(tmp_path):
    out = tmp_path / "lex"
    report = import_lexicon("houbb", FIXTURES / "houbb", out)
    assert written(report) == {
        "politics.txt": ["示例政治词", "示例多标签词\ttags=porn,fraud"],
        "porn.txt": ["示例色情词\ttags=fraud"],
        "gambling.txt": ["示例赌博词"],
        "drugs.txt": ["示例毒品词\ttags=fraud"],
        "fraud.txt": ["示例犯罪词"],
        "other.txt": ["示例无标签词", "示例空格词"],
        "allow.txt": ["示例白名单"],
    }
    assert report.counts == {"politics": 2, "porn": 1, "gambling": 1, "drugs": 1, "fraud": 1,
                             "other": 2, "allow": 1}
    assert report.imported == 8
    assert reasons(report.skipped) == [
        "houbb/sensitive_word_dict.txt:7: '***': empty after folding (punctuation, symbols or "
        "spaces only)",
        "houbb/sensitive_word_dict.txt:8: '示例\\x16乱码': contains control character U+0016",
        "houbb/sensitive_word_dict.txt:12: '#示例井号': starts with '#' (would read as a comment)",
    ]
    assert reasons(report.duplicates) == [
        "houbb/sensitive_word_dict.txt:11: '示例毒品詞' duplicates '示例毒品词' "
        "(houbb/sensitive_word_dict.txt:2)",
        "houbb/sensitive_word_allow.txt:2: '示例白名单' duplicates '示例白名单' "
        "(houbb/sensitive_word_allow.txt:1)",
    ]
    notes = reasons(report.notes)
    assert "houbb/sensitive_word_tags.txt:8: tag line '没有代码的行' is not 'term code[,code]'" in notes
    assert "houbb/sensitive_word_tags.txt:9: unknown houbb tag code '9' ignored" in notes
    assert any(n.startswith("1 tagged term(s) not in the dictionary") and "不在词典的词" in n
               for n in notes)
    # The header names the tag file where tags decided the category.
    head = (out / "drugs.txt").read_text(encoding="utf-8").splitlines()[2]
    assert "sensitive_word_dict.txt" in head and "sensitive_word_tags.txt" in head
    assert "sensitive_word_tags.txt" not in (out / "other.txt").read_text(encoding="utf-8")
    check_readable(out, report)
    lex = read_lexicon(out)
    by_text = {t.text: t for t in lex.terms}
    assert by_text["示例毒品词"].category == "drugs" and by_text["示例毒品词"].tags == ("fraud",)
    assert by_text["示例无标签词"].category == "other"


def test_houbb_dict_file_finds_its_tag_and_allow_files(tmp_path):
    report = import_lexicon("houbb", FIXTURES / "houbb" / "sensitive_word_dict.txt", tmp_path / "a")
    assert report.counts["drugs"] == 1 and report.counts["allow"] == 1


def test_houbb_untagged_terms_take_category(tmp_path):
    src = tmp_path / "sensitive_word_dict.txt"  # alone: no tag or allow file beside it
    src.write_bytes((FIXTURES / "houbb" / "sensitive_word_dict.txt").read_bytes())
    report = import_lexicon("houbb", src, tmp_path / "a", category="violence", severity="review")
    assert report.counts == {"violence": 8}
    assert 'severity = "review"' in (tmp_path / "a" / "manifest.toml").read_text(encoding="utf-8")
    lex = read_lexicon(tmp_path / "a")
    assert {t.category for t in lex.terms} == {"violence"}
    assert {t.severity for t in lex.terms} == {"review"}


def test_toolgood_fixture(tmp_path):
    for name in ("BadWord.txt", "IllegalKeywords.txt", "IllegalUrls.txt"):
        data = (FIXTURES / "toolgood" / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data  # the fixture kept BOM+CRLF
    out = tmp_path / "lex"
    report = import_lexicon("toolgood", FIXTURES / "toolgood", out)
    assert written(report) == {
        "fraud.txt": ["bad-example.invalid"],
        "abuse.txt": ["示例脏话", "ＳＢ示例"],
        "other.txt": ["示例违禁品", "示例枪支", "示例仿真枪"],
    }
    assert reasons(report.skipped) == [
        "toolgood/BadWord.txt:5: '☭': empty after folding (punctuation, symbols or spaces only)"]
    assert reasons(report.duplicates) == [
        "toolgood/BadWord.txt:2: '示例脏话' duplicates '示例脏话' (toolgood/BadWord.txt:1)",
        "toolgood/BadWord.txt:4: 'sb示例' duplicates 'ＳＢ示例' (toolgood/BadWord.txt:3)",
        "toolgood/IllegalKeywords.txt:3: '示例脏话' duplicates '示例脏话' (toolgood/BadWord.txt:1)",
        "toolgood/IllegalUrls.txt:2: 'BAD-EXAMPLE.invalid' duplicates 'bad-example.invalid' "
        "(toolgood/IllegalUrls.txt:1)",
    ]
    check_readable(out, report)


def test_toolgood_category_applies_to_illegal_keywords_only(tmp_path):
    report = import_lexicon("toolgood", FIXTURES / "toolgood", tmp_path / "a", category="violence")
    assert report.counts == {"violence": 3, "fraud": 1, "abuse": 2}
    # Single files: known names keep their mapping, others take the category.
    report = import_lexicon("toolgood", [FIXTURES / "toolgood" / "IllegalUrls.txt",
                                         FIXTURES / "plain" / "words.txt"], tmp_path / "b")
    assert report.counts == {"fraud": 1, "other": 3}


def test_plain_fixture(tmp_path):
    out = tmp_path / "lex"
    report = import_lexicon("plain", FIXTURES / "plain" / "words.txt", out,
                            category="porn", severity="review")
    assert written(report) == {"porn.txt": ["示例词一", "ABC示例", "示例词二"]}
    assert reasons(report.skipped) == [
        "plain/words.txt:6: '***': empty after folding (punctuation, symbols or spaces only)",
        "plain/words.txt:7: '示例\\x07响铃': contains control character U+0007",
        "plain/words.txt:8: '示例\\t带制表符': contains a TAB",
    ]
    assert reasons(report.duplicates) == [
        "plain/words.txt:5: 'abc示例' duplicates 'ABC示例' (plain/words.txt:4)"]
    assert report.skipped_reasons() == {
        "empty after folding (punctuation, symbols or spaces only)": 1,
        "contains control character": 1,
        "contains a TAB": 1,
    }
    check_readable(out, report)
    lex = read_lexicon(out)
    assert {(t.category, t.severity) for t in lex.terms} == {("porn", "review")}
    # A folder works too (every *.txt inside), default category other.
    report = import_lexicon("plain", FIXTURES / "plain", tmp_path / "b")
    assert report.counts == {"other": 3}


@pytest.mark.issue(17)
def test_summary_names_the_characters_and_the_lines(tmp_path):
    # The summary said "contains control character U+XXXX" literally and named no line.
    report = import_lexicon("plain", FIXTURES / "plain" / "words.txt", tmp_path / "lex")
    summary = report.summary()
    assert "U+XXXX" not in summary
    assert "skipped 1: contains control character (U+0007):" in summary
    assert f"{FIXTURES / 'plain' / 'words.txt'}:7:" in summary
    assert f"{FIXTURES / 'plain' / 'words.txt'}:8:" in summary      # the TAB line


def test_csv_fixture(tmp_path):
    out = tmp_path / "lex"
    report = import_lexicon("csv", FIXTURES / "csv" / "terms.csv", out)
    assert written(report) == {
        "politics.txt": ["示例政治"],
        "terror.txt": ["示例暴恐\tseverity=block"],
        "porn.txt": ["示例色情\tseverity=review"],
        "gambling.txt": ["示例赌博"],
        "abuse.txt": ["示例,逗号\tseverity=notice"],
        "other.txt": ["示例广告", "示例未知", "示例无类"],
    }
    assert reasons(report.skipped) == [
        "csv/terms.csv:10: '示例\\n换行': contains a line break",
        "csv/terms.csv:13: '***': empty after folding (punctuation, symbols or spaces only)",
    ]
    assert reasons(report.duplicates) == [
        "csv/terms.csv:12: '示例政治' duplicates '示例政治' (csv/terms.csv:2)"]
    assert reasons(report.notes) == [
        "csv/terms.csv:7: unknown category '神秘类别', mapped to 'other'",
        "csv/terms.csv:8: unknown severity 'bogus' ignored",
    ]
    check_readable(out, report)


def test_csv_columns_and_default_severity(tmp_path):
    src = tmp_path / "list.csv"
    src.write_text("id;Keyword;Type;Severity\n1;示例甲;毒品;review\n2;示例乙;;\n3;示例丙;drugs;block\n",
                   encoding="utf-8")
    report = import_lexicon("csv", src, tmp_path / "a", category_column="type", severity="block")
    assert written(report) == {"drugs.txt": ["示例甲\tseverity=review", "示例丙"],
                               "other.txt": ["示例乙"]}
    lex = read_lexicon(tmp_path / "a")
    assert {t.text: t.severity for t in lex.terms} == {"示例甲": "review", "示例乙": "block",
                                                       "示例丙": "block"}
    # Without category_column "Type" is not a category column: --category applies.
    report = import_lexicon("csv", src, tmp_path / "b", column="KEYWORD", category="fraud")
    assert report.counts == {"fraud": 3}
    with pytest.raises(LexiconError, match=r"no term column 'term'"):
        import_lexicon("csv", src, tmp_path / "c", column="term")
    tsv = tmp_path / "list.tsv"
    tsv.write_text("term\tcategory\n示例丁\t赌博\n", encoding="utf-8")
    assert import_lexicon("csv", tsv, tmp_path / "d").counts == {"gambling": 1}
    nameless = tmp_path / "nameless.csv"
    nameless.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="no term column"):
        import_lexicon("csv", nameless, tmp_path / "e")


# ---- errors and the output folder -------------------------------------------------------------

def test_bad_arguments(tmp_path):
    src = FIXTURES / "plain" / "words.txt"
    with pytest.raises(LexiconError, match="unknown import format"):
        import_lexicon("xml", src, tmp_path / "a")
    with pytest.raises(LexiconError, match="unknown category"):
        import_lexicon("plain", src, tmp_path / "a", category="ads")
    with pytest.raises(LexiconError, match="bad severity"):
        import_lexicon("plain", src, tmp_path / "a", severity="high")
    with pytest.raises(LexiconError, match="csv format only"):
        import_lexicon("plain", src, tmp_path / "a", column="term")
    with pytest.raises(LexiconError, match="no such file"):
        import_lexicon("plain", tmp_path / "missing.txt", tmp_path / "a")
    with pytest.raises(LexiconError, match="no sensitive_word_dict.txt"):
        import_lexicon("houbb", FIXTURES / "plain", tmp_path / "a")
    with pytest.raises(LexiconError, match="none of BadWord.txt"):
        import_lexicon("toolgood", FIXTURES / "plain", tmp_path / "a")
    assert not (tmp_path / "a").exists()  # nothing written when the source is bad
    assert FORMATS == ("houbb", "toolgood", "plain", "csv")


def test_encoding_problems(tmp_path):
    one_bad = tmp_path / "one_bad.txt"
    one_bad.write_bytes("示例一\n".encode() + b"\xff\xfe bad\n" + "示例二\n示例三\n".encode())
    report = import_lexicon("plain", one_bad, tmp_path / "a")
    assert report.counts == {"other": 3}
    assert report.skipped == [f"{one_bad}:2: invalid UTF-8 at byte 0"]
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("示例一\n示例二\n".encode("gbk"))
    with pytest.raises(LexiconError, match="not UTF-8.*iconv"):
        import_lexicon("plain", gbk, tmp_path / "b")
    gbk_csv = tmp_path / "gbk.csv"
    gbk_csv.write_bytes("term\n示例一\n".encode("gbk"))
    with pytest.raises(LexiconError, match=r"gbk.csv:2: invalid UTF-8"):
        import_lexicon("csv", gbk_csv, tmp_path / "c")


def test_output_folder_rules(tmp_path):
    out = tmp_path / "lex"
    import_lexicon("houbb", FIXTURES / "houbb", out)
    with pytest.raises(LexiconError, match="already holds lexicon files"):
        import_lexicon("plain", FIXTURES / "plain", out)
    # overwrite replaces the earlier import entirely: no stale category files are left behind.
    report = import_lexicon("plain", FIXTURES / "plain", out, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.toml", "other.txt"]
    check_readable(out, report)
    # A file no import wrote is never removed.
    (out / "mine.txt").write_text("我的词\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="mine.txt"):
        import_lexicon("plain", FIXTURES / "plain", out, overwrite=True)
    assert (out / "mine.txt").exists() and (out / "other.txt").exists()


def test_never_writes_unreadable_terms(tmp_path):
    src = tmp_path / "odd.txt"
    src.write_text("示例\u2028分隔\n示例\x85下一行\n\u3000示例全角空格\u3000\n示例\ufeff零宽\n",
                   encoding="utf-8")
    report = import_lexicon("plain", src, tmp_path / "a")
    assert [s.split(": ", 2)[-1] for s in report.skipped] == ["contains a line break"] * 2
    assert written(report) == {"other.txt": ["示例全角空格", "示例\ufeff零宽"]}
    check_readable(tmp_path / "a", report)


# ---- the real public lists (read at run time, never copied) -----------------------------------

def need(*parts: str) -> Path:
    path = LEXICONS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"public word list not found at {path}")
    return path


def nonblank(path: Path, *, comments: bool = False, split: str | None = None) -> int:
    """Entries in a file as its format reads them (BOM, CR and blank lines removed)."""
    n = 0
    for line in path.read_bytes().decode("utf-8-sig").split("\n"):
        line = line.rstrip("\r")
        if comments and line.strip().startswith("#"):
            continue
        for part in line.split(split) if split else [line]:
            n += bool(part.strip())
    return n


def accounted(report: ImportReport) -> int:
    return (report.imported + report.counts.get("allow", 0) + len(report.skipped)
            + len(report.duplicates))


@pytest.fixture(scope="module")
def houbb_import(tmp_path_factory):
    folder = need("houbb")
    out = tmp_path_factory.mktemp("houbb") / "lex"
    report = import_lexicon("houbb", folder, out)
    assert report.lexicon is not None
    return folder, out, report, report.lexicon


@pytest.mark.slow     # the real public lists (tens of thousands of terms)
def test_houbb_real(houbb_import):
    folder, out, report, lex = houbb_import
    lines = nonblank(folder / "sensitive_word_dict.txt")
    allow = nonblank(folder / "sensitive_word_allow.txt")
    assert accounted(report) == lines + allow  # every line imported, skipped or merged
    assert 60_000 < report.imported <= lines
    # ~135 control characters in ~100 garbled entries; nothing else is skipped.
    assert 50 <= len(report.skipped) <= 140
    assert set(report.skipped_reasons()) == {"contains control character"}
    assert len(report.duplicates) < 100
    assert report.counts["allow"] == allow
    assert set(report.counts) == {*HOUBB_CODES.values(), "other", "allow"}
    assert report.counts["porn"] > 10_000 and report.counts["politics"] > 1_000
    check_readable(out, report, lex)


@pytest.mark.slow     # the real public lists (tens of thousands of terms)
def test_houbb_real_tags_decide_category(houbb_import):
    folder, out, report, lex = houbb_import
    priority = ("politics", "drugs", "porn", "gambling", "fraud")
    category = {t.text: t.category for t in lex.terms}
    checked = 0
    for line in (folder / "sensitive_word_tags.txt").read_text(encoding="utf-8").splitlines()[:300]:
        term, _, codes = line.rpartition(" ")
        if term not in category:
            continue
        cats = {HOUBB_CODES[c] for c in codes.split(",")}
        assert category[term] == next(c for c in priority if c in cats), line
        checked += 1
    assert checked > 250


@pytest.mark.slow     # the real public lists (tens of thousands of terms)
def test_toolgood_real(tmp_path):
    folder = need("toolgood")
    out = tmp_path / "lex"
    report = import_lexicon("toolgood", folder, out)
    names = ("BadWord.txt", "IllegalKeywords.txt", "IllegalUrls.txt")
    assert accounted(report) == sum(nonblank(folder / n, split="|") for n in names)
    assert set(report.counts) == {"abuse", "other", "fraud"}
    assert report.counts["fraud"] > 500 and report.counts["abuse"] > 3_000
    assert report.counts["other"] > 8_000
    assert len(report.skipped) < 20
    lex = report.lexicon
    assert lex is not None and lex.files == sorted(out.glob("*.txt"))
    assert not any("|" in t.text for t in lex.terms)
    folded = {fold_map().fold_term(t.text) for t in lex.terms}
    assert len(folded) == len(lex.terms)  # deduplicated by folded key
    check_readable(out, report, lex)


@pytest.mark.slow     # the real public lists (tens of thousands of terms)
@pytest.mark.parametrize("parts, low", [(("importcjj", "dict.txt"), 13_000),
                                        (("ldnoobw-zh", "zh.txt"), 300)])
def test_plain_real(tmp_path, parts, low):
    path = need(*parts)
    out = tmp_path / "lex"
    report = import_lexicon("plain", path, out)
    assert accounted(report) == nonblank(path, comments=True)
    assert low < report.imported and set(report.counts) == {"other"}
    check_readable(out, report)
