"""Per-code-point fold (normalization) used on both keywords and scanned text.

The data comes from ``fold_table.tsv`` (written by ``tools/gen_fold_table.py``),
which stores each layer separately:

``t2s``
    OpenCC traditional -> simplified, one code point at a time.
``nfkc``
    ``unicodedata.normalize('NFKC', ch)`` (full-width forms, circled and
    mathematical letters, Kangxi radicals, compatibility ideographs, ...).
``lower``
    ``ch.lower()``.
``noise``
    Code points whose general category is whitespace, punctuation, symbol,
    mark, control or format; the scanner skips them.

A fifth, optional layer comes from ``variant_data/char_folds.tsv`` (written by
``tools/gen_variant_data.py``): :data:`CHAR_FOLDS`, per-code-point variant forms
no standard fold covers (CJK radicals, shinjitai, rare Unihan variants, Latin
lookalikes).

:func:`fold_map` composes the enabled layers into one ``cp -> str`` mapping
plus a set of noise ranges.  Only the standard library is used at runtime, so
the fold is the same everywhere, whatever OpenCC or ``unicodedata`` version
(if any) the host has.

Loading runs once per process, so it is written with C-level ``map``/``zip``
pipelines instead of per-line Python loops; that keeps a cold
``fold_map()`` well under 50 ms.
"""

from __future__ import annotations

import functools
import os
from bisect import bisect_right
from itertools import accumulate, compress, repeat
from operator import add, and_, itemgetter, mul, ne, not_, or_
from typing import NamedTuple

__all__ = ["FoldOptions", "FoldMap", "FoldTable", "fold_map", "load_table", "TABLE_PATH",
           "CHAR_FOLDS", "CHAR_FOLDS_PATH", "load_char_folds", "apply_char_folds"]

_HERE = os.path.dirname(os.path.abspath(__file__))
#: Location of the generated table; shipped as package data next to this file.
TABLE_PATH = os.path.join(_HERE, "fold_table.tsv")
#: Location of the variant fold layer (shipped with the variant tables).
CHAR_FOLDS_PATH = os.path.join(_HERE, "variant_data", "char_folds.tsv")

#: Extra pipeline passes allowed before the fold must be a fixed point.  The
#: current data needs one (麼 -> 么 -> 幺, 薴 -> 苧 -> 苎); more means bad data.
_MAX_ROUNDS = 4

_CODESPACE = 0x110000

_SECTIONS = frozenset({"noise", "nfkc", "lower", "t2s"})


class FoldOptions(NamedTuple):
    """Which fold layers are active.

    Attributes
    ----------
    chinese : bool
        Apply the OpenCC traditional -> simplified layer.
    compat : bool
        Apply the NFKC compatibility layer.
    case : bool
        Apply the lower-case layer.
    noise : bool
        Treat noise-category code points as noise (skipped by the scanner and
        dropped by :meth:`FoldMap.fold_term`).  When False nothing is noise.
    variants : bool
        Apply :data:`CHAR_FOLDS` to the raw code point first: CJK radical
        forms, Japanese shinjitai, rare Unihan variants, Latin lookalikes (⻩ -> 黄,
        薬 -> 药, ѕ -> s), and to every character the other layers produce (㎂ -> μa
        -> ua). Off by default here; ``hansieve.compile`` turns it on.
    """

    chinese: bool = True
    compat: bool = True
    case: bool = True
    noise: bool = True
    variants: bool = False


class FoldTable(NamedTuple):
    """The raw, uncomposed layers of ``fold_table.tsv``.

    Attributes
    ----------
    t2s, nfkc, lower : dict of int to str
        Per-layer ``cp -> result`` for the code points the layer changes.
    noise_ranges : tuple of (int, int)
        Sorted, merged, inclusive ranges of noise-category code points.
    header : dict of str to str
        ``@key value`` header entries (versions, counts).
    """

    t2s: dict[int, str]
    nfkc: dict[int, str]
    lower: dict[int, str]
    noise_ranges: tuple[tuple[int, int], ...]
    header: dict[str, str]


def _decode(values: list[str]) -> list[str]:
    """Hex values (space-separated code points) -> strings, without a loop."""
    if not any(map(str.__contains__, values, repeat(" "))):
        return list(map(chr, map(int, values, repeat(16))))
    # Convert every token into one string, then cut it into slices whose
    # lengths are the token counts of the values.
    chars = "".join(map(chr, map(int, " ".join(values).split(" "), repeat(16))))
    ends = list(accumulate(map(add, map(str.count, values, repeat(" ")), repeat(1))))
    return list(map(chars.__getitem__, map(slice, [0, *ends[:-1]], ends)))


@functools.lru_cache(maxsize=None)
def load_table(path: str = TABLE_PATH) -> FoldTable:
    """Parse ``fold_table.tsv``.

    Parameters
    ----------
    path : str, optional
        Table file; defaults to the one shipped with the package.

    Returns
    -------
    FoldTable
        The raw layers.  Cached: treat the dicts as read-only.

    Raises
    ------
    ValueError
        On a malformed record or a missing/unknown/duplicate section.
    """
    with open(path, encoding="utf-8") as fh:
        # Section markers start a line and records are hex: "\n[" can only
        # be a section start ("\n" + so line 1 counts too).  Never use
        # splitlines() here: it also breaks on U+2028 and friends.
        head, *chunks = ("\n" + fh.read()).split("\n[")
    header = {}
    for line in head.split("\n"):
        if line.startswith("@"):
            key, _, value = line[1:].partition("\t")
            header[key] = value
    columns = {}
    for chunk in chunks:
        name, _, body = chunk.partition("]\n")
        body = body.rstrip("\n")
        if name not in _SECTIONS or name in columns or not body:
            raise ValueError(f"{path}: unexpected section [{name}]")
        # Every record is "<key>\t<value>": one split gives key, value, key, ...
        flat = body.replace("\n", "\t").split("\t")
        if len(flat) != 2 * (body.count("\n") + 1):
            raise ValueError(f"{path}: a record in [{name}] does not have two columns")
        columns[name] = (flat[0::2], flat[1::2])
    if columns.keys() != _SECTIONS:
        raise ValueError(f"{path}: missing sections {sorted(_SECTIONS - columns.keys())}")

    def layer(name: str) -> dict[int, str]:
        keys, values = columns[name]
        return dict(zip(map(int, keys, repeat(16)), _decode(values)))

    firsts, lasts = columns["noise"]
    noise = tuple(zip(map(int, firsts, repeat(16)), map(int, lasts, repeat(16))))
    return FoldTable(layer("t2s"), layer("nfkc"), layer("lower"), noise, header)


def load_char_folds(path: str = CHAR_FOLDS_PATH) -> dict[str, str]:
    """Character -> character, from ``char_folds.tsv`` (`path`, by default the shipped one):
    records ``<char> TAB <target> TAB <source>`` after ``#`` and ``@`` header lines."""
    with open(path, encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh if line.strip() and line[0] not in "#@"]
    return {row[0]: row[1] for row in rows}


#: The variant fold layer: one code point -> one code point. CJK radicals (⻩ -> 黄), Japanese
#: shinjitai OpenCC leaves alone (薬 -> 药), rare Unihan variants (滛 -> 淫), rare lookalikes
#: (毐 -> 毒), Latin small capitals (ᴀ -> a) and Cyrillic/Greek homoglyphs (а -> a). No key is
#: a common character of modern simplified text. It applies to the **raw** code point, before
#: the other layers (keys include upper-case and styled forms with targets of their own,
#: Η -> h but η -> n) and before the noise test (CJK radicals are symbols by category). Every
#: target is a fixed point of the other layers. Shared: do not mutate.
CHAR_FOLDS: dict[str, str] = load_char_folds()


def apply_char_folds(text: str) -> str:
    """``text`` with :data:`CHAR_FOLDS` applied (a reference for tests; same length)."""
    return "".join(CHAR_FOLDS.get(c, c) for c in text)


def _runs(flags: bytearray) -> tuple[tuple[int, int], ...]:
    """Inclusive ``(first, last)`` ranges of the non-zero bytes of ``flags``."""
    out = []
    first = flags.find(1)
    while first >= 0:
        end = flags.find(0, first)
        if end < 0:
            end = len(flags)
        out.append((first, end - 1))
        first = flags.find(1, end)
    return tuple(out)


class FoldMap:
    """The composed fold for one :class:`FoldOptions` combination.

    Attributes
    ----------
    options : FoldOptions
        The options this map was built for.
    mapping : dict of int to str
        ``cp -> folded string`` for every non-noise code point whose fold
        differs from ``chr(cp)``.  Values are non-empty, contain no noise and
        are fixed points of the fold.  Shared through the cache: do not mutate.
    noise_ranges : tuple of (int, int)
        Sorted, merged, inclusive ranges of noise code points; ``()`` when
        ``options.noise`` is False.
    unidata_version, opencc_version : str
        Versions the table was generated with.
    """

    __slots__ = ("options", "mapping", "noise_ranges", "unidata_version",
                 "opencc_version", "_starts", "_ends", "_table", "_separator")

    def __init__(self, options: FoldOptions, mapping: dict[int, str],
                 noise_ranges: tuple[tuple[int, int], ...],
                 unidata_version: str, opencc_version: str) -> None:
        self.options = options
        self.mapping = mapping
        self.noise_ranges = noise_ranges
        self.unidata_version = unidata_version
        self.opencc_version = opencc_version
        self._starts = [a for a, _ in noise_ranges]
        self._ends = [b for _, b in noise_ranges]
        # str.translate table, made on first fold_term
        self._table: dict[int, str | None] | None = None
        self._separator: str | None = None     # see fold_terms

    def __repr__(self) -> str:
        return (f"<FoldMap {self.options!r}: {len(self.mapping)} mapped, "
                f"{len(self.noise_ranges)} noise ranges>")

    def is_noise(self, cp: int) -> bool:
        """Whether ``cp`` is noise under these options.

        Parameters
        ----------
        cp : int
            Code point.

        Returns
        -------
        bool
        """
        i = bisect_right(self._starts, cp) - 1
        return i >= 0 and cp <= self._ends[i]

    def fold_char(self, cp: int) -> str:
        """Fold one code point.

        Parameters
        ----------
        cp : int
            Code point.

        Returns
        -------
        str
            ``''`` for noise, otherwise the folded string, which may be
            several code points long (``'⑩'`` -> ``'10'``).
        """
        folded = self.mapping.get(cp)
        if folded is not None:
            return folded
        return "" if self.is_noise(cp) else chr(cp)

    def fold_term(self, term: str) -> str:
        """Fold a string code point by code point, dropping noise.

        Parameters
        ----------
        term : str
            Keyword or text.

        Returns
        -------
        str
            Concatenation of :meth:`fold_char` over the code points of ``term``.
        """
        # One str.translate pass (C speed): mapped code points to their folds, noise to nothing.
        # Folds are fixed points, so a single pass is the whole fold.
        return term.translate(self._translate_table())

    def fold_terms(self, terms: list[str]) -> list[str]:
        """:meth:`fold_term` of each of `terms`, in one ``str.translate`` pass over them all
        joined by a separator no fold touches (a 349k-word lexicon: 40 ms instead of 300)."""
        table = self._translate_table()
        sep = self._separator
        if sep is not None and len(terms) > 1:
            joined = sep.join(terms)
            if joined.count(sep) == len(terms) - 1:     # no term holds the separator itself
                return joined.translate(table).split(sep)
        return [term.translate(table) for term in terms]

    def _translate_table(self) -> dict[int, str | None]:
        table = self._table
        if table is None:
            table = dict.fromkeys(cp for lo, hi in self.noise_ranges for cp in range(lo, hi + 1))
            table.update(self.mapping)
            # A private-use code point that folds to itself and is no fold's output.
            outputs = set("".join(v for v in table.values() if v))
            self._separator = next((chr(cp) for cp in range(0xE000, 0xF900)
                                    if cp not in table and chr(cp) not in outputs), None)
            self._table = table
        return table


def _then(first: dict[str, str], second: dict[str, str]) -> dict[str, str]:
    """The per-char map "apply ``first``, then ``second`` to each char".

    Both map one-char ``str`` keys to strings; absent chars map to themselves.
    """
    out = dict(second)
    values = first.values()
    # Single-char values: one C-level lookup each.  Longer values are never
    # keys, so that lookup returned them unchanged; redo char by char those
    # that contain a char `second` changes.
    out.update(zip(first, map(second.get, values, values)))
    changes = second.keys()
    for k in _longer(first):
        value = first[k]
        if not changes.isdisjoint(value):
            out[k] = "".join([second.get(c, c) for c in value])
    return out


def _longer(d: dict[str, str]) -> list[str]:
    """Keys of ``d`` whose value is longer than one character."""
    return list(compress(d, map((1).__lt__, map(len, d.values()))))


def _by_char(layer: dict[int, str]) -> dict[str, str]:
    # str keys let the composition look characters up without ord()/chr().
    return dict(zip(map(chr, layer), layer.values()))


def _compose(table: FoldTable, options: FoldOptions) -> FoldMap:
    versions = (table.header.get("unidata_version", ""), table.header.get("opencc_version", ""))

    # One pass of the pipeline, as a single per-char map.
    step: dict[str, str] = {}
    if options.compat:
        nfkc = _by_char(table.nfkc)
        step = nfkc
    if options.case:
        step = _then(step, _by_char(table.lower))
        if options.compat:
            # lower() can yield characters NFKC would change again.
            step = _then(step, nfkc)
    if options.chinese:
        step = _then(step, _by_char(table.t2s))
    if options.variants:
        # The variant layer reads the raw code point, so it comes first.
        step = _then(CHAR_FOLDS, step)

    # Re-apply the pass to results that still contain a char it changes, so
    # every result is a fixed point (麼 -> 么 -> 幺 needs two t2s hops; ㎂ -> μa
    # needs the variant layer again for μ -> u).  One
    # set test per one-char value: iterating a str allocates per CJK char.
    unstable = set(compress(step, map(ne, step, step.values())))
    todo = list(compress(step, map(unstable.__contains__, step.values())))
    todo += [k for k in _longer(step) if not unstable.isdisjoint(step[k])]
    for _ in range(_MAX_ROUNDS):
        if not todo:
            break
        # Resolving in place is fine: a lookup that meets an already-resolved
        # entry only reaches the same fixed point sooner.
        for k in todo:
            step[k] = "".join([step.get(c, c) for c in step[k]])
        todo = [k for k in todo if not unstable.isdisjoint(step[k])]
    if todo:
        raise ValueError(f"fold table does not converge in {_MAX_ROUNDS} rounds for {options}")

    keys = list(step)
    values = list(step.values())
    ords = list(map(ord, keys))
    if not options.noise:
        mapping = dict(compress(zip(ords, values), map(ne, values, keys)))
        return FoldMap(options, mapping, (), *versions)

    # A byte per code point: C-speed membership tests and range rebuilding.
    category = bytearray(_CODESPACE)
    for a, b in table.noise_ranges:
        category[a:b + 1] = b"\1" * (b - a + 1)
    in_cat = list(map(category.__getitem__, ords))
    # Each result without its noise-category characters.  One-char results
    # (most) just test their char: "x" * False == "".
    kept = list(map(mul, values, map(not_, map(category.__getitem__,
                                                map(ord, map(itemgetter(0), values))))))
    longer = list(compress(range(len(values)), map((1).__lt__, map(len, values))))
    if longer:
        texts = [values[i] for i in longer]
        present = list(map(ord, set("".join(texts))))
        drop = dict.fromkeys(compress(present, map(category.__getitem__, present)))
        for i, text in zip(longer, map(str.translate, texts, repeat(drop))):
            kept[i] = text
    # Noise: the fold leaves nothing but noise, or the char is a noise-category
    # symbol and compat is off -- only NFKC (or the variant layer: ⻩ -> 黄) can
    # show a symbol is really text (ⓐ -> a, ⼀ -> 一), so without it such
    # symbols stay noise.
    noise = list(map(not_, kept))
    if not options.compat:
        symbol = in_cat
        if options.variants:
            symbol = list(map(and_, in_cat, map(not_, map(CHAR_FOLDS.__contains__, keys))))
        noise = list(map(or_, noise, symbol))
    mapping = dict(compress(zip(ords, kept),
                            map(and_, map(not_, noise), map(ne, kept, keys))))
    rescued = list(compress(ords, map(and_, in_cat, map(not_, noise))))
    added = list(compress(ords, map(and_, map(not_, in_cat), noise)))
    if rescued or added:
        for cp in rescued:
            category[cp] = 0
        for cp in added:
            category[cp] = 1
        noise_ranges = _runs(category)
    else:
        noise_ranges = table.noise_ranges
    return FoldMap(options, mapping, noise_ranges, *versions)


@functools.lru_cache(maxsize=None)
def _fold_map(options: FoldOptions) -> FoldMap:
    return _compose(load_table(), options)


@functools.lru_cache(maxsize=None)
def fold_map(options: FoldOptions = FoldOptions()) -> FoldMap:
    """The composed fold for ``options`` (cached).

    Parameters
    ----------
    options : FoldOptions, optional
        Layers to enable; all but variants on by default.  Any 4- or 5-sequence of truth values
        in ``FoldOptions`` field order is accepted.

    Returns
    -------
    FoldMap
        Shared instance: equal options give the same object whatever the call
        form (``fold_map()`` is ``fold_map(FoldOptions())``).  Do not mutate.

    Examples
    --------
    >>> fold_map().fold_term('Ｆ*Ｕ 法輪功')
    'fu法轮功'
    """
    # Normalise first so equal options share one FoldMap.
    return _fold_map(FoldOptions(*map(bool, options)))
