"""Large Meta content exports loaded inside DuckDB end to end (the ingest fast path).

A Meta Business Suite content export of hundreds of thousands of posts would cost seconds and
gigabytes as pandas string columns. For a large file (at least :data:`BULK_BYTES`) that
:meth:`~socialnb.workspace.Workspace.ingest` loads, this module:

1. streams the file once for its SHA-256, its line ends and any NUL byte (the file is never held
   in memory, and never decoded as a whole: the format is detected from its first KBs);
2. stages the columns the reader maps in an in-memory DuckDB with ``read_csv`` (strict mode);
3. checks there, in SQL, everything the exact reader checks: digit post ids, ``MM/DD/YYYY HH:MM``
   times, plain non-negative numbers or missing tokens in metric columns, no repeated post id,
   physical line numbers consistent with the file's line ends, no post after the export time;
4. only when every check passes, attaches the warehouse and inserts with ``INSERT ... SELECT`` in
   the same transaction as the ``ingest_log`` row.

Whenever anything is irregular, :func:`ingest_file` returns None *before touching the warehouse*
and the caller reads the file through the exact path (:func:`socialnb.ingest.read_raw`), which
gives the same rows or reports the first bad record's physical line and column. The rows are the
same as the exact path's (``tests/test_ingest_fast_path.py`` proves it).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from .. import warehouse as wh
from ..errors import WarehouseError
from ..schema import FORMATS, POST_METRIC_FIELDS
from ..warehouse.connect import _has_icu
from ..warehouse.schema import STORED_POST_COLUMNS, lineage_key
from . import _stream
from ._base import FUTURE_SLACK, export_time_utc
from ._convert import MEASURES, localise_one
from ._formats import EXPORTED, UNKNOWN
from ._raw import MAX_FIELD_CHARS, MISSING_TOKENS, RawFile, _sniff_delimiter, normalise_header
from ._stream import Scan, detect_head, scan
from .meta import metric_era

__all__ = ["BULK_BYTES", "BulkOutcome", "eligible", "ingest_file"]

#: Files at least this large are loaded by :func:`ingest_file` when their format allows it.
BULK_BYTES = 4 * 1024 * 1024

#: DuckDB's memory for staging and loading one file (beyond it, it spills to a temporary folder):
#: keeps an ingest of a million-row export under 1 GiB of peak memory (770 MiB). At 512 MB DuckDB
#: ran the insert into the warehouse on one thread (1.7 s at 1M rows, 1.0 s on two cores here).
_MEMORY_LIMIT = "640MB"
_META_TIME = "%m/%d/%Y %H:%M"
_META_TIME_SHAPE = "[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}"
#: Every character Python's ``str.isspace`` accepts (texts() treats such cells as blank); none is
#: above U+3000.
_SPACES = [c for c in range(0x3001) if chr(c).isspace()]
_SPACE_CODES = ", ".join(str(c) for c in _SPACES)
_BLANK = "[" + "".join(f"\\x{{{c:x}}}" for c in _SPACES) + "]*"
#: ``Funded content status`` values meaning organic (as MetaFacebookContent._distribution).
_ORGANIC = ("", "n/a", "-", "--", "organic", "not funded", "not boosted", "none")


@dataclass(frozen=True)
class BulkOutcome:
    """What :func:`ingest_file` did with a file."""

    status: str  # "loaded" or "skipped" (the same bytes are in the warehouse)
    sha256: str
    format: str | None = None
    kind: str | None = None
    rows: int = 0


def eligible(path: Path) -> bool:
    """True when ``path`` is a plain file large enough for :func:`ingest_file`."""
    try:
        return path.is_file() and path.stat().st_size >= BULK_BYTES
    except OSError:
        return False


#: One streaming pass over the file (hash, line ends, NUL bytes), shared with the streaming path.
_Scan = Scan
_scan = scan
_stamp = _stream._stamp


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


#: How far apart :func:`_transitions` samples a zone's UTC offset. The tz database's offset
#: changes are days apart in every zone (``tests/test_ingest_localise.py`` checks), so no change
#: hides between two samples.
_OFFSET_STEP = timedelta(hours=6)


def _offset_at(zone: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(zone).utcoffset()


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple]:
    """(instant, offset before, offset after) for each change of ``zone``'s UTC offset between
    the aware UTC datetimes ``start`` and ``end``, each found to the second."""
    out = []
    here, off = start, _offset_at(zone, start)
    while here < end:
        step = min(here + _OFFSET_STEP, end)
        new = _offset_at(zone, step)
        if new != off:
            lo, hi = here, step  # the offset is ``off`` at lo and ``new`` at hi
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) // 2
                mid = mid.replace(microsecond=0)
                if _offset_at(zone, mid) == off:
                    lo = mid
                else:
                    hi = mid
            out.append((hi, off, new))
        here, off = step, new
    return out


def _ts(value: datetime) -> str:
    return f"TIMESTAMP '{value.replace(tzinfo=None).isoformat()}'"


def _us(offset: timedelta) -> str:
    return f"to_microseconds({offset // timedelta(microseconds=1)})"


def _published_at(con: duckdb.DuckDBPyConnection, zone_name: str) -> str | None:
    """SQL for ``published_at`` (UTC) from the staged wall-clock time ``pl``, by the exact path's
    rules (:func:`~socialnb.ingest._convert.localise`: an overlap takes the first occurrence, a
    DST gap moves forward): ``pl`` minus the zone's UTC offset, a CASE over the local times where
    the offset changes in the file's span. Times in a gap (never written by a platform that
    knows the zone) take :func:`localise` itself, one WHEN each. None when there are too many."""
    first, last = con.execute("SELECT min(pl), max(pl) FROM s").fetchone()
    zone = ZoneInfo(zone_name)
    margin = timedelta(days=2)  # more than any UTC offset
    changes = _transitions(
        zone, first.replace(tzinfo=UTC) - margin, last.replace(tzinfo=UTC) + margin
    )
    if len(changes) > 500:
        return None
    whens, gaps = [], []
    for instant, before, after in changes:
        # local times before ``instant + before`` keep ``before`` (in an overlap: the first
        # occurrence); a gap's local times [instant + before, instant + after) do not exist
        whens.append(f"WHEN pl < {_ts(instant + before)} THEN {_us(before)}")
        if after > before:
            gaps.append((instant + before, instant + after))
    moved = []
    if gaps:
        inside = " OR ".join(f"(pl >= {_ts(a)} AND pl < {_ts(b)})" for a, b in gaps)
        values = [r[0] for r in con.execute(f"SELECT DISTINCT pl FROM s WHERE {inside}").fetchall()]
        if len(values) > 500:
            return None
        moved = [
            f"WHEN pl = {_ts(v)} THEN {_us(v - localise_one(v, zone_name).replace(tzinfo=None))}"
            for v in values
        ]
    final = _us(changes[-1][2] if changes else _offset_at(zone, first.replace(tzinfo=UTC)))
    if not moved and not whens:
        return f"(pl - {final})"
    return f"(pl - CASE {' '.join([*moved, *whens])} ELSE {final} END)"


def _find(norm: list[str], names) -> int | None:
    for w in (normalise_header(a) for a in names):
        if w in norm:
            return norm.index(w)
    return None


@dataclass(frozen=True)
class _Plan:
    """Everything :func:`_load` needs about one file: what it is, where its columns are, and
    where and for whom it is loaded."""

    path: Path
    raw: RawFile  # the first lines only (format detection, export time)
    fmt: object  # a MetaFacebookContent or MetaInstagramContent reader
    header: list[str]
    found: dict[str, int]  # canonical field -> column position (the fields loaded)
    numeric_keys: list[str]
    delim: str
    raw_headers: str
    warehouse: Path
    display: str
    brand: str | None
    zone: str
    account_fill: str | None
    scan: Future  # -> _Scan, computed while the file is staged

    @property
    def cols(self) -> dict[str, str]:
        return {k: f"c{p}" for k, p in self.found.items()}

    @property
    def numeric_pos(self) -> list[int]:
        return sorted({self.found[k] for k in self.numeric_keys})

    @property
    def text_cols(self) -> list[str]:
        numeric = set(self.numeric_pos)
        return [f"c{i}" for i in sorted(set(self.found.values())) if i not in numeric]


def ingest_file(
    path: Path,
    *,
    warehouse: Path,
    display: str,
    brand: str | None,
    tz: str | None,
    accounts: dict[str, str] | None,
    known: Callable[[str], bool],
    hash_first: bool = True,
) -> BulkOutcome | None:
    """Load one large raw file into the warehouse inside DuckDB, or return None (nothing done)
    when the file is not a regular Meta content export: the caller then uses the exact path.

    Parameters
    ----------
    path
        The raw file.
    warehouse
        The warehouse file (must not be open in this process: it is attached here).
    display
        The file's name as recorded in ``source_file``.
    brand, tz
        The brand the file belongs to and its time zone (None: UTC).
    accounts
        Platform -> the account to record where the export leaves it blank (a platform not
        listed gets ""; None: leave blank accounts blank).
    known
        True for a hash the warehouse holds for this brand already: such a file is skipped.
    hash_first
        Hash the file before reading it (a file likely loaded already is then skipped without
        being parsed); False hashes it while DuckDB stages it (a new file loads sooner). Either
        way nothing is written before the hash is known.
    """
    head = _meta_head(path)
    if head is None:
        return None  # not a Meta content export: nothing read past its first lines
    with ThreadPoolExecutor(max_workers=1) as pool:
        scan = pool.submit(_scan, path)
        if hash_first and known(scan.result().sha256):
            return BulkOutcome("skipped", scan.result().sha256)
        plan = _plan(path, head, scan, warehouse, display, brand, tz, accounts)
        if plan is None:
            return None
        with tempfile.TemporaryDirectory(prefix="socialnb-bulk-") as spill:
            # DuckDB keeps within _MEMORY_LIMIT, writing what does not fit to ``spill``
            con = duckdb.connect(config={"memory_limit": _MEMORY_LIMIT, "temp_directory": spill})
            try:
                return _load(con, plan, known)
            finally:
                con.close()


def _meta_head(path: Path) -> tuple[RawFile, str, object] | None:
    """The head of a Meta content export (RawFile of the first lines, header line, reader), from
    the file's first lines only; None for any other file."""
    from .meta import MetaFacebookContent, MetaInstagramContent

    got = detect_head(path)
    if got is None or not isinstance(got[2], (MetaFacebookContent, MetaInstagramContent)):
        return None
    return got


def _plan(path, head, scan, warehouse, display, brand, tz, accounts) -> _Plan | None:
    """The plan for a Meta content export whose header the fast path can read (else None)."""
    raw, first, fmt = head
    first = first.rstrip("\r")
    delim = _sniff_delimiter(first)
    try:
        header = next(csv.reader([first], delimiter=delim))
    except (csv.Error, StopIteration):
        return None
    norm = [normalise_header(h) for h in header]
    if len({n for n in norm if n}) != len([n for n in norm if n]):
        return None  # repeated column: the exact path reports it
    found = {k: p for k, names in fmt.aliases.items() if (p := _find(norm, names)) is not None}
    if "post_id" not in found or "published_local" not in found:
        return None
    if not any(k in found for k in ("views", "impressions", "reach")):
        return None
    numeric_keys = [k for k in (*fmt.metrics, "views_boosted", "reach_boosted") if k in found]
    numeric = {found[k] for k in numeric_keys}
    if any(p in numeric for k, p in found.items() if k not in numeric_keys):
        return None
    raw_headers = "|".join(header[p] for p in sorted(found.values()))  # as the exact path
    used = {"post_id", "published_local", fmt.account_key, "text", "permalink", "format"}
    used |= {"description", "funded"} | set(numeric_keys)
    return _Plan(
        path, raw, fmt, header, {k: p for k, p in found.items() if k in used}, numeric_keys,
        delim, raw_headers, warehouse, display, brand, tz or "UTC",
        None if accounts is None else accounts.get(fmt.platform, ""), scan,
    )  # fmt: skip


def _text(col: str | None) -> str:
    """SQL for a text cell as the exact path reads it: blank (only space characters) is NULL."""
    if col is None:
        return "NULL::VARCHAR"
    return (  # the regular expression only for cells starting with a space character
        f"(CASE WHEN {col} IS NULL OR {col} = '' THEN NULL "
        f"WHEN ord({col}) NOT IN ({_SPACE_CODES}) THEN {col} "
        f"WHEN regexp_full_match({col}, {_lit(_BLANK)}) THEN NULL ELSE {col} END)"
    )


def _stage(con: duckdb.DuckDBPyConnection, plan: _Plan) -> None:
    """Stage the file in the in-memory table ``s`` in one pass: text columns as read, the
    publishing time parsed (``pl``), metric columns as DOUBLE (``m<pos>``) with -1 marking a cell
    that is neither a missing token nor a number pandas reads the same (TRY_CAST alone also takes
    '1_000', 'inf' and 'nan', which the exact path refuses or treats otherwise): one regular
    expression per cell, the missing tokens tested only on cells that are not plain numbers."""
    tokens = ", ".join(_lit(t) for t in sorted(MISSING_TOKENS))
    measures = {plan.found[k] for k in plan.numeric_keys if k in MEASURES}

    def number(p: int) -> str:
        """A cell the exact path's contract (``number_cells``) surely accepts as DuckDB reads
        it: a missing token, or up to 12 digits (below MAX_COUNT), whole for counts."""
        col, decimals = f"c{p}", "[0-9]+" if p in measures else "0+"
        return (
            f"(CASE WHEN {col} IS NULL THEN NULL "
            f"WHEN regexp_full_match({col}, '[0-9]{{1,12}}([.]{decimals})?') "
            f"THEN CAST({col} AS DOUBLE) WHEN lower({col}) IN ({tokens}) THEN NULL "
            f"ELSE -1 END) AS m{p}"
        )

    pub = plan.cols["published_local"]
    staged = [
        *plan.text_cols,
        f"try_strptime({pub}, {_lit(_META_TIME)}) AS pl",
        *(number(p) for p in plan.numeric_pos),
    ]
    spec = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(plan.header))) + "}"
    con.execute(
        f"CREATE TABLE s AS SELECT {', '.join(staged)} FROM read_csv(?, "
        f"header = true, delim = ?, quote = '\"', escape = '\"', columns = {spec}, "
        "strict_mode = true, null_padding = false, ignore_errors = false, encoding = 'utf-8', "
        f"max_line_size = {MAX_FIELD_CHARS})",
        [str(plan.path), plan.delim],
    )


def _inner_newlines(plan: _Plan) -> str:
    """SQL counting the line ends inside a staged row's text cells."""
    return " + ".join(
        f"(CASE WHEN contains({col}, chr(10)) THEN length({col}) - "
        f"length(replace({col}, chr(10), '')) ELSE 0 END)"
        for col in plan.text_cols
    )


def _regular(con: duckdb.DuckDBPyConnection, plan: _Plan, scan: _Scan) -> tuple[int, int] | None:
    """Check the staged rows as the exact reader would: digit post ids, none repeated,
    ``MM/DD/YYYY HH:MM`` times, regular metric cells, a physical line for every record. Returns
    (rows, line ends inside cells), or None when anything is irregular."""
    pid, pub = plan.cols["post_id"], plan.cols["published_local"]
    irregular = " OR ".join(f"m{p} < 0" for p in plan.numeric_pos) or "false"
    inner = _inner_newlines(plan)
    n, bad_id, distinct_ids, bad_time, bad_metric, inner_nl = con.execute(
        f"""SELECT count(*),
          count(*) FILTER (WHERE {pid} IS NULL OR NOT regexp_full_match({pid}, '[0-9]+')),
          count(DISTINCT TRY_CAST({pid} AS HUGEINT)),  -- '01' = '1': conservative
          count(*) FILTER (WHERE {pub} IS NULL
            OR NOT regexp_full_match({pub}, {_lit(_META_TIME_SHAPE)})
            OR coalesce(year(pl), 0) NOT BETWEEN 1900 AND 2200),
          count(*) FILTER (WHERE {irregular}),
          coalesce(sum(coalesce({inner or "0"}, 0)), 0)
        FROM s"""
    ).fetchone()
    lines = scan.newlines - (1 if scan.ends_with_newline else 0)
    if not n or bad_id or bad_time or bad_metric or distinct_ids != n or n + inner_nl != lines:
        return None
    return int(n), int(inner_nl)


def _distinct(con: duckdb.DuckDBPyConnection, col: str) -> list[str] | None:
    """The distinct values of a staged text column ('' for NULL), None when over 10,000."""
    values = [
        r[0]
        for r in con.execute(f"SELECT DISTINCT coalesce({col}, '') FROM s LIMIT 10001").fetchall()
    ]
    return None if len(values) > 10000 else values


def _format_case(con: duckdb.DuckDBPyConnection, plan: _Plan) -> str | None:
    """SQL for the canonical format, mapped in Python on the distinct values (None: too many)."""
    col = plan.cols.get("format")
    if col is None:
        return "NULL::VARCHAR"
    values = _distinct(con, col)
    if values is None:
        return None
    pairs = [(v, plan.fmt.type_map.get(v.strip().casefold())) for v in values]
    if any(m is not None and m not in FORMATS for _v, m in pairs):
        return None  # the exact path refuses it, naming the value
    whens = " ".join(f"WHEN {_lit(v)} THEN {_lit(m)}" for v, m in pairs if m is not None)
    return f"(CASE coalesce({col}, '') {whens} ELSE NULL END)" if whens else "NULL::VARCHAR"


def _distribution(con: duckdb.DuckDBPyConnection, plan: _Plan) -> str | None:
    """SQL for boosted / organic (as MetaFacebookContent._distribution; None: too many values)."""
    boosted = [
        f"coalesce(m{plan.found[k]}, 0) > 0"
        for k in ("views_boosted", "reach_boosted")
        if k in plan.found
    ]
    col = plan.cols.get("funded")
    if col is not None:
        values = _distinct(con, col)
        if values is None:
            return None
        paid = [v for v in values if v.strip().casefold() not in _ORGANIC]
        if paid:
            boosted.append(f"coalesce({col}, '') IN ({', '.join(_lit(v) for v in paid)})")
    if not boosted:
        return "'organic'"
    return f"(CASE WHEN {' OR '.join(boosted)} THEN 'boosted' ELSE 'organic' END)"


def _times(con: duckdb.DuckDBPyConnection, plan: _Plan):
    """Wall-clock times -> UTC with the exact path's rules (:func:`_published_at`), and the export
    time. Returns (SQL for ``published_at``, export time (naive UTC), its source), or None when
    the file must go to the exact path."""
    published_at = _published_at(con, plan.zone)
    if published_at is None:
        return None
    latest = con.execute(f"SELECT max({published_at}) FROM s").fetchone()[0].replace(tzinfo=UTC)
    exported, source = export_time_utc(plan.raw, plan.zone, latest)
    if latest > min(exported, datetime.now(UTC)) + FUTURE_SLACK:
        return None  # the exact path names the post and its line
    return published_at, exported.astimezone(UTC).replace(tzinfo=None), source


def _load(
    con: duckdb.DuckDBPyConnection, plan: _Plan, known: Callable[[str], bool]
) -> BulkOutcome | None:
    """Stage, check and (when every check passes and the file is new) load one file."""
    try:
        con.execute("SET enable_progress_bar = false")
        if _has_icu(con):
            con.execute("SET TimeZone = 'UTC'")
        _stage(con, plan)
        scan = plan.scan.result()  # hashed meanwhile
        if scan.has_nul or not scan.ends_with_newline:
            return None  # the exact path reports it (a file cut inside its last line is refused)
        if known(scan.sha256):
            return BulkOutcome("skipped", scan.sha256)
        counts = _regular(con, plan, scan)
        if counts is None:
            return None  # the exact path reports it (or reads it the way only it can)
        parts = (_format_case(con, plan), _distribution(con, plan), _times(con, plan))
    except duckdb.Error:
        return None  # a parser complaint: the exact path reports it at its line and column
    if None in parts:
        return None
    case_format, distribution, (published_at, exported, source) = parts
    lineage = _lineage(plan, scan, source)
    sql, params = _insert_sql(
        plan, counts[1], case_format, distribution, published_at, exported, lineage
    )
    if _stamp(plan.path) != scan.stamp:
        return None  # the file changed while it was read: read it again, exactly
    rows = _write(con, plan, sql, params, exported, lineage)
    return BulkOutcome("loaded", scan.sha256, plan.fmt.id, "posts", rows)


def _insert_sql(plan, inner_nl, case_format, distribution, published_at, exported, lineage):
    """The SELECT over the staged rows giving the stored columns (``STORED_POST_COLUMNS``), and its
    parameters."""
    fmt, text = plan.fmt, lambda key: _text(plan.cols.get(key))
    if fmt.id == "meta_facebook_content":
        body = f"coalesce({text('text')}, {text('description')})"
    else:
        body = text("text")
    account = text(fmt.account_key)
    if plan.account_fill is not None:
        account = f"coalesce({account}, {_lit(plan.account_fill)})"
    if inner_nl:
        source_row = (
            "2 + rid + coalesce(sum(nl) OVER (ORDER BY rid ROWS BETWEEN UNBOUNDED PRECEDING "
            "AND 1 PRECEDING), 0)"
        )
        rows_from = f"(SELECT *, rowid AS rid, coalesce({_inner_newlines(plan)}, 0) AS nl FROM memory.main.s)"  # fmt: skip
    else:
        source_row = "2 + rid"
        rows_from = "(SELECT *, rowid AS rid FROM memory.main.s)"
    consts = {
        "brand": plan.brand,
        "platform": fmt.platform,
        "date_precision": "minute",
        "exported_at": exported,
        "lineage": lineage_key(lineage),
    }
    exprs = {
        "post_id": plan.cols["post_id"],
        "account": account,
        "published_at": published_at,
        "published_local": "pl",
        "text": body,
        "permalink": text("permalink"),
        # as socialnb.ingest._formats.settle_formats with no rules: named, else "unknown"
        "format": f"coalesce({case_format}, {_lit(UNKNOWN)})",
        "format_source": f"(CASE WHEN {case_format} IS NULL THEN {_lit(UNKNOWN)} "
        f"ELSE {_lit(EXPORTED)} END)",
        "distribution": distribution,
        "source_row": f"({source_row})::BIGINT",
    }
    for m in POST_METRIC_FIELDS:
        exprs[m] = f"m{plan.found[m]}" if m in fmt.metrics and m in plan.found else "NULL::DOUBLE"
    select = ["?" if name in consts else exprs[name] for name in STORED_POST_COLUMNS]
    params = [consts[name] for name in STORED_POST_COLUMNS if name in consts]
    return f"SELECT {', '.join(select)} FROM {rows_from} AS s", params


def _lineage(plan: _Plan, scan: _Scan, source: str) -> dict[str, str]:
    """The file's lineage, stored once (``lineages``): what every row of it shares."""
    return {
        "source_hash": scan.sha256,
        "source_file": plan.display,
        "source_format": plan.fmt.id,
        "exported_at_source": source,
        "assumed_tz": plan.zone,
        "metric_era": metric_era(plan.found),
        "raw_headers": plan.raw_headers,
    }


def _write(con, plan: _Plan, sql: str, params: list, exported, lineage: dict[str, str]) -> int:
    """Attach the warehouse and load the rows with their ``ingest_log`` row in one transaction."""
    wh.connect(plan.warehouse).close()  # create the warehouse and its schema if needed
    # the rows are staged (their line numbers come from the staging table's row order, read
    # above); the warehouse's physical row order means nothing (every read orders by its keys),
    # and without it DuckDB writes the insert on every core: 0.5 s less at 1M rows
    con.execute("SET preserve_insertion_order = false")
    try:
        con.execute(f"ATTACH {_lit(str(plan.warehouse))} AS wh")
    except duckdb.Error as exc:
        raise WarehouseError(
            f"{plan.warehouse}: cannot open the warehouse ({exc}). What to do: close other "
            "programs using it (a notebook holding a write connection, another ingest)."
        ) from exc
    try:
        return wh.load_posts_sql(
            con,
            sql,
            params,
            catalog="wh",
            platform=plan.fmt.platform,
            exported_at=exported,
            brand=plan.brand,
            lineage=lineage,
            keys_unique=True,  # _regular checked that no post id repeats
        )
    finally:
        con.execute("DETACH wh")
