"""Lexicon files: format, validation (every error, with file:line), manifest, bundled lexicon."""

import hashlib
import subprocess
import sys

import pytest

import hansieve
from hansieve.lexicon import CATEGORIES, read_lexicon, write_manifest


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_plain_file_is_the_simplest_lexicon(tmp_path):
    f = write(tmp_path / "mine.txt", "# comment\n\n法轮功\n  六四  \n")
    lex = hansieve.load_lexicon(f)
    assert [t.text for t in lex.terms] == ["法轮功", "六四"]
    assert lex.terms[0].source == f"{f}:3" and lex.terms[0].category is None


def test_fields_category_file_and_allow_and_rules(tmp_path):
    write(tmp_path / "drugs.txt", "冰毒\n大麻\tseverity=review\tflags=boundary\ttags=plant,slang\n")
    write(tmp_path / "allow_x.txt", "大麻烦\n")
    write(tmp_path / "rules.txt", "枪&出售/6\tcategory=violence\tseverity=review\n百家乐~防骗\n")
    lex = hansieve.load_lexicon(tmp_path)
    a, b = lex.terms
    assert (a.category, a.severity) == ("drugs", None)
    assert (b.severity, b.flags, b.tags) == ("review", frozenset({"boundary"}), ("plant", "slang"))
    assert [t.text for t in lex.allow] == ["大麻烦"]
    assert [r.text for r in lex.rules] == ["枪&出售/6", "百家乐~防骗"]
    assert lex.rules[0].within == 6 and lex.rules[0].category == "violence"


@pytest.mark.issue(5)
def test_broken_file_yields_every_error_with_file_and_line(tmp_path):
    bad = tmp_path / "drugs.txt"
    bad.write_bytes(
        "冰毒\n"                              # 1 fine
        "***\n"                               # 2 empty after folding
        "大麻\tseverity=urgent\n"             # 3 bad severity
        "海洛因\tcategory=snacks\n"            # 4 unknown category
        "摇头丸\tcolour=red\n"                 # 5 unknown field
        "K粉\tflags=loud\n"                    # 6 unknown flag
        "冰妹\ttags=Bad Tag\n"                 # 7 bad tag
        .encode() + b"\xff\xfe\n"             # 8 invalid UTF-8
        + "冰毒\tseverity=review\n".encode()   # 9 duplicate with other metadata
    )
    write(tmp_path / "rules.txt", "a&\n枪&*\n枪&出售/x\n")
    lex = read_lexicon(tmp_path)
    where = [e.split(": ")[0] for e in lex.errors]
    for line in (2, 3, 4, 5, 6, 7, 8, 9):
        assert f"{bad}:{line}" in where, (line, lex.errors)
    rules = tmp_path / "rules.txt"
    for line in (1, 2, 3):
        assert f"{rules}:{line}" in where, (line, lex.errors)
    assert any("refers to nothing" in e for e in lex.errors)
    assert any("duplicate of '冰毒'" in e for e in lex.errors)
    with pytest.raises(hansieve.LexiconError, match=r"11 error\(s\)"):
        hansieve.load_lexicon(tmp_path)
    # The command lists all of them and exits non-zero.
    proc = subprocess.run([sys.executable, "-m", "hansieve", "lexicon", "check", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert len(proc.stdout.splitlines()) == len(lex.errors) == 11


def test_manifest_hash_is_checked(tmp_path):
    write(tmp_path / "porn.txt", "色情网站\n")
    write_manifest(tmp_path, version="1.2")
    lex = hansieve.load_lexicon(tmp_path)
    assert lex.version == "1.2" and lex.terms[0].category == "porn"
    write(tmp_path / "porn.txt", "色情网站\n黄色网站\n")
    errors = read_lexicon(tmp_path).errors
    assert len(errors) == 1 and "does not match the manifest" in errors[0]
    write_manifest(tmp_path)
    assert read_lexicon(tmp_path).errors == []


def test_manifest_paths_stay_inside_the_folder(tmp_path):
    write(tmp_path / "manifest.toml", '[[file]]\npath = "../etc/passwd"\n')
    errors = read_lexicon(tmp_path).errors
    assert errors and "relative path inside the folder" in errors[0]


def test_missing_path(tmp_path):
    with pytest.raises(hansieve.LexiconError, match="E204"):
        hansieve.load_lexicon(tmp_path / "nope")


@pytest.mark.issue(5)
def test_bundled_lexicon():
    lex = hansieve.load_lexicon()
    assert lex.errors == [] and lex.version
    assert len(lex.terms) >= 5000
    per_category = {c: sum(row.values()) for c, row in lex.stats().items()}
    assert set(per_category) <= set(CATEGORIES)
    # Every category has >= 100 terms except politics, which the project deliberately keeps to
    # its starter list (see lexicons/README.md, "The politics category is deliberately small").
    assert all(n >= 100 for c, n in per_category.items() if c != "politics"), per_category
    assert len(lex.allow) > 0 and len(lex.rules) > 0
    folder = hansieve.default_lexicon_path()
    manifest = (folder / "manifest.toml").read_text(encoding="utf-8")
    for f in folder.glob("*.txt"):
        assert hashlib.sha256(f.read_bytes()).hexdigest() in manifest, f


def test_lexicon_commands_on_bundled_lexicon():
    check = subprocess.run([sys.executable, "-m", "hansieve", "lexicon", "check",
                            str(hansieve.default_lexicon_path())], capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0 and check.stdout == ""
    stats = subprocess.run([sys.executable, "-m", "hansieve", "lexicon", "stats"],
                           capture_output=True, text=True, timeout=120)
    assert stats.returncode == 0
    assert "drugs" in stats.stdout and "total" in stats.stdout
