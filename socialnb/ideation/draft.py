"""The plan as a calendar draft (``calendar_draft.csv``) safe to open in Excel or Sheets."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import CALENDAR_COLUMNS
from .plan import SprintPlan

__all__ = ["neutralise_cell", "write_calendar_draft"]

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> str:
    """Make a cell safe to open in Excel / Sheets: text starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a leading single quote, so it is shown, not run.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("Trail tips"), neutralise_cell(None)
    ("'=HYPERLINK(1)", 'Trail tips', '')
    """
    s = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return "'" + s if s.startswith(_DANGEROUS) else s


def write_calendar_draft(plan: SprintPlan | pd.DataFrame, folder: str | Path) -> Path:
    """Write ``<folder>/calendar_draft.csv`` in the calendar's own columns, every cell
    neutralised (:func:`neutralise_cell`), UTF-8. Returns the path."""
    frame = plan.calendar() if isinstance(plan, SprintPlan) else plan
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "calendar_draft.csv"
    tmp = folder / ".calendar_draft.csv.tmp"
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CALENDAR_COLUMNS)
        for _, r in frame.iterrows():
            w.writerow([neutralise_cell(r.get(c, "")) for c in CALENDAR_COLUMNS])
    tmp.replace(path)
    return path
