"""The warehouse's schema: tables and views, the schema version, and the refusal of another.

See :mod:`socialnb.warehouse` for what each table holds.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..config import CALENDAR_COLUMNS
from ..errors import WarehouseError
from ..schema import DAILY_METRICS, POST_FIELDS, POST_METRIC_FIELDS

__all__ = ["SCHEMA_VERSION", "check_version", "ensure_schema"]

#: 2: brand in every key; ingest_log keyed by (brand, source_hash) with rows_superseded,
#: rows_ambiguous and content_end. 3: the ``posts`` view is the latest snapshot alone (calendar
#: tags come from the one matcher, :func:`socialnb.retro.match_calendar`).
SCHEMA_VERSION = 3


_POST_TYPES = {
    **{name: "DOUBLE" for name in POST_METRIC_FIELDS},
    "published_at": "TIMESTAMP",
    "published_local": "TIMESTAMP",
    "exported_at": "TIMESTAMP",
    "source_row": "BIGINT",
}

#: The calendar table's columns: the brand, the calendar's own columns, its spreadsheet row.
_CAL_COLUMNS = ("brand", *CALENDAR_COLUMNS, "calendar_row")
_CAL_TYPES = {"planned_date": "DATE", "effort_hours": "DOUBLE", "calendar_row": "BIGINT"}


def _post_columns_ddl() -> str:
    cols = ["brand VARCHAR NOT NULL"] + [
        f"{name} {_POST_TYPES.get(name, 'VARCHAR')}" for name in POST_FIELDS
    ]
    return ",\n  ".join(cols)


def _calendar_columns_ddl() -> str:
    return ", ".join(f"{name} {_CAL_TYPES.get(name, 'VARCHAR')}" for name in _CAL_COLUMNS)


_DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS post_snapshots (
  {_post_columns_ddl()}
);
CREATE TABLE IF NOT EXISTS account_daily_values (
  brand VARCHAR NOT NULL, platform VARCHAR NOT NULL, account VARCHAR NOT NULL, date DATE NOT NULL,
  metric VARCHAR NOT NULL, value DOUBLE, exported_at TIMESTAMP NOT NULL, exported_at_source VARCHAR,
  source_format VARCHAR, source_file VARCHAR, source_hash VARCHAR, source_row BIGINT, assumed_tz VARCHAR
);
CREATE TABLE IF NOT EXISTS calendar ({_calendar_columns_ddl()});
CREATE TABLE IF NOT EXISTS ingest_log (
  source_hash VARCHAR NOT NULL, source_file VARCHAR, brand VARCHAR NOT NULL, source_format VARCHAR,
  platform VARCHAR, kind VARCHAR, rows_loaded BIGINT, rows_rejected BIGINT, detail VARCHAR,
  exported_at TIMESTAMP, ingested_at TIMESTAMP, rows_superseded BIGINT, rows_ambiguous BIGINT,
  content_end TIMESTAMP, period_end TIMESTAMP,
  PRIMARY KEY (brand, source_hash)
);
CREATE OR REPLACE VIEW latest_snapshots AS
SELECT * FROM post_snapshots
QUALIFY row_number() OVER (PARTITION BY brand, platform, post_id ORDER BY exported_at DESC) = 1;
CREATE OR REPLACE VIEW posts AS SELECT * FROM latest_snapshots;
CREATE OR REPLACE VIEW latest_daily AS
SELECT * FROM account_daily_values
QUALIFY row_number() OVER (PARTITION BY brand, platform, account, date, metric ORDER BY exported_at DESC) = 1;
CREATE OR REPLACE VIEW account_daily AS
SELECT brand, platform, account, date,
  {", ".join(f"max(value) FILTER (WHERE metric = '{m}') AS {m}" for m in DAILY_METRICS)}
FROM latest_daily GROUP BY brand, platform, account, date;
"""


def check_version(con: duckdb.DuckDBPyConnection, path: str | Path, catalog: str = "") -> None:
    """Refuse a warehouse built with another schema (nothing is read from or written to it).

    Raises
    ------
    WarehouseError
        Saying which version it is and how to rebuild it from ``raw/``.
    """
    prefix = f"{catalog}." if catalog else ""
    try:
        row = con.execute(f"SELECT value FROM {prefix}meta WHERE key = 'schema_version'").fetchall()
    except duckdb.CatalogException:
        return  # a new, empty file
    row = row[0] if row else None
    if row is not None and row[0] != str(SCHEMA_VERSION):
        raise WarehouseError(
            f"{path}: this warehouse was built by another version of socialnb (schema {row[0]}; "
            f"this version needs schema {SCHEMA_VERSION}). "
            "Nothing was changed. What to do: run `socialnb ingest --rebuild` to build it again "
            "from every brand's raw/ folder (files you loaded from outside raw/ with --brand need "
            "`socialnb ingest PATH --brand B` again afterwards)."
        )


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables and views if they are missing (idempotent)."""
    con.execute("BEGIN TRANSACTION")
    con.execute(_DDL)
    con.execute(
        "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING",
        [str(SCHEMA_VERSION)],
    )
    con.execute("COMMIT")


def _brand_key(brand: str | None) -> str:
    """The brand as stored: files loaded without a brand (the low-level API) share ``''``."""
    return "" if brand is None else str(brand)
