"""Rows of two files for the same key: decided by time, never by a hash or a file order.

The tables keep one row per key without a key index (a bulk insert keeps none up to date):
uniqueness is checked in SQL before each commit.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ..errors import WarehouseError
from ..schema import POST_METRIC_FIELDS
from .schema import POST_ROWS

__all__ = ["AMBIGUOUS_ADVICE"]


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
_KEYS = {POST_ROWS: _POST_KEYS, "account_daily_values": _DAILY_KEYS}
#: Columns compared to tell whether two files disagree about a row (lineage is not data).
_VALUES = {
    POST_ROWS: ("published_at", *POST_METRIC_FIELDS),
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
        stored = (  # the stored rows with the hash and name of the file each came from
            f"(SELECT r.*, l.source_hash, l.source_file FROM {target} r "
            f"LEFT JOIN {catalog}lineages l ON l.lineage = r.lineage)"
            if table == POST_ROWS
            else target
        )
        counts = _verdicts(con, stored, log, keys, _VALUES[table], content_end, period_end)
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


def _verdicts(con, stored, log, keys, values, content_end, period_end) -> dict[str, int]:
    """Decide, in the temp table ``_verdict``, every incoming row whose key a stored row
    (``stored``: a table or a subquery with ``source_hash`` and ``source_file``) holds
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
          FROM _incoming i JOIN {stored} t ON {on}
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


def _forget(con: duckdb.DuckDBPyConnection, catalog: str, brand: str, source_hash: str) -> None:
    """Remove what an earlier load of the same file for the same brand wrote (a reload). The
    file's ``lineages`` rows stay: other brands' rows may share them, and they hold no data."""
    seen = con.execute(
        f"SELECT count(*) FROM {catalog}ingest_log WHERE brand = ? AND source_hash = ?",
        [brand, source_hash],
    ).fetchall()[0][0]
    if not seen:
        return
    con.execute(
        f"DELETE FROM {catalog}{POST_ROWS} WHERE brand = ? AND lineage IN "
        f"(SELECT lineage FROM {catalog}lineages WHERE source_hash = ?)",
        [brand, source_hash],
    )
    for table in ("account_daily_values", "ingest_log"):
        con.execute(
            f"DELETE FROM {catalog}{table} WHERE brand = ? AND source_hash = ?",
            [brand, source_hash],
        )


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
