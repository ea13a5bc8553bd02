"""The ``hansieve`` command.

Exit codes follow grep: 0 when nothing was flagged, 1 when something was, 2 on errors (a bad
option, an unreadable file, a missing lexicon, or an input line that could not be read).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, Iterator, NoReturn, Sequence, TextIO

from ._version import __version__
from .compile import VARIANTS_AUTO_MAX, compile, load
from .errors import FormatError, HansieveError
from .cli_input import (Counter, Decoder, Message, UsageError, check_encoding, encoding_hint,
                        raw_lines, read_csv, read_jsonl, read_lines, split_end)
from .lexicon import CATEGORIES, SEVERITIES, Lexicon, is_compiled, load_lexicon, read_lexicon

if TYPE_CHECKING:
    from ._core import Match, Sieve
    from .verify import Verdict

EXIT_CLEAN, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2
#: Ctrl-C: 128 + SIGINT, as the shell reports a command the signal stopped.
EXIT_INTERRUPTED = 130

#: Progress bar: shown when stderr is a terminal and the input file is at least this big
#: (HANSIEVE_PROGRESS_MIN_BYTES overrides it; the tests set it to 0 to see the bar on a pty).
PROGRESS_MIN_BYTES = 4 << 20

EXAMPLES = """\
examples:
  hansieve scan messages.txt                 one JSON object per input line
  echo '他說法輪功' | hansieve scan -          read standard input
  hansieve scan --format text messages.txt   one readable line per message
  hansieve scan --only block messages.txt    only the messages to block (exit 1 if any)
  hansieve scan --field text posts.csv       the "text" column of a CSV file (header row)
  hansieve scan --field content chat.jsonl   the "content" key of each JSON line
  hansieve scan --no-pinyin --lexicon my_terms.txt -   your own lexicon, no pinyin spellings
  hansieve mask messages.txt                 the text with every hit masked
  hansieve explain '大麻烦'                   why each raw hit was kept or dropped
  hansieve bench                             a quick self-benchmark on this machine
  hansieve build --lexicon lexicons/ -o default.hsv && hansieve scan --lexicon default.hsv -
  hansieve lexicon check lexicons/           every malformed line as file:line: reason
  hansieve lexicon stats                     terms per category and severity
  hansieve lexicon import --format houbb path/to/houbb -o my_lexicon/
"""

SCAN_EXAMPLES = """\
examples:
  hansieve scan messages.txt                      {"line": 1, "action": ..., "matches": [...]}
  echo '他說法輪功' | hansieve scan -               read standard input
  hansieve scan --format text messages.txt        LINE: ACTION term (category, severity) ...
  hansieve scan --format csv messages.txt > out.csv
  hansieve scan --only review messages.txt        messages to block or review only
  hansieve scan --field text posts.csv            CSV with a header row: the "text" column
  hansieve scan --field content chat.jsonl        JSON Lines: the "content" key
  cat chat.jsonl | hansieve scan --input-format jsonl --field content -
  hansieve scan --errors stop messages.txt        stop (exit 2) at the first unreadable line
  hansieve scan --summary messages.txt            messages, flagged and throughput on stderr
  hansieve scan --no-pinyin messages.txt          no pinyin spellings of the terms
  hansieve scan --encoding gb18030 old.txt        GBK/GB18030 input
  hansieve scan day1.txt day2.txt                 several files: each record names its file

The summary line and the progress bar go to stderr only when stderr is a terminal (--summary,
--progress force them), so piped output stays clean. Exit code: 0 nothing flagged, 1 flagged
(with --only: flagged at that level), 2 errors.
"""

MASK_EXAMPLES = """\
examples:
  echo '他說法輪功' | hansieve mask -          他說***
  hansieve mask --char '#' comments.txt > comments.masked.txt
  hansieve mask --field text posts.csv > posts.masked.csv     the "text" column, other columns kept
  hansieve mask --field content chat.jsonl                    the "content" key of each JSON line
  hansieve mask --encoding gb18030 old.txt > old.masked.txt   GBK/GB18030 in, GB18030 out
"""

EXPLAIN_EXAMPLES = """\
examples:
  hansieve explain '他在练法輪功'        the hit, its folds (輪 -> 轮) and the boundary check
  hansieve explain '大麻烦'              大麻 dropped: inside the allowlist entry 大麻烦
  hansieve explain 'fa lun gong'         a pinyin variant of 法轮功
  hansieve explain --format jsonl '法*轮*功'
  echo '周六四点集合' | hansieve explain -
"""

BUILD_EXAMPLES = """\
examples:
  hansieve build --lexicon lexicons/ -o default.hsv      the bundled lexicon's source folder
  hansieve build --lexicon my_lexicon/ --lexicon extra.txt -o my.hsv
  hansieve build --no-pinyin --lexicon my_terms.txt -o my.hsv
  hansieve scan --lexicon my.hsv messages.txt            load it (milliseconds) and scan
"""

LEXICON_EXAMPLES = """\
examples:
  hansieve lexicon check lexicons/           every malformed line as file:line: reason
  hansieve lexicon stats my_lexicon/         terms per category and severity
  hansieve lexicon manifest my_lexicon/      refresh manifest.toml after adding or editing files
  hansieve lexicon import --format houbb path/to/houbb -o my_lexicon/
"""

BENCH_EXAMPLES = """\
examples:
  hansieve bench                     the bundled lexicon, about ten seconds
  hansieve bench --seconds 0.2       shorter timing runs
  hansieve bench --lexicon my_terms.txt --messages my_messages.txt
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (and exit code 2), not the usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# ---- input (the readers are in cli_input) ---------------------------------------------------

def _input_format(args: argparse.Namespace, path: str) -> str:
    fmt: str = args.input_format
    if fmt == "auto":
        suffix = Path(path).suffix.lower() if path != "-" else ""
        if suffix in (".csv",):
            fmt = "csv"
        elif suffix in (".jsonl", ".ndjson"):
            fmt = "jsonl"
        elif args.field is not None:
            raise UsageError(f"{path}: --field needs a .csv or .jsonl file, or --input-format csv|jsonl")
        else:
            fmt = "lines"
    if fmt in ("csv", "jsonl") and args.field is None:
        what = f"--input-format {fmt}" if args.input_format != "auto" else f"{path}: a {fmt} file"
        raise UsageError(f"{what} needs --field NAME (the column or key to scan)")
    if fmt == "lines" and args.field is not None:
        raise UsageError("--field needs --input-format csv or jsonl")
    return fmt


def _open_input(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    return open(path, "rb")


def _input_size(stream: BinaryIO) -> int | None:
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError):
        return None
    import stat
    return st.st_size if stat.S_ISREG(st.st_mode) else None


# ---- progress and summary --------------------------------------------------------------------

class Progress:
    """A tiny progress bar on stderr: one line redrawn with a carriage return, at most ten times a
    second. Written here rather than taken from tqdm or rich, to add no dependency."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.started = time.perf_counter()
        self.last = 0.0
        self.shown = False

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if now - self.last < 0.1:
            return
        self.last = now
        share = min(done / self.total, 1.0)
        filled = int(share * self.WIDTH)
        rate = done / max(now - self.started, 1e-9) / 1e6
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%} "
                          f"{done / 1e6:.1f}/{self.total / 1e6:.1f} MB {rate:.1f} MB/s")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * (self.WIDTH + 50) + "\r")
            self.stream.flush()


def _want_progress(args: argparse.Namespace, size: int | None) -> bool:
    if args.progress is not None:
        return bool(args.progress)
    if size is None or not sys.stderr.isatty():
        return False
    try:
        floor = int(os.environ.get("HANSIEVE_PROGRESS_MIN_BYTES", PROGRESS_MIN_BYTES))
    except ValueError:
        floor = PROGRESS_MIN_BYTES
    return size >= floor


def _want_summary(args: argparse.Namespace) -> bool:
    return bool(args.summary) if args.summary is not None else sys.stderr.isatty()


def summary_line(messages: int, flagged: int, errors: int, nbytes: int, seconds: float) -> str:
    seconds = max(seconds, 1e-9)
    return (f"hansieve: {messages} messages, {flagged} flagged, {errors} errors in "
            f"{seconds:.2f} s ({messages / seconds:,.0f} messages/s, {nbytes / seconds / 1e6:.1f} MB/s)")


# ---- the compiled lexicon ----------------------------------------------------------------------

def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hansieve"


#: Package files that cannot change a compiled Sieve (sources of the native modules are covered
#: by the built modules themselves). Any other file, new ones included, is in the fingerprint.
_NOT_COMPILING = frozenset({"cli.py", "cli_input.py", "replacements.py", "explain.py", "spark.py", "reload.py", "importers.py",
                            "__main__.py", "py.typed"})


def _code_fingerprint() -> str:
    """Size and modification time of the installed package's files (code, native core, tables):
    a compiled lexicon in the cache is only reused by the code that compiled it. Without this, a
    cache entry written before, say, variant spellings existed kept being served."""
    root = Path(__file__).resolve().parent
    parts = []
    for path in sorted(root.rglob("*")):
        if ("__pycache__" in path.parts or not path.is_file() or path.name in _NOT_COMPILING
                or path.suffix in (".pyi", ".pyx", ".pxi", ".pxd", ".cpp", ".c", ".h")):
            continue
        st = path.stat()
        parts.append(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def variants_option(pinyin: bool | None, variants: bool | None, n_terms: int) -> bool | str | dict[str, bool]:
    """`compile(variants=...)` for ``--pinyin/--no-pinyin`` and ``--variants/--no-variants``.

    Variant generation covers pinyin (full, initials, mixed with characters, tone digits) and
    other spellings (homophones, lookalike and split characters, leet, numerals, reversed
    names). Neither option: ``"auto"`` (on up to 20,000 terms). ``--pinyin``: every variant,
    pinyin included, even for a larger lexicon. ``--no-pinyin``: no pinyin spellings, the other
    variants as ``"auto"`` would have them. ``--no-variants``: none at all.
    """
    if variants is False:
        if pinyin:
            raise UsageError("--pinyin contradicts --no-variants (pinyin spellings are variants)")
        return False
    if pinyin is None:
        return True if variants else "auto"
    if pinyin:
        return True
    on = variants is True or n_terms <= VARIANTS_AUTO_MAX
    return {"pinyin": False} if on else False


def _warn(message: str) -> None:
    print(f"hansieve: warning: {message}", file=sys.stderr)


def _compile(lexicon: Lexicon, option: bool | str | dict[str, bool],
             caching: bool = False, channels: bool | None = None) -> tuple[Sieve, list[str]]:
    """compile(), with its warnings (what it left out, and why) shown as one line each and
    returned; `caching`: on a terminal, a line saying that this first run compiles (seconds for
    a large lexicon) and later ones will not."""
    import warnings
    notice = caching and sys.stderr.isatty()
    if notice:
        print(f"hansieve: compiling the lexicon ({len(lexicon.terms):,} terms); later runs load "
              f"it from the cache in {_cache_dir()}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sieve = compile(lexicon, variants=option,
                        channels="auto" if channels is None else channels)
    messages = [str(w.message) for w in caught]
    for message in messages:
        _warn(message)
    if notice:
        print(f"hansieve: compiled in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return sieve, messages


def _sieve(paths: list[str] | None, pinyin: bool | None = None,
           variants: bool | None = None, channels: bool | None = None) -> Sieve:
    """A compiled file given alone is loaded; lexicon files and folders are compiled once and
    cached (keyed by hansieve's version and installed files, the fold table, every lexicon
    file's sha256 and the variant options), so a scan starts in milliseconds.
    HANSIEVE_NO_CACHE=1 turns the cache off."""
    if paths and len(paths) == 1 and is_compiled(paths[0]):
        if pinyin is not None or variants is not None or channels is not None:
            raise UsageError(f"{paths[0]} is already compiled: --pinyin/--variants/--channels "
                             "apply to lexicon files (hansieve build them in)")
        return load(paths[0])
    lexicon: Lexicon = load_lexicon(paths or None)
    option = variants_option(pinyin, variants, len(lexicon.terms))
    if os.environ.get("HANSIEVE_NO_CACHE") == "1":
        return _compile(lexicon, option, channels=channels)[0]
    from .compile import _fold_table_sha256
    ident = f"{__version__}|{_fold_table_sha256()}|{_code_fingerprint()}|{lexicon.digest}"
    if option != "auto":
        ident += f"|variants={json.dumps(option, sort_keys=True)}"
    if channels is not None:
        ident += f"|channels={channels}"
    key = hashlib.sha256(ident.encode()).hexdigest()
    cached = _cache_dir() / f"lexicon-{key[:24]}.hsv"
    # compile()'s warnings, kept beside the entry: a cached lexicon warns on every run.
    warned = cached.with_name(cached.name + ".warnings")
    try:
        sieve = load(cached)
        for message in json.loads(warned.read_text(encoding="utf-8")):
            _warn(message)
        return sieve
    except (OSError, FormatError, ValueError):
        pass
    sieve, messages = _compile(lexicon, option, caching=True, channels=channels)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        warned.write_text(json.dumps(messages, ensure_ascii=False), encoding="utf-8")
        sieve.save(tmp)
        os.replace(tmp, cached)     # never a half-written file under the cache's name
        _prune_cache(cached.parent)
    except OSError:
        pass    # a read-only home is no reason to fail a scan
    return sieve


#: Compiled lexicons kept in the cache (the most recently written); each new hansieve version,
#: lexicon edit or option set adds one, and the bundled lexicon's is about 17 MB.
CACHE_KEEP = 8


def _prune_cache(folder: Path) -> None:
    entries = sorted(folder.glob("lexicon-*.hsv"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[CACHE_KEEP:]:
        for path in (old, old.with_name(old.name + ".warnings")):
            try:
                path.unlink()
            except OSError:
                pass


def _stdout() -> TextIO:
    out = sys.stdout
    if hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8", errors="surrogateescape")
    return out


# ---- scan --------------------------------------------------------------------------------------

def _match_dict(m: Match, text: str) -> dict[str, Any]:
    return {"term": m.term, "start": m.start, "end": m.end, "text": text[m.start:m.end],
            "category": m.category, "severity": m.severity, "mechanism": m.mechanism, "via": m.via}


class _Output:
    """Writes one record per message in the chosen format; with several input files, each
    record names its file."""

    def __init__(self, fmt: str, out: TextIO, several: bool, field: str | None) -> None:
        self.fmt = fmt
        self.out = out
        self.several = several
        self.field = field
        self.csv = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
        if self.csv is not None:
            self.csv.writerow((["file"] if several else [])
                              + ["line", "row", "action", "terms", "categories", "spans", "error"])

    def write(self, name: str, msg: Message, verdict: Verdict | None) -> None:
        text = msg.text or ""
        if self.csv is not None:
            head = ([name] if self.several else []) + [msg.line, "" if msg.row is None else msg.row]
            if verdict is None:
                self.csv.writerow(head + ["error", "", "", "", msg.error])
            else:
                ms = verdict.matches
                self.csv.writerow(head + [verdict.action, "|".join(m.term for m in ms),
                                          "|".join(verdict.categories),
                                          "|".join(f"{m.start}-{m.end}" for m in ms), ""])
            return
        if self.fmt == "text":
            label = f"{msg.line}" if msg.row is None else f"{msg.line} (row {msg.row})"
            if self.several:
                label = f"{name}:{label}"
            if verdict is None:
                self.out.write(f"{label}: error: {msg.error}\n")
            else:
                parts = [f"{m.term} ({m.category or '-'}, {m.severity or '-'}) {m.start}-{m.end} "
                         f"{json.dumps(text[m.start:m.end], ensure_ascii=False)}"
                         for m in verdict.matches]
                self.out.write(f"{label}: {verdict.action}" + (": " + "; ".join(parts) if parts else "")
                               + "\n")
            return
        record: dict[str, Any] = {"file": name} if self.several else {}
        record["line"] = msg.line
        if msg.row is not None:
            record["row"] = msg.row
        if verdict is None:
            record["error"] = msg.error
        else:
            record["action"] = verdict.action
            record["matches"] = [_match_dict(m, text) for m in verdict.matches]
        if isinstance(msg.record, dict):
            # The input object's other keys (an id...), so that a verdict can be joined back.
            record["input"] = {k: v for k, v in msg.record.items() if k != self.field}
        self.out.write(json.dumps(record, ensure_ascii=False) + "\n")


class _Unreadable:
    """Input records that could not be read: reported on stderr as they come (the first with
    what to do about its encoding), or with --errors skip counted and summed up at the end."""

    def __init__(self, mode: str, encoding: str) -> None:
        self.mode = mode
        self.encoding = encoding
        self.count = 0
        self.first: tuple[str, Message] | None = None
        self.hinted = False

    def add(self, name: str, msg: Message) -> None:
        self.count += 1
        if self.first is None:
            self.first = (name, msg)
        if self.mode != "skip":
            print(f"hansieve: {name}:{msg.line}: {msg.error}{self._hint(msg)}", file=sys.stderr)

    def _hint(self, msg: Message) -> str:
        if self.hinted or msg.raw is None:
            return ""
        self.hinted = True
        return f"; {encoding_hint(msg.raw, self.encoding)}"

    def finish(self, read: int) -> bool:
        """Say what was skipped; False when nothing at all could be read (no result to trust)."""
        if self.mode == "skip" and self.first is not None:
            name, msg = self.first
            _warn(f"skipped {self.count} unreadable record(s) (the first: {name}:{msg.line}: "
                  f"{msg.error}){self._hint(msg)}")
        if self.count and not read:
            print("hansieve: no record could be read: nothing was screened", file=sys.stderr)
            return False
        return True


def _messages(args: argparse.Namespace, fmt: str, name: str, source: BinaryIO, counter: Counter,
              decode: Decoder, on_header: Callable[[list[str], int], None] | None = None
              ) -> Iterator[Message]:
    if fmt == "csv":
        csv.field_size_limit(1 << 30)
        return read_csv(source, counter, args.field, name, decode, on_header)
    if fmt == "jsonl":
        return read_jsonl(source, counter, args.field, name, decode)
    return read_lines(source, counter, decode)


def _check_inputs(paths: Sequence[str]) -> None:
    """Every input file can be opened, before any output."""
    if list(paths).count("-") > 1:
        raise UsageError("standard input (-) can be read once")
    for path in paths:
        if path != "-":
            with open(path, "rb"):
                pass


def _scan(args: argparse.Namespace) -> int:
    files: list[str] = args.files or ["-"]
    formats = [_input_format(args, path) for path in files]     # option errors before any work
    decode = Decoder(check_encoding(args.encoding))
    _check_inputs(files)
    sieve = _sieve(args.lexicon, args.pinyin, args.variants, args.channels)
    out = _stdout()
    levels = {"block": ("block",), "review": ("block", "review"), None: ("block", "review", "pass")}
    wanted = levels[args.only]
    counter = Counter()
    sizes = [None if path == "-" else os.stat(path).st_size for path in files]
    total = None if None in sizes else sum(size or 0 for size in sizes)
    progress = Progress(total or 0, sys.stderr) if _want_progress(args, total) else None
    writer = _Output(args.format, out, len(files) > 1, args.field if "jsonl" in formats else None)
    unreadable = _Unreadable(args.errors, decode.encoding)
    started = time.perf_counter()
    messages = flagged = 0
    stopped = False
    try:
        for path, fmt in zip(files, formats):
            with _open_input(path) as source:
                for msg in _messages(args, fmt, path, source, counter, decode):
                    if progress is not None:
                        progress.update(counter.bytes)
                    if msg.text is None:
                        unreadable.add(path, msg)
                        if args.errors == "skip":
                            continue
                        writer.write(path, msg, None)
                        if args.errors == "stop":
                            stopped = True
                            break
                        continue
                    messages += 1
                    verdict = sieve.check(msg.text)
                    if verdict.matches and verdict.action in wanted:
                        flagged += 1
                    elif args.only is not None:
                        continue
                    writer.write(path, msg, verdict)
            if stopped:
                break
    finally:
        if progress is not None:
            progress.close()
    out.flush()
    if _want_summary(args):
        print(summary_line(messages, flagged, unreadable.count, counter.bytes,
                           time.perf_counter() - started), file=sys.stderr)
    read_any = unreadable.finish(messages)
    if stopped or not read_any or (unreadable.count and args.errors == "report"):
        return EXIT_ERROR
    return EXIT_FLAGGED if flagged else EXIT_CLEAN


# ---- mask --------------------------------------------------------------------------------------

def _line_ending(source: BinaryIO) -> str:
    """The first line's terminator, for CSV output that keeps the input's line endings."""
    peek = getattr(source, "peek", None)
    head = peek(1 << 16) if peek is not None else b""
    end = head.find(b"\n")
    return "\r\n" if end > 0 and head[end - 1:end] == b"\r" else "\n"


def _mask(args: argparse.Namespace) -> int:
    if len(args.char) != 1:
        raise UsageError(f"--char must be one character, got {args.char!r}")
    fmt = _input_format(args, args.file)
    decode = Decoder(check_encoding(args.encoding))
    _check_inputs([args.file])
    sieve = _sieve(args.lexicon, args.pinyin, args.variants, args.channels)
    # The output keeps the input's encoding and line endings (newline="" translates nothing);
    # a stdout without bytes underneath (a doctest's) takes the text as it is.
    raw_out = getattr(sys.stdout, "buffer", None)
    wrapper = (io.TextIOWrapper(raw_out, encoding=decode.encoding, errors="replace", newline="")
               if raw_out is not None else None)
    out: TextIO = wrapper if wrapper is not None else sys.stdout
    unreadable = _Unreadable(args.errors, decode.encoding)
    masked_any = stopped = False
    read = 0
    try:
        with _open_input(args.file) as source:
            table = csv.writer(out, lineterminator=_line_ending(source)) if fmt == "csv" else None
            masked_column = 0

            def header(names: list[str], column: int) -> None:
                nonlocal masked_column
                assert table is not None
                table.writerow(names)
                masked_column = column

            for msg in _messages(args, fmt, args.file, source, Counter(), decode,
                                 header if table is not None else None):
                if msg.text is None:
                    unreadable.add(args.file, msg)
                    if args.errors == "stop":
                        stopped = True
                        break
                    if args.errors == "skip":
                        continue
                    if fmt == "lines":
                        # Never pass a line through unscreened: mask what decodes, U+FFFD for
                        # the rest.
                        text = (msg.raw or b"").decode(decode.encoding, "replace")
                        out.write(sieve.mask(text, args.char) + msg.end.decode())
                    elif isinstance(msg.record, dict):      # JSON without a string message
                        out.write(json.dumps(msg.record, ensure_ascii=False) + msg.end.decode())
                    elif isinstance(msg.record, list):      # CSV row without the column
                        assert table is not None
                        table.writerow(msg.record)
                    # else: a record that could not be read at all is left out (reported)
                    continue
                read += 1
                masked = sieve.mask(msg.text, args.char)
                masked_any = masked_any or masked != msg.text
                if fmt == "lines":
                    out.write(masked + msg.end.decode())
                elif fmt == "jsonl":
                    out.write(json.dumps({**msg.record, args.field: masked}, ensure_ascii=False)
                              + msg.end.decode())
                else:
                    assert table is not None
                    fields = list(msg.record)
                    fields[masked_column] = masked
                    table.writerow(fields)
    finally:
        out.flush()
        if wrapper is not None:
            wrapper.detach()    # leave sys.stdout's buffer open
    read_any = unreadable.finish(read)
    if stopped or not read_any or (unreadable.count and args.errors == "report"):
        return EXIT_ERROR
    return EXIT_FLAGGED if masked_any else EXIT_CLEAN


# ---- explain -----------------------------------------------------------------------------------

def _explain(args: argparse.Namespace) -> int:
    from .explain import explain, render_text
    if args.text == "-":
        texts = []
        for msg in read_lines(sys.stdin.buffer, Counter(), Decoder()):
            if msg.text is None:
                raise UsageError(f"-:{msg.line}: {msg.error}; {encoding_hint(msg.raw, 'utf-8')}")
            texts.append(msg.text)
    else:
        texts = [args.text]
    sieve = _sieve(args.lexicon, args.pinyin, args.variants, args.channels)
    out = _stdout()
    flagged = False
    for number, text in enumerate(texts, 1):
        result = explain(sieve, text)
        flagged = flagged or bool(result.kept)
        if args.format == "jsonl":
            for record in result.records():
                if len(texts) > 1:
                    record = {"line": number, **record}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            if len(texts) > 1:
                out.write(f"line {number}: ")
            out.write(render_text(result))
    out.flush()
    return EXIT_FLAGGED if flagged else EXIT_CLEAN


# ---- bench -------------------------------------------------------------------------------------

#: Everyday sentences for the generated benchmark messages.
_BENCH_PHRASES = (
    "今天天气很好", "我们明天下午三点在公司门口集合", "这家店的菜味道不错，就是有点贵", "快递已经到了，记得去取",
    "周末一起去爬山吧", "这个手机的电池续航太差了", "老师布置的作业太多了", "谢谢大家的支持和鼓励",
    "晚上八点直播，不见不散", "物流很快，包装也很好", "客服态度很好，问题解决了", "这部电影的结局出乎意料",
    "房租又涨了，真没办法", "孩子期末考试考得不错", "请问这个商品还有货吗", "会议改到下周一上午十点",
    "the delivery was fast and the price is fair", "强烈推荐给大家", "下雨了，出门记得带伞",
    "新开的奶茶店排队的人好多",
)


def bench_messages(terms: Sequence[str], n: int, seed: int = 7) -> list[str]:
    """`n` generated messages of 10-80 characters; one in ten holds a lexicon term, disguised
    (spaces, symbols) half of the time. The same seed gives the same messages."""
    import random
    rng = random.Random(seed)
    out = []
    for i in range(n):
        parts = [rng.choice(_BENCH_PHRASES) for _ in range(rng.randint(1, 4))]
        if terms and i % 10 == 0:
            term = rng.choice(terms)
            if rng.random() < 0.5:
                term = rng.choice(("*", " ", "·")).join(term)
            parts.insert(rng.randint(0, len(parts)), term)
        out.append("，".join(parts))
    return out


def _timed(fn: Callable[[], object], seconds: float) -> tuple[float, int]:
    """Seconds per call of `fn`, run repeatedly for about `seconds` (at least once)."""
    runs, started = 0, time.perf_counter()
    while True:
        fn()
        runs += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            return elapsed / runs, runs


def _bench(args: argparse.Namespace) -> int:
    import platform
    out = _stdout()
    started = time.perf_counter()
    if args.lexicon and len(args.lexicon) == 1 and is_compiled(args.lexicon[0]):
        sieve = _sieve(args.lexicon, args.pinyin, args.variants, args.channels)   # loaded
        option: Any = sieve.options.get("variants", "compiled in")
        compile_row = "- (a compiled file)"
    else:
        lexicon = load_lexicon(args.lexicon or None)
        option = variants_option(args.pinyin, args.variants, len(lexicon.terms))
        sieve, _ = _compile(lexicon, option, channels=args.channels)
        compile_row = f"{time.perf_counter() - started:.2f} s"
    data = sieve.to_bytes()
    load_s, _ = _timed(lambda: type(sieve).from_bytes(data), min(args.seconds, 0.5))
    if args.messages:
        with open(args.messages, "rb") as f:
            texts = [t for t in f.read().decode("utf-8", "replace").split("\n") if t]
        if not texts:
            raise UsageError(f"{args.messages}: no messages")
    else:
        texts = bench_messages(sieve.terms, 2000)
    flagged = sum(1 for t in texts if sieve.find(t))
    sieve.find("热身：法轮功")     # builds the verifying segmenter before any timing
    n = len(texts)

    def each(method: Callable[[str], object]) -> Callable[[], None]:
        def run() -> None:
            for t in texts:
                method(t)
        return run

    rows = [
        ("hansieve", f"{__version__} (Python {platform.python_version()}, {platform.machine()})"),
        ("lexicon", f"{len(sieve)} terms ({'bundled' if not args.lexicon else ', '.join(args.lexicon)}), "
                    f"variants={json.dumps(option)}"),
        ("compile", compile_row),
        ("load compiled", f"{load_s * 1e3:.1f} ms ({len(data) / 1e6:.1f} MB)"),
        ("messages", f"{n} ({flagged} flagged), {sum(map(len, texts)) / n:.0f} characters on average"),
    ]
    for name, method in (("find", sieve.find), ("contains", sieve.contains), ("check", sieve.check)):
        per_call, _ = _timed(each(method), args.seconds)
        rows.append((name, f"{per_call / n * 1e6:.2f} µs/message"))
    long_text = "\n".join(texts)
    while len(long_text) < 1_000_000:
        long_text += "\n" + long_text
    nbytes = len(long_text.encode("utf-8"))
    per_call, _ = _timed(lambda: sieve.find(long_text), args.seconds)
    hits = len(sieve.find(long_text))
    rows.append(("long text", f"{nbytes / per_call / 1e6:.1f} MB/s "
                              f"({len(long_text) / 1e6:.1f}M characters, {hits} hits)"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        out.write(f"{name:<{width}}  {value}\n")
    out.flush()
    return EXIT_CLEAN


# ---- build and lexicon -------------------------------------------------------------------------

def _build(args: argparse.Namespace) -> int:
    lexicon = load_lexicon(args.lexicon or None)
    sieve, _ = _compile(lexicon, variants_option(args.pinyin, args.variants, len(lexicon.terms)),
                        channels=args.channels)
    sieve.save(args.output)
    print(f"hansieve: wrote {args.output}: {len(sieve)} terms, "
          f"{Path(args.output).stat().st_size} bytes", file=sys.stderr)
    return EXIT_CLEAN


def _lexicon_check(args: argparse.Namespace) -> int:
    lex = read_lexicon(args.paths)
    for error in lex.errors:
        print(error)
    print(f"hansieve: {len(lex.terms)} terms, {len(lex.allow)} allow entries, {len(lex.rules)} rules, "
          f"{len(lex.errors)} problem(s)", file=sys.stderr)
    return EXIT_FLAGGED if lex.errors else EXIT_CLEAN


def _lexicon_stats(args: argparse.Namespace) -> int:
    lex = load_lexicon(args.paths or None)
    table = lex.stats()
    print(f"{'category':<16}{'中文':<18}" + "".join(f"{s:>9}" for s in SEVERITIES) + f"{'total':>9}")
    totals = dict.fromkeys(SEVERITIES, 0)
    for category, row in table.items():
        name = CATEGORIES.get(category, ("",))[0]
        print(f"{category:<16}{name:<{20 - _wide(name)}}" + "".join(f"{row[s]:>9}" for s in SEVERITIES)
              + f"{sum(row.values()):>9}")
        for s in SEVERITIES:
            totals[s] += row[s]
    print(f"{'total':<36}" + "".join(f"{totals[s]:>9}" for s in SEVERITIES) + f"{sum(totals.values()):>9}")
    print(f"allow entries: {len(lex.allow)}  rules: {len(lex.rules)}  version: {lex.version or '-'}")
    return EXIT_CLEAN


def _wide(text: str) -> int:
    # CJK characters take two terminal columns.
    return sum(1 for ch in text if ord(ch) > 0x2E80)


def _lexicon_manifest(args: argparse.Namespace) -> int:
    from .lexicon import write_manifest
    notes: list[str] = []
    path = write_manifest(args.folder, args.version, notes)
    for note in notes:
        print(f"hansieve: {note}", file=sys.stderr)
    print(f"hansieve: wrote {path}", file=sys.stderr)
    return EXIT_CLEAN


def _lexicon_import(args: argparse.Namespace) -> int:
    from .importers import import_lexicon
    report = import_lexicon(args.format, [Path(p) for p in args.src], Path(args.output),
                            category=args.category, severity=args.severity,
                            column=args.column, category_column=args.category_column,
                            overwrite=args.force)
    print(report.summary(), file=sys.stderr)
    return EXIT_ERROR if report.errors else EXIT_CLEAN


# ---- the parser --------------------------------------------------------------------------------

def _lexicon_options(p: argparse.ArgumentParser, variants: bool = True) -> None:
    p.add_argument("--lexicon", action="append", metavar="PATH",
                   help="lexicon file or directory, or one compiled file (repeatable); "
                        "default: the bundled lexicon")
    if variants:
        p.add_argument("--pinyin", action=argparse.BooleanOptionalAction, default=None,
                       help="match pinyin spellings of the terms (full, initials, mixed with "
                            "characters); default: with the other variants, for lexicons of up "
                            "to 20,000 terms")
        p.add_argument("--variants", action=argparse.BooleanOptionalAction, default=None,
                       help="match variant spellings (pinyin, homophones, lookalike and split "
                            "characters, leet); default: on for lexicons of up to 20,000 terms")
        p.add_argument("--channels", action=argparse.BooleanOptionalAction, default=None,
                       help="the disguise channel (sound, shape, emoji and filler disguises: "
                            "冰犊 for 冰毒); default: on for lexicons of up to 20,000 terms")


def _input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--field", metavar="NAME",
                   help="the CSV column (header row) or JSON key holding the message")
    p.add_argument("--input-format", choices=["auto", "lines", "csv", "jsonl"], default="auto",
                   help="auto (default): csv for *.csv, jsonl for *.jsonl and *.ndjson, else "
                        "one message per line")
    p.add_argument("--encoding", default="utf-8", metavar="NAME",
                   help="the input's encoding (default: utf-8); gb18030 reads GBK and GB2312 too")


def _sub(sub: Any, name: str, help: str, examples: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=help, epilog=examples,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="hansieve",
        description="Find sensitive terms in Chinese text, seeing through common disguises.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hansieve {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    scan = _sub(sub, "scan", "scan one message per line (or a CSV column, a JSON Lines key), "
                "write one record per message", SCAN_EXAMPLES)
    _lexicon_options(scan)
    scan.add_argument("--format", choices=["jsonl", "text", "csv"], default="jsonl",
                      help="output: JSON Lines (default), readable text, or CSV")
    scan.add_argument("--only", choices=["block", "review"],
                      help="write only messages whose verdict is block (review: block or review)")
    _input_options(scan)
    scan.add_argument("--errors", choices=["report", "skip", "stop"], default="report",
                      help="an unreadable line (not in the input's encoding, malformed CSV or "
                           "JSON): report (default: a line on stderr, an error record, go on, "
                           "exit 2), skip (no record; their number on stderr at the end; exit 2 "
                           "when no line could be read), stop (exit 2 there)")
    scan.add_argument("--summary", action=argparse.BooleanOptionalAction, default=None,
                      help="a final line on stderr: messages, flagged, throughput "
                           "(default: when stderr is a terminal)")
    scan.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                      help="a progress bar on stderr (default: when stderr is a terminal and "
                           "the file is 4 MB or more)")
    scan.add_argument("files", nargs="*", metavar="FILE",
                      help="input files (UTF-8 unless --encoding); - for standard input "
                           "(default); with several files each record names its file")
    scan.set_defaults(run=_scan)

    mask = _sub(sub, "mask", "write the text with every hit masked, line by line", MASK_EXAMPLES)
    _lexicon_options(mask)
    mask.add_argument("--char", default="*", help="the mask character (default: *)")
    _input_options(mask)
    mask.add_argument("--errors", choices=["report", "skip", "stop"], default="report",
                      help="a line not in the input's encoding: report (default: a line on "
                           "stderr, the line masked with U+FFFD for bad bytes, exit 2; a CSV or "
                           "JSON record that cannot be read is left out), skip (leave it out), stop")
    mask.add_argument("file", nargs="?", default="-", metavar="FILE",
                      help="text (UTF-8 unless --encoding; written back in the same encoding and "
                           "line endings); - for standard input (default)")
    mask.set_defaults(run=_mask)

    explain = _sub(sub, "explain", "show every raw hit in TEXT and why it was kept or dropped",
                   EXPLAIN_EXAMPLES)
    _lexicon_options(explain)
    explain.add_argument("--format", choices=["text", "jsonl"], default="text",
                         help="readable text (default) or one JSON object per hit")
    explain.add_argument("text", metavar="TEXT", help="the message; - reads one per line from stdin")
    explain.set_defaults(run=_explain)

    bench = _sub(sub, "bench", "a quick self-benchmark: compile time, µs per message, MB/s",
                 BENCH_EXAMPLES)
    _lexicon_options(bench)
    bench.add_argument("--seconds", type=float, default=1.0,
                       help="time each measurement for about this long (default: 1)")
    bench.add_argument("--messages", metavar="FILE",
                       help="one message per line (default: 2,000 generated messages)")
    bench.set_defaults(run=_bench)

    build = _sub(sub, "build", "compile a lexicon to a file that loads in milliseconds",
                 BUILD_EXAMPLES)
    _lexicon_options(build)
    build.add_argument("-o", "--output", required=True, metavar="FILE", help="compiled file to write")
    build.set_defaults(run=_build)

    # hansieve serve (issue 18): options and entry point in hansieve/serve/command.py
    from .serve.command import add_serve_parser
    add_serve_parser(sub)

    lexicon = sub.add_parser("lexicon", help="check, count, import lexicon files",
                             epilog=LEXICON_EXAMPLES,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    lsub = lexicon.add_subparsers(dest="lexicon_command", required=True)
    check = lsub.add_parser("check", help="list every malformed line; exit 1 if there is any",
                            epilog="example:\n  hansieve lexicon check lexicons/\n",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.set_defaults(run=_lexicon_check)
    stats = lsub.add_parser("stats", help="terms per category and severity",
                            epilog="example:\n  hansieve lexicon stats my_lexicon/\n",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    stats.add_argument("paths", nargs="*", metavar="PATH", help="default: the bundled lexicon")
    stats.set_defaults(run=_lexicon_stats)
    manifest = lsub.add_parser("manifest", help="(re)write manifest.toml with fresh sha256 sums",
                               epilog="example:\n  hansieve lexicon manifest --version 2 my_lexicon/\n",
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    manifest.add_argument("folder", metavar="DIR")
    manifest.add_argument("--version", help="lexicon version to record")
    manifest.set_defaults(run=_lexicon_manifest)
    imp = lsub.add_parser("import", help="convert a public list format into a hansieve lexicon",
                          epilog="examples:\n  hansieve lexicon import --format houbb path/to/houbb "
                                 "-o my_lexicon/\n  hansieve lexicon import --format csv words.csv "
                                 "--column word -o my_lexicon/\n",
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    imp.add_argument("--format", required=True, choices=["houbb", "toolgood", "plain", "csv"])
    imp.add_argument("src", nargs="+", metavar="SRC")
    imp.add_argument("-o", "--output", required=True, metavar="DIR")
    imp.add_argument("--category", choices=sorted(CATEGORIES), help="category for untagged terms")
    imp.add_argument("--severity", choices=SEVERITIES)
    imp.add_argument("--column", help="CSV: the term column (default: term)")
    imp.add_argument("--category-column", help="CSV: the category column")
    imp.add_argument("--force", action="store_true", help="overwrite files in DIR")
    imp.set_defaults(run=_lexicon_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except (HansieveError, UsageError) as exc:
        print(f"hansieve: {exc}", file=sys.stderr)
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, and keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except OSError as exc:
        print(f"hansieve: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("hansieve: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
