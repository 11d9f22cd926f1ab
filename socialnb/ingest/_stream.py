"""Large CSV exports read without holding the file in memory (the streaming path).

For a large UTF-8 CSV export of a format in :data:`STREAMABLE` (X tweet activity, X Premium
content, YouTube's Table data and Chart data, Meta Facebook content when the all-SQL load in
:mod:`socialnb.ingest._bulk` does not take it),
:func:`open_streamed` detects the format from the file's first lines and streams the file once for
its SHA-256, its line ends and any NUL byte (:func:`scan`). The :class:`~._raw.RawFile` it returns
holds only the head (``data`` and ``text`` are the first complete lines, ``stream`` the scan):
``read_csv_table`` then has DuckDB parse the columns the reader asks for straight from the file
(:func:`duck_table`), and the reader's own pandas code runs on that frame, exactly as on the exact
path. Nothing else in a reader of those formats reads ``raw.text`` or ``raw.data`` past the head
(sniffing, export-time detection from the file name or folder); formats that do (workbooks, zips,
Meta's UTF-16 daily series with title lines) are not in :data:`STREAMABLE`.

Whenever anything is irregular (an odd cell, a line end DuckDB and the csv module count
differently, a parser complaint, any refusal), :func:`read_streamed` returns None before the
warehouse is touched and the caller reads the file on the exact path, which gives the same rows or
reports the problem at its line and column.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import _lazy
from ..errors import SocialnbError
from ._raw import (
    MAX_FIELD_CHARS,
    MISSING_TOKENS,
    RawFile,
    Table,
    _check_header,
    _sniff_delimiter,
    known_sha256,
    remember_sha256,
)

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["STREAM_BYTES", "STREAMABLE", "Scan", "eligible", "open_streamed", "read_streamed"]

#: Files at least this large take the streaming path (as socialnb.ingest._bulk.BULK_BYTES).
STREAM_BYTES = 4 * 1024 * 1024

#: The formats whose readers use nothing of the raw file but ``read_csv_table(raw)`` (no skipped
#: lines), its path, name and hash, so they read the same from a head-only RawFile, and whose
#: equivalence with the exact path is tested on a large file (tests/test_ingest_stream_*.py).
#: The daily series (one row a day), TikTok's top-videos Content.csv and Instagram content the
#: SQL load refuses still take the exact path.
STREAMABLE = frozenset(
    {
        "x_tweet_activity",
        "x_premium_content",
        "youtube_table",
        "youtube_chart",
        "meta_facebook_content",
    }
)

_HEAD_BYTES = 256 * 1024
_BLOCK = 1 << 22
#: A metric cell DuckDB may convert itself: a whole number from 0 to 999,999,999,999 (exact in
#: float64, so DuckDB and pandas read the same value, and one no count column refuses, so a refusal
#: always quotes the cell as written); any other cell keeps its column as text, for the reader's
#: own cell contract (socialnb.ingest._convert.number_cells).
_WHOLE = r"[0-9]{1,12}([.]0{1,6})?"


class Irregular(Exception):
    """A streamed file the fast parser cannot read exactly as the csv module does: read it on the
    exact path (never shown to a user)."""


@dataclass(frozen=True)
class Scan:
    """What one streaming pass over a file found."""

    sha256: str
    newlines: int
    ends_with_newline: bool
    has_nul: bool
    stamp: tuple[int, int]


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def scan(path: Path) -> Scan:
    """One streaming pass: hash, line ends, NUL bytes (constant memory). The hash is not
    computed again when this process hashed the file with the same stamp already."""
    stamp = _stamp(path)
    key, known = known_sha256(path)
    digest = hashlib.sha256()
    newlines = 0
    nul = False
    last = b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            if known is None:
                digest.update(block)
            newlines += block.count(b"\n")
            nul = nul or b"\x00" in block
            last = block[-1:]
    if known is None and known_sha256(path)[0] == key:
        remember_sha256(key, digest.hexdigest())
    return Scan(known or digest.hexdigest(), newlines, last == b"\n", nul, stamp)


def head_raw(path: Path) -> tuple[RawFile, str] | None:
    """A RawFile holding only the first complete lines (for sniffing), and the header line; None
    for what is not UTF-8 text with a line end in its head."""
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11")):
        return None  # UTF-16, zips, workbooks: the exact path reads them
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    cut = body.rfind(b"\n")
    if cut < 0 or b"\x00" in body:
        return None
    try:
        text = body[: cut + 1].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return RawFile(path, head, "", "utf-8", text, None), text.split("\n", 1)[0]


def eligible(path: Path) -> bool:
    """True when ``path`` is a plain file large enough for the streaming path."""
    try:
        return path.is_file() and path.stat().st_size >= STREAM_BYTES
    except OSError:
        return False


def detect_head(path: Path) -> tuple[RawFile, str, object] | None:
    """The head of a file (a RawFile of its first lines and its header line) and the reader of
    its format, detected from those lines alone; None when the head is not UTF-8 text or no
    reader knows it (the exact path reads or refuses it)."""
    from . import detect_format  # late: the package imports the readers, which import _raw

    got = head_raw(path)
    if got is None:
        return None
    head, first = got
    try:
        return head, first, detect_format(head)
    except SocialnbError:
        return None


def open_streamed(path: Path) -> RawFile | None:
    """A head-only RawFile of a large export of a :data:`STREAMABLE` format, with the file's hash
    and line ends (``raw.stream``); None when the file is for the exact path."""
    got = detect_head(path)
    if got is None:
        return None
    head, _, fmt = got
    if fmt.id not in STREAMABLE:
        return None
    found = scan(path)
    if found.has_nul or not found.ends_with_newline or found.stamp[0] < STREAM_BYTES:
        return None  # the exact path refuses it with its line (a NUL, a file cut short)
    return RawFile(path, head.data, found.sha256, "utf-8", head.text, None, stream=found)


def read_streamed(raw: RawFile, *, tz: str | None) -> list[pd.DataFrame] | None:
    """The canonical frames of a streamed file (as :func:`socialnb.ingest.read_raw`), or None when
    the file must be read on the exact path (which then reads it, or refuses it at its line)."""
    from . import read_raw

    try:
        return read_raw(raw, tz=tz)
    except (Irregular, SocialnbError):
        return None


def _newlines(cols: list[str]) -> str:
    """SQL counting the line ends inside a row's cells ``cols``."""
    return (
        " + ".join(
            f"(CASE WHEN contains({c}, chr(10)) THEN length({c}) - "
            f"length(replace({c}, chr(10), '')) ELSE 0 END)"
            for c in cols
        )
        or "0"
    )


def _lone_cr(cols: list[str]) -> str:
    """SQL true for a row with a CR not followed by LF in a cell (the csv module counts it as a
    line end, DuckDB and the line-end count do not)."""
    return (
        " OR ".join(
            f"(contains({c}, chr(13)) AND contains(replace({c}, chr(13) || chr(10), ''), chr(13)))"
            for c in cols
        )
        or "false"
    )


def _shape(con, wanted: list[int], maybe: list[int], tokens: str):
    """(records, line ends inside cells, columns converted to float64) of the staged table ``t``:
    a metric column is converted when every cell is a whole number or a missing token (such
    cells hold no line end); None for a lone CR in a cell."""
    whole = [
        f"bool_and(c{i} IS NULL OR regexp_full_match(c{i}, '{_WHOLE}') "
        f"OR lower(trim(c{i})) IN ({tokens}))"
        for i in maybe
    ]
    text = [f"c{i}" for i in wanted if i not in maybe]
    got = con.execute(
        f"SELECT count(*), coalesce(sum({_newlines(text)}), 0), "
        f"count(*) FILTER (WHERE {_lone_cr(text)}){''.join(', ' + w for w in whole)} FROM t"
    ).fetchone()
    converted = [i for i, ok in zip(maybe, got[3:], strict=True) if ok]
    kept = [f"c{i}" for i in maybe if i not in converted]  # metric columns read as text
    inner, crs = int(got[1]), int(got[2])
    if kept:
        more = con.execute(
            f"SELECT coalesce(sum({_newlines(kept)}), 0), "
            f"count(*) FILTER (WHERE {_lone_cr(kept)}) FROM t"
        ).fetchone()
        inner, crs = inner + int(more[0]), crs + int(more[1])
    return None if crs else (int(got[0]), inner, converted)


def duck_table(
    raw: RawFile, first: str, delimiter: str | None, usecols, numeric, newlines: int
) -> Table | None:
    """Parse a UTF-8 CSV file with DuckDB's strict parser, only the columns ``usecols(header)``
    asks for; metric columns ``numeric(header)`` whose every cell is a whole number (:data:`_WHOLE`)
    or a missing token come as float64, every other column as text. ``first`` is the header line
    and ``newlines`` the file's line ends (less a final one). The physical line of each record
    comes from the line ends inside the cells read. None when anything looks irregular (the
    exact path then reads the file and reports any problem with its line and column)."""
    import duckdb

    first = first.rstrip("\r")
    if first.count('"') % 2:
        return None  # a header with a line end inside a quoted name
    delim = delimiter or _sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delim))
    _check_header(raw, header, 1)
    n = len(header)
    if n < 2:
        return None  # one column: a blank line would be a record here, skipped by the csv module
    wanted = sorted(set(usecols(header))) if usecols is not None else list(range(n))
    wanted = wanted or [0]
    maybe = [
        i for i in (sorted(set(numeric(header))) if numeric is not None else []) if i in wanted
    ]
    spec = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
    tokens = ", ".join(f"'{t}'" for t in sorted(MISSING_TOKENS))
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(
            f"CREATE TEMP TABLE t AS SELECT {', '.join(f'c{i}' for i in wanted)} FROM read_csv(?, "
            "header = true, delim = ?, quote = '\"', escape = '\"', encoding = 'utf-8', "
            f"columns = {spec}, strict_mode = true, null_padding = false, ignore_errors = false, "
            f"max_line_size = {MAX_FIELD_CHARS})",
            [str(raw.path), delim],
        )
        shape = _shape(con, wanted, maybe, tokens)
        if shape is None or shape[0] + shape[1] != newlines:
            return None  # a lone CR in a cell, blank lines, or line ends in columns not read
        rows, inner, converted = shape
        exprs = [
            f"CASE WHEN c{i} IS NULL OR lower(trim(c{i})) IN ({tokens}) THEN NULL "
            f"ELSE CAST(c{i} AS DOUBLE) END AS c{i}"
            if i in converted
            else f"c{i}"
            for i in wanted
        ]
        if inner:
            text = [f"c{i}" for i in wanted if i not in converted]
            exprs.append(f"({_newlines(text)}) AS nl")
        frame = con.execute(f"SELECT {', '.join(exprs)} FROM t").df()  # in file order
    except duckdb.Error:  # any parser complaint: let the exact path find and report it
        return None
    finally:
        con.close()
    shift = np.zeros(len(frame), dtype=np.int64)
    if inner:
        nl = frame.pop("nl").to_numpy(dtype=np.int64)
        shift[1:] = np.cumsum(nl)[:-1]
    frame.columns = wanted
    for i in wanted:
        if i not in converted and frame[i].hasnans:
            frame[i] = frame[i].fillna("")  # DuckDB reads an empty cell as NULL
    lines = 2 + np.arange(rows, dtype=np.int64) + shift
    return Table(raw=raw, headers=header, frame=frame, lines=lines, header_line=1)


def stream_table(raw: RawFile, skip_lines: int, delimiter: str | None, usecols, numeric) -> Table:
    """``read_csv_table`` of a streamed RawFile; :class:`Irregular` when the exact path must read
    the file."""
    found: Scan = raw.stream
    if skip_lines:
        raise Irregular("lines before the header")
    first = raw.text.split("\n", 1)[0]
    table = duck_table(
        raw,
        first,
        delimiter,
        usecols,
        numeric,
        found.newlines - (1 if found.ends_with_newline else 0),
    )
    if table is None or _stamp(raw.path) != found.stamp:
        raise Irregular("irregular, or changed while it was read")
    return table
