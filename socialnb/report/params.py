"""Report notebooks and their parameters: which notebooks take part, what their ``parameters``
cell declares, and the values a run passes them (checked before anything runs)."""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from ..errors import ParameterError

__all__ = [
    "STANDARD_PARAMETERS",
    "REQUIRED_PARAMETERS",
    "ReportNotebook",
    "load_notebook",
    "discover_notebooks",
    "validate_parameters",
]

#: Parameters the report supplies to every notebook that declares them.
STANDARD_PARAMETERS: tuple[str, ...] = ("workspace", "brand", "month", "report_dir")
#: Parameters every report notebook must declare.
REQUIRED_PARAMETERS: tuple[str, ...] = ("brand", "month")


@dataclass(frozen=True)
class ReportNotebook:
    """A report notebook and the parameters its ``parameters`` cell declares.

    ``parameters`` maps a name to ``(type_name, default)``, where ``type_name`` is the annotation
    (``"str"``, ``"int"``, ``"float"``, ``"bool"``, ... or ``"None"`` when not annotated).
    """

    path: Path
    name: str
    title: str
    order: int
    parameters: Mapping[str, tuple[str, Any]]

    def to_frame(self) -> pd.DataFrame:
        """One row per declared parameter: name, type, default."""
        return pd.DataFrame(
            [(n, t, d) for n, (t, d) in self.parameters.items()],
            columns=["parameter", "type", "default"],
        )


def _default_notebooks_dir() -> Path:
    here = Path.cwd() / "notebooks"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "notebooks"


def _notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback.replace("_", " ").capitalize()


def _read_parameters(path: Path) -> dict[str, tuple[str, Any]]:
    import papermill as pm

    declared = pm.inspect_notebook(str(path))
    out: dict[str, tuple[str, Any]] = {}
    for name, info in declared.items():
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            default = info["default"]
        out[name] = (str(info.get("inferred_type_name") or "None"), default)
    return out


def load_notebook(path: str | Path) -> ReportNotebook:
    """Read one notebook's report metadata and parameters cell."""
    path = Path(path).resolve()
    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.get("socialnb", {}) or {}
    return ReportNotebook(
        path=path,
        name=path.stem,
        title=str(meta.get("title") or _notebook_title(nb, path.stem)),
        order=int(meta.get("order", 1000)),
        parameters=_read_parameters(path),
    )


def discover_notebooks(notebooks_dir: str | Path | None = None) -> list[ReportNotebook]:
    """Every notebook in ``notebooks_dir`` whose metadata has ``socialnb.report: true``.

    Sorted by ``socialnb.order`` then name. Each must declare ``brand`` and ``month``.

    Raises
    ------
    ParameterError
        A report notebook's parameters cell lacks ``brand`` or ``month``.
    """
    folder = Path(notebooks_dir) if notebooks_dir is not None else _default_notebooks_dir()
    found = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        meta = nb.metadata.get("socialnb", {}) or {}
        if meta.get("report") is True:
            report_nb = load_notebook(path)
            missing = [p for p in REQUIRED_PARAMETERS if p not in report_nb.parameters]
            if missing:
                raise ParameterError(
                    f"{path}: report notebook does not declare parameter(s) {', '.join(missing)} "
                    "in its cell tagged 'parameters'. What to do: add e.g. `brand: str = \"fernway\"` "
                    'and `month: str = "2026-10"` there.'
                )
            found.append(report_nb)
    return sorted(found, key=lambda n: (n.order, n.name))


_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list, tuple),
    "dict": (dict,),
}


def _coerce_text(value: str, type_name: str) -> Any:
    """Turn a command-line string into the declared type, or raise ValueError."""
    if type_name not in _TYPES or type_name == "str":
        return value
    if type_name == "bool":
        low = value.strip().lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
        raise ValueError(value)
    if type_name == "int":
        return int(value)
    if type_name == "float":
        return float(value)
    parsed = json.loads(value)
    if not isinstance(parsed, _TYPES[type_name]):
        raise ValueError(value)
    return parsed


def validate_parameters(
    notebook: ReportNotebook, parameters: Mapping[str, Any], *, from_text: bool = False
) -> dict[str, Any]:
    """Check ``parameters`` against the notebook's parameters cell and return them typed.

    Parameters
    ----------
    notebook
        The notebook (see :func:`load_notebook`).
    parameters
        Values to inject. Unknown names are refused; values must match the declared annotation
        (an ``int`` is accepted for a ``float``; ``bool`` is never accepted for ``int``).
    from_text
        Values are command-line strings: convert them to the declared type first.

    Raises
    ------
    ParameterError
        Naming the notebook and the parameter, and what it accepts.
    """
    out: dict[str, Any] = {}
    for name, value in parameters.items():
        if name not in notebook.parameters:
            known = ", ".join(sorted(notebook.parameters)) or "none"
            raise ParameterError(
                f"{notebook.path.name}: unknown parameter {name!r}. "
                f"The notebook's parameters cell declares: {known}. What to do: fix the name or "
                "declare the parameter in the notebook."
            )
        type_name, _default = notebook.parameters[name]
        if from_text and isinstance(value, str):
            try:
                value = _coerce_text(value, type_name)
            except (ValueError, json.JSONDecodeError):
                raise ParameterError(
                    f"{notebook.path.name}: parameter {name!r} is declared {type_name}, "
                    f"but {value!r} is not a valid {type_name}."
                ) from None
        accepted = _TYPES.get(type_name)
        if accepted is not None and (
            not isinstance(value, accepted) or (type_name != "bool" and isinstance(value, bool))
        ):
            raise ParameterError(
                f"{notebook.path.name}: parameter {name!r} is declared {type_name}, "
                f"got {type(value).__name__} {value!r}. What to do: pass a {type_name}."
            )
        if type_name == "float" and isinstance(value, int):
            value = float(value)
        out[name] = value
    return out


def _split_user_parameters(
    parameters: Mapping[str, Any], notebooks: list[ReportNotebook]
) -> dict[str, dict[str, Any]]:
    """``{"alpha": 0.1, "ideation.capacity_hours": 30}`` -> per-notebook dicts.

    An unqualified name goes to every notebook that declares it; a name no report notebook
    declares is refused.
    """
    names = {nb.name for nb in notebooks}
    per_nb: dict[str, dict[str, Any]] = {nb.name: {} for nb in notebooks}
    for key, value in parameters.items():
        if key in STANDARD_PARAMETERS:
            raise ParameterError(
                f"parameter {key!r} is set by the report itself. What to do: use "
                f"--{key.replace('_', '-')} (or the matching argument) instead."
            )
        if "." in key and key.split(".", 1)[0] in names:
            nb_name, pname = key.split(".", 1)
            per_nb[nb_name][pname] = value
            continue
        targets = [nb for nb in notebooks if key in nb.parameters]
        if not targets:
            declared = sorted({p for nb in notebooks for p in nb.parameters})
            raise ParameterError(
                f"unknown parameter {key!r}: no report notebook "
                f"({', '.join(sorted(names))}) declares it. Declared parameters: "
                f"{', '.join(declared)}."
            )
        for nb in targets:
            per_nb[nb.name][key] = value
    return per_nb
