"""Why a message was (or was not) flagged: every raw automaton hit with the folds and variant
spelling that produced it, and the stage that kept or dropped it (``hansieve explain``).

The decisions mirror ``Sieve._finish`` in ``_core.pyx`` step by step, with the Sieve's own
verifier and rule evaluator, so the hits :func:`explain` keeps are exactly ``sieve.find(text)``:

1. allowlist entries and rule operands are never reported;
2. a deny hit inside an allowlist hit's span is dropped; so is a masked form (法功 for 法*功)
   inside a hit that read the same mask symbols as noise (法*輪*功 is 法轮功, not 轮子功);
3. a hit that spans a separator, or whose term is verified and that skipped no disguising noise,
   is kept only when jieba's segmentation puts token boundaries at both its ends;
4. combination rules are evaluated over the operand hits that passed the same check.

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
import functools
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional

from . import _core
from .fold import FoldMap, FoldOptions, fold_map
from .verify import WINDOW, BoundaryVerifier, verdict

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
    lo, hi = max(0, start - WINDOW - 4), min(len(text), end + WINDOW + 4)
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
    # The Python-side stages verify.install attached to this Sieve (read like _finish reads them).
    verifier: Optional[Callable[[str, list[tuple[int, int, int]]], list[bool]]] = \
        getattr(sieve, "_verifier", None)
    rules: Optional[Callable[[list[tuple[int, int, int]]], list[tuple[int, int, int]]]] = \
        getattr(sieve, "_rules", None)
    raw = _core._explain_hits(sieve, text)
    hits: list[Hit] = []
    for r in raw:
        h = ctx.hit(r["entry"], r["term_id"], r["start"], r["end"], r["role"])
        h.spans_separator = r["spans_separator"]
        h.spans_noise = r["spans_noise"]
        h.needs_verification = r["needs_verification"]
        h.masked = r.get("masked", False)
        hits.append(h)
    allow = [h for h in hits if h.role == "allow"]
    strong = [h for h in hits if h.role == "deny" and not h.masked]
    operands: list[tuple[int, int, int]] = []
    pending: list[Hit] = []
    for h in hits:
        if h.role == "allow":
            h.stage = "allowlist"
            h.reason = "allowlist entry: drops the deny hits inside its span, never reported itself"
        elif h.role == "operand":
            h.stage = "rule"
            if rules is None:
                h.reason = "rule operand without rules: not reported"
                continue
            if h.needs_verification and verifier is not None:
                h.verified = verifier(text, [(h.entry, h.start, h.end)])[0]
                h.segmentation = _segmentation(verifier, text, h.start, h.end)
                if not h.verified:
                    h.reason = "rule operand dropped: word segmentation cuts across it, so no " \
                               "rule can use it"
                    continue
            operands.append((h.entry, h.start, h.end))
            h.reason = "rule operand: not reported itself, feeds the combination rules"
        else:
            cover = next((g for g in strong if g.start <= h.start and h.end <= g.end), None) \
                if h.masked else None
            inside = next((a for a in allow if a.start <= h.start and h.end <= a.end), None)
            if cover is not None:
                h.stage = "masked"
                h.reason = (f"dropped: a masked reading inside the hit {cover.term!r} "
                            f"[{cover.start}:{cover.end}], which reads the same symbols as noise")
            elif inside is not None:
                h.stage = "allowlist"
                h.reason = (f"dropped: inside the allowlist entry {inside.term!r} "
                            f"[{inside.start}:{inside.end}] {inside.original!r}")
            elif h.needs_verification and verifier is not None:
                pending.append(h)
            else:
                h.kept = True
                h.reason = _why_unchecked(h, verifier is not None)
    if pending and verifier is not None:
        keep = verifier(text, [(h.entry, h.start, h.end) for h in pending])
        for h, ok in zip(pending, keep):
            h.verified = bool(ok)
            h.kept = bool(ok)
            h.stage = "verification"
            h.segmentation = _segmentation(verifier, text, h.start, h.end)
            why = "it spans a separator" if h.spans_separator else "its term is boundary-checked"
            if ok:
                h.reason = f"kept: {why}, and word segmentation puts boundaries at both ends"
            else:
                h.reason = f"dropped: {why}, and word segmentation cuts across one of its ends"
    if operands and rules is not None:
        satisfied = set()
        for rule_id, start, end in rules(operands):
            h = ctx.hit(rule_id, rule_id, start, end, "rule")
            h.kept = True
            h.stage = "rule"
            h.reason = "kept: the combination rule holds over the (verified) operand hits"
            hits.append(h)
            satisfied.add(rule_id)
        _name_rules(ctx, [h for h in hits if h.role == "operand" and h.reason.startswith("rule operand:")],
                    satisfied)
    rejects = _whole_word_rejects(ctx, raw)
    notes = []
    if rejects is None:
        notes.append("whole-word rejects not looked for: too much Latin text")
    else:
        hits.extend(rejects)
    return Explanation(text, hits, sieve.options, notes)


@functools.lru_cache(maxsize=4)
def _rule_table(sieve: Sieve) -> list[list[Any]]:
    # Sieve.header is a deep copy of the whole header: read it once per Sieve.
    rows: list[list[Any]] = sieve.header.get("rules") or []
    return rows


def _name_rules(ctx: _Context, operand_hits: list[Hit], satisfied: set[int]) -> None:
    """Say which rules each operand hit feeds, and whether each holds."""
    table = _rule_table(ctx.sieve)
    for h in operand_hits:
        uses = [f"{ctx.entry(int(row[0]))['text']} ({'holds' if row[0] in satisfied else 'does not hold'})"
                for row in table if h.entry in (row[1], row[3])]
        if uses:
            h.reason = f"rule operand: not reported itself, feeds {', '.join(uses)}"


def _whole_word_rejects(ctx: _Context, raw: list[dict[str, Any]]) -> list[Hit] | None:
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
    seen = {(r["entry"], r["start"], r["end"]) for r in raw}
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
            role = "allow" if e["kind"] == "allow" else "operand" if e["kind"] == "operand" else "deny"
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
