"""Input records for the ``hansieve`` command: one message per line, a CSV column or a JSON Lines
key, decoded from UTF-8 or the encoding given with ``--encoding``.

Every record says where it starts (physical line, CSV row) and either holds the message or why
it could not be read; an undecodable line says what to do about it (:func:`encoding_hint`).
"""

from __future__ import annotations

import codecs
import csv
import json
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Iterator


class UsageError(Exception):
    """A problem with the command line or its input: one line on stderr, exit code 2."""


@dataclass
class Message:
    """One input record: a message's text, or why it could not be read."""

    line: int                   # physical line where it starts (1-based; a CSV header is line 1)
    text: str | None
    error: str | None = None
    row: int | None = None      # CSV data row (1 = the first row after the header)
    #: the whole record the text came from: the JSON object (JSON Lines), the row's fields (CSV)
    record: Any = None
    #: the line's own terminator (b"\n", b"\r\n" or b"" at the end of the file), lines only
    end: bytes = b"\n"
    #: the raw bytes of an undecodable line (for the encoding hint)
    raw: bytes | None = None


class Counter:
    """Bytes read so far (for the progress bar and the summary)."""

    def __init__(self) -> None:
        self.bytes = 0


def check_encoding(name: str) -> str:
    """The codec name for ``--encoding``; only encodings that write a newline as the single byte
    ``\\n`` (UTF-8, GB18030, GBK, Big5, Latin-1...), since input is split into lines as bytes."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise UsageError(f"--encoding {name}: unknown encoding (e.g. utf-8, gb18030, big5)") from None
    if "\n".encode(codec.name) != b"\n" or "\r".encode(codec.name) != b"\r":
        raise UsageError(f"--encoding {name}: not supported: a line break must be one byte "
                         "(UTF-8, GB18030, GBK, Big5 are fine; convert UTF-16 to UTF-8 first)")
    return codec.name


class Decoder:
    """Bytes of one line to text in one encoding; a failure is a reason, not an exception."""

    def __init__(self, encoding: str = "utf-8") -> None:
        self.encoding = encoding
        self.label = "UTF-8" if encoding == "utf-8" else encoding

    def __call__(self, raw: bytes) -> tuple[str | None, str | None]:
        try:
            return raw.decode(self.encoding), None
        except UnicodeDecodeError as exc:
            return None, f"invalid {self.label} at byte {exc.start}"


def encoding_hint(raw: bytes | None, encoding: str) -> str:
    """What to do about a line that does not decode: the likely encoding when it reads as
    GB18030 (a superset of GBK and GB2312, still common in Chinese data)."""
    if encoding != "gb18030" and raw is not None:
        try:
            raw.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            return ("the bytes read as GB18030/GBK: if the file is in that encoding, rerun with "
                    "--encoding gb18030")
    return ("give the file's encoding with --encoding (for example --encoding gb18030), or convert "
            "it to UTF-8 first (iconv -f GB18030 -t UTF-8)")


def raw_lines(stream: BinaryIO, counter: Counter, bom: bool = False) -> Iterator[bytes]:
    # Split on b"\n" only: str.splitlines would also split on U+2028 and friends, and a
    # message's record count must equal its line count.
    first = True
    for raw in stream:
        counter.bytes += len(raw)
        if first and bom and raw.startswith(codecs.BOM_UTF8):
            raw = raw[3:]   # a UTF-8 byte order mark (spreadsheet exports) is no part of a key
        first = False
        yield raw


def split_end(raw: bytes) -> tuple[bytes, bytes]:
    """A line and its terminator."""
    if raw.endswith(b"\r\n"):
        return raw[:-2], b"\r\n"
    if raw.endswith(b"\n"):
        return raw[:-1], b"\n"
    if raw.endswith(b"\r"):
        return raw[:-1], b"\r"
    return raw, b""


def read_lines(stream: BinaryIO, counter: Counter, decode: Decoder) -> Iterator[Message]:
    """One message per line."""
    for number, raw in enumerate(raw_lines(stream, counter), 1):
        line, end = split_end(raw)
        text, error = decode(line)
        yield Message(number, text, error, end=end, raw=line if text is None else None)


def read_jsonl(stream: BinaryIO, counter: Counter, field: str, name: str,
               decode: Decoder) -> Iterator[Message]:
    """One JSON object per line; the message is its `field` (a string). A first object without
    `field` stops the run (a wrong --field would otherwise make every line an error)."""
    seen_object = False
    for number, raw in enumerate(raw_lines(stream, counter, bom=decode.encoding == "utf-8"), 1):
        line, end = split_end(raw)
        text, error = decode(line)
        if text is None:
            yield Message(number, None, error, end=end, raw=line)
            continue
        try:
            obj = json.loads(text)
        except ValueError as exc:
            yield Message(number, None, f"malformed JSON: {exc}", end=end)
            continue
        if not isinstance(obj, dict):
            yield Message(number, None, f"not a JSON object ({type(obj).__name__})", end=end)
            continue
        if not seen_object and field not in obj:
            raise UsageError(f"{name}:{number}: no key {field!r} in the first JSON object "
                             f"(keys: {', '.join(map(str, obj)) or 'none'}); check --field")
        seen_object = True
        if field not in obj:
            yield Message(number, None, f"no key {field!r}", record=obj, end=end)
        elif not isinstance(obj[field], str):
            yield Message(number, None, f"key {field!r} is not a string ({type(obj[field]).__name__})",
                          record=obj, end=end)
        else:
            yield Message(number, obj[field], record=obj, end=end)


def read_csv(stream: BinaryIO, counter: Counter, field: str, name: str, decode: Decoder,
             on_header: Callable[[list[str], int], None] | None = None) -> Iterator[Message]:
    """CSV with a header row; the message is the `field` column. A quoted field may span lines:
    a record is one row, and says the line it starts on. `on_header` gets the header and the
    column's index before the first row."""
    bad_lines: dict[int, tuple[str, bytes]] = {}

    def decoded() -> Iterator[str]:
        # Undecodable bytes become lone surrogates here, and the row holding them an error.
        for number, raw in enumerate(raw_lines(stream, counter, bom=decode.encoding == "utf-8"), 1):
            text, error = decode(raw)
            if text is None:
                bad_lines[number] = (error or "", raw)
                text = raw.decode(decode.encoding, "surrogateescape")
            yield text

    reader = csv.reader(decoded(), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise UsageError(f"{name}: malformed CSV header: {exc}") from None
    if 1 in bad_lines:
        raise UsageError(f"{name}:1: {bad_lines[1][0]} in the CSV header; "
                         f"{encoding_hint(bad_lines[1][1], decode.encoding)}")
    if field not in header:
        raise UsageError(f"{name}: no column {field!r} in the CSV header "
                         f"(columns: {', '.join(header) or 'none'})")
    column = header.index(field)
    if on_header is not None:
        on_header(header, column)
    done = reader.line_num
    row = 0
    while True:
        start = done + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row += 1
            done = reader.line_num
            yield Message(start, None, f"malformed CSV: {exc}", row)
            continue
        row += 1
        done = reader.line_num
        bad = [n for n in range(start, done + 1) if n in bad_lines]
        if bad:
            error, raw = bad_lines[bad[0]]
            yield Message(bad[0], None, error, row, raw=raw)
        elif not fields:
            yield Message(start, None, "empty line", row)
        elif len(fields) <= column:
            yield Message(start, None, f"row has {len(fields)} field(s), no {field!r} column", row,
                          record=fields)
        else:
            yield Message(start, fields[column], None, row, record=fields)
