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
