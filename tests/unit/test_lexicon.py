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


# ---- issue 17: no silent "all clean" -----------------------------------------------------------

def hansieve_cli(*args):
    return subprocess.run([sys.executable, "-m", "hansieve", *args], capture_output=True,
                          text=True, timeout=300, input="冰毒 法轮功\n")


@pytest.mark.issue(17)
def test_file_added_beside_a_manifest_is_an_error_naming_the_fix(tmp_path):
    write(tmp_path / "politics.txt", "法轮功\n")
    write_manifest(tmp_path)
    write(tmp_path / "extra.txt", "冰毒\n")       # added later, not in the manifest
    errors = read_lexicon(tmp_path).errors
    assert len(errors) == 1 and "E208" in errors[0]
    assert f"{tmp_path / 'extra.txt'}: not listed in" in errors[0]
    assert f"hansieve lexicon manifest {tmp_path}" in errors[0]
    for command in (["scan", "--lexicon", str(tmp_path), "-"], ["lexicon", "check", str(tmp_path)],
                    ["lexicon", "stats", str(tmp_path)]):
        proc = hansieve_cli(*command)
        assert proc.returncode != 0 and "extra.txt: not listed in" in proc.stdout + proc.stderr, command
        assert "Traceback" not in proc.stderr


@pytest.mark.issue(17)
def test_manifest_warns_about_a_new_file_without_category(tmp_path):
    write(tmp_path / "politics.txt", "法轮功\n")
    write_manifest(tmp_path)
    write(tmp_path / "extra.txt", "冰毒\n")
    write(tmp_path / "drugs.txt", "海洛因\n")
    proc = hansieve_cli("lexicon", "manifest", str(tmp_path))
    assert proc.returncode == 0
    warning = [line for line in proc.stderr.splitlines() if "extra.txt" in line]
    assert len(warning) == 1 and "without a category" in warning[0]
    assert 'category = "..."' in warning[0] and "manifest.toml" in warning[0]
    assert f"added {tmp_path / 'drugs.txt'} (kind deny, category drugs)" in proc.stderr
    assert read_lexicon(tmp_path).errors == []


@pytest.mark.issue(17)
def test_a_term_in_two_files_is_one_term(tmp_path):
    write(tmp_path / "a.txt", "法轮功\n")
    write(tmp_path / "b.txt", "法輪功\n")          # the same folded key, the same metadata
    lex = hansieve.load_lexicon(tmp_path)
    assert [t.source for t in lex.terms] == [f"{tmp_path / 'a.txt'}:1"]
    assert len(hansieve.compile(lex).find("法轮功")) == 1
    write(tmp_path / "b.txt", "法輪功\tflags=boundary\n")
    errors = read_lexicon(tmp_path).errors
    assert len(errors) == 1 and "different flags" in errors[0]


@pytest.mark.issue(17)
@pytest.mark.parametrize("layout", ["empty file", "comments only", "empty folder", "allow only"])
def test_empty_lexicon_is_an_error(tmp_path, layout):
    target = tmp_path / "lex"
    target.mkdir()
    if layout == "empty file":
        target = write(target / "mine.txt", "")
    elif layout == "comments only":
        target = write(target / "mine.txt", "# nothing yet\n\n")
    elif layout == "allow only":
        write(target / "allow.txt", "大麻烦\n")
    errors = read_lexicon(target).errors
    assert len(errors) == 1 and "E207" in errors[0] and "add terms" in errors[0]
    with pytest.raises(hansieve.LexiconError, match="E207"):
        hansieve.load_lexicon(target)
    scan = hansieve_cli("scan", "--lexicon", str(target), "-")
    assert scan.returncode == 2 and scan.stdout == "" and "no terms in" in scan.stderr
    check = hansieve_cli("lexicon", "check", str(target))
    assert check.returncode == 1 and "E207" in check.stdout


@pytest.mark.issue(17)
def test_compiled_file_is_named_not_read_as_text(tmp_path):
    write(tmp_path / "mine.txt", "法轮功\n")
    compiled = tmp_path / "mine.hsv"
    hansieve.compile(hansieve.load_lexicon(tmp_path / "mine.txt")).save(compiled)
    errors = read_lexicon([compiled, tmp_path / "mine.txt"]).errors
    assert len(errors) == 1 and "E209" in errors[0] and "compiled lexicon" in errors[0]
    for command in (["lexicon", "check", str(compiled)], ["lexicon", "stats", str(compiled)],
                    ["build", "--lexicon", str(compiled), "-o", str(tmp_path / "again.hsv")],
                    ["scan", "--lexicon", str(compiled), "--lexicon", str(tmp_path / "mine.txt")]):
        proc = hansieve_cli(*command)
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0, command
        assert "is a compiled lexicon" in out and "invalid UTF-8" not in out, command
        assert len(out.splitlines()) <= 2, (command, out)


@pytest.mark.issue(17)
def test_missing_lexicon_is_one_line(tmp_path):
    with pytest.raises(hansieve.LexiconError) as info:
        hansieve.load_lexicon(tmp_path / "nope")
    assert "\n" not in str(info.value) and "E204" in str(info.value)


@pytest.mark.issue(15)
def test_each_lexicon_file_is_read_once(tmp_path, monkeypatch):
    """read_lexicon hashed every file, then read it again to parse it."""
    from pathlib import Path

    (tmp_path / "drugs.txt").write_text("冰毒\n", encoding="utf-8")
    (tmp_path / "abuse.txt").write_text("傻逼\n", encoding="utf-8")
    reads: list[str] = []
    original = Path.read_bytes

    def counting(self):
        reads.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    lex = hansieve.read_lexicon(tmp_path)
    assert sorted(t.text for t in lex.terms) == ["傻逼", "冰毒"] and lex.errors == []
    assert sorted(reads) == ["abuse.txt", "drugs.txt"]
