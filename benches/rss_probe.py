"""Resident memory of one engine built in a fresh process (run by test_bench_build.py).

tracemalloc does not see native allocations (C, C++, Rust), so the memory an automaton costs is
measured as the growth of the process: ``VmRSS`` (and ``VmHWM``, the peak) from
``/proc/self/status`` before and after the build, in a new interpreter that has already imported
the engine's package and read the terms (so neither is counted).  What is counted is everything
the build leaves alive: the automaton, plus whatever the library keeps (pyahocorasick's Python
values, hansieve's fold tables and term metadata).

Usage: ``python benches/rss_probe.py ENGINE TERMS_FILE`` (terms one per line, UTF-8); prints one
JSON object:

* ``rss_bytes``: resident growth from before the first build of the process to after this build
  (garbage collected): what one engine costs a process, library-wide tables included (hansieve's
  fold and code tables are loaded on the first compile);
* ``rss_marginal_bytes``: growth from after a 2-term warm-up build of the same engine: what one
  more lexicon of this size costs once the library's fixed tables are loaded;
* ``peak_bytes``: peak resident growth during the build (``VmHWM``, reset before the build);
* ``ru_maxrss_bytes`` (the kernel's peak for the whole process, for reference) and ``n_terms``.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys


def status_bytes(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def reset_peak() -> None:
    """Linux >= 4.0: writing 5 to clear_refs resets VmHWM to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def main(argv: list[str]) -> int:
    engine, terms_file = argv[1], argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.dirname(here))
    from benches import bench_common as bc

    # import the engine's packages and warm their import-time state before the baseline
    module = {"pyahocorasick": "ahocorasick", "daachorse_bytes": "daachorse"}.get(engine, engine)
    if engine.startswith("hansieve"):
        import hansieve  # noqa: F401
    else:
        __import__(module)
    with open(terms_file, encoding="utf-8") as fh:
        terms = fh.read().split("\n")
    build = bc.BUILDERS[engine]
    gc.collect()
    before = status_bytes("VmRSS")
    warm = build(["警告", "测试"])  # noqa: F841 (kept alive: the library's fixed tables stay loaded)
    gc.collect()
    warmed = status_bytes("VmRSS")
    reset_peak()
    built = build(terms)
    gc.collect()
    after = status_bytes("VmRSS")
    peak = status_bytes("VmHWM")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"engine": engine, "n_terms": len(terms), "rss_bytes": after - before,
                      "rss_marginal_bytes": after - warmed,
                      "peak_bytes": max(peak - warmed, after - warmed),
                      "ru_maxrss_bytes": maxrss, "baseline_rss_bytes": before}))
    del built, warm
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
