"""Reading the warehouse back, and the calendar table."""

from __future__ import annotations

import json

import duckdb

from .. import _lazy
from .connect import transaction
from .schema import _CAL_COLUMNS, _brand_key

pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["query", "file_outcome", "replace_calendar"]


def file_outcome(
    con: duckdb.DuckDBPyConnection, brand: str | None, source_hash: str
) -> dict[str, object] | None:
    """One file's ``ingest_log`` counts for a brand: ``rows_loaded`` (current),
    ``rows_superseded``, ``rows_ambiguous``, and the files it clashed with (None if absent)."""
    row = con.execute(
        "SELECT rows_loaded, rows_superseded, rows_ambiguous, detail FROM ingest_log "
        "WHERE brand = ? AND source_hash = ?",
        [_brand_key(brand), source_hash],
    ).fetchall()
    row = row[0] if row else None
    if row is None:
        return None
    detail = json.loads(row[3] or "{}")
    return {
        "rows_loaded": int(row[0] or 0),
        "rows_superseded": int(row[1] or 0),
        "rows_ambiguous": int(row[2] or 0),
        "ambiguous_with": list(detail.get("ambiguous_with", [])),
    }


def replace_calendar(con: duckdb.DuckDBPyConnection, brand: str, calendar: pd.DataFrame) -> None:
    """Replace one brand's calendar rows in one transaction."""
    rows = calendar.copy()
    rows.insert(0, "brand", brand)
    for col in _CAL_COLUMNS:
        if col not in rows:
            rows[col] = None
    rows = rows[list(_CAL_COLUMNS)]
    rows["planned_date"] = pd.to_datetime(rows["planned_date"]).dt.date
    rows["effort_hours"] = pd.to_numeric(rows["effort_hours"])
    with transaction(con):
        con.execute("DELETE FROM calendar WHERE brand = ?", [brand])
        con.register("_incoming", rows)
        con.execute("INSERT INTO calendar SELECT * FROM _incoming")
        con.unregister("_incoming")


_TZ_COLUMNS = ("published_at", "exported_at", "ingested_at")


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run SQL and return a DataFrame with UTC timestamps made tz-aware and text as strings."""
    frame = con.execute(sql, params or []).df()
    for col in frame.columns:
        if col in _TZ_COLUMNS and pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = (
                frame[col].dt.tz_localize("UTC") if frame[col].dt.tz is None else frame[col]
            )
        elif frame[col].dtype == object:
            frame[col] = (
                frame[col].astype("string")
                if col != "date" and col != "planned_date"
                else frame[col]
            )
    return frame
