"""Shared test helpers: `tests/` is on sys.path, so test modules import `oracle` directly."""

from pathlib import Path

import pytest

#: public data beside the checkout (absent on a user's machine: tests that need it skip)
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public test data not found at {SHARED_DATA}")
    return SHARED_DATA
