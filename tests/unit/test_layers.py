"""The package's floors (docs/DESIGN.md, "Layers"): every module imports only modules of its own
floor or below, the imports form no circle, and the native core imports nothing of the package.
Imports are read from the source, lazy (in-function) and type-checking ones included, and from
the Cython parts (.pyx, .pxi, .pxd) and the stubs (.pyi) too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "hansieve"

#: Floor of each module, from the ground up. The package itself (``hansieve``, its __init__) is
#: the roof: it re-exports the public API, so it may import every floor and nothing imports it.
FLOORS: dict[str, int] = {
    # 0. the native core (its .pxi parts and .h headers are one module), the errors, the version
    "_core": 0, "errors": 0, "_version": 0, "_unicode": 0, "_trie": 0,
    # 1. fold tables, the disguise channel's classes, segmentation
    "fold": 1, "channels": 1, "segment": 1, "_segment": 1,
    # 2. variant spellings and lexicon files
    "variants": 2, "lexicon": 2, "importers": 2,
    # 3. compile, verify and the disguise judge (a Sieve is made here and handed its verifier,
    #    rules and judge)
    "verify": 3, "disguise": 3, "compile": 3,
    # 4. what runs on a Sieve: the command line, explain, reload, Spark, the service
    "cli": 4, "cli_input": 4, "explain": 4, "reload": 4, "spark": 4, "serve": 4, "__main__": 4,
    "replacements": 4,
    "hansieve": 5,
}

_PY_IMPORT = re.compile(
    r"^\s*(?:from\s+(?P<src>[.\w]+)\s+c?import\s+(?P<names>\(?[\w\s,.*()]+)|c?import\s+(?P<mods>[\w.,\s]+))",
    re.M)


def _module_of(path: Path) -> str:
    name = path.stem
    if path.suffix in (".pxi", ".pxd", ".pyi") and name != "_segment":
        # the core's parts (_scan.pxi, _core.pxd, ...) belong to _core; other stubs to their module
        return name if name in FLOORS else "_core"
    return "hansieve" if name == "__init__" else name


def _target(module: str, imported: str | None) -> str | None:
    """The package module an import names (None: not the package)."""
    if module.startswith("hansieve."):
        module = "." + module[len("hansieve."):]
    elif module == "hansieve":
        module = "."
    if not module.startswith("."):
        return None
    rest = module.lstrip(".")
    if rest:
        return rest.split(".")[0]
    if imported is None:
        return "hansieve"
    return imported if imported in FLOORS else "hansieve"


def _imports_py(path: Path) -> set[str]:
    out: set[str] = set()
    subpackage = path.parent.name if path.parent != PACKAGE else None
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            level = node.level
            if subpackage and level == 1:
                out.add(subpackage)     # its own subpackage (dropped as a self-import)
                continue
            if subpackage and level > 1:
                level -= 1              # `..x` in a subpackage is `.x` of the package
            module = "." * level + (node.module or "")
            for alias in node.names:
                target = _target(module, alias.name if not node.module else None)
                if target:
                    out.add(target)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                target = _target(alias.name, None)
                if target:
                    out.add(target)
    return out


def _imports_cython(path: Path) -> set[str]:
    out: set[str] = set()
    text = path.read_text(encoding="utf-8")
    # C code in docstrings (extern blocks) has no Python imports; #include lines do not match.
    for m in _PY_IMPORT.finditer(text):
        if m["src"]:
            names = [n.strip(" ()") for n in m["names"].split(",")]
            for name in names:
                target = _target(m["src"], name.split(" as ")[0].strip() if m["src"].strip(".") == "" else None)
                if target:
                    out.add(target)
        else:
            for name in m["mods"].split(","):
                target = _target(name.strip().split(" as ")[0], None)
                if target:
                    out.add(target)
    return out


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    sources = sorted(PACKAGE.iterdir()) + sorted(PACKAGE.glob("*/*.py"))
    for path in sources:
        if path.suffix not in (".py", ".pyx", ".pxi", ".pxd", ".pyi"):
            continue
        # a subpackage (serve/) is one module of its floor
        module = _module_of(path) if path.parent == PACKAGE else path.parent.name
        found = _imports_py(path) if path.suffix in (".py", ".pyi") else _imports_cython(path)
        graph.setdefault(module, set()).update(found - {module})
    return graph


def test_every_module_has_a_floor():
    assert set(_graph()) - set(FLOORS) == set()


def test_no_import_runs_back_up():
    upward = sorted((m, t, FLOORS[m], FLOORS[t]) for m, targets in _graph().items()
                    for t in targets if FLOORS[t] > FLOORS[m])
    assert upward == []


def test_the_native_core_imports_nothing_of_the_package():
    assert _graph()["_core"] == set()


def test_no_import_circle():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                pytest.fail(f"import circle: {' -> '.join(path + [node, nxt])}")
            if state.get(nxt) is None:
                visit(nxt, path + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_the_reader_sees_imports():
    """The reader itself: it finds the imports it must (a reader that found none would pass)."""
    graph = _graph()
    assert {"_core", "fold", "lexicon"} <= graph["compile"]
    assert "_core" in graph["errors"]
    assert "compile" in graph["hansieve"]
    assert {"reload", "lexicon", "_core"} <= graph["serve"]          # read inside the subpackage
