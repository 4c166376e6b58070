"""The layout's promises, checked on the source: no import cycle (module-level
and function-level imports both count; only `if TYPE_CHECKING:` imports are
exempt), no format package importing another, and no format's name spelled
outside `linter/formats/`. Run it alone: `python -m pytest tests/test_architecture.py`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from linter.formats import REGISTRY

PACKAGE = Path(__file__).resolve().parent.parent / "linter"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except under `if TYPE_CHECKING:`."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports (a `from package import module` names the module)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        found.update(t for t in targets if t in known and t != name)
    return found


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imported_modules(name, path, known) for name, path in mods.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_format_package_imports_another() -> None:
    graph = import_graph()
    crossings = []
    for name, targets in graph.items():
        parts = name.split(".")
        if parts[:2] != ["linter", "formats"] or len(parts) < 4 or parts[2] == "common":
            continue
        for target in targets:
            tparts = target.split(".")
            if tparts[:2] == ["linter", "formats"] and len(tparts) >= 3 and tparts[2] not in ("common", parts[2]):
                crossings.append((name, target))
    assert crossings == []


def test_the_core_imports_no_format() -> None:
    """The core sees formats only through the registry it is handed; of the
    formats package it may use only the format-blind shared layer (the secret
    classifier redacts every message)."""
    graph = import_graph()
    leaks = [(name, target) for name, targets in graph.items() if name.startswith(("linter.core", "linter.formats.common"))
             for target in targets if target.startswith("linter.formats") and not target.startswith("linter.formats.common")]
    assert leaks == []


def _string_literals(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_no_format_name_outside_the_formats_package() -> None:
    """A format's name as a whole string literal (docstrings and messages may
    mention formats in prose) appears only in its own package."""
    names = set(REGISTRY.names())
    spelled = [
        (module_name(path), line, value)
        for path in sorted(PACKAGE.rglob("*.py"))
        if "formats" not in path.relative_to(PACKAGE).parts
        for line, value in _string_literals(path)
        if value in names
    ]
    assert spelled == []
