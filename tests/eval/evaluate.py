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
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import hansieve
from hansieve.fold import fold_map

HERE = Path(__file__).resolve().parent

FOLD_KINDS = ["plain", "traditional", "fullwidth", "case", "symbols", "spaces", "zero_width",
              "emoji", "circled_math"]
PINYIN_KINDS = ["pinyin_full", "pinyin_spaced", "pinyin_tones", "pinyin_initials", "pinyin_mixed"]
VARIANT_KINDS = ["homophone", "variant_char", "split_char", "latin_lookalike", "leet", "numeric",
                 "repeat", "reversed", "masked"]
EVASION_KINDS = FOLD_KINDS + PINYIN_KINDS + VARIANT_KINDS
INNOCENT_KINDS = ["cross_boundary", "inside_word", "across_punct", "pinyin_collision",
                  "latin_inside_word"]
GROUPS = {"fold kinds": FOLD_KINDS, "pinyin kinds": PINYIN_KINDS, "variant kinds": VARIANT_KINDS,
          "all evasion": EVASION_KINDS}


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(options: dict | None = None, folder: Path = HERE, misses: int = 0) -> dict:
    """Run the evaluation; returns the numbers as a dict (what ``--json`` writes)."""
    options = dict(options or {})
    evasion = read_jsonl(folder / "evasion.jsonl")
    innocent = read_jsonl(folder / "innocent.jsonl")
    t0 = time.perf_counter()
    lexicon = hansieve.load_lexicon()
    sieve = hansieve.compile(lexicon, **options)
    compile_s = time.perf_counter() - t0
    key = fold_map().fold_term
    lexicon_keys = {key(t.text) for t in lexicon.terms}

    ev_n: dict[str, int] = defaultdict(int)
    ev_hit: dict[str, int] = defaultdict(int)
    ev_missed: dict[str, list] = defaultdict(list)
    not_in_lexicon = set()
    t0 = time.perf_counter()
    for rec in evasion:
        kind, term = rec["kind"], rec["term"]
        want = key(term)
        if want not in lexicon_keys:
            not_in_lexicon.add(term)
        caught = any(m.term == term or key(m.term) == want for m in sieve.find(rec["text"]))
        ev_n[kind] += 1
        if caught:
            ev_hit[kind] += 1
        elif len(ev_missed[kind]) < misses:
            ev_missed[kind].append(rec)
    in_n: dict[str, int] = defaultdict(int)
    in_hit: dict[str, int] = defaultdict(int)
    in_flagged: dict[str, list] = defaultdict(list)
    for rec in innocent:
        kind = rec["kind"]
        found = sieve.find(rec["text"])
        in_n[kind] += 1
        if found:
            in_hit[kind] += 1
            if len(in_flagged[kind]) < misses:
                in_flagged[kind].append((rec, sorted({m.term for m in found})))
    scan_s = time.perf_counter() - t0

    def row(n, hit):
        return {"n": n, "hits": hit, "rate": round(hit / n, 4) if n else None}

    kinds = [k for k in EVASION_KINDS if k in ev_n] + sorted(set(ev_n) - set(EVASION_KINDS))
    result = {
        "options": options,
        "lexicon": {"terms": len(lexicon.terms), "version": lexicon.version,
                    "expected_terms_not_in_lexicon": sorted(not_in_lexicon)},
        "evasion": {k: row(ev_n[k], ev_hit[k]) for k in kinds},
        "groups": {},
        "innocent": {},
        "seconds": {"compile": round(compile_s, 3), "scan": round(scan_s, 3)},
    }
    for name, members in GROUPS.items():
        n = sum(ev_n[k] for k in members)
        result["groups"][name] = row(n, sum(ev_hit[k] for k in members))
    ikinds = [k for k in INNOCENT_KINDS if k in in_n] + sorted(set(in_n) - set(INNOCENT_KINDS))
    for k in ikinds:
        result["innocent"][k] = row(in_n[k], in_hit[k])
    result["innocent"]["all innocent"] = row(sum(in_n.values()), sum(in_hit.values()))
    if misses:
        result["missed"] = {k: [{"id": r["id"], "text": r["text"], "term": r["term"]} for r in v]
                            for k, v in ev_missed.items()}
        result["flagged"] = {k: [{"id": r["id"], "text": r["text"], "matched": terms}
                                 for r, terms in v] for k, v in in_flagged.items()}
    return result


def measured_floors(result: dict) -> dict[str, float]:
    """The floor each kind would get from `result`: recall for an evasion kind, the share of
    messages passed (1 - hit rate) for an innocent kind, rounded down to a whole percent."""
    out = {k: r["rate"] for k, r in result["evasion"].items()}
    out.update({k: 1 - r["rate"] for k, r in result["innocent"].items() if k in INNOCENT_KINDS})
    return {k: math.floor(v * 100 + 1e-9) / 100 for k, v in out.items()}


def raise_floors(result: dict, path: Path = HERE / "floors.json") -> list[tuple[str, float, float]]:
    floors = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    changed = []
    for kind, value in measured_floors(result).items():
        if value > floors.get(kind, -1):
            changed.append((kind, floors.get(kind, 0.0), value))
            floors[kind] = value
    path.write_text(json.dumps(floors, indent=2) + "\n", encoding="utf-8")
    return changed


def table(result: dict) -> str:
    lines = []
    w = max(len(k) for k in list(result["evasion"]) + list(GROUPS) + list(result["innocent"]))
    lines.append(f"{'evasion kind':<{w}}  {'n':>5}  {'caught':>6}  {'recall':>7}")
    for k, r in result["evasion"].items():
        lines.append(f"{k:<{w}}  {r['n']:>5}  {r['hits']:>6}  {100 * r['rate']:>6.1f}%")
    lines.append("")
    for k, r in result["groups"].items():
        lines.append(f"{k:<{w}}  {r['n']:>5}  {r['hits']:>6}  {100 * r['rate']:>6.1f}%")
    lines.append("")
    lines.append(f"{'innocent kind':<{w}}  {'n':>5}  {'hit':>6}  {'hit rate':>7}")
    for k, r in result["innocent"].items():
        lines.append(f"{k:<{w}}  {r['n']:>5}  {r['hits']:>6}  {100 * r['rate']:>6.1f}%")
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
    ap.add_argument("--json", metavar="OUT", help="also write the numbers as JSON to OUT (- for stdout)")
    ap.add_argument("--misses", type=int, default=0, metavar="N",
                    help="list up to N missed evasion messages and N innocent hits per kind")
    ap.add_argument("--raise-floors", action="store_true",
                    help="raise the floors in floors.json to the measured values (never lowers one)")
    args = ap.parse_args(argv)
    try:
        options = json.loads(args.sieve_options)
    except json.JSONDecodeError as exc:
        ap.error(f"--sieve-options is not JSON: {exc}")
    if not isinstance(options, dict):
        ap.error("--sieve-options must be a JSON object")
    result = evaluate(options, misses=args.misses)
    print(f"hansieve {hansieve.__version__}; lexicon {result['lexicon']['terms']} terms; options {options or 'default'}")
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
