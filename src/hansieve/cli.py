"""The ``hansieve`` command.

Exit codes follow grep: 0 when nothing was flagged, 1 when something was, 2 on errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import BinaryIO, Iterator, Sequence

from . import __version__
from .compile import compile
from .errors import HansieveError
from .lexicon import load_lexicon

EXIT_CLEAN, EXIT_FLAGGED, EXIT_ERROR = 0, 1, 2

EXAMPLES = """\
examples:
  hansieve scan messages.txt                 one JSON object per input line
  echo '他說法輪功' | hansieve scan -          read standard input
  hansieve scan --lexicon my_terms.txt -     your own lexicon (one term per line)
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


def _scan(args: argparse.Namespace) -> int:
    sieve = compile(load_lexicon(args.lexicon or None))
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
