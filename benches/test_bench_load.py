"""Load time: from a saved compiled form to an engine that has answered its first query.

Group ``load[<lexicon>]`` (10k in the default run; houbb, 100k, all and 1M in the full run).
One round = load + one ``find`` on a short message (so an engine that defers work to its first
scan pays for it):

* ``hansieve_folds_on``: ``hansieve.load(path)`` of a file written by ``s.save(path)`` (mmap);
* ``hansieve_from_bytes``: ``hansieve.Sieve.from_bytes(blob)`` of ``s.to_bytes()``;
* ``pyahocorasick``: ``pickle.loads`` (its documented persistence);
* ``daachorse`` / ``daachorse_bytes``: ``deserialize(blob)`` of ``serialize()``;
* ``cyac``: ``AC.from_buff(mmap, copy=False)`` of a file written by ``ac.save(path)`` (mmap);
* ``hyperscan``: ``hyperscan.loadb(blob, HS_MODE_BLOCK)`` of ``hyperscan.dumpb(db)``, plus the
  ``Scratch`` a loaded database needs before its first scan.

ahocorasick_rs cannot be serialized (no pickle support): not in this group.  The engines loaded
by the last round find the same hits on the 2,000 reviews as the ones they were saved from
(asserted outside the timing).
"""

from __future__ import annotations

import mmap
import pickle

import pytest

from .bench_common import BUILDERS, find_loop, import_rival, pick_rounds, timed

ENGINES = ("hansieve_folds_on", "hansieve_from_bytes", "pyahocorasick", "daachorse",
           "daachorse_bytes", "cyac", "hyperscan")
PROBE = "我们在这里测试一下加载以后的第一次查询"


def make_loader(engine: str, built, tmp_path):
    """A zero-argument loader returning the loaded engine."""
    if engine == "hansieve_folds_on":
        import hansieve

        path = str(tmp_path / "sieve.hsv")
        built.save(path)
        return lambda: hansieve.load(path)
    if engine == "hansieve_from_bytes":
        import hansieve

        blob = built.to_bytes()
        return lambda: hansieve.Sieve.from_bytes(blob)
    if engine == "pyahocorasick":
        blob = pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL)
        return lambda: pickle.loads(blob)
    if engine in ("daachorse", "daachorse_bytes"):
        blob = built.serialize()
        return lambda cls=type(built): cls.deserialize(blob)
    if engine == "cyac":
        cyac = import_rival("cyac")
        path = str(tmp_path / "ac.cyac")
        built.save(path)
        keep = []  # the latest map stays alive as long as the automaton that reads it

        def load():
            with open(path, "r+b") as fh:
                buf = mmap.mmap(fh.fileno(), 0)
            keep[:] = [buf]
            return cyac.AC.from_buff(buf, copy=False)
        return load
    if engine == "hyperscan":
        hyperscan = import_rival("hyperscan")
        blob = hyperscan.dumpb(built)

        def load():
            db = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
            db.scratch = hyperscan.Scratch(db)  # a loaded database has no scratch space yet
            return db
        return load
    raise AssertionError(engine)  # pragma: no cover


def builder_of(engine: str) -> str:
    return "hansieve_folds_on" if engine == "hansieve_from_bytes" else engine


#: the engines to compile (the two hansieve loaders share one Sieve)
BUILT = tuple(dict.fromkeys(builder_of(e) for e in ENGINES))


@pytest.mark.parametrize("engine", ENGINES)
def test_load(benchmark, engine, build_lexicon_name, engine_cache, messages, tmp_path):
    engines = engine_cache.get(build_lexicon_name, BUILT)
    built = engines.get(builder_of(engine))
    loader = make_loader(engine, built, tmp_path)
    name = builder_of(engine)
    find = find_loop(name, built)

    def load_and_probe():
        loaded = loader()
        find_loop(name, loaded)([PROBE])
        return loaded

    _, seconds = timed(load_and_probe)
    benchmark.group = f"load[{build_lexicon_name}]"
    benchmark.extra_info.update(lexicon=build_lexicon_name, n_terms=len(engines.lexicon),
                                engine=engine)
    loaded = benchmark.pedantic(load_and_probe,
                                rounds=pick_rounds(seconds, target=1.0, lo=3, hi=100),
                                warmup_rounds=0)
    want = find(messages)
    got = find_loop(name, loaded)(messages)
    assert got == want, (engine, got, want)
    benchmark.extra_info["matches"] = want


# ---- load in a fresh process ------------------------------------------------------------------
# Group ``load_fresh[<lexicon>]``: what a service pays at start-up, caches cold for the library
# (its file in the page cache, as after a deploy that just wrote it). Each round is a new Python
# process that imports the library (untimed), then times the load and one first query and prints
# the seconds; the two engines' processes alternate, and the gate compares the medians of those
# in-process timings (``paired_median``), not the interpreter start-up. hansieve maps its file
# (checksum, every validation, the stored edge filter); cyac maps its own (no validation).

FRESH_ENGINES = ("hansieve_folds_on", "cyac")
FRESH_ROUNDS = 15
FRESH_CHILD = {
    "hansieve_folds_on": (
        "import sys, time\n"
        "import hansieve\n"
        "t0 = time.perf_counter()\n"
        "s = hansieve.load(sys.argv[1])\n"
        "s.find(sys.argv[2])\n"
        "print(time.perf_counter() - t0)\n"),
    "cyac": (
        "import mmap, sys, time\n"
        "import cyac\n"
        "t0 = time.perf_counter()\n"
        "with open(sys.argv[1], 'r+b') as fh:\n"
        "    buf = mmap.mmap(fh.fileno(), 0)\n"
        "ac = cyac.AC.from_buff(buf, copy=False)\n"
        "list(ac.match(sys.argv[2]))\n"
        "print(time.perf_counter() - t0)\n"),
}


def fresh_load_seconds(engine: str, path: str) -> float:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", FRESH_CHILD[engine], path, PROBE],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise AssertionError(f"fresh load of {engine} failed:\n{proc.stderr[-2000:]}")
    return float(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def fresh_files(build_lexicon_name, engine_cache, tmp_path_factory):
    """engine -> the saved file of the lexicon's engine (in a pytest temporary folder)."""
    engines = engine_cache.get(build_lexicon_name, BUILT)
    folder = tmp_path_factory.mktemp(f"fresh_{build_lexicon_name}")
    files = {}
    for engine in FRESH_ENGINES:
        built = engines.built.get(engine)
        if built is None:       # a rival that is not installed
            continue
        path = str(folder / f"{engine}.bin")
        built.save(path)
        files[engine] = path
    return files


@pytest.fixture(scope="session")
def fresh_paired(fresh_files, pytestconfig):
    """The in-process load times of alternating fresh processes: {engine: median, min, rounds}."""
    import statistics

    from .bench_common import timing_enabled

    if not timing_enabled(pytestconfig):
        return None
    times: dict[str, list[float]] = {e: [] for e in fresh_files}
    for r in range(FRESH_ROUNDS):
        names = list(fresh_files)
        k = r % len(names)
        for engine in names[k:] + names[:k]:
            times[engine].append(fresh_load_seconds(engine, fresh_files[engine]))
    return {e: {"median": statistics.median(v), "min": min(v), "rounds": len(v)}
            for e, v in times.items()}


@pytest.mark.parametrize("engine", FRESH_ENGINES)
def test_load_fresh(benchmark, engine, build_lexicon_name, fresh_files, fresh_paired):
    from .bench_common import record_paired

    if engine not in fresh_files:
        pytest.skip(f"{engine} is not installed")
    path = fresh_files[engine]
    benchmark.group = f"load_fresh[{build_lexicon_name}]"
    benchmark.extra_info.update(lexicon=build_lexicon_name, engine=engine)
    # pytest-benchmark's own rounds time the whole process (interpreter start-up included);
    # the gate reads paired_median, the load itself.
    seconds = benchmark.pedantic(fresh_load_seconds, args=(engine, path), rounds=1,
                                 warmup_rounds=0)
    assert seconds > 0
    if benchmark.enabled:
        record_paired(benchmark, fresh_paired, engine)
