"""The monthly report: run every report notebook with papermill, render self-contained HTML, and
write ``reports/<brand>/<YYYY-MM>/`` atomically with an index and a ``summary.json``.

A notebook takes part in the report when its metadata says so::

    {"socialnb": {"report": true, "order": 10}}

(``order`` sorts the notebooks on the index). Each report notebook declares ``brand`` and
``month`` (and usually ``workspace``) in its ``parameters`` cell; ``report_dir`` is passed when
declared (the folder the rendered report is built in, for files such as a calendar draft). Other
parameters keep their defaults unless given.

Layout of one report::

    reports/index.html                        every brand and month
    reports/<brand>/<YYYY-MM>/index.html       headline numbers, status, parameters, freshness
    reports/<brand>/<YYYY-MM>/<notebook>.html  one self-contained page per notebook
    reports/<brand>/<YYYY-MM>/<notebook>.ipynb the executed notebook (an immutable record)
    reports/<brand>/<YYYY-MM>/summary.json     {"<notebook>": {"status", "error", "parameters",
                                               "results"}, "_run": {run metadata}}
    reports/<brand>/.history/<YYYY-MM>/<UTC timestamp>/   earlier runs of the same month

Atomicity: a run builds in ``reports/<brand>/.tmp-<YYYY-MM>-<pid>/``; only when every page is
written does it move the previous report to ``.history`` and rename the new folder into place
(two renames on one file system). A run that dies midway leaves the previous report untouched
(and a ``.tmp-*`` folder that the next run removes).
"""

from __future__ import annotations

import ast
import concurrent.futures as cf
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd

from . import _html
from ._record import RECORD_MIMETYPE, to_jsonable
from .errors import ConfigError, ParameterError, SocialnbError

__all__ = [
    "ReportNotebook",
    "NotebookResult",
    "ReportResult",
    "discover_notebooks",
    "validate_parameters",
    "last_complete_month",
    "collect_records",
    "run_report",
    "render_notebook_html",
    "render_executed",
    "write_top_index",
    "report_command",
    "check_reportable",
    "write_pdf",
    "find_chromium",
    "STANDARD_PARAMETERS",
]

#: Parameters the report supplies to every notebook that declares them.
STANDARD_PARAMETERS: tuple[str, ...] = ("workspace", "brand", "month", "report_dir")
#: Parameters every report notebook must declare.
REQUIRED_PARAMETERS: tuple[str, ...] = ("brand", "month")

_SUMMARY_RUN_KEY = "_run"


# --- notebooks and their parameters ---------------------------------------------------------


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
    return Path(__file__).resolve().parent.parent / "notebooks"


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


def last_complete_month(today: dt.date | None = None) -> str:
    """The last calendar month that has ended (``YYYY-MM``): in November, October."""
    today = today or dt.date.today()
    first = today.replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def _check_month(month: str) -> str:
    try:
        dt.datetime.strptime(month, "%Y-%m")
    except (TypeError, ValueError):
        raise ParameterError(
            f"--month {month!r} is not a month. What to do: pass it as YYYY-MM, e.g. 2026-10."
        ) from None
    return month


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotebookResult:
    """The outcome of one (brand, notebook) run."""

    brand: str
    notebook: str
    title: str
    status: str  # "ok" | "failed"
    parameters: Mapping[str, Any]
    results: Mapping[str, Any]
    error: str | None = None
    cell: int | None = None  # execution count ("In [n]") of the failing cell
    cell_source: str | None = None
    duration_s: float = 0.0
    section: str | None = None  # heading of the section the failing cell belongs to

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def describe_failure(self) -> str:
        """One line: which notebook failed, in which section (its heading), with what."""
        where = f"{self.brand}/{self.notebook}"
        if self.section:
            where += f': section "{self.section}" failed'
        elif self.cell is not None:
            where += f" failed at cell {self.cell}"
        else:
            where += " failed"
        return f"{where}: {self.error}"


@dataclass(frozen=True)
class ReportResult:
    """Everything one ``socialnb report`` run produced."""

    month: str
    reports_dir: Path
    notebooks: tuple[NotebookResult, ...]
    index_paths: Mapping[str, Path]
    top_index: Path | None
    rejected_files: tuple[str, ...] = ()
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every notebook of every brand ran without error."""
        return all(r.ok for r in self.notebooks)

    @property
    def failures(self) -> tuple[NotebookResult, ...]:
        return tuple(r for r in self.notebooks if not r.ok)

    def to_frame(self) -> pd.DataFrame:
        """One row per (brand, notebook): status, failing section and cell, error, seconds, page."""
        rows = [
            {
                "brand": r.brand,
                "notebook": r.notebook,
                "status": r.status,
                "section": r.section,
                "cell": r.cell,
                "error": r.error,
                "seconds": round(r.duration_s, 2),
                "html": str(self.reports_dir / r.brand / self.month / f"{r.notebook}.html"),
            }
            for r in self.notebooks
        ]
        columns = ["brand", "notebook", "status", "section", "cell", "error", "seconds", "html"]
        return pd.DataFrame(rows, columns=columns)


# --- executing one notebook -----------------------------------------------------------------


@lru_cache(maxsize=1)
def _venv_kernel_manager():
    """A kernel manager that always starts ``sys.executable -m ipykernel_launcher``.

    ``kernel_name="python3"`` resolves through the Jupyter path, where a user-level kernelspec
    could point at another Python; this one cannot.
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec
    from traitlets import CaselessStrEnum

    class VenvKernelManager(AsyncKernelManager):
        # The kernel listens on localhost TCP; CurveZMQ keys keep that traffic private.
        transport_encryption = CaselessStrEnum(
            ["disabled", "auto", "required"], default_value="auto", config=True
        )

        @property
        def kernel_spec(self):  # type: ignore[override]
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(
                    argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    display_name=f"Python {sys.version_info.major}.{sys.version_info.minor}",
                    language="python",
                    resource_dir="",
                    env={
                        "PYTHONPATH": _kernel_pythonpath(),
                        # figures must come back as inline PNG even when the caller set
                        # MPLBACKEND=Agg (test runners and headless schedulers do)
                        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
                    },
                    metadata={"supported_encryption": ["curve"]},
                )
            return self._kernel_spec

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own log lines (shutdown chatter) are noise in a scheduler's log; cell
            # errors, dead kernels and timeouts still reach the report through nbclient.
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return VenvKernelManager


# Run in a reused kernel before each notebook (silently: no output, no execution count), so the
# notebook meets the state of a fresh kernel whose stack is already imported: an empty namespace,
# execution count 1, matplotlib's and pandas' settings, warning filters, numpy's error handling,
# sys.path, the working folder and the attributes of socialnb's modules as they were right after
# the warm-up, no open figure. (An object changed in place inside a third-party module is not
# undone: notebooks are narrative over package calls and do not patch libraries.)
_KERNEL_WARMUP = """\
import os as _os, sys as _sys, types as _types, warnings as _warnings
import numpy as _np, pandas as _pd, matplotlib as _mpl, matplotlib.pyplot as _plt
import seaborn as _sns, duckdb as _duckdb, statsmodels.api as _sm, scipy.stats as _ss
import socialnb as _socialnb
_state = _types.ModuleType("_socialnb_kernel_state")
_state.rc = _mpl.rcParams.copy()
_state.pd_options = {k: _pd.get_option(k) for k in _pd._config.config._registered_options}
_state.filters = list(_warnings.filters)
_state.np_err = _np.geterr()
_state.sys_path = list(_sys.path)
_state.modules = {
    _n: (_m, dict(vars(_m)))
    for _n, _m in list(_sys.modules.items())
    if _n == "socialnb" or _n.startswith("socialnb.")
}
_sys.modules["_socialnb_kernel_state"] = _state
"""

_KERNEL_RESET = """\
import os as _os, sys as _sys, warnings as _warnings
import numpy as _np, pandas as _pd, matplotlib as _mpl, matplotlib.pyplot as _plt
_state = _sys.modules["_socialnb_kernel_state"]
_plt.close("all")
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    _mpl.rcParams.update(_state.rc)
    for _k, _v in _state.pd_options.items():
        if _pd.get_option(_k) != _v:
            _pd.set_option(_k, _v)
_warnings.filters[:] = _state.filters
getattr(_warnings, "_filters_mutated", lambda: None)()
_np.seterr(**_state.np_err)
_sys.path[:] = _state.sys_path
for _n in [_n for _n in _sys.modules if _n == "socialnb" or _n.startswith("socialnb.")]:
    if _n not in _state.modules:
        del _sys.modules[_n]  # imported by the last notebook: imported afresh when needed
for _n, (_m, _d) in _state.modules.items():  # socialnb's modules as the warm-up left them
    _sys.modules[_n] = _m
    vars(_m).clear()
    vars(_m).update(_d)
_os.chdir({cwd!r})
get_ipython().reset(new_session=True)
"""

_KERNEL_MAX_USES = 20  # a kernel runs at most this many notebooks, then a fresh one starts


class _KernelPool:
    """One warm kernel per worker thread, reused across notebooks.

    A kernel imports the stack once (``_KERNEL_WARMUP``) and is reset before each notebook
    (``_KERNEL_RESET``). After a failed notebook (an error, a timeout, a dead kernel) or a failed
    reset the kernel is shut down and the next notebook gets a fresh one, so a failure never
    reaches the next notebook.
    """

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._kernels: dict[int, tuple[Any, int]] = {}  # thread id -> (manager, uses)

    def acquire(self, cwd: Path, timeout: int) -> Any | None:
        """A started kernel manager reset for a new notebook, or None to run in a fresh kernel."""
        import threading

        from jupyter_core.utils import run_sync

        tid = threading.get_ident()
        with self._lock:
            km, uses = self._kernels.pop(tid, (None, 0))
        try:
            if km is None or uses >= _KERNEL_MAX_USES:
                if km is not None:
                    self._shutdown(km)
                km, uses = _venv_kernel_manager()(), 0
                run_sync(km.start_kernel)(
                    cwd=str(cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"]
                )
                run_sync(self._execute)(km, _KERNEL_WARMUP, timeout)
            run_sync(self._execute)(km, _KERNEL_RESET.format(cwd=str(cwd)), timeout)
        except Exception:
            if km is not None:
                self._shutdown(km)
            return None
        with self._lock:
            self._kernels[tid] = (km, uses + 1)
        return km

    def release(self, km: Any, ok: bool) -> None:
        """After a notebook: keep ``km`` for the next one if the notebook ran clean."""
        import threading

        if ok:
            return
        with self._lock:
            for tid, (kept, _uses) in list(self._kernels.items()):
                if kept is km and tid == threading.get_ident():
                    del self._kernels[tid]
        self._shutdown(km)

    def close(self) -> None:
        with self._lock:
            kms = [km for km, _uses in self._kernels.values()]
            self._kernels.clear()
        for km in kms:
            self._shutdown(km)

    @staticmethod
    def _shutdown(km: Any) -> None:
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):  # already dead: nothing to stop
            run_sync(km.shutdown_kernel)(now=True)

    @staticmethod
    async def _execute(km: Any, code: str, timeout: int) -> None:
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive(
                code, silent=True, store_history=False, timeout=timeout, output_hook=lambda m: None
            )
            if reply["content"]["status"] != "ok":
                content = reply["content"]
                raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")
        finally:
            kc.stop_channels()


def _kernel_pythonpath() -> str:
    """PYTHONPATH for the kernel: this socialnb first, so the kernel imports the same package."""
    here = str(Path(__file__).resolve().parent.parent)
    rest = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join(p for p in (here, rest) if p)


def collect_records(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The ``socialnb.record`` values of an executed notebook, in order (last one wins)."""
    results: dict[str, Any] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            if RECORD_MIMETYPE in data:
                payload = data[RECORD_MIMETYPE]
                if isinstance(payload, str):
                    payload = json.loads(payload)
                # value_json keeps the recorded key order (nbformat sorts JSON keys on save)
                if isinstance(payload.get("value_json"), str):
                    results[str(payload["name"])] = json.loads(payload["value_json"])
                else:
                    results[str(payload["name"])] = payload.get("value")
    return results


def _find_failure(
    nb: nbformat.NotebookNode,
) -> tuple[int | None, int | None, str | None, str | None]:
    """The failing cell of an executed notebook: (index, execution count, source, error)."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                error = _one_line(f"{out.ename}: {out.evalue}")
                return i, cell.get("execution_count"), cell.source, error
        if cell.get("metadata", {}).get("papermill", {}).get("exception"):
            return i, cell.get("execution_count"), cell.source, None
    return None, None, None, None


def _find_error(nb: nbformat.NotebookNode) -> tuple[int | None, str | None, str | None]:
    _index, count, source, error = _find_failure(nb)
    return count, source, error


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def _section_of(nb: nbformat.NotebookNode, index: int | None) -> str | None:
    """The heading of the section cell ``index`` belongs to: the nearest markdown heading above
    it (None when there is none)."""
    if index is None:
        return None
    for cell in reversed(nb.cells[: index + 1]):
        if cell.cell_type != "markdown":
            continue
        headings = [m.group(1) for m in map(_HEADING.match, cell.source.splitlines()) if m]
        if headings:
            return re.sub(r"[*_`]", "", headings[-1]).strip() or None
    return None


_ONE_LINE_MAX = 300
_WHAT_TO_DO = "What to do:"


def _one_line(text: str) -> str:
    """An error message as one readable line: its first line, escaped newlines and runs of
    spaces collapsed (a ``KeyError`` quotes its message), the part before any "What to do:" at
    most 300 characters."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    line = lines[0] if lines else str(text).strip()
    line = re.sub(r"\s+", " ", line.replace("\\n", " "))
    why, sep, todo = line.partition(_WHAT_TO_DO)
    if len(why.rstrip()) > _ONE_LINE_MAX:
        why = why[: _ONE_LINE_MAX - 1].rstrip() + "\u2026" + (" " if sep else "")
    return why + sep + todo


def _failure_advice(error: str | None, notebook: str) -> tuple[str, str]:
    """Split a failure into (why, what to do) for a reader of the report.

    An error raised on purpose by socialnb says what to do itself; anything else is a fault in
    the notebook or the package, and the advice points at the executed notebook kept beside the
    page (which holds the full traceback).
    """
    text = (error or "the notebook did not finish").strip()
    if _WHAT_TO_DO in text:
        why, todo = text.split(_WHAT_TO_DO, 1)
        return why.strip().rstrip("."), todo.strip().rstrip(".") + "."
    name = text.split(":", 1)[0]
    if name in _SOCIALNB_ERRORS:
        todo = "fix what the message names, then run `socialnb report` again."
    else:
        todo = (
            "this is a fault in the notebook or in socialnb, not in your files. The executed "
            f"notebook {notebook}.ipynb beside this page holds the full error: send it to "
            "whoever maintains the report."
        )
    return text.rstrip("."), todo


def _subclass_names(cls: type) -> set[str]:
    return {cls.__name__}.union(*(_subclass_names(c) for c in cls.__subclasses__()))


_SOCIALNB_ERRORS = frozenset(_subclass_names(SocialnbError))


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("socialnb")
    except Exception:
        return "dev"


def render_notebook_html(
    nb: nbformat.NotebookNode | str | Path,
    *,
    title: str | None = None,
    brand: str = "",
    month: str = "",
    with_code: bool = False,
    error: str | None = None,
    failed_cell: int | None = None,
    notebook: str = "",
    paths: Iterable[tuple[str, str]] = (),
) -> str:
    """Render an executed notebook to one self-contained, script-free HTML page.

    Code cells are hidden unless ``with_code``; ``socialnb.record`` outputs are dropped; every
    piece of HTML from the notebook passes a tag whitelist that escapes anything else (so a
    caption ``<img src=x onerror=alert(1)>`` shows as text); figures are embedded PNG; the page
    carries a Content-Security-Policy that forbids scripts and requests to any other host.

    A failed notebook (``error`` given) gets a plain notice instead of a traceback: the section
    that failed (the heading above the failing cell), why in one line, and what to do; the page
    stops at the failing cell, and error outputs are never shown (the executed notebook keeps
    them). No absolute path of the machine reaches the page: each ``(folder, shown)`` pair of
    ``paths`` is shown as ``shown``, any other absolute path as its file name.
    """
    if not isinstance(nb, nbformat.NotebookNode):
        path = Path(nb)
        nb = nbformat.read(path, as_version=4)
        title = title or _notebook_title(nb, path.stem)
        notebook = notebook or path.stem
    paths = tuple(paths)

    def scrub(text: str) -> str:
        return _html.scrub_paths(text, paths)

    index = section = None
    why, advice = None, ""
    if error is not None:
        index, count, _source, _found = _find_failure(nb)
        failed_cell = failed_cell if failed_cell is not None else count
        section = _section_of(nb, index)
        why, advice = _failure_advice(_one_line(error), notebook or "the")
    return _html.render_notebook(
        nb,
        title=title or "Notebook",
        brand=brand,
        month=month,
        with_code=with_code,
        error=why,
        failed_cell=failed_cell,
        version=_version(),
        section=section,
        advice=advice,
        failed_index=index,
        notebook=notebook,
        scrub=scrub,
    )


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


def _run_task(task: _Task) -> NotebookResult:
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
            kernel_manager_class=_venv_kernel_manager(),
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
    except Exception as exc:  # timeout, dead kernel, unreadable notebook: still a failed page
        error = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    if km is not None:
        kernels.release(km, ok=error is None)
    if out_path.exists():
        executed = nbformat.read(out_path, as_version=4)
    else:
        executed = nbformat.read(nb_path, as_version=4)
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
        duration_s=time.perf_counter() - start,
        section=section,
    )


# --- the index pages ------------------------------------------------------------------------


def _month_end_utc(month: str, tz: str) -> pd.Timestamp:
    start = pd.Timestamp(f"{month}-01")
    return (start + pd.offsets.MonthBegin(1)).tz_localize(tz).tz_convert("UTC")


def _freshness(workspace: Any, brand: str, month: str, tz: str) -> list[dict[str, Any]]:
    """Newest export time per platform, and whether it predates the month's end."""
    if workspace is None:
        return []
    try:
        posts = workspace.posts(brand)
    except Exception:
        return []
    if posts is None or len(posts) == 0 or "exported_at" not in posts:
        return []
    end = _month_end_utc(month, tz)
    latest = pd.to_datetime(posts["exported_at"], utc=True).groupby(posts["platform"]).max()
    return [
        {
            "platform": str(platform),
            "latest": None if pd.isna(ts) else ts.strftime("%Y-%m-%d %H:%M UTC"),
            "stale": bool(pd.isna(ts) or ts < end),
        }
        for platform, ts in latest.sort_index().items()
    ]


def _package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in ("socialnb", "papermill", "nbconvert", "pandas", "duckdb", "statsmodels"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _pages(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(file name, title)`` of the month's pages: the index first, then each notebook's."""
    return [("index.html", "Summary")] + [
        (f"{name}.html", str(entry.get("title") or name))
        for name, entry in summary.items()
        if name != _SUMMARY_RUN_KEY
    ]


def _link_pages(build_dir: Path, summary: Mapping[str, Any]) -> None:
    """Write the bar of links to the month's other pages into every notebook page."""
    pages = _pages(summary)
    for href, _title in pages[1:]:
        path = build_dir / href
        if path.is_file():
            html = path.read_text(encoding="utf-8")
            path.write_text(_html.set_nav(html, _html.nav_bar(pages, href)), encoding="utf-8")


_TAKEAWAY_LINE = re.compile(r"^\s*[-*]\s+(?P<text>.+?)\s+\*\(table:\s*(?P<table>[^)]+)\)\*\s*$")


def _takeaways(summary: Mapping[str, Any], build_dir: Path) -> list[dict[str, Any]]:
    """The takeaways of every page, each with the link to its section.

    A page records them as ``takeaways`` (a list of ``{"text", "table"}`` or of text); a page
    that shows them as a markdown list whose items end in ``*(table: NAME)*`` (the retro's
    executive summary) is read from its executed notebook. The link goes to the page's first
    heading that begins with the table's name; a takeaway whose section is not found links to
    its page.
    """
    found: list[tuple[str, str, str | None]] = []
    for name, entry in summary.items():
        if name == _SUMMARY_RUN_KEY or entry.get("status") != "ok":
            continue
        recorded = (entry.get("results") or {}).get("takeaways")
        if isinstance(recorded, list):
            for item in recorded:
                if isinstance(item, dict) and item.get("text"):
                    found.append((name, str(item["text"]), item.get("table")))
                elif isinstance(item, str):
                    found.append((name, item, None))
            continue
        path = build_dir / f"{name}.ipynb"
        if not path.is_file():
            continue
        try:
            cells = nbformat.read(path, as_version=4).cells
        except Exception:  # an unreadable executed notebook: its page says what went wrong
            continue
        for cell in cells:
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                text = out.get("data", {}).get("text/markdown", "")
                for line in str(text).splitlines():
                    m = _TAKEAWAY_LINE.match(line)
                    if m:
                        found.append((name, m.group("text"), m.group("table").strip()))
    out = []
    for name, text, table in found:
        page = build_dir / f"{name}.html"
        headings = _html.heading_ids(page.read_text(encoding="utf-8")) if page.is_file() else []
        anchor = None
        if table:
            wanted = str(table).strip().lower()
            anchor = next((i for i, t in headings if t.lower().startswith(wanted)), None)
        href = f"{name}.html" + (f"#{anchor}" if anchor else "")
        out.append({"text": text, "table": table, "href": href})
    return out


def _delivery(summary: Mapping[str, Any]) -> dict[str, Any] | None:
    """Planned, shipped and published posts from a page's records (the retro's), in words."""
    for name, entry in summary.items():
        results = entry.get("results") if name != _SUMMARY_RUN_KEY else None
        if not results or "published_posts" not in results:
            continue
        planned, rate = results.get("planned_posts"), results.get("delivery_rate")
        shipped = None
        if isinstance(planned, int) and isinstance(rate, (int, float)):
            shipped = round(rate * planned)  # delivery rate = shipped / planned
        return {
            "page": f"{name}.html",
            "planned": planned,
            "shipped": shipped,
            "rate": rate,
            "published": results.get("published_posts"),
        }
    return None


def _readable_results(results: Mapping[str, Any]) -> dict[str, Any]:
    """A page's records for the index: named in words; planned/published/delivery rate read as
    "57 of 62 planned posts shipped" (published counts planned and unplanned posts alike)."""
    out: dict[str, Any] = {}
    results = dict(results)
    planned, rate = results.get("planned_posts"), results.get("delivery_rate")
    if isinstance(planned, int) and isinstance(rate, (int, float)):
        results.pop("planned_posts")
        results.pop("delivery_rate")
        shipped = round(rate * planned)
        out[_html.record_label("shipped_of_planned")] = (
            f"{shipped} of {planned} ({_html.format_scalar(rate, 'percent')})"
        )
    for key, value in results.items():
        out[_html.record_label(key)] = value
    return out


def _plan(summary: Mapping[str, Any]) -> dict[str, Any] | None:
    """Next month's plan from the page that records ``plan_posts`` (the ideation page)."""
    for name, entry in summary.items():
        results = entry.get("results") if name != _SUMMARY_RUN_KEY else None
        if not results or not isinstance(results.get("plan_posts"), list):
            continue
        posts = []
        for p in results["plan_posts"]:
            if not isinstance(p, dict):
                continue
            day = pd.to_datetime(p.get("date"), errors="coerce")
            posts.append(
                {
                    "date": "date open" if pd.isna(day) else f"{day:%a %d %b}",
                    "platform": str(p.get("platform") or ""),
                    "title": str(p.get("title") or p.get("id") or ""),
                    "hours": p.get("effort_hours"),
                    "why": str(p.get("planned_because") or ""),
                }
            )
        hours = pd.to_numeric(pd.Series([p["hours"] for p in posts], dtype=object))
        return {
            "page": f"{name}.html",
            "posts": posts,
            "hours": float(hours.sum(min_count=1)) if len(posts) else None,
            "open_slots": results.get("plan_open_slots"),
        }
    return None


def _month_story(
    ws: Any, brand: str, month: str, summary: Mapping[str, Any], build_dir: Path
) -> dict[str, Any]:
    """What the index tells a leader: the month in numbers with its changes, 12-month trends,
    takeaways, top posts, delivery and next month's plan. A part that cannot be computed is
    left out with the reason (``problems``), never shown as zero."""
    from . import overview

    story: dict[str, Any] = {
        "takeaways": _takeaways(summary, build_dir),
        "delivery": _delivery(summary),
        "plan": _plan(summary),
        "numbers": None,
        "charts": [],
        "views_change": [],
        "top": [],
        "problems": [],
    }
    try:
        posts = ws.posts(brand) if ws is not None else None
        daily = ws.account_daily(brand) if ws is not None else None
    except Exception as exc:  # the pages say more; the index says the numbers are missing
        story["problems"].append(f"the warehouse could not be read ({type(exc).__name__})")
        return story
    if posts is None or not len(posts):
        story["problems"].append("no posts in the warehouse for this brand")
        return story
    try:
        _story_numbers(story, overview.month_in_numbers(posts, daily, month), posts, daily, month)
    except Exception as exc:  # a fault here must not cost the month its index
        story["problems"].append(f"computing them failed ({type(exc).__name__}: {exc})")
    return story


def _story_numbers(
    story: dict[str, Any], numbers: Any, posts: pd.DataFrame, daily: Any, month: str
) -> None:
    from . import metrics as M
    from . import overview

    story["numbers"] = _numbers_view(numbers)
    trend = overview.month_trend(posts, daily, month)
    first = pd.Timestamp(f"{trend['month'].min()}-01") - pd.Timedelta(days=1)
    last = pd.Timestamp(f"{month}-01") + pd.offsets.MonthEnd(0)
    marks = M.views_change_within(first, last, sorted(posts["platform"].dropna().unique()))
    for measure, title in (
        ("followers", "Followers at each month's end"),
        ("engagement_rate", "Engagement rate (engagements ÷ the platform's exposure)"),
        ("exposure", "Exposure (reach, impressions or views, by platform)"),
    ):
        fig = overview.trend_figure(trend, measure, title)
        if fig is None:
            story["problems"].append(f"no {measure.replace('_', ' ')} in the last 12 months")
            continue
        story["charts"].append({"measure": measure, "title": title, "src": _html.png_data_uri(fig)})
    story["views_change"] = [
        f"{p.capitalize()} switched from impressions and plays to Views on {d:%d %B %Y}: "
        "numbers before and after that line are not comparable."
        for p, d in marks.items()
    ]
    top = overview.top_posts(posts, month, n=1)
    story["top"] = [
        {
            "platform": r["platform"],
            "published": r["published"],
            "caption": r["caption"] or "(no caption)",
            "permalink": r["permalink"] if str(r["permalink"]).startswith("http") else "",
            "engagements": _html.format_scalar(r["engagements"]),
            "rate": _html.format_scalar(r["engagement_rate"], "percent"),
            "rank_by": r["rank_by"],
        }
        for r in top.to_dict("records")
    ]


def _numbers_view(numbers: Any) -> dict[str, Any]:
    """The month in numbers as the index template shows them (formatted, with changes)."""
    from . import overview

    prev = pd.Period(numbers.previous_month, "M").strftime("%b %Y")
    ago = pd.Period(numbers.year_ago_month, "M").strftime("%b %Y")
    kind = {"engagement_rate": "percent"}

    def change(x: float) -> str:
        if x != x:
            return "n/a"
        from .plots import format_percent

        return ("+" if x > 0 else "") + format_percent(x, 2)

    table = numbers.table
    total = table[table["platform"] == overview.ALL_PLATFORMS]
    totals = [
        {
            "measure": _html.record_label(r["measure"]).replace("_", " "),
            "key": r["measure"],
            "value": _html.format_scalar(r["value"], kind.get(r["measure"])),
            "previous": _html.format_scalar(r["previous"], kind.get(r["measure"])),
            "vs_previous": change(r["vs_previous"]),
            "year_ago": _html.format_scalar(r["year_ago"], kind.get(r["measure"])),
            "vs_year_ago": change(r["vs_year_ago"]),
            "trend": "up" if r["vs_previous"] > 0 else "down" if r["vs_previous"] < 0 else "",
        }
        for r in total.to_dict("records")
    ]
    platforms = []
    for platform, rows in table[table["platform"] != overview.ALL_PLATFORMS].groupby(
        "platform", sort=False
    ):
        cells = [
            {
                "value": _html.format_scalar(r["value"], kind.get(r["measure"])),
                "vs_previous": change(r["vs_previous"]),
            }
            for r in rows.to_dict("records")
        ]
        platforms.append({"platform": platform, "cells": cells})
    return {
        "month": pd.Period(numbers.month, "M").strftime("%B %Y"),
        "previous": prev,
        "year_ago": ago,
        "totals": totals,
        "measures": [_html.record_label(m).replace("_", " ") for m in numbers.definitions],
        "platforms": platforms,
        "rate_definition": numbers.definitions["engagement_rate"],
        "definitions": [
            (_html.record_label(m).replace("_", " "), text)
            for m, text in numbers.definitions.items()
        ],
    }


def _write_month_index(
    build_dir: Path,
    *,
    brand: str,
    brand_name: str,
    month: str,
    summary: dict[str, Any],
    tz: str,
    paths: Iterable[tuple[str, str]] = (),
    story: Mapping[str, Any] | None = None,
) -> None:
    run = summary[_SUMMARY_RUN_KEY]
    notebooks = []
    for name, entry in summary.items():
        if name == _SUMMARY_RUN_KEY:
            continue
        notebooks.append(
            {
                "name": name,
                "title": entry.get("title", name),
                "href": f"{name}.html",
                "status": entry["status"],
                "error": entry.get("error"),
                "cell": entry.get("cell"),
                "section": entry.get("section"),
                "parameters": entry.get("parameters", {}),
                # a recorded value may name a file: pages show no path of the machine
                "results": _readable_results(_scrub_value(entry.get("results", {}), paths)),
            }
        )
    failed = [n["name"] for n in notebooks if n["status"] != "ok"]
    month_end = (pd.Timestamp(f"{month}-01") + pd.offsets.MonthBegin(1)).strftime("%Y-%m-%d")
    html = _html.render_page(
        "month_index.html.j2",
        brand=brand,
        brand_name=brand_name,
        month=month,
        month_end=f"{month_end} 00:00 {tz}",
        notebooks=notebooks,
        failed=failed,
        freshness=run.get("freshness", []),
        run=run,
        # the charts are embedded PNG: base64 is never a path of the machine
        story=_scrub_value({k: v for k, v in (story or {}).items() if k != "charts"}, paths)
        | {"charts": (story or {}).get("charts", [])},
        nav=_html.nav_bar(_pages(summary), "index.html"),
    )
    (build_dir / "index.html").write_text(html, encoding="utf-8")


def write_top_index(reports_dir: str | Path) -> Path:
    """(Re)write ``reports/index.html`` listing every brand and month that has a report."""
    reports_dir = Path(reports_dir)
    brands = []
    for brand_dir in sorted(p for p in reports_dir.iterdir() if p.is_dir()):
        months = []
        name = brand_dir.name
        for month_dir in sorted(brand_dir.iterdir(), reverse=True):
            summary_path = month_dir / "summary.json"
            if month_dir.name.startswith(".") or not summary_path.is_file():
                continue
            try:
                summary = json.loads(summary_path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            run = summary.get(_SUMMARY_RUN_KEY, {})
            name = run.get("brand_name", name)
            failed = [
                k for k, v in summary.items() if k != _SUMMARY_RUN_KEY and v.get("status") != "ok"
            ]
            months.append(
                {
                    "month": month_dir.name,
                    "href": f"{brand_dir.name}/{month_dir.name}/index.html",
                    "status": "failed" if failed else "ok",
                    "failed": failed,
                }
            )
        if months:
            brands.append({"slug": brand_dir.name, "name": name, "months": months})
    html = _html.render_page(
        "top_index.html.j2",
        brands=brands,
        updated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    path = reports_dir / "index.html"
    tmp = reports_dir / f".index-{os.getpid()}.html"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path


# --- atomic placement -----------------------------------------------------------------------


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


# --- the run --------------------------------------------------------------------------------


def _shown_path(path: str | Path, base: str | Path) -> str:
    """How a report shows a folder of the machine: relative to the current folder when inside
    it (``data``, ``.``), else from ``base``'s own name down (``reports/acme/2026-10``)."""
    path, base = Path(path), Path(base)
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        pass
    try:
        return (Path(base.name) / path.relative_to(base)).as_posix()
    except ValueError:
        return path.name


def _report_paths(
    workspace: Path, reports_dir: Path, brand: str, month: str, build_dir: Path | None = None
) -> tuple[tuple[str, str], ...]:
    """``(absolute folder, how pages show it)`` for the folders a report names."""
    final_dir = reports_dir / brand / month
    pairs = [
        (str(final_dir), _shown_path(final_dir, reports_dir)),
        (str(reports_dir), _shown_path(reports_dir, reports_dir)),
        (str(workspace), _shown_path(workspace, workspace)),
    ]
    if build_dir is not None:
        pairs.insert(0, (str(build_dir), _shown_path(final_dir, reports_dir)))
    return tuple(pairs)


def _scrub_value(value: Any, paths: Iterable[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        return _html.scrub_paths(value, paths)
    if isinstance(value, dict):
        return {k: _scrub_value(v, paths) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub_value(v, paths) for v in value]
    return value


def check_reportable(
    ws: Any, brands: Iterable[str], month: str, *, today: dt.date | None = None
) -> None:
    """Refuse a month there is nothing to report on, before anything runs.

    Raises
    ------
    ParameterError
        ``month`` is in the future; or, for a brand: no posts in the warehouse at all, ``month``
        begins after the brand's newest export, or the brand has no post in ``month``. One line
        each, saying what to do.
    ConfigError
        A brand's ``brand.yaml`` is invalid (from :meth:`Workspace.brand`).
    """
    today = today or dt.date.today()
    brands = list(brands)
    others = " (or report the other brands with --brand)" if len(brands) > 1 else ""
    start = dt.date.fromisoformat(f"{month}-01")
    if start > today:
        raise ParameterError(
            f"--month {month} is in the future (today is {today:%Y-%m-%d}). What to do: pick a "
            f"month that has begun, e.g. the last complete one, {last_complete_month(today)}."
        )
    for brand in brands:
        config = ws.brand(brand)  # an invalid brand.yaml stops here (ConfigError)
        posts = ws.posts(brand) if ws.warehouse_path.exists() else pd.DataFrame()
        if not len(posts):
            raise ParameterError(
                f"brand {brand!r} has no posts in the warehouse: nothing in {brand}/raw/ was "
                f"read as posts. What to do: put the platforms' post exports in {brand}/raw/ "
                f"(README, 'Your own brand') and run again{others}."
            )
        exported = pd.to_datetime(posts["exported_at"], utc=True).max()
        newest = exported.tz_convert(config.timezone).date() if pd.notna(exported) else None
        if newest is not None and start > newest:
            raise ParameterError(
                f"--month {month} begins after brand {brand!r}'s newest export (taken "
                f"{newest:%Y-%m-%d}): there is nothing to report yet. What to do: put fresh "
                f"exports in {brand}/raw/, or pick a month up to {newest:%Y-%m}{others}."
            )
        from .retro import sprint_of

        sprints = sprint_of(posts).dropna()
        if not (sprints == month).any():
            first, last = sprints.min(), sprints.max()
            raise ParameterError(
                f"brand {brand!r} has no posts in {month} (its posts run from {first} to "
                f"{last}). What to do: pick a month with posts, e.g. --month {last}, or put the "
                f"exports that cover {month} in {brand}/raw/{others}."
            )


def _open_workspace(workspace: Path):
    try:
        from .workspace import Workspace
    except ImportError:  # pragma: no cover - the workspace module ships with the package
        return None
    return Workspace(workspace)


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
    workspace
        The workspace folder (one sub-folder per brand).
    month
        ``YYYY-MM``; default: the last complete month.
    brands
        Brand slugs; default: every brand of the workspace.
    notebooks_dir
        Where report notebooks live (default ``./notebooks``).
    only
        Run only these report notebooks (names without ``.ipynb``); default: all of them.
    reports_dir
        Output root; each brand's month goes to ``<reports_dir>/<brand>/<month>/``.
    jobs
        Notebooks run at once (default: the number of cores).
    timeout
        Seconds a single cell may run before the notebook is failed.
    parameters
        Extra notebook parameters: ``name`` for every notebook declaring it, or
        ``notebook.name`` for one notebook. Validated before anything runs.
    parameters_from_text
        The values are command-line strings; convert them to the declared types.
    with_code
        Include code cells in the HTML.
    ingest
        Ingest new raw files first (rejected files are reported, not fatal).
    echo
        Where progress and problems are written.

    Returns
    -------
    ReportResult
        ``.ok`` is False when any notebook failed (its page and index entry say so).

    Raises
    ------
    ParameterError
        Unknown or ill-typed parameters, a malformed month, or an unknown brand; nothing has run.
    """
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    workspace = Path(workspace).resolve()
    reports_dir = Path(reports_dir).resolve()
    month = _check_month(month or last_complete_month())
    notebooks = discover_notebooks(notebooks_dir)
    if not notebooks:
        raise ParameterError(
            f"no report notebooks in {Path(notebooks_dir or _default_notebooks_dir())}. What to do: "
            'mark one with notebook metadata {"socialnb": {"report": true}}.'
        )
    if only:
        wanted = list(only)
        names = [nb.name for nb in notebooks]
        missing = [n for n in wanted if n not in names]
        if missing:
            raise ParameterError(
                f"no report notebook named {', '.join(missing)}. Report notebooks: "
                f"{', '.join(names)}."
            )
        notebooks = [nb for nb in notebooks if nb.name in wanted]
    ws = _open_workspace(workspace)
    available = _list_brands(ws, workspace)
    chosen = list(brands) if brands else available
    unknown = [b for b in chosen if b not in available]
    if unknown:
        raise ParameterError(
            f"unknown brand(s) {', '.join(unknown)} in workspace {workspace}. "
            f"Brands there: {', '.join(available) or 'none'}."
        )
    if not chosen:
        raise ParameterError(f"workspace {workspace} has no brands (folders with a brand.yaml).")

    # Validate every parameter of every task before anything runs.
    user = _split_user_parameters(parameters or {}, notebooks)
    tasks: list[_Task] = []
    build_dirs: dict[str, Path] = {}
    for brand in chosen:
        brand_dir = reports_dir / brand
        build_dirs[brand] = brand_dir / f".tmp-{month}-{os.getpid()}"
        for nb in notebooks:
            standard = {
                "workspace": str(workspace),
                "brand": brand,
                "month": month,
                "report_dir": str(build_dirs[brand]),
            }
            given = {k: v for k, v in standard.items() if k in nb.parameters}
            typed = validate_parameters(nb, given)
            typed.update(validate_parameters(nb, user[nb.name], from_text=parameters_from_text))
            paths = _report_paths(workspace, reports_dir, brand, month, build_dirs[brand])
            tasks.append(
                _Task(brand, nb, typed, build_dirs[brand], timeout, with_code, month, paths)
            )

    rejected: list[str] = []
    if ws is not None:
        for brand in chosen:
            ws.validate(brand)  # every plan file, in full: a ConfigError stops the run (exit 2)
        if ingest:
            rejected = _ingest(ws, chosen, echo)
        if brands:  # brands asked for by name: each must have something to report
            check_reportable(ws, chosen, month)
        else:  # every brand (the schedule): a brand with nothing this month is skipped, loudly
            check_reportable(ws, [], month)  # a month in the future stops the whole run
            skipped: list[ParameterError] = []
            for brand in list(chosen):
                try:
                    check_reportable(ws, [brand], month)
                except ParameterError as exc:
                    skipped.append(exc)
                    echo(f"skipped {brand}: {exc}")
                    chosen.remove(brand)
            if not chosen:
                raise skipped[0]
            tasks = [t for t in tasks if t.brand in chosen]
            build_dirs = {b: d for b, d in build_dirs.items() if b in chosen}

    for build_dir in build_dirs.values():
        _remove_stale_builds(build_dir.parent, month)
        if build_dir.exists():
            shutil.rmtree(build_dir)
        build_dir.mkdir(parents=True)

    jobs = max(1, int(jobs or os.cpu_count() or 1))
    results: list[NotebookResult] = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), desc=f"report {month}", unit="notebook")
    # One warm kernel per worker, reset between notebooks (SOCIALNB_KERNEL_REUSE=0: a fresh
    # kernel for every notebook)
    kernels = None if os.environ.get("SOCIALNB_KERNEL_REUSE") == "0" else _KernelPool()
    with (
        contextlib.closing(kernels or _KernelPool()),  # closed after the pool's last task
        cf.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="socialnb-report") as pool,
    ):
        # Longest first (as the last reports timed them): the slowest notebook should not be
        # the one that starts last.
        expected = _expected_seconds(reports_dir)
        ordered = sorted(tasks, key=lambda t: -expected.get(t.notebook.name, float("inf")))
        futures = {pool.submit(_run_task, replace(t, kernels=kernels)): t for t in ordered}
        for fut in cf.as_completed(futures):
            task = futures[fut]
            try:
                res = fut.result()
            except Exception as exc:  # rendering itself failed: keep going, mark it
                res = NotebookResult(
                    brand=task.brand,
                    notebook=task.notebook.name,
                    title=task.notebook.title,
                    status="failed",
                    parameters=dict(task.parameters),
                    results={},
                    error=_html.scrub_paths(_one_line(f"{type(exc).__name__}: {exc}"), task.paths),
                )
            results.append(res)
            if bar is not None:
                bar.update(1)
            if not res.ok:
                echo(f"FAILED {res.describe_failure()}")
    if bar is not None:
        bar.close()

    order = {(t.brand, t.notebook.name): i for i, t in enumerate(tasks)}
    results.sort(key=lambda r: order[(r.brand, r.notebook)])
    defaults = {nb.name: {k: d for k, (_t, d) in nb.parameters.items()} for nb in notebooks}
    index_paths: dict[str, Path] = {}
    try:
        for brand in chosen:
            mine = [r for r in results if r.brand == brand]
            if only:  # the month's other pages stay: copied from its current report
                mine = _keep_other_pages(reports_dir / brand / month, build_dirs[brand], mine)
            index_paths[brand] = _finish_brand(
                ws,
                workspace,
                brand,
                month,
                mine,
                defaults,
                build_dirs[brand],
                reports_dir,
                started=started,
                t0=t0,
                extra={"with_code": with_code, "jobs": jobs},
            )
    finally:  # whatever happened, no half-built folder stays behind in this process's name
        for build_dir in build_dirs.values():
            shutil.rmtree(build_dir, ignore_errors=True)
    top = write_top_index(reports_dir)
    return ReportResult(
        month=month,
        reports_dir=reports_dir,
        notebooks=tuple(results),
        index_paths=index_paths,
        top_index=top,
        rejected_files=tuple(rejected),
        duration_s=time.perf_counter() - t0,
    )


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
) -> Path:
    """Write summary.json and index.html into ``build_dir``, then swap it into place."""
    config = _brand_config(ws, workspace, brand)
    tz = getattr(config, "timezone", "UTC") or "UTC"
    brand_name = getattr(config, "name", brand) or brand
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
    freshness = _freshness(ws, brand, month, tz)
    summary[_SUMMARY_RUN_KEY] = {
        "brand": brand,
        "brand_name": brand_name,
        "month": month,
        "start": started.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - t0, 2),
        "versions": _package_versions(),
        "latest_export": {f["platform"]: f["latest"] for f in freshness},
        "freshness": freshness,
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
        story=_month_story(ws, brand, month, summary, build_dir),
    )
    final_dir = reports_dir / brand / month
    _swap_into_place(build_dir, final_dir, reports_dir / brand / ".history" / month)
    return final_dir / "index.html"


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
    :func:`run_report`. Nothing is executed; the swap into place is atomic in the same way.
    """
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    month = _check_month(month)
    executed_dir = Path(executed_dir)
    workspace = Path(workspace).resolve()
    reports_dir = Path(reports_dir).resolve()
    paths = sorted(executed_dir.glob("*.ipynb"))
    if not paths:
        raise ParameterError(f"{executed_dir}: no executed notebooks (*.ipynb) to render.")
    others = [p for p in executed_dir.iterdir() if p.is_file() and p.suffix != ".ipynb"]
    ws = _open_workspace(workspace) if workspace.is_dir() else None
    build_dir = reports_dir / brand / f".tmp-{month}-{os.getpid()}"
    if build_dir.exists():
        shutil.rmtree(build_dir)
    build_dir.mkdir(parents=True)
    shown = _report_paths(workspace, reports_dir, brand, month, build_dir)
    results: list[NotebookResult] = []
    defaults: dict[str, dict[str, Any]] = {}
    order: dict[str, tuple[int, str]] = {}
    try:
        for other in others:  # files the notebooks wrote beside them (e.g. a calendar draft)
            shutil.copyfile(other, build_dir / other.name)
        for path in paths:
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
                nb,
                title=title,
                brand=brand,
                month=month,
                with_code=with_code,
                error=error,
                failed_cell=cell,
                notebook=path.stem,
                paths=shown,
            )
            (build_dir / f"{path.stem}.html").write_text(html, encoding="utf-8")
            # as run_report: the parameters cell's defaults under the injected values, and the
            # notebooks in their socialnb.order
            defaults[path.stem] = {k: d for k, (_t, d) in _read_parameters(path).items()}
            order[path.stem] = (int(meta.get("order", 1000)), path.stem)
            results.append(
                NotebookResult(
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
            )
        results.sort(key=lambda r: order[r.notebook])
        index = _finish_brand(
            ws,
            workspace,
            brand,
            month,
            results,
            defaults,
            build_dir,
            reports_dir,
            started=started,
            t0=t0,
            extra={"with_code": with_code, "executed_elsewhere": str(executed_dir)},
        )
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


def _list_brands(ws: Any, workspace: Path) -> list[str]:
    if ws is not None:
        return list(ws.brands())
    from .config import list_brands

    return list(list_brands(workspace))


def _brand_config(ws: Any, workspace: Path, brand: str):
    try:
        if ws is not None:
            return ws.brand(brand)
        from .config import load_brand

        return load_brand(workspace / brand / "brand.yaml")
    except SocialnbError:
        return None


def _ingest(ws: Any, brands: list[str], echo: Callable[[str], None]) -> list[str]:
    """Ingest new raw files of ``brands``; print and return the rejected ones."""
    rejected: list[str] = []
    for brand in brands:
        try:
            report = ws.ingest(brand=brand)
        except SocialnbError as exc:
            echo(f"ingest {brand}: {exc}")
            rejected.append(str(exc))
            continue
        items = getattr(report, "rejected", ()) or ()
        if isinstance(items, pd.DataFrame):
            items = [
                " ".join(f"{k}={v}" for k, v in row.items() if pd.notna(v))
                for row in items.to_dict("records")
            ]
        for item in items:
            text = str(getattr(item, "message", "") or item)
            echo(f"ingest {brand}: rejected {text}")
            rejected.append(text)
        for item in getattr(report, "ambiguous", ()) or ():
            text = str(getattr(item, "message", "") or item)
            echo(f"ingest {brand}: undecided {text}")
            rejected.append(text)
    return rejected


def _parse_param_options(pairs: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ParameterError(
                f"-p {pair!r}: write parameters as NAME=VALUE (or NOTEBOOK.NAME=VALUE), "
                "e.g. -p alpha=0.1 -p ideation.capacity_hours=30."
            )
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


def report_command(
    *,
    workspace: str | Path = "data",
    month: str | None = None,
    brands: Iterable[str] | None = (),
    notebooks: Iterable[str] | None = None,
    notebooks_dir: str | Path | None = None,
    reports_dir: str | Path = "reports",
    jobs: int | None = None,
    timeout: int = 600,
    params: Iterable[str] = (),
    with_code: bool = False,
    ingest: bool = True,
    progress: bool = True,
    quiet: bool = False,
    pdf: bool = False,
    echo: Callable[[str], None] | None = None,
) -> int:
    """Body of ``socialnb report``: run, print a summary, and return the exit code.

    Returns 0 when every notebook ran; 1 when any failed (each failure printed once, with
    notebook and section, after the run); 2 on invalid input (parameters, month, brand,
    brand.yaml), a month with nothing to report (see :func:`check_reportable`) before any
    notebook ran, or ``pdf`` without a Chromium to print with. ``quiet`` prints only problems
    and the final path; ``pdf`` also writes ``<brand>-<month>.pdf`` beside each month's index
    (see :func:`write_pdf`).
    """
    if echo is None:
        import click

        def echo(msg: str) -> None:
            click.echo(msg, err=msg.startswith(("FAILED", "error", "ingest")))

    if pdf:
        try:
            find_chromium()
        except ParameterError as exc:
            echo(f"error: {exc}")
            return 2
    shout = echo

    def during(msg: str) -> None:  # failures are listed once, after the run
        if not msg.startswith("FAILED"):
            shout(msg)

    try:
        result = run_report(
            workspace,
            month,
            brands=list(brands or ()) or None,
            notebooks_dir=notebooks_dir,
            only=list(notebooks or ()) or None,
            reports_dir=reports_dir,
            jobs=jobs,
            timeout=timeout,
            parameters=_parse_param_options(params),
            parameters_from_text=True,
            with_code=with_code,
            ingest=ingest,
            progress=progress and not quiet,
            echo=during,
        )
    except (ParameterError, ConfigError) as exc:
        echo(f"error: {exc}")
        return 2
    if not quiet:
        for brand, path in result.index_paths.items():
            n = sum(1 for r in result.notebooks if r.brand == brand)
            bad = sum(1 for r in result.notebooks if r.brand == brand and not r.ok)
            echo(f"{brand} {result.month}: {n - bad}/{n} notebooks ok -> {path}")
    code = 0
    if result.failures:
        echo(f"FAILED {len(result.failures)} notebook(s):")
        for r in result.failures:
            echo(f"FAILED   {r.describe_failure()}")
        code = 1
    if pdf:
        for path in result.index_paths.values():
            try:
                written = write_pdf(path.parent)
            except SocialnbError as exc:
                echo(f"error: {exc}")
                return 2
            if not quiet:
                echo(f"PDF -> {written}")
    if len(result.index_paths) == 1:
        echo(str(next(iter(result.index_paths.values()))))
    else:
        echo(str(result.top_index))
    return code


# --- the report as one PDF ------------------------------------------------------------------

#: Where a Chromium is looked for when ``SOCIALNB_CHROMIUM`` is not set (the first found wins).
CHROMIUM_NAMES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome", "chrome")
_CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--no-pdf-header-footer",
    "--run-all-compositor-stages-before-draw",
)


def find_chromium() -> str:
    """The headless Chromium to print with: ``$SOCIALNB_CHROMIUM``, else the first of
    :data:`CHROMIUM_NAMES` on the PATH.

    Raises
    ------
    ParameterError
        None is installed, saying how to get one.
    """
    given = os.environ.get("SOCIALNB_CHROMIUM")
    if given:
        if shutil.which(given) or Path(given).is_file():
            return shutil.which(given) or given
        raise ParameterError(
            f"SOCIALNB_CHROMIUM={given!r} is not an executable. What to do: point it at a "
            "Chromium or Chrome binary, or unset it."
        )
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ParameterError(
        "--pdf needs a headless Chromium and none is installed (looked for "
        f"{', '.join(CHROMIUM_NAMES)} on the PATH). What to do: install one (Debian/Ubuntu: "
        "apt-get install chromium) or set SOCIALNB_CHROMIUM to its path; the HTML report "
        "itself needs none."
    )


def write_pdf(month_dir: str | Path, *, chromium: str | None = None, timeout: int = 120) -> Path:
    """Print one month's report to ``<month_dir>/<brand>-<month>.pdf``: the index first, then
    every page in the index's order (the print stylesheet paginates: tables wrap to the page
    width, figures are not split).

    Each page is printed by headless Chromium (:func:`find_chromium`), the pages merged with
    pypdf. Returns the PDF's path.

    Raises
    ------
    ParameterError
        No Chromium, no report in ``month_dir``, or a page Chromium could not print.
    """
    from pypdf import PdfWriter

    month_dir = Path(month_dir).resolve()
    summary_path = month_dir / "summary.json"
    if not summary_path.is_file():
        raise ParameterError(
            f"{month_dir}: no report here (no summary.json). What to do: run `socialnb report` "
            "first, or point at reports/<brand>/<YYYY-MM>."
        )
    binary = chromium or find_chromium()
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    pages = [month_dir / href for href, _title in _pages(summary)]
    pages = [p for p in pages if p.is_file()]
    out = month_dir / f"{month_dir.parent.name}-{month_dir.name}.pdf"
    tmp_dir = month_dir.parent / f".pdf-{month_dir.name}-{os.getpid()}"
    tmp_dir.mkdir(exist_ok=True)
    try:
        writer = PdfWriter()
        for i, page in enumerate(pages):
            target = tmp_dir / f"{i:03d}.pdf"
            profile = tmp_dir / "profile"
            cmd = [binary, *_CHROMIUM_ARGS, f"--user-data-dir={profile}",
                   f"--print-to-pdf={target}", page.as_uri()]  # fmt: skip
            with contextlib.suppress(subprocess.TimeoutExpired):  # judged by the file below
                subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
            if not target.is_file() or target.stat().st_size == 0:
                raise ParameterError(
                    f"{page.name}: Chromium ({binary}) did not print it to PDF. What to do: "
                    "check that this Chromium runs headless (`chromium --headless --version`)."
                )
            writer.append(str(target))
        tmp_out = tmp_dir / out.name
        with open(tmp_out, "wb") as fh:
            writer.write(fh)
        os.replace(tmp_out, out)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return out
