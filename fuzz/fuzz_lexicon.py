"""atheris target: the lexicon reader on arbitrary file contents. `hansieve.load_lexicon` must
either succeed (and the lexicon then compiles) or raise LexiconError whose every reported problem
names the file (and, for a line's problem, a line number that exists). Nothing else may escape.

The first input byte picks the layout of the folder written to a temporary directory:
  0  one deny file (drugs.txt)       1  an allowlist (allow.txt)      2  rules (rules.txt)
  3  a deny file plus an allowlist and rules, split at NUL bytes
  4  manifest.toml plus list.txt, split at the first NUL byte"""

import os
import re
import sys
import zlib
from pathlib import Path

import atheris

# Python coverage of the parser (lexicon.py) and the TOML reader it uses for manifests (atheris
# instruments whole top-level packages, so all of hansieve's Python is instrumented too).
with atheris.instrument_imports(include=["hansieve.lexicon", "tomllib"]):
    import hansieve
    from hansieve import LexiconError

import common  # noqa: E402  (sys.path, scratch folders)


ROOT = common.scratch_dir("lexicon")
LINE = re.compile(r"^(?P<file>/[^\n]*?\.(?:txt|toml)):(?P<line>\d+):")
LAYOUTS = [["drugs.txt"], ["allow.txt"], ["rules.txt"], ["drugs.txt", "allow.txt", "rules.txt"],
           ["manifest.toml", "list.txt"]]
FOLDERS = [ROOT / f"layout{i}" for i in range(len(LAYOUTS))]
for _folder in FOLDERS:
    _folder.mkdir()


def write(folder: Path, layout: int, body: bytes) -> dict[str, int]:
    names = LAYOUTS[layout]
    parts = body.split(b"\x00", len(names) - 1) if len(names) > 1 else [body]
    parts += [b""] * (len(names) - len(parts))
    lines = {}
    for name, part in zip(names, parts):
        (folder / name).write_bytes(part)
        lines[str(folder / name)] = part.count(b"\n") + 1
    return lines


def check_error(error: str, folder: Path, lines: dict[str, int]) -> None:
    error = re.sub(r"^\[E2\d\d\] ", "", error)     # a problem with a code of its own (E208...)
    m = LINE.match(error)
    if m:
        assert m["file"] in lines, error
        assert 1 <= int(m["line"]) <= lines[m["file"]], (error, lines)
    else:
        # problems of a whole file (manifest, sha256, unreadable) start with its path
        assert error.startswith(str(folder)), error


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    layout, body = data[0] % len(LAYOUTS), data[1:]
    folder = FOLDERS[layout]
    lines = write(folder, layout, body)
    try:
        loaded = hansieve.load_lexicon(folder)
    except LexiconError as exc:
        head, *errors = str(exc).split("\n")
        if not errors:
            # One problem, one line (issue 17): an empty lexicon (E207, naming the folder), or
            # one error with its code (E20x), or E205 and the error.
            assert head.startswith("[E2") and str(folder) in head, head
            if head.startswith("[E205] "):
                check_error(head[len("[E205] "):], folder, lines)
            return
        assert head.startswith("[E205] ") and head.endswith("error(s) in the lexicon:"), head
        assert errors, head
        for error in errors:
            if not error.startswith("... and "):
                check_error(error, folder, lines)
        return
    for t in loaded.terms + loaded.allow:
        assert t.source and t.source.startswith(str(folder)), t
    if len(loaded.terms) + len(loaded.allow) + len(loaded.rules) == 0:
        return
    # A lexicon that loads must compile. Compiling costs some 100 times the parse (the native
    # code table), so it is done for one input in 256 (by a hash of the input: mutated inputs
    # often end in zero bytes), with variant generation for small lexicons.
    if zlib.crc32(data) % 256:
        return
    sieve = hansieve.compile(loaded, verify="off", variants=len(loaded.terms) <= 4)
    for t in loaded.terms[:4]:
        sieve.find(t.text)
        sieve.check(t.text)


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
