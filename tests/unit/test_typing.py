"""The stubs (_core.pyi, py.typed) describe the public API: mypy checks a usage example, and the
package itself passes mypy --strict."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "typing" / "api_usage.py"
PACKAGE = Path(__file__).resolve().parents[2] / "src" / "hansieve"


def test_api_usage_type_checks():
    pytest.importorskip("mypy")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--strict",
                           "--follow-imports=silent", str(EXAMPLE)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.issue(8)
def test_package_type_checks(tmp_path):
    """mypy --strict over the package sources (with the native modules' .pyi stubs)."""
    pytest.importorskip("mypy")
    if not PACKAGE.is_dir():
        pytest.skip("no source checkout (src/hansieve) beside the tests")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--cache-dir",
                           str(tmp_path / "mypy-cache"), str(PACKAGE)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
