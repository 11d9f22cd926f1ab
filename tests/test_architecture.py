"""The house rules of ARCHITECTURE.md hold: which module may import which, size limits, one
exception hierarchy, no broad except without a reason."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "socialnb"

#: ARCHITECTURE.md's layers, top (foundation) to bottom (delivery).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "_lazy", "periods", "schema", "_schema", "_yaml", "metrics", "_stats", "_model",
     "_record", "_sheets", "_text", "plots"),
    ("config", "calendar", "ingest", "warehouse", "workspace"),
    ("overview", "retro", "experiments", "ideation"),
    ("report", "_html", "_zygote", "_kernel_stub", "orchestrate", "cli", "scaffold", "sample",
     "__init__", "__main__"),
)  # fmt: skip

#: Imports across layers that ARCHITECTURE.md allows on purpose, as (importer, imported, reason).
ALLOWED_UPWARD = {
    ("workspace", "experiments"): "validate() checks experiments.yaml with the registry's model",
    ("workspace", "ideation"): "validate() checks the backlog with its declared row model",
}


def _component(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _layer(component: str) -> int:
    for i, names in enumerate(LAYERS):
        if component in names:
            return i
    raise AssertionError(
        f"socialnb/{component} is in no layer of ARCHITECTURE.md: add it to the document and here"
    )


def _imports(path: Path) -> set[str]:
    """The socialnb components a module imports (relative or absolute, anywhere in the file)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE)
    depth_pkg = list(rel.parts[:-1])  # package path of this module inside socialnb
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                parts = (node.module or "").split(".")
                if parts[0] == "socialnb" and len(parts) > 1:
                    found.add(parts[1])
                elif parts == ["socialnb"]:
                    found |= {a.name for a in node.names}
                continue
            base = depth_pkg[: len(depth_pkg) - (node.level - 1)] if node.level > 1 else depth_pkg
            target = base + (node.module.split(".") if node.module else [])
            if target:
                found.add(target[0])
            else:  # from . import metrics
                found |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "socialnb" and len(parts) > 1:
                    found.add(parts[1])
    return found


def test_no_module_imports_from_a_layer_below_it():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        me = _component(path)
        for other in _imports(path) - {me}:
            known = (PACKAGE / other).is_dir() or (PACKAGE / f"{other}.py").exists()
            if known and _layer(other) > _layer(me) and (me, other) not in ALLOWED_UPWARD:
                problems.append(f"{path.relative_to(ROOT)} imports socialnb.{other}")
    assert not problems, "imports against ARCHITECTURE.md's layers:\n" + "\n".join(problems)


def test_every_component_is_described_in_architecture_md():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for path in PACKAGE.iterdir():
        name = path.name.removesuffix(".py")
        if name.startswith("__") or path.name in ("templates", "mappings") or path.suffix == ".css":
            continue
        if path.is_dir() and not (path / "__init__.py").exists():
            continue
        assert f"`{name}`" in text, f"socialnb/{path.name} is not described in ARCHITECTURE.md"


def test_no_module_is_longer_than_about_600_lines():
    long = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for p in sorted(PACKAGE.rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 650
    ]
    assert not long, "split these modules along their seams:\n" + "\n".join(long)


def test_no_function_is_longer_than_80_lines_without_a_reason_at_its_top():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                first = node.body[0]
                if isinstance(first, ast.Expr) and isinstance(
                    getattr(first, "value", None), ast.Constant
                ):
                    size -= first.end_lineno - first.lineno + 1  # the docstring is not code
                head = "\n".join(lines[node.lineno - 1 : node.lineno + 12])
                if size > 80 and not re.search(r"#.*\b(long|lines)\b", head, re.IGNORECASE):
                    long.append(
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({size} lines)"
                    )
    assert not long, (
        "functions over 80 lines (split them, or say why in a comment at its top: '# long: <reason>'):\n"
        + "\n".join(long)
    )
