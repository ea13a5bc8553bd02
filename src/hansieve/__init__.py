"""hansieve: a Chinese sensitive-term keyword engine with a native Aho-Corasick core.

>>> import hansieve
>>> sieve = hansieve.compile(["法轮功", "fuck"])
>>> [(m.term, m.start, m.end) for m in sieve.find("他說法輪功，Ｆ*Ｕ*Ｃ*Ｋ")]
[('法轮功', 2, 5), ('fuck', 6, 13)]
"""

from ._core import Match, Sieve
from .compile import MatchKind, Term, compile
from .errors import BuildError, HansieveError, LexiconError, MatchError
from .lexicon import default_lexicon_path, load_lexicon

__version__ = "0.1.0"

__all__ = [
    "BuildError",
    "HansieveError",
    "LexiconError",
    "Match",
    "MatchError",
    "MatchKind",
    "Sieve",
    "Term",
    "compile",
    "default_lexicon_path",
    "load_lexicon",
    "__version__",
]
