"""The `hansieve` command, run as a real subprocess on the installed package."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sample.txt"


def run(*args, stdin=b""):
    return subprocess.run([sys.executable, "-m", "hansieve", *args], input=stdin,
                          capture_output=True, timeout=120)


def records(stdout: bytes):
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines()]


def test_scan_stdin_with_bundled_lexicon():
    text = "他說法輪功\n今天天气很好\n六 四\n".encode()
    proc = run("scan", "-", stdin=text)
    assert proc.returncode == 1, proc.stderr
    recs = records(proc.stdout)
    assert [r["line"] for r in recs] == [1, 2, 3]
    assert [m["term"] for m in recs[0]["matches"]] == ["法轮功"]
    assert recs[0]["matches"][0] == {"term": "法轮功", "start": 2, "end": 5,
                                     "category": "politics", "severity": "block"}
    assert recs[1]["matches"] == []
    assert [m["term"] for m in recs[2]["matches"]] == ["六四"]


def test_clean_input_exits_zero():
    proc = run("scan", stdin="今天天气很好\n".encode())
    assert proc.returncode == 0 and records(proc.stdout) == [{"line": 1, "matches": []}]


def test_own_lexicon_file(tmp_path):
    lexicon = tmp_path / "mine.txt"
    lexicon.write_text("# my words\n\n苹果\n", encoding="utf-8")
    proc = run("scan", "--lexicon", str(lexicon), stdin="我爱蘋果\n法轮功\n".encode())
    recs = records(proc.stdout)
    # "mine" is not a category code, so the terms have none (a file named porn.txt would).
    assert recs[0]["matches"] == [{"term": "苹果", "start": 2, "end": 4, "category": None,
                                   "severity": None}]
    assert recs[1]["matches"] == []


def test_one_record_per_line_whatever_the_line_holds():
    # U+2028 and U+0085 are line breaks to str.splitlines but not to us; \r\n is one break.
    text = "a\u2028法轮功\r\n\x00\n\u0085\n\n".encode()
    proc = run("scan", stdin=text)
    assert [r["line"] for r in records(proc.stdout)] == [1, 2, 3, 4]


def test_invalid_utf8_is_reported_with_line_and_byte():
    proc = run("scan", stdin=b"ok\n\xff\xfe bad\n\xe6\xb3\x95\xe8\xbd\xae\xe5\x8a\x9f\n")
    assert proc.returncode == 2
    assert b"-:2: invalid UTF-8 at byte 0" in proc.stderr
    recs = records(proc.stdout)
    assert recs[1] == {"line": 2, "error": "invalid UTF-8 at byte 0"}
    assert [m["term"] for m in recs[2]["matches"]] == ["法轮功"]


def test_missing_file_and_lexicon_give_one_line_and_exit_two(tmp_path):
    proc = run("scan", str(tmp_path / "nope.txt"))
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert proc.stderr.decode().count("\n") == 1
    proc = run("scan", "--lexicon", str(tmp_path / "nope.txt"), "-")
    assert proc.returncode == 2 and b"E204" in proc.stderr and b"Traceback" not in proc.stderr


@pytest.mark.skipif(not EXAMPLES.is_file(), reason="examples/ not in this checkout")
def test_sample_file():
    proc = run("scan", str(EXAMPLES))
    assert proc.returncode == 1
    recs = records(proc.stdout)
    assert len(recs) == len(EXAMPLES.read_bytes().splitlines())
    terms = {m["term"] for r in recs for m in r["matches"]}
    assert {"法轮功", "fuck", "六四", "冰毒", "porn"} <= terms


def test_help_has_examples():
    proc = run("scan", "--help")
    assert proc.returncode == 0 and b"examples:" in proc.stdout


def test_lexicon_import_command(tmp_path):
    src = tmp_path / "words.csv"
    src.write_text("term,category\n冰毒,drugs\n赌球,gambling\n", encoding="utf-8")
    out = tmp_path / "lex"
    proc = run("lexicon", "import", "--format", "csv", str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "manifest.toml").is_file()
    proc = run("scan", "--lexicon", str(out), stdin="卖冰毒\n".encode())
    assert [m["category"] for m in records(proc.stdout)[0]["matches"]] == ["drugs"]
