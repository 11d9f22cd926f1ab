"""The content calendar people keep (``data/<brand>/calendar.csv``, or .xlsx): load and validate.

Columns: :data:`socialnb.config.CALENDAR_COLUMNS`. Every problem is a
:class:`~socialnb.errors.ConfigError` naming the file, the spreadsheet row (as the user sees it,
header = row 1) and the column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._sheets import read_sheet
from ._sheets import sheet_error as _fail
from .config import CALENDAR_COLUMNS
from .schema import FORMATS, PLATFORMS

__all__ = ["load_calendar", "CALENDAR_STATUSES"]

CALENDAR_STATUSES: tuple[str, ...] = ("planned", "in_progress", "published", "dropped")
_REQUIRED = ("sprint", "planned_date", "platform", "title", "status")


def load_calendar(path: str | Path) -> pd.DataFrame:
    """Read a calendar and check it.

    Returns a DataFrame with :data:`~socialnb.config.CALENDAR_COLUMNS` (missing optional columns
    added empty), ``planned_date`` as dates, ``effort_hours`` as numbers and ``calendar_row`` (the
    spreadsheet row number) so later steps can point at the row.

    Raises
    ------
    ConfigError
        Missing columns, unknown platform, format or status, unparseable dates or sprints, a
        post id used by two rows.
    """
    path = Path(path)
    frame = read_sheet(path, what="calendar", columns=CALENDAR_COLUMNS)
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise _fail(
            path,
            1,
            missing[0],
            "this column is missing.",
            f"add it; a calendar has the columns {', '.join(CALENDAR_COLUMNS)}.",
        )
    for col in CALENDAR_COLUMNS:
        if col not in frame:
            frame[col] = ""
    frame = frame[list(CALENDAR_COLUMNS)].apply(lambda c: c.str.strip())
    frame["calendar_row"] = range(2, len(frame) + 2)
    frame = frame[(frame.drop(columns="calendar_row") != "").any(axis=1)].reset_index(drop=True)

    def check(column: str, ok: pd.Series, problem: str, fix: str) -> None:
        if not ok.all():
            i = int((~ok).to_numpy().argmax())
            value = frame[column].iloc[i]
            raise _fail(
                path, int(frame["calendar_row"].iloc[i]), column, problem.format(value=value), fix
            )

    for col in _REQUIRED:
        check(col, frame[col] != "", "is empty.", f"fill in {col}.")
    check(
        "platform",
        frame["platform"].str.lower().isin(PLATFORMS),
        "unknown platform {value!r}.",
        f"use one of {', '.join(PLATFORMS)}.",
    )
    frame["platform"] = frame["platform"].str.lower()
    check(
        "format",
        (frame["format"] == "") | frame["format"].str.lower().isin(FORMATS),
        "unknown format {value!r}.",
        f"use one of {', '.join(FORMATS)}.",
    )
    frame["format"] = frame["format"].str.lower()
    check(
        "status",
        frame["status"].str.lower().isin(CALENDAR_STATUSES),
        "unknown status {value!r}.",
        f"use one of {', '.join(CALENDAR_STATUSES)}.",
    )
    frame["status"] = frame["status"].str.lower()
    check(
        "sprint",
        frame["sprint"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])"),
        "sprint {value!r} is not YYYY-MM.",
        "write the sprint as a month, e.g. 2026-10.",
    )
    dates = pd.to_datetime(frame["planned_date"], format="%Y-%m-%d", errors="coerce")
    check(
        "planned_date",
        dates.notna(),
        "{value!r} is not a date like 2026-10-14.",
        "write dates as YYYY-MM-DD.",
    )
    frame["planned_date"] = dates
    hours = pd.to_numeric(frame["effort_hours"].replace("", None), errors="coerce")
    check(
        "effort_hours",
        (frame["effort_hours"] == "") | (hours.notna() & (hours >= 0)),
        "{value!r} is not a number of hours.",
        "write a number such as 2 or 1.5, or leave it empty.",
    )
    frame["effort_hours"] = hours
    for col, what in (("post_id", "post id"), ("post_link", "post link")):
        values = frame["platform"] + "|" + frame[col]
        dup = frame[col].ne("") & values.duplicated(keep="first")
        if dup.any():
            i = int(dup.to_numpy().argmax())
            first = int(frame["calendar_row"][values == values.iloc[i]].iloc[0])
            raise _fail(
                path,
                int(frame["calendar_row"].iloc[i]),
                col,
                f"{what} {frame[col].iloc[i]!r} is already used by row {first}.",
                f"a post can fill one calendar slot; remove the duplicate or correct the {what}.",
            )
    return frame
