"""Value converters shared by the readers. Each one checks a whole column at once and reports the
first bad cell with its physical line and column."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from ._raw import MISSING_TOKENS, Table

__all__ = [
    "numbers",
    "rates",
    "ids",
    "texts",
    "timestamps",
    "localise",
]

_THOUSANDS = re.compile(r"(?<=\d)[,\u202f\xa0 ](?=\d{3}(?:\D|$))")
_SCI_ID = re.compile(r"^\s*\d(?:[.,]\d+)?[eE][+-]?\d+\s*$")
_ID = re.compile(r"^[0-9A-Za-z_:\-]+$")


def map_values(col: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """Map cells to canonical values after stripping and casefolding, working on the distinct
    values only (fast on long columns)."""
    uniq = pd.unique(col.astype(str))
    lookup = {u: mapping.get(u.strip().casefold()) for u in uniq}
    return col.astype(str).map(lookup).astype("string")


def _missing(col: pd.Series) -> np.ndarray:
    return col.str.strip().str.casefold().isin(MISSING_TOKENS).to_numpy()


def numbers(
    table: Table, pos: int, *, negative_ok: bool = False, percent: bool = False
) -> pd.Series:
    """Parse a metric column to float64: missing tokens become NaN; ``"825.0"``, ``1,234`` and
    ``8.03E-4`` are numbers; anything else is an error at its line and column.

    With ``percent=True`` a trailing ``%`` divides by 100. Counts cannot be negative unless
    ``negative_ok`` (daily net changes, YouTube's subscribers).
    """
    raw_col = table.column(pos)
    if raw_col.dtype.kind == "f":  # already converted by the fast CSV path (blank/missing -> NaN)
        return _checked(table, pos, raw_col, raw_col.to_numpy(dtype="float64"), negative_ok)
    # Fast path: a column of plain numbers and blanks needs no cleaning (vectorised, C speed).
    fast = pd.to_numeric(raw_col, errors="coerce")
    if fast.dtype.kind in "fiu":
        values = fast.to_numpy(dtype="float64")
        unparsed = np.isnan(values)
        rest = raw_col[unparsed]
        if (
            not unparsed.any()
            or (rest == "").all()
            or not (rest.astype(str).str.strip() != "").any()
        ):
            return _checked(table, pos, raw_col, values, negative_ok)
    col = raw_col.astype(str)
    missing = _missing(col)
    cleaned = col.str.strip().str.replace(_THOUSANDS, "", regex=True)
    is_pct = cleaned.str.endswith("%").to_numpy()
    if is_pct.any():
        cleaned = cleaned.str.rstrip("%").str.strip()
    values = pd.to_numeric(cleaned.where(~missing, None), errors="coerce").to_numpy(dtype="float64")
    bad = np.isnan(values) & ~missing
    if bad.any():
        row = int(np.argmax(bad))
        table.fail(
            f"{col.iloc[row]!r} is not a number.",
            row=row,
            column=pos,
            fix="this column must hold numbers (or be blank); re-export the file, or fix the cell if it was edited by hand.",
        )
    if is_pct.any():
        values = np.where(is_pct, values / 100.0, values)
    return _checked(table, pos, col, values, negative_ok)


def _checked(
    table: Table, pos: int, col: pd.Series, values: np.ndarray, negative_ok: bool
) -> pd.Series:
    if np.isinf(values).any():
        row = int(np.argmax(np.isinf(values)))
        table.fail(
            f"{col.iloc[row]!r} is not a finite number.",
            row=row,
            column=pos,
            fix="fix or blank the cell.",
        )
    if not negative_ok and (values < 0).any():
        row = int(np.argmax(values < 0))
        table.fail(
            f"{col.iloc[row]!r} is negative, but this count cannot be.",
            row=row,
            column=pos,
            fix="re-export the file; if it was edited by hand, restore the original value.",
        )
    return pd.Series(values, index=col.index, dtype="float64")


def rates(table: Table, pos: int, *, scale: float = 1.0) -> pd.Series:
    """Parse a rate column to a fraction: ``0.0121``, ``"6.14%"`` (divided by 100), or 0-100
    numbers when ``scale=100`` (YouTube's ``(%)`` columns; values above 100 are kept)."""
    values = numbers(table, pos, percent=True)
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
