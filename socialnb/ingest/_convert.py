"""Value converters shared by the readers. Each one checks a whole column at once and reports the
first bad cell with its physical line and column."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from .. import _lazy
from ._raw import MISSING_TOKENS, Table

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")

__all__ = [
    "MAX_COUNT",
    "number_cells",
    "numbers",
    "rates",
    "ids",
    "texts",
    "timestamps",
    "localise",
    "localise_one",
]

_THOUSANDS = re.compile(r"(?<=\d)[,\u202f\xa0 ](?=\d{3}(?:\D|$))")
_SCI_ID = re.compile(r"^\s*\d(?:[.,]\d+)?[eE][+-]?\d+\s*$")
_ID = re.compile(r"^[0-9A-Za-z_:\-]+$")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def map_values(col: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """Map cells to canonical values after stripping and casefolding, working on the distinct
    values only (fast on long columns)."""
    uniq = pd.unique(col.astype(str))
    lookup = {u: mapping.get(u.strip().casefold()) for u in uniq}
    return col.astype(str).map(lookup).astype("string")


def coded(table: Table, pos: int | None, mapping: dict[str, str]) -> pd.Series:
    """A column of codes (a format, a type) mapped to canonical values (:func:`map_values`);
    all missing when the export has no such column (``pos`` None)."""
    if pos is None:
        return pd.Series(pd.NA, index=table.frame.index, dtype="string")
    return map_values(table.column(pos), mapping)


def _missing(col: pd.Series) -> np.ndarray:
    return col.str.strip().str.casefold().isin(MISSING_TOKENS).to_numpy()


#: The largest count one post or one day can have: the most viewed videos have about 1.6e10
#: views, so a larger cell is a corrupt or hand-edited value (1e30), not a count.
MAX_COUNT = 1e12

#: Canonical metric fields that measure (seconds, hours) rather than count: fractions are fine.
MEASURES: frozenset[str] = frozenset({"watch_time_s", "watch_hours", "duration", "avg_view"})


def number_cells(
    col: pd.Series, *, negative_ok: bool = False, integer: bool = True, percent: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The one contract for a metric cell, whatever reads it (exact path, fast paths, mappings).

    Returns the float64 values (NaN for missing and refused cells) and, per cell, why it is
    refused (``""`` when it is fine). Missing tokens (:data:`MISSING_TOKENS`) are missing. A cell is
    a plain decimal number (``825``, ``825.0``, ``1,234`` with thousands separators, ``8.03E-4``);
    a trailing ``%`` only where ``percent`` (a rate column: divided by 100). Counts (``integer``)
    are whole numbers from 0 to :data:`MAX_COUNT`; ``negative_ok`` allows net changes below 0.
    Anything else (``"NaN"``, ``"inf"``, ``"1_000"``, ``"12%"`` in a count, ``"1.234"``, ``1e30``)
    is refused. A float column (already converted by a fast path from plain-number cells only)
    is checked the same way.
    """
    reasons = np.full(len(col), "", dtype=object)
    if col.dtype.kind == "f":  # converted by a fast path from plain-number cells only
        values = col.to_numpy(dtype="float64").copy()
    else:
        text = col.astype(str)
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", copy=True)
        plain = ~np.isnan(values)  # what pandas reads as it is ("inf" is refused below)
        if not plain.all():  # the slow path only for cells that are not plain numbers
            rest = ~plain
            cells = text[rest].str.strip()
            missing = cells.str.casefold().isin(MISSING_TOKENS).to_numpy()
            cleaned = cells.str.replace(_THOUSANDS, "", regex=True)
            pct = cleaned.str.endswith("%").to_numpy()
            cleaned = cleaned.where(~pct, cleaned.str[:-1].str.strip())
            ok = cleaned.str.fullmatch(_DECIMAL).to_numpy()
            parsed = pd.to_numeric(cleaned.where(ok, None), errors="coerce").to_numpy(
                dtype="float64"
            )
            sub = np.where(missing, "", np.where(ok, "", "not a number")).astype(object)
            if not percent:
                sub = np.where(ok & pct & ~missing, "percent", sub)
            else:
                parsed = np.where(pct, parsed / 100.0, parsed)
            parsed = np.where(missing | (sub != ""), np.nan, parsed)
            values[rest] = parsed
            reasons[rest] = sub
    fine = reasons == ""
    with np.errstate(invalid="ignore"):
        reasons[fine & np.isinf(values)] = "infinite"
        fine = reasons == ""
        if not negative_ok:
            reasons[fine & (values < 0)] = "negative"
        if integer:
            reasons[(reasons == "") & (np.abs(values) > MAX_COUNT)] = "too large"
            reasons[(reasons == "") & (values != np.floor(values)) & ~np.isnan(values)] = "fraction"
    values[reasons != ""] = np.nan
    return values, reasons


_PROBLEMS = {
    "not a number": ("{v!r} is not a number.", "this column must hold numbers (or be blank)"),
    "percent": (
        "{v!r} is a percentage, but this column is a count, not a rate.",
        "this column must hold whole counts",
    ),
    "infinite": ("{v!r} is not a finite number.", "fix or blank the cell"),
    "negative": ("{v!r} is negative, but this count cannot be.", "counts are 0 or more"),
    "too large": (
        "{v!r} is larger than any real count (over 10^12).",
        "the cell is corrupt or was edited by hand",
    ),
    "fraction": (
        "{v!r} is not a whole number, but this column counts (a decimal point, or a "
        "European thousands separator?).",
        "counts are whole numbers",
    ),
}


def cell_problem(value: object, reason: str) -> str:
    """The sentence for a cell refused by :func:`number_cells` (``reason`` is its code)."""
    return _PROBLEMS[reason][0].format(v=str(value))


def numbers(
    table: Table,
    pos: int,
    *,
    negative_ok: bool = False,
    integer: bool = True,
    percent: bool = False,
) -> pd.Series:
    """Parse a metric column to float64 with :func:`number_cells` (the one cell contract); the
    first refused cell is an error at its line and column.

    Counts (the default) are whole numbers from 0 to :data:`MAX_COUNT`; ``integer=False`` for
    measures (hours, seconds); ``percent=True`` for rates (a trailing ``%`` divides by 100);
    ``negative_ok`` for net changes (daily follows, YouTube's subscribers).
    """
    col = table.column(pos)
    values, reasons = number_cells(col, negative_ok=negative_ok, integer=integer, percent=percent)
    bad = reasons != ""
    if bad.any():
        row = int(np.argmax(bad))
        problem, rule = _PROBLEMS[reasons[row]]
        table.fail(
            problem.format(v=str(col.iloc[row])),
            row=row,
            column=pos,
            fix=f"{rule}; re-export the file, or restore the cell if it was edited by hand.",
        )
    return pd.Series(values, index=col.index, dtype="float64")


def rates(table: Table, pos: int, *, scale: float = 1.0) -> pd.Series:
    """Parse a rate column to a fraction: ``0.0121``, ``"6.14%"`` (divided by 100), or 0-100
    numbers when ``scale=100`` (YouTube's ``(%)`` columns; values above 100 are kept)."""
    values = numbers(table, pos, percent=True, integer=False)
    return values / scale if scale != 1.0 else values


def ids(table: Table, pos: int, *, what: str = "post id") -> pd.Series:
    """Read an ID column as text: strip spaces (YouTube's defensive leading space) and a leading
    apostrophe; refuse IDs that a spreadsheet turned into scientific notation or decimals."""
    col = table.column(pos).astype(str)
    if col.str.isdigit().all():  # the usual case: plain digit ids, nothing to clean or check
        return col.astype("string")
    col = col.str.strip().str.lstrip("'").str.strip()
    sci = col.str.match(_SCI_ID).to_numpy()
    if sci.any():
        row = int(np.argmax(sci))
        table.fail(
            f"the {what} {col.iloc[row]!r} is in scientific notation: a spreadsheet rounded it and the real id is lost.",
            row=row,
            column=pos,
            fix="download the export again and do not open and re-save it in Excel (or format the column as Text first).",
        )
    decimal = col.str.fullmatch(r"\d+\.0+").to_numpy()
    if decimal.any():
        col = col.where(~decimal, col.str.replace(r"\.0+$", "", regex=True))
    return col.astype("string")


def texts(table: Table, pos: int | None) -> pd.Series:
    """A text column as pandas strings; blank becomes NA. Missing tokens stay text here."""
    if pos is None:
        return pd.Series(pd.NA, index=table.frame.index, dtype="string")
    col = table.column(pos).astype("string")
    return col.where(~(col.str.isspace() | (col == "")), pd.NA)


def timestamps(
    table: Table,
    pos: int,
    parse: Callable[[pd.Series], pd.Series],
    *,
    example: str,
    allow_blank: bool = False,
) -> pd.Series:
    """Parse a time column with ``parse`` (text -> datetime64 or NaT); report the first cell that
    does not parse, quoting the expected shape ``example``."""
    raw_col = table.column(pos).astype(str)
    if not allow_blank:  # fast path: every cell parses as it is
        parsed = parse(raw_col)
        if not parsed.isna().any():
            return parsed
    col = raw_col.str.strip()
    blank = (col == "").to_numpy() | _missing(col)
    parsed = parse(col.where(~blank, None))
    bad = parsed.isna().to_numpy() & ~blank
    if bad.any() or (blank.any() and not allow_blank):
        row = int(np.argmax(bad | (blank & (not allow_blank))))
        table.fail(
            f"{col.iloc[row]!r} is not a date/time of the expected shape (like {example!r}).",
            row=row,
            column=pos,
            fix="re-export the file without changing the date format; if a spreadsheet reformatted it, restore the original text.",
        )
    return parsed


def localise(local: pd.Series, tz: str) -> pd.Series:
    """Turn naive wall-clock times in ``tz`` into UTC (DST gaps shift forward, overlaps take the
    first occurrence, so no time is dropped)."""
    naive = pd.to_datetime(local)
    aware = naive.dt.tz_localize(
        tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward"
    )
    return aware.dt.tz_convert("UTC")


def localise_one(naive: datetime, tz: str) -> datetime:
    """:func:`localise` for one wall-clock time (an aware UTC datetime), importing pandas only
    for a time in a DST gap: a time that exists (once or twice: the first occurrence) is placed
    by :mod:`zoneinfo`, which agrees with :func:`localise` at every transition of every zone
    (``tests/test_ingest_localise.py``); a gap's times take :func:`localise` itself."""
    zone = ZoneInfo(tz)  # zoneinfo keeps one instance per key
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    moved = localise(pd.Series([naive]).astype("datetime64[us]"), tz).iloc[0]
    return moved.to_pydatetime()
