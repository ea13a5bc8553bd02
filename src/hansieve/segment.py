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
nothing of jieba is imported or initialised, and no cache file is written.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Iterable, Mapping

from ._segment import Segmenter, _SegmentBuilder

__all__ = ["Segmenter", "build_segmenter", "default_segmenter", "jieba_dict_path"]


def jieba_dict_path() -> str:
    """Path of jieba's default dictionary, ``dict.txt`` beside jieba's ``__init__.py``, found
    without importing jieba. Raises ImportError when jieba is not installed."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        raise ImportError("the default segmentation dictionary is jieba's: pip install jieba")
    return os.path.join(os.path.dirname(spec.origin), "dict.txt")


def build_segmenter(freq: dict[str, int] | None = None,
                    extra_words: Iterable[tuple[str, int]] | Mapping[str, int] = (), *,
                    total: int | None = None) -> Segmenter:
    """Build a :class:`Segmenter`.

    Parameters
    ----------
    freq
        word -> frequency, like a jieba ``Tokenizer.FREQ`` (its prefix entries of frequency 0 may
        be present or not: every prefix of a word is implied, as in jieba). None (the default)
        reads jieba's own ``dict.txt`` (lines ``word freq [tag]``), like ``jieba.Tokenizer()``.
    extra_words
        ``(word, freq)`` pairs (or a word -> freq mapping) applied in order like
        ``Tokenizer.add_word(word, freq)``: the word's frequency is set (0 makes it a prefix
        only) and `freq` is added to the total. `freq` is required (jieba's ``add_word``
        without one calls ``suggest_freq``, which is not reproduced here).
    total
        The sum of frequencies before `extra_words` (jieba's ``Tokenizer.total``). By default the
        sum of `freq`'s values, or of every line of the file; pass ``tokenizer.total`` with
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
        path = jieba_dict_path()
        with open(path, "rb") as f:
            builder.add_dict_bytes(f.read(), path)
    else:
        if not isinstance(freq, dict):
            raise TypeError(f"freq must be a dict of word -> frequency, not {type(freq).__name__}")
        builder.add_freq_dict(freq)
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
