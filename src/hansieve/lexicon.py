"""Reading lexicon files.

The simplest format, valid now and later: UTF-8 text, one term per line, ``#`` starts a comment
line, blank lines are ignored. A file's name (without ``.txt``) is the category of its terms, so
the bundled ``lexicons/porn.txt`` gives category ``porn``. A directory stands for its ``*.txt``
files in name order.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Union

from .compile import Term
from .errors import LexiconError

PathLike = Union[str, "os.PathLike[str]"]


def default_lexicon_path() -> Path:
    """The bundled default lexicon: ``hansieve/lexicons`` when installed, the repository's
    ``lexicons/`` folder in a source checkout."""
    installed = Path(__file__).with_name("lexicons")
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parents[2] / "lexicons"
    if checkout.is_dir():
        return checkout
    raise LexiconError("[E201] the bundled lexicon is missing from this installation")


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.glob("*.txt") if p.is_file())
    return [path]


def read_plain(path: PathLike) -> list[Term]:
    """Terms of one plain lexicon file, each with its ``file:line`` source."""
    path = Path(path)
    category = path.stem
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LexiconError(f"[E202] {path}: cannot read lexicon: {exc.strerror}") from None
    terms = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LexiconError(f"[E203] {path}:{number}: invalid UTF-8 at byte {exc.start}") from None
        text = text.strip().lstrip("\ufeff")
        if not text or text.startswith("#"):
            continue
        terms.append(Term(text, category=category, source=f"{path}:{number}"))
    return terms


def load_lexicon(paths: PathLike | Iterable[PathLike] | None = None) -> list[Term]:
    """Terms of every file in `paths` (files or directories); the bundled default lexicon when
    `paths` is None."""
    if paths is None:
        paths = [default_lexicon_path()]
    elif isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    terms: list[Term] = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise LexiconError(f"[E204] {p}: no such lexicon file or directory")
        for f in _files(p):
            terms.extend(read_plain(f))
    return terms
