"""The built distributions (run by ``.ci/wheel.sh`` in a fresh venv that has only the wheel
installed; skipped elsewhere): the wheel carries the compiled core, the lexicons, the fold table
and the variant data, and works from where it is installed; the sdist carries what a build
from source needs."""

from __future__ import annotations

import os
import tarfile
import zipfile
from pathlib import Path

import pytest

WHEEL = os.environ.get("HANSIEVE_WHEEL")
SDIST = os.environ.get("HANSIEVE_SDIST")
REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.skipif(not WHEEL, reason="set by .ci/wheel.sh (HANSIEVE_WHEEL)")]

#: data files the package reads at run time, relative to the source tree
DATA = (["src/hansieve/fold_table.tsv"]
        + sorted(str(p.relative_to(REPO)) for p in (REPO / "src/hansieve/variant_data").iterdir())
        + sorted(str(p.relative_to(REPO)) for p in (REPO / "lexicons").iterdir()))


def in_package(source_path: str) -> str:
    """Where a source file lands in the wheel (lexicons/ is shipped as hansieve/lexicons/)."""
    if source_path.startswith("src/"):
        return source_path[len("src/"):]
    return "hansieve/" + source_path


def test_wheel_contents():
    with zipfile.ZipFile(WHEEL) as whl:
        names = set(whl.namelist())
        for path in DATA:
            member = in_package(path)
            assert member in names, f"{member} missing from the wheel"
            assert whl.read(member) == (REPO / path).read_bytes(), f"{member} differs"
        native = [n for n in names if n.startswith("hansieve/") and n.endswith(".so")]
        assert {n.split("/")[1].split(".")[0] for n in native} >= {"_core", "_segment"}, native
        assert "hansieve/serve/app.py" in names and "hansieve/py.typed" in names
        assert not [n for n in names if n.endswith((".cpp", ".c"))]
        meta = next(whl.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert "Provides-Extra: serve" in meta
    assert "manylinux" in Path(WHEEL).name, "auditwheel repair gives a manylinux tag"


def test_sdist_contents():
    with tarfile.open(SDIST) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    for path in DATA + ["src/hansieve/_core.pyx", "src/hansieve/_segment.pyx", "setup.py",
                        "pyproject.toml", "README.md"]:
        assert path in names, f"{path} missing from the sdist"


def test_installed_wheel_works():
    import hansieve
    installed = Path(hansieve.__file__).resolve()
    assert "site-packages" in installed.parts and REPO not in installed.parents
    assert Path(hansieve.default_lexicon_path()).resolve().is_relative_to(installed.parent)
    sieve = hansieve.compile(hansieve.load_lexicon())
    verdict = sieve.check("他在练法輪功")      # the fold table (輪 -> 轮) and the lexicon
    assert verdict.action == "block" and verdict.categories == ("politics",)
    assert sieve.check("今天没办法轮流值班").action == "pass"   # the segmenter's dictionary
    assert hansieve.compile(["法轮功"]).contains("fa lun gong")   # the variant data (pinyin)
