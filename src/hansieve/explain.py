"""Why a message was (or was not) flagged: every raw automaton hit with the folds and variant
spelling that produced it, and the stage that kept or dropped it (``hansieve explain``).

The decisions are not re-implemented here: the native core runs the same routine as
``sieve.find`` (``decide`` in ``_decide.pxi``) with a trace, and this module puts its outcomes
into words, so :func:`explain` can never disagree with ``find``:

1. allowlist entries and rule operands are never reported;
2. a deny hit inside an allowlist hit's span is dropped; so is a masked form (法功 for 法*功)
   inside a hit that read the same mask symbols as noise (法*輪*功 is 法轮功, not 轮子功);
3. a hit that spans a separator, or whose term is verified and that skipped no disguising noise,
   is kept only when jieba's segmentation puts token boundaries at both its ends;
4. combination rules are evaluated over the operand hits that passed the same check;
5. a hit of the disguise channel (a span that reads as a term by sound, shape, emoji or with
   fillers) is kept only where the disguise judge (:mod:`hansieve.disguise`) finds no ordinary
   reading: the record says which channel read it and which test kept or dropped it.

The whole-word rule (``sex`` is not in ``Sussex``) acts inside the scan loop, so its rejects never
become raw hits; :func:`explain` finds them by scanning the text cut at letter/digit boundaries.

>>> import hansieve
>>> from hansieve.explain import explain
>>> sieve = hansieve.compile(["大麻"], allow=["大麻烦"], variants=False)
>>> [(h.term, h.role, h.kept, h.stage) for h in explain(sieve, "真是大麻烦").hits]
[('大麻', 'deny', False, 'allowlist'), ('大麻烦', 'allow', False, 'allowlist')]
"""

from __future__ import annotations

import bisect
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from . import _core
from .disguise import JUDGE_REASONS
from .fold import FoldMap, FoldOptions, fold_map
from .verify import REACH, BoundaryVerifier, verdict

if TYPE_CHECKING:
    from ._core import Sieve

__all__ = ["Fold", "Hit", "Explanation", "explain", "render_text"]

#: Most substrings scanned to look for hits the whole-word rule rejected (long Latin texts).
WHOLE_WORD_SCAN_LIMIT = 20_000


@dataclass(frozen=True)
class Fold:
    """One character of a hit's span that is not matched as written: ``folded`` is what it
    folds to (``""``: noise, skipped)."""

    char: str
    folded: str
    position: int


@dataclass
class Hit:
    """One raw hit and its fate.

    ``stage`` names the step that decided: ``"allowlist"``, ``"masked"``, ``"verification"``, ``"rule"`` (a
    combination rule, or an operand that only feeds rules), ``"whole-word"`` or ``"none"`` (a
    deny hit nothing had to check). ``reason`` says why in words.
    """

    term: str
    term_id: int
    entry: int
    via: str
    mechanism: str
    category: Optional[str]
    severity: Optional[str]
    role: str                       # deny, allow, operand, rule
    start: int
    end: int
    original: str
    key: str                        # the lexicon entry, folded: what the automaton matched
    folds: list[Fold] = field(default_factory=list)
    spans_separator: bool = False
    spans_noise: bool = False
    needs_verification: bool = False
    masked: bool = False            # a masked-form entry: reported only across a mask symbol
    verified: Optional[bool] = None
    segmentation: Optional[list[str]] = None
    disguise: Optional[dict[str, Any]] = None   # a disguise-channel hit: what the judge found
    kept: bool = False
    stage: str = "none"
    reason: str = ""

    def record(self) -> dict[str, Any]:
        out = asdict(self)
        out["folds"] = [[f.char, f.folded, f.position] for f in self.folds]
        return out


@dataclass
class Explanation:
    """:func:`explain`'s answer: every hit (raw hits in scan order, then rule hits, then hits
    the whole-word rule rejected), and the action the kept ones lead to."""

    text: str
    hits: list[Hit]
    options: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def kept(self) -> list[Hit]:
        """The reported hits, in the order of ``sieve.find(text)``."""
        return [h for h in self.hits if h.kept]

    @property
    def action(self) -> str:
        return verdict(self.kept).action

    def records(self) -> list[dict[str, Any]]:
        """One JSON-ready dict per hit, then one for the message: ``{"action", "kept"}``."""
        out = [{"hit": i, **h.record()} for i, h in enumerate(self.hits, 1)]
        summary: dict[str, Any] = {"text": self.text, "action": self.action,
                                   "kept": len(self.kept), "hits": len(self.hits)}
        if self.notes:
            summary["notes"] = self.notes
        out.append(summary)
        return out


def _fold_map(sieve: Sieve) -> FoldMap:
    o = sieve.options
    return fold_map(FoldOptions(bool(o["fold_chinese"]), bool(o["fold_compat"]), bool(o["fold_case"]),
                                bool(o["skip_noise"]), bool(o.get("fold_variants", False))))


def _is_word(s: str) -> bool:
    return bool(s) and s.isascii() and s.isalnum()


def _role(entry: dict[str, Any]) -> str:
    """The role of a raw hit of this entry: a variant spells its deny term."""
    return entry["kind"] if entry["kind"] in ("allow", "operand") else "deny"


class _Context:
    """What explaining one text needs from the Sieve, looked up once per entry."""

    def __init__(self, sieve: Sieve, text: str) -> None:
        self.sieve = sieve
        self.text = text
        self.fm = _fold_map(sieve)
        self.entries: dict[int, dict[str, Any]] = {}

    def entry(self, i: int) -> dict[str, Any]:
        e = self.entries.get(i)
        if e is None:
            e = self.entries[i] = self.sieve.entry(i)
        return e

    def hit(self, entry: int, term_id: int, start: int, end: int, role: str) -> Hit:
        via = self.entry(entry)
        base = self.entry(term_id)
        original = self.text[start:end]
        folds = []
        for k, ch in enumerate(original):
            folded = self.fm.fold_char(ord(ch))
            if folded != ch:
                folds.append(Fold(ch, folded, start + k))
        key = via["text"] if role == "rule" else self.fm.fold_term(via["text"])
        return Hit(term=base["text"], term_id=term_id, entry=entry, via=via["text"],
                   mechanism=via["mechanism"], category=base["category"],
                   severity=base["severity"], role=role, start=start, end=end,
                   original=original, key=key, folds=folds)

    def disguise(self, entry: int, start: int, end: int) -> Hit:
        """A disguise-channel hit: the term it reads as, through which channel, the judge's
        findings (``disguise_tests``)."""
        e = self.entry(entry)
        h = self.hit(entry, int(e["base"]), start, end, "deny")
        judge = self.sieve._disguise
        code, details = judge.judge(self.text, h.term, start, end)
        h.via = h.original
        h.mechanism = details.get("channel", "exact")
        h.key = details.get("read", h.key)
        h.severity = e["severity"]
        h.disguise = dict(details, test=JUDGE_REASONS[code])
        return h

    def word_char(self, pos: int) -> bool:
        return 0 <= pos < len(self.text) and _is_word(self.fm.fold_char(ord(self.text[pos])))

    def whole_word_ends(self, entry: int) -> tuple[bool, bool]:
        """The whole-word flags compile() gives this entry (``TERM_WW_START``, ``TERM_WW_END``)."""
        e = self.entry(entry)
        on = bool(self.sieve.options.get("whole_word", True))
        if e["kind"] != "variant":
            on = on or "whole-word" in e["flags"]
        key = self.fm.fold_term(e["text"])
        if not (on and key):
            return False, False
        return _is_word(key[0]), _is_word(key[-1])


def _segmentation(verifier: object, text: str, start: int, end: int) -> list[str] | None:
    """The tokens the boundary check saw around ``text[start:end]`` (the verifier's window)."""
    if not isinstance(verifier, BoundaryVerifier):
        return None
    verifier.warm_up()
    seg: Any = verifier._segmenter
    table: Any = verifier._table
    lo, hi = max(0, start - REACH), min(len(text), end + REACH)
    tokens: list[str] = seg.cut(text[lo:hi].translate(table))
    return tokens


def _why_unchecked(h: Hit, verification_on: bool) -> str:
    if not verification_on:
        return "kept: verification is off for this Sieve"
    if h.spans_noise:
        return "kept without the boundary check: symbols, emoji or invisible characters inside " \
               "the hit mark a disguise"
    return "kept: this term needs no boundary check (not a CJK term under verify='all', or not " \
           "flagged under verify='auto'/'flagged')"


def explain(sieve: Sieve, text: str) -> Explanation:
    """Every raw hit of `sieve` in `text` with its folds, variant mechanism and fate.

    The kept hits (:attr:`Explanation.kept`) are exactly ``sieve.find(text)``, in that order.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    ctx = _Context(sieve, text)
    _, trace = _core._trace(sieve, text)
    hits: list[Hit] = []
    trace_kept: list[bool] = []     # which trace records became hits
    for entry, start, end, spans_separator, spans_noise, masked, outcome, judged in trace:
        if outcome == "rule":
            h = ctx.hit(entry, entry, start, end, "rule")
        elif ctx.entry(entry)["kind"] == "disguise":
            h = ctx.disguise(entry, start, end)
            if h.disguise and h.disguise["test"] == "exact":
                # The channel read the term as written: the term automaton's own hit says it.
                trace_kept.append(False)
                continue
        else:
            e = ctx.entry(entry)
            role = _role(e)
            h = ctx.hit(entry, int(e["base"]), start, end, role)
        h.spans_separator, h.spans_noise, h.masked = spans_separator, spans_noise, masked
        trace_kept.append(True)
        h.kept = outcome in _REPORTED
        h.needs_verification = outcome in _CHECKED
        if h.needs_verification:
            h.verified = outcome in ("verified", "operand-verified")
            h.segmentation = _segmentation(sieve._verifier, text, start, end)
        hits.append(h)
    rules: list[list[Any]] = sieve.header.get("rules") or []
    satisfied = {h.entry for h in hits if h.role == "rule"}
    for h, record in zip(hits, [r for r, keep in zip(trace, trace_kept) if keep]):
        h.stage, h.reason = _say(ctx, h, record[6], hits, rules, satisfied)
    rejects = _whole_word_rejects(ctx, {(h.entry, h.start, h.end) for h in hits})
    notes = []
    if rejects is None:
        notes.append("whole-word rejects not looked for: too much Latin text")
    else:
        hits.extend(rejects)
    return Explanation(text, hits, sieve.options, notes)


#: Outcomes of the core's decision routine (``_core.OUTCOMES``) that report the hit, and those
#: the boundary check decided.
_REPORTED = frozenset({"kept", "verified", "rule", "disguise"})
_CHECKED = frozenset({"verified", "verification", "operand-verified", "operand-dropped"})


def _say(ctx: _Context, h: Hit, outcome: str, hits: list[Hit], rules: list[list[Any]],
         satisfied: set[int]) -> tuple[str, str]:
    """(stage, reason) for the traced outcome of one hit, in words."""
    why = "it spans a separator" if h.spans_separator else "its term is boundary-checked"
    if outcome == "allow-entry":
        return "allowlist", "allowlist entry: drops the deny hits inside its span, never reported itself"
    if outcome in ("operand", "operand-verified"):
        uses = [f"{ctx.entry(int(row[0]))['text']} ({'holds' if row[0] in satisfied else 'does not hold'})"
                for row in rules if h.entry in (row[1], row[3])]
        if not rules:
            return "rule", "rule operand without rules: not reported"
        return "rule", f"rule operand: not reported itself, feeds {', '.join(uses)}"
    if outcome == "operand-dropped":
        return "rule", "rule operand dropped: word segmentation cuts across it, so no rule can use it"
    if outcome == "rule":
        return "rule", "kept: the combination rule holds over the (verified) operand hits"
    if outcome == "masked":
        cover = next(g for g in hits if g.role == "deny" and not g.masked
                     and g.start <= h.start and h.end <= g.end)
        return "masked", (f"dropped: a masked reading inside the hit {cover.term!r} "
                          f"[{cover.start}:{cover.end}], which reads the same symbols as noise")
    if outcome == "allowlist":
        inside = next(a for a in hits if a.role == "allow" and a.start <= h.start and h.end <= a.end)
        return "allowlist", (f"dropped: inside the allowlist entry {inside.term!r} "
                             f"[{inside.start}:{inside.end}] {inside.original!r}")
    if outcome in ("disguise", "disguise-dropped", "channel-exact"):
        return "disguise", _say_disguise(h, outcome)
    if outcome == "glued":
        return "whole-word", ("dropped: Latin letters touch this pinyin key, and the run around it "
                              "does not read as pinyin syllables with the key's ends on syllable "
                              "boundaries (or is written like a name, or a digit touches it)")
    if outcome == "verified":
        return "verification", f"kept: {why}, and word segmentation puts boundaries at both ends"
    if outcome == "verification":
        return "verification", f"dropped: {why}, and word segmentation cuts across one of its ends"
    return "none", _why_unchecked(h, ctx.sieve._verifier is not None)


def _say_disguise(h: Hit, outcome: str) -> str:
    d = h.disguise or {}
    read = f"{h.original!r} reads as {h.term!r}"
    if outcome == "channel-exact":
        return (f"not a disguise: {h.original!r} is written as a lexicon term itself, which the "
                "term automaton reports (or its checks dropped)")
    if outcome == "disguise":
        return (f"kept as a disguise ({d.get('channel')}): {read}; the span is no dictionary word, "
                f"token edges at both ends, and it is less likely as ordinary text than the term "
                f"(log10 ratio {d.get('log10_ratio')})" if d.get("channel") != "emoji" else
                f"kept as a disguise (emoji): {read}; token edges at both ends")
    test = d.get("test")
    if h.spans_separator:
        return f"dropped: {read}, but a separator lies inside (a disguise is written in one piece)"
    return "dropped: " + read + ", but " + {
        "word": f"{d.get('word')!r} is a dictionary word: ordinary text",
        "edges": "word segmentation of the text cuts across one of its ends",
        "likelier": f"it is likelier as ordinary text than the term (log10 ratio "
                    f"{d.get('log10_ratio')})",
        "short": "both characters of a two-character term are replaced (only set phrases do "
                 "that, and a lexicon lists them)",
    }.get(test or "", f"the judge said {test}")


def _whole_word_rejects(ctx: _Context, seen: set[tuple[int, int, int]]) -> list[Hit] | None:
    """Hits the whole-word rule rejected in the scan loop. Such a hit starts right after, or ends
    right before, a letter or digit; scanning the text cut at those points finds it, and its
    entry's whole-word flags and neighbours confirm it (a cut can also create hits that are not
    there: those fail the confirmation)."""
    text, n = ctx.text, len(ctx.text)
    starts = [p for p in range(1, n) if ctx.word_char(p - 1) and ctx.word_char(p)]
    if not starts:
        return []
    ends = starts    # a cut between two word characters is both a start and an end
    span = max(ctx.sieve.max_term_len, 1) * (int(ctx.sieve.options.get("max_gap", 3)) + 2)
    windows: set[tuple[int, int]] = set()
    for s in starts:
        windows.add((s, min(n, s + span)))
        i = bisect.bisect_right(ends, s)
        windows.update((s, q) for q in ends[i:bisect.bisect_right(ends, s + span)])
        if len(windows) > WHOLE_WORD_SCAN_LIMIT:
            return None     # a long run of Latin text: not analysed (kept hits are unaffected)
    for q in ends:
        windows.add((max(0, q - span), q))
    found: dict[tuple[int, int, int], Hit] = {}
    for a, b in sorted(windows):
        for entry, rs, re_ in _core._raw_hits(ctx.sieve, text[a:b]):
            start, end = a + rs, a + re_
            if (entry, start, end) in seen or (entry, start, end) in found:
                continue
            ww_start, ww_end = ctx.whole_word_ends(entry)
            before = ww_start and ctx.word_char(start - 1)
            after = ww_end and ctx.word_char(end)
            if not (before or after):
                continue
            e = ctx.entry(entry)
            role = _role(e)
            h = ctx.hit(entry, int(e["base"]), start, end, role)
            h.stage = "whole-word"
            sides = [f"{text[start - 1]!r} before it"] if before else []
            sides += [f"{text[end]!r} after it"] if after else []
            h.reason = (f"dropped in the scan by the whole-word rule: {' and '.join(sides)} "
                        f"would make {h.key!r} part of a longer word")
            found[(entry, start, end)] = h
    return sorted(found.values(), key=lambda h: (h.start, h.end, h.entry))


def _span(h: Hit) -> str:
    return f"[{h.start}:{h.end}] {json.dumps(h.original, ensure_ascii=False)}"


def render_text(result: Explanation) -> str:
    """The readable form of an explanation (``hansieve explain``)."""
    lines = [f"{json.dumps(result.text, ensure_ascii=False)}: {len(result.hits)} raw hit(s), "
             f"{len(result.kept)} kept, action {result.action}"]
    for i, h in enumerate(result.hits, 1):
        tag = "KEPT" if h.kept else "dropped" if h.role == "deny" or h.stage == "whole-word" \
            else "not reported"
        meta = f"{h.category or '-'}/{h.severity or '-'}"
        lines.append(f"  {i}. {h.term} ({h.role}, {meta}) at {_span(h)}: {tag}")
        if h.role != "rule":
            how = "the term itself" if h.mechanism == "exact" else f"{h.mechanism} spelling {h.via!r}"
            lines.append(f"     matched: {how}, folded key {h.key!r}")
            if h.folds:
                shown = ", ".join(f"{f.char!r} -> {f.folded!r}" if f.folded else f"{f.char!r} skipped (noise)"
                                  for f in h.folds)
                lines.append(f"     folds: {shown}")
        flags = [name for name, on in (("spans a separator", h.spans_separator),
                                       ("spans noise", h.spans_noise)) if on]
        if flags:
            lines.append(f"     hit: {', '.join(flags)}")
        if h.segmentation is not None:
            lines.append(f"     segmentation: {' | '.join(h.segmentation)}")
        lines.append(f"     {h.reason}")
    lines += [f"  note: {note}" for note in result.notes]
    return "\n".join(lines) + "\n"
