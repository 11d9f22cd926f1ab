"""Months, sprints and dates: the one definition every module uses.

A sprint is a calendar month, written ``YYYY-MM``. A post belongs to the month of its *local*
publishing time (the brand's time zone, as the export gives it); an account's daily row to the
month of its date. Nothing else in socialnb parses a month or a date by hand.

Examples
--------
>>> from socialnb import periods
>>> periods.shift_month("2026-01", -1)
'2025-12'
>>> periods.months_before("2026-03", 2)
['2026-01', '2026-02']
>>> periods.month_range("2025-11", "2026-02")
('2025-11', '2025-12', '2026-01', '2026-02')
>>> periods.last_complete_month(dt.date(2026, 11, 2))
'2026-10'
>>> periods.parse_date("2026-10-05T09:00:00Z")
datetime.date(2026, 10, 5)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from . import _lazy
from .errors import ParameterError

pd = _lazy.module("pandas", globals(), "pd")

__all__ = [
    "MONTH_PATTERN",
    "check_month",
    "is_month",
    "shift_month",
    "next_month",
    "previous_month",
    "months_before",
    "month_range",
    "days_in_month",
    "month_start",
    "month_end_utc",
    "last_complete_month",
    "local_time",
    "post_months",
    "daily_months",
    "parse_date",
]

#: A month as every file and parameter writes it.
MONTH_PATTERN = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def is_month(value: Any) -> bool:
    """True when ``value`` is a ``YYYY-MM`` string (``2026-10``).

    >>> is_month("2026-10"), is_month("2026-13"), is_month(202610)
    (True, False, False)
    """
    return isinstance(value, str) and MONTH_PATTERN.fullmatch(value) is not None


def check_month(month: Any, *, what: str = "month", error: type[Exception] = ParameterError) -> str:
    """``month`` itself when it is ``YYYY-MM``; else ``error`` saying how to write it.

    ``what`` names the parameter or key in the message (``"--month"``, ``"parameter 'month'"``).

    >>> check_month("2026-10")
    '2026-10'
    """
    if not is_month(month):
        raise error(
            f"{what} {month!r} is not a month. What to do: write it as YYYY-MM, e.g. 2026-10."
        )
    return month


def shift_month(month: str, months: int) -> str:
    """``month`` moved by ``months`` (negative: back in time).

    >>> shift_month("2026-10", -12), shift_month("2026-11", 3)
    ('2025-10', '2027-02')
    """
    return (pd.Period(check_month(month), freq="M") + months).strftime("%Y-%m")


def next_month(month: str) -> str:
    """The month after ``month``: ``2026-12`` -> ``2027-01``.

    >>> next_month("2026-12")
    '2027-01'
    """
    return shift_month(month, 1)


def previous_month(month: str) -> str:
    """The month before ``month``: ``2026-01`` -> ``2025-12``.

    >>> previous_month("2026-01")
    '2025-12'
    """
    return shift_month(month, -1)


def months_before(month: str, n: int) -> list[str]:
    """The ``n`` months before ``month``, oldest first (the baseline sprints of a retro).

    >>> months_before("2026-02", 3)
    ['2025-11', '2025-12', '2026-01']
    """
    return [shift_month(month, -k) for k in range(n, 0, -1)]


def month_range(first: str, last: str) -> tuple[str, ...]:
    """Every month from ``first`` to ``last``, both included (empty if ``last`` < ``first``).

    >>> month_range("2026-11", "2027-01"), month_range("2026-02", "2026-01")
    (('2026-11', '2026-12', '2027-01'), ())
    """
    start = pd.Period(check_month(first), freq="M")
    end = pd.Period(check_month(last), freq="M")
    return tuple(p.strftime("%Y-%m") for p in pd.period_range(start, end, freq="M"))


def days_in_month(month: str) -> int:
    """Number of days in ``month``.

    >>> days_in_month("2028-02")
    29
    """
    return int(pd.Period(check_month(month), freq="M").days_in_month)


def month_start(month: str) -> dt.date:
    """The first day of ``month``.

    >>> month_start("2026-10")
    datetime.date(2026, 10, 1)
    """
    return dt.date.fromisoformat(f"{check_month(month)}-01")


def month_end_utc(month: str, tz: str) -> pd.Timestamp:
    """The instant ``month`` ends in time zone ``tz`` (the next month's first midnight), in UTC,
    as a naive timestamp.

    >>> month_end_utc("2026-10", "Europe/London")
    Timestamp('2026-11-01 00:00:00')
    >>> month_end_utc("2026-07", "Europe/London")
    Timestamp('2026-07-31 23:00:00')
    """
    start = pd.Timestamp(f"{next_month(month)}-01")
    return start.tz_localize(tz).tz_convert("UTC").tz_localize(None)


def last_complete_month(today: dt.date | None = None) -> str:
    """The last calendar month that has ended: on any day of November, October.

    >>> last_complete_month(dt.date(2026, 1, 15))
    '2025-12'
    """
    today = today or dt.date.today()
    return (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")


def local_time(posts: pd.DataFrame) -> pd.Series:
    """Each post's local publishing time (naive), falling back to UTC where the export gave no
    local time.

    >>> p = pd.DataFrame({"published_at": ["2026-10-31T23:30:00Z", "2026-11-01T09:00:00Z"],
    ...                   "published_local": [pd.NaT, pd.Timestamp("2026-11-01 10:00")]})
    >>> local_time(p).dt.strftime("%Y-%m-%d %H:%M").tolist()
    ['2026-10-31 23:30', '2026-11-01 10:00']
    """
    if "published_local" in posts and posts["published_local"].notna().any():
        local = pd.to_datetime(posts["published_local"])
        if getattr(local.dt, "tz", None) is not None:
            local = local.dt.tz_localize(None)
        if "published_at" in posts:
            utc = pd.to_datetime(posts["published_at"], utc=True).dt.tz_localize(None)
            local = local.fillna(utc)
        return local
    return pd.to_datetime(posts["published_at"], utc=True).dt.tz_localize(None)


def post_months(posts: pd.DataFrame) -> pd.Series:
    """Each post's month (``YYYY-MM`` of its local publishing time), named ``sprint``.

    >>> p = pd.DataFrame({"published_at": ["2026-10-31T23:30:00Z"],
    ...                   "published_local": [pd.Timestamp("2026-11-01 00:30")]})
    >>> post_months(p).tolist()
    ['2026-11']
    """
    return local_time(posts).dt.strftime("%Y-%m").astype("string").rename("sprint")


def daily_months(daily: pd.DataFrame) -> pd.Series:
    """Each account-daily row's month (``YYYY-MM`` of its ``date``).

    >>> daily_months(pd.DataFrame({"date": ["2026-09-30", "2026-10-01"]})).tolist()
    ['2026-09', '2026-10']
    """
    return pd.to_datetime(daily["date"]).dt.strftime("%Y-%m").astype("string")


def parse_date(value: Any) -> dt.date | None:
    """A day from a cell or a YAML value: a date, a datetime (aware ones taken in UTC) or an ISO
    text (``2026-10-05``, ``2026-10-05T09:00:00Z``); ``None`` for an empty value.

    >>> parse_date("2026-10-05"), parse_date("2026-10-05T23:30:00-02:00"), parse_date("")
    (datetime.date(2026, 10, 5), datetime.date(2026, 10, 6), None)

    Raises
    ------
    ValueError
        ``value`` is not a date; the caller turns it into the error of its file or parameter.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date() if value.tzinfo is None else value.astimezone(dt.UTC).date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return parse_date(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise ValueError(f"{value!r} is not a date (write it as YYYY-MM-DD)") from None
