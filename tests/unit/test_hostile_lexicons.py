"""Hostile lexicons (issue 8): a very long term, many terms sharing one long prefix, terms made
of noise only, duplicate terms with different metadata, and nested suffixes, whose flattened
per-state outputs grow quadratically and are capped (BuildError E011). CI sizes; the full-size
figures are in docs/reliability.md."""

import importlib
import json
import os
import platform
import struct
import subprocess
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hansieve
from hansieve import BuildError, LexiconError, Term
from hansieve._core import ARRAYS

compile_module = importlib.import_module("hansieve.compile")
PLAIN = dict(verify="off", variants=False, collapse_repeats=False)


def n_outputs(sieve) -> int:
    """Flattened term outputs of the automaton, read from its compiled file."""
    data = sieve.to_bytes()
    header_len = struct.unpack_from("<I", data, 12)[0]
    header = json.loads(data[32:32 + header_len])
    return header["arrays"][ARRAYS.index("outs")][1] // 4


@pytest.mark.issue(8)
def test_a_term_of_100_000_characters():
    term = "".join(chr(0x4E10 + i % 5000) for i in range(100_000))
    t0 = time.process_time()
    sieve = hansieve.compile([term, "一丁"], **PLAIN)
    assert time.process_time() - t0 < 20
    assert sieve.max_term_len == 100_000
    text = "一丁" + "*".join(term[:50]) + term[50:] + "后"     # noise inside the hit too
    hits = sieve.find(text)
    assert [(m.term_id, m.start, m.end) for m in hits] == [(1, 0, 2), (0, 2, len(text) - 1)]
    assert sieve.count(term[:-1]) == 0
    assert sieve.count(term + "后" + term) == 2
    assert hansieve.Sieve.from_bytes(sieve.to_bytes()).count(text) == 2


@pytest.mark.issue(8)
def test_ten_thousand_terms_sharing_a_long_prefix():
    prefix = "法" * 200
    terms = [prefix + format(i, "x") for i in range(10_000)]
    t0 = time.process_time()
    sieve = hansieve.compile(terms, whole_word=False, **PLAIN)
    assert time.process_time() - t0 < 20
    assert n_outputs(sieve) == len(terms)
    assert [m.term_id for m in sieve.find(prefix + "1f3*")] == [0x1, 0x1f, 0x1f3]
    assert sieve.count(prefix[:-1] + "1f3") == 0


@pytest.mark.issue(8)
@pytest.mark.parametrize("term", ["*", " ", "\u200b\u200b", "，。！", "\U0001f600", "\u0301"])
def test_a_term_of_noise_only_is_refused_naming_it(term):
    with pytest.raises(BuildError, match=r"\[E004\] term .* is empty after folding") as info:
        hansieve.compile(["冰毒", term])
    assert repr(term) in str(info.value)


@pytest.mark.issue(8)
def test_a_lexicon_line_of_noise_only_names_file_and_line(tmp_path):
    (tmp_path / "drugs.txt").write_text("冰毒\n* * *\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"drugs\.txt:2: term '\* \* \*' is empty after folding"):
        hansieve.load_lexicon(tmp_path)


@pytest.mark.issue(8)
def test_duplicate_terms_with_different_metadata():
    """Documented behaviour: `compile` keeps both entries (a hit for each, so the strongest
    severity decides the verdict and both categories are reported); a lexicon folder refuses
    them (LexiconError naming both lines), since one of them is most likely a mistake."""
    sieve = hansieve.compile([Term("冰毒", "drugs", "review"), Term("冰 毒", "fraud", "block")], **PLAIN)
    hits = sieve.find("卖冰毒")
    assert [(m.term_id, m.category, m.severity) for m in hits] == [(0, "drugs", "review"),
                                                                   (1, "fraud", "block")]
    verdict = sieve.check("卖冰毒")
    assert (verdict.action, verdict.categories) == ("block", ("drugs", "fraud"))


@pytest.mark.issue(8)
def test_duplicate_terms_in_lexicon_files_are_refused(tmp_path):
    (tmp_path / "drugs.txt").write_text("冰毒\n", encoding="utf-8")
    (tmp_path / "fraud.txt").write_text("冰 毒\tseverity=review\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"fraud\.txt:1: duplicate of '冰毒' \(.*drugs\.txt:1\)"):
        hansieve.load_lexicon(tmp_path)


@pytest.mark.issue(8)
def test_nested_suffixes_are_capped():
    """大, 大大, ..., 大 x k: k(k+1)/2 outputs. Within the cap they compile and are exact; past
    it compile refuses before building anything."""
    keys = ["大" * i for i in range(1, 1001)]
    sieve = hansieve.compile(keys, **PLAIN)
    assert n_outputs(sieve) == 1000 * 1001 // 2
    assert sieve.count("大" * 1000) == 1000 * 1001 // 2
    keys = ["大" * i for i in range(1, 3001)]
    old = compile_module.MAX_OUTPUTS
    compile_module.MAX_OUTPUTS = 3000 * 3001 // 2 - 1
    try:
        t0 = time.process_time()
        with pytest.raises(BuildError, match=r"\[E011\] the automaton could hold up to 4,501,500 "):
            hansieve.compile(keys, **PLAIN)
        assert time.process_time() - t0 < 5
    finally:
        compile_module.MAX_OUTPUTS = old


@pytest.mark.issue(8)
def test_real_lexicons_stay_far_below_the_cap():
    keys = [t.text for t in hansieve.load_lexicon()]
    assert compile_module._output_bound(keys) < compile_module.MAX_OUTPUTS // 10


@pytest.mark.issue(8)
@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet="ab大", min_size=1, max_size=7), min_size=1, max_size=25))
def test_output_bound_is_an_upper_bound(keys):
    sieve = hansieve.compile(keys, fold_compat=False, fold_case=False, fold_chinese=False,
                             fold_variants=False, skip_noise=False, whole_word=False, **PLAIN)
    actual = n_outputs(sieve)
    tight = compile_module._output_bound(keys, tight=True)
    assert actual <= tight <= compile_module._output_bound(keys)


_BUILD_MEMORY_PROBE = r"""
import gc, json, random, sys
import hansieve
compile_module = sys.modules["hansieve.compile"]
if sys.argv[1] == "keep":
    compile_module._RELEASE_MEMORY_MIN_KEYS = 1 << 60
def rss():
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) * 1024 for l in fh if l.startswith("VmRSS:"))
rng = random.Random(1)
terms = ["".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(rng.randrange(2, 7)))
         for _ in range(100_000)]
hansieve.compile(["警告"], verify="off")      # the library's fixed tables, loaded once
gc.collect()
before = rss()
sieve = hansieve.compile(terms, verify="off")
gc.collect()
print(json.dumps({"growth": rss() - before, "tables": sieve.stats()["memory_usage"]}))
"""


@pytest.mark.issue(6)
@pytest.mark.skipif(platform.libc_ver()[0] != "glibc" or not os.path.exists("/proc/self/status"),
                    reason="malloc_trim and /proc/self/status: glibc on Linux")
@pytest.mark.skipif("ASAN_OPTIONS" in os.environ, reason="ASan's allocator, not glibc's")
def test_a_large_build_gives_its_transient_memory_back():
    # 100k terms: the build peaks at several times the tables it keeps; without
    # malloc_trim, glibc keeps the freed heap and the process stays ~36 MB larger than the Sieve
    # (measured: 47 MB growth for 11 MB of tables; with it, 11 MB).
    def probe(mode):
        out = subprocess.run([sys.executable, "-c", _BUILD_MEMORY_PROBE, mode], check=True,
                             capture_output=True, text=True).stdout
        return json.loads(out)
    released, kept = probe("release"), probe("keep")
    assert released["growth"] < 1.5 * released["tables"] + (4 << 20)
    assert kept["growth"] > released["growth"] + (8 << 20)    # the probe sees the difference
