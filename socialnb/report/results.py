"""What a report run produced: one :class:`NotebookResult` per (brand, notebook) and the
:class:`ReportResult` of the whole run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["NotebookResult", "ReportResult"]

#: The key of summary.json that holds the run's metadata (every other key is a page).
SUMMARY_RUN_KEY = "_run"


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
