"""Hot reload: watch lexicon files, compile in the background, swap atomically.

A service reads ``reloader.sieve`` once per message and scans with that reference, so a scan in
flight finishes on the Sieve it started with; the swap is a single reference assignment. A
lexicon with errors is refused and the previous Sieve keeps serving.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

from ._core import Sieve
from .compile import compile
from .errors import HansieveError
from .lexicon import PathLike, load_lexicon

log = logging.getLogger("hansieve.reload")


def _fingerprint(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime_ns, size) of every file the lexicon is read from."""
    stamp = []
    for p in paths:
        files = sorted(p.iterdir()) if p.is_dir() else [p]
        for f in files:
            try:
                st = f.stat()
            except OSError:
                continue
            stamp.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(stamp)


class Reloader:
    """Keeps a compiled Sieve in step with lexicon files.

    Parameters
    ----------
    paths
        Lexicon files or folders (as for :func:`hansieve.load_lexicon`).
    interval
        Seconds between checks of the files' modification times; ``None`` starts no thread
        (call :meth:`check` or :meth:`reload` yourself).
    on_swap, on_error
        Optional callbacks: ``on_swap(new_sieve)`` after a swap, ``on_error(exc)`` when a new
        lexicon is refused (the error is logged in any case).
    **options
        Passed to :func:`hansieve.compile`.

    The first compile happens in the constructor and raises if the lexicon is broken.

    Examples
    --------
    >>> import hansieve, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "drugs.txt").write_text("冰毒\\n", encoding="utf-8")
    >>> with hansieve.Reloader([folder], interval=None) as r:
    ...     _ = (folder / "drugs.txt").write_text("冰毒\\n海洛因\\n", encoding="utf-8")
    ...     r.reload()
    ...     r.sieve.contains("海洛因"), r.version
    True
    (True, 2)
    """

    def __init__(self, paths: PathLike | Iterable[PathLike], *, interval: float | None = 1.0,
                 on_swap: Callable[[Sieve], Any] | None = None,
                 on_error: Callable[[Exception], Any] | None = None, **options: Any) -> None:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        self._paths = [Path(p) for p in paths]
        self._options = options
        self._on_swap = on_swap
        self._on_error = on_error
        self._lock = threading.Lock()      # one compile at a time; readers never take it
        self._stamp = _fingerprint(self._paths)
        self._sieve = compile(load_lexicon(self._paths), **options)
        if self._sieve._verifier is not None:
            self._sieve._verifier.warm_up()
        self.version = 1
        self.last_error: Exception | None = None
        self._stop = threading.Event()
        self._thread = None
        if interval is not None:
            self._thread = threading.Thread(target=self._watch, args=(interval,),
                                            name="hansieve-reloader", daemon=True)
            self._thread.start()

    @property
    def sieve(self) -> Sieve:
        """The current Sieve. Read it once per message and scan with that reference."""
        return self._sieve

    def reload(self) -> bool:
        """Compile the lexicon now and swap it in. Returns False (and keeps the old Sieve) if the
        lexicon has errors."""
        with self._lock:
            stamp = _fingerprint(self._paths)
            try:
                new = compile(load_lexicon(self._paths), **self._options)
                if new._verifier is not None:
                    new._verifier.warm_up()     # no scan should wait for the segmenter
            except (HansieveError, OSError) as exc:
                self.last_error = exc
                self._stamp = stamp     # do not retry the same broken files in a loop
                log.error("hansieve: lexicon refused, still serving version %d: %s", self.version, exc)
                if self._on_error is not None:
                    self._on_error(exc)
                return False
            self._sieve = new           # one reference assignment: atomic for readers
            self._stamp = stamp
            self.version += 1
            self.last_error = None
        log.info("hansieve: lexicon version %d loaded (%d terms)", self.version, len(new))
        if self._on_swap is not None:
            self._on_swap(new)
        return True

    def check(self) -> bool:
        """Reload if any lexicon file changed since the last (attempted) load."""
        if _fingerprint(self._paths) != self._stamp:
            return self.reload()
        return False

    def _watch(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.check()
            except Exception:   # the watcher must outlive any one bad reload
                log.exception("hansieve: reload check failed")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> "Reloader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
