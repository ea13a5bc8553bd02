"""hansieve's verdicts in the shape of OpenAI's moderation endpoint (``POST /v1/moderations``).

OpenAI's taxonomy and hansieve's (TC260-003 risk categories, `hansieve.CATEGORIES`) overlap only
in part. A hansieve category maps onto the OpenAI categories it falls under; politics, rumour,
privacy and "other" have no OpenAI counterpart and show only in the ``hansieve`` field (a
message with such hits is still ``flagged``). Scores are not probabilities: a keyword engine
knows only which terms it found, so a category's score is the strongest severity of its hits
(block 1.0, review 0.5, notice 0.1; a term without a severity counts as block, as in
`hansieve.Verdict`), and a category is true from review up.
"""

from __future__ import annotations

from typing import Any, Sequence

#: OpenAI's moderation categories, as the API spells them
OPENAI_CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit",
    "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions", "sexual",
    "sexual/minors", "violence", "violence/graphic",
)

#: hansieve category -> the OpenAI categories it falls under
CATEGORY_MAP: dict[str, tuple[str, ...]] = {
    "abuse": ("harassment",),
    "discrimination": ("hate",),
    "violence": ("violence",),
    "terror": ("violence", "illicit/violent"),
    "porn": ("sexual",),
    "drugs": ("illicit",),
    "gambling": ("illicit",),
    "fraud": ("illicit",),
    "politics": (),
    "rumor": (),
    "privacy": (),
    "other": (),
}

#: a category's score: the strongest severity among its hits
SEVERITY_SCORE = {"block": 1.0, "review": 0.5, "notice": 0.1}
#: a category is flagged from this score up (review and block)
FLAG_SCORE = 0.5

_APPLIED = {c: ["text"] for c in OPENAI_CATEGORIES}


def _result(flagged: bool, scores: dict[str, float], own: dict[str, Any]) -> dict[str, Any]:
    return {
        "flagged": flagged,
        "categories": {c: scores[c] >= FLAG_SCORE for c in OPENAI_CATEGORIES},
        "category_scores": scores,
        "category_applied_input_types": _APPLIED,
        "hansieve": own,
    }


def moderation_result(verdict: Any, own: dict[str, Any], clean: dict[str, Any]) -> dict[str, Any]:
    """One entry of ``results``; `own` is hansieve's result for the message (``/v1/check``'s),
    `clean` the shared entry for a message without hits."""
    if not verdict.matches:
        return clean
    scores = dict.fromkeys(OPENAI_CATEGORIES, 0.0)
    for m in verdict.matches:
        score = SEVERITY_SCORE[m.severity or "block"]   # no severity counts as block (Verdict)
        for c in CATEGORY_MAP.get(m.category or "other", ()):
            if score > scores[c]:
                scores[c] = score
    return _result(verdict.action != "pass" or any(s >= FLAG_SCORE for s in scores.values()),
                   scores, own)


def clean_result(own: dict[str, Any]) -> dict[str, Any]:
    return _result(False, dict.fromkeys(OPENAI_CATEGORIES, 0.0), own)


def input_texts(value: str | Sequence[Any]) -> list[str]:
    """``input``: a string, a list of strings, or a list of OpenAI's multimodal parts of which
    only ``{"type": "text", "text": ...}`` is screened (an image part is refused by the schema)."""
    if isinstance(value, str):
        return [value]
    return [v if isinstance(v, str) else v.text for v in value]
