"""``run_report``: every report notebook of every brand for one month, on a pool of warm
kernels, each brand's month placed atomically as soon as its pages are done."""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import nbformat

from .. import _html, _zygote, periods
from ..errors import ParameterError
from .brands import _ingest, _open_workspace, check_reportable, choose_brands
from .index import _brand_facts, write_top_index
from .kernels import _KernelPool, _venv_kernel_manager
from .pages import (
    _find_failure,
    _one_line,
    _report_paths,
    _section_of,
    collect_records,
    render_notebook_html,
)
from .params import (
    ReportNotebook,
    _default_notebooks_dir,
    _split_user_parameters,
    discover_notebooks,
    validate_parameters,
)
from .render import _brand_zone_and_name, _finish_brand, _keep_other_pages, _remove_stale_builds
from .results import SUMMARY_RUN_KEY as _SUMMARY_RUN_KEY
from .results import NotebookResult, ReportResult

__all__ = ["run_report"]


@dataclass(frozen=True)
class _Task:
    brand: str
    notebook: ReportNotebook
    parameters: Mapping[str, Any]
    build_dir: Path
    timeout: int
    with_code: bool
    month: str
    paths: tuple[tuple[str, str], ...] = ()  # absolute folder -> how pages show it
    kernels: _KernelPool | None = field(default=None, compare=False, repr=False)  # warm kernels
    threads: int | None = None  # BLAS threads of a fresh kernel (None: as inherited)
    # Renders the page once the notebook has run, so the worker starts its next notebook at once
    # (None: the worker renders it itself).
    render: cf.Executor | None = field(default=None, compare=False, repr=False)


def _run_task(task: _Task) -> NotebookResult | cf.Future:
    """Run one notebook; its page is rendered on ``task.render`` (a future of the
    :class:`NotebookResult` is returned) or here."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    nb_path = task.notebook.path
    out_path = task.build_dir / f"{task.notebook.name}.ipynb"
    error = cell = source = None
    kernels = task.kernels
    km = kernels.acquire(nb_path.parent, task.timeout) if kernels is not None else None
    try:
        pm.execute_notebook(
            str(nb_path),
            str(out_path),
            parameters=dict(task.parameters),
            kernel_name="python3",
            language="python",
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=task.timeout,
            interrupt_on_timeout=True,  # the cell fails, the notebook (with outputs) is kept
            kernel_manager_class=_venv_kernel_manager(task.threads),
            resources={"metadata": {"path": str(nb_path.parent)}},
            **({"km": km} if km is not None else {}),
        )
    except PapermillExecutionError as exc:
        cell, source, error = exc.exec_count, exc.source, _one_line(f"{exc.ename}: {exc.evalue}")
        if exc.ename == "KeyboardInterrupt":  # interrupted by the cell timeout
            error = (
                f"the cell ran longer than the {task.timeout} s timeout. What to do: make it "
                "faster or raise --timeout."
            )
    except Exception as exc:  # noqa: BLE001 - timeout, dead kernel, unreadable notebook: a failed page
        error = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    if km is not None:
        kernels.release(km, ok=error is None)
    ran = time.perf_counter() - start
    if task.render is not None:
        return task.render.submit(_render_page, task, out_path, error, cell, source, ran)
    return _render_page(task, out_path, error, cell, source, ran)


def _render_page(
    task: _Task, out_path: Path, error: str | None, cell: int | None, source: str | None, ran: float
) -> NotebookResult:
    """The page of a notebook that has run (or failed): its HTML in the build folder and its
    result; ``ran`` is the seconds it took to run (the render's are added)."""
    start = time.perf_counter()
    if out_path.exists():
        executed = nbformat.read(out_path, as_version=4)
    else:
        executed = nbformat.read(task.notebook.path, as_version=4)
        nbformat.write(executed, out_path)
    section = None
    if error is not None:
        index, count, found_source, found = _find_failure(executed)
        if cell is None:
            cell, source = count, found_source
            if found and "Timeout" not in error:
                error = found
        section = _section_of(executed, index)
        error = _html.scrub_paths(_one_line(error), task.paths)
    results = collect_records(executed)
    html = render_notebook_html(
        executed,
        title=task.notebook.title,
        brand=task.brand,
        month=task.month,
        with_code=task.with_code,
        error=error,
        failed_cell=cell,
        notebook=task.notebook.name,
        paths=task.paths,
    )
    (task.build_dir / f"{task.notebook.name}.html").write_text(html, encoding="utf-8")
    return NotebookResult(
        brand=task.brand,
        notebook=task.notebook.name,
        title=task.notebook.title,
        status="ok" if error is None else "failed",
        parameters=dict(task.parameters),
        results=results,
        error=error,
        cell=cell,
        cell_source=source,
        duration_s=ran + time.perf_counter() - start,
        section=section,
    )


def run_report(
    workspace: str | Path = "data",
    month: str | None = None,
    *,
    brands: Iterable[str] | None = None,
    notebooks_dir: str | Path | None = None,
    only: Iterable[str] | None = None,
    reports_dir: str | Path = "reports",
    jobs: int | None = None,
    timeout: int = 600,
    parameters: Mapping[str, Any] | None = None,
    parameters_from_text: bool = False,
    with_code: bool = False,
    ingest: bool = True,
    progress: bool = False,
    echo: Callable[[str], None] = print,
) -> ReportResult:
    """Run the monthly report for ``month`` and every brand (or ``brands``).

    Parameters
    ----------
    workspace, reports_dir
        The workspace folder (one sub-folder per brand), and the output root: each brand's
        month goes to ``<reports_dir>/<brand>/<month>/``.
    month, brands
        ``YYYY-MM`` (default: the last complete month); brand slugs (default: every brand of
        the workspace, skipping loudly those with nothing to report in ``month``).
    notebooks_dir, only
        Where report notebooks live (default ``./notebooks``); run only these of them (names
        without ``.ipynb``; default: all).
    jobs, timeout
        Notebooks run at once (default: the number of cores); seconds a cell may run before
        its notebook is failed.
    parameters
        Extra notebook parameters: ``name`` for every notebook declaring it, or
        ``notebook.name`` for one notebook. Validated before anything runs.
    parameters_from_text
        The values are command-line strings; convert them to the declared types.
    with_code, ingest, progress, echo
        Include code cells in the HTML; ingest new raw files first (rejected files are reported,
        not fatal); show a progress bar; where progress and problems are written.

    Returns
    -------
    ReportResult
        ``.ok`` is False when any notebook failed (its page and index entry say so).

    Raises
    ------
    ParameterError
        Unknown or ill-typed parameters, a malformed month, or an unknown brand; nothing has run.
    """
    started, t0 = dt.datetime.now(dt.UTC), time.perf_counter()
    workspace, reports_dir = Path(workspace).resolve(), Path(reports_dir).resolve()
    month = periods.check_month(month or periods.last_complete_month(), what="--month")
    notebooks = _select_notebooks(notebooks_dir, only)
    chosen = choose_brands(workspace, brands)
    # Every parameter of every task is validated before anything runs.
    user = _split_user_parameters(parameters or {}, notebooks)
    settings = (month, workspace, reports_dir, parameters_from_text, timeout, with_code)
    tasks = [_plan_task(b, nb, user[nb.name], *settings) for b in chosen for nb in notebooks]
    ws = _open_workspace(workspace)
    jobs = _zygote.workers(jobs)
    finish = _Finisher(
        ws, workspace, reports_dir, month, notebooks, keep_others=bool(only), started=started,
        t0=t0, extra={"with_code": with_code, "jobs": jobs},
    )  # fmt: skip
    runner = _Runner(jobs, tasks, reports_dir, progress, echo, finish)
    try:  # kernels warm up while the brands are checked; a brand's notebooks start once it is
        rejected = _validate_and_ingest(ws, chosen, ingest, echo)
        for brand in _reportable(ws, chosen, month, bool(brands), echo):
            runner.submit([t for t in tasks if t.brand == brand])
        results = runner.collect()
        index_paths = finish.wait()
    finally:  # a run that stops starts nothing more and leaves no half-built folder
        runner.close()
        finish.close()
        for build_dir in {t.build_dir for t in tasks}:
            shutil.rmtree(build_dir, ignore_errors=True)
    return ReportResult(
        month, reports_dir, tuple(results), index_paths, write_top_index(reports_dir),
        tuple(rejected), time.perf_counter() - t0,
    )  # fmt: skip


def _select_notebooks(
    notebooks_dir: str | Path | None, only: Iterable[str] | None
) -> list[ReportNotebook]:
    """The report notebooks to run: every one in ``notebooks_dir``, or the ``only`` named."""
    notebooks = discover_notebooks(notebooks_dir)
    if not notebooks:
        raise ParameterError(
            f"no report notebooks in {Path(notebooks_dir or _default_notebooks_dir())}. What to do: "
            'mark one with notebook metadata {"socialnb": {"report": true}}.'
        )
    if not only:
        return notebooks
    wanted = list(only)
    names = [nb.name for nb in notebooks]
    missing = [n for n in wanted if n not in names]
    if missing:
        raise ParameterError(
            f"no report notebook named {', '.join(missing)}. Report notebooks: {', '.join(names)}."
        )
    return [nb for nb in notebooks if nb.name in wanted]


def _plan_task(
    brand: str,
    nb: ReportNotebook,
    user: Mapping[str, Any],
    month: str,
    workspace: Path,
    reports_dir: Path,
    from_text: bool,
    timeout: int,
    with_code: bool,
) -> _Task:
    """One (brand, notebook) task with its parameters checked against the parameters cell."""
    build_dir = _build_dir(reports_dir, brand, month)
    standard = {
        "workspace": str(workspace),
        "brand": brand,
        "month": month,
        "report_dir": str(build_dir),
    }
    typed = validate_parameters(nb, {k: v for k, v in standard.items() if k in nb.parameters})
    typed.update(validate_parameters(nb, user, from_text=from_text))
    paths = _report_paths(workspace, reports_dir, brand, month, build_dir)
    return _Task(brand, nb, typed, build_dir, timeout, with_code, month, paths)


def _validate_and_ingest(
    ws: Any, brands: list[str], ingest: bool, echo: Callable[[str], None]
) -> list[str]:
    """Check every plan file of ``brands`` in full (a ConfigError stops the run: exit 2), then
    ingest their new exports; returns the rejected files."""
    for brand in brands:
        ws.validate(brand)
    return _ingest(ws, brands, echo) if ingest else []


def _reportable(
    ws: Any, brands: list[str], month: str, named: bool, echo: Callable[[str], None]
) -> Iterator[str]:
    """The brands with something to report in ``month``, each as soon as it is checked.

    Brands asked for by name must each have something to report (all are checked before the
    first is given); on the schedule (every brand) a brand with nothing this month is skipped,
    loudly, and the run stops only when no brand is left.
    """
    if named:
        check_reportable(ws, brands, month)
        yield from brands
        return
    check_reportable(ws, [], month)  # a month in the future stops the whole run
    skipped = []
    for brand in brands:
        try:
            check_reportable(ws, [brand], month)
        except ParameterError as exc:
            skipped.append(exc)
            echo(f"skipped {brand}: {exc}")
            continue
        yield brand
    if len(skipped) == len(brands):
        raise skipped[0]


class _Runner:
    """The notebooks of a run on ``jobs`` warm kernels (one per worker, reset between notebooks;
    ``SOCIALNB_KERNEL_REUSE=0``: a fresh kernel for every notebook).

    Kernels start warming up when the runner is made; each brand's notebooks are submitted as
    soon as the brand is checked, longest first; each brand is handed to ``finish`` as soon as
    its last page is done.
    """

    def __init__(
        self,
        jobs: int,
        tasks: list[_Task],
        reports_dir: Path,
        progress: bool,
        echo: Callable[[str], None],
        finish: _Finisher,
    ) -> None:
        self._echo, self._finish = echo, finish
        month, n_tasks = (tasks[0].month, len(tasks)) if tasks else ("", 0)
        self._month = month
        self._expected = _expected_seconds(reports_dir)
        self._futures: dict[cf.Future, _Task] = {}
        self._order: list[tuple[str, str]] = []
        self._bar = None
        if progress:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=n_tasks, desc=f"report {month}", unit="notebook")
        reuse = _zygote.reuse_kernels()
        self._threads = _zygote._threads_per_kernel(jobs)
        self._kernels = _KernelPool(self._threads) if reuse else None
        self._pool = cf.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="socialnb-report")
        self._render = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="socialnb-render")
        if self._kernels is not None and tasks:
            cwd, timeout = tasks[0].notebook.path.parent, tasks[0].timeout
            self._kernels.prewarm(self._pool, min(jobs, n_tasks), cwd, timeout)

    def submit(self, tasks: list[_Task]) -> None:
        """Start one brand's notebooks (in a clean build folder), longest first."""
        if not tasks:
            return
        build_dir = tasks[0].build_dir
        _remove_stale_builds(build_dir.parent, self._month)
        if build_dir.exists():
            shutil.rmtree(build_dir)
        build_dir.mkdir(parents=True)
        self._finish.expect(tasks[0].brand, len(tasks))
        self._order += [(t.brand, t.notebook.name) for t in tasks]
        for task in _schedule(tasks, self._expected):
            task = replace(task, kernels=self._kernels, threads=self._threads, render=self._render)
            fut = self._pool.submit(_run_task, task)
            self._futures[fut] = task

    def collect(self) -> list[NotebookResult]:
        """Every submitted notebook's result, in the order submitted (brands, then notebooks)."""
        if self._bar is not None:
            self._bar.total = len(self._futures)
        results = []
        running = dict(self._futures)  # notebooks running -> their task
        rendering: dict[cf.Future, _Task] = {}  # pages being rendered -> their task
        while running or rendering:
            done, _ = cf.wait([*running, *rendering], return_when=cf.FIRST_COMPLETED)
            for fut in done:
                task = running.pop(fut, None) or rendering.pop(fut)
                if fut.exception() is None and isinstance(fut.result(), cf.Future):
                    rendering[fut.result()] = task  # ran: its page is being rendered
                    continue
                res = _result_of(fut, task)
                results.append(res)
                self._finish.done(res)  # a brand's last page starts putting its month together
                if self._bar is not None:
                    self._bar.update(1)
                if not res.ok:
                    self._echo(f"FAILED {res.describe_failure()}")
        order = {key: i for i, key in enumerate(self._order)}
        return sorted(results, key=lambda r: order[(r.brand, r.notebook)])

    def close(self) -> None:
        """Cancel what has not started, wait for the notebooks that have (not for a kernel still
        warming up: a run refused before its first notebook returns at once), and shut the
        kernels down."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        cf.wait(self._futures)
        self._render.shutdown(wait=True)  # the pages of the notebooks that ran
        if self._kernels is not None:
            self._kernels.close()
        if self._bar is not None:
            self._bar.close()


def _result_of(fut: cf.Future, task: _Task) -> NotebookResult:
    """The task's result, or a failed page's when running or rendering it raised."""
    try:
        return fut.result()
    except Exception as exc:  # noqa: BLE001 - one notebook's fault must not stop the others
        return NotebookResult(
            brand=task.brand,
            notebook=task.notebook.name,
            title=task.notebook.title,
            status="failed",
            parameters=dict(task.parameters),
            results={},
            error=_html.scrub_paths(_one_line(f"{type(exc).__name__}: {exc}"), task.paths),
        )


def _expected_seconds(reports_dir: Path, newest: int = 20) -> dict[str, float]:
    """Each notebook's run time in the newest reports (for scheduling; empty when none)."""
    summaries = sorted(
        reports_dir.glob("*/*/summary.json"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    seconds: dict[str, float] = {}
    for path in summaries[:newest]:
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        for name, entry in summary.items():
            if name != _SUMMARY_RUN_KEY and isinstance(entry.get("seconds"), (int, float)):
                seconds.setdefault(name, float(entry["seconds"]))
    return seconds


def _schedule(tasks: list[_Task], expected: Mapping[str, float]) -> list[_Task]:
    """The order a brand's notebooks start in: longest first (as the last reports timed them; one
    never timed counts as longest), so that the slowest is not the one that starts last."""
    return sorted(tasks, key=lambda t: -expected.get(t.notebook.name, float("inf")))


def _build_dir(reports_dir: Path, brand: str, month: str) -> Path:
    """Where this process builds a brand's month before swapping it into place."""
    return reports_dir / brand / f".tmp-{month}-{os.getpid()}"


class _Finisher:
    """Puts each brand's month together (summary.json, the index, the swap into place) on a
    thread of its own as soon as the brand's last page is done, while other brands' notebooks
    still run."""

    def __init__(
        self,
        ws: Any,
        workspace: Path,
        reports_dir: Path,
        month: str,
        notebooks: list[ReportNotebook],
        *,
        keep_others: bool,
        started: dt.datetime,
        t0: float,
        extra: Mapping[str, Any],
    ) -> None:
        self._ws, self._workspace, self._month = ws, workspace, month
        self._reports_dir = reports_dir
        self._keep_others, self._started, self._t0, self._extra = keep_others, started, t0, extra
        self._defaults = {
            nb.name: {k: d for k, (_t, d) in nb.parameters.items()} for nb in notebooks
        }
        self._order = {nb.name: i for i, nb in enumerate(notebooks)}
        self._lock = threading.Lock()
        self._left: dict[str, int] = {}  # brand -> pages not done yet
        self._results: dict[str, list[NotebookResult]] = {}
        self._facts: dict[str, cf.Future] = {}
        self._futures: dict[str, cf.Future] = {}
        self._pool = cf.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="socialnb-finish", initializer=_yield_to_kernels
        )

    def expect(self, brand: str, pages: int) -> None:
        """A brand whose ``pages`` notebooks start now: read what its index needs from the
        warehouse meanwhile."""
        with self._lock:
            self._left[brand], self._results[brand] = pages, []
        tz, _name = _brand_zone_and_name(self._ws, self._workspace, brand)
        self._facts[brand] = self._pool.submit(_brand_facts, self._ws, brand, self._month, tz)

    def done(self, result: NotebookResult) -> None:
        """Count one page of a brand; the brand's last one starts putting its month together."""
        brand = result.brand
        with self._lock:
            self._results[brand].append(result)
            self._left[brand] -= 1
            if self._left[brand]:
                return
            mine = sorted(self._results[brand], key=lambda r: self._order[r.notebook])
            self._futures[brand] = self._pool.submit(self._finish, brand, mine)

    def _finish(self, brand: str, mine: list[NotebookResult]) -> Path:
        build_dir = _build_dir(self._reports_dir, brand, self._month)
        if self._keep_others:  # the month's other pages stay: copied from its current report
            mine = _keep_other_pages(self._reports_dir / brand / self._month, build_dir, mine)
        return _finish_brand(
            self._ws, self._workspace, brand, self._month, mine, self._defaults, build_dir,
            self._reports_dir, started=self._started, t0=self._t0, extra=self._extra,
            facts=self._facts[brand].result(),
        )  # fmt: skip

    def wait(self) -> dict[str, Path]:
        """Each brand's index page, in the brands' order (raises what putting one together raised)."""
        return {b: self._futures[b].result() for b in self._left if b in self._futures}

    def close(self) -> None:
        """Cancel the brands not started yet and wait for the one being put together."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _yield_to_kernels() -> None:
    """Lower the calling thread's CPU priority a little (on Linux a thread is scheduled on its
    own), so that the index's reads of the warehouse, which are needed only when a brand's last
    page is done, give way to the kernels warming up and running notebooks."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):  # not allowed here: the thread keeps its priority
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + 5))
