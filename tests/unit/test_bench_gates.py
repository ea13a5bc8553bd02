"""The CI's ratio gates (`benches/check_ratios.py`) on made-up benchmark records: a ratio is
hansieve over its best rival, a normalised gate divides it by a reference pair's ratio, and a
gate fails past max(recorded x margin, goal)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

CHECK_RATIOS = Path(__file__).resolve().parents[2] / "benches" / "check_ratios.py"


@pytest.fixture(scope="module")
def gates():
    spec = importlib.util.spec_from_file_location("check_ratios", CHECK_RATIOS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module     # its dataclass looks its module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def bench(engine: str, median: float, paired: float | None = None) -> dict:
    info = {"engine": engine}
    if paired is not None:
        info.update(paired_median=paired, paired_min=paired)
    return {"stats": {"median": median, "min": median}, "extra_info": info}


GROUP = "find_many[test]"


def two_thread_gate(**extra) -> dict:
    gate = {"name": "two threads", "group": GROUP, "engine": "h_t2", "rivals": ["h_t1"],
            "metric": "time", "goal": 1.1111, "recorded": 1.0,
            "normalize": ["ref_t2", "ref_t1"]}
    gate.update(extra)
    return gate


def run(gates, gate: dict, records: dict[str, tuple[float, float]]):
    groups = {GROUP: {e: bench(e, median, paired) for e, (median, paired) in records.items()}}
    return gates.check({"margin": 1.5, "gates": [gate]}, groups)[0]


def two_threads(gates, t2: float, ref_t2: float, sequential_t2: float | None = None):
    """The normalised gate over find_many taking 1.0 s on one thread and `t2` on two, and the
    reference 2.0 s and `ref_t2` (interleaved medians; the sequential ones equal them unless
    `sequential_t2` is given)."""
    return run(gates, two_thread_gate(), {
        "h_t1": (1.0, 1.0), "h_t2": (t2 if sequential_t2 is None else sequential_t2, t2),
        "ref_t1": (2.0, 2.0), "ref_t2": (ref_t2, ref_t2)})


def test_a_quiet_machine(gates):
    # find_many 1.9x faster on two threads, the reference 2x: ratio (0.526 / 0.5) = 1.053
    r = two_threads(gates, 0.526, 1.0)
    assert r.ratio == pytest.approx(1.052)
    assert r.status == "ok"


def test_a_busy_second_core_is_not_a_regression(gates):
    # another job holds the second core: find_many only 1.1x faster, but so is the reference
    r = two_threads(gates, 0.91, 1.76)
    assert r.ratio == pytest.approx(0.91 / 0.88)
    assert r.status == "ok"
    # the same figures without the normalisation fail (limit max(0.487 x 1.5, 0.556) = 0.73)
    raw = two_thread_gate(goal=0.5556, recorded=0.487)
    del raw["normalize"]
    r = run(gates, raw, {"h_t1": (1.0, 1.0), "h_t2": (0.91, 0.91)})
    assert r.status == "FAIL"


def test_a_serialised_find_many_fails(gates):
    # two threads no faster than one while the machine gives the reference its 2x
    r = two_threads(gates, 0.98, 1.0)
    assert r.ratio == pytest.approx(1.96)
    assert r.status == "FAIL"


def test_the_interleaved_medians_are_used(gates):
    # pytest-benchmark's sequential medians say 1.0 / 1.0; the alternation says 0.5 / 1.0
    r = two_threads(gates, 0.5, 1.0, sequential_t2=1.0)
    assert r.ratio == pytest.approx(1.0)


def test_a_missing_reference_fails_the_gate(gates):
    r = run(gates, two_thread_gate(required=True),
            {"h_t1": (1.0, 1.0), "h_t2": (0.5, 0.5), "ref_t1": (2.0, 2.0)})
    assert r.status == "MISSING"


def test_the_goal_is_met_or_reported(gates):
    gate = {"name": "find", "group": GROUP, "engine": "h", "rivals": ["a", "b"], "metric": "time",
            "goal": 0.5, "recorded": 1.2}
    r = run(gates, gate, {"h": (1.0, 1.0), "a": (0.8, 0.8), "b": (2.0, 2.0)})
    assert (r.rival, r.ratio, r.status) == ("a", pytest.approx(1.25), "ok (goal not met)")
    r = run(gates, gate, {"h": (2.0, 2.0), "a": (0.8, 0.8)})
    assert r.status == "FAIL"   # 2.5 > 1.2 x 1.5
    r = run(gates, gate, {"h": (0.3, 0.3), "a": (0.8, 0.8)})
    assert r.status == "ok"
