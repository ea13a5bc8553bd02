"""Import public word lists into hansieve's lexicon format (``hansieve lexicon import``).

:func:`import_lexicon` reads a list in one of the :data:`FORMATS` and writes a lexicon folder:
one file per category (``politics.txt``, ``drugs.txt``, ``other.txt``...), ``allow.txt`` when the
source has an allowlist, and ``manifest.toml``. Every file starts with a header comment naming
its source, the format, the date and the number of terms. The folder is read back with
:func:`hansieve.lexicon.read_lexicon` before the function returns.

Every format is cleaned the same way: whitespace is stripped; blank lines are dropped; lines that
contain control characters, that are empty after hansieve's fold (``***``) or that would not
survive a round trip through the lexicon format (a TAB, a leading ``#``) are skipped and reported
as ``file:line: reason``; terms are deduplicated by their folded key (``法輪功`` = ``法轮功``), the
first one wins and the others are counted.

Formats and category mapping
----------------------------
``houbb``
    The `houbb/sensitive-word <https://github.com/houbb/sensitive-word>`_ resources: a folder
    holding ``sensitive_word_dict.txt`` (one term per line), optionally
    ``sensitive_word_tags.txt`` (``term<space>codes``, codes comma-separated: ``大麻 1,4``; a
    TAB or several space-separated codes are accepted too) and ``sensitive_word_allow.txt``
    (allowlist). SRC may also be the dictionary file itself (tag and allow files next to it are
    picked up) or a list of files (a name containing ``tags`` is the tag file, ``allow`` the
    allowlist, anything else a dictionary). Tag codes: ``0`` politics, ``1`` drugs, ``2`` porn,
    ``3`` gambling, ``4`` (违法犯罪, crime) fraud. A term with several codes goes to the first
    of politics, drugs, porn, gambling, fraud (``4`` is houbb's catch-all, so it yields to any
    more specific code) and keeps the others as ``tags=`` (``大麻<TAB>tags=fraud``). Only
    dictionary terms are imported: tags of terms missing from the dictionary are ignored (one
    note). Untagged terms go to `category` (default ``other``). ``sensitive_word_dict_en.txt``
    is not imported (import it with ``plain``).
``toolgood``
    `ToolGood.Words <https://github.com/toolgood/ToolGood.Words>`_ lists: UTF-8 (with or
    without BOM, LF or CRLF), one term per line; a ``|`` separates several terms on one line
    (ToolGood's own ``SetKeywords(s.Split('|'))`` convention; 8 lines of
    ``IllegalKeywords.txt`` use it). SRC is a folder holding any of the files below, or the
    files themselves. ``BadWord.txt`` -> ``abuse`` (it mixes profanity, porn slang and political
    terms such as leaders' names and disguised spellings of banned groups: review it); ``IllegalKeywords.txt`` -> `category`
    (default ``other``: the list mixes weapons, drugs, chemicals, gambling, fake documents
    and politics); ``IllegalUrls.txt`` (domains) -> ``fraud``; any other file -> `category`.
    Files are read in that order, so a term in both ``BadWord.txt`` and
    ``IllegalKeywords.txt`` stays in ``abuse``.
``plain``
    One term per line, ``#`` comments, blank lines ignored; SRC is files or folders (every
    ``*.txt`` inside). Everything goes to `category` (default ``other``). A line holding a TAB
    is skipped (use ``csv`` for columnar files).
``csv``
    A CSV file with a header row (UTF-8, optional BOM; the delimiter is sniffed among ``,``
    ``;`` TAB and ``|``, TAB for ``*.tsv``). The term column is `column`, by default the first
    of ``term``, ``word``, ``keyword``, ``敏感词``, ``关键词``, ``词``. The category column is
    `category_column`, by default a column named ``category``, ``类别`` or ``分类`` when there is
    one; its values are category codes or common names (:data:`CATEGORY_NAMES`: ``政治``
    politics, ``色情`` porn, ``赌博`` gambling, ``毒品`` drugs, ``暴恐``/``恐怖`` terror,
    ``诈骗`` fraud, ``辱骂`` abuse, ``广告`` other...); an unknown value is reported and the
    term goes to ``other``, an empty one to `category` (default ``other``). A column named
    ``severity`` (or ``级别``) gives per-term severities (``block``/``review``/``notice`` or
    :data:`SEVERITY_NAMES`); an unknown value is reported and ignored.

`severity` becomes the default severity of every imported deny file (in ``manifest.toml``).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Union

from .errors import LexiconError
from .fold import fold_map
from .lexicon import CATEGORIES, SEVERITIES, Lexicon, read_lexicon, write_manifest

__all__ = ["FORMATS", "CATEGORY_NAMES", "SEVERITY_NAMES", "ImportReport", "import_lexicon"]

PathLike = Union[str, "os.PathLike[str]"]

#: The formats :func:`import_lexicon` reads.
FORMATS = ("houbb", "toolgood", "plain", "csv")

#: houbb tag code -> category (``4`` is 违法犯罪, crime in general: our ``fraud``).
HOUBB_CODES = {"0": "politics", "1": "drugs", "2": "porn", "3": "gambling", "4": "fraud"}
#: Which category a term tagged with several houbb codes goes to: the first present.
HOUBB_PRIORITY = ("politics", "drugs", "porn", "gambling", "fraud")
HOUBB_DICT, HOUBB_TAGS, HOUBB_ALLOW = ("sensitive_word_dict.txt", "sensitive_word_tags.txt",
                                       "sensitive_word_allow.txt")

#: ToolGood.Words file name (lower case) -> category; None means the `category` argument.
TOOLGOOD_FILES: dict[str, str | None] = {
    "badword.txt": "abuse",
    "illegalkeywords.txt": None,
    "illegalurls.txt": "fraud",
}

#: Category names accepted in a CSV category column (compared lower-cased, spaces stripped),
#: besides the codes themselves and the Chinese names of :data:`hansieve.lexicon.CATEGORIES`.
CATEGORY_NAMES: dict[str, str] = {
    # politics
    "政治": "politics", "涉政": "politics", "政治敏感": "politics", "反动": "politics",
    "邪教": "politics", "political": "politics",
    # terror
    "暴恐": "terror", "恐怖": "terror", "恐怖主义": "terror", "极端主义": "terror",
    "terrorism": "terror", "extremism": "terror",
    # discrimination
    "歧视": "discrimination", "仇恨": "discrimination", "歧视与仇恨": "discrimination",
    "hate": "discrimination",
    # violence
    "暴力": "violence", "血腥": "violence", "自杀": "violence", "weapons": "violence",
    # porn
    "色情": "porn", "淫秽": "porn", "色情淫秽": "porn", "低俗": "porn", "涉黄": "porn",
    "pornography": "porn", "sex": "porn", "sexual": "porn", "adult": "porn", "nsfw": "porn",
    # gambling
    "赌博": "gambling", "涉赌": "gambling", "gamble": "gambling",
    # drugs
    "毒品": "drugs", "涉毒": "drugs", "drug": "drugs", "narcotics": "drugs",
    # fraud
    "诈骗": "fraud", "欺诈": "fraud", "违法": "fraud", "违法犯罪": "fraud", "犯罪": "fraud",
    "违禁": "fraud", "scam": "fraud", "crime": "fraud", "illegal": "fraud",
    # rumor
    "谣言": "rumor", "虚假信息": "rumor", "rumour": "rumor", "misinformation": "rumor",
    # abuse
    "辱骂": "abuse", "谩骂": "abuse", "脏话": "abuse", "侮辱": "abuse", "insult": "abuse",
    "profanity": "abuse", "swear": "abuse",
    # privacy
    "隐私": "privacy", "个人信息": "privacy", "侵犯个人信息": "privacy",
    # other
    "广告": "other", "其他": "other", "其它": "other", "ad": "other", "ads": "other",
    "advertising": "other", "spam": "other", "misc": "other",
}

#: Severity names accepted in a CSV severity column, besides block/review/notice.
SEVERITY_NAMES: dict[str, str] = {
    "拦截": "block", "禁止": "block", "屏蔽": "block", "high": "block", "高": "block",
    "审核": "review", "人工审核": "review", "medium": "review", "中": "review",
    "提示": "notice", "记录": "notice", "low": "notice", "低": "notice",
}

_TERM_COLUMNS = ("term", "word", "keyword", "敏感词", "关键词", "词")
_CATEGORY_COLUMNS = ("category", "类别", "分类")
_SEVERITY_COLUMNS = ("severity", "级别")
#: The second header line of every file this module writes (how ``overwrite`` knows its own).
_MARK = "# imported with `hansieve lexicon import"
#: Unicode category Cc (C0, DEL, C1) plus the line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_HOUBB_TAG_LINE = re.compile(r"^(?P<term>.*?\S)\s+(?P<codes>[0-9](?:\s*,\s*[0-9]|\s+[0-9])*)$")


@dataclass
class ImportReport:
    """What :func:`import_lexicon` did."""

    format: str
    sources: list[Path]
    out_dir: Path
    #: terms written per category code, in taxonomy order; ``"allow"`` for the allowlist
    counts: dict[str, int] = field(default_factory=dict)
    #: lines not imported, as ``file:line: reason``
    skipped: list[str] = field(default_factory=list)
    #: terms dropped because their folded key was already imported, as
    #: ``file:line: 'term' duplicates 'first' (file:line)``
    duplicates: list[str] = field(default_factory=list)
    #: remarks that changed no term count: unknown CSV category values mapped to ``other``,
    #: malformed tag lines, files of a source folder that were not read...
    notes: list[str] = field(default_factory=list)
    #: the files written, manifest last
    files: list[Path] = field(default_factory=list)
    #: problems :func:`read_lexicon` found in the written folder (empty unless something is wrong)
    errors: list[str] = field(default_factory=list)
    #: the written folder as :func:`read_lexicon` read it back
    lexicon: Lexicon | None = field(default=None, repr=False)

    @property
    def imported(self) -> int:
        """Deny terms written (allowlist entries not included)."""
        return sum(n for k, n in self.counts.items() if k != "allow")

    @property
    def ok(self) -> bool:
        """Whether the written folder reads back without errors."""
        return not self.errors

    def skipped_reasons(self) -> dict[str, int]:
        """Skipped lines per reason (the text after ``file:line:``, without the quoted term, the
        code point or the byte offset), most frequent first."""
        return {reason: len(lines) for reason, lines in self._skipped_by_reason().items()}

    def _skipped_by_reason(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for line in self.skipped:
            reason = _general_reason(line.rsplit(": ", 1)[-1])
            out.setdefault(reason, []).append(line)
        return dict(sorted(out.items(), key=lambda kv: -len(kv[1])))

    def summary(self, examples: int = 5) -> str:
        """A few human-readable lines, for the command line: per skip reason, the first
        `examples` places (``file:line``) and the characters or bytes at fault."""
        parts = ", ".join(f"{k} {n}" for k, n in self.counts.items())
        lines = [f"imported {self.imported} terms ({parts or 'none'}) into {self.out_dir}",
                 f"skipped {len(self.skipped)} line(s), merged {len(self.duplicates)} duplicate(s)"]
        for reason, skipped in self._skipped_by_reason().items():
            found = sorted({m for line in skipped for m in _CODE_POINT.findall(line)})
            detail = f" ({', '.join(found[:8])}{', ...' if len(found) > 8 else ''})" if found else ""
            lines.append(f"  skipped {len(skipped)}: {reason}{detail}:")
            for line in skipped[:examples]:
                lines.append(f"    {line}")
            if len(skipped) > examples:
                lines.append(f"    ... and {len(skipped) - examples} more")
        if self.errors:
            lines.append(f"{len(self.errors)} error(s) reading the result back:")
            lines.extend(f"  {error}" for error in self.errors[:10])
            if len(self.errors) > 10:
                lines.append(f"  ... and {len(self.errors) - 10} more")
        return "\n".join(lines)


_CODE_POINT = re.compile(r"U\+[0-9A-F]{4,6}")


def _general_reason(reason: str) -> str:
    """A skip reason without what differs from line to line (code point, byte offset)."""
    reason = _CODE_POINT.sub("", reason).replace("character  ", "character ").strip()
    return re.sub(r" at byte \d+", "", reason)


# ---- cleaning and collecting ------------------------------------------------------------------

@dataclass
class _Entry:
    text: str
    category: str  # category code, or "allow"
    severity: str | None
    tags: tuple[str, ...]
    where: str


class _Collector:
    """Cleans, deduplicates and groups terms; fills the report's skipped/duplicates lists."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.fold = fold_map()
        self.entries: dict[str, list[_Entry]] = {}
        self.sources: dict[str, list[str]] = {}
        self._seen: dict[tuple[bool, str], _Entry] = {}
        self._last: tuple[str | None, str] = (None, "")

    def key(self, text: str) -> str:
        """The folded key of `text` (memoised: clean() and add() both need it)."""
        if text != self._last[0]:
            self._last = (text, self.fold.fold_term(text))
        return self._last[1]

    def clean(self, raw: str, where: str) -> str | None:
        """The term in `raw`, or None (reported) when it cannot be imported."""
        text = raw.strip()
        if not text:
            return None
        reason = _bad_text(text)
        if reason is None and not self.key(text):
            reason = "empty after folding (punctuation, symbols or spaces only)"
        if reason is not None:
            self.report.skipped.append(f"{where}: {text!r}: {reason}")
            return None
        return text

    def add(self, raw: str, where: str, category: str, *, severity: str | None = None,
            tags: Iterable[str] = (), extra_source: str | None = None) -> bool:
        """Add one term (``category="allow"`` for the allowlist); False when skipped or merged."""
        text = self.clean(raw, where)
        if text is None:
            return False
        allow = category == "allow"
        key = (allow, self.key(text))
        first = self._seen.get(key)
        if first is not None:
            self.report.duplicates.append(
                f"{where}: {text!r} duplicates {first.text!r} ({first.where})")
            return False
        entry = _Entry(text, category, severity, tuple(tags), where)
        self._seen[key] = entry
        self.entries.setdefault(category, []).append(entry)
        sources = self.sources.setdefault(category, [])
        for src in (where.rsplit(":", 1)[0], extra_source):
            if src is not None and src not in sources:
                sources.append(src)
        return True


def _bad_text(text: str) -> str | None:
    m = _CONTROL.search(text)
    if m is not None:
        ch = m.group()
        if ch == "\t":
            return "contains a TAB"
        if ch in "\n\r\v\f\x85\u2028\u2029":
            return "contains a line break"
        return f"contains control character U+{ord(ch):04X}"
    if text.startswith("#"):
        return "starts with '#' (would read as a comment)"
    return None


def _lines(path: Path, report: ImportReport) -> Iterator[tuple[int, str]]:
    """(line number, text) of a UTF-8 file: BOM, CR and undecodable lines removed (reported)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LexiconError(f"[E206] {path}: cannot read: {exc.strerror}") from None
    chunks = raw.split(b"\n")
    if chunks and chunks[-1] == b"":
        chunks.pop()
    bad = 0
    out = []
    for number, chunk in enumerate(chunks, 1):
        if number == 1 and chunk.startswith(b"\xef\xbb\xbf"):
            chunk = chunk[3:]
        if chunk.endswith(b"\r"):
            chunk = chunk[:-1]
        try:
            out.append((number, chunk.decode("utf-8")))
        except UnicodeDecodeError as exc:
            bad += 1
            report.skipped.append(f"{path}:{number}: invalid UTF-8 at byte {exc.start}")
    if bad and bad * 2 > len(chunks):
        raise LexiconError(f"[E206] {path}: {bad} of {len(chunks)} lines are not UTF-8; convert "
                           f"the file first (for GBK: iconv -f GB18030 -t UTF-8)")
    return iter(out)


def _txt_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".txt")


def _paths(src: PathLike | Iterable[PathLike]) -> list[Path]:
    items = [src] if isinstance(src, (str, os.PathLike)) else list(src)
    if not items:
        raise LexiconError("[E206] nothing to import: no source given")
    paths = [Path(p) for p in items]
    for p in paths:
        if not p.exists():
            raise LexiconError(f"[E206] {p}: no such file or directory")
    return paths


# ---- formats ----------------------------------------------------------------------------------

def _houbb(paths: list[Path], col: _Collector, category: str) -> list[Path]:
    report = col.report
    dicts: list[Path] = []
    tags: list[Path] = []
    allows: list[Path] = []
    for p in paths:
        if p.is_dir():
            d = p / HOUBB_DICT
            if not d.is_file():
                raise LexiconError(f"[E206] {p}: no {HOUBB_DICT} in this folder (houbb format)")
            dicts.append(d)
            for name, bucket in ((HOUBB_TAGS, tags), (HOUBB_ALLOW, allows)):
                if (p / name).is_file():
                    bucket.append(p / name)
            for other in _txt_files(p):
                if (other.name not in (HOUBB_DICT, HOUBB_TAGS, HOUBB_ALLOW)
                        and not other.name.upper().startswith(("LICENSE", "README"))):
                    report.notes.append(f"{other}: not imported (not a houbb dictionary, tag or "
                                        "allow file; import it with --format plain)")
        elif "tags" in p.name.lower():
            tags.append(p)
        elif "allow" in p.name.lower():
            allows.append(p)
        else:
            dicts.append(p)
    if not dicts:
        raise LexiconError("[E206] houbb format: no dictionary file (sensitive_word_dict.txt)")
    if len(paths) == 1 and paths[0] in dicts:
        # The dictionary file alone: its tag and allow files sit next to it.
        for name, bucket in ((HOUBB_TAGS, tags), (HOUBB_ALLOW, allows)):
            sibling = paths[0].with_name(name)
            if sibling.is_file():
                bucket.append(sibling)

    # term -> (categories, tag file), by exact text (as houbb looks tags up).
    exact: dict[str, tuple[list[str], str]] = {}
    for tp in tags:
        for number, line in _lines(tp, report):
            line = line.strip()
            if not line:
                continue
            m = _HOUBB_TAG_LINE.match(line)
            if m is None:
                report.notes.append(f"{tp}:{number}: tag line {line!r} is not 'term code[,code]'")
                continue
            cats = []
            for code in re.split(r"[\s,]+", m["codes"]):
                cat = HOUBB_CODES.get(code)
                if cat is None:
                    report.notes.append(f"{tp}:{number}: unknown houbb tag code {code!r} ignored")
                elif cat not in cats:
                    cats.append(cat)
            term = m["term"].strip()
            exact.setdefault(term, (cats, str(tp)))
    used: set[str] = set()

    for dp in dicts:
        for number, line in _lines(dp, report):
            text = line.strip()
            if not text:
                continue
            tagged, tag_file = exact.get(text, ((), None))
            if tag_file is not None:
                used.add(text)
            cats = [c for c in HOUBB_PRIORITY if c in tagged]
            where = f"{dp}:{number}"
            if cats:
                col.add(text, where, cats[0], tags=cats[1:], extra_source=tag_file)
            else:
                col.add(text, where, category)
    unused = [t for t in exact if t not in used]
    if unused:
        shown = ", ".join(repr(t) for t in unused[:5])
        report.notes.append(f"{len(unused)} tagged term(s) not in the dictionary were ignored "
                            f"(houbb only matches dictionary terms): {shown}"
                            + (", ..." if len(unused) > 5 else ""))
    for ap in allows:
        for number, line in _lines(ap, report):
            col.add(line, f"{ap}:{number}", "allow")
    return dicts + tags + allows


def _toolgood(paths: list[Path], col: _Collector, category: str) -> list[Path]:
    report = col.report
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            known = {f.name.lower(): f for f in _txt_files(p)}
            found = [known[name] for name in TOOLGOOD_FILES if name in known]
            if not found:
                raise LexiconError(f"[E206] {p}: none of BadWord.txt, IllegalKeywords.txt, "
                                   "IllegalUrls.txt in this folder (toolgood format)")
            files.extend(found)
            for name, f in known.items():
                if name not in TOOLGOOD_FILES:
                    report.notes.append(f"{f}: not imported (not a ToolGood.Words list; import "
                                        "it with --format plain)")
        else:
            files.append(p)
    for f in files:
        cat = TOOLGOOD_FILES.get(f.name.lower()) or category
        for number, line in _lines(f, report):
            for part in line.split("|"):
                col.add(part, f"{f}:{number}", cat)
    return files


def _plain(paths: list[Path], col: _Collector, category: str) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = _txt_files(p)
            if not found:
                raise LexiconError(f"[E206] {p}: no *.txt files in this folder")
            files.extend(found)
        else:
            files.append(p)
    for f in files:
        for number, line in _lines(f, col.report):
            if line.strip().startswith("#"):
                continue
            col.add(line, f"{f}:{number}", category)
    return files


def _norm(name: str) -> str:
    return re.sub(r"\s+", "", name).lower()


def _category_code(value: str) -> str | None:
    v = _norm(value)
    if v in CATEGORIES:
        return v
    for code, (zh, _) in CATEGORIES.items():
        if v == zh:
            return code
    return CATEGORY_NAMES.get(v)


def _csv(paths: list[Path], col: _Collector, category: str, severity: str | None,
         column: str | None, category_column: str | None) -> list[Path]:
    report = col.report
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.iterdir()
                           if f.is_file() and f.suffix.lower() in (".csv", ".tsv"))
            if not found:
                raise LexiconError(f"[E206] {p}: no *.csv or *.tsv files in this folder")
            files.extend(found)
        else:
            files.append(p)
    for f in files:
        try:
            data = f.read_bytes()
        except OSError as exc:
            raise LexiconError(f"[E206] {f}: cannot read: {exc.strerror}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise LexiconError(f"[E206] {f}:{line}: invalid UTF-8 at byte {exc.start}; convert "
                               "the file first (for GBK: iconv -f GB18030 -t UTF-8)") from None
        first = text.split("\n", 1)[0]
        if f.suffix.lower() == ".tsv":
            delimiter = "\t"
        else:
            counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
            delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise LexiconError(f"[E206] {f}:1: bad CSV header: {exc}") from None
        if not header:
            raise LexiconError(f"[E206] {f}: empty file, expected a header row")
        names = [_norm(h) for h in header]

        def find(wanted: str | None, defaults: tuple[str, ...], what: str) -> int | None:
            if wanted is not None:
                if _norm(wanted) not in names:
                    raise LexiconError(f"[E206] {f}: no {what} column {wanted!r} "
                                       f"(the header has {', '.join(map(repr, header))})")
                return names.index(_norm(wanted))
            for d in defaults:
                if d in names:
                    return names.index(d)
            return None

        ti = find(column, _TERM_COLUMNS, "term")
        if ti is None:
            raise LexiconError(f"[E206] {f}: no term column (looked for "
                               f"{', '.join(_TERM_COLUMNS)}; the header has "
                               f"{', '.join(map(repr, header))}); name it with column=")
        ci = find(category_column, _CATEGORY_COLUMNS, "category")
        si = find(None, _SEVERITY_COLUMNS, "severity")
        while True:
            start = reader.line_num + 1  # a quoted field may span lines: name the first
            try:
                row = next(reader, None)
            except csv.Error as exc:
                raise LexiconError(f"[E206] {f}:{start}: bad CSV: {exc}") from None
            if row is None:
                break
            where = f"{f}:{start}"
            if not any(cell.strip() for cell in row):
                continue
            if ti >= len(row):
                report.skipped.append(f"{where}: row has {len(row)} field(s), no term column")
                continue
            cat = category
            if ci is not None and ci < len(row) and row[ci].strip():
                value = row[ci].strip()
                cat = _category_code(value) or ""
                if not cat:
                    report.notes.append(f"{where}: unknown category {value!r}, mapped to 'other'")
                    cat = "other"
            sev: str | None = severity
            if si is not None and si < len(row) and row[si].strip():
                value = _norm(row[si])
                sev = value if value in SEVERITIES else SEVERITY_NAMES.get(value)
                if sev is None:
                    report.notes.append(f"{where}: unknown severity {row[si].strip()!r} ignored")
                    sev = severity
            col.add(row[ti], where, cat, severity=sev)
    return files


# ---- writing ----------------------------------------------------------------------------------

def _printable(s: str) -> str:
    return "".join("?" if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in s)


def _prepare_out_dir(out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise LexiconError(f"[E207] {out_dir}: exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    existing = _txt_files(out_dir)
    manifest = out_dir / "manifest.toml"
    if not existing and not manifest.exists():
        return
    if not overwrite:
        raise LexiconError(f"[E207] {out_dir}: already holds lexicon files; choose an empty "
                           "folder or overwrite an earlier import (--force)")
    ours: list[Path] = []
    foreign: list[Path] = []
    for p in existing:
        with open(p, encoding="utf-8", errors="replace") as fh:
            head = [fh.readline() for _ in range(2)]
        (ours if head[1].startswith(_MARK) else foreign).append(p)
    if foreign:
        raise LexiconError(f"[E207] {out_dir}: holds files an import did not write "
                           f"({', '.join(p.name for p in foreign)}); they would mix with the "
                           "import: choose another folder")
    for p in ours:
        p.unlink()
    if manifest.exists():
        manifest.unlink()


def _write(col: _Collector, out_dir: Path, fmt: str, severity: str | None) -> list[Path]:
    today = datetime.date.today().isoformat()
    written = []
    manifest = ["# written by `hansieve lexicon import`", 'version = "0"', ""]
    order = [c for c in CATEGORIES if c in col.entries] + (["allow"] if "allow" in col.entries else [])
    for cat in order:
        entries = col.entries[cat]
        if cat == "allow":
            title = "allowlist (terms that cancel hits inside them)"
        else:
            title = f"category: {cat} ({CATEGORIES[cat][0]})"
        sources = ", ".join(_printable(s) for s in col.sources.get(cat, []))
        lines = [f"# hansieve lexicon - {title}",
                 f"{_MARK} --format {fmt}` on {today}",
                 f"# source: {sources}",
                 f"# terms: {len(entries)}",
                 ""]
        default = None if cat == "allow" else severity
        for e in entries:
            fields = []
            if e.severity is not None and e.severity != default:
                fields.append(f"severity={e.severity}")
            if e.tags:
                fields.append("tags=" + ",".join(e.tags))
            lines.append("\t".join([e.text, *fields]))
        name = f"{cat}.txt"
        path = out_dir / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
        written.append(path)
        manifest += ["[[file]]", f'path = "{name}"',
                     f'kind = "{"allow" if cat == "allow" else "deny"}"']
        if cat != "allow":
            manifest.append(f'category = "{cat}"')
            if severity:
                manifest.append(f'severity = "{severity}"')
        manifest.append("")
    # write_manifest keeps kind/category/severity from this draft and adds the sha256 lines.
    (out_dir / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")
    written.append(write_manifest(out_dir))
    return written


def import_lexicon(
    fmt: str,
    src: PathLike | Iterable[PathLike],
    out_dir: PathLike,
    *,
    category: str | None = None,
    severity: str | None = None,
    column: str | None = None,
    category_column: str | None = None,
    overwrite: bool = False,
) -> ImportReport:
    """Convert a public word list into a hansieve lexicon folder.

    Parameters
    ----------
    fmt
        One of :data:`FORMATS`: ``houbb``, ``toolgood``, ``plain``, ``csv`` (see the module
        documentation for each format's files and category mapping).
    src
        The source: a file or folder, or a list of them.
    out_dir
        The lexicon folder to write (created if needed). It must be empty unless `overwrite`.
    category
        Category code for terms the source does not categorise (default ``other``).
    severity
        Default severity of the imported deny files (``block``, ``review`` or ``notice``);
        None leaves it unset (hits then count as ``block``).
    column, category_column
        ``csv`` only: the term column (default ``term``, ``word`` or ``keyword``...) and the
        category column (default ``category`` when present).
    overwrite
        Replace an earlier import in `out_dir` (files whose header says an import wrote them,
        and ``manifest.toml``). Other ``*.txt`` files there are never removed: they make the
        import fail.

    Returns
    -------
    ImportReport
        Counts per category, skipped lines (``file:line: reason``), merged duplicates, notes
        and the result of reading the folder back (``.errors``, empty on success).

    Raises
    ------
    LexiconError
        Unknown format, category or severity; a missing or unreadable source; a file that is
        not UTF-8; a CSV without the term column; an `out_dir` that is not empty.
    """
    if fmt not in FORMATS:
        raise LexiconError(f"[E206] unknown import format {fmt!r} (use one of {', '.join(FORMATS)})")
    if category is not None and category not in CATEGORIES:
        raise LexiconError(f"[E206] unknown category {category!r} "
                           f"(use one of {', '.join(CATEGORIES)})")
    if severity is not None and severity not in SEVERITIES:
        raise LexiconError(f"[E206] bad severity {severity!r} (use one of {', '.join(SEVERITIES)})")
    if fmt != "csv" and (column is not None or category_column is not None):
        raise LexiconError("[E206] column and category_column apply to the csv format only")
    paths = _paths(src)
    out = Path(out_dir)
    report = ImportReport(fmt, paths, out)
    col = _Collector(report)
    default = category or "other"
    if fmt == "houbb":
        report.sources = _houbb(paths, col, default)
    elif fmt == "toolgood":
        report.sources = _toolgood(paths, col, default)
    elif fmt == "plain":
        report.sources = _plain(paths, col, default)
    else:
        report.sources = _csv(paths, col, default, severity, column, category_column)

    _prepare_out_dir(out, overwrite)
    report.files = _write(col, out, fmt, severity)
    report.counts = {c: len(col.entries[c]) for c in [*CATEGORIES, "allow"] if c in col.entries}

    lex = report.lexicon = read_lexicon(out)
    report.errors = list(lex.errors)
    if len(lex.terms) != report.imported or len(lex.allow) != report.counts.get("allow", 0):
        report.errors.append(f"{out}: read back {len(lex.terms)} terms and {len(lex.allow)} "
                             f"allow entries, wrote {report.imported} and "
                             f"{report.counts.get('allow', 0)}")
    return report
