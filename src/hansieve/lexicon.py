"""Lexicon files: format, taxonomy, validation, manifest.

A lexicon is a folder (or a list of files) of UTF-8 text, one entry per line, ``#`` comments and
blank lines ignored. The simplest file is one term per line. A line may add TAB-separated
``key=value`` fields::

    法轮功
    大麻<TAB>severity=review<TAB>flags=boundary
    AV女优<TAB>tags=adult,jp

A folder may hold ``manifest.toml`` naming each file with its kind (``deny``, ``allow`` or
``rules``), category, default severity and sha256. Without a manifest, ``allow*.txt`` files are
allowlists, ``rules*.txt`` files hold combination rules, and any other file's name is its category
when it is a known category code. See ``lexicons/README.md``.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple, Union

from .errors import LexiconError
from .fold import fold_map

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = None

PathLike = Union[str, "os.PathLike[str]"]

#: The first bytes of a compiled lexicon (``hansieve build``, ``Sieve.save``), mirrored from the
#: native core's MAGIC: a compiled file read as lexicon text gives hundreds of thousands of
#: nonsense "errors", so it is recognised and named instead.
COMPILED_MAGIC = b"HANSIEVE"

#: The fixed category taxonomy: code -> (Chinese name, what belongs there). Aligned with the risk
#: categories of the TC260-003 basic safety requirements for generative AI services (appendix A).
CATEGORIES: dict[str, tuple[str, str]] = {
    "politics": ("颠覆与分裂", "subversion of state power, separatism, banned organisations and cults"),
    "terror": ("恐怖主义与极端主义", "terrorist and extremist organisations, attacks, propaganda"),
    "discrimination": ("民族仇恨与歧视", "ethnic, religious, regional, gender and other hatred and slurs"),
    "violence": ("暴力", "incitement to violence, weapons, self-harm and suicide"),
    "porn": ("淫秽色情", "pornography, obscenity, sexual services"),
    "gambling": ("赌博", "gambling, online casinos, illegal lotteries"),
    "drugs": ("毒品", "narcotics, their slang names, making, selling and using them"),
    "fraud": ("诈骗与违法交易", "scams, fake documents, money laundering, illegal sales and other crime"),
    "rumor": ("虚假信息", "false information and rumours"),
    "abuse": ("侮辱谩骂", "insults and profanity"),
    "privacy": ("侵犯隐私", "trading or leaking personal information"),
    "other": ("其他", "imported terms without a category (not used by the bundled lexicon)"),
}

#: Short labels of the categories, for replacements such as ``[政治]``
#: (:func:`hansieve.replacements.category_label`).
CATEGORY_LABELS: dict[str, str] = {
    "politics": "政治", "terror": "暴恐", "discrimination": "歧视", "violence": "暴力",
    "porn": "色情", "gambling": "赌博", "drugs": "毒品", "fraud": "诈骗", "rumor": "谣言",
    "abuse": "辱骂", "privacy": "隐私", "other": "其他",
}

#: Severities, strongest first. A Verdict's action is that of its strongest hit.
SEVERITIES = ("block", "review", "notice")

#: Per-term flags.
FLAGS = {
    "boundary": "keep a hit only when word segmentation puts boundaries at both its ends",
    "whole-word": "keep a hit only when no letter or digit touches either end",
    "pinyin": "also match the term written in pinyin (evasion issue)",
}

KINDS = ("deny", "allow", "rules")
_FIELDS = {"severity", "tags", "flags", "category"}
_TAG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_RULE = re.compile(r"^(?P<a>[^&~/]+)(?P<op>[&~])(?P<b>[^&~/]+)(?:/(?P<n>[^/]*))?$")


class Term(NamedTuple):
    """A lexicon entry. Plain ``str`` terms compile as ``Term(text)``."""

    text: str
    category: str | None = None
    severity: str | None = None
    tags: tuple[str, ...] = ()
    flags: frozenset[str] = frozenset()
    #: where the term was read, as ``file:line``, for error messages
    source: str | None = None
    #: any value carried to the term's hits (``Match.payload``); compiled files keep JSON values
    payload: Any = None


class Rule(NamedTuple):
    """A combination rule over one message's hits: ``a&b`` (both), ``a~b`` (a without b),
    ``a&b/N`` (both inside a window of N code points)."""

    a: str
    op: str
    b: str
    within: int | None = None
    category: str | None = None
    severity: str | None = None
    source: str | None = None

    @property
    def text(self) -> str:
        return f"{self.a}{self.op}{self.b}" + (f"/{self.within}" if self.within is not None else "")


@dataclass(frozen=True)
class FileSpec:
    path: Path
    kind: str = "deny"
    category: str | None = None
    severity: str | None = None
    sha256: str | None = None


@dataclass
class Lexicon:
    """What a set of lexicon files holds. Iterating yields the deny terms, so a Lexicon can be
    passed wherever terms are expected (``hansieve.compile(load_lexicon())``)."""

    terms: list[Term] = field(default_factory=list)
    allow: list[Term] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    version: str | None = None
    #: sha256 over every file's bytes, in load order: identifies the lexicon in compiled files
    digest: str = ""
    errors: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def stats(self) -> dict[str, dict[str, int]]:
        """Deny terms per category and severity."""
        table: dict[str, dict[str, int]] = {}
        for t in self.terms:
            row = table.setdefault(t.category or "-", {s: 0 for s in SEVERITIES})
            row[t.severity or "block"] = row.get(t.severity or "block", 0) + 1
        return dict(sorted(table.items()))


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


# ---- reading ---------------------------------------------------------------------------------

def is_compiled(path: PathLike) -> bool:
    """Whether `path` is a compiled lexicon (a ``hansieve build`` output) rather than text."""
    try:
        with open(path, "rb") as f:
            return f.read(len(COMPILED_MAGIC)) == COMPILED_MAGIC
    except OSError:
        return False


def compiled_file_error(path: PathLike) -> str:
    return (f"[E209] {path} is a compiled lexicon (written by `hansieve build`), not lexicon "
            "text: give it alone, as the only --lexicon of scan, mask, explain or bench, or give "
            "the lexicon files it was built from")


def _guess_spec(path: Path) -> FileSpec:
    stem = path.stem
    if stem.startswith("allow"):
        return FileSpec(path, "allow")
    if stem.startswith("rules"):
        return FileSpec(path, "rules")
    return FileSpec(path, "deny", stem if stem in CATEGORIES else None)


def _manifest_specs(folder: Path, errors: list[str]) -> tuple[list[FileSpec], str | None]:
    manifest = folder / "manifest.toml"
    where = str(manifest)
    if tomllib is None:  # pragma: no cover
        errors.append(f"{where}: reading a manifest needs Python 3.11 (tomllib)")
        return [], None
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        errors.append(f"{where}: cannot read manifest: {exc}")
        return [], None
    specs = []
    for i, entry in enumerate(data.get("file", []), 1):
        name = entry.get("path")
        if not isinstance(name, str) or not name or Path(name).is_absolute() or ".." in Path(name).parts:
            errors.append(f"{where}: file #{i}: 'path' must be a relative path inside the folder")
            continue
        kind = entry.get("kind", "deny")
        category = entry.get("category")
        severity = entry.get("severity")
        if kind not in KINDS:
            errors.append(f"{where}: {name}: unknown kind {kind!r} (use one of {', '.join(KINDS)})")
        if category is not None and category not in CATEGORIES:
            errors.append(f"{where}: {name}: unknown category {category!r}")
        if severity is not None and severity not in SEVERITIES:
            errors.append(f"{where}: {name}: bad severity {severity!r} (use one of {', '.join(SEVERITIES)})")
        specs.append(FileSpec(folder / name, kind, category, severity, entry.get("sha256")))
    listed = {spec.path.name for spec in specs}
    for path in sorted(folder.glob("*.txt")):
        if path.name not in listed and path.is_file():
            errors.append(f"[E208] {path}: not listed in {where}, so it would be ignored; run "
                          f"`hansieve lexicon manifest {folder}` to add it (then check its kind "
                          "and category there), or move it out of the folder")
    return specs, data.get("version")


def _parse_fields(parts: list[str], where: str, errors: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in parts:
        part = part.strip()
        if not part:
            continue
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq or key not in _FIELDS:
            errors.append(f"{where}: bad field {part!r} (expected key=value with key one of "
                          f"{', '.join(sorted(_FIELDS))})")
            continue
        fields[key] = value.strip()
    return fields


def _read_bytes(path: Path, errors: list[str]) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError as exc:
        errors.append(f"{path}: cannot read: {exc.strerror}")
        return None


def _read_lines(path: Path, raw: bytes, errors: list[str]) -> Iterator[tuple[int, str]]:
    """The lines of file `path` (its bytes `raw`) that hold an entry, numbered."""
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            errors.append(f"{path}:{number}: invalid UTF-8 at byte {exc.start}")
            continue
        if number == 1:
            text = text.lstrip("\ufeff")
        text = text.rstrip("\r")
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        yield number, text


def _read_file(spec: FileSpec, raw: bytes, lex: Lexicon, errors: list[str]) -> None:
    """Parse one lexicon file (read once by the caller, which also hashes its bytes)."""
    fold = fold_map()
    for number, line in _read_lines(spec.path, raw, errors):
        where = f"{spec.path}:{number}"
        head, *rest = line.split("\t")
        text = head.strip()
        fields = _parse_fields(rest, where, errors)
        category = fields.get("category", spec.category)
        severity = fields.get("severity", spec.severity)
        if category is not None and category not in CATEGORIES:
            errors.append(f"{where}: unknown category {category!r}")
        if severity is not None and severity not in SEVERITIES:
            errors.append(f"{where}: bad severity {severity!r} (use one of {', '.join(SEVERITIES)})")
        tags = tuple(t for t in (s.strip() for s in fields.get("tags", "").split(",")) if t)
        for tag in tags:
            if not _TAG.match(tag):
                errors.append(f"{where}: bad tag {tag!r} (lower-case ASCII letters, digits, - and _)")
        flags = frozenset(f for f in (s.strip() for s in fields.get("flags", "").split(",")) if f)
        for flag in sorted(flags - FLAGS.keys()):
            errors.append(f"{where}: unknown flag {flag!r} (use one of {', '.join(sorted(FLAGS))})")
        if spec.kind == "rules":
            m = _RULE.match(text)
            if not m:
                errors.append(f"{where}: bad rule {text!r} (expected A&B, A~B or A&B/N)")
                continue
            a, b, n = m["a"].strip(), m["b"].strip(), m["n"]
            within = None
            if n is not None:
                if m["op"] != "&" or not n.isdigit() or int(n) <= 0:
                    errors.append(f"{where}: bad rule {text!r}: /N needs & and a positive integer N")
                    continue
                within = int(n)
            for operand in (a, b):
                if not fold.fold_term(operand):
                    errors.append(f"{where}: rule {text!r} refers to nothing: operand {operand!r} "
                                  "is empty after folding")
            lex.rules.append(Rule(a, m["op"], b, within, category, severity, where))
            continue
        if not fold.fold_term(text):
            errors.append(f"{where}: term {text!r} is empty after folding")
            continue
        term = Term(text, category, severity, tags, flags, where)
        (lex.allow if spec.kind == "allow" else lex.terms).append(term)


def _check_duplicates(lex: Lexicon, errors: list[str]) -> None:
    """A term listed twice (in one file or two) is one term: the later copy is dropped when its
    category, severity and flags agree with the first (otherwise each hit would be reported
    twice for one span), and is an error when they do not (which one should win is not ours to
    guess)."""
    fold = fold_map()
    seen: dict[str, Term] = {}
    kept: list[Term] = []
    for t in lex.terms:
        key = fold.fold_term(t.text)
        first = seen.setdefault(key, t)
        if first is t:
            kept.append(t)
        elif (first.category, first.severity) != (t.category, t.severity):
            errors.append(f"{t.source}: duplicate of {first.text!r} ({first.source}) with different "
                          f"metadata: {t.category}/{t.severity} vs {first.category}/{first.severity}")
        elif first.flags != t.flags:
            errors.append(f"{t.source}: duplicate of {first.text!r} ({first.source}) with different "
                          f"flags: {','.join(sorted(t.flags)) or 'none'} vs "
                          f"{','.join(sorted(first.flags)) or 'none'}")
    lex.terms[:] = kept


def _specs_for(path: Path, errors: list[str]) -> tuple[list[FileSpec], str | None]:
    if path.is_dir():
        if (path / "manifest.toml").is_file():
            return _manifest_specs(path, errors)
        return [_guess_spec(p) for p in sorted(path.glob("*.txt")) if p.is_file()], None
    if path.exists():
        if is_compiled(path):
            errors.append(compiled_file_error(path))
            return [], None
        return [_guess_spec(path)], None
    errors.append(f"[E204] {path}: no such lexicon file or directory")
    return [], None


def read_lexicon(paths: PathLike | Iterable[PathLike] | None = None) -> Lexicon:
    """Read and validate lexicon files without raising: every problem is in ``.errors`` as
    ``file:line: reason``. `paths` are files or folders; None means the bundled lexicon."""
    if paths is None:
        paths = [default_lexicon_path()]
    elif isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    lex = Lexicon()
    errors = lex.errors
    digest = hashlib.sha256()
    versions = []
    for p in paths:
        specs, version = _specs_for(Path(p), errors)
        if version:
            versions.append(str(version))
        for spec in specs:
            data = _read_bytes(spec.path, errors)     # read once: hashed, then parsed
            if data is None:
                continue
            actual = hashlib.sha256(data).hexdigest()
            if spec.sha256 is not None and spec.sha256 != actual:
                errors.append(f"{spec.path}: sha256 {actual} does not match the manifest "
                              f"({spec.sha256}); run `hansieve lexicon manifest` after editing")
            digest.update(actual.encode())
            lex.files.append(spec.path)
            _read_file(spec, data, lex, errors)
    _check_duplicates(lex, errors)
    if not lex.terms and not lex.rules and not errors:
        # Compiled, it would report every message clean: never what was meant.
        errors.append(f"[E207] no terms in {', '.join(str(p) for p in paths)} (empty files, "
                      "comments only, or a folder without *.txt files): add terms, one per line")
    lex.version = "+".join(versions) or None
    lex.digest = digest.hexdigest()
    return lex


def load_lexicon(paths: PathLike | Iterable[PathLike] | None = None) -> Lexicon:
    """Read lexicon files (the bundled default lexicon when `paths` is None).

    Raises
    ------
    LexiconError
        Listing every malformed line as ``file:line: reason``.
    """
    lex = read_lexicon(paths)
    if len(lex.errors) == 1:     # one problem, one line
        error = lex.errors[0]
        raise LexiconError(error if error.startswith("[E") else f"[E205] {error}")
    if lex.errors:
        shown = lex.errors[:50]
        more = f"\n... and {len(lex.errors) - 50} more" if len(lex.errors) > 50 else ""
        raise LexiconError(f"[E205] {len(lex.errors)} error(s) in the lexicon:\n"
                           + "\n".join(shown) + more)
    return lex


def _uncategorised(spec: FileSpec) -> bool:
    """Whether some term of a file has no category (of its own line or of `spec`)."""
    probe = Lexicon()
    raw = _read_bytes(spec.path, [])
    if raw is not None:
        _read_file(spec, raw, probe, [])
    return any(t.category is None for t in probe.terms)


def write_manifest(folder: PathLike, version: str | None = None,
                   notes: list[str] | None = None) -> Path:
    """(Re)write ``manifest.toml`` for a folder: kind, category and default severity from the
    existing manifest (or guessed from file names), sha256 recomputed. Each file the manifest
    did not list yet is described in `notes` (when given), with a warning when it is a deny file
    whose name is not a category code: its terms would have no category."""
    folder = Path(folder)
    errors: list[str] = []
    old = {s.path.name: s for s in _specs_for(folder, errors)[0]} if folder.is_dir() else {}
    manifest = folder / "manifest.toml"
    had_manifest = manifest.is_file()
    if version is None and had_manifest and tomllib is not None:
        version = tomllib.loads(manifest.read_text(encoding="utf-8")).get("version")
    lines = ["# hansieve lexicon manifest: written by `hansieve lexicon manifest`; edit kinds,",
             "# categories and severities here, the sha256 lines are recomputed.",
             f'version = "{version or "0"}"', ""]
    for p in sorted(folder.glob("*.txt")):
        spec = old.get(p.name) or _guess_spec(p)
        if notes is not None and p.name not in old:
            if spec.kind == "deny" and spec.category is None and _uncategorised(spec):
                notes.append(f"warning: {p}: a deny file without a category (its name is not a "
                             f"category code), so its terms are reported with category null: set "
                             f"category = \"...\" for it in {manifest} (one of "
                             f"{', '.join(CATEGORIES)}), or add category= to its lines")
            elif had_manifest:
                notes.append(f"added {p} (kind {spec.kind}"
                             + (f", category {spec.category})" if spec.category else ")"))
        lines.append("[[file]]")
        lines.append(f'path = "{p.name}"')
        lines.append(f'kind = "{spec.kind}"')
        if spec.category:
            lines.append(f'category = "{spec.category}"')
        if spec.severity:
            lines.append(f'severity = "{spec.severity}"')
        lines.append(f'sha256 = "{hashlib.sha256(p.read_bytes()).hexdigest()}"')
        lines.append("")
    manifest.write_text("\n".join(lines), encoding="utf-8")
    return manifest
