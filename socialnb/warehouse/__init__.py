"""The embedded DuckDB warehouse: schema, all-or-nothing loads, queries returning DataFrames.

Tables
------
``post_snapshots`` (view)
    One row per (brand, platform, post id, export time): every metric as exported plus lineage.
    The rows are stored in ``post_snapshot_rows``; the lineage every row of a file (and table)
    shares (its hash, name, format, zone, metric era, the header names it was read by, where its
    export time came from) is stored once in ``lineages`` and joined back by the view, and the
    platform, format and date precision are stored as ENUMs of their vocabularies and given back
    as text (schema 5).
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

from .accounts import check_accounts, expected_accounts
from .connect import connect, transaction, writer_lock
from .load import load_daily, load_file, load_posts, load_posts_sql
from .merge import AMBIGUOUS_ADVICE
from .query import file_outcome, query, replace_calendar
from .schema import SCHEMA_VERSION, check_version, ensure_schema

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
    "AMBIGUOUS_ADVICE",
    "check_accounts",
    "check_version",
    "expected_accounts",
    "load_file",
    "transaction",
]
