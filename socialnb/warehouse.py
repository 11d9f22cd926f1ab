"""The embedded DuckDB warehouse: schema, all-or-nothing loads, queries returning DataFrames.

Tables
------
``post_snapshots``
    One row per (platform, post id, export time): every metric as exported plus lineage.
``posts`` (view)
    The latest snapshot of each post, joined to the calendar's tags by post id or link.
``account_daily_values`` / ``account_daily`` (view)
    Daily account metrics in long form (one row per platform, account, day, metric and export
    time) and the wide view of the latest value per day and metric.
``calendar``
    The brands' calendars, refreshed from ``calendar.csv`` when the file changes.
``ingest_log``
    Every file loaded: its hash, detected format, rows loaded / quarantined and why.

Timestamps are stored as naive UTC (``published_local`` as naive local time) and returned as
tz-aware UTC, so results never depend on the reader's machine zone. Each file is loaded in one
transaction; on a conflict (the same post and export time from two different files) the file
with the larger hash wins, so any load order gives the same tables.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from .errors import WarehouseError
from .schema import DAILY_METRICS, POST_FIELDS, POST_METRIC_FIELDS

__all__ = [
    "connect",
    "ensure_schema",
    "load_posts",
    "load_posts_sql",
    "load_daily",
    "replace_calendar",
    "query",
    "SCHEMA_VERSION",
]

SCHEMA_VERSION = 1

_POST_TYPES = {name: "DOUBLE" for name in POST_METRIC_FIELDS}
_POST_TYPES.update(
    {
        "published_at": "TIMESTAMP",
        "published_local": "TIMESTAMP",
        "exported_at": "TIMESTAMP",
        "source_row": "BIGINT",
    }
)

_CAL_COLUMNS = (
    "brand",
    "sprint",
    "planned_date",
    "platform",
    "pillar",
    "series",
    "format",
    "idea_id",
    "title",
    "status",
    "post_id",
    "post_link",
    "owner",
    "effort_hours",
    "calendar_row",
)


def _post_columns_ddl() -> str:
    cols = ["brand VARCHAR"] + [
        f"{name} {_POST_TYPES.get(name, 'VARCHAR')}" for name in POST_FIELDS
    ]
    return ",\n  ".join(cols)


_DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS post_snapshots (
  {_post_columns_ddl()},
  PRIMARY KEY (platform, post_id, exported_at)
);
CREATE TABLE IF NOT EXISTS account_daily_values (
  brand VARCHAR, platform VARCHAR NOT NULL, account VARCHAR NOT NULL, date DATE NOT NULL,
  metric VARCHAR NOT NULL, value DOUBLE, exported_at TIMESTAMP NOT NULL, exported_at_source VARCHAR,
  source_format VARCHAR, source_file VARCHAR, source_hash VARCHAR, source_row BIGINT, assumed_tz VARCHAR,
  PRIMARY KEY (platform, account, date, metric, exported_at)
);
CREATE TABLE IF NOT EXISTS calendar (
  brand VARCHAR, sprint VARCHAR, planned_date DATE, platform VARCHAR, pillar VARCHAR, series VARCHAR,
  format VARCHAR, idea_id VARCHAR, title VARCHAR, status VARCHAR, post_id VARCHAR, post_link VARCHAR,
  owner VARCHAR, effort_hours DOUBLE, calendar_row BIGINT
);
CREATE TABLE IF NOT EXISTS ingest_log (
  source_hash VARCHAR PRIMARY KEY, source_file VARCHAR, brand VARCHAR, source_format VARCHAR,
  platform VARCHAR, kind VARCHAR, rows_loaded BIGINT, rows_rejected BIGINT, detail VARCHAR,
  exported_at TIMESTAMP, ingested_at TIMESTAMP
);
CREATE OR REPLACE VIEW latest_snapshots AS
SELECT * FROM post_snapshots
QUALIFY row_number() OVER (PARTITION BY platform, post_id ORDER BY exported_at DESC, source_hash DESC) = 1;
CREATE OR REPLACE VIEW posts AS
WITH cal AS (
  SELECT *, coalesce(NULLIF(post_id, ''), NULLIF(regexp_extract(post_link, '([0-9]{{6,}})', 1), '')) AS key_id
  FROM calendar WHERE status IS DISTINCT FROM 'dropped'
),
matched AS (
  SELECT s.platform, s.post_id, c.pillar, c.series, c.format AS planned_format, c.idea_id,
    c.title AS calendar_title, c.sprint AS planned_sprint,
    row_number() OVER (PARTITION BY s.platform, s.post_id ORDER BY c.calendar_row) AS rn
  FROM latest_snapshots s
  JOIN cal c ON c.platform = s.platform AND c.brand IS NOT DISTINCT FROM s.brand
   AND (c.key_id = s.post_id OR (NULLIF(c.post_link, '') IS NOT NULL AND c.post_link = s.permalink))
)
SELECT s.*, m.pillar, m.series, m.planned_format, m.idea_id, m.calendar_title, m.planned_sprint
FROM latest_snapshots s
LEFT JOIN matched m ON m.platform = s.platform AND m.post_id = s.post_id AND m.rn = 1;
CREATE OR REPLACE VIEW latest_daily AS
SELECT * FROM account_daily_values
QUALIFY row_number() OVER (PARTITION BY platform, account, date, metric ORDER BY exported_at DESC, source_hash DESC) = 1;
CREATE OR REPLACE VIEW account_daily AS
SELECT brand, platform, account, date,
  {", ".join(f"max(value) FILTER (WHERE metric = '{m}') AS {m}" for m in DAILY_METRICS)}
FROM latest_daily GROUP BY brand, platform, account, date;
"""


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file (creating it and its schema unless ``read_only``).

    Raises
    ------
    WarehouseError
        If a read-only warehouse does not exist yet, or the file is locked or not a warehouse.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(
            f"{path}: no warehouse yet. What to do: run `socialnb ingest` (or Workspace.ingest()) first."
        )
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise WarehouseError(
            f"{path}: cannot open the warehouse ({exc}). What to do: close other programs using it "
            "(a notebook holding a write connection, another ingest), or rebuild it with "
            "`socialnb ingest --rebuild`."
        ) from exc
    con.execute("SET TimeZone = 'UTC'") if _has_icu(con) else None
    if not read_only:
        ensure_schema(con)
    return con


def _has_icu(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        return bool(
            con.execute(
                "SELECT count(*) FROM duckdb_settings() WHERE name = 'TimeZone'"
            ).fetchone()[0]
        )
    except duckdb.Error:
        return False


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables and views if they are missing (idempotent)."""
    con.execute("BEGIN TRANSACTION")
    con.execute(_DDL)
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = 'post_snapshots'"
        ).fetchall()
    }
    missing = [name for name in POST_FIELDS if name not in have]  # a warehouse made before
    for name in missing:  # a new lineage field (appended last, as in POST_FIELDS)
        con.execute(
            f"ALTER TABLE post_snapshots ADD COLUMN {name} {_POST_TYPES.get(name, 'VARCHAR')}"
        )
    if missing:
        con.execute(_DDL)  # views over post_snapshots see the new column
    con.execute(
        "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING",
        [str(SCHEMA_VERSION)],
    )
    con.execute("COMMIT")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All-or-nothing: commit on success, roll back on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _naive_utc(series: pd.Series) -> pd.Series:
    s = pd.to_datetime(series, utc=True)
    return s.dt.tz_convert("UTC").dt.tz_localize(None)


def _log(
    con,
    *,
    catalog="",
    source_hash,
    source_file,
    brand,
    source_format,
    platform,
    kind,
    loaded,
    rejected,
    detail,
    exported_at,
):
    con.execute(
        f"INSERT INTO {catalog}ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [
            source_hash,
            source_file,
            brand,
            source_format,
            platform,
            kind,
            loaded,
            rejected,
            json.dumps(detail),
            exported_at,
        ],
    )


def _post_rows(frame: pd.DataFrame, brand: str | None) -> pd.DataFrame:
    rows = frame.copy()
    rows.insert(0, "brand", brand)
    for name in ("published_at", "exported_at"):
        rows[name] = _naive_utc(rows[name])
    return rows[["brand", *POST_FIELDS]]


def _daily_rows(frame: pd.DataFrame, brand: str | None) -> pd.DataFrame:
    present = [m for m in DAILY_METRICS if m in frame and frame[m].notna().any()]
    ids = [
        "platform",
        "account",
        "date",
        "exported_at",
        "exported_at_source",
        "source_format",
        "source_file",
        "source_hash",
        "source_row",
        "assumed_tz",
    ]
    long = frame[ids + present].melt(id_vars=ids, var_name="metric", value_name="value")
    long = long[long["value"].notna()]
    long.insert(0, "brand", brand)
    long["account"] = long["account"].fillna("")
    long["exported_at"] = _naive_utc(long["exported_at"])
    long["date"] = pd.to_datetime(long["date"]).dt.date
    long = long[
        [
            "brand",
            "platform",
            "account",
            "date",
            "metric",
            "value",
            "exported_at",
            "exported_at_source",
            "source_format",
            "source_file",
            "source_hash",
            "source_row",
            "assumed_tz",
        ]
    ]
    return long.drop_duplicates(subset=["platform", "account", "date", "metric"], keep="last")


#: Columns that usually hold one value per file: sent as SQL parameters, not scanned row by row.
_CONSTANT_CANDIDATES = (
    "brand",
    "platform",
    "date_precision",
    "exported_at",
    "exported_at_source",
    "source_format",
    "source_file",
    "source_hash",
    "raw_headers",
    "assumed_tz",
    "metric_era",
    "distribution",
    "account",
)


def _constant(col: pd.Series) -> tuple[bool, object]:
    if not len(col):
        return False, None
    first = col.iloc[0]
    if pd.isna(first):
        return bool(col.isna().all()), None
    same = col == first
    return bool(same.fillna(False).all()), first.item() if hasattr(
        first, "item"
    ) and not isinstance(first, str) else first


def _insert(
    con: duckdb.DuckDBPyConnection, table: str, rows: pd.DataFrame, keys: tuple[str, ...]
) -> None:
    """Insert rows; a row whose key exists is replaced only by a file with a larger hash (so any
    load order gives the same tables). Per-file constants go in as parameters (fast)."""
    cols = list(rows.columns)
    consts: dict[str, object] = {}
    for c in _CONSTANT_CANDIDATES:
        if c in rows:
            is_const, value = _constant(rows[c])
            if is_const:
                consts[c] = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    scanned = rows[[c for c in cols if c not in consts]]
    select = ", ".join("?" if c in consts else f'"{c}"' for c in cols)
    params = [consts[c] for c in cols if c in consts]
    conflict = True
    if "exported_at" in consts and "platform" in consts:
        existing = con.execute(
            f"SELECT count(*) FROM {table} WHERE exported_at = ? AND platform = ?",
            [consts["exported_at"], consts["platform"]],
        ).fetchall()[0][0]
        conflict = existing > 0
    con.register("_incoming", scanned)
    try:
        if conflict:
            updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in keys)
            con.execute(
                f"INSERT INTO {table} SELECT {select} FROM _incoming ON CONFLICT ({', '.join(keys)}) "
                f"DO UPDATE SET {updates} WHERE excluded.source_hash > {table}.source_hash",
                params,
            )
        else:
            con.execute(f"INSERT INTO {table} SELECT {select} FROM _incoming", params)
    finally:
        con.unregister("_incoming")


_POST_KEYS = ("platform", "post_id", "exported_at")
_DAILY_KEYS = ("platform", "account", "date", "metric", "exported_at")

#: Test hook: seconds to sleep inside the load transaction (lets a test kill the process mid-file).
_SLEEP_ENV = "SOCIALNB_TEST_SLEEP_IN_TRANSACTION"


def load_file(
    con: duckdb.DuckDBPyConnection, frames: list[pd.DataFrame], *, brand: str | None
) -> int:
    """Load every table read from one raw file (posts and/or daily) in ONE transaction.

    Returns the number of rows written (post snapshots plus daily values). One ``ingest_log`` row
    records the file: its format(s), rows loaded, rows quarantined by the reader and why.
    """
    if not frames:
        raise WarehouseError(
            "load_file() got no tables. What to do: pass the frames read_raw() returned."
        )
    first = frames[0]
    written = 0
    rejected: list = []
    notes: list = []
    kinds: list[str] = []
    fmts: list[str] = []
    exported = None
    with transaction(con):
        for frame in frames:
            kind = frame.attrs.get("kind", "posts")
            if kind == "posts":
                rows = _post_rows(frame, brand)
                if len(rows):
                    _insert(con, "post_snapshots", rows, _POST_KEYS)
            else:
                rows = _daily_rows(frame, brand)
                if len(rows):
                    _insert(con, "account_daily_values", rows, _DAILY_KEYS)
            written += len(rows)
            if exported is None and len(rows):
                exported = rows["exported_at"].iloc[0]
            kinds.append(kind)
            fmts.append(str(frame.attrs.get("format")))
            notes += list(frame.attrs.get("notes", []))
            rejected += [list(r) for r in frame.attrs.get("rejected_rows", [])]
        if os.environ.get(_SLEEP_ENV):  # test hook: rows are written, nothing is committed yet
            marker = os.environ.get(_SLEEP_ENV + "_MARKER")
            if marker:
                Path(marker).write_text(str(written))
            time.sleep(float(os.environ[_SLEEP_ENV]))
        _log(
            con,
            source_hash=str(first["source_hash"].iloc[0])
            if len(first)
            else first.attrs.get("source_hash"),
            source_file=str(first["source_file"].iloc[0])
            if len(first)
            else first.attrs.get("source_file"),
            brand=brand,
            source_format="+".join(dict.fromkeys(fmts)),
            platform="+".join(dict.fromkeys(str(f["platform"].iloc[0]) for f in frames if len(f))),
            kind="+".join(dict.fromkeys(kinds)),
            loaded=written,
            rejected=len(rejected),
            detail={"notes": notes, "rejected_rows": rejected},
            exported_at=exported,
        )
    return written


def load_posts_sql(
    con: duckdb.DuckDBPyConnection,
    select: str,
    params: list,
    *,
    catalog: str,
    platform: str,
    exported_at,
    source_hash: str,
    source_file: str,
    source_format: str,
    brand: str | None,
    rows: int,
    notes: list[str] | None = None,
) -> int:
    """Load one file's post rows produced by ``select`` (a query on staged data giving the columns
    ``brand`` + :data:`~socialnb.schema.POST_FIELDS` in order, with naive UTC timestamps and a
    single ``platform`` and ``exported_at``) into the warehouse attached as ``catalog``, with its
    ``ingest_log`` row, in ONE transaction (the same rules as :func:`load_file`: a row whose key
    exists is replaced only by a file with a larger hash). ``rows`` is the number of rows
    ``select`` gives (reported as written, as :func:`load_file` does)."""
    prefix = f"{catalog}."
    table = f"{prefix}post_snapshots"
    with transaction(con):
        existing = con.execute(
            f"SELECT count(*) FROM {table} WHERE exported_at = ? AND platform = ?",
            [exported_at, platform],
        ).fetchone()[0]
        if existing:
            cols = ["brand", *POST_FIELDS]
            updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c not in _POST_KEYS)
            con.execute(
                f"INSERT INTO {table} {select} ON CONFLICT ({', '.join(_POST_KEYS)}) "
                f"DO UPDATE SET {updates} WHERE excluded.source_hash > {table}.source_hash",
                params,
            )
        else:
            con.execute(f"INSERT INTO {table} {select}", params)
        written = rows
        if os.environ.get(_SLEEP_ENV):  # test hook: rows are written, nothing is committed yet
            marker = os.environ.get(_SLEEP_ENV + "_MARKER")
            if marker:
                Path(marker).write_text(str(written))
            time.sleep(float(os.environ[_SLEEP_ENV]))
        _log(
            con,
            catalog=prefix,
            source_hash=source_hash,
            source_file=source_file,
            brand=brand,
            source_format=source_format,
            platform=platform,
            kind="posts",
            loaded=written,
            rejected=0,
            detail={"notes": list(notes or []), "rejected_rows": []},
            exported_at=exported_at,
        )
    return written


def load_posts(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, brand: str | None) -> int:
    """Load one file's canonical post rows in one transaction; returns rows written."""
    frame.attrs.setdefault("kind", "posts")
    return load_file(con, [frame], brand=brand)


def load_daily(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, brand: str | None) -> int:
    """Load one file's canonical daily rows (wide) in one transaction; returns values written."""
    frame.attrs["kind"] = "daily"
    return load_file(con, [frame], brand=brand)


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
