"""Terms -> Sieve: fold every term with the scanner's own fold table, give each folded character a
dense symbol id (most frequent first), and hand the result to the native builder."""

from __future__ import annotations

import enum
import functools
from collections import Counter
from typing import Iterable, NamedTuple, Union

from . import _core
from .errors import BuildError, MatchError
from .fold import FoldOptions, fold_map


class MatchKind(str, enum.Enum):
    """Match semantics, fixed when a Sieve is compiled."""

    #: every occurrence of every term, overlapping ones included (screening)
    OVERLAPPING = "overlapping"
    #: non-overlapping; at each point the leftmost hit, and of those the longest (masking)
    LEFTMOST_LONGEST = "leftmost_longest"

    def __str__(self) -> str:
        return self.value


class Term(NamedTuple):
    """A lexicon entry. Plain ``str`` terms compile as ``Term(text)``."""

    text: str
    category: str | None = None
    severity: str | None = None
    #: where the term was read, as ``file:line``, for error messages
    source: str | None = None


TermLike = Union[str, Term]


@functools.lru_cache(maxsize=16)
def _inverse_fold(options: FoldOptions) -> tuple[dict[str, list[int]], list[tuple[int, str]]]:
    """For one set of fold options: target character -> code points folding to it alone, and the
    code points that fold to several characters."""
    single: dict[str, list[int]] = {}
    multi: list[tuple[int, str]] = []
    for cp, folded in fold_map(options).mapping.items():
        if len(folded) == 1:
            single.setdefault(folded, []).append(cp)
        else:
            multi.append((cp, folded))
    return single, multi


def _as_term(item: object) -> Term:
    if isinstance(item, Term):
        if not isinstance(item.text, str):
            raise TypeError(f"term text must be str, not {type(item.text).__name__}")
        return item
    if isinstance(item, str):
        return Term(item)
    raise TypeError(f"terms must be str or hansieve.Term, not {type(item).__name__}")


def compile(
    terms: Iterable[TermLike],
    *,
    match_kind: MatchKind | str = MatchKind.OVERLAPPING,
    fold_chinese: bool = True,
    fold_compat: bool = True,
    fold_case: bool = True,
    skip_noise: bool = True,
    max_gap: int = 3,
) -> _core.Sieve:
    """Compile lexicon terms into an immutable :class:`Sieve`.

    Parameters
    ----------
    terms
        Any iterable of ``str`` (or :class:`Term`). Each term is folded like the text it is
        matched against, so ``法輪功``, ``法轮功`` and ``法*轮*功`` are the same key.
    match_kind
        ``"overlapping"`` (default: every hit) or ``"leftmost_longest"`` (non-overlapping).
    fold_chinese
        Traditional -> simplified Chinese, per character (OpenCC t2s, tw2s, hk2s).
    fold_compat
        Unicode compatibility folding (NFKC per code point: full width, circled and
        mathematical letters, Kangxi radicals, compatibility ideographs...).
    fold_case
        Lower-casing.
    skip_noise
        Skip whitespace, punctuation, symbols, emoji, zero-width and format characters and
        combining marks inside a match, at most `max_gap` of them in a row. With every fold and
        `skip_noise` off, hits are exactly those of a plain Aho-Corasick automaton.
    max_gap
        Most noise code points in a row that a match may span.

    Raises
    ------
    TypeError
        A term is not a ``str``.
    BuildError
        A term is empty, or nothing is left of it after folding (only noise).
    MatchError
        An unknown `match_kind` or a negative `max_gap`.

    Examples
    --------
    >>> import hansieve
    >>> s = hansieve.compile(["法轮功", "六四"])
    >>> [(m.term, m.start, m.end) for m in s.find("法輪功和六 四")]
    [('法轮功', 0, 3), ('六四', 4, 7)]
    """
    try:
        kind = MatchKind(match_kind)
    except ValueError:
        raise MatchError(f"[E001] unknown match_kind {match_kind!r}; "
                         f"use one of {[k.value for k in MatchKind]}") from None
    if isinstance(max_gap, bool) or not isinstance(max_gap, int) or not 0 <= max_gap <= 1 << 20:
        raise MatchError(f"[E002] max_gap must be an int in 0..{1 << 20}, got {max_gap!r}")
    if isinstance(terms, (str, bytes)):
        raise TypeError("terms must be an iterable of str, not a single string")

    options = FoldOptions(chinese=bool(fold_chinese), compat=bool(fold_compat),
                          case=bool(fold_case), noise=bool(skip_noise))
    fm = fold_map(options)
    entries = [_as_term(item) for item in terms]
    folded = []
    for entry in entries:
        where = f" ({entry.source})" if entry.source else ""
        if not entry.text:
            raise BuildError(f"[E003] empty term{where}")
        key = fm.fold_term(entry.text)
        if not key:
            raise BuildError(f"[E004] term {entry.text!r}{where} is empty after folding "
                             "(it is made of noise characters only)")
        folded.append(key)

    # Dense symbol ids, most frequent character first (small ids for the hottest characters).
    counts = Counter("".join(folded))
    sym = {ch: i + 1 for i, (ch, _) in enumerate(counts.most_common())}
    single, multi = _inverse_fold(options)
    sym_pairs = []
    for ch, sid in sym.items():
        sym_pairs.append((ord(ch), sid))
        for source in single.get(ch, ()):
            sym_pairs.append((source, sid))
    expansions = [(cp, [sym.get(c, 0) for c in s]) for cp, s in multi
                  if any(c in sym for c in s)]
    code_table = _core._build_code_table(sym_pairs, list(fm.noise_ranges), expansions)

    recorded = {
        "match_kind": kind.value,
        "fold_chinese": options.chinese,
        "fold_compat": options.compat,
        "fold_case": options.case,
        "skip_noise": options.noise,
        "max_gap": max_gap,
    }
    return _core._build_sieve(
        folded,
        tuple(e.text for e in entries),
        tuple(e.category for e in entries),
        tuple(e.severity for e in entries),
        code_table,
        len(sym),
        max_gap,
        kind is MatchKind.LEFTMOST_LONGEST,
        kind,
        recorded,
    )
