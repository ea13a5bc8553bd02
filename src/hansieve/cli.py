"""The ``hansieve`` command.

Exit codes follow grep: 0 when nothing was flagged, 1 when something was, 2 on errors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from typing import BinaryIO, Iterator, Sequence

from pathlib import Path

from . import __version__
from .compile import compile, load
from .errors import FormatError, HansieveError
from .lexicon import CATEGORIES, SEVERITIES, default_lexicon_path, load_lexicon, read_lexicon

EXIT_CLEAN, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2

EXAMPLES = """\
examples:
  hansieve scan messages.txt                 one JSON object per input line
  echo '他說法輪功' | hansieve scan -          read standard input
  hansieve scan --lexicon my_terms.txt -     your own lexicon (one term per line)
  hansieve build --lexicon lexicons/ -o default.hsv && hansieve scan --lexicon default.hsv -
  hansieve lexicon check lexicons/           every malformed line as file:line: reason
  hansieve lexicon stats                     terms per category and severity
  hansieve lexicon import --format houbb path/to/houbb -o my_lexicon/
"""


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    # Split on b"\n" only: str.splitlines would also split on U+2028 and friends, and a
    # message's record count must equal its line count.
    for raw in stream:
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        yield raw


def _is_compiled(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(8) == b"HANSIEVE"
    except OSError:
        return False


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hansieve"


def _sieve(paths: list[str] | None):
    """A compiled file given alone is loaded; lexicon files and folders are compiled once and
    cached (keyed by hansieve's version, the fold table and every file's sha256), so a scan
    starts in milliseconds. HANSIEVE_NO_CACHE=1 turns the cache off."""
    if paths and len(paths) == 1 and _is_compiled(paths[0]):
        return load(paths[0])
    lexicon = load_lexicon(paths or None)
    if os.environ.get("HANSIEVE_NO_CACHE") == "1":
        return compile(lexicon)
    from .compile import _fold_table_sha256
    key = hashlib.sha256(f"{__version__}|{_fold_table_sha256()}|{lexicon.digest}".encode()).hexdigest()
    cached = _cache_dir() / f"lexicon-{key[:24]}.hsv"
    try:
        return load(cached)
    except (OSError, FormatError):
        pass
    sieve = compile(lexicon)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        sieve.save(cached)
    except OSError:
        pass    # a read-only home is no reason to fail a scan
    return sieve


def _scan(args: argparse.Namespace) -> int:
    sieve = _sieve(args.lexicon)
    out = sys.stdout
    flagged = errors = False
    source = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    with source:
        for number, raw in enumerate(_lines(source), 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                # Keep one record per line; say where the bad byte is.
                errors = True
                where = f"{args.file}:{number}: invalid UTF-8 at byte {exc.start}"
                print(f"hansieve: {where}", file=sys.stderr)
                out.write(json.dumps({"line": number, "error": f"invalid UTF-8 at byte {exc.start}"}) + "\n")
                continue
            matches = [
                {"term": m.term, "start": m.start, "end": m.end, "category": m.category,
                 "severity": m.severity}
                for m in sieve.find(text)
            ]
            flagged = flagged or bool(matches)
            out.write(json.dumps({"line": number, "matches": matches}, ensure_ascii=False) + "\n")
    if errors:
        return EXIT_ERROR
    return EXIT_FLAGGED if flagged else EXIT_CLEAN


def _build(args: argparse.Namespace) -> int:
    sieve = compile(load_lexicon(args.lexicon or None))
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
    path = write_manifest(args.folder, args.version)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hansieve",
        description="Find sensitive terms in Chinese text, seeing through common disguises.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"hansieve {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    scan = sub.add_parser(
        "scan",
        help="scan one message per line, write one JSON object per line",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scan.add_argument("--lexicon", action="append", metavar="PATH",
                      help="lexicon file or directory (repeatable); default: the bundled lexicon")
    scan.add_argument("file", nargs="?", default="-", metavar="FILE",
                      help="UTF-8 text, one message per line; - for standard input (default)")
    scan.set_defaults(run=_scan)

    build = sub.add_parser("build", help="compile a lexicon to a file that loads in milliseconds",
                           epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    build.add_argument("--lexicon", action="append", metavar="PATH",
                       help="lexicon file or directory (repeatable); default: the bundled lexicon")
    build.add_argument("-o", "--output", required=True, metavar="FILE", help="compiled file to write")
    build.set_defaults(run=_build)

    lexicon = sub.add_parser("lexicon", help="check, count, import lexicon files")
    lsub = lexicon.add_subparsers(dest="lexicon_command", required=True)
    check = lsub.add_parser("check", help="list every malformed line; exit 1 if there is any")
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.set_defaults(run=_lexicon_check)
    stats = lsub.add_parser("stats", help="terms per category and severity")
    stats.add_argument("paths", nargs="*", metavar="PATH", help="default: the bundled lexicon")
    stats.set_defaults(run=_lexicon_stats)
    manifest = lsub.add_parser("manifest", help="(re)write manifest.toml with fresh sha256 sums")
    manifest.add_argument("folder", metavar="DIR")
    manifest.add_argument("--version", help="lexicon version to record")
    manifest.set_defaults(run=_lexicon_manifest)
    imp = lsub.add_parser("import", help="convert a public list format into a hansieve lexicon")
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
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except HansieveError as exc:
        print(f"hansieve: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"hansieve: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
    except KeyboardInterrupt:
        print("hansieve: interrupted", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
