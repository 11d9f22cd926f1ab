"""Importing socialnb is light: its public names and modules are imported on first use, and every
public name still resolves to the object its module defines."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import types

import pytest

#: Packages whose public names are imported on first use, and heavy libraries importing them
#: alone must not import.
LIGHT = {
    "socialnb": ("pandas", "duckdb", "scipy", "matplotlib"),
    "socialnb.ideation": ("pandas", "scipy", "statsmodels"),
    "socialnb.experiments": ("pandas", "scipy", "statsmodels"),
}


def _imported_after(statement: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{statement}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return set(out.split())


@pytest.mark.parametrize("package", sorted(LIGHT))
def test_importing_the_package_does_not_import_the_heavy_libraries(package):
    imported = _imported_after(f"import {package}")
    assert not imported & set(LIGHT[package])


@pytest.mark.parametrize("package", sorted(LIGHT))
def test_every_public_name_resolves_on_first_use(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
        assert name in dir(module)


@pytest.mark.parametrize("package", sorted(LIGHT))
def test_a_public_name_stays_itself_once_every_module_is_imported(package):
    # experiments.decide is a function in experiments/decide.py: importing that module must not
    # make the package's `decide` the module
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, f"{package}."):
        importlib.import_module(info.name)
    for name in module.__all__:
        value = getattr(module, name)
        assert not isinstance(value, types.ModuleType), name
    assert package != "socialnb.experiments" or callable(module.decide)


def test_a_module_of_the_package_is_an_attribute_as_before():
    import socialnb

    assert socialnb.metrics is importlib.import_module("socialnb.metrics")
    with pytest.raises(AttributeError, match="no attribute 'not_a_module'"):
        socialnb.not_a_module  # noqa: B018


def test_the_command_line_starts_without_importing_the_stack():
    imported = _imported_after("import socialnb.cli")
    assert not imported & {"pandas", "duckdb", "scipy", "matplotlib", "nbformat"}


def test_checking_a_brands_plan_files_does_not_import_the_models():
    # the workspace's check of ideas.csv and experiments.yaml, which every report runs first
    imported = _imported_after(
        "import socialnb.workspace, socialnb.ideation.backlog, socialnb.experiments.registry"
    )
    assert not imported & {"scipy.stats", "statsmodels", "matplotlib"}


def test_the_socialnb_command_is_run_and_ends_normally(tmp_path):
    import tomllib
    from pathlib import Path

    scripts = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert scripts["scripts"]["socialnb"] == "socialnb.cli:run"
    marker = tmp_path / "atexit-ran"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import atexit, sys\n"
            f"atexit.register(lambda: open({str(marker)!r}, 'w').close())\n"
            "from socialnb.cli import run\nsys.argv = ['socialnb', '--help']\nrun()",
        ],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0 and "Usage: socialnb" in done.stdout
    assert marker.exists()  # the other exit handlers still run
