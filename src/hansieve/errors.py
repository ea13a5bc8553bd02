"""The exception hierarchy. Messages carry a code (``[E0xx]``) that is stable across releases.

The classes are defined in the native core (``_errors.pxi``), the ground floor, so that the core
can raise them without importing anything above it; this module is where the package and its
users import them from.

- :class:`HansieveError`: base class of every error hansieve raises on purpose.
- :class:`BuildError`: a term or compile option cannot be compiled (``ValueError``).
- :class:`MatchError`: an unsupported match kind or combination of options (``ValueError``).
- :class:`LexiconError`: a malformed lexicon file, naming the file and line (``ValueError``).
- :class:`FormatError`: a truncated, corrupt, foreign or newer compiled file (``ValueError``).
- :class:`HansieveWarning`: a mechanism was switched off because of the lexicon's size.
"""

from ._core import (BuildError, HansieveWarning, FormatError, HansieveError, LexiconError,
                    MatchError)

__all__ = ["HansieveError", "BuildError", "MatchError", "LexiconError", "FormatError",
           "HansieveWarning"]
