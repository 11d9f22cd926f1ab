"""The embedded DuckDB warehouse: schema, all-or-nothing loads, queries returning DataFrames.

Tables
------
``post_snapshots``
    One row per (brand, platform, post id, export time): every metric as exported plus lineage.
``posts`` (view)
    The latest snapshot of each post. The calendar's tags (pillar, series, ...) are added by
    :meth:`socialnb.Workspace.posts` with the one calendar matcher
    (:func:`socialnb.retro.match_calendar`), never in SQL.
``account_daily_values`` / ``account_daily`` (view)
    Daily account metrics in long form (one row per brand, platform, account, day, metric and
    export time) and the wide view of the latest value per day and metric.
``calendar``
    The brands' calendars, refreshed from ``calendar.csv`` when the file changes.
``ingest_log``
    Every file loaded, once per brand: its hash, detected format, rows current (``rows_loaded``),
    rows another file holds for the same post and export time (``rows_superseded``, of which
    ``rows_ambiguous`` could not be decided), rows quarantined by the reader and why.

Everything is keyed by brand, so two brands never share or take each other's posts. Timestamps
are stored as naive UTC (``published_local`` as naive local time) and returned as tz-aware UTC,
so results never depend on the reader's machine zone. Each file is loaded in one transaction.

When two different files give the same post (or daily value) the same export time, the one whose
content reaches later wins (its ``content_end``: the newest date in it or the end of the period its
name states); when both reach equally far and disagree, the row already stored is kept, the clash
is counted in ``rows_ambiguous`` and noted in the log, and ingest says what to do (put each
download in a folder named for its day). Time decides, never a hash or a file order.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd

from .errors import ExportError, WarehouseError
from .schema import DAILY_METRICS, POST_FIELDS, POST_METRIC_FIELDS

__all__ = [
    "connect",
    "ensure_schema",
    "load_posts",
    "load_posts_sql",
    "load_daily",
    "replace_calendar",
    "query",
    "file_outcome",
    "writer_lock",
    "SCHEMA_VERSION",
]

#: 2: brand in every key; ingest_log keyed by (brand, source_hash) with rows_superseded,
#: rows_ambiguous and content_end. 3: the ``posts`` view is the latest snapshot alone (calendar
#: tags come from the one matcher, :func:`socialnb.retro.match_calendar`).
SCHEMA_VERSION = 3

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
    cols = ["brand VARCHAR NOT NULL"] + [
        f"{name} {_POST_TYPES.get(name, 'VARCHAR')}" for name in POST_FIELDS
    ]
    return ",\n  ".join(cols)


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
CREATE TABLE IF NOT EXISTS calendar (
  brand VARCHAR, sprint VARCHAR, planned_date DATE, platform VARCHAR, pillar VARCHAR, series VARCHAR,
  format VARCHAR, idea_id VARCHAR, title VARCHAR, status VARCHAR, post_id VARCHAR, post_link VARCHAR,
  owner VARCHAR, effort_hours DOUBLE, calendar_row BIGINT
);
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


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file (creating it and its schema unless ``read_only``).

    Raises
    ------
    WarehouseError
        If a read-only warehouse does not exist yet, the file is locked or not a warehouse, or it
        was built by another version of socialnb (it says how to rebuild it).
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
            "(a notebook holding a write connection, another ingest) and run the command again."
        ) from exc
    con.execute("SET TimeZone = 'UTC'") if _has_icu(con) else None
    try:
        check_version(con, path)
        if not read_only:
            ensure_schema(con)
    except BaseException:
        con.close()
        raise
    return con


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


@contextmanager
def writer_lock(path: str | Path) -> Iterator[None]:
    """Hold the warehouse's writer lock (``<warehouse>.lock`` beside it) for the block.

    Every writer (ingest, rebuild and its swap) takes it, so one writes at a time.

    Raises
    ------
    WarehouseError
        When another process holds it (saying to wait for it and run the command again).
    """
    import fcntl

    path = Path(path)
    lock = path.with_name(path.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock, "a+")  # noqa: SIM115  (held open for the block)
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise WarehouseError(
                f"{path}: another ingest is writing to this warehouse right now. Nothing was "
                "changed. What to do: wait until it has finished, then run your command again "
                "(files it has not loaded yet are loaded then)."
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def _has_icu(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        return bool(
            con.execute(
                "SELECT count(*) FROM duckdb_settings() WHERE name = 'TimeZone'"
            ).fetchall()[0][0]
        )
    except duckdb.Error:
        return False


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables and views if they are missing (idempotent)."""
    con.execute("BEGIN TRANSACTION")
    con.execute(_DDL)
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


def _brand_key(brand: str | None) -> str:
    """The brand as stored: files loaded without a brand (the low-level API) share ``''``."""
    return "" if brand is None else str(brand)


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
    outcome,
    rejected,
    detail,
    exported_at,
    content_end,
    period_end,
):
    con.execute(
        f"INSERT INTO {catalog}ingest_log (source_hash, source_file, brand, source_format, "
        "platform, kind, rows_loaded, rows_rejected, detail, exported_at, ingested_at, "
        "rows_superseded, rows_ambiguous, content_end, period_end) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?)",
        [
            source_hash,
            source_file,
            _brand_key(brand),
            source_format,
            platform,
            kind,
            outcome.loaded,
            rejected,
            json.dumps(detail),
            exported_at,
            outcome.superseded,
            outcome.ambiguous,
            content_end,
            period_end,
        ],
    )


def _post_rows(frame: pd.DataFrame, brand: str | None) -> pd.DataFrame:
    rows = frame.copy()
    rows.insert(0, "brand", _brand_key(brand))
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
    long.insert(0, "brand", _brand_key(brand))
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


@dataclass(frozen=True)
class _Outcome:
    """What one file's rows became: current, held by another file, undecidable."""

    loaded: int = 0
    superseded: int = 0
    ambiguous: int = 0
    clashes: tuple[str, ...] = ()

    def __add__(self, other: _Outcome) -> _Outcome:
        return _Outcome(
            self.loaded + other.loaded,
            self.superseded + other.superseded,
            self.ambiguous + other.ambiguous,
            tuple(dict.fromkeys(self.clashes + other.clashes)),
        )


_POST_KEYS = ("brand", "platform", "post_id", "exported_at")
_DAILY_KEYS = ("brand", "platform", "account", "date", "metric", "exported_at")
_KEYS = {"post_snapshots": _POST_KEYS, "account_daily_values": _DAILY_KEYS}
#: Columns compared to tell whether two files disagree about a row (lineage is not data).
_VALUES = {
    "post_snapshots": ("published_at", *POST_METRIC_FIELDS),
    "account_daily_values": ("value",),
}


def _merge(
    con: duckdb.DuckDBPyConnection,
    table: str,
    source: str,
    params: list,
    *,
    catalog: str,
    brand: str,
    platform: str | None,
    exported_at,
    content_end,
    period_end,
    keys_unique: bool = False,
) -> _Outcome:
    """Insert the rows ``source`` (a SELECT giving the table's columns) yields.

    A row whose key (brand, platform, post or day, export time) another file already holds is
    decided by time: the file whose content reaches later (``content_end``, then ``period_end``)
    wins; if both reach equally far and the values differ, the stored row stays and the row is
    counted as ambiguous.
    """
    target = f"{catalog}{table}"
    log = f"{catalog}ingest_log"
    keys = _KEYS[table]
    if platform is not None and exported_at is not None:
        clash = con.execute(
            f"SELECT count(*) FROM {target} WHERE brand = ? AND platform = ? AND exported_at = ?",
            [brand, platform, exported_at],
        ).fetchall()[0][0]
        if not clash:  # no row of this export time yet: a bulk insert, no key index to keep
            inserted = con.execute(f"INSERT INTO {target} {source}", params).fetchall()
            if not keys_unique:
                _check_unique(
                    con, target, keys, "WHERE brand = ? AND platform = ? AND exported_at = ?",
                    [brand, platform, exported_at],
                )  # fmt: skip
            return _Outcome(loaded=int(inserted[0][0]))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _incoming AS SELECT * FROM {target} LIMIT 0")
    try:
        con.execute(f"INSERT INTO _incoming {source}", params)
        _check_unique(con, "_incoming", keys, "", [])
        counts = _verdicts(con, target, log, keys, _VALUES[table], content_end, period_end)
        con.execute(
            f"""UPDATE {log} SET rows_loaded = rows_loaded - c.n,
              rows_superseded = rows_superseded + c.n
            FROM (SELECT old_hash, count(*) AS n FROM _verdict WHERE verdict = 'new'
                  GROUP BY old_hash) c
            WHERE {log}.brand = ? AND {log}.source_hash = c.old_hash""",
            [brand],
        )
        # rows this file supersedes make way (an anti-join delete), then every incoming row no
        # stored row holds goes in: the table keeps one row per key without a key index
        match = " AND ".join(f"v.{k} = {target}.{k}" for k in keys)
        con.execute(
            f"DELETE FROM {target} WHERE EXISTS "
            f"(SELECT 1 FROM _verdict v WHERE v.verdict = 'new' AND {match})"
        )
        kept = " AND ".join(f"v.{k} = i.{k}" for k in keys)
        con.execute(
            f"INSERT INTO {target} SELECT i.* FROM _incoming i WHERE NOT EXISTS "
            f"(SELECT 1 FROM _verdict v WHERE v.verdict <> 'new' AND {kept})"
        )
        n = con.execute("SELECT count(*) FROM _incoming").fetchall()[0][0]
        held = sum(v for k, v in counts.items() if k != "new")
        clashes = tuple(
            r[0]
            for r in con.execute(
                "SELECT DISTINCT old_file FROM _verdict WHERE verdict = 'ambiguous' "
                "ORDER BY old_file LIMIT 5"
            ).fetchall()
        )
        return _Outcome(n - held, held, counts.get("ambiguous", 0), clashes)
    finally:
        con.execute("DROP TABLE IF EXISTS _incoming")
        con.execute("DROP TABLE IF EXISTS _verdict")


def _verdicts(con, target, log, keys, values, content_end, period_end) -> dict[str, int]:
    """Decide, in the temp table ``_verdict``, every incoming row whose key a stored row holds
    (``new``: the incoming file reaches later; ``old``; ``same`` values; ``ambiguous``), and
    return the count of each verdict."""
    on = " AND ".join(f"i.{k} = t.{k}" for k in keys)
    differ = " OR ".join(f"i.{c} IS DISTINCT FROM t.{c}" for c in values)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _verdict AS
        WITH p AS (SELECT ?::TIMESTAMP AS ce, ?::TIMESTAMP AS pe),
        c AS (
          SELECT {", ".join(f"i.{k}" for k in keys)}, t.source_hash AS old_hash,
            t.source_file AS old_file, ({differ}) AS differ,
            CASE WHEN p.ce > l.content_end THEN 1 WHEN p.ce < l.content_end THEN -1 ELSE 0 END
              AS by_content,
            CASE WHEN p.pe > l.period_end THEN 1 WHEN p.pe < l.period_end THEN -1 ELSE 0 END
              AS by_period
          FROM _incoming i JOIN {target} t ON {on}
          CROSS JOIN p
          LEFT JOIN {log} l ON l.brand = t.brand AND l.source_hash = t.source_hash
        )
        SELECT *, CASE
          WHEN by_content = 1 OR (by_content = 0 AND by_period = 1) THEN 'new'
          WHEN by_content = -1 OR (by_content = 0 AND by_period = -1) THEN 'old'
          WHEN differ THEN 'ambiguous' ELSE 'same' END AS verdict
        FROM c""",
        [content_end, period_end],
    )
    return dict(con.execute("SELECT verdict, count(*) FROM _verdict GROUP BY verdict").fetchall())


def _check_unique(con, table: str, keys: tuple[str, ...], where: str, params: list) -> None:
    """Refuse (before the commit) two rows for one key: the tables hold no key index (a bulk
    insert keeps none up to date), so uniqueness is checked here, in SQL.

    Raises
    ------
    WarehouseError
        Naming the key; the transaction is rolled back by the caller.
    """
    cols = ", ".join(keys)
    dup = con.execute(
        f"SELECT {cols} FROM {table} {where} GROUP BY {cols} HAVING count(*) > 1 LIMIT 1", params
    ).fetchall()
    if dup:
        named = ", ".join(f"{k}={v}" for k, v in zip(keys, dup[0], strict=True))
        raise WarehouseError(
            f"two rows of one file for the same key ({named}); nothing was loaded from it. "
            "What to do: report this file to the socialnb maintainers (a reader let a repeated "
            "row through)."
        )


def _frame_source(rows: pd.DataFrame) -> tuple[str, list, pd.DataFrame]:
    """A SELECT over the registered frame ``_frame`` (per-file constants as parameters: fast)."""
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
    return f"SELECT {select} FROM _frame", params, scanned


def _forget(con: duckdb.DuckDBPyConnection, catalog: str, brand: str, source_hash: str) -> None:
    """Remove what an earlier load of the same file for the same brand wrote (a reload)."""
    seen = con.execute(
        f"SELECT count(*) FROM {catalog}ingest_log WHERE brand = ? AND source_hash = ?",
        [brand, source_hash],
    ).fetchall()[0][0]
    if not seen:
        return
    for table in ("post_snapshots", "account_daily_values", "ingest_log"):
        con.execute(
            f"DELETE FROM {catalog}{table} WHERE brand = ? AND source_hash = ?",
            [brand, source_hash],
        )


def _period_end(source_file: str | None):
    """The day after the period a file's name states (naive), or None."""
    from .ingest._base import period_end_from_name

    if not source_file:
        return None
    end = period_end_from_name(Path(str(source_file)).name)
    return None if end is None else end + timedelta(days=1)


def _latest(frame: pd.DataFrame):
    """The newest date in a file's content (naive UTC), or None."""
    col = frame["published_at"] if "published_at" in frame else frame.get("date")
    if col is None or not len(col):
        return None
    latest = pd.to_datetime(col).max()
    if pd.isna(latest):
        return None
    return latest.to_pydatetime().replace(tzinfo=None)


#: Test hook: seconds to sleep inside the load transaction (lets a test kill the process mid-file).
_SLEEP_ENV = "SOCIALNB_TEST_SLEEP_IN_TRANSACTION"


def _test_pause(written: int) -> None:
    if os.environ.get(_SLEEP_ENV):  # test hook: rows are written, nothing is committed yet
        marker = os.environ.get(_SLEEP_ENV + "_MARKER")
        if marker:
            Path(marker).write_text(str(written))
        time.sleep(float(os.environ[_SLEEP_ENV]))


def _detail(notes: list, rejected: list, outcome: _Outcome) -> dict:
    detail: dict = {"notes": list(notes), "rejected_rows": list(rejected)}
    if outcome.ambiguous:
        detail["ambiguous_with"] = list(outcome.clashes)
        detail["notes"].append(AMBIGUOUS_ADVICE.format(n=outcome.ambiguous))
    return detail


#: What ingest says when two downloads cannot be ordered by time.
AMBIGUOUS_ADVICE = (
    "{n} row(s) clash with another download that has the same export time and reaches the same "
    "date: which is newer cannot be told, so the rows loaded first were kept. What to do: put "
    "each download in a folder named for the day it was downloaded (raw/YYYY-MM-DD/), then run "
    "`socialnb ingest` again"
)


_NAMES = ", ".join(("brand", *POST_FIELDS))

#: Platform -> the account names brand.yaml gives (set by the workspace around each file).
_EXPECTED_ACCOUNTS: ContextVar[dict[str, str] | None] = ContextVar(
    "socialnb_expected_accounts", default=None
)
#: Platforms whose account column names the brand's own account (LinkedIn's "Posted by" names
#: the person who posted, so it says nothing about which page the export is from).
_IDENTITY_PLATFORMS = ("facebook", "instagram", "x", "tiktok", "youtube")


@contextmanager
def expected_accounts(accounts: dict[str, str] | None) -> Iterator[None]:
    """Within the block, loads refuse rows of another account than ``accounts[platform]``."""
    token = _EXPECTED_ACCOUNTS.set(accounts)
    try:
        yield
    finally:
        _EXPECTED_ACCOUNTS.reset(token)


def _norm_account(name: object) -> str:
    return " ".join(str(name).strip().lstrip("@").casefold().split())


def check_accounts(platform: str, names, source_file: str | Path) -> None:
    """Refuse an export of another account than the brand's (brand.yaml ``platforms``).

    Raises
    ------
    ExportError
        Naming the account found, the one expected and what to do.
    """
    expected = (_EXPECTED_ACCOUNTS.get() or {}).get(platform)
    if not expected or platform not in _IDENTITY_PLATFORMS:
        return
    want = _norm_account(expected)
    others = sorted(
        {
            str(n).strip()
            for n in names
            if n is not None and not pd.isna(n) and str(n).strip() and _norm_account(n) != want
        }
    )
    if others:
        raise ExportError(
            source_file,
            f"is an export of the {platform} account {others[0]!r}, but brand.yaml says this "
            f"brand's {platform} account is {expected!r}.",
            fix="move the file to the raw/ folder of the brand it belongs to; if the account was "
            f"renamed, correct platforms.{platform}.account in brand.yaml.",
        )


def _check_accounts_sql(con, select: str, params: list, platform: str, source_file: str) -> None:
    if not (_EXPECTED_ACCOUNTS.get() or {}).get(platform):
        return
    names = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT account FROM ({select}) AS q({_NAMES}) WHERE account IS NOT NULL "
            "LIMIT 50",
            params,
        ).fetchall()
    ]
    check_accounts(platform, names, source_file)


def load_file(
    con: duckdb.DuckDBPyConnection, frames: list[pd.DataFrame], *, brand: str | None
) -> int:
    """Load every table read from one raw file (posts and/or daily) in ONE transaction.

    A file loaded before for the same brand is replaced whole. Returns the number of the file's
    rows that are current after the load (post snapshots plus daily values); the one
    ``ingest_log`` row records the file: format(s), rows current, rows superseded by another
    file with the same export time (see the module notes), rows quarantined by the reader and why.
    """
    if not frames:
        raise WarehouseError(
            "load_file() got no tables. What to do: pass the frames read_raw() returned."
        )
    first = frames[0]
    key = _brand_key(brand)
    source_hash = (
        str(first["source_hash"].iloc[0]) if len(first) else first.attrs.get("source_hash")
    )
    source_file = (
        str(first["source_file"].iloc[0]) if len(first) else first.attrs.get("source_file")
    )
    outcome = _Outcome()
    rejected: list = []
    notes: list = []
    kinds: list[str] = []
    fmts: list[str] = []
    exported = None
    latest = [d for d in (_latest(f) for f in frames if len(f)) if d is not None]
    content_end = max(latest) if latest else None
    period_end = _period_end(source_file)
    with transaction(con):
        _forget(con, "", key, source_hash)
        for frame in frames:
            kind = frame.attrs.get("kind", "posts")
            table = "post_snapshots" if kind == "posts" else "account_daily_values"
            rows = _post_rows(frame, brand) if kind == "posts" else _daily_rows(frame, brand)
            if len(rows):
                select, params, scanned = _frame_source(rows)
                platforms = rows["platform"].unique()
                exports = rows["exported_at"].unique()
                con.register("_frame", scanned)
                try:
                    outcome += _merge(
                        con,
                        table,
                        select,
                        params,
                        catalog="",
                        brand=key,
                        platform=str(platforms[0]) if len(platforms) == 1 else None,
                        exported_at=pd.Timestamp(exports[0]).to_pydatetime()
                        if len(exports) == 1
                        else None,
                        content_end=content_end,
                        period_end=period_end,
                    )
                finally:
                    con.unregister("_frame")
            if exported is None and len(rows):
                exported = rows["exported_at"].iloc[0]
            kinds.append(kind)
            fmts.append(str(frame.attrs.get("format")))
            notes += list(frame.attrs.get("notes", []))
            rejected += [list(r) for r in frame.attrs.get("rejected_rows", [])]
        _test_pause(outcome.loaded)
        _log(
            con,
            source_hash=source_hash,
            source_file=source_file,
            brand=brand,
            source_format="+".join(dict.fromkeys(fmts)),
            platform="+".join(dict.fromkeys(str(f["platform"].iloc[0]) for f in frames if len(f))),
            kind="+".join(dict.fromkeys(kinds)),
            outcome=outcome,
            rejected=len(rejected),
            detail=_detail(notes, rejected, outcome),
            exported_at=exported,
            content_end=content_end,
            period_end=period_end,
        )
    return outcome.loaded


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
    rows: int | None = None,
    notes: list[str] | None = None,
    keys_unique: bool = False,
) -> int:
    """Load one file's post rows produced by ``select`` (a query on staged data giving the columns
    ``brand`` + :data:`~socialnb.schema.POST_FIELDS` in order, with naive UTC timestamps and a
    single ``platform`` and ``exported_at``) into the warehouse attached as ``catalog``, with its
    ``ingest_log`` row, in ONE transaction (the same rules as :func:`load_file`). Returns the
    number of rows current after the load (``rows``, the number ``select`` gives, is accepted for
    the callers' sake; the count comes from the insert itself). ``keys_unique``: the caller has
    checked that no post id repeats in ``select`` (the check before the commit is skipped)."""
    prefix = f"{catalog}."
    key = _brand_key(brand)
    check_version(con, catalog, catalog)
    _check_accounts_sql(con, select, params, platform, source_file)
    clash = con.execute(
        f"SELECT count(*) FROM {prefix}post_snapshots WHERE brand = ? AND platform = ? "
        "AND exported_at = ?",
        [key, platform, exported_at],
    ).fetchall()[0][0]
    # the newest date decides clashes only: read from the staged rows when one may happen, else
    # from the rows once stored (no second pass over a large file)
    latest = (
        con.execute(f"SELECT max(published_at) FROM ({select}) AS q({_NAMES})", params).fetchall()[
            0
        ][0]
        if clash
        else None
    )
    period_end = _period_end(source_file)
    with transaction(con):
        _forget(con, prefix, key, source_hash)
        outcome = _merge(
            con,
            "post_snapshots",
            select,
            params,
            catalog=prefix,
            brand=key,
            platform=platform,
            exported_at=exported_at,
            content_end=latest,
            period_end=period_end,
            keys_unique=keys_unique,
        )
        if latest is None:
            latest = con.execute(
                f"SELECT max(published_at) FROM {prefix}post_snapshots WHERE brand = ? "
                "AND source_hash = ?",
                [key, source_hash],
            ).fetchall()[0][0]
        _test_pause(outcome.loaded)
        _log(
            con,
            catalog=prefix,
            source_hash=source_hash,
            source_file=source_file,
            brand=brand,
            source_format=source_format,
            platform=platform,
            kind="posts",
            outcome=outcome,
            rejected=0,
            detail=_detail(list(notes or []), [], outcome),
            exported_at=exported_at,
            content_end=latest,
            period_end=period_end,
        )
    return outcome.loaded


def load_posts(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, brand: str | None) -> int:
    """Load one file's canonical post rows in one transaction; returns rows current after it."""
    frame.attrs.setdefault("kind", "posts")
    return load_file(con, [frame], brand=brand)


def load_daily(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, brand: str | None) -> int:
    """Load one file's canonical daily rows (wide) in one transaction; returns values current."""
    frame.attrs["kind"] = "daily"
    return load_file(con, [frame], brand=brand)


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
