"""The monthly report on an external scheduler (Airflow, Dagster, ...), one task per notebook.

``socialnb report`` runs every (brand, notebook) in one process. An orchestrator runs the same
work as separate tasks, so that a failing notebook fails (and retries) alone::

    month      resolve_month(...)           the month being reported; prepare_month(...)
    ingest     ingest_workspace(...)        new raw exports into the warehouse, once
    notebooks  report_tasks(brand, month)   one papermill run each: input, output, parameters
    render     render_brand(brand, month)   pages, summary.json and index, failures included

Every function here is plain Python (no scheduler import), so the plan a DAG builds is the plan
``socialnb report`` runs: the same notebooks, the same parameters (validated the same way), the
same pages and ``summary.json``. ``examples/airflow_dag.py`` is the Airflow 3 DAG built on it.

Layout: papermill writes ``<executed_root>/<brand>/<YYYY-MM>/<notebook>.ipynb`` (and the files a
notebook writes into its ``report_dir``); :func:`render_brand` turns that folder into
``<reports_dir>/<brand>/<YYYY-MM>/`` atomically, exactly as ``socialnb report`` lays it out.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from . import periods
from .errors import NotebookError, ParameterError
from .report import (
    ReportNotebook,
    ReportResult,
    choose_brands,
    discover_notebooks,
    render_executed,
    validate_parameters,
)
from .report.brands import _ingest, _open_workspace
from .report.params import _split_user_parameters

__all__ = [
    "NotebookRun",
    "month_for_logical_date",
    "resolve_month",
    "discover_brands",
    "executed_dir",
    "report_tasks",
    "prepare_month",
    "ingest_workspace",
    "render_brand",
    "check_run",
]


@dataclass(frozen=True)
class NotebookRun:
    """One (brand, notebook) run of the monthly report, as a scheduler task executes it."""

    brand: str
    notebook: str
    input_path: Path
    output_path: Path
    parameters: Mapping[str, Any]

    @property
    def task_id(self) -> str:
        """A task name unique within one DAG: ``<brand>.<notebook>``."""
        return f"{self.brand}.{self.notebook}"

    def to_frame(self) -> pd.DataFrame:
        """One row: brand, notebook, input, output and the parameters passed."""
        return pd.DataFrame(
            [
                {
                    "brand": self.brand,
                    "notebook": self.notebook,
                    "input": str(self.input_path),
                    "output": str(self.output_path),
                    "parameters": dict(self.parameters),
                }
            ]
        )


def _as_date(value: Any, what: str) -> dt.date:
    try:
        day = periods.parse_date(value) if isinstance(value, (str, dt.date)) else None
    except ValueError:
        day = None
    if day is None:
        raise ParameterError(
            f"{what} {value!r} is not a date. What to do: pass a date or datetime "
            "(e.g. 2026-11-02 or 2026-11-02T06:00:00+00:00)."
        )
    return day


def month_for_logical_date(logical_date: dt.date | dt.datetime | str) -> str:
    """The month a run reports: the calendar month that ended before ``logical_date`` (UTC).

    A run on 2026-11-02 (scheduled or triggered by hand) reports 2026-10; so does one on
    2026-11-30. An aware datetime is taken in UTC, as Airflow gives it.

    Raises
    ------
    ParameterError
        ``logical_date`` is not a date.
    """
    return periods.last_complete_month(_as_date(logical_date, "logical date"))


def resolve_month(
    month: str | None = None,
    logical_date: dt.date | dt.datetime | str | None = None,
    *,
    run_after: dt.date | dt.datetime | str | None = None,
) -> str:
    """The month a run reports: ``month`` when given, else the month before the run's date.

    Parameters
    ----------
    month
        An explicit ``YYYY-MM`` (the DAG's ``month`` param); empty or None means "derive it".
    logical_date
        The run's logical date. Airflow 3 leaves it empty for some manual runs; then
        ``run_after`` (when the run was due) is used.
    run_after
        Fallback date for runs without a logical date.

    Raises
    ------
    ParameterError
        ``month`` is not ``YYYY-MM``, or neither date is given.
    """
    if month not in (None, ""):
        return periods.check_month(str(month), what="--month")
    date = logical_date if logical_date is not None else run_after
    if date is None:
        raise ParameterError(
            "the run has neither a month param nor a logical date. What to do: pass "
            'month="YYYY-MM" when triggering the run.'
        )
    return month_for_logical_date(date)


def discover_brands(workspace: str | Path, listed: Iterable[str] | None = None) -> list[str]:
    """The brands to report: ``listed`` (checked against the workspace) or every brand there.

    Raises
    ------
    ParameterError
        A listed brand has no ``brand.yaml`` in the workspace, or the workspace has no brand.
    """
    return choose_brands(workspace, listed)


def executed_dir(executed_root: str | Path, brand: str, month: str) -> Path:
    """Where one brand's executed notebooks of ``month`` go: ``<root>/<brand>/<month>``."""
    return Path(executed_root) / brand / month


def _is_template(value: str) -> bool:
    return "{{" in value and "}}" in value


def report_tasks(
    brand: str,
    month: str,
    *,
    workspace: str | Path,
    executed_root: str | Path,
    notebooks_dir: str | Path | None = None,
    notebooks: Sequence[ReportNotebook] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> list[NotebookRun]:
    """One :class:`NotebookRun` per report notebook, with the parameters ``socialnb report`` passes.

    Each notebook gets ``workspace``, ``brand`` and ``month`` and, when it declares it,
    ``report_dir`` (the executed folder, which :func:`render_brand` copies into the report), plus
    ``parameters`` given as ``name`` (every notebook declaring it) or ``notebook.name``, all
    checked against the notebook's parameters cell.

    Parameters
    ----------
    brand
        The brand slug.
    month
        ``YYYY-MM``, or a scheduler template (``{{ ... }}``) rendered at run time to one; a DAG
        builds its tasks before the month is known and checks it in :func:`resolve_month`.
    workspace, executed_root
        The shared workspace, and the root of the executed notebooks.
    notebooks_dir, notebooks
        Where the report notebooks are, or the notebooks already discovered there.
    parameters
        Extra notebook parameters, as ``socialnb report -p`` takes them (typed values).

    Raises
    ------
    ParameterError
        A malformed month, no report notebook, or an unknown or ill-typed parameter.
    """
    if not _is_template(month):
        periods.check_month(month, what="--month")
    found = list(notebooks) if notebooks is not None else discover_notebooks(notebooks_dir)
    if not found:
        raise ParameterError(
            f"no report notebooks in {notebooks_dir or 'notebooks/'}. What to do: mark one with "
            'notebook metadata {"socialnb": {"report": true}}.'
        )
    user = _split_user_parameters(parameters or {}, found)
    out_dir = executed_dir(executed_root, brand, month)
    runs = []
    for nb in found:
        standard = {
            "workspace": str(Path(workspace).resolve()),
            "brand": brand,
            "month": month,
            "report_dir": str(out_dir),
        }
        typed = validate_parameters(nb, {k: v for k, v in standard.items() if k in nb.parameters})
        typed.update(validate_parameters(nb, user[nb.name]))
        runs.append(NotebookRun(brand, nb.name, nb.path, out_dir / f"{nb.name}.ipynb", typed))
    return runs


def prepare_month(executed_root: str | Path, brands: Iterable[str], month: str) -> dict[str, Path]:
    """Create each brand's executed folder for ``month``, emptied of an earlier run's notebooks.

    A notebook left from an earlier run of the month would otherwise be rendered as if this run
    had executed it. Returns ``{brand: folder}``.
    """
    periods.check_month(month, what="--month")
    folders = {}
    for brand in brands:
        folder = executed_dir(executed_root, brand, month)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        folders[brand] = folder
    return folders


def ingest_workspace(
    workspace: str | Path, brands: Iterable[str], echo: Callable[[str], None] = print
) -> list[str]:
    """Ingest new raw files of ``brands`` as ``socialnb report`` does: rejected files are said
    (through ``echo``) and returned, not fatal; the notebooks then report on what loaded."""
    ws = _open_workspace(Path(workspace).resolve())
    return _ingest(ws, list(brands), echo)


_NOT_RUN = "NotExecuted"


def _error_output(evalue: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("error", ename=_NOT_RUN, evalue=evalue, traceback=[])


def _mark_unfinished(path: Path) -> bool:
    """Put an error on the first cell papermill started but never finished (the task was killed
    by its timeout or its worker died). Returns True when the notebook was marked."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if any(o.get("output_type") == "error" for c in code for o in c.get("outputs", [])):
        return False
    for cell in code:
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if status in ("running", "pending"):
            cell.setdefault("outputs", []).append(
                _error_output(
                    "the task stopped before this cell finished (its execution timeout, or the "
                    "worker died). What to do: see the task's log, then clear the task to rerun it."
                )
            )
            nbformat.write(nb, path)
            return True
    return False


def _write_not_executed(run: NotebookRun) -> None:
    """An executed-notebook stand-in for a task that left nothing: the source notebook with its
    parameters and an error saying so, so the report shows a failed page instead of no page."""
    nb = nbformat.read(run.input_path, as_version=4)
    nb.metadata.setdefault("papermill", {})["parameters"] = dict(run.parameters)
    message = (
        f"no executed notebook at {run.output_path}: task {run.task_id} did not run (an upstream "
        "task failed) or died before papermill wrote it. What to do: see the task's log, then "
        "clear the task to run it again."
    )
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code:
        code[0]["outputs"] = [_error_output(message)]
    else:
        cell = nbformat.v4.new_code_cell("")
        cell["outputs"] = [_error_output(message)]
        nb.cells.append(cell)
    run.output_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, run.output_path)


def render_brand(
    brand: str,
    month: str,
    *,
    workspace: str | Path,
    executed_root: str | Path,
    reports_dir: str | Path,
    notebooks_dir: str | Path | None = None,
    parameters: Mapping[str, Any] | None = None,
    with_code: bool = False,
) -> ReportResult:
    """Build ``<reports_dir>/<brand>/<month>/`` from the brand's executed notebooks.

    The same pages, ``summary.json`` and index as ``socialnb report`` (via
    :func:`socialnb.report.render_executed`), with every report notebook accounted for: one
    whose task left no executed notebook, or was killed mid-cell, gets a failed page saying so.

    Returns
    -------
    ReportResult
        ``.ok`` is False when any notebook failed; nothing is raised for that.

    Raises
    ------
    ParameterError
        A malformed month, or no report notebook.
    """
    periods.check_month(month, what="--month")
    for run in report_tasks(
        brand,
        month,
        workspace=workspace,
        executed_root=executed_root,
        notebooks_dir=notebooks_dir,
        parameters=parameters,
    ):
        if run.output_path.is_file():
            _mark_unfinished(run.output_path)
        else:
            _write_not_executed(run)
    return render_executed(
        executed_dir(executed_root, brand, month),
        brand=brand,
        month=month,
        workspace=workspace,
        reports_dir=reports_dir,
        with_code=with_code,
    )


def check_run(month: str, rendered: Mapping[str, ReportResult | Mapping[str, Any] | None]) -> None:
    """Raise when any brand's report of ``month`` has a failed notebook or was not rendered.

    For the last task of a run (after every brand's :func:`render_brand`, whatever their state),
    so that the run itself fails when any part of it did, with every failure in one message.

    Parameters
    ----------
    month
        The month of the run.
    rendered
        ``{brand: result}``: the :class:`ReportResult` of :func:`render_brand`, or its
        ``{"failures": [...]}`` as passed between scheduler tasks, or None when the brand's render
        did not finish.

    Raises
    ------
    NotebookError
        Naming each failed notebook (with its cell and error) and each brand not rendered.
    """
    problems: list[str] = []
    failed: list[str] = []
    for brand, outcome in rendered.items():
        if outcome is None:
            problems.append(
                f"{brand}: the report was not rendered (the render task failed or did not run). "
                "What to do: see that task's log."
            )
            failed.append(brand)
            continue
        if isinstance(outcome, ReportResult):
            lines = [r.describe_failure() for r in outcome.failures]
            names = [f"{r.brand}/{r.notebook}" for r in outcome.failures]
        else:
            lines = [str(x) for x in outcome.get("failures", [])]
            names = [f"{brand}/{n}" for n in outcome.get("failed", [])] or [brand] * bool(lines)
        problems.extend(lines)
        failed.extend(names)
    if problems:
        raise NotebookError(
            ", ".join(dict.fromkeys(failed)),
            f"the {month} report has {len(problems)} failure(s); each page shows its error:\n"
            + "\n".join(f"- {p}" for p in problems),
        )
