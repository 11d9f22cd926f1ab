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
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .. import warehouse as wh
from ..errors import SocialnbError, WarehouseError
from ..schema import POST_FIELDS, POST_METRIC_FIELDS
from ._base import Parsed, export_time
from ._convert import MEASURES, localise
from ._formats import EXPORTED, UNKNOWN
from ._raw import (
    MAX_FIELD_CHARS,
    MISSING_TOKENS,
    RawFile,
    _sniff_delimiter,
    known_sha256,
    normalise_header,
    remember_sha256,
)
from .meta import metric_era

__all__ = ["BULK_BYTES", "BulkOutcome", "eligible", "ingest_file"]

#: Files at least this large are loaded by :func:`ingest_file` when their format allows it.
BULK_BYTES = 4 * 1024 * 1024

_HEAD_BYTES = 256 * 1024
_BLOCK = 1 << 22
_FUTURE_SLACK = pd.Timedelta(days=2)  # as socialnb.ingest._FUTURE_SLACK
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


@dataclass(frozen=True)
class _Scan:
    sha256: str
    newlines: int
    ends_with_newline: bool
    has_nul: bool
    head: bytes
    stamp: tuple[int, int]


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _scan(path: Path) -> _Scan:
    """One streaming pass: hash, line ends, NUL bytes, the first KBs (constant memory). The hash
    is not computed again when this process hashed the file with the same stamp already."""
    stamp = _stamp(path)
    key, known = known_sha256(path)
    digest = hashlib.sha256()
    newlines = 0
    nul = False
    head = b""
    last = b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            if known is None:
                digest.update(block)
            newlines += block.count(b"\n")
            nul = nul or b"\x00" in block
            if len(head) < _HEAD_BYTES:
                head += block[: _HEAD_BYTES - len(head)]
            last = block[-1:]
    if known is None and known_sha256(path)[0] == key:
        remember_sha256(key, digest.hexdigest())
    return _Scan(known or digest.hexdigest(), newlines, last == b"\n", nul, head, stamp)


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _head_raw(path: Path, scan: _Scan) -> tuple[RawFile, str] | None:
    """A RawFile holding only the first complete lines (for sniffing), and the header line."""
    head = scan.head
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16: the exact path decodes it
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    cut = body.rfind(b"\n")
    if cut < 0:
        return None
    try:
        text = body[: cut + 1].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return RawFile(path, head, scan.sha256, "utf-8", text, None), text.split("\n", 1)[0]


def _offset_case(local: np.ndarray, utc: np.ndarray, column: str) -> str | None:
    """SQL giving ``utc[i]`` for ``local[i]`` (sorted distinct naive times) as ``column`` minus
    a constant offset per run of times (None when there are too many runs)."""
    offset = (local - utc).astype("timedelta64[us]").astype(np.int64)
    ends = np.append(np.flatnonzero(np.diff(offset) != 0), len(offset) - 1)
    if len(ends) > 500:
        return None
    whens = " ".join(
        f"WHEN {column} <= TIMESTAMP '{pd.Timestamp(local[e]).isoformat()}' "
        f"THEN to_microseconds({int(offset[e])})"
        for e in ends[:-1]
    )
    last = f"to_microseconds({int(offset[ends[-1]])})"
    return f"({column} - CASE {whens} ELSE {last} END)" if whens else f"({column} - {last})"


def _find(norm: list[str], names) -> int | None:
    for w in (normalise_header(a) for a in names):
        if w in norm:
            return norm.index(w)
    return None


def ingest_file(
    path: Path,
    *,
    warehouse: Path,
    display: str,
    brand: str | None,
    tz: str | None,
    accounts: dict[str, str] | None,
    known: set[str],
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
        Hashes already in the warehouse: such a file is reported as skipped.
    """
    from . import detect_format  # late: the package imports this module's caller
    from .meta import MetaFacebookContent, MetaInstagramContent

    scan = _scan(path)
    if scan.sha256 in known:
        return BulkOutcome("skipped", scan.sha256)
    if scan.has_nul or not scan.ends_with_newline:
        return None  # the exact path reports it (a file cut inside its last line is refused)
    got = _head_raw(path, scan)
    if got is None:
        return None
    raw, first = got
    try:
        fmt = detect_format(raw)
    except SocialnbError:
        return None
    if not isinstance(fmt, (MetaFacebookContent, MetaInstagramContent)):
        return None
    zone = tz or "UTC"
    first = first.rstrip("\r")
    delim = _sniff_delimiter(first)
    try:
        header = next(csv.reader([first], delimiter=delim))
    except (csv.Error, StopIteration):
        return None
    norm = [normalise_header(h) for h in header]
    if len({n for n in norm if n}) != len([n for n in norm if n]):
        return None  # repeated column: the exact path reports it
    found = {}
    for canonical, names in fmt.aliases.items():
        pos = _find(norm, names)
        if pos is not None:
            found[canonical] = pos
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
    found = {k: p for k, p in found.items() if k in used}
    wanted = sorted(set(found.values()))
    con = duckdb.connect()
    try:
        return _load(
            con, path, scan, raw, fmt, header, found, numeric_keys, wanted, delim,
            warehouse=warehouse, display=display, brand=brand, zone=zone, raw_headers=raw_headers,
            account_fill=None if accounts is None else accounts.get(fmt.platform, ""),
        )  # fmt: skip
    finally:
        con.close()


def _load(
    con, path, scan, raw, fmt, header, found, numeric_keys, wanted, delim, *,
    warehouse, display, brand, zone, account_fill, raw_headers,
) -> BulkOutcome | None:  # fmt: skip
    c = {k: f"c{p}" for k, p in found.items()}
    spec = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
    tokens = ", ".join(_lit(t) for t in sorted(MISSING_TOKENS))

    def text(key: str) -> str:
        if key not in c:
            return "NULL::VARCHAR"
        col = c[key]
        return (  # the regular expression only for cells starting with a space character
            f"(CASE WHEN {col} IS NULL OR {col} = '' THEN NULL "
            f"WHEN ord({col}) NOT IN ({_SPACE_CODES}) THEN {col} "
            f"WHEN regexp_full_match({col}, {_lit(_BLANK)}) THEN NULL ELSE {col} END)"
        )

    try:
        con.execute("SET enable_progress_bar = false")
        if wh._has_icu(con):
            con.execute("SET TimeZone = 'UTC'")
        # Staged in one pass: text columns as read, the publishing time parsed, and metric
        # columns as DOUBLE, -1 marking a cell that is neither a missing token nor a number
        # pandas reads the same (TRY_CAST alone also takes '1_000', 'inf' and 'nan', which the
        # exact path refuses or treats otherwise): one regular expression per cell, the missing
        # tokens tested only on cells that are not plain numbers.
        numeric_pos = sorted({found[k] for k in numeric_keys})
        measures = {found[k] for k in numeric_keys if k in MEASURES}

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

        pid, pub = c["post_id"], c["published_local"]
        text_cols = [f"c{i}" for i in wanted if i not in numeric_pos]
        staged = [
            *text_cols,
            f"try_strptime({pub}, {_lit(_META_TIME)}) AS pl",
            *(number(p) for p in numeric_pos),
        ]
        con.execute(
            f"CREATE TABLE s AS SELECT {', '.join(staged)} FROM read_csv(?, "
            f"header = true, delim = ?, quote = '\"', escape = '\"', columns = {spec}, "
            "strict_mode = true, null_padding = false, ignore_errors = false, encoding = 'utf-8', "
            f"max_line_size = {MAX_FIELD_CHARS})",
            [str(path), delim],
        )
        irregular_metric = " OR ".join(f"m{p} < 0" for p in numeric_pos) or "false"
        inner = " + ".join(
            f"(CASE WHEN contains({col}, chr(10)) THEN length({col}) - "
            f"length(replace({col}, chr(10), '')) ELSE 0 END)"
            for col in text_cols
        )
        n, bad_id, distinct_ids, bad_time, bad_metric, inner_nl = con.execute(
            f"""SELECT count(*),
              count(*) FILTER (WHERE {pid} IS NULL OR NOT regexp_full_match({pid}, '[0-9]+')),
              count(DISTINCT TRY_CAST({pid} AS HUGEINT)),  -- '01' = '1': conservative
              count(*) FILTER (WHERE {pub} IS NULL
                OR NOT regexp_full_match({pub}, {_lit(_META_TIME_SHAPE)})
                OR coalesce(year(pl), 0) NOT BETWEEN 1900 AND 2200),
              count(*) FILTER (WHERE {irregular_metric}),
              coalesce(sum(coalesce({inner or "0"}, 0)), 0)
            FROM s"""
        ).fetchone()
        lines = scan.newlines - (1 if scan.ends_with_newline else 0)
        if not n or bad_id or bad_time or bad_metric or distinct_ids != n or n + inner_nl != lines:
            return None
        # Canonical formats and boosted status: mapped in Python on the distinct values.
        case_format = "NULL::VARCHAR"
        if "format" in c:
            values = [r[0] for r in con.execute(
                f"SELECT DISTINCT coalesce({c['format']}, '') FROM s LIMIT 10001"
            ).fetchall()]  # fmt: skip
            if len(values) > 10000:
                return None
            pairs = [(v, fmt.type_map.get(v.strip().casefold())) for v in values]
            whens = " ".join(f"WHEN {_lit(v)} THEN {_lit(m)}" for v, m in pairs if m is not None)
            if whens:
                case_format = f"(CASE coalesce({c['format']}, '') {whens} ELSE NULL END)"
        boosted = [
            f"coalesce(m{found[k]}, 0) > 0" for k in ("views_boosted", "reach_boosted") if k in c
        ]
        if "funded" in c:
            values = [r[0] for r in con.execute(
                f"SELECT DISTINCT coalesce({c['funded']}, '') FROM s LIMIT 10001"
            ).fetchall()]  # fmt: skip
            if len(values) > 10000:
                return None
            paid = [v for v in values if v.strip().casefold() not in _ORGANIC]
            if paid:
                boosted.append(
                    f"coalesce({c['funded']}, '') IN ({', '.join(_lit(v) for v in paid)})"
                )
        distribution = (
            f"(CASE WHEN {' OR '.join(boosted)} THEN 'boosted' ELSE 'organic' END)"
            if boosted
            else "'organic'"
        )
        # Wall-clock times -> UTC with the exact path's rules (DST gaps and overlaps), computed by
        # pandas on the distinct times, then written as runs of constant offset (a CASE on the
        # local time: exact for every time in the file, and no join).
        local = pd.Series(
            con.execute("SELECT DISTINCT pl FROM s ORDER BY pl").fetchnumpy()["pl"]
        ).astype("datetime64[us]")
        utc = localise(local, zone)
        published_at = _offset_case(
            local.to_numpy(), utc.dt.tz_localize(None).astype("datetime64[us]").to_numpy(), "pl"
        )
        if published_at is None:
            return None
        exported, source = export_time(raw, Parsed("posts", pd.DataFrame()), zone, utc.max())
        now = pd.Timestamp.now(tz="UTC")
        if utc.max() > min(exported, now) + _FUTURE_SLACK:
            return None  # the exact path names the post and its line
    except duckdb.Error:
        return None  # a parser complaint: the exact path reports it at its line and column
    era = metric_era(found)
    if fmt.id == "meta_facebook_content":
        body = f"coalesce({text('text')}, {text('description')})"
    else:
        body = text("text")
    account = text(fmt.account_key)
    if account_fill is not None:
        account = f"coalesce({account}, {_lit(account_fill)})"
    if inner_nl:
        source_row = (
            "2 + rid + coalesce(sum(nl) OVER (ORDER BY rid ROWS BETWEEN UNBOUNDED PRECEDING "
            "AND 1 PRECEDING), 0)"
        )
        rows_from = f"(SELECT *, rowid AS rid, coalesce({inner}, 0) AS nl FROM memory.main.s)"
    else:
        source_row = "2 + rid"
        rows_from = "(SELECT *, rowid AS rid FROM memory.main.s)"
    exported_naive = exported.tz_convert("UTC").tz_localize(None).to_pydatetime()
    consts = {
        "brand": brand,
        "platform": fmt.platform,
        "date_precision": "minute",
        "exported_at": exported_naive,
        "exported_at_source": source,
        "source_format": fmt.id,
        "source_file": display,
        "source_hash": scan.sha256,
        "raw_headers": raw_headers,
        "assumed_tz": zone,
        "metric_era": era,
    }
    exprs = {
        "post_id": pid,
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
        exprs[m] = f"m{found[m]}" if m in fmt.metrics and m in found else "NULL::DOUBLE"
    select, params = [], []
    for name in ("brand", *POST_FIELDS):
        if name in consts:
            select.append("?")
            params.append(consts[name])
        else:
            select.append(exprs[name])
    sql = f"SELECT {', '.join(select)} FROM {rows_from} AS s"
    if _stamp(path) != scan.stamp:
        return None  # the file changed while it was read: read it again, exactly
    wh.connect(warehouse).close()  # create the warehouse and its schema if needed
    try:
        con.execute(f"ATTACH {_lit(str(warehouse))} AS wh")
    except duckdb.Error as exc:
        raise WarehouseError(
            f"{warehouse}: cannot open the warehouse ({exc}). What to do: close other programs "
            "using it (a notebook holding a write connection, another ingest)."
        ) from exc
    try:
        rows = wh.load_posts_sql(
            con,
            sql,
            params,
            catalog="wh",
            platform=fmt.platform,
            exported_at=exported_naive,
            source_hash=scan.sha256,
            source_file=display,
            source_format=fmt.id,
            brand=brand,
            rows=int(n),
        )
    finally:
        con.execute("DETACH wh")
    return BulkOutcome("loaded", scan.sha256, fmt.id, "posts", rows)
