"""The exception hierarchy. Messages carry a code (``[E0xx]``) that is stable across releases."""


class HansieveError(Exception):
    """Base class of every error hansieve raises on purpose."""


class BuildError(HansieveError, ValueError):
    """A lexicon term or compile option cannot be compiled (empty term, term of noise only...)."""


class MatchError(HansieveError, ValueError):
    """An unsupported match kind or combination of options."""


class LexiconError(HansieveError, ValueError):
    """A lexicon file is malformed; the message names the file and line."""


class FormatError(HansieveError, ValueError):
    """A compiled file is truncated, corrupt, foreign or of a newer format version."""


class HansieveWarning(UserWarning):
    """Something was left out of a compile on purpose (variant spellings of a large lexicon):
    the message names what, why, and the option that decides it."""
