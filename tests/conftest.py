"""Shared fixtures. `tests/` is on sys.path, so test modules import `oracle` and `datapaths`."""

from pathlib import Path

import pytest

from datapaths import SHARED_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public test data not found at {SHARED_DATA}")
    return SHARED_DATA
