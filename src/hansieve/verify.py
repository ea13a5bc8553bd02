"""What happens after the automaton, for the few messages with hits: combination rules,
boundary verification hooks, and the Verdict a service acts on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Sequence

from .lexicon import SEVERITIES

#: Action for the strongest severity among a message's hits; "pass" when there is none (a
#: "notice" hit is logged but passes).
ACTIONS = {"block": "block", "review": "review", "notice": "pass", None: "pass"}

RawHit = tuple[int, int, int]


@dataclass(frozen=True)
class Verdict:
    """What to do with one message.

    Attributes
    ----------
    action : str
        ``"block"``, ``"review"`` or ``"pass"``.
    severity : str or None
        The strongest severity among the hits (``block`` > ``review`` > ``notice``).
    categories : tuple of str
        The categories of the hits, sorted.
    matches : list of Match
    """

    action: str
    severity: str | None
    categories: tuple[str, ...]
    matches: list

    @property
    def flagged(self) -> bool:
        return bool(self.matches)


def verdict(matches: list) -> Verdict:
    """Aggregate a message's matches. A term without a severity counts as ``block``."""
    severity = None
    categories = set()
    for m in matches:
        s = m.severity or "block"
        if severity is None or SEVERITIES.index(s) < SEVERITIES.index(severity):
            severity = s
        if m.category:
            categories.add(m.category)
    return Verdict(ACTIONS[severity], severity, tuple(sorted(categories)), matches)


def rule_evaluator(rules: Sequence[Sequence]) -> Callable[[list[RawHit]], list[RawHit]]:
    """A function from the hits of rule operands to the hits of the rules they satisfy.

    Each rule is ``(rule_entry_id, a_operand_id, op, b_operand_id, within)``: ``&`` both
    operands present (within `within` code points from the first start to the last end, when
    given), ``~`` operand a present without operand b. A rule's span covers the operand hits
    that satisfied it.
    """
    rules = [tuple(r) for r in rules]

    def evaluate(operand_hits: list[RawHit]) -> list[RawHit]:
        by_id: dict[int, list[RawHit]] = defaultdict(list)
        for hit in operand_hits:
            by_id[hit[0]].append(hit)
        out = []
        for rule_id, a, op, b, within in rules:
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


def install(sieve, header: dict) -> None:
    """Attach the Python-side stages a Sieve's header asks for (after compile or load); `header`
    is the Sieve's own header (read, never kept or changed)."""
    rules = header.get("rules") or []
    sieve._rules = rule_evaluator(rules) if rules else None
