"""The house plan, checked: which stage may import which, no private names across modules, the lab stays out."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "rag"
TOP = {"rag", "rag.config", "rag.errors", "rag.types", "rag.text"}  # the shared nouns and settings, usable by every stage
# What each room may import besides TOP and its own folder. The data walks down: ingest and answering use
# models and stores; the pipeline calls the stages; the web page uses the pipeline; only the lab uses everything.
ALLOWED = {
    "models": set(),
    "stores": set(),
    "ingest": {"models", "stores"},
    "answering": {"models", "stores"},
    "pipeline": {"models", "stores", "ingest", "answering"},
    "web": {"pipeline", "ingest", "stores", "answering"},
    "cli": {"pipeline", "lab"},
    "lab": {"models", "stores", "ingest", "answering", "pipeline", "web", "lab"},
}


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path) -> list[tuple[ast.AST, str, list[str]]]:
    """(node, module, names) of every import of the package in a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "rag":
            found.append((node, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((node, a.name, []) for a in node.names if a.name.split(".")[0] == "rag")
    return found


def _module_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_each_stage_imports_only_the_stages_before_it():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_of(path)
        room = _room(module)
        if module in TOP or room in ("__main__",):
            continue
        for _, target, names in _imports(path):
            targets = [f"{target}.{n}" for n in names] if target == "rag" else [target]
            for t in targets:
                if t not in TOP and _room(t) != room and _room(t) not in ALLOWED[room]:
                    wrong.append(f"{module} imports {t}")
    assert wrong == []


def test_no_private_name_crosses_a_module_boundary():
    crossing = [
        f"{_module_of(path)} imports {name} from {target}"
        for path in [*sorted(PACKAGE.rglob("*.py")), ROOT / "app.py"]
        for _, target, names in _imports(path)
        for name in names
        if name.startswith("_")
    ]
    assert crossing == []


def test_the_cli_imports_the_lab_only_inside_commands():
    tree = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    top_level = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not [n for n in top_level if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("rag.lab")]


def test_the_product_loads_no_lab_module():
    code = "import sys, app, rag.cli, rag.pipeline; print(sorted(m for m in sys.modules if m.startswith('rag.lab')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_the_public_api_is_importable_from_rag_without_loading_the_pipeline():
    code = (
        "import sys, rag; before = 'rag.pipeline' in sys.modules; "
        "from rag import Pipeline, Settings, Answer, Citation, IndexSummary, RagError, QuestionError; "
        "print(before, Pipeline.__module__, Settings.__module__, Answer.__module__, RagError.__module__)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.split() == ["False", "rag.pipeline", "rag.config", "rag.types", "rag.errors"]
