"""What happens after the automaton, for the few messages with hits: combination rules,
boundary verification hooks, and the Verdict a service acts on."""

from __future__ import annotations

import bisect
import functools
import re
import threading
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Callable, Iterable, NamedTuple, Optional, Sequence

from . import _core
from ._core import Verdict as Verdict  # re-exported: hansieve.Verdict
from .lexicon import SEVERITIES

if TYPE_CHECKING:
    from ._segment import OneToOneFold, Segmenter

#: Action for the strongest severity among a message's hits; "pass" when there is none (a
#: "notice" hit is logged but passes). The one policy: the native check() is handed it by rank
#: (ACTION_OF_RANK, through attachments()), and verdict() reads it by name.
ACTIONS: dict[str | None, str] = {None: "pass", "block": "block", "review": "review", "notice": "pass"}
#: ACTIONS by severity rank: index 0 is no hit, then SEVERITIES in order (strongest first).
ACTION_OF_RANK: tuple[str, ...] = tuple(ACTIONS[s] for s in (None, *SEVERITIES))

RawHit = tuple[int, int, int]


def verdict(matches: list[Any]) -> Verdict:
    """Aggregate a message's matches (Match objects, or anything with ``severity`` and
    ``category``). A term without a severity counts as ``block``."""
    severity = None
    categories = set()
    for m in matches:
        s = m.severity or "block"
        if severity is None or SEVERITIES.index(s) < SEVERITIES.index(severity):
            severity = s
        if m.category:
            categories.add(m.category)
    return Verdict(ACTIONS[severity], severity, tuple(sorted(categories)), matches)


def rule_evaluator(rules: Sequence[Sequence[Any]]) -> Callable[[list[RawHit]], list[RawHit]]:
    """A function from the hits of rule operands to the hits of the rules they satisfy.

    Each rule is ``(rule_entry_id, a_operand_id, op, b_operand_id, within)``: ``&`` both
    operands present (within `within` code points from the first start to the last end, when
    given), ``~`` operand a present without operand b. A rule's span covers the operand hits
    that satisfied it.
    """
    rules = [tuple(r) for r in rules]
    # Every rule needs its operand a: only the rules of the operands present are looked at
    # (a message usually holds one or two operands of dozens of rules; find_many runs this
    # in its serial part).
    rules_of_a: dict[int, list[int]] = defaultdict(list)
    for k, rule in enumerate(rules):
        rules_of_a[rule[1]].append(k)

    def evaluate(operand_hits: list[RawHit]) -> list[RawHit]:
        by_id: dict[int, list[RawHit]] = defaultdict(list)
        for hit in operand_hits:
            by_id[hit[0]].append(hit)
        out = []
        # in rule order, as the rules are listed
        candidates = sorted(k for a in by_id if a in rules_of_a for k in rules_of_a[a])
        for k in candidates:
            rule_id, a, op, b, within = rules[k]
            hits_a, hits_b = by_id.get(a), by_id.get(b)
            if op == "~":
                if hits_a and not hits_b:
                    _, start, end = hits_a[0]
                    out.append((rule_id, start, end))
                continue
            if not (hits_a and hits_b):
                continue
            if within is None:
                out.append((rule_id, min(hits_a[0][1], hits_b[0][1]), max(hits_a[0][2], hits_b[0][2])))
                continue
            best = None
            for _, sa, ea in hits_a:
                for _, sb, eb in hits_b:
                    start, end = min(sa, sb), max(ea, eb)
                    if end - start <= within and (best is None or (end - start) < best[1] - best[0]):
                        best = (start, end)
            if best is not None:
                out.append((rule_id, best[0], best[1]))
        return out

    return evaluate


class RuleStream:
    """The combination rules of :func:`rule_evaluator` over a stream of operand hits (in scan
    order), holding only what a later hit could still pair with.

    ``A&B`` is reported as soon as both operands are seen (the first hit of each decides it,
    as in the whole-text evaluation); ``A&B/N`` and ``A~B`` only at :meth:`close`, since a
    later pair may be closer and a later ``B`` cancels ``A~B``.
    """

    def __init__(self, rules: Sequence[Sequence[Any]]) -> None:
        self._rules = [tuple(r) for r in rules]
        self._first: dict[int, RawHit] = {}
        self._seen: dict[int, int] = defaultdict(int)        # operand -> hits so far
        self._recent: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
        self._reach: dict[int, int] = {}                      # operand -> largest `within`
        for _, a, op, b, within in self._rules:
            if op == "&" and within is not None:
                for o in (a, b):
                    self._reach[o] = max(self._reach.get(o, 0), within)
        # rule index -> (span, index of a's hit, index of b's hit, start, end)
        self._best: dict[int, tuple[int, int, int, int, int]] = {}
        self._reported: set[int] = set()

    def add(self, hit: RawHit) -> list[RawHit]:
        """Take one operand hit; return the rule hits it decides."""
        oid, start, end = hit
        index = self._seen[oid]
        self._seen[oid] += 1
        self._first.setdefault(oid, hit)
        if oid in self._reach:
            self._recent[oid].append((index, start, end))
        out = []
        for k, (rule_id, a, op, b, within) in enumerate(self._rules):
            if op != "&" or oid not in (a, b):
                continue
            if within is None:
                if k not in self._reported and a in self._first and b in self._first:
                    ha, hb = self._first[a], self._first[b]
                    out.append((rule_id, min(ha[1], hb[1]), max(ha[2], hb[2])))
                    self._reported.add(k)
                continue
            # Pair the new hit with every hit of the other operand still in reach; the whole-
            # text evaluation keeps the narrowest pair, the first in (a, b) order on ties.
            pairs = []
            if oid == a:
                pairs += [(index, jb, sb, eb) for jb, sb, eb in self._recent[b]]
            if oid == b:
                pairs += [(ja, index, sa, ea) for ja, sa, ea in self._recent[a]]
            for ia, ib, s2, e2 in pairs:
                lo, hi = min(start, s2), max(end, e2)
                key = (hi - lo, ia, ib, lo, hi)
                if hi - lo <= within and (k not in self._best or key < self._best[k]):
                    self._best[k] = key
        return out

    def prune(self, horizon: int) -> None:
        """Forget hits no operand hit starting at `horizon` or later can pair with."""
        for oid, hits in self._recent.items():
            reach = self._reach[oid]
            if hits and hits[0][1] < horizon - reach:
                self._recent[oid] = [h for h in hits if h[1] >= horizon - reach]

    def close(self) -> list[RawHit]:
        """The rule hits only the end of the text decides, in rule order."""
        out = []
        for k, (rule_id, a, op, b, within) in enumerate(self._rules):
            if op == "~":
                if a in self._first and b not in self._first:
                    _, start, end = self._first[a]
                    out.append((rule_id, start, end))
            elif within is not None and k in self._best:
                out.append((rule_id, self._best[k][3], self._best[k][4]))
        return out


class Attachments(NamedTuple):
    """The Python-side stages a Sieve's header asks for, handed to the native core when the
    Sieve is made (compile.py's runtime factory; the core imports nothing of the package)."""

    verifier: Optional[BoundaryVerifier]
    rules: Optional[Callable[[list[RawHit]], list[RawHit]]]
    rule_stream: Optional[Callable[[], RuleStream]]
    glued: Optional[PinyinRunCheck] = None


def attachments(header: dict[str, Any]) -> Attachments:
    """The verifier and rule evaluators for a Sieve with this header (read, never kept)."""
    rules = [tuple(r) for r in header.get("rules") or []]
    verify = header.get("verify") or {}
    verifier = None
    if verify.get("mode", "off") != "off":
        verifier = BoundaryVerifier(verify.get("words", []), header["options"])
    glued = PinyinRunCheck(header["options"])
    if not rules:
        return Attachments(verifier, None, None, glued)
    return Attachments(verifier, rule_evaluator(rules), functools.partial(RuleStream, rules), glued)


# ---- glued pinyin (TERM_GLUED entries that touch Latin letters) -------------------------------

class PinyinRunCheck:
    """Decides a glued pinyin hit (``HIT_GLUED``: a pinyin key of two or more syllables that
    Latin letters touch, which the whole-word rule would reject). It is kept only when the
    Latin run around it reads as pinyin with the key's ends on syllable boundaries:

    - the letters before the key are a concatenation of toneless pinyin syllables, and so are
      the letters after it (``woshi|laogemade``, ``xinxue|lunjian``); English and other Latin
      words mostly do not split (``mother``, ``Dubai``, ``Google``);
    - pinyin's apostrophe rule: a syllable that begins with a, o or e (``an``, ``ou``, ``e``)
      starts the run or follows an apostrophe; glued without one it is read as the end of the
      syllable before (``xianchang`` is xian|chang, so no ``anchang`` in it; ``Nigeria`` would
      need ri|a, ``humanitarian`` ri|an). The key's own syllables are the term's reading and
      are not held to this; its first syllable is, where letters precede it;
    - a run written like a name (capital first letter, the rest lower case: ``Guatemala``,
      ``Nigeria``) is a proper noun in Latin script, not typed pinyin;
    - a digit touching the key rejects it, as the whole-word rule did.

    Only REACH code points each side are read (a stream holds no more): a run longer than that
    is cut, and its outermost letters may then be part of a syllable (a suffix of one on the
    left, a prefix on the right). Letters are the code points that fold one-to-one to an ASCII
    letter (full-width, upper case, the variant layer's homoglyphs)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self._letters: dict[int, str] | None = None
        self._digits: frozenset[int] = frozenset()
        self._syllables: frozenset[str] = frozenset()
        self._inner: frozenset[str] = frozenset()     # syllables that may follow another
        self._prefixes: frozenset[str] = frozenset()
        self._suffixes: frozenset[str] = frozenset()
        self._longest = 0
        self._lock = threading.Lock()

    def _ready(self) -> dict[int, str]:
        with self._lock:
            if self._letters is None:
                from .fold import FoldOptions, fold_map
                from .variants import pinyin_syllables
                o = self._options
                fm = fold_map(FoldOptions(o["fold_chinese"], o["fold_compat"], o["fold_case"],
                                          o["skip_noise"], o.get("fold_variants", False)))
                letters, digits = {}, set()
                for cp in list(range(0x80)) + list(fm.mapping):
                    f = fm.mapping.get(cp, chr(cp))
                    if len(f) == 1 and f.isascii() and f.isalpha():
                        letters[cp] = f.lower()
                    elif len(f) == 1 and f.isascii() and f.isdigit():
                        digits.add(cp)
                sylls = pinyin_syllables()
                self._syllables = sylls
                self._inner = frozenset(s for s in sylls if s[0] not in "aoe")
                self._prefixes = frozenset(s[:k] for s in sylls for k in range(1, len(s)))
                self._suffixes = frozenset(s[k:] for s in sylls for k in range(1, len(s)))
                self._longest = max(map(len, sylls))
                self._digits = frozenset(digits)
                self._letters = letters
        return self._letters

    def splits(self, s: str, run_start: bool = False) -> bool:
        """Whether `s` (lower-case ASCII letters) is a concatenation of syllables ("" is), each
        beginning with a consonant (or i, u, v) except the first when `s` starts the run."""
        self._ready()
        ok = [True] + [False] * len(s)
        for i in range(1, len(s) + 1):
            for k in range(1, min(self._longest, i) + 1):
                if ok[i - k] and s[i - k:i] in (
                        self._syllables if run_start and k == i else self._inner):
                    ok[i] = True
                    break
        return ok[-1]

    def _side(self, text: str, i: int, step: int) -> tuple[str, str, bool] | None:
        """The letters from text[i] outward (step -1: leftward), at most REACH, folded and as
        written, and whether the window cut them; None when a digit touches the hit."""
        letters = self._letters or self._ready()
        out: list[str] = []
        while 0 <= i < len(text) and len(out) < REACH:
            cp = ord(text[i])
            if cp not in letters:
                if not out and cp in self._digits:
                    return None
                break
            out.append(text[i])
            i += step
        written = "".join(out[::step])
        return "".join(letters[ord(c)] for c in written), written, len(out) == REACH

    def ok(self, text: str, start: int, end: int) -> bool:
        left = self._side(text, start - 1, -1)
        right = self._side(text, end, 1)
        if left is None or right is None:
            return False
        (lt, lw, lcut), (rt, rw, rcut) = left, right
        letters = self._letters or self._ready()
        key = "".join(letters[ord(c)] for c in text[start:end] if ord(c) in letters)
        if lt and key[:1] in ("a", "o", "e"):
            return False            # a zero-initial syllable glued to the one before
        run = lw + "".join(c for c in text[start:end] if ord(c) in letters) + rw
        if not lcut and len(run) > 1 and run[0].isupper() and not any(c.isupper() for c in run[1:]):
            return False            # written like a name
        if lcut:     # the run goes on past the window: its first letters may end a syllable
            left_ok = any((k == 0 or lt[:k] in self._suffixes) and self.splits(lt[k:])
                          for k in range(self._longest))
        else:
            left_ok = self.splits(lt, run_start=True)
        if not left_ok:
            return False
        if rcut:
            return any((k == 0 or rt[len(rt) - k:] in self._prefixes) and self.splits(rt[:len(rt) - k])
                       for k in range(self._longest))
        return self.splits(rt)

    def __call__(self, text: str, hits: list[RawHit]) -> list[bool]:
        """For each (entry, start, end) hit of `text`, whether the pinyin-run rule keeps it."""
        return [self.ok(text, start, end) for _, start, end in hits]


# ---- word-boundary verification (jieba's segmentation, native) ------------------------------

#: Separators: sentence punctuation, line breaks and whitespace. Skipped inside a match like other
#: noise (六。四, 六 四), but a hit spanning one is only kept where segmentation agrees (真没办法，
#: 轮胎 has no 法轮; 周六 四点 has no 六四). Other noise (symbols, emoji, zero-width characters)
#: inside a hit is the mark of a disguise, and such a hit is reported without the check.
SEPARATORS = frozenset(
    " \t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"                     # whitespace (not the zero-width characters)
    ",.!?;:"                                # ASCII
    "\u3001\u3002\uff0c\uff01\uff1f\uff1b\uff1a\uff0e\uff61\uff64"   # 、。，！？；：．｡､
    "\u2026\u2025"                          # … ‥
    "~\uff5e\u301c\u2014\u2013"               # ~ ～ 〜 — – (tone marks and dashes end clauses)
    "\"'\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f"    # quotes “ ” ‘ ’ 「 」 『 』
    "()[]{}\uff08\uff09\u300a\u300b\u3008\u3009\u3010\u3011"   # brackets （ ） 《 》 〈 〉 【 】
    "\ufe10\ufe11\ufe12\ufe13\ufe14\ufe15\ufe16"   # vertical forms
    "\ufe50\ufe51\ufe52\ufe54\ufe55\ufe56\ufe57"   # small forms
    "\n\r\x0b\x0c\x85\u2028\u2029"           # line and paragraph breaks
)

#: Verification window: characters of context on each side of a hit (defined by the core, whose
#: streams hold back that much text); the segmenter reads REACH characters each side.
WINDOW: int = _core.VERIFY_WINDOW_CHARS
REACH: int = _core.VERIFY_REACH_CHARS
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@functools.lru_cache(maxsize=1)
def _dictionary() -> tuple[str, list[int], list[int]]:
    """jieba's dictionary words (frequency >= 5) joined by newlines, with each word's start
    offset and frequency: one string a Sieve can scan in one call (compile's verify="auto")."""
    from .segment import jieba_words
    d = jieba_words()       # the one parse of dict.txt, shared with variants and the segmenter
    kept = [(w, f) for w, f in zip(d.words, d.freqs) if f >= 5]
    starts, pos = [], 0
    for w, _ in kept:
        starts.append(pos)
        pos += len(w) + 1
    return "\n".join(w for w, _ in kept), starts, [f for _, f in kept]


def suggested_freqs(words: Sequence[str]) -> list[list[Any]]:
    """jieba's ``suggest_freq(word)`` (native): just enough frequency for the word to stay whole
    when it stands alone, so lexicon terms join the dictionary without carving themselves out of
    longer everyday words. Words jieba already knows keep their frequency (not listed)."""
    from .segment import segmenter_for
    unique = list(dict.fromkeys(words))
    if not unique:
        return []
    seg = segmenter_for(unique)
    return [[w, seg.suggest_freq(w)] for w in unique if not seg.freq(w)]


@functools.lru_cache(maxsize=8)
def _segmenter_for(words: tuple[tuple[str, int], ...]) -> Segmenter:
    """Segmenters are shared by Sieves that add the same words (every version a Reloader
    compiles from an unchanged lexicon, a Sieve and its loaded copy)."""
    from .segment import build_segmenter, default_segmenter
    return build_segmenter(extra_words=list(words)) if words else default_segmenter()


class BoundaryVerifier:
    """Keeps a hit only when jieba's segmentation (native, HMM off) of the text around it puts
    token boundaries at both its ends. The segmenter, jieba's dictionary plus the lexicon's
    terms, is built on first use, once per Sieve."""

    def __init__(self, words: Iterable[Sequence[Any]], options: dict[str, Any]) -> None:
        self._words: list[tuple[str, int]] = [(w, int(f)) for w, f in words]
        self._options = options
        self._segmenter: Segmenter | None = None
        self._table: dict[int, str] | None = None
        self._fold: OneToOneFold | None = None
        self._lock = threading.Lock()

    def _ready(self) -> Segmenter:
        with self._lock:
            if self._segmenter is None:
                from ._segment import OneToOneFold
                from .fold import FoldOptions, fold_map
                o = self._options
                fm = fold_map(FoldOptions(o["fold_chinese"], o["fold_compat"], o["fold_case"],
                                          o["skip_noise"], o.get("fold_variants", False)))
                # Only one-to-one folds, so positions in the folded window are the original ones.
                # (The dict too: explain shows the window the check read.)
                self._table = {cp: s for cp, s in fm.mapping.items() if len(s) == 1}
                self._fold = OneToOneFold(self._table)
                self._segmenter = _segmenter_for(tuple(self._words))
        return self._segmenter

    def warm_up(self) -> None:
        """Build the segmenter now rather than on the first hit (a Reloader does this before it
        swaps, so no scan waits for it)."""
        self._ready()

    def __call__(self, text: str, hits: list[RawHit]) -> list[bool]:
        """For each hit, whether the segmentation of its window (REACH characters each side,
        folded one-to-one) has token boundaries at both its ends: one native call for all of a
        message's hits, which folds only the windows' text and segments the han block that
        overlapping hits share once."""
        seg = self._segmenter or self._ready()
        return seg.is_boundary_aligned_many(text, hits, WINDOW, REACH, self._fold)
