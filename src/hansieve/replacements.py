"""Ready-made replacements for :meth:`hansieve.Sieve.replace`: callables given the
:class:`hansieve.Match` of a hit, returning the text that takes its place.

>>> import hansieve
>>> s = hansieve.compile([hansieve.Term("法轮功", "politics")])
>>> s.replace("他说法輪功", category_label("<{}>"))
'他说<政治>'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Mapping

from .lexicon import CATEGORY_LABELS

if TYPE_CHECKING:
    from ._core import Match


def category_label(template: str = "[{}]", labels: Mapping[str, str] | None = None,
                   default: str = "已屏蔽") -> Callable[[Match], str]:
    """The hit's category as a label: ``[政治]`` for politics (:data:`CATEGORY_LABELS`, or
    your own `labels`); `default` for a term without a category."""
    names = CATEGORY_LABELS if labels is None else labels

    def label(m: Match) -> str:
        return template.format(names.get(m.category, default) if m.category else default)
    return label


def keep_first(char: str = "*") -> Callable[[Match], str]:
    """The hit's first character as written, the others masked: 法輪功 -> ``法**``."""
    if not isinstance(char, str) or len(char) != 1:
        raise ValueError(f"char must be one character, got {char!r}")

    def keep(m: Match) -> str:
        written = m.text or m.term
        return written[:1] + char * (len(written) - 1)
    return keep
