"""hansieve benchmarks (pytest-benchmark); see README.md.

A package on purpose: pytest then imports ``benches/conftest.py`` as ``benches.conftest`` and
leaves the top-level ``conftest`` module name to ``tests/conftest.py``, which test modules import.
"""
