"""Native jieba segmentation (dictionary + maximum-probability route, no HMM), for verification.

A hit of a short term is often part of a longer word: 法轮 in 没办法轮流值班 (办法 / 轮流),
大麻 in 大麻烦. :class:`~hansieve._segment.Segmenter` reproduces
``jieba.Tokenizer().lcut(text, HMM=False)`` exactly, natively, and answers "does the segmentation
of the context put token boundaries at both ends of this span?" in about a microsecond.

>>> from hansieve.segment import build_segmenter
>>> seg = build_segmenter(extra_words=[("法轮功", 500)])
>>> seg.cut("没办法轮流值班")
['没', '办法', '轮流', '值班']
>>> seg.is_boundary_aligned("没办法轮流值班", 2, 4), seg.is_boundary_aligned("他是法轮功学员", 2, 5)
(False, True)

jieba itself is only needed for its dictionary file (``jieba/dict.txt``), which is read directly:
nothing of jieba is imported or initialised, and no cache file is written. :func:`jieba_words`
parses that file once per process for everything that reads it: the default segmenter, the
variant guards (:mod:`hansieve.variants`) and verification.
"""

from __future__ import annotations

import bisect
import functools
import importlib.util
import os
import threading
from collections.abc import Iterable, Mapping
from itertools import repeat
from operator import eq
from typing import NamedTuple

from ._segment import Segmenter, _SegmentBuilder

__all__ = ["Segmenter", "build_segmenter", "default_segmenter", "jieba_dict_path",
           "DictionaryWords", "read_dictionary", "jieba_words"]


def jieba_dict_path() -> str:
    """Path of jieba's default dictionary, ``dict.txt`` beside jieba's ``__init__.py``, found
    without importing jieba. Raises ImportError when jieba is not installed."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        raise ImportError("the default segmentation dictionary is jieba's: pip install jieba")
    return os.path.join(os.path.dirname(spec.origin), "dict.txt")


class DictionaryWords(NamedTuple):
    """The entries of a jieba dictionary file (lines ``word freq [tag]``), in file order.

    A word listed twice keeps its first place and takes its last frequency and tag, as in
    jieba's ``Tokenizer.FREQ`` (jieba's own ``dict.txt`` lists ``B超`` twice).

    Attributes
    ----------
    words : tuple of str
    freqs : tuple of int
        ``freqs[i]`` is the frequency of ``words[i]``.
    tags : tuple of str
        The part-of-speech tag of ``words[i]`` (``"n"``, ``"nr"``...), ``""`` when its line has
        none.
    total : int
        The sum of the frequencies of every line, repeats included (jieba's ``Tokenizer.total``).
    """

    words: tuple[str, ...]
    freqs: tuple[int, ...]
    tags: tuple[str, ...]
    total: int


def read_dictionary(path: str | os.PathLike[str]) -> DictionaryWords:
    """Parse a jieba dictionary file like jieba's ``Tokenizer.gen_pfdict``: lines split on
    ``\n`` and stripped of ASCII whitespace, UTF-8, the first two ``" "``-separated fields the
    word and its ``int()`` frequency, the third (if any) its tag.

    Raises
    ------
    ValueError
        A line that jieba would refuse (``invalid dictionary entry in <path> at Line <n>``).
    """
    with open(path, "rb") as f:
        data = f.read()
    words, freqs, tags = _split_regular(data) or _split_lines(data, os.fspath(path))
    total = sum(freqs)
    # A dict keeps a key where it first came and the value it was last given.
    freq_of = dict(zip(words, freqs))
    if len(freq_of) != len(words):
        words, freqs, tags = list(freq_of), list(freq_of.values()), list(dict(zip(words, tags)).values())
    # Interned tags: a few dozen distinct strings instead of one object per line.
    distinct: dict[str, str] = {}
    tags = list(map(distinct.setdefault, tags, tags))
    return DictionaryWords(tuple(words), tuple(freqs), tuple(tags), total)


_Columns = tuple[list[str], list[int], list[str]]


def _split_regular(data: bytes) -> _Columns | None:
    """The fast path, for a file whose every line is ``word freq tag`` with single spaces and no
    other ASCII whitespace (jieba's own): one split of the whole text instead of a loop over
    lines. None when the file is not like that (it then goes line by line)."""
    if any(c in data for c in (b"\r", b"\t", b"\x0b", b"\x0c", b"  ")):
        return None     # stripping or empty fields: leave it to the line-by-line parser
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()     # the final newline ends the last line; it does not start another
    if not all(map(eq, map(str.count, lines, repeat(" ")), repeat(2))):
        return None
    fields = " ".join(lines).split(" ")
    words, tags = fields[0::3], fields[2::3]
    if not all(words) or not all(tags):
        return None     # a line starting or ending with a space
    try:
        freqs = list(map(int, fields[1::3]))
    except ValueError:
        return None
    return words, freqs, tags


def _split_lines(data: bytes, name: str) -> _Columns:
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    words, freqs, tags = [], [], []
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"invalid dictionary entry in {name} at Line {lineno}: {line!r}") from None
        fields = text.split(" ")
        try:
            word, freq = fields[:2]
            freqs.append(int(freq))
        except ValueError:
            raise ValueError(f"invalid dictionary entry in {name} at Line {lineno}: {text}") from None
        words.append(word)
        tags.append(fields[2] if len(fields) > 2 else "")
    return words, freqs, tags


@functools.lru_cache(maxsize=1)
def jieba_words() -> DictionaryWords:
    """jieba's default dictionary (:func:`jieba_dict_path`), parsed once per process and shared:
    treat it as read-only. Raises ImportError when jieba is not installed.

    >>> d = jieba_words()
    >>> i = d.words.index("大麻")
    >>> d.freqs[i], d.tags[i], len(d.words), d.total
    (113, 'n', 349045, 60101967)
    """
    return read_dictionary(jieba_dict_path())


def build_segmenter(freq: dict[str, int] | None = None,
                    extra_words: Iterable[tuple[str, int]] | Mapping[str, int] = (), *,
                    total: int | None = None) -> Segmenter:
    """Build a :class:`Segmenter`.

    Parameters
    ----------
    freq
        word -> frequency, like a jieba ``Tokenizer.FREQ`` (its prefix entries of frequency 0 may
        be present or not: every prefix of a word is implied, as in jieba). None (the default)
        takes jieba's own ``dict.txt`` (:func:`jieba_words`), like ``jieba.Tokenizer()``; for
        another dictionary file, pass ``dict(zip(d.words, d.freqs))`` and ``total=d.total`` of
        ``d = read_dictionary(path)``.
    extra_words
        ``(word, freq)`` pairs (or a word -> freq mapping) applied in order like
        ``Tokenizer.add_word(word, freq)``: the word's frequency is set (0 makes it a prefix
        only) and `freq` is added to the total. `freq` is required (jieba's ``add_word``
        without one calls ``suggest_freq``, which is not reproduced here).
    total
        The sum of frequencies before `extra_words` (jieba's ``Tokenizer.total``). By default the
        sum of `freq`'s values, or of every line of jieba's file; pass ``tokenizer.total`` with
        ``freq=tokenizer.FREQ`` to match a tokenizer whose file repeats a word (jieba's own
        ``dict.txt`` lists ``B超`` twice).

    Returns
    -------
    Segmenter
        Immutable and thread-safe; ``seg.cut(text) == tokenizer.lcut(text, HMM=False)`` for a
        ``jieba.Tokenizer`` with the same dictionary.

    Raises
    ------
    ValueError
        A malformed dictionary line, a negative frequency, or a total that is not positive.
    TypeError
        A word that is not a str, or a frequency that is not an integer.
    ImportError
        `freq` is None and jieba is not installed.
    """
    builder = _SegmentBuilder()
    if freq is None:
        default = jieba_words()
        builder.add_words(default.words, default.freqs)
        builder.total = default.total
    else:
        if not isinstance(freq, dict):
            raise TypeError(f"freq must be a dict of word -> frequency, not {type(freq).__name__}")
        builder.add_words(freq.keys(), freq.values())
    if total is not None:
        builder.total = int(total)
    if isinstance(extra_words, Mapping):
        extra_words = extra_words.items()
    for word, count in extra_words:
        builder.add_word(word, count)
    return builder.build()


_default: Segmenter | None = None
_default_lock = threading.Lock()


def default_segmenter() -> Segmenter:
    """The Segmenter of jieba's default dictionary, built on first use (about 0.3 s) and shared."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = build_segmenter()
    return _default


@functools.lru_cache(maxsize=1)
def _sorted_entries() -> tuple[list[str], list[int]]:
    """jieba's words sorted, and their frequencies (the file is nearly sorted: ~20 ms)."""
    d = jieba_words()
    entries = sorted(zip(d.words, d.freqs))
    return [w for w, _ in entries], [f for _, f in entries]


def segmenter_for(words: Iterable[str]) -> Segmenter:
    """A Segmenter that answers ``freq(w)`` and ``suggest_freq(w)`` for each of `words` exactly as
    :func:`default_segmenter` does, without building jieba's whole dictionary (0.3 s): the
    default one when it is built already, else one of just the dictionary entries that are
    substrings of `words` (with the proper prefixes of other words among those substrings, at
    frequency 0, as jieba's ``FREQ`` holds them) and jieba's total. Both answers read only the
    dictionary's entries for substrings of the word (the route of ``cut(word)``)."""
    if _default is not None:
        return _default
    keys, freqs = _sorted_entries()
    subset: dict[str, int] = {}
    n = len(keys)
    for word in words:
        for a in range(len(word)):
            for b in range(a + 1, len(word) + 1):
                piece = word[a:b]
                i = bisect.bisect_left(keys, piece)
                if i == n or not keys[i].startswith(piece):
                    break       # no entry begins with it: no longer piece from `a` is one either
                subset[piece] = freqs[i] if keys[i] == piece else 0
    return build_segmenter(freq=subset, total=jieba_words().total)
