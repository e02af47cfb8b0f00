"""The core must run without Qt: a headless server, a CLI or a notebook can use it."""

import ast
import subprocess
import sys

from helpers.paths import REPO

CORE = REPO / "moderator" / "core"
FORBIDDEN = ("PySide6", "shiboken6", "moderator.gui")


def test_core_sources_never_import_qt_or_gui():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else []
                if node.level >= 2 and (node.module or "").startswith("gui"):
                    names = ["moderator.gui"]
            offenders += [f"{path.relative_to(CORE)}:{node.lineno}: {n}" for n in names if n.startswith(FORBIDDEN)]
    assert offenders == []


def test_cli_commands_run_without_loading_qt():
    code = (
        "import sys, moderator.cli.main, moderator.core.importing.writer, moderator.core.export.writer, moderator.core.labelling.log;"
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
