"""A brand's month put together: ``summary.json``, the links between pages and the index, then
swapped into place atomically; also from notebooks another scheduler executed
(:func:`render_executed`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from .. import _html, periods
from .._record import to_jsonable
from ..errors import ParameterError
from .brands import _brand_config, _open_workspace
from .index import (
    _brand_facts,
    _link_pages,
    _month_story,
    _package_versions,
    _write_month_index,
    write_top_index,
)
from .pages import (
    _find_error,
    _find_failure,
    _one_line,
    _report_paths,
    _scrub_value,
    _section_of,
    collect_records,
    render_notebook_html,
)
from .params import _notebook_title, _read_parameters
from .results import SUMMARY_RUN_KEY as _SUMMARY_RUN_KEY
from .results import NotebookResult, ReportResult

__all__ = ["render_executed"]


def _finish_brand(
    ws: Any,
    workspace: Path,
    brand: str,
    month: str,
    results: list[NotebookResult],
    defaults: Mapping[str, Mapping[str, Any]],
    build_dir: Path,
    reports_dir: Path,
    *,
    started: dt.datetime,
    t0: float,
    extra: Mapping[str, Any],
    facts: Mapping[str, Any] | None = None,
) -> Path:
    """Write summary.json and index.html into ``build_dir``, then swap it into place.

    ``facts``: the brand's :func:`_brand_facts` when already read (else read here).
    """
    tz, brand_name = _brand_zone_and_name(ws, workspace, brand)
    facts = facts if facts is not None else _brand_facts(ws, brand, month, tz)
    summary: dict[str, Any] = {}
    paths = _report_paths(workspace, reports_dir, brand, month, build_dir)
    for r in results:
        params = dict(defaults.get(r.notebook, {})) | dict(r.parameters)
        if "report_dir" in params:
            params["report_dir"] = str(reports_dir / brand / month)
        summary[r.notebook] = {
            "status": r.status,
            "error": None if r.error is None else _html.scrub_paths(r.error, paths),
            "section": r.section,
            "cell": r.cell,
            "title": r.title,
            "seconds": round(r.duration_s, 2),
            "parameters": _scrub_value(to_jsonable(params), paths),
            "results": to_jsonable(dict(r.results)),
        }
    freshness = facts["freshness"]
    summary[_SUMMARY_RUN_KEY] = {
        "brand": brand,
        "brand_name": brand_name,
        "month": month,
        "start": started.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - t0, 2),
        "versions": _package_versions(),
        "latest_export": {f["platform"]: f["latest"] for f in freshness},
        "freshness": freshness,
        # the rates the index's month in numbers shows, as each page records the rates it shows
        "rates_shown": list(facts.get("story", {}).get("rates_shown", [])),
        **extra,
    }
    (build_dir / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    _link_pages(build_dir, summary)
    _write_month_index(
        build_dir,
        brand=brand,
        brand_name=brand_name,
        month=month,
        summary=summary,
        tz=tz,
        paths=paths,
        story=_month_story(ws, brand, month, summary, build_dir, facts),
    )
    final_dir = reports_dir / brand / month
    _swap_into_place(build_dir, final_dir, reports_dir / brand / ".history" / month)
    return final_dir / "index.html"


def _brand_zone_and_name(ws: Any, workspace: Path, brand: str) -> tuple[str, str]:
    """The brand's time zone and display name (UTC and the slug when brand.yaml is unreadable)."""
    config = _brand_config(ws, workspace, brand)
    return getattr(config, "timezone", "UTC") or "UTC", getattr(config, "name", brand) or brand


def render_executed(
    executed_dir: str | Path,
    *,
    brand: str,
    month: str,
    workspace: str | Path = "data",
    reports_dir: str | Path = "reports",
    with_code: bool = False,
) -> ReportResult:
    """Build ``reports/<brand>/<month>/`` from notebooks some other scheduler already executed.

    For orchestrators (Airflow's PapermillOperator, Dagster) that run each (brand, notebook) as
    its own task: point this at the folder of executed ``.ipynb`` files of one brand and month.
    Failed notebooks (an error output, as papermill leaves them) are marked as in
    :func:`~socialnb.report.run_report`. Nothing is executed; the swap into place is atomic in
    the same way.
    """
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    month = periods.check_month(month, what="--month")
    executed_dir = Path(executed_dir)
    workspace = Path(workspace).resolve()
    reports_dir = Path(reports_dir).resolve()
    paths = sorted(executed_dir.glob("*.ipynb"))
    if not paths:
        raise ParameterError(f"{executed_dir}: no executed notebooks (*.ipynb) to render.")
    ws = _open_workspace(workspace) if workspace.is_dir() else None
    build_dir = reports_dir / brand / f".tmp-{month}-{os.getpid()}"
    if build_dir.exists():
        shutil.rmtree(build_dir)
    build_dir.mkdir(parents=True)
    shown = _report_paths(workspace, reports_dir, brand, month, build_dir)
    try:
        for other in executed_dir.iterdir():  # files the notebooks wrote (e.g. a calendar draft)
            if other.is_file() and other.suffix != ".ipynb":
                shutil.copyfile(other, build_dir / other.name)
        pages = [
            _render_executed_page(path, build_dir, brand, month, with_code, shown) for path in paths
        ]
        pages.sort(key=lambda page: page[2])  # the notebooks in their socialnb.order
        results = [result for result, _defaults, _order in pages]
        defaults = {result.notebook: d for result, d, _order in pages}
        extra = {"with_code": with_code, "executed_elsewhere": str(executed_dir)}
        index = _finish_brand(
            ws, workspace, brand, month, results, defaults, build_dir, reports_dir,
            started=started, t0=t0, extra=extra,
        )  # fmt: skip
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
    return ReportResult(
        month=month,
        reports_dir=reports_dir,
        notebooks=tuple(results),
        index_paths={brand: index},
        top_index=write_top_index(reports_dir),
        duration_s=time.perf_counter() - t0,
    )


def _render_executed_page(
    path: Path,
    build_dir: Path,
    brand: str,
    month: str,
    with_code: bool,
    shown: tuple[tuple[str, str], ...],
) -> tuple[NotebookResult, dict[str, Any], tuple[int, str]]:
    """One executed notebook's page in ``build_dir``, as :func:`run_report` writes it.

    Returns the notebook's result, its parameters cell's defaults (under the injected values in
    summary.json, as run_report records them) and its place in the report's order.
    """
    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.get("socialnb", {}) or {}
    title = str(meta.get("title") or _notebook_title(nb, path.stem))
    params = dict(nb.metadata.get("papermill", {}).get("parameters", {}) or {})
    cell, source, error = _find_error(nb)
    if error is None and cell is not None:
        error = "the cell did not finish (timeout or dead kernel)"
    section = None
    if error is not None:  # as run_report: the section named, one line, no machine path
        section = _section_of(nb, _find_failure(nb)[0])
        error = _html.scrub_paths(_one_line(error), shown)
    shutil.copyfile(path, build_dir / path.name)
    html = render_notebook_html(
        nb, title=title, brand=brand, month=month, with_code=with_code, error=error,
        failed_cell=cell, notebook=path.stem, paths=shown,
    )  # fmt: skip
    (build_dir / f"{path.stem}.html").write_text(html, encoding="utf-8")
    result = NotebookResult(
        brand=brand,
        notebook=path.stem,
        title=title,
        status="ok" if error is None else "failed",
        parameters=params,
        results=collect_records(nb),
        error=error,
        cell=cell,
        cell_source=source,
        section=section,
    )
    defaults = {k: d for k, (_t, d) in _read_parameters(path).items()}
    return result, defaults, (int(meta.get("order", 1000)), path.stem)


def _keep_other_pages(
    final_dir: Path, build_dir: Path, results: list[NotebookResult]
) -> list[NotebookResult]:
    """``results`` and the pages of the month's current report that this run did not redo.

    ``report -n NAME`` re-runs some notebooks: every other page of the month (its HTML, the
    executed notebook, its entry of summary.json, files it wrote such as a calendar draft) is
    copied into the build so the swap keeps it. The order is the previous report's, with any
    new page after the ones it had.
    """
    summary_path = final_dir / "summary.json"
    if not summary_path.is_file():
        return results
    try:
        previous = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return results
    redone = {r.notebook: r for r in results}
    produced = {p.name for p in build_dir.iterdir()}
    for path in final_dir.iterdir():  # every file of the old report this run did not write
        if path.is_file() and path.name not in produced and path.name != "summary.json":
            if path.stem in redone and path.suffix in (".html", ".ipynb"):
                continue
            if path.suffix == ".pdf":  # printed from the old pages: --pdf prints it again
                continue
            shutil.copy2(path, build_dir / path.name)
    merged: list[NotebookResult] = []
    for name, entry in previous.items():
        if name == _SUMMARY_RUN_KEY or not isinstance(entry, dict):
            continue
        if name in redone:
            merged.append(redone.pop(name))
            continue
        merged.append(
            NotebookResult(
                brand=str(previous.get(_SUMMARY_RUN_KEY, {}).get("brand", final_dir.parent.name)),
                notebook=name,
                title=str(entry.get("title") or name),
                status=str(entry.get("status") or "failed"),
                parameters=dict(entry.get("parameters") or {}),
                results=dict(entry.get("results") or {}),
                error=entry.get("error"),
                cell=entry.get("cell"),
                duration_s=float(entry.get("seconds") or 0.0),
                section=entry.get("section"),
            )
        )
    return merged + list(redone.values())


def _swap_into_place(build_dir: Path, final_dir: Path, history_root: Path) -> Path | None:
    """Move the previous report (if any) to history, then the new one into place."""
    moved = None
    if final_dir.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        history_root.mkdir(parents=True, exist_ok=True)
        moved = history_root / stamp
        os.replace(final_dir, moved)
    os.replace(build_dir, final_dir)
    return moved


def _remove_stale_builds(brand_dir: Path, month: str) -> None:
    for old in brand_dir.glob(f".tmp-{month}-*"):
        try:
            pid = int(old.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and not _pid_alive(pid):
            shutil.rmtree(old, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
