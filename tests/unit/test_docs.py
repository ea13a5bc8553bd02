"""The README and the docstrings are run as doctests, so the documented API is the real one."""

import doctest
import importlib
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
MODULES = ["hansieve", "hansieve._core", "hansieve.compile", "hansieve.fold", "hansieve.lexicon",
           "hansieve.replacements"]


@pytest.mark.skipif(not README.is_file(), reason="README.md not in this checkout")
def test_readme_examples():
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
