"""Shared fixtures. `tests/` is on sys.path, so test modules import `oracle` and `datapaths`."""

import os
from pathlib import Path

import pytest

from datapaths import SHARED_DATA


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The command line caches compiled lexicons in $XDG_CACHE_HOME/hansieve: the tests (and the
    `hansieve` subprocesses they start, which inherit the environment) get a folder of their own,
    never the user's ~/.cache/hansieve, whose entries they would otherwise add to and evict."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public test data not found at {SHARED_DATA}")
    return SHARED_DATA
