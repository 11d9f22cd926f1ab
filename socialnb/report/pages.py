"""One notebook page: the records an executed notebook holds, where and why it failed, and its
self-contained HTML; and how pages show the folders of the machine (never an absolute path)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat

from .. import _html
from .._record import RECORD_MIMETYPE
from ..errors import SocialnbError
from .params import _notebook_title

__all__ = ["collect_records", "render_notebook_html"]


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
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("socialnb")
    except PackageNotFoundError:  # run from a source tree that was never installed
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
