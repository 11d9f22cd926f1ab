"""The project's set-up promises: one package list in two files, a console script, a clean CI."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

#: conda-forge names that differ from PyPI names.
CONDA_TO_PYPI = {
    "python-duckdb": "duckdb",
    "jupyter_client": "jupyter-client",
    "jupyter_core": "jupyter-core",
}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_and_pyproject_list_the_same_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pypi = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        pypi |= {_name(r) for r in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = set()
    pip_section = None
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_section = dep["pip"]
            continue
        name = _name(dep)
        if name not in ("python", "pip"):
            conda.add(CONDA_TO_PYPI.get(name, name))
    assert conda == pypi, (
        f"only in environment.yml: {conda - pypi}; only in pyproject.toml: {pypi - conda}"
    )
    assert pip_section == ["-e ."], (
        "environment.yml must end by installing the package itself with pip"
    )
    assert "conda-forge" in env["channels"]


def _imported_top_modules() -> dict[str, str]:
    """Every top-level module the package imports (at module level or inside a function)."""
    import ast

    found: dict[str, str] = {}
    for path in sorted((ROOT / "socialnb").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_package_the_code_imports_is_declared():
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r).replace("_", "-") for r in project["dependencies"]}
    dists = packages_distributions()
    missing = []
    for module, where in _imported_top_modules().items():
        if module in sys.stdlib_module_names or module == "socialnb":
            continue
        names = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not names & declared:
            missing.append(f"{module} (imported in {where}, distribution {sorted(names)})")
    assert not missing, "imported but not declared in pyproject.toml: " + "; ".join(missing)


def test_version_floors_that_matter_are_declared():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "statsmodels>=0.15" in deps
    assert "nbconvert>=7.17.1" in deps
    assert "pandas>=3" in deps


def test_console_script_answers_help():
    out = subprocess.run(
        [sys.executable, "-m", "socialnb.cli", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("sample", "ingest", "report"):
        assert command in out.stdout


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci
    assert "make test" in readme and "make report" in readme


def test_notebooks_are_committed_without_outputs_and_with_a_parameters_cell():
    import nbformat

    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found"
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), (
            f"{path.name} has outputs"
        )
        tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"


def test_code_and_notebooks_are_ruff_clean():
    ruff = [sys.executable, "-m", "ruff"]
    lint = subprocess.run([*ruff, "check", "--no-cache", str(ROOT)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout
    fmt = subprocess.run(
        [*ruff, "format", "--check", "--no-cache", str(ROOT)], capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout
