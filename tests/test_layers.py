"""The house's floors, read from the code's imports: tools → scenes → mathcore and common; every arrow points down
(or stays on its floor), no two modules import each other (no cycle at all), and no module is over 600 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Each floor and the floors its modules may import (besides their own). mathcore and common are both ground floors.
FLOORS = {
    "tools": {"scenes", "mathcore", "common"},
    "scenes": {"mathcore", "common"},
    "mathcore": set(),
    "common": set(),
}
MAX_LINES = 600


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for floor in FLOORS for path in sorted((ROOT / floor).rglob("*.py"))}


def imported(path: Path, known: set[str]) -> set[str]:
    """The project modules ``path`` imports anywhere in it (functions included: a lazy import is an arrow too)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in known:  # `from tools import render` names a module; `from x import f`, x
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found - {module_name(path)}


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imported(path, set(modules)) for name, path in modules.items()}


def test_the_graph_sees_the_imports_it_should():
    graph = import_graph()
    assert "tools.chapter_render" in graph["tools.render"]
    assert "tools.cluster" in graph["tools.render"], "a lazy import inside a function counts"
    assert "common.voice" in graph["scenes.style.chapter"]


def test_every_arrow_points_down_or_stays_on_its_floor():
    wrong = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        for target in targets
        if target.split(".")[0] not in FLOORS[module.split(".")[0]] | {module.split(".")[0]}
    ]
    assert wrong == []


def test_no_module_imports_another_that_imports_it_back():
    graph = import_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert cycles == []


@pytest.mark.parametrize("floor", sorted(FLOORS))
def test_no_module_is_over_600_lines(floor):
    long = {
        name: lines
        for name, path in project_modules().items()
        if name.split(".")[0] == floor and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
