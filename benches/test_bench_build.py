"""Build time, compiled size and resident memory of each engine.

Group ``build[<lexicon>]``: 10k in the default run; houbb, 100k, all (~337k jieba words) and the
synthetic 1M lexicon in the full run.  Every engine gets the same raw term list; the timed call
is the whole public build:

* ``hansieve_folds_off`` / ``hansieve_folds_on``: ``hansieve.compile(terms, ...)`` -- term folding
  (Python), symbol numbering and the native automaton build;
* ``pyahocorasick``: ``Automaton()``, ``add_word(term, i)`` per term, ``make_automaton()``;
* ``ahocorasick_rs``: ``AhoCorasick(terms, matchkind=MatchKind.Standard)``;
* ``daachorse``: ``CharwiseDoubleArrayAhoCorasick(terms, match_kind=STANDARD)``;
  ``daachorse_bytes``: ``DoubleArrayAhoCorasick`` over the UTF-8 terms (encoding timed);
* ``cyac``: ``AC.build(terms)``;
* ``hyperscan``: ``Database().compile(expressions=<UTF-8 terms>, literal=True)`` (encoding timed).

``extra_info`` (all outside the timing):

* ``memory_bytes``: the library's own size report (hansieve ``memory_usage()``, pyahocorasick
  ``get_stats()['total_size']``, cyac ``buff_size()``, hyperscan ``db.size()``; none for the
  others);
* ``serialized_bytes``: the compiled form a service stores (hansieve ``to_bytes()``, pickle for
  pyahocorasick, ``serialize()`` for daachorse, ``to_buff`` for cyac, ``hyperscan.dumpb``; none
  for ahocorasick_rs, which cannot serialize);
* ``rss_bytes`` / ``rss_marginal_bytes`` / ``peak_bytes``: resident memory the first build of a
  process leaves (library tables included) / one more build leaves / the build needs at its
  peak, measured in a fresh subprocess (``rss_probe.py``), since tracemalloc cannot see native
  memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .bench_common import (BUILDERS, HANSIEVE, RIVALS, interleaved_builds, memory_bytes,
                           pick_rounds, record_paired, serialize, size_of, timed, timing_enabled)

ENGINES = HANSIEVE + RIVALS
PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rss_probe.py")


@pytest.fixture(scope="session")
def terms_files(tmp_path_factory):
    """lexicon name -> a temporary file of its terms (for the RSS subprocess; deleted with the
    pytest temporary directory, never written into the repository)."""
    made: dict[str, str] = {}

    def get(lexicon) -> str:
        if lexicon.name not in made:
            path = tmp_path_factory.mktemp("terms") / f"{lexicon.name}.txt"
            path.write_text("\n".join(lexicon.terms), encoding="utf-8")
            made[lexicon.name] = str(path)
        return made[lexicon.name]

    return get


#: the builds timed in alternation for the gate "build no slower than cyac"
PAIRED = ("hansieve_folds_off", "hansieve_folds_on", "cyac")


@pytest.fixture(scope="session")
def build_paired(build_lexicon_name, lexicons, pytestconfig):
    if not timing_enabled(pytestconfig):
        return None
    return interleaved_builds(PAIRED, lexicons.get(build_lexicon_name).terms, budget=6.0, hi=30)


def probe_rss(engine: str, terms_file: str) -> dict:
    proc = subprocess.run([sys.executable, PROBE, engine, terms_file], capture_output=True,
                          text=True, timeout=1800)
    if proc.returncode != 0:
        raise AssertionError(f"rss_probe {engine} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("engine", ENGINES)
def test_build(benchmark, engine, build_lexicon_name, lexicons, terms_files, build_paired):
    build = BUILDERS[engine]
    lexicon = lexicons.get(build_lexicon_name)
    terms = lexicon.terms
    benchmark.group = f"build[{build_lexicon_name}]"
    benchmark.extra_info.update(lexicon=build_lexicon_name, n_terms=len(terms), engine=engine)
    # one untimed build: imports and caches warm, a missing rival skips, and it picks the number
    # of rounds (one for a build over 10 s: the slowest builds of the large lexicons)
    built, seconds = timed(build, terms)
    rounds = 1 if seconds > 10 else pick_rounds(seconds, target=3.0, lo=3, hi=30)
    if not benchmark.enabled:
        rounds = 1
    del built
    built = benchmark.pedantic(build, args=(terms,), rounds=rounds, warmup_rounds=0)
    n = size_of(engine, built)
    if n is not None:
        assert n == len(terms)
    blob = serialize(engine, built)
    benchmark.extra_info["memory_bytes"] = memory_bytes(engine, built)
    benchmark.extra_info["serialized_bytes"] = None if blob is None else len(blob)
    del built, blob
    if benchmark.enabled:
        record_paired(benchmark, build_paired, engine)
        probe = probe_rss(engine, terms_files(lexicon))
        assert probe["n_terms"] == len(terms)
        benchmark.extra_info["rss_bytes"] = probe["rss_bytes"]
        benchmark.extra_info["rss_marginal_bytes"] = probe["rss_marginal_bytes"]
        benchmark.extra_info["peak_bytes"] = probe["peak_bytes"]
