"""The evaluation set as a test (docs/evaluation.md): no kind may get worse than its floor in
floors.json.

``floors.json`` maps each kind to a floor, the value measured when the floor was last set, rounded
down to a whole percent:

- an evasion kind: recall (share of its messages in which the expected term is found);
- an innocent kind: the share of its messages with no match at all (1 - innocent hit rate).

The floors only go up: raise them when the engine improves, never lower one to make a change pass.
"""

import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _load_evaluate():
    spec = importlib.util.spec_from_file_location("hansieve_eval_evaluate", HERE / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


evaluate = _load_evaluate()
FLOORS = json.loads((HERE / "floors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result():
    return evaluate.evaluate()


def measured(result, kind):
    if kind in evaluate.EVASION_KINDS:
        return result["evasion"][kind]["rate"]
    return 1 - result["innocent"][kind]["rate"]


def test_set_shape():
    evasion = evaluate.read_jsonl(HERE / "evasion.jsonl")
    innocent = evaluate.read_jsonl(HERE / "innocent.jsonl")
    assert len(evasion) >= 1500 and len(innocent) >= 1000
    ids = [r["id"] for r in evasion + innocent]
    assert len(ids) == len(set(ids))
    for r in evasion:
        assert r["kind"] in evaluate.EVASION_KINDS and r["term"] and r["text"]
    for r in innocent:
        assert r["kind"] in evaluate.INNOCENT_KINDS and r["text"] and "term" not in r
    for kind in evaluate.EVASION_KINDS:
        assert sum(r["kind"] == kind for r in evasion) >= 60, kind


def test_every_kind_has_a_floor():
    assert set(FLOORS) == set(evaluate.EVASION_KINDS) | set(evaluate.INNOCENT_KINDS)
    assert all(0 <= v <= 1 for v in FLOORS.values())


def test_expected_terms_are_in_the_lexicon(result):
    missing = result["lexicon"]["expected_terms_not_in_lexicon"]
    assert not missing, (f"{len(missing)} expected terms left the lexicon ({', '.join(missing[:5])}"
                         "...): regenerate the set with python tests/eval/generate.py")


@pytest.mark.parametrize("kind", evaluate.EVASION_KINDS + evaluate.INNOCENT_KINDS)
def test_floor(result, kind):
    what = "recall" if kind in evaluate.EVASION_KINDS else "share of innocent messages passed"
    value = measured(result, kind)
    assert value >= FLOORS[kind], (f"{kind}: {what} {value:.1%} is below its floor {FLOORS[kind]:.0%}; "
                                   "see python tests/eval/evaluate.py --misses 20")
