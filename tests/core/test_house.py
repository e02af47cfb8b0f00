"""The house stays readable: layers checked by import-linter, no import cycles, no harness in the product."""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

from helpers.paths import REPO

ROOT = REPO
PACKAGE = ROOT / "moderator"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    return {_module(p): p for p in PACKAGE.rglob("*.py") if "versions" not in p.parts}


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """Modules of the package this one imports, at any depth (imports inside functions count too)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            candidates = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        found |= {c for c in candidates if c in known and c != module}
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back_through_others():
    sources = _sources()
    # A package's __init__ re-exporting its modules is its face, not a cycle: only modules count.
    graph = {
        m: {i for i in _imports(m, p, set(sources)) if not sources[i].name == "__init__.py" or i == m} for m, p in sources.items()
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_core_root_holds_only_the_facade_and_a_few_shared_modules():
    assert len(list((PACKAGE / "core").glob("*.py"))) <= 10


def test_no_shipped_module_outside_devtools_drives_qt_tests_or_names_a_gui_module():
    offenders = []
    for module, path in _sources().items():
        if module.startswith("moderator.devtools"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body and isinstance(n.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            if any(n.startswith("PySide6.QtTest") for n in names):
                offenders.append(f"{module}:{node.lineno}: imports QtTest")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if re.search(r"\bmoderator\.(gui|devtools)\b", node.value) and not module.startswith(
                    ("moderator.cli", "moderator.gui")
                ):
                    offenders.append(f"{module}:{node.lineno}: names {node.value!r}")
    assert offenders == []


def test_import_linter_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
