"""atheris target: compiled files from anywhere. `Sieve.from_bytes` and `hansieve.load` on
arbitrary bytes must either return a Sieve or raise a ValueError (FormatError) with a message;
never crash, hang or raise anything else. A Sieve that loads must scan, mask, check, save and
load again without crashing.

The first input byte picks how the rest is used:
  0  the bytes as they are (magic, version, length and checksum checks)
  1  the bytes with the file length and checksum fields recomputed, so that the mutation reaches
     the JSON header and the array validator (what a deliberate forger can do)
  2  like 1, written to a file and opened with hansieve.load (the mmap path)

Seeds: fuzz/corpus/load/ holds real compiled files (fuzz/make_corpus.py), prefixed with the
mode byte."""

import os
import struct
import sys

import atheris

with atheris.instrument_imports():
    import hansieve
    from hansieve import _core

import common  # noqa: E402  (sys.path, scratch folders)

TEXTS = ["", "法輪功 Ｆ*Ｕ*Ｃ*Ｋ 六 四", "出售冰毒，加微信 abab aab 大麻烦 😀" * 3, "\ud800\uffff\U0010ffff",
         "法法轮轮功" * 20, "a" * 300]
TMP = common.scratch_dir("load")
PATH = os.path.join(TMP, "fuzz.hsv")


def fix_up(body: bytes) -> bytes:
    if len(body) < 32:
        return body
    b = bytearray(body)
    struct.pack_into("<Q", b, 16, len(b))
    struct.pack_into("<Q", b, 24, _core._checksum(b))
    return bytes(b)


def exercise(sieve) -> None:
    n = len(sieve)
    for text in TEXTS:
        hits = sieve.find(text)
        sieve.count(text)
        sieve.contains(text)
        for m in hits:
            assert 0 <= m.start < m.end <= len(text), (text, m.start, m.end)
            m.term, m.category, m.severity, m.mechanism, m.via
        assert len(sieve.mask(text)) == len(text)
        sieve.first(text)
        sieve.check(text)
    sieve.find_many(TEXTS[:3], threads=2)
    sieve.terms, sieve.stats(), sieve.memory_usage(), sieve.options, sieve.max_term_len
    for i in range(min(n, 4)):
        sieve.entry(i)
    again = hansieve.Sieve.from_bytes(sieve.to_bytes())
    assert len(again) == n


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode, body = data[0] % 3, data[1:]
    if mode:
        body = fix_up(body)
    try:
        if mode == 2:
            with open(PATH, "wb") as f:
                f.write(body)
            sieve = hansieve.load(PATH)
        else:
            sieve = hansieve.Sieve.from_bytes(body)
    except ValueError as exc:
        assert str(exc), f"{type(exc).__name__} without a message"
        return
    exercise(sieve)


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
