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

The parts: :mod:`~socialnb.report.params` (notebooks and parameters), :mod:`~.brands` (which
brands, and whether they have a month to report), :mod:`~.kernels` (warm kernels), :mod:`~.pages`
(one page), :mod:`~.index` (the index pages), :mod:`~.render` (a brand's month put together and
placed), :mod:`~.run` (:func:`run_report`), :mod:`~.pdf`. The command itself is in
:mod:`socialnb.cli`.
"""

from __future__ import annotations

from typing import Any

from ..periods import last_complete_month
from .brands import check_reportable, choose_brands
from .index import write_top_index
from .pages import collect_records, render_notebook_html
from .params import (
    REQUIRED_PARAMETERS,
    STANDARD_PARAMETERS,
    ReportNotebook,
    discover_notebooks,
    load_notebook,
    validate_parameters,
)
from .pdf import CHROMIUM_NAMES, find_chromium, write_pdf
from .render import render_executed
from .results import NotebookResult, ReportResult
from .run import run_report

__all__ = [
    "ReportNotebook",
    "NotebookResult",
    "ReportResult",
    "discover_notebooks",
    "load_notebook",
    "validate_parameters",
    "last_complete_month",
    "collect_records",
    "run_report",
    "render_notebook_html",
    "render_executed",
    "write_top_index",
    "report_command",
    "check_reportable",
    "choose_brands",
    "write_pdf",
    "find_chromium",
    "CHROMIUM_NAMES",
    "STANDARD_PARAMETERS",
    "REQUIRED_PARAMETERS",
]


def __getattr__(name: str) -> Any:
    # ``report_command`` (the body of ``socialnb report``) lives in the CLI module; this keeps
    # ``from socialnb.report import report_command`` working without importing click here.
    if name == "report_command":
        from ..cli import report_command

        return report_command
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
