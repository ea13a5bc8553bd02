#!/usr/bin/env python3
"""Generate ``src/hansieve/fold_table.tsv``, the per-code-point fold data.

The table records each normalization layer separately (``t2s``, ``nfkc``,
``lower``) plus the ``noise`` general-category ranges, so that
:mod:`hansieve.fold` can switch every layer off independently and compose
them at runtime without importing OpenCC.

Run from the repository root::

    /work/venv/bin/python tools/gen_fold_table.py

File format (UTF-8, LF, tab-separated, one record per line)::

    # comment                           (header only)
    @key<TAB>value                      header: versions, counts
    [noise]
    <first><TAB><last>                  inclusive range of noise categories
    [nfkc]
    <cp><TAB><cp> <cp> ...              unicodedata NFKC result
    [lower]
    <cp><TAB><cp> <cp> ...              str.lower() result
    [t2s]
    <cp><TAB><cp>                       OpenCC result (header lists the
                                        entries that came from tw2s/hk2s)

Each section is sorted by code point and has exactly two columns, so the
loader can split it without a per-line loop.  Code points are upper-case hex without prefix.  Values are hex rather than
literal characters because some of them are spaces or combining marks,
which editors and whitespace hooks would silently mangle.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

import opencc

#: Bump when the file format or the generation rules change.
GENERATOR_VERSION = 1

#: OpenCC configs tried in order; the first one that changes the character
#: wins.  ``tw2s``/``hk2s`` add the regional variants plain ``t2s`` keeps.
OPENCC_CONFIGS = ("t2s", "tw2s", "hk2s")

#: Inclusive code-point ranges fed to OpenCC one character at a time.  A full
#: scan of 0..10FFFF with OpenCC 1.4.2 found no converted code point outside
#: the ideograph blocks (except U+0000, which the C API drops); the extra CJK
#: symbol/compat blocks are cheap and guard against future dictionary growth.
CJK_RANGES = (
    (0x2E80, 0x2FDF),  # CJK Radicals Supplement, Kangxi Radicals
    (0x2FF0, 0x2FFF),  # Ideographic Description Characters
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31EF),  # Bopomofo Extended, CJK Strokes
    (0x3200, 0x33FF),  # Enclosed CJK Letters and Months, CJK Compatibility
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFE30, 0xFE4F),  # CJK Compatibility Forms
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
    (0x1F200, 0x1F2FF),  # Enclosed Ideographic Supplement
    (0x20000, 0x323AF),  # Extensions B..H (incl. I) and Compat Supplement
)

#: General categories treated as noise: whitespace, punctuation, symbols
#: (incl. emoji), format/zero-width characters, marks, controls.  Cs, Co and
#: Cn are deliberately absent: they are not text an evader inserts.
NOISE_CATEGORIES = frozenset(
    "Zs Zl Zp Pc Pd Ps Pe Pi Pf Po Sm Sc Sk So Cc Cf Mn Mc Me".split()
)

MAX_CP = 0x10FFFF
SURROGATES = range(0xD800, 0xE000)

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src" / "hansieve" / "fold_table.tsv"


def iter_cps(ranges=((0, MAX_CP),)):
    """Yield every non-surrogate code point in the inclusive ``ranges``.

    Parameters
    ----------
    ranges : iterable of (int, int)
        Inclusive ``(first, last)`` code-point ranges.

    Yields
    ------
    int
        Code points, surrogates excluded (they cannot be encoded).
    """
    for first, last in ranges:
        for cp in range(first, last + 1):
            if cp not in SURROGATES:
                yield cp


def t2s_layer() -> dict[int, tuple[int, str]]:
    """Map code point -> (simplified code point, OpenCC config used).

    Returns
    -------
    dict of int to (int, str)
        Only single-code-point results different from the input are kept;
        multi-character or empty results would not be a per-char fold.
    """
    converters = [(name, opencc.OpenCC(name)) for name in OPENCC_CONFIGS]
    out: dict[int, tuple[int, str]] = {}
    for cp in iter_cps(CJK_RANGES):
        ch = chr(cp)
        for name, conv in converters:
            res = conv.convert(ch)
            if res != ch:
                if len(res) == 1:
                    out[cp] = (ord(res), name)
                break
    return out


def str_layer(func) -> dict[int, str]:
    """Map code point -> ``func(chr(cp))`` wherever that differs.

    Parameters
    ----------
    func : callable
        ``str -> str`` applied to every non-surrogate code point.

    Returns
    -------
    dict of int to str
    """
    out = {}
    for cp in iter_cps():
        ch = chr(cp)
        res = func(ch)
        if res != ch:
            out[cp] = res
    return out


def noise_ranges() -> list[tuple[int, int]]:
    """Merged inclusive ranges of code points in :data:`NOISE_CATEGORIES`.

    Returns
    -------
    list of (int, int)
        Sorted, non-overlapping, non-adjacent ranges.
    """
    ranges: list[list[int]] = []
    for cp in iter_cps():
        if unicodedata.category(chr(cp)) in NOISE_CATEGORIES:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return [(a, b) for a, b in ranges]


def _hex(s: str) -> str:
    return " ".join(f"{ord(c):04X}" for c in s)


def build() -> str:
    """Compute all layers and render the table text.

    Returns
    -------
    str
        The complete contents of ``fold_table.tsv``.
    """
    t2s = t2s_layer()
    nfkc = str_layer(lambda ch: unicodedata.normalize("NFKC", ch))
    lower = str_layer(str.lower)
    noise = noise_ranges()

    # One section per layer, each sorted by code point: the loader can then
    # split a whole section into columns at C speed (see hansieve.fold).
    sections = ["[noise]", *(f"{a:04X}\t{b:04X}" for a, b in noise)]
    sections += ["[nfkc]", *(f"{cp:04X}\t{_hex(res)}" for cp, res in sorted(nfkc.items()))]
    sections += ["[lower]", *(f"{cp:04X}\t{_hex(res)}" for cp, res in sorted(lower.items()))]
    sections += ["[t2s]", *(f"{cp:04X}\t{res:04X}" for cp, (res, _) in sorted(t2s.items()))]

    # Which entries only the regional configs produced (e.g. 么 -> 幺 from
    # tw2s): listed in the header so reviewers can judge them; the loader
    # ignores it and rows stay strictly two columns.
    via = {name: sorted(cp for cp, (_, cfg) in t2s.items() if cfg == name)
           for name in OPENCC_CONFIGS}
    header = [
        "# hansieve fold table -- generated by tools/gen_fold_table.py; do not edit.",
        "# Sections [noise] <first>\\t<last> (inclusive); [nfkc] [lower] [t2s] <cp>\\t<hex cps>.",
        f"@generator_version\t{GENERATOR_VERSION}",
        f"@unidata_version\t{unicodedata.unidata_version}",
        f"@opencc_version\t{opencc.__version__}",
        f"@opencc_configs\t{','.join(OPENCC_CONFIGS)}",
        f"@noise_categories\t{','.join(sorted(NOISE_CATEGORIES))}",
        f"@count.t2s\t{len(t2s)}",
        *(f"@count.t2s.{name}\t{len(cps)}" for name, cps in via.items()),
        *(f"@t2s.via.{name}\t{' '.join(f'{cp:04X}' for cp in cps)}"
          for name, cps in via.items() if name != OPENCC_CONFIGS[0]),
        f"@count.nfkc\t{len(nfkc)}",
        f"@count.lower\t{len(lower)}",
        f"@count.noise_ranges\t{len(noise)}",
        f"@count.noise_cps\t{sum(b - a + 1 for a, b in noise)}",
    ]
    return "\n".join(header + sections) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point.

    Parameters
    ----------
    argv : list of str, optional
        Arguments; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Process exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    text = build()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    # newline="\n" keeps the file byte-identical across platforms.
    with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    counts = [line for line in text.splitlines() if line.startswith("@count.")]
    print(f"wrote {args.output} ({len(text.encode('utf-8'))} bytes)")
    print("\n".join(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
