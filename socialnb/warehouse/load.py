"""Loading one file's rows in one transaction (its ``ingest_log`` row included)."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from pathlib import Path

import duckdb

from .. import _lazy
from ..errors import WarehouseError
from ..schema import DAILY_LINEAGE_FIELDS, DAILY_METRICS
from .accounts import _NAMES, _check_accounts_sql
from .connect import transaction
from .merge import _detail, _forget, _merge, _Outcome
from .schema import (
    ENUM_COLUMNS,
    LINEAGE_COLUMNS,
    POST_ROWS,
    STORED_POST_COLUMNS,
    _brand_key,
    check_version,
    register_lineage,
)

pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["load_file", "load_posts_sql", "load_posts", "load_daily"]


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


def _post_rows(con, frame: pd.DataFrame, brand: str | None) -> pd.DataFrame:
    """A file's canonical posts as stored rows (:data:`STORED_POST_COLUMNS`), their lineage
    registered in ``lineages`` (inside the caller's transaction): one key per distinct lineage,
    usually one per file and table."""
    _check_vocabulary(frame)
    rows = frame.copy(deep=False)  # copy-on-write: the reader's frame is never changed
    rows.insert(0, "brand", _brand_key(brand))
    for name in ("published_at", "exported_at"):
        rows[name] = _naive_utc(rows[name])
    lineage = rows.reindex(columns=list(LINEAGE_COLUMNS))
    if not len(rows):
        rows["lineage"] = pd.Series(dtype="int64")
    elif all(_constant(lineage[c])[0] for c in LINEAGE_COLUMNS):
        rows["lineage"] = register_lineage(con, "", lineage.iloc[0].to_dict())
    else:  # several tables or files in one frame: a key for each distinct lineage
        groups = lineage.astype(object).groupby(list(LINEAGE_COLUMNS), dropna=False, sort=False)
        firsts = lineage.loc[groups.head(1).index]  # in the order ngroup() numbers them
        keys = [register_lineage(con, "", row) for row in firsts.to_dict("records")]
        rows["lineage"] = pd.Series(keys, dtype="int64").to_numpy()[groups.ngroup().to_numpy()]
    return rows[list(STORED_POST_COLUMNS)]


def _check_vocabulary(frame: pd.DataFrame) -> None:
    """Refuse a post whose platform, format or date precision is outside its vocabulary (the
    warehouse stores them as ENUMs), naming the file, the line and the value.

    Raises
    ------
    WarehouseError
        Nothing of the file is loaded (the caller's transaction is rolled back).
    """
    for name, values in ENUM_COLUMNS.items():
        if name not in frame:
            continue
        col = frame[name]
        bad = (col.notna() & ~col.isin(values)).to_numpy(dtype=bool)
        if bad.any():
            at = bad.argmax()
            source = frame["source_file"].iloc[at] if "source_file" in frame else "a frame"
            line = frame["source_row"].iloc[at] if "source_row" in frame else None
            raise WarehouseError(
                f"{source}{'' if line is None else f', line {line}'}: {name} "
                f"{col.iloc[at]!r} is not one of {list(values)}; nothing was loaded from this "
                "file. What to do: socialnb's readers never give such a value, so report the "
                "file to the socialnb maintainers; a frame made by hand must use those values."
            )


def _daily_rows(frame: pd.DataFrame, brand: str | None) -> pd.DataFrame:
    present = [m for m in DAILY_METRICS if m in frame and frame[m].notna().any()]
    ids = ["platform", "account", "date", *DAILY_LINEAGE_FIELDS]
    long = frame[ids + present].melt(id_vars=ids, var_name="metric", value_name="value")
    long = long[long["value"].notna()]
    long.insert(0, "brand", _brand_key(brand))
    long["account"] = long["account"].fillna("")
    long["exported_at"] = _naive_utc(long["exported_at"])
    long["date"] = pd.to_datetime(long["date"]).dt.date
    long = long[["brand", "platform", "account", "date", "metric", "value", *DAILY_LINEAGE_FIELDS]]
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
    "lineage",
    "assumed_tz",
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


def _period_end(source_file: str | None):
    """The day after the period a file's name states (naive), or None."""
    from ..ingest._base import period_end_from_name

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


def _merge_rows(con, rows: pd.DataFrame, kind: str, key: str, content_end, period_end) -> _Outcome:
    """Merge one table of a file's canonical rows (posts or long daily values)."""
    select, params, scanned = _frame_source(rows)
    platforms = rows["platform"].unique()
    exports = rows["exported_at"].unique()
    con.register("_frame", scanned)
    try:
        return _merge(
            con,
            POST_ROWS if kind == "posts" else "account_daily_values",
            select,
            params,
            catalog="",
            brand=key,
            platform=str(platforms[0]) if len(platforms) == 1 else None,
            exported_at=pd.Timestamp(exports[0]).to_pydatetime() if len(exports) == 1 else None,
            content_end=content_end,
            period_end=period_end,
        )
    finally:
        con.unregister("_frame")


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
            posts = kind == "posts"
            rows = _post_rows(con, frame, brand) if posts else _daily_rows(frame, brand)
            if len(rows):
                outcome += _merge_rows(con, rows, kind, key, content_end, period_end)
                exported = rows["exported_at"].iloc[0] if exported is None else exported
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


def _latest_if_clash(con, prefix, select, params, key, platform, exported_at):
    """The newest date of the staged rows when rows of the same export time are stored already
    (it decides clashes only), else None: read from the rows once stored (no second pass over a
    large file)."""
    clash = con.execute(
        f"SELECT count(*) FROM {prefix}{POST_ROWS} WHERE brand = ? AND platform = ? "
        "AND exported_at = ?",
        [key, platform, exported_at],
    ).fetchall()[0][0]
    if not clash:
        return None
    return con.execute(
        f"SELECT max(published_at) FROM ({select}) AS q({_NAMES})", params
    ).fetchall()[0][0]


def load_posts_sql(
    con: duckdb.DuckDBPyConnection,
    select: str,
    params: list,
    *,
    catalog: str,
    platform: str,
    exported_at,
    brand: str | None,
    lineage: dict[str, object],
    rows: int | None = None,
    notes: list[str] | None = None,
    keys_unique: bool = False,
) -> int:
    """Load one file's post rows produced by ``select`` (a query on staged data giving the columns
    :data:`~socialnb.warehouse.schema.STORED_POST_COLUMNS` in order, ``lineage`` being the key
    (:func:`~socialnb.warehouse.schema.lineage_key`) of ``lineage``, the file's
    :data:`~socialnb.warehouse.schema.LINEAGE_COLUMNS` (its hash, name and format among them),
    with naive UTC timestamps and a single ``platform`` and ``exported_at``) into the warehouse
    attached as ``catalog``, with its
    ``ingest_log`` row, in ONE transaction (the same rules as :func:`load_file`). Returns the
    number of rows current after the load (``rows``, the number ``select`` gives, is accepted for
    the callers' sake; the count comes from the insert itself). ``keys_unique``: the caller has
    checked that no post id repeats in ``select`` (the check before the commit is skipped)."""
    prefix = f"{catalog}."
    key = _brand_key(brand)
    source_hash, source_file = lineage["source_hash"], lineage["source_file"]
    check_version(con, catalog, catalog)
    _check_accounts_sql(con, select, params, platform, source_file)
    latest = _latest_if_clash(con, prefix, select, params, key, platform, exported_at)
    period_end = _period_end(source_file)
    with transaction(con):
        _forget(con, prefix, key, source_hash)
        file_key = register_lineage(con, prefix, lineage)
        outcome = _merge(
            con,
            POST_ROWS,
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
                f"SELECT max(published_at) FROM {prefix}{POST_ROWS} WHERE brand = ? "
                "AND lineage = ?",
                [key, file_key],
            ).fetchall()[0][0]
        _test_pause(outcome.loaded)
        _log(
            con,
            catalog=prefix,
            source_hash=source_hash,
            source_file=source_file,
            brand=brand,
            source_format=lineage["source_format"],
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
