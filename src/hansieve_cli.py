"""The ``hansieve`` command's entry point. It lives outside the ``hansieve`` package on purpose:
importing the package (its native core, fold table and lexicon code) takes a noticeable moment,
and a Ctrl-C in that moment would otherwise end in a traceback from the script's own ``import``
line. Here it exits 130, as it does once the command runs."""

import sys

EXIT_INTERRUPTED = 130


def _interrupted(exc: BaseException) -> bool:
    """Whether Ctrl-C caused `exc`: Python 3.11 wraps a KeyboardInterrupt raised while a class
    is created (``__set_name__``, during an import) into a RuntimeError."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def main() -> int:
    try:
        from hansieve.cli import main as run
        return run()
    except BaseException as exc:
        if not _interrupted(exc):
            raise
        print("hansieve: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
