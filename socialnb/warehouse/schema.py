"""The warehouse's schema: tables and views, the schema version, and the refusal of another.

See :mod:`socialnb.warehouse` for what each table holds.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path

import duckdb

from ..config import CALENDAR_COLUMNS
from ..errors import WarehouseError
from ..schema import (
    DAILY_METRICS,
    DATE_PRECISIONS,
    FORMATS,
    PLATFORMS,
    POST_FIELDS,
    POST_METRIC_FIELDS,
)

__all__ = ["SCHEMA_VERSION", "check_version", "ensure_schema"]

#: 2: brand in every key; ingest_log keyed by (brand, source_hash) with rows_superseded,
#: rows_ambiguous and content_end. 3: the ``posts`` view is the latest snapshot alone (calendar
#: tags come from the one matcher, :func:`socialnb.retro.match_calendar`). 4: a file's matched
#: header names are stored once (``header_sets``), not on every row; ``post_snapshots`` is a view
#: over the stored rows (``post_snapshot_rows``) with the same columns as before. 5: all of a
#: file's lineage that is the same on each of its rows (:data:`LINEAGE_COLUMNS`: its hash, name,
#: format, zone, metric era, header names, where its export time came from) is stored once, in
#: ``lineages``, and each row keeps its key (``lineage``); ``header_sets`` is gone; platform,
#: format and date precision are stored as ENUMs of their vocabularies (:data:`ENUM_COLUMNS`).
SCHEMA_VERSION = 5

#: The table that holds post snapshots (``post_snapshots`` is the view over it).
POST_ROWS = "post_snapshot_rows"

#: The lineage columns a post row shares with every row of its file (and table), stored once per
#: distinct value in ``lineages`` and joined back by the ``post_snapshots`` view. Written on each
#: of a million rows, the six strings besides the header names (stored once since schema 4) cost
#: about 0.35 s and 0.6 CPU s of a 1.6 s insert (issue 15).
LINEAGE_COLUMNS: tuple[str, ...] = (
    "source_hash",
    "source_file",
    "source_format",
    "exported_at_source",
    "assumed_tz",
    "metric_era",
    "raw_headers",
)

#: A stored post row's columns: ``brand`` + :data:`~socialnb.schema.POST_FIELDS` with the
#: :data:`LINEAGE_COLUMNS` replaced by ``lineage``, their key in ``lineages`` (where
#: ``raw_headers`` was).
STORED_POST_COLUMNS: tuple[str, ...] = (
    "brand",
    *(
        "lineage" if name == "raw_headers" else name
        for name in POST_FIELDS
        if name == "raw_headers" or name not in LINEAGE_COLUMNS
    ),
)


#: Post row columns stored as DuckDB ENUMs of their vocabulary: a few values on every row, written
#: as one byte each rather than as strings (0.2-0.3 s and about 0.5 CPU s of a million-row insert,
#: issue 15), and a value outside the vocabulary cannot be stored. The ``post_snapshots`` view
#: gives them back as text.
ENUM_COLUMNS: dict[str, tuple[str, ...]] = {
    "platform": PLATFORMS,
    "format": FORMATS,
    "date_precision": DATE_PRECISIONS,
}


def _enum(values: tuple[str, ...]) -> str:
    return "ENUM (" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


_POST_TYPES = {
    **{name: _enum(values) for name, values in ENUM_COLUMNS.items()},
    **{name: "DOUBLE" for name in POST_METRIC_FIELDS},
    "published_at": "TIMESTAMP",
    "published_local": "TIMESTAMP",
    "exported_at": "TIMESTAMP",
    "source_row": "BIGINT",
    "lineage": "BIGINT",
}

#: The calendar table's columns: the brand, the calendar's own columns, its spreadsheet row.
_CAL_COLUMNS = ("brand", *CALENDAR_COLUMNS, "calendar_row")
_CAL_TYPES = {"planned_date": "DATE", "effort_hours": "DOUBLE", "calendar_row": "BIGINT"}


def _post_columns_ddl() -> str:
    cols = ["brand VARCHAR NOT NULL"] + [
        f"{name} {_POST_TYPES.get(name, 'VARCHAR')}" for name in STORED_POST_COLUMNS[1:]
    ]
    return ",\n  ".join(cols)


def _post_snapshot_columns() -> str:
    """The ``post_snapshots`` view's select list: a canonical post row (``brand`` and
    :data:`~socialnb.schema.POST_FIELDS`), its lineage from ``lineages``."""
    return ", ".join(
        f"l.{name}"
        if name in LINEAGE_COLUMNS
        else f"r.{name}::VARCHAR AS {name}"
        if name in ENUM_COLUMNS
        else f"r.{name}"
        for name in ("brand", *POST_FIELDS)
    )


def _calendar_columns_ddl() -> str:
    return ", ".join(f"{name} {_CAL_TYPES.get(name, 'VARCHAR')}" for name in _CAL_COLUMNS)


_DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS {POST_ROWS} (
  {_post_columns_ddl()}
);
CREATE TABLE IF NOT EXISTS lineages (
  lineage BIGINT PRIMARY KEY, {", ".join(f"{name} VARCHAR" for name in LINEAGE_COLUMNS)}
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
CREATE OR REPLACE VIEW post_snapshots AS
SELECT {_post_snapshot_columns()}
FROM {POST_ROWS} r LEFT JOIN lineages l ON l.lineage = r.lineage;
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


def lineage_values(lineage: Mapping[str, object]) -> tuple[str | None, ...]:
    """A file's :data:`LINEAGE_COLUMNS` as stored: text, None where missing (``raw_headers``:
    ``""``)."""
    out = []
    for name in LINEAGE_COLUMNS:
        value = lineage.get(name)
        missing = (
            value is None
            or (isinstance(value, float) and math.isnan(value))
            or type(value).__name__ in ("NAType", "NaTType")  # pandas' missing values
        )
        if name == "raw_headers":
            out.append("" if missing else str(value))
        else:
            out.append(None if missing else str(value))
    return tuple(out)


def lineage_key(lineage: Mapping[str, object]) -> int:
    """The ``lineages`` key of a file's lineage (:func:`lineage_values`): the first 8 bytes of the
    SHA-256 of its values as a signed BIGINT, the same in every warehouse and on every rebuild (a
    collision is refused by :func:`register_lineage`, never merged)."""
    text = json.dumps(lineage_values(lineage), ensure_ascii=False)
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def register_lineage(
    con: duckdb.DuckDBPyConnection, catalog: str, lineage: Mapping[str, object]
) -> int:
    """Store a file's lineage once (inside the caller's transaction) and return its key
    (:func:`lineage_key`).

    Raises
    ------
    WarehouseError
        If another lineage has the same key (two in 2**64: never seen), rather than let rows
        show a file that is not theirs.
    """
    values = lineage_values(lineage)
    key = lineage_key(lineage)
    con.execute(
        f"INSERT INTO {catalog}lineages VALUES (?, {', '.join('?' for _ in values)}) "
        "ON CONFLICT DO NOTHING",
        [key, *values],
    )
    stored = con.execute(
        f"SELECT {', '.join(LINEAGE_COLUMNS)} FROM {catalog}lineages WHERE lineage = ?", [key]
    ).fetchall()[0]
    if tuple(stored) != values:
        raise WarehouseError(
            f"two file lineages have the same key {key} ({stored!r} and {values!r}); nothing was "
            "loaded from this file. What to do: report it to the socialnb maintainers."
        )
    return key


def _brand_key(brand: str | None) -> str:
    """The brand as stored: files loaded without a brand (the low-level API) share ``''``."""
    return "" if brand is None else str(brand)
