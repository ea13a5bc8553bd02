# The exception hierarchy
#
# Defined here, on the ground floor, so the core raises the package's own errors without
# importing anything of the package; `hansieve.errors` re-exports them. Messages carry a code
# (``[E0xx]``) that is stable across releases.
# Included by _core.pyx.


class HansieveError(Exception):
    """Base class of every error hansieve raises on purpose."""
    __module__ = "hansieve.errors"


class BuildError(HansieveError, ValueError):
    """A lexicon term or compile option cannot be compiled (empty term, term of noise only,
    a lexicon too large for the automaton...)."""
    __module__ = "hansieve.errors"


class MatchError(HansieveError, ValueError):
    """An unsupported match kind or combination of options."""
    __module__ = "hansieve.errors"


class LexiconError(HansieveError, ValueError):
    """A lexicon file is malformed; the message names the file and line."""
    __module__ = "hansieve.errors"


class FormatError(HansieveError, ValueError):
    """A compiled file is truncated, corrupt, foreign or of a newer format version."""
    __module__ = "hansieve.errors"


class HansieveWarning(UserWarning):
    """Something was left out on purpose and the result matches less than it could (variant
    spellings of a lexicon above 20,000 terms with ``variants="auto"``): said, never silent."""
    __module__ = "hansieve.errors"
