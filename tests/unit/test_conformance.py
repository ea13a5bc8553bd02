"""Match semantics against the test vectors of the reference Rust Aho-Corasick crate
(BurntSushi/aho-corasick `src/tests.rs`, in ../shared/data/conformance/), with every fold off so
the hits are those of a plain automaton."""

import json

import pytest

import hansieve
from datapaths import SHARED_DATA

VECTORS = SHARED_DATA / "conformance" / "aho-corasick-vectors.json"
KINDS = {"standard_overlapping": "overlapping", "leftmost_longest": "leftmost_longest"}


def cases():
    if not VECTORS.is_file():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"{VECTORS} not found"))]
    data = json.loads(VECTORS.read_text(encoding="utf-8"))
    params = []
    for upstream_kind, kind in KINDS.items():
        for group in data["kinds"][upstream_kind]:
            for case in data["groups"][group]:
                marks = []
                if case.get("empty_pattern"):
                    marks.append(pytest.mark.skip(reason="hansieve refuses empty terms [E003]"))
                params.append(pytest.param(kind, case, id=f"{kind}-{case['name']}", marks=marks))
    return params


@pytest.mark.parametrize(("kind", "case"), cases())
def test_conformance(kind, case):
    sieve = hansieve.compile(case["patterns"], match_kind=kind, fold_chinese=False,
                             fold_compat=False, fold_case=False, skip_noise=False, fold_variants=False,
                             whole_word=False, verify="off", collapse_repeats=False,
                             variants=False)
    got = [[m.term_id, m.start, m.end] for m in sieve.find(case["haystack"])]
    expected = case["expected"]
    if kind == "leftmost_longest":
        # Where hansieve departs from the crate on purpose (issue 16): a pattern listed more
        # than once is a term each time (with its own category and severity), and each is
        # reported for the span, in id order; the crate reports the first only.
        patterns = case["patterns"]
        expected = [[j, start, end] for i, start, end in expected
                    for j, p in enumerate(patterns) if p == patterns[i]]
    if kind == "overlapping":
        got, expected = sorted(got), sorted(expected)
    assert got == expected
    assert sieve.count(case["haystack"]) == len(expected)
