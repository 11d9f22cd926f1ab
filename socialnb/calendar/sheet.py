"""The content calendar people keep (``data/<brand>/calendar.csv``, or .xlsx): its one declared
row model (:class:`CalendarRow`, the source of :data:`CALENDAR_COLUMNS`) and the loader.

Every problem is a structured :class:`~socialnb.errors.ConfigError` naming the file, the
spreadsheet row (as the user sees it, header = row 1), the column and the value.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from .. import _lazy
from .._schema import Model, validate
from .._sheets import read_sheet
from ..errors import ConfigError
from ..periods import is_month
from ..schema import FORMATS, PLATFORMS

pd = _lazy.module("pandas", globals(), "pd")

__all__ = [
    "CalendarRow",
    "CALENDAR_COLUMNS",
    "CALENDAR_STATUSES",
    "load_calendar",
    "brand_calendar",
    "calendar_file",
    "calendar_sql_columns",
]

#: What a calendar row's ``status`` may say.
CALENDAR_STATUSES: tuple[str, ...] = ("planned", "in_progress", "published", "dropped")


def _problem(text: str) -> PydanticCustomError:
    return PydanticCustomError("calendar", "{problem}", {"problem": text})


def _filled(value: str) -> str:
    if value == "":
        raise _problem("is empty.")
    return value


def _one_of(options: tuple[str, ...], what: str, *, optional: bool = False):
    def check(value: str) -> str:
        low = value.lower()
        if low in options or (optional and low == ""):
            return low
        if value == "":
            raise _problem("is empty.")
        raise _problem(f"unknown {what} {value!r}.")

    return check


def _sprint(value: str) -> str:
    if not is_month(_filled(value)):
        raise _problem(f"sprint {value!r} is not YYYY-MM.")
    return value


def _date(value: str) -> dt.date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", _filled(value)):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _problem(f"{value!r} is not a date like 2026-10-14.")


def _hours(value: str) -> float | None:
    if value == "":
        return None
    try:
        hours = float(value)
    except ValueError:
        hours = float("nan")
    if not hours >= 0:
        raise _problem(f"{value!r} is not a number of hours.")
    return hours


Text = Annotated[str, AfterValidator(_filled)]


class CalendarRow(Model):
    """One row of ``calendar.csv``: the one declaration of the calendar's columns, in order.

    Empty optional cells stay ``""``; ``platform``, ``format`` and ``status`` are compared
    ignoring case and kept in lower case.

    Examples
    --------
    >>> row = CalendarRow(sprint="2026-10", planned_date="2026-10-05", platform="Instagram",
    ...                   title="Layering guide", status="planned", effort_hours="1.5")
    >>> row.platform, row.planned_date, row.effort_hours
    ('instagram', datetime.date(2026, 10, 5), 1.5)
    >>> CALENDAR_COLUMNS[:3]
    ('sprint', 'planned_date', 'platform')
    """

    sprint: Annotated[str, AfterValidator(_sprint)]  # YYYY-MM
    planned_date: Annotated[dt.date, BeforeValidator(lambda v: _date(str(v).strip()))]
    platform: Annotated[str, AfterValidator(_one_of(PLATFORMS, "platform"))]
    pillar: str = ""
    series: str = ""
    format: Annotated[str, AfterValidator(_one_of(FORMATS, "format", optional=True))] = ""
    idea_id: str = ""
    title: Text
    status: Annotated[str, AfterValidator(_one_of(CALENDAR_STATUSES, "status"))]
    post_id: str = ""
    post_link: str = ""
    owner: str = ""
    effort_hours: Annotated[float | None, BeforeValidator(lambda v: _hours(str(v).strip()))] = None


#: Columns of ``calendar.csv`` (planned content), in order (:class:`CalendarRow`'s fields).
CALENDAR_COLUMNS: tuple[str, ...] = tuple(CalendarRow.model_fields)

#: Columns a calendar must have.
REQUIRED_COLUMNS: tuple[str, ...] = tuple(
    name for name, f in CalendarRow.model_fields.items() if f.is_required()
)


def calendar_sql_columns() -> str:
    """The calendar's columns as DuckDB column definitions, from :class:`CalendarRow` (so the
    warehouse's ``calendar`` table can be declared from the one model).

    >>> calendar_sql_columns()[:48]
    'sprint VARCHAR, planned_date DATE, platform VARC'
    """
    types = {"planned_date": "DATE", "effort_hours": "DOUBLE"}
    return ", ".join(f"{name} {types.get(name, 'VARCHAR')}" for name in CALENDAR_COLUMNS)


_FIXES = {
    "sprint": "write the sprint as a month, e.g. 2026-10.",
    "planned_date": "write dates as YYYY-MM-DD.",
    "platform": f"use one of {', '.join(PLATFORMS)}.",
    "format": f"use one of {', '.join(FORMATS)}, or leave it empty.",
    "title": "fill in title.",
    "status": f"use one of {', '.join(CALENDAR_STATUSES)}.",
    "effort_hours": "write a number such as 2 or 1.5, or leave it empty.",
}


def _check_unique(frame: pd.DataFrame, path: Path) -> None:
    """A post fills one calendar slot: one post id or link per platform."""
    for col, what in (("post_id", "post id"), ("post_link", "post link")):
        values = frame["platform"] + "|" + frame[col]
        dup = frame[col].ne("") & values.duplicated(keep="first")
        if dup.any():
            i = int(dup.to_numpy().argmax())
            first = int(frame["calendar_row"][values == values.iloc[i]].iloc[0])
            raise ConfigError(
                f"this {what} is already used by row {first}.",
                path=path,
                row=int(frame["calendar_row"].iloc[i]),
                key=col,
                value=frame[col].iloc[i],
                fix=f"a post can fill one calendar slot; remove the duplicate or correct the {what}.",
            )


def load_calendar(path: str | Path) -> pd.DataFrame:
    """Read a calendar and check every row against :class:`CalendarRow`.

    Returns a DataFrame with :data:`CALENDAR_COLUMNS` (missing optional columns added empty),
    ``planned_date`` as dates, ``effort_hours`` as numbers and ``calendar_row`` (the
    spreadsheet row number) so later steps can point at the row. Other columns are ignored;
    blank rows are skipped.

    Raises
    ------
    ConfigError
        Missing columns, unknown platform, format or status, unparseable dates or sprints, a
        post id or link used by two rows: with the file, row, column, value and what to do.
    """
    path = Path(path)
    frame = read_sheet(path, what="calendar", columns=CALENDAR_COLUMNS)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ConfigError(
            "this column is missing.",
            path=path,
            row=1,
            key=missing[0],
            fix=f"add it; a calendar has the columns {', '.join(CALENDAR_COLUMNS)}.",
        )
    for col in CALENDAR_COLUMNS:
        if col not in frame:
            frame[col] = ""
    frame = frame[list(CALENDAR_COLUMNS)].apply(lambda c: c.str.strip())
    frame["calendar_row"] = range(2, len(frame) + 2)
    frame = frame[(frame.drop(columns="calendar_row") != "").any(axis=1)]
    rows = [
        validate(CalendarRow, cells, path=path, row=row, fixes=_FIXES).model_dump()
        for row, cells in zip(
            frame["calendar_row"], frame[list(CALENDAR_COLUMNS)].to_dict("records"), strict=True
        )
    ]
    out = pd.DataFrame(rows, columns=list(CALENDAR_COLUMNS))
    out["planned_date"] = pd.to_datetime(out["planned_date"])
    out["effort_hours"] = pd.to_numeric(out["effort_hours"]).astype(float)
    out["calendar_row"] = frame["calendar_row"].to_numpy()
    _check_unique(out, path)
    return out


def calendar_file(folder: str | Path) -> Path | None:
    """A brand folder's calendar file: ``calendar.csv``, else ``calendar.xlsx``, else None."""
    folder = Path(folder)
    return next(
        (p for p in (folder / "calendar.csv", folder / "calendar.xlsx") if p.exists()), None
    )


def brand_calendar(folder: str | Path) -> pd.DataFrame:
    """A brand folder's calendar (:func:`calendar_file`) read with :func:`load_calendar`, or an
    empty calendar with its columns when the brand keeps none.

    >>> brand_calendar("no-such-brand").columns[:3].tolist()
    ['sprint', 'planned_date', 'platform']
    """
    path = calendar_file(folder)
    if path is None:
        return pd.DataFrame(columns=[*CALENDAR_COLUMNS, "calendar_row"])
    return load_calendar(path)
