"""The `hansieve` command, run as a real subprocess on the installed package."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "sample.txt"


def run(*args, stdin=b"", env=None):
    return subprocess.run([sys.executable, "-m", "hansieve", *args], input=stdin,
                          capture_output=True, timeout=300,
                          env=None if env is None else {**os.environ, **env})


def records(stdout: bytes):
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines()]


def test_scan_stdin_with_bundled_lexicon():
    text = "他說法輪功\n今天天气很好\n六 四\n".encode()
    proc = run("scan", "-", stdin=text)
    assert proc.returncode == 1, proc.stderr
    recs = records(proc.stdout)
    assert [r["line"] for r in recs] == [1, 2, 3]
    assert [m["term"] for m in recs[0]["matches"]] == ["法轮功"]
    assert recs[0]["action"] == "block"
    assert recs[0]["matches"][0] == {"term": "法轮功", "start": 2, "end": 5, "text": "法輪功",
                                     "category": "politics", "severity": "block",
                                     "mechanism": "exact", "via": "法轮功"}
    assert recs[1]["matches"] == []
    assert [m["term"] for m in recs[2]["matches"]] == ["六四"]


def test_clean_input_exits_zero():
    proc = run("scan", stdin="今天天气很好\n".encode())
    assert proc.returncode == 0
    assert records(proc.stdout) == [{"line": 1, "action": "pass", "matches": []}]


def test_own_lexicon_file(tmp_path):
    lexicon = tmp_path / "mine.txt"
    lexicon.write_text("# my words\n\n苹果\n", encoding="utf-8")
    proc = run("scan", "--lexicon", str(lexicon), stdin="我爱蘋果\n法轮功\n".encode())
    recs = records(proc.stdout)
    # "mine" is not a category code, so the terms have none (a file named porn.txt would).
    assert recs[0]["matches"] == [{"term": "苹果", "start": 2, "end": 4, "text": "蘋果",
                                   "category": None, "severity": None, "mechanism": "exact",
                                   "via": "苹果"}]
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


# ---- scan: input forms, output formats, --only, --errors ------------------------------------

MESSAGES = "他說法輪功\n你这个傻逼\n今天天气很好\n".encode()


def test_dash_and_no_argument_both_read_stdin():
    assert run("scan", "-", stdin=MESSAGES).stdout == run("scan", stdin=MESSAGES).stdout


def test_format_text():
    proc = run("scan", "--format", "text", stdin=MESSAGES)
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines() == [
        '1: block: 法轮功 (politics, block) 2-5 "法輪功"',
        '2: review: 傻逼 (abuse, review) 3-5 "傻逼"',
        "3: pass",
    ]


def test_format_csv():
    proc = run("scan", "--format", "csv", stdin=MESSAGES + b"\xff\n")
    assert proc.returncode == 2
    rows = list(csv.reader(io.StringIO(proc.stdout.decode())))
    assert rows == [
        ["line", "row", "action", "terms", "categories", "spans", "error"],
        ["1", "", "block", "法轮功", "politics", "2-5", ""],
        ["2", "", "review", "傻逼", "abuse", "3-5", ""],
        ["3", "", "pass", "", "", "", ""],
        ["4", "", "error", "", "", "", "invalid UTF-8 at byte 0"],
    ]


@pytest.mark.parametrize("only, lines, code", [
    ("block", [1], 1),
    ("review", [1, 2], 1),
])
def test_only(only, lines, code):
    proc = run("scan", "--only", only, stdin=MESSAGES)
    assert proc.returncode == code
    assert [r["line"] for r in records(proc.stdout)] == lines


def test_only_block_without_block_hits_exits_zero():
    proc = run("scan", "--only", "block", stdin="你这个傻逼\n今天天气很好\n".encode())
    assert proc.returncode == 0 and proc.stdout == b""


BAD_UTF8 = b"ok\n\xe6\xb3\x95\xff\n\xe6\xb3\x95\xe8\xbd\xae\xe5\x8a\x9f\nfine\n"
#: What an undecodable line that is not GB18030 either says to do (once, on its first report).
HINT = ("give the file's encoding with --encoding (for example --encoding gb18030), or convert "
        "it to UTF-8 first (iconv -f GB18030 -t UTF-8)")


def test_errors_report_goes_on_and_exits_two():
    proc = run("scan", "--errors", "report", stdin=BAD_UTF8)
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [f"hansieve: -:2: invalid UTF-8 at byte 3; {HINT}"]
    recs = records(proc.stdout)
    assert [r["line"] for r in recs] == [1, 2, 3, 4]
    assert recs[1] == {"line": 2, "error": "invalid UTF-8 at byte 3"}
    assert [m["term"] for m in recs[2]["matches"]] == ["法轮功"]


def test_errors_skip_leaves_out_the_record_and_says_how_many():
    proc = run("scan", "--errors", "skip", stdin=BAD_UTF8)
    assert proc.returncode == 1     # flagged: the lines that could be read are screened
    assert proc.stderr.decode().splitlines() == [
        f"hansieve: warning: skipped 1 unreadable record(s) (the first: -:2: invalid UTF-8 at "
        f"byte 3); {HINT}"]
    assert [r["line"] for r in records(proc.stdout)] == [1, 3, 4]


def test_errors_stop_stops_there():
    proc = run("scan", "--errors", "stop", stdin=BAD_UTF8)
    assert proc.returncode == 2
    assert proc.stderr.decode().splitlines() == [f"hansieve: -:2: invalid UTF-8 at byte 3; {HINT}"]
    assert records(proc.stdout) == [{"line": 1, "action": "pass", "matches": []},
                                    {"line": 2, "error": "invalid UTF-8 at byte 3"}]


def test_csv_field(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_bytes('id,text\n1,他說法輪功\n2,"两行的\n六 四"\n3\n4,"a"b\n5,今天天气很好\n'.encode()
                     + b"6,\xff\n7,\xe5\x87\xba\xe5\x94\xae\xe5\x86\xb0\xe6\xaf\x92\n")
    proc = run("scan", "--field", "text", str(path))
    assert proc.returncode == 2
    recs = records(proc.stdout)
    assert [(r["line"], r["row"]) for r in recs] == [(2, 1), (3, 2), (5, 3), (6, 4), (7, 5), (8, 6),
                                                     (9, 7)]
    assert [m["term"] for m in recs[0]["matches"]] == ["法轮功"]
    assert [m["term"] for m in recs[1]["matches"]] == ["六四"]     # a quoted field over two lines
    assert recs[2]["error"] == "row has 1 field(s), no 'text' column"
    assert recs[3]["error"].startswith("malformed CSV")
    assert recs[4]["matches"] == []
    assert recs[5]["error"] == "invalid UTF-8 at byte 2"
    assert "冰毒" in recs[6]["matches"][0]["term"]
    err = proc.stderr.decode().splitlines()
    assert err[0] == f"hansieve: {path}:5: row has 1 field(s), no 'text' column"
    assert err[2].startswith(f"hansieve: {path}:8: invalid UTF-8 at byte 2; ") and len(err) == 3


@pytest.mark.parametrize("name, data", [
    ("posts.csv", "text,id\n他說法輪功,1\n"),
    ("posts.jsonl", '{"text": "他說法輪功"}\n'),
])
def test_byte_order_mark_is_not_part_of_the_first_key(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + data.encode())
    proc = run("scan", "--field", "text", str(path))
    assert proc.returncode == 1, proc.stderr
    assert [m["term"] for m in records(proc.stdout)[0]["matches"]] == ["法轮功"]


def test_csv_missing_column_is_one_line_exit_two(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("id,body\n1,x\n", encoding="utf-8")
    proc = run("scan", "--field", "text", str(path))
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode() == (f"hansieve: {path}: no column 'text' in the CSV header "
                                    "(columns: id, body)\n")


def test_jsonl_field_by_extension_and_from_stdin(tmp_path):
    data = ('{"user": 1, "content": "他說法輪功"}\n{"content": 5}\nnot json\n'
            '{"other": "x"}\n{"content": "今天天气很好"}\n').encode()
    path = tmp_path / "chat.jsonl"
    path.write_bytes(data)
    by_file = run("scan", "--field", "content", str(path))
    by_stdin = run("scan", "--input-format", "jsonl", "--field", "content", "-", stdin=data)
    assert by_file.stdout == by_stdin.stdout and by_file.returncode == by_stdin.returncode == 2
    recs = records(by_file.stdout)
    assert [r["line"] for r in recs] == [1, 2, 3, 4, 5]
    assert [m["term"] for m in recs[0]["matches"]] == ["法轮功"]
    assert recs[1]["error"] == "key 'content' is not a string (int)"
    assert recs[2]["error"].startswith("malformed JSON")
    assert recs[3]["error"] == "no key 'content'"
    assert recs[4]["matches"] == []
    skipped = run("scan", "--errors", "skip", "--field", "content", str(path))
    assert skipped.returncode == 1 and [r["line"] for r in records(skipped.stdout)] == [1, 5]


def test_pinyin_option():
    text = "fa lun gong\n".encode()
    assert [m["term"] for m in records(run("scan", "--pinyin", stdin=text).stdout)[0]["matches"]] \
        == ["法轮功"]
    proc = run("scan", "--no-pinyin", stdin=text + "法輪功\n".encode())
    recs = records(proc.stdout)
    assert recs[0]["matches"] == [] and [m["term"] for m in recs[1]["matches"]] == ["法轮功"]


def test_variants_option_mapping():
    from hansieve.cli import UsageError, variants_option
    assert variants_option(None, None, 5000) == "auto"
    assert variants_option(True, None, 500_000) is True
    assert variants_option(False, None, 5000) == {"pinyin": False}     # other variants stay
    assert variants_option(False, None, 500_000) is False              # as "auto" would
    assert variants_option(None, False, 10) is False
    with pytest.raises(UsageError):
        variants_option(True, False, 10)


def test_summary_only_when_asked_or_on_a_terminal():
    quiet = run("scan", stdin=MESSAGES)
    assert quiet.stderr == b""
    proc = run("scan", "--summary", stdin=MESSAGES)
    line = proc.stderr.decode()
    assert line.startswith("hansieve: 3 messages, 2 flagged, 0 errors in ")
    assert "messages/s" in line and "MB/s" in line and line.count("\n") == 1


def test_progress_bar_off_when_stderr_is_not_a_terminal(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(MESSAGES * 200)
    proc = run("scan", str(path), env={"HANSIEVE_PROGRESS_MIN_BYTES": "0"})
    assert proc.returncode == 1 and proc.stderr == b""
    assert len(records(proc.stdout)) == 600


def on_terminal(*args, env=None, stdin=subprocess.DEVNULL):
    """Run the command with stderr on a pty (a terminal): returncode, stdout, stderr text."""
    import pty
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "hansieve", *args],
                                stdin=stdin, stdout=subprocess.PIPE, stderr=slave,
                                env={**os.environ, **(env or {})})
        os.close(slave)
        out = proc.communicate(timeout=300)[0]
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:     # EIO: the child closed its end
                break
            if not chunk:
                break
            err += chunk
    finally:
        os.close(master)
    return proc.returncode, out, err.decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_progress_bar_on_a_terminal(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(MESSAGES * 200)
    code, out, text = on_terminal("scan", str(path), env={"HANSIEVE_PROGRESS_MIN_BYTES": "0"})
    assert code == 1 and len(records(out)) == 600
    assert "\r[" in text and "% " in text and "MB/s" in text     # the bar, redrawn in place
    assert "hansieve: 600 messages, 400 flagged, 0 errors in " in text  # summary on a terminal


# ---- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (("scan", "--format", "xml"), "argument --format: invalid choice"),
    (("scan", "--bogus"), "unrecognized arguments: --bogus"),
    (("scan", "--field", "text", "-"), "--field needs a .csv or .jsonl file"),
    (("scan", "--input-format", "csv", "-"), "--input-format csv needs --field NAME"),
    (("mask", "--char", "ab", "-"), "--char must be one character"),
    (("frobnicate",), "invalid choice: 'frobnicate'"),
])
def test_bad_options_are_one_line_exit_two(args, message):
    proc = run(*args)
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_unreadable_file_and_compiled_file_with_pinyin(tmp_path):
    proc = run("scan", str(tmp_path))      # a directory
    assert proc.returncode == 2 and proc.stderr.decode().count("\n") == 1
    assert b"Traceback" not in proc.stderr
    lexicon = tmp_path / "mine.txt"
    lexicon.write_text("苹果\n", encoding="utf-8")
    compiled = tmp_path / "mine.hsv"
    assert run("build", "--lexicon", str(lexicon), "-o", str(compiled)).returncode == 0
    proc = run("scan", "--lexicon", str(compiled), "--no-pinyin", "-")
    assert proc.returncode == 2 and b"already compiled" in proc.stderr
    assert proc.stderr.decode().count("\n") == 1
    proc = run("mask", "--lexicon", str(tmp_path / "missing"), "-")
    assert proc.returncode == 2 and b"E204" in proc.stderr and b"Traceback" not in proc.stderr


@pytest.mark.parametrize("command", ["scan", "mask", "explain", "bench", "build", "lexicon",
                                     "lexicon check", "lexicon stats", "lexicon import",
                                     "lexicon manifest"])
def test_every_subcommand_help_has_examples(command):
    proc = run(*command.split(), "--help")
    assert proc.returncode == 0 and b"example" in proc.stdout


# ---- mask ----------------------------------------------------------------------------------

def test_mask():
    proc = run("mask", stdin="他說法輪功，还有 六 四\n今天天气很好\n".encode())
    assert proc.returncode == 1
    assert proc.stdout.decode() == "他說***，还有 ***\n今天天气很好\n"
    proc = run("mask", "--char", "#", "-", stdin="今天天气很好\n".encode())
    assert proc.returncode == 0 and proc.stdout.decode() == "今天天气很好\n"


def test_mask_invalid_utf8_is_masked_never_passed_through():
    data = b"\xff\xe6\xb3\x95\xe8\xbd\xae\xe5\x8a\x9f\nok\n"
    proc = run("mask", stdin=data)
    assert proc.returncode == 2
    assert proc.stderr.decode() == f"hansieve: -:1: invalid UTF-8 at byte 0; {HINT}\n"
    assert proc.stdout.decode() == "\ufffd***\nok\n"
    proc = run("mask", "--errors", "skip", stdin=data)
    assert proc.returncode == 0 and proc.stdout.decode() == "ok\n"
    proc = run("mask", "--errors", "stop", stdin=data)
    assert proc.returncode == 2 and proc.stdout == b""


# ---- explain -------------------------------------------------------------------------------

def test_explain_allowlist_drop():
    proc = run("explain", "大麻烦")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    assert out.startswith('"大麻烦": 2 raw hit(s), 0 kept, action pass\n')
    assert "1. 大麻 (deny, drugs/review) at [0:2] \"大麻\": dropped" in out
    assert "dropped: inside the allowlist entry '大麻烦' [0:3]" in out
    assert "2. 大麻烦 (allow, -/-) at [0:3] \"大麻烦\": not reported" in out


def test_explain_kept_with_folds_and_verification():
    proc = run("explain", "他在练法輪功")
    assert proc.returncode == 1
    out = proc.stdout.decode()
    assert "1. 法轮功 (deny, politics/block) at [3:6] \"法輪功\": KEPT" in out
    assert "folds: '輪' -> '轮'" in out
    assert "segmentation: 他 | 在 | 练 | 法轮功" in out
    assert "kept: its term is boundary-checked, and word segmentation puts boundaries at both ends" in out


def test_explain_jsonl_verification_drop_and_variant():
    proc = run("explain", "--format", "jsonl", "周六 四点集合")
    assert proc.returncode == 0
    hit, summary = records(proc.stdout)
    assert (hit["term"], hit["start"], hit["end"], hit["original"]) == ("六四", 1, 4, "六 四")
    assert hit["spans_separator"] and hit["verified"] is False and hit["kept"] is False
    assert hit["stage"] == "verification" and hit["folds"] == [[" ", "", 2]]
    assert summary == {"text": "周六 四点集合", "action": "pass", "kept": 0, "hits": 1}
    proc = run("explain", "--format", "jsonl", "-", stdin="fa lun gong\n法*轮*功\n".encode())
    assert proc.returncode == 1
    recs = records(proc.stdout)
    pinyin = next(r for r in recs if r["line"] == 1 and "term" in r)
    assert (pinyin["term"], pinyin["mechanism"], pinyin["via"], pinyin["kept"]) == \
        ("法轮功", "pinyin", "falungong", True)
    noisy = next(r for r in recs if r["line"] == 2 and "term" in r)
    assert noisy["spans_noise"] and noisy["stage"] == "none" and noisy["kept"]
    assert noisy["folds"] == [["*", "", 1], ["*", "", 3]]


def test_explain_whole_word_and_rule():
    import hansieve
    from hansieve.explain import explain
    sieve = hansieve.compile(["sex"], rules=[hansieve.Rule("冰", "&", "出售", category="drugs",
                                                         severity="review")],
                             variants=False)
    result = explain(sieve, "Sussex，出售冰")
    ww = [h for h in result.hits if h.stage == "whole-word"]
    assert [(h.term, h.start, h.end, h.kept) for h in ww] == [("sex", 3, 6, False)]
    assert "'s' before it" in ww[0].reason
    assert [(h.role, h.term, h.kept) for h in result.kept] == [("rule", "冰&出售", True)]
    operands = [h for h in result.hits if h.role == "operand"]
    assert {h.reason for h in operands} == {"rule operand: not reported itself, feeds 冰&出售 (holds)"}
    assert [(m.term, m.start, m.end) for m in sieve.find("Sussex，出售冰")] == \
        [(h.term, h.start, h.end) for h in result.kept]
    long = explain(sieve, "Sussex sex " * 3000)     # too much Latin text to cut everywhere
    assert long.notes == ["whole-word rejects not looked for: too much Latin text"]
    assert len(long.kept) == 3000 == len(sieve.find("Sussex sex " * 3000))


@pytest.fixture(scope="module")
def default_sieve():
    from hansieve.cli import _sieve
    return _sieve(None)


def test_explain_keeps_exactly_what_find_reports(default_sieve):
    from hansieve.explain import explain
    root = Path(__file__).resolve().parents[2]
    texts = []
    for name in ("innocent.jsonl", "evasion.jsonl"):
        path = root / "tests" / "eval" / name
        if path.is_file():
            texts += [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()]
    if EXAMPLES.is_file():
        texts += EXAMPLES.read_text("utf-8").splitlines()
    texts += ["大麻烦", "周六四点集合", "出售冰毒", "Sussex sex", "fa lun gong", "法\u200b轮功", "",
              "他说法*功和法*輪*功"]
    assert len(texts) > 50
    stages = set()
    for text in texts:
        result = explain(default_sieve, text)
        assert [(h.term_id, h.start, h.end, h.via) for h in result.kept] == \
            [(m.term_id, m.start, m.end, m.via) for m in default_sieve.find(text)], text
        assert result.action == default_sieve.check(text).action
        stages.update((h.stage, h.kept) for h in result.hits)
    if len(texts) > 1000:   # the evaluation set is there: every stage is exercised
        assert {("allowlist", False), ("verification", False), ("verification", True),
                ("none", True), ("whole-word", False), ("rule", True), ("masked", False)} <= stages


@pytest.mark.issue(15)
def test_explain_keeps_no_sieve_alive():
    """explain read the rule table through an lru_cache keyed on the Sieve: up to four Sieves
    (a service's old lexicons) stayed in memory."""
    import gc
    import weakref

    import hansieve
    from hansieve.explain import explain
    sieve = hansieve.compile(["海洛因"], rules=[hansieve.Rule("冰", "&", "出售")], variants=False)
    assert [h.role for h in explain(sieve, "出售冰").kept] == ["rule"]
    ref = weakref.ref(sieve)
    del sieve
    gc.collect()
    assert ref() is None


# ---- bench ---------------------------------------------------------------------------------

def test_bench_runs_and_prints():
    proc = run("bench", "--seconds", "0.05", "--no-variants")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    for label in ("compile", "load compiled", "messages", "find", "contains", "check", "long text"):
        assert any(line.startswith(label + " ") for line in out.splitlines()), label
    assert "µs/message" in out and "MB/s" in out and "5214 terms (bundled)" in out
    assert "2000 (200 flagged)" in out      # one generated message in ten holds a term


# ---- issue 17: no silent "all clean" -------------------------------------------------------

GB_TEXT = "他说法轮功\n今天天气很好\n"


@pytest.mark.issue(17)
def test_gb18030_input_says_what_to_do_and_encoding_reads_it(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes(GB_TEXT.encode("gb18030"))
    proc = run("scan", str(path))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and "Traceback" not in err
    assert "the bytes read as GB18030/GBK" in err and "--encoding gb18030" in err
    assert err.count("--encoding") == 1                  # the hint once, not on every line
    # --errors skip no longer exits 0 with no output and no word: nothing could be read.
    proc = run("scan", "--errors", "skip", str(path))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b""
    assert "skipped 2 unreadable record(s)" in err and "--encoding gb18030" in err
    assert "nothing was screened" in err
    proc = run("scan", "--encoding", "gb18030", str(path))
    recs = records(proc.stdout)
    assert proc.returncode == 1 and [m["text"] for m in recs[0]["matches"]] == ["法轮功"]
    assert recs[1]["action"] == "pass"
    # mask keeps the text, in its own encoding
    proc = run("mask", "--encoding", "gb18030", str(path))
    assert proc.returncode == 1 and proc.stdout == "他说***\n今天天气很好\n".encode("gb18030")
    proc = run("mask", str(path))
    assert proc.returncode == 2 and b"--encoding gb18030" in proc.stderr


@pytest.mark.issue(17)
@pytest.mark.parametrize("name, message", [("utf-16", "a line break must be one byte"),
                                           ("klingon", "unknown encoding")])
def test_unusable_encoding_is_a_usage_error(name, message):
    proc = run("scan", "--encoding", name, "-")
    assert proc.returncode == 2 and message in proc.stderr.decode()
    assert proc.stderr.decode().count("\n") == 1


@pytest.mark.issue(17)
def test_jsonl_records_carry_the_input_keys_and_a_wrong_field_fails_up_front(tmp_path):
    path = tmp_path / "chat.jsonl"
    path.write_text('{"id": 7, "user": "a", "content": "法*輪*功"}\n{"id": 8, "content": "好"}\n',
                    encoding="utf-8")
    proc = run("scan", "--field", "content", str(path))
    recs = records(proc.stdout)
    assert recs[0]["input"] == {"id": 7, "user": "a"} and recs[1]["input"] == {"id": 8}
    match = recs[0]["matches"][0]
    assert (match["text"], match["mechanism"], match["via"]) == ("法*輪*功", "exact", "法轮功")
    assert recs[0]["action"] == "block" and recs[1]["action"] == "pass"
    proc = run("scan", "--field", "text", str(path))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and proc.stdout == b"" and err.count("\n") == 1
    assert "no key 'text' in the first JSON object (keys: id, user, content)" in err


@pytest.mark.issue(17)
def test_scan_takes_several_files(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.csv"
    a.write_text("今天天气很好\n法轮功\n", encoding="utf-8")
    b.write_text("id,text\n1,六 四\n", encoding="utf-8")
    proc = run("scan", "--field", "text", "--input-format", "auto", str(a), str(b))
    assert proc.returncode == 2 and b"a.txt: --field needs a .csv or .jsonl file" in proc.stderr
    c = tmp_path / "c.jsonl"
    c.write_text('{"text": "冰毒"}\n', encoding="utf-8")
    proc = run("scan", "--field", "text", str(b), str(c))
    assert [(r["file"], r["line"]) for r in records(proc.stdout)] == [(str(b), 2), (str(c), 1)]
    proc = run("scan", str(a), str(a))
    assert proc.returncode == 1
    assert [(r["file"], r["line"], r["action"]) for r in records(proc.stdout)] == [
        (str(a), 1, "pass"), (str(a), 2, "block"), (str(a), 1, "pass"), (str(a), 2, "block")]
    proc = run("scan", str(a), str(tmp_path / "missing.txt"))
    assert proc.returncode == 2 and proc.stdout == b""       # checked before any output


@pytest.mark.issue(17)
def test_mask_keeps_line_endings_and_masks_a_field(tmp_path):
    proc = run("mask", stdin="他說法輪功\r\n今天\r\n最后一行".encode())
    assert proc.stdout == "他說***\r\n今天\r\n最后一行".encode()
    posts = tmp_path / "posts.csv"
    posts.write_bytes('id,text,note\r\n1,他說法輪功,法轮功\r\n2,"两行\r\n六 四",x\r\n'.encode())
    proc = run("mask", "--field", "text", str(posts))
    assert proc.returncode == 1
    assert proc.stdout.decode() == 'id,text,note\r\n1,他說***,法轮功\r\n2,"两行\r\n***",x\r\n'
    chat = tmp_path / "chat.jsonl"
    chat.write_text('{"id": 1, "content": "法輪功"}\n{"id": 2, "content": "好"}\n', encoding="utf-8")
    proc = run("mask", "--field", "content", str(chat))
    assert [json.loads(line) for line in proc.stdout.decode().splitlines()] == [
        {"id": 1, "content": "***"}, {"id": 2, "content": "好"}]


@pytest.mark.issue(17)
@pytest.mark.parametrize("command, example", [("build", "hansieve build --lexicon lexicons/"),
                                              ("lexicon", "hansieve lexicon manifest my_lexicon/")])
def test_build_and_lexicon_help_show_their_own_examples(command, example):
    out = run(command, "--help").stdout.decode()
    assert example in out
    assert "hansieve scan messages.txt" not in out and "hansieve explain" not in out


@pytest.mark.issue(17)
def test_bench_loads_a_compiled_file(tmp_path):
    lexicon = tmp_path / "mine.txt"
    lexicon.write_text("苹果\n法轮功\n", encoding="utf-8")
    compiled = tmp_path / "mine.hsv"
    assert run("build", "--lexicon", str(lexicon), "-o", str(compiled)).returncode == 0
    proc = run("bench", "--seconds", "0.01", "--lexicon", str(compiled))
    out = proc.stdout.decode()
    assert proc.returncode == 0 and "invalid UTF-8" not in proc.stderr.decode()
    assert "compile        - (a compiled file)" in out and "2 terms" in out


@pytest.mark.issue(17)
def test_tests_use_their_own_cache_folder(tmp_path_factory):
    from hansieve.cli import _cache_dir
    assert tmp_path_factory.getbasetemp() in _cache_dir().parents
    run("scan", stdin="法轮功\n".encode())
    assert list(_cache_dir().glob("lexicon-*.hsv"))


@pytest.mark.issue(17)
@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_first_compile_says_so_on_a_terminal_and_keeps_stdout_clean(tmp_path):
    lexicon = tmp_path / "mine.txt"
    lexicon.write_text("苹果\n", encoding="utf-8")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    code, out, err = on_terminal("scan", "--lexicon", str(lexicon), str(EXAMPLES), env=env)
    assert code in (0, 1) and "compiling the lexicon (1 terms)" in err and "compiled in" in err
    assert all("action" in r for r in records(out))           # stdout: records only
    code, out, err = on_terminal("scan", "--lexicon", str(lexicon), str(EXAMPLES), env=env)
    assert "compiling" not in err                                # the second run loads the cache


@pytest.mark.issue(17)
@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
@pytest.mark.parametrize("marker, after", [
    ("hansieve.errors", 0.0),       # the hansieve package is being imported
    ("hansieve.cli", 0.0),          # the command has started (lexicon loading)
    ("hansieve.cli", 1.0),          # compiling the bundled lexicon (an empty cache)
])
def test_ctrl_c_exits_130_without_a_traceback(tmp_path, marker, after):
    import signal
    import time
    exe = Path(sys.executable).with_name("hansieve")
    if not exe.is_file():
        pytest.skip("the hansieve script is not installed beside this interpreter")
    # PYTHONPROFILEIMPORTTIME reports each import as it completes: the signal is sent at a known
    # point, not at a time that a loaded machine turns into Python's own start-up.
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPROFILEIMPORTTIME": "1"}
    # Empty input: a run that the signal missed ends by itself (and fails below).
    proc = subprocess.Popen([str(exe), "scan", "-"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    seen = b""
    while True:
        line = proc.stderr.readline()
        assert line, seen.decode()[-2000:]
        seen += line
        if line.rstrip().endswith(b" " + marker.encode()):
            break
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err.decode()[-2000:]
    assert b"Traceback" not in err and out == b""
    assert err.decode().splitlines()[-1] == "hansieve: interrupted"


@pytest.mark.issue(17)
def test_variants_off_above_the_limit_is_a_warning_on_every_run(tmp_path):
    lexicon = tmp_path / "big.txt"
    lexicon.write_text("法轮功\n" + "".join(f"词{i:05d}号\n" for i in range(20_000)), encoding="utf-8")
    for _ in range(2):                                   # compiled, then from the cache
        proc = run("scan", "--lexicon", str(lexicon), stdin="fa lun gong\n".encode())
        warning = [line for line in proc.stderr.decode().splitlines() if "warning" in line]
        assert len(warning) == 2 and all("20,001 terms" in w for w in warning), proc.stderr
        assert "variant spellings" in warning[0] and "--variants" in warning[0]
        assert "disguise channel" in warning[1] and "--channels" in warning[1]
    proc = run("scan", "--no-variants", "--no-channels", "--lexicon", str(lexicon), stdin=b"ok\n")
    assert proc.stderr == b""                             # off on purpose: nothing to say


@pytest.mark.issue(17)
def test_build_error_names_the_output_path_not_a_temporary_file(tmp_path):
    lexicon = tmp_path / "mine.txt"
    lexicon.write_text("苹果\n", encoding="utf-8")
    target = tmp_path / "no" / "such" / "folder" / "x.hsv"
    proc = run("build", "--lexicon", str(lexicon), "-o", str(target))
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1
    assert str(target) in err and ".hansieve-" not in err and "tmp" not in err.replace(str(tmp_path), "")
