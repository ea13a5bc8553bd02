"""Gate hansieve's speed and memory *relative to its rivals* measured in the same run.

Usage::

    python benches/check_ratios.py bench.json                 # check, print the table
    python benches/check_ratios.py run1.json run2.json --record   # write the recorded ratios

For every gate in ``benches/ratios.json``: ratio = hansieve's metric / the best (smallest) metric
among the gate's rivals in the same group of the same JSON (metric: the median time of a round,
or ``extra_info['rss_bytes']``).  The time is the median of the *interleaved* timing the suite
records for the close contenders of a gated group (``extra_info['paired_median']``: the engines
timed in alternation, so that load from other jobs hits them alike), else pytest-benchmark's
median.  Lower is better for hansieve; a ratio of 0.5 means hansieve
takes half the time (or memory) of the best rival.

A gate with ``normalize: [A, B]`` divides its ratio by A / B of the same group (the two-thread
gate: by the speed-up a perfectly parallel reference workload got in the same alternation).

A gate fails when its ratio exceeds its limit, ``max(recorded * margin, goal)`` (the goal is left
out when the gate has none): a regression past the recorded ratio beyond the noise margin fails,
and so does nothing while the ratio stays within the goal.  No absolute time is gated.  Gates whose
group is not in the run (full-run groups in the CI run) are listed as "not run"; a ``required``
gate that is not in the run fails, unless its data set is optional and absent (``optional``).

``--record`` sets each gate's ``recorded`` ratio to the median of its ratios over the given JSON
files (and keeps the old value of gates absent from them), then writes ``ratios.json``.

Exit status: 0 when every gate passes, 1 otherwise (2 for a usage error).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RATIOS = HERE / "ratios.json"


@dataclass
class Result:
    gate: dict
    ratio: float | None
    hansieve: float | None
    rival: str | None
    rival_value: float | None
    ratio_min: float | None
    status: str
    limit: float | None


def load_runs(paths: list[str]) -> list[dict]:
    """Each JSON as ``{group: {engine: benchmark}}``."""
    runs = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        groups: dict[str, dict[str, dict]] = {}
        for bench in data.get("benchmarks", []):
            engine = (bench.get("extra_info") or {}).get("engine")
            if engine and bench.get("group"):
                groups.setdefault(bench["group"], {})[engine] = bench
        runs.append(groups)
    return runs


def metric(bench: dict, name: str, stat: str = "median", paired: bool = False) -> float | None:
    """The gated value of one benchmark: its median (or min) time -- the interleaved timing
    (``extra_info['paired_median']``) when `paired` and the benchmark has one -- or an
    ``extra_info`` number such as ``rss_bytes``."""
    info = bench.get("extra_info") or {}
    if name == "time":
        if paired and info.get(f"paired_{stat}") is not None:
            return float(info[f"paired_{stat}"])
        return bench["stats"][stat]
    value = info.get(name)
    return float(value) if value is not None else None


def gate_ratio(gate: dict, groups: dict, stat: str = "median"):
    """``(ratio, hansieve value, best rival, its value)`` or None when the group is absent."""
    group = groups.get(gate["group"])
    if group is None:
        return None
    mine = group.get(gate["engine"])
    if mine is None:
        return ("missing-hansieve", None, None, None)
    # interleaved timings when the run has them for hansieve (rivals left out of the
    # interleaving were > 3x slower than the fastest in a first pass: their plain median stands)
    paired = (mine.get("extra_info") or {}).get("paired_median") is not None
    rivals = [(metric(group[r], gate["metric"], stat, paired), r) for r in gate["rivals"]
              if r in group]
    rivals = [(v, r) for v, r in rivals if v is not None and v > 0]
    if not rivals:
        return ("missing-rivals", None, None, None)
    best_value, best = min(rivals)
    value = metric(mine, gate["metric"], stat, paired)
    if value is None:
        return ("missing-hansieve", None, None, None)
    ratio = value / best_value
    if gate.get("normalize"):
        # divided by the same ratio of a reference workload timed beside them (the machine's
        # parallel speed-up at that moment: see benches/test_bench_batch.py)
        ref_engine, ref_rival = gate["normalize"]
        if ref_engine not in group or ref_rival not in group:
            return ("missing-reference", None, None, None)
        ref = (metric(group[ref_engine], gate["metric"], stat, paired)
               / metric(group[ref_rival], gate["metric"], stat, paired))
        ratio /= ref
    return (ratio, value, best, best_value)


def limit_of(gate: dict, margin: float) -> float | None:
    recorded, goal = gate.get("recorded"), gate.get("goal")
    candidates = [x for x in (recorded * margin if recorded else None, goal) if x is not None]
    return max(candidates) if candidates else None


def check(config: dict, groups: dict) -> list[Result]:
    margin = float(config["margin"])
    results = []
    for gate in config["gates"]:
        got = gate_ratio(gate, groups)
        limit = limit_of(gate, margin)
        if got is None:
            required = gate.get("required", False) and not gate.get("optional", False)
            status = "MISSING" if required else "not run"
            results.append(Result(gate, None, None, None, None, None, status, limit))
            continue
        ratio, value, rival, rival_value = got
        if isinstance(ratio, str):
            # hansieve must always be there; rivals may be uninstalled (skipped cleanly)
            status = "no rival" if ratio == "missing-rivals" else "MISSING"
            results.append(Result(gate, None, None, None, None, None, status, limit))
            continue
        low = gate_ratio(gate, groups, stat="min") if gate["metric"] == "time" else None
        ratio_min = low[0] if low and not isinstance(low[0], str) else None
        if limit is not None and ratio > limit:
            status = "FAIL"
        elif gate.get("goal") is not None and ratio > gate["goal"]:
            status = "ok (goal not met)"
        else:
            status = "ok"
        results.append(Result(gate, ratio, value, rival, rival_value, ratio_min, status, limit))
    return results


def fmt(x: float | None, spec: str = ".3f") -> str:
    return "-" if x is None else format(x, spec)


def fmt_value(x: float | None, metric_name: str) -> str:
    if x is None:
        return "-"
    if metric_name == "time":
        return f"{x * 1e3:.3f} ms"
    return f"{x / 2**20:.1f} MiB"


def table(results: list[Result]) -> str:
    head = ("gate", "group", "hansieve", "best rival", "ratio", "ratio(min)", "goal",
            "recorded", "limit", "status")
    rows = [head]
    for r in results:
        g = r.gate
        rival = f"{r.rival} {fmt_value(r.rival_value, g['metric'])}" if r.rival else "-"
        rows.append((g["name"], g["group"], fmt_value(r.hansieve, g["metric"]), rival,
                     fmt(r.ratio), fmt(r.ratio_min), fmt(g.get("goal")), fmt(g.get("recorded")),
                     fmt(r.limit), r.status))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def record(config: dict, runs: list[dict]) -> dict:
    for gate in config["gates"]:
        ratios = []
        for groups in runs:
            got = gate_ratio(gate, groups)
            if got is not None and not isinstance(got[0], str):
                ratios.append(got[0])
        if ratios:
            gate["recorded"] = round(statistics.median(ratios), 4)
            gate["recorded_runs"] = len(ratios)
            gate["recorded_spread"] = round(max(ratios) / min(ratios), 3) if len(ratios) > 1 \
                else None
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", nargs="+", help="pytest-benchmark --benchmark-json output")
    parser.add_argument("--ratios", default=str(RATIOS), help="gates file (default: %(default)s)")
    parser.add_argument("--record", action="store_true",
                        help="write the median ratio of the given runs as each gate's recorded value")
    args = parser.parse_args(argv)
    with open(args.ratios, encoding="utf-8") as fh:
        config = json.load(fh)
    runs = load_runs(args.json)
    if args.record:
        config = record(config, runs)
        with open(args.ratios, "w", encoding="utf-8") as fh:
            json.dump(config, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        print(f"recorded {args.ratios} from {len(runs)} run(s)")
    rc = 0
    for path, groups in zip(args.json, runs):
        results = check(config, groups)
        print(f"\n{path}: ratio = hansieve / best rival (lower is better); "
              f"limit = max(recorded x {config['margin']}, goal)")
        print(table(results))
        bad = [r for r in results if r.status in ("FAIL", "MISSING")]
        unmet = [r for r in results if r.status == "ok (goal not met)"]
        print(f"{len(results) - len(bad)} gates pass, {len(bad)} fail; "
              f"goal not met (within the regression limit): {len(unmet)}")
        if bad:
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
