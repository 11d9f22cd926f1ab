"""Date shapes that need more than a format string: day/month order resolved from a whole column,
Excel serial numbers, and yearless dates in the UI language (TikTok Studio)."""

from __future__ import annotations

import re
import unicodedata

from .. import _lazy

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")


__all__ = [
    "MONTHS",
    "month_of",
    "yearless_dates",
    "day_month_order",
    "has_day_month_cells",
    "resolve_day_month",
    "excel_serial",
]

_M = [
    # en
    "january february march april may june july august september october november december",
    "jan feb mar apr may jun jul aug sep oct nov dec",
    # es
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "ene feb mar abr may jun jul ago sept oct nov dic",
    # pt
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "jan fev mar abr mai jun jul ago set out nov dez",
    # fr
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    # de
    "januar februar märz april mai juni juli august september oktober november dezember",
    # it
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
]
#: Month names and abbreviations (en, es, pt, fr, de, it) -> month number. Extend freely.
MONTHS: dict[str, int] = {}
for _line in _M:
    for _i, _name in enumerate(_line.split(), 1):
        MONTHS.setdefault(_name, _i)
MONTHS.update({"setiembre": 9, "sep": 9, "sept": 9, "marco": 3})

# Vietnamese: "tháng Sáu" (June), "tháng 6".
_VI = {
    "một": 1,
    "giêng": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười một": 11,
    "mười hai": 12,
    "chạp": 12,
}


def _norm(s: str) -> str:
    return unicodedata.normalize("NFC", s).casefold().strip()


def month_of(word: str) -> int | None:
    """Month number of a month name or abbreviation in a supported language, else None."""
    w = _norm(word).strip(".,")
    if w in MONTHS:
        return MONTHS[w]
    m = re.fullmatch(r"tháng\s+(.+)", w)
    if m:
        rest = m.group(1).strip()
        if rest.isdigit():
            return int(rest) if 1 <= int(rest) <= 12 else None
        return _VI.get(rest)
    return None


_DAY = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_FILLER = re.compile(r"\b(de|del|of|le|der)\b|[.,]")


def _month_day(text: str) -> tuple[int, int, int | None] | None:
    """(month, day, year or None) of a date like 'August 9', '10 de febrero', '18 tháng Sáu'."""
    s = _norm(text)
    if not s:
        return None
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ t].*)?", s)
    if iso:
        return int(iso.group(2)), int(iso.group(3)), int(iso.group(1))
    year = None
    ym = _YEAR.search(s)
    if ym:
        year = int(ym.group(1))
        s = (s[: ym.start()] + " " + s[ym.end() :]).strip()
    vi = re.fullmatch(r"(?:ngày\s+)?(\d{1,2})\s*,?\s*(tháng\s+.+?)\s*,?", s)
    if vi:
        month = month_of(vi.group(2))
        return (month, int(vi.group(1)), year) if month else None
    dm = _DAY.search(s)
    if not dm:
        return None
    day = int(dm.group(1))
    word = _FILLER.sub(" ", s[: dm.start()] + " " + s[dm.end() :])
    word = " ".join(word.split())
    month = month_of(word)
    if month is None:
        return None
    return month, day, year


def yearless_dates(col: pd.Series, export_day: pd.Timestamp) -> pd.Series:
    """Parse dates without a year ('August 9', '10 de febrero', '18 tháng Sáu') to datetime64,
    taking the latest year that puts the date on or before ``export_day``; NaT where unparseable."""
    end = (
        pd.Timestamp(export_day).tz_localize(None).normalize()
        if pd.Timestamp(export_day).tzinfo
        else pd.Timestamp(export_day).normalize()
    )
    cache: dict[str, pd.Timestamp] = {}
    for value in col.dropna().unique():
        md = _month_day(str(value))
        if md is None:
            cache[value] = pd.NaT
            continue
        month, day, year = md
        try:
            if year is not None:
                cache[value] = pd.Timestamp(year, month, day)
                continue
            ts = pd.Timestamp(end.year, month, day)
            if ts > end + pd.Timedelta(days=1):
                ts = pd.Timestamp(end.year - 1, month, day)
            cache[value] = ts
        except ValueError:
            cache[value] = pd.NaT
    return pd.to_datetime(col.map(cache), errors="coerce")


def excel_serial(col: pd.Series) -> pd.Series:
    """Excel serial day numbers (``45123`` or ``45123.5``) as datetime64; NaT elsewhere."""
    num = pd.to_numeric(col, errors="coerce")
    ok = (num > 20000) & (num < 80000)
    out = pd.Timestamp("1899-12-30") + pd.to_timedelta(num.where(ok), unit="D")
    return out.dt.round("s")


_DMY = re.compile(
    r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(?:[ t]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?)?\s*$",
    re.I,
)


def day_month_order(col: pd.Series) -> str | None:
    """What a column of ``NN/NN/YYYY`` cells proves about their order: ``"day-first"`` (a first
    number above 12), ``"month-first"`` (a second number above 12), ``"both"`` (contradictory) or
    None (no such cell, or no number above 12: ambiguous)."""
    parts = col.astype("string").str.extract(_DMY)
    if not parts[0].notna().any():
        return None
    day_first = bool(np.nanmax(pd.to_numeric(parts[0]).to_numpy(dtype=float)) > 12)
    month_first = bool(np.nanmax(pd.to_numeric(parts[1]).to_numpy(dtype=float)) > 12)
    if day_first and month_first:
        return "both"
    return "day-first" if day_first else "month-first" if month_first else None


def has_day_month_cells(col: pd.Series) -> bool:
    """True when some cell has the ``NN/NN/YYYY`` shape whose order needs deciding."""
    return bool(col.astype("string").str.match(_DMY).fillna(False).any())


def resolve_day_month(
    col: pd.Series,
    *,
    default: str = "month-first",
    order: str | None = None,
    proof: str | None = None,
) -> tuple[pd.Series, str | None]:
    """Parse ``NN/NN/YYYY[ HH:MM]`` dates whose day/month order is unknown, from the whole column.

    If any first number exceeds 12 the column is day-first; if any second number does, month-first.
    If neither, the order is ambiguous and ``default`` is used. Returns the parsed column (NaT where
    a cell does not have this shape, or where both orders are contradicted) and a note stating the
    assumption (None when nothing had this shape).
    """
    parts = col.astype("string").str.extract(_DMY)
    has = parts[0].notna().to_numpy()
    if not has.any():
        return pd.Series(pd.NaT, index=col.index, dtype="datetime64[ns]"), None
    a = pd.to_numeric(parts[0]).to_numpy(dtype=float)
    b = pd.to_numeric(parts[1]).to_numpy(dtype=float)
    day_first = bool(np.nanmax(a) > 12)
    month_first = bool(np.nanmax(b) > 12)
    if order is not None:  # decided by the caller from other evidence (``proof`` says which)
        shape = "DD/MM/YYYY" if order == "day-first" else "MM/DD/YYYY"
        note = f"dates read as {shape} ({proof or 'order given'})"
    elif day_first and month_first:
        order, note = (
            "day-first",
            "day/month order is inconsistent within the column (both orders appear)",
        )
    elif day_first:
        order, note = "day-first", "dates read as DD/MM/YYYY (some first numbers exceed 12)"
    elif month_first:
        order, note = "month-first", "dates read as MM/DD/YYYY (some second numbers exceed 12)"
    else:
        order = default
        note = f"dates are ambiguous (no day above 12); assumed {'MM/DD/YYYY' if order == 'month-first' else 'DD/MM/YYYY'}"
    year = pd.to_numeric(parts[2])
    year = year.where(year >= 100, year + 2000)
    day = parts[0] if order == "day-first" else parts[1]
    month = parts[1] if order == "day-first" else parts[0]
    hour = pd.to_numeric(parts[3]).fillna(0)
    ampm = parts[6].fillna("").str.replace(".", "", regex=False).str.casefold()
    hour = hour.where(~((ampm == "pm") & (hour < 12)), hour + 12)
    hour = hour.where(~((ampm == "am") & (hour == 12)), 0)
    frame = pd.DataFrame(
        {
            "year": year,
            "month": pd.to_numeric(month),
            "day": pd.to_numeric(day),
            "hour": hour,
            "minute": pd.to_numeric(parts[4]).fillna(0),
            "second": pd.to_numeric(parts[5]).fillna(0),
        }
    )
    out = pd.to_datetime(frame.astype("float64"), errors="coerce")
    return out, note
