"""Shared pieces of the atheris targets: where the oracle lives, the fixed fuzzing lexicon, and
turning fuzzer bytes into text that hits the interesting characters often.

The targets import the *installed* hansieve (the instrumented build in the fuzz venv, see
`.ci/fuzz.sh`), never `src/`: this folder and `tests/` (for `oracle.py`) go on sys.path, not
`src/`."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import oracle  # noqa: E402

from hansieve.fold import fold_map  # noqa: E402


class _MemoFold:
    """A FoldMap with per-code-point answers memoized: the oracle asks the same few hundred
    questions for every input, and the fuzzer's speed is the oracle's speed. The answers are
    the FoldMap's own, so the oracle's semantics do not change."""

    def __init__(self, fm):
        self._fm = fm
        self.is_noise = functools.lru_cache(maxsize=1 << 16)(fm.is_noise)
        self.fold_char = functools.lru_cache(maxsize=1 << 16)(fm.fold_char)
        self.fold_term = functools.lru_cache(maxsize=1 << 12)(fm.fold_term)

    def __getattr__(self, name):
        return getattr(self._fm, name)


oracle.fold_map = functools.lru_cache(maxsize=None)(lambda options: _MemoFold(fold_map(options)))

#: A small lexicon covering every mechanism the oracle models: Chinese folds (法輪功), a term
#: that is a prefix of another (法轮 / 法轮功, for leftmost-longest), overlapping terms, ASCII
#: whole-word terms (fuck, sex, 64), mixed Latin and CJK (av女优), terms reached through
#: one-to-many folds (ĳ -> ij, ℡ -> tel, ㋅ -> 6月, ½ -> 12), non-BMP characters, single
#: characters and repeated characters (aab, abab).
TERMS = ["法轮功", "法轮", "轮功大法", "六四", "64", "fuck", "sex", "av女优", "ij", "tel", "6月4日",
         "12", "𠀀𠀁", "a", "aab", "abab", "大"]

#: Characters the text generator draws from most of the time: term characters and their
#: traditional, full-width, circled, mathematical and one-to-many sources; noise of every class
#: (separators, symbols, emoji, zero-width, combining marks); and the odd ones (lone surrogates,
#: U+FFFF, a variation selector, the last code point, NUL).
ALPHABET = ("法輪轮功發发大六四陸肆64６④①②日月女优優avＡａⓐ𝐚fuckＦＵＣＫsexＳｅ"
            "ijĳℹtel℡㋅½¼12𠀀𠀁abＢ"
            " *\u200b\ufe0f\u3002\uff0c\U0001f600\u0301\u3000\n\t-_.\u00a0"
            "\ud800\udfff\uffff\U000e0100\U0010ffff\x00xy中国")


def scratch_dir(target: str) -> Path:
    """A per-process folder for files the target writes (tmpfs when there is one). libFuzzer
    ends the process without running atexit handlers, so folders of processes that are gone
    are removed here instead."""
    import os
    import shutil
    import tempfile

    base = Path("/dev/shm") if os.path.isdir("/dev/shm") else Path(tempfile.gettempdir())
    for old in base.glob(f"hansieve-fuzz-{target}-*"):
        try:
            os.kill(int(old.name.rsplit("-", 1)[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(old, ignore_errors=True)
        except (ValueError, PermissionError):
            pass
    folder = base / f"hansieve-fuzz-{target}-{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


def text_from(fdp, max_len: int = 64) -> str:
    """Text from fuzzer input: mostly ALPHABET characters, sometimes any code point at all
    (surrogates and unassigned ones included): a byte below 224 picks from ALPHABET, any other
    byte takes the next three as a code point modulo 0x110000."""
    raw = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, max_len))
    out = []
    i, n = 0, len(raw)
    while i < n:
        b = raw[i]
        if b < 224:
            out.append(ALPHABET[b % len(ALPHABET)])
            i += 1
        else:
            out.append(chr(int.from_bytes(raw[i + 1:i + 4], "little") % 0x110000))
            i += 4
    return "".join(out)


def triples(matches) -> list[tuple[int, int, int]]:
    return [(m.term_id, m.start, m.end) for m in matches]


def masked(text: str, spans, char: str = "*") -> str:
    covered = set()
    for _, start, end in spans:
        covered.update(range(start, end))
    return "".join(char if i in covered else c for i, c in enumerate(text))
