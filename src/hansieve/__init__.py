"""hansieve: a Chinese sensitive-term keyword engine with a native Aho-Corasick core.

>>> import hansieve
>>> sieve = hansieve.compile(["法轮功", "fuck"])
>>> [(m.term, m.start, m.end) for m in sieve.find("他說法輪功，Ｆ*Ｕ*Ｃ*Ｋ")]
[('法轮功', 2, 5), ('fuck', 6, 13)]
"""

from ._version import __version__
from ._core import Match, Sieve, Stream
from .compile import MatchKind, compile, load
from .errors import (BuildError, FormatError, HansieveError, HansieveWarning, LexiconError,
                     MatchError)
from .lexicon import (CATEGORIES, SEVERITIES, Lexicon, Rule, Term, default_lexicon_path,
                      load_lexicon, read_lexicon)
from .reload import Reloader
from .verify import Verdict

__all__ = [
    "CATEGORIES",
    "SEVERITIES",
    "BuildError",
    "FormatError",
    "HansieveError",
    "HansieveWarning",
    "Lexicon",
    "LexiconError",
    "Match",
    "MatchError",
    "MatchKind",
    "Rule",
    "Reloader",
    "Sieve",
    "Stream",
    "Term",
    "Verdict",
    "compile",
    "default_lexicon_path",
    "load",
    "load_lexicon",
    "read_lexicon",
    "__version__",
]
