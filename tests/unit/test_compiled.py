"""Compiled files: save/load (mmap), to_bytes/from_bytes, pickle; corrupt, foreign, truncated and
newer files are refused with FormatError and never read out of bounds."""

import os
import pickle
import random
import struct

import pytest

import hansieve
from hansieve import FormatError

TEXTS = ["他說法輪功，還有 Ｆ*Ｕ*Ｃ*Ｋ 和 六 四", "出售冰毒，真是大麻烦，吸大麻", "今天天气很好",
         "Sussex sex ⓕⓤⓒⓚ", "代开各类發票", "", "1⑩"]


def same_results(a, b):
    for text in TEXTS:
        assert [(m.term_id, m.term, m.start, m.end, m.category, m.severity) for m in a.find(text)] == \
               [(m.term_id, m.term, m.start, m.end, m.category, m.severity) for m in b.find(text)]


@pytest.fixture(scope="module")
def sieve():
    return hansieve.compile(hansieve.load_lexicon())


@pytest.fixture(scope="module")
def small():
    return hansieve.compile([hansieve.Term("法轮功", "politics", "block"), "六四", "fuck", "⑩"],
                            allow=["大麻烦"], rules=[hansieve.Rule("枪", "&", "出售", 6)])


def test_bytes_round_trip(sieve):
    data = sieve.to_bytes()
    again = hansieve.Sieve.from_bytes(data)
    same_results(sieve, again)
    assert again.to_bytes() == data
    assert again.options == sieve.options and len(again) == len(sieve)
    assert again.terms == sieve.terms and again.header["lexicon"]["digest"]


def test_save_and_mmap_load(sieve, tmp_path):
    path = tmp_path / "default.hsv"
    sieve.save(path)
    loaded = hansieve.load(path)
    same_results(sieve, loaded)
    assert loaded.entry(0) == sieve.entry(0)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".hansieve-")]   # no temp left


def test_pickle_goes_through_the_same_bytes(sieve):
    again = pickle.loads(pickle.dumps(sieve))
    same_results(sieve, again)


@pytest.mark.parametrize("kind", ["overlapping", "leftmost_longest"])
def test_options_survive(kind):
    s = hansieve.compile(["法轮", "法轮功"], match_kind=kind, max_gap=1, fold_case=False)
    again = hansieve.Sieve.from_bytes(s.to_bytes())
    assert again.match_kind == s.match_kind and again.options == s.options
    assert [(m.start, m.end) for m in again.find("法 轮 功")] == [(m.start, m.end) for m in s.find("法 轮 功")]


@pytest.mark.parametrize(("data", "code"), [
    (b"", "E301"), (b"PK\x03\x04 not ours at all, a zip file", "E301"), (b"HANSIEVE", "E301"),
], ids=["empty", "foreign", "magic-only"])
def test_foreign_data_refused(data, code):
    with pytest.raises(FormatError, match=code):
        hansieve.Sieve.from_bytes(data)


def test_empty_and_foreign_files_refused(tmp_path):
    (tmp_path / "empty.hsv").write_bytes(b"")
    with pytest.raises(FormatError, match="E301"):
        hansieve.load(tmp_path / "empty.hsv")
    (tmp_path / "text.hsv").write_text("法轮功\n", encoding="utf-8")
    with pytest.raises(FormatError, match="E301"):
        hansieve.load(tmp_path / "text.hsv")


def test_newer_version_refused(small):
    data = bytearray(small.to_bytes())
    struct.pack_into("<I", data, 8, 99)
    with pytest.raises(FormatError, match=r"E302.*newer"):
        hansieve.Sieve.from_bytes(bytes(data))


def test_non_bytes_refused():
    with pytest.raises(TypeError):
        hansieve.Sieve.from_bytes("HANSIEVE")


def mutate(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:                                   # truncation
        return data[:rng.randrange(len(data))]
    b = bytearray(data)
    if kind == 1:                                   # bit flips
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
    elif kind == 2:                                 # swapped sections
        n = rng.randint(1, 64)
        i, j = rng.randrange(len(b) - n), rng.randrange(len(b) - n)
        b[i:i + n], b[j:j + n] = b[j:j + n], b[i:i + n]
        if b == data:
            b[i] ^= 1
    else:                                           # garbage appended
        b += os.urandom(rng.randint(1, 16))
    return bytes(b)


@pytest.mark.issue(5)
def test_ten_thousand_mutated_files_are_refused(small):
    data = small.to_bytes()
    rng = random.Random(5)
    for _ in range(10_000):
        bad = mutate(data, rng)
        with pytest.raises(FormatError):
            hansieve.Sieve.from_bytes(bad)
    # ...and no valid file is refused.
    for _ in range(100):
        hansieve.Sieve.from_bytes(data)


def _reseal(b: bytearray) -> None:
    """Recompute the checksum of an edited file (what a hostile file can do)."""
    struct.pack_into("<Q", b, 24, hansieve._core._checksum(b))


@pytest.mark.issue(5)
def test_forged_files_are_refused_or_harmless(small):
    """Mutate the arrays and recompute the checksum (what a hostile file can do): validation
    must refuse it, or the Sieve it yields must scan without crashing or hanging."""
    data = small.to_bytes()
    header_len = struct.unpack_from("<I", data, 12)[0]
    body_start = 32 + header_len
    rng = random.Random(55)
    refused = 0
    for _ in range(3_000):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(body_start, len(b))
            b[i] = rng.randrange(256)
        _reseal(b)
        try:
            forged = hansieve.Sieve.from_bytes(bytes(b))
        except FormatError:
            refused += 1
            continue
        for text in TEXTS:
            forged.find(text)
            forged.find(text * 50)
            forged.mask(text)
            for m in forged.find(text):
                m.term, m.category, m.severity
    assert refused > 0


def _forge(data: bytes, array: str, record: str, index: int, field: int, value: int) -> bytes:
    """`data` with one field of one record of a named array set to `value`, resealed."""
    import json

    header_len = struct.unpack_from("<I", data, 12)[0]
    header = json.loads(data[32:32 + header_len])
    offset = header["arrays"][hansieve._core.ARRAYS.index(array)][0]
    size = struct.calcsize(record)
    b = bytearray(data)
    fields = list(struct.unpack_from(record, b, offset + index * size))
    fields[field] = value
    struct.pack_into(record, b, offset + index * size, *fields)
    _reseal(b)
    return bytes(b)


@pytest.mark.issue(5)
def test_forged_depths_are_refused():
    """A hit's start comes from the ring of the last `depth` positions: an edge that skips
    depths, or a term longer than the state it ends in, would make the scan read a ring slot
    never written (an offset from uninitialised memory, which the whole-word check then reads
    the text at). Found by reading the scan loop; the random forgeries above had not hit it."""
    s = hansieve.compile(["fuck", "sex"])       # Latin terms: whole-word checks on
    data = s.to_bytes()
    hansieve.Sieve.from_bytes(data)
    n_states = s.stats()["states"]
    # the root's first edge (to depth 1) pointed at the deepest state (breadth-first numbering)
    with pytest.raises(FormatError, match="edges"):
        hansieve.Sieve.from_bytes(_forge(data, "edges", "<II", 0, 1, n_states - 1))
    # "sex" (3 symbols) made 4 long: it ends in a state of depth 3
    with pytest.raises(FormatError, match="outputs"):
        hansieve.Sieve.from_bytes(_forge(data, "term_len", "<I", 1, 0, 4))
    # the root's dense row pointing at a depth-2 state
    with pytest.raises(FormatError, match="outputs"):
        hansieve.Sieve.from_bytes(_forge(data, "root_next", "<I", 1, 0, n_states - 1))


@pytest.mark.issue(15)
def test_a_forged_max_depth_is_refused():
    """max_depth sizes the ring of positions every scan allocates: a forged header with a huge
    one (2**26) made each scan of the Sieve allocate 512 MiB. It must be the longest term."""
    import json

    data = hansieve.compile(["fuck", "sex"]).to_bytes()
    header_len = struct.unpack_from("<I", data, 12)[0]
    header = json.loads(data[32:32 + header_len])
    assert header["counts"]["max_depth"] == 4
    header["counts"]["max_depth"] = 1 << 26
    with pytest.raises(FormatError, match="outputs"):
        hansieve.Sieve.from_bytes(_with_header(data, header))


def _with_header(data: bytes, header: dict) -> bytes:
    """`data` with its JSON header replaced by `header` (compact separators make room for
    longer numbers), resealed."""
    import json

    header_len = struct.unpack_from("<I", data, 12)[0]
    forged = json.dumps(header, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert len(forged) <= header_len
    b = bytearray(data)
    b[32:32 + header_len] = forged.ljust(header_len)
    _reseal(b)
    return bytes(b)


@pytest.mark.issue(17)
def test_saved_file_follows_the_umask_and_errors_name_the_path(small, tmp_path):
    old = os.umask(0o022)
    try:
        small.save(tmp_path / "a.hsv")
        os.umask(0o077)
        small.save(tmp_path / "b.hsv")
    finally:
        os.umask(old)
    assert (tmp_path / "a.hsv").stat().st_mode & 0o777 == 0o644     # not 0600 whatever the umask
    assert (tmp_path / "b.hsv").stat().st_mode & 0o777 == 0o600
    target = tmp_path / "missing" / "x.hsv"
    with pytest.raises(FileNotFoundError) as info:
        small.save(target)
    assert info.value.filename == str(target) and ".hansieve-" not in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.hsv", "b.hsv"]     # no temp left


@pytest.mark.issue(19)
def test_an_older_version_says_recompile(small):
    """Format 3 stores the edge filter: a version-2 file is refused with a clear way out."""
    data = bytearray(small.to_bytes())
    struct.pack_into("<I", data, 8, hansieve._core.FORMAT_VERSION - 1)
    _reseal(data)
    with pytest.raises(FormatError, match=r"E303.*older hansieve.*recompile"):
        hansieve.Sieve.from_bytes(bytes(data))


@pytest.mark.issue(19)
def test_the_stored_edge_filter(small):
    """The edge filter is stored (its size validated); a forged one only loses hits."""
    import json

    data = small.to_bytes()
    header_len = struct.unpack_from("<I", data, 12)[0]
    offset, size = json.loads(data[32:32 + header_len])["arrays"][
        hansieve._core.ARRAYS.index("edge_filter")]
    assert size == small.stats()["edge_filter_bytes"] > 0
    loaded = hansieve.Sieve.from_bytes(data)
    assert loaded.stats()["edge_filter_bytes"] == size
    same_results(small, loaded)
    # every bit cleared: the scan misses hits through the filtered states, nothing worse
    b = bytearray(data)
    b[offset:offset + size] = bytes(size)
    _reseal(b)
    forged = hansieve.Sieve.from_bytes(bytes(b))
    for text in TEXTS:
        assert len(forged.find(text)) <= len(small.find(text))
    # a filter of the wrong size is refused (its header entry one word shorter)
    header = json.loads(data[32:32 + header_len])
    header["arrays"][hansieve._core.ARRAYS.index("edge_filter")][1] = size - 8
    with pytest.raises(FormatError, match="edge filter"):
        hansieve.Sieve.from_bytes(_with_header(data, header))


@pytest.mark.issue(19)
def test_a_layout_other_than_breadth_first_is_refused():
    """Validation relies on the builder's layout (edge k leads to state k + 1): two edges
    swapping targets is refused, even with every depth still consistent."""
    s = hansieve.compile(["ab", "ac"], verify="off", variants=False)
    data = s.to_bytes()
    # states: 0 root, 1 a, 2 ab, 3 ac; edges: 0 root->1, 1 a->2, 2 a->3
    swapped = _forge(_forge(data, "edges", "<II", 1, 1, 3), "edges", "<II", 2, 1, 2)
    with pytest.raises(FormatError, match="edges"):
        hansieve.Sieve.from_bytes(swapped)
