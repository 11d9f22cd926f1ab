"""Hand-made spreadsheets read through a small YAML mapping.

A mapping says which file column holds which canonical field, how dates are written, and what to
do with rows that do not parse. Example (``socialnb/mappings/facebook_freecodecamp_page.yaml``)::

    platform: facebook
    kind: posts                     # posts (default) or daily
    encoding: utf-8                 # default utf-8 (a BOM is always accepted)
    delimiter: ","                  # default: sniffed from the header line
    account: freeCodeCamp           # constant account (or `columns: {account: <column>}`)
    timezone: America/Los_Angeles   # zone of the wall-clock times (default: the brand's)
    columns:                        # canonical field -> file column
      post_id: null                 # null/absent: generated as "<file stem>:<line>"
      published: [date, time]       # one column, or several joined with a space
      text: title
      format: type
      reach: reach
      clicks: clicks
      likes: reactions
    date_formats: ["%m/%d/%Y %I:%M %p"]   # tried in order
    formats: {Link: link, Photo: image, Video: video, Status: text}   # values -> canonical formats
    bad_rows: quarantine            # quarantine (skip, report in ingest_log) or reject (refuse the file)
    require_match: true             # every row must match the header's column count

How a user points socialnb at a mapping (first found wins):

1. ``Workspace.ingest(..., mapping=M)`` / ``read_export(path, mapping=M)`` / ``socialnb ingest
   --mapping M FILE``, where ``M`` is a path or the name of a shipped mapping;
2. a sidecar file beside the data: ``<file name>.mapping.yaml`` (e.g. ``posts.csv.mapping.yaml``),
   whose content is a mapping or just ``use: <shipped mapping name>``.

The mapping's bytes are part of the file's identity in the warehouse, so editing the mapping and
ingesting again loads the file again.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..errors import ConfigError, ExportError
from ..schema import DAILY_METRICS, FORMATS, PLATFORMS, POST_METRIC_FIELDS
from ._base import ExportFormat, Parsed, no_rows
from ._convert import MEASURES, cell_problem, localise, number_cells
from ._raw import RawFile, Table, normalise_header, read_csv_table

__all__ = [
    "Mapping",
    "load_mapping",
    "shipped_mappings",
    "mapping_for",
    "read_mapped",
    "MAPPING_SUFFIX",
]

MAPPING_SUFFIX = ".mapping.yaml"
_TEXT_FIELDS = ("post_id", "account", "text", "permalink", "format", "distribution")
_KEYS = {
    "platform",
    "kind",
    "encoding",
    "delimiter",
    "account",
    "timezone",
    "columns",
    "date_formats",
    "formats",
    "bad_rows",
    "use",
    "description",
    "source",
    "licence",
    "license",
    "skip_rows",
    "constants",
    "year",
    "negative_ok",
    "month_column",
    "hour_column",
    "distributions",
    "account_regex",
}


class Mapping(dict):
    """A validated mapping (a dict) with its source path and digest."""

    path: Path
    digest: str


def shipped_mappings() -> list[str]:
    """Names of the mappings shipped in ``socialnb/mappings/``."""
    folder = resources.files("socialnb") / "mappings"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _fail(
    path: Path,
    problem: str,
    fix: str = "see the mapping format in socialnb.ingest.mapped's docstring.",
) -> None:
    raise ExportError(path, problem, fix=fix)


def load_mapping(spec: str | Path, *, _chain: tuple[Path, ...] = ()) -> Mapping:
    """Load and validate a mapping from a path or a shipped mapping name.

    ``use: <mapping>`` starts from another mapping (a path relative to this mapping's folder, or a
    shipped name) and overrides its keys.

    Raises
    ------
    ExportError
        Naming the mapping file and the key at fault.
    ConfigError
        When ``use:`` leads back to a mapping already in the chain (itself, or a cycle).
    """
    p = Path(spec)
    if _chain and not p.is_absolute() and (_chain[-1].parent / p).exists():
        p = _chain[-1].parent / p
    if not p.exists():
        name = str(spec).removesuffix(".yaml")
        shipped = resources.files("socialnb") / "mappings" / f"{name}.yaml"
        if not shipped.is_file():
            _fail(
                p,
                "no such mapping file or shipped mapping.",
                f"give a path to a YAML mapping or one of the shipped names: {', '.join(shipped_mappings())}.",
            )
        p = Path(str(shipped))
    here = p.resolve()
    if here in _chain:
        names = " -> ".join(str(c) for c in (*_chain, here))
        raise ConfigError(
            f"{_chain[-1]}: key 'use': {str(spec)!r} leads back to a mapping already used "
            f"({names}), so the mapping never ends. What to do: point `use:` at a shipped "
            "mapping or another file, or remove it and write the keys here."
        )
    data_bytes = p.read_bytes()
    try:
        data = yaml.safe_load(data_bytes) or {}
    except yaml.YAMLError as exc:
        _fail(
            p, f"is not valid YAML ({exc}).", "fix the YAML syntax (indentation, colons, quotes)."
        )
    if not isinstance(data, dict):
        _fail(p, "must be a YAML mapping of keys (platform, columns, ...).")
    if "use" in data:
        if not isinstance(data["use"], str) or not data["use"].strip():
            _fail(
                p, f"key 'use' must name a mapping (a file or a shipped name), not {data['use']!r}."
            )
        inner = load_mapping(data["use"], _chain=(*_chain, here))
        inner.update({k: v for k, v in data.items() if k != "use"})
        data = dict(inner)
    unknown = set(data) - _KEYS
    if unknown:
        _fail(p, f"has unknown key(s) {sorted(unknown)}.", f"use only: {sorted(_KEYS)}.")
    if data.get("platform") not in PLATFORMS:
        _fail(
            p,
            f"platform {data.get('platform')!r} is not one of {list(PLATFORMS)}.",
            "set `platform:`.",
        )
    kind = data.setdefault("kind", "posts")
    if kind not in ("posts", "daily"):
        _fail(p, f"kind {kind!r} must be 'posts' or 'daily'.")
    cols = data.get("columns")
    if not isinstance(cols, dict) or not cols:
        _fail(p, "needs `columns:` mapping canonical fields to the file's columns.")
    allowed = (
        set(_TEXT_FIELDS)
        | {"published", "date"}
        | set(POST_METRIC_FIELDS if kind == "posts" else DAILY_METRICS)
    )
    bad = set(cols) - allowed
    if bad:
        _fail(
            p,
            f"columns {sorted(bad)} are not canonical {kind} fields.",
            f"use fields among: {sorted(allowed)}.",
        )
    need = "published" if kind == "posts" else "date"
    if not cols.get(need) and not (kind == "posts" and data.get("year")):
        _fail(p, f"columns must say which column holds `{need}`.")
    if data.setdefault("bad_rows", "quarantine") not in ("quarantine", "reject"):
        _fail(p, "bad_rows must be 'quarantine' or 'reject'.")
    for k, v in (data.get("formats") or {}).items():
        if v not in FORMATS:
            _fail(p, f"formats maps {k!r} to {v!r}, which is not one of {list(FORMATS)}.")
    m = Mapping(data)
    m.path = p
    m.digest = hashlib.sha256(data_bytes).hexdigest()
    return m


def mapping_for(path: Path) -> Path | None:
    """The sidecar mapping of a data file (``<name>.mapping.yaml`` beside it), if any."""
    side = path.with_name(path.name + MAPPING_SUFFIX)
    return side if side.exists() else None


def _decode(raw: RawFile, mapping: Mapping) -> RawFile:
    enc = mapping.get("encoding")
    if not enc or raw.text is None and raw.encoding is None and enc is None:
        return raw
    body = raw.data[3:] if raw.data.startswith(b"\xef\xbb\xbf") else raw.data
    try:
        text = body.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ExportError(
            raw.path,
            f"cannot be decoded as {enc} ({exc}).",
            fix="fix `encoding:` in the mapping (utf-8, latin-1, cp1252, utf-16).",
        ) from exc
    return replace(raw, encoding=enc, text=text)


def _cols(table: Table, mapping: Mapping, field: str) -> list[int] | None:
    spec = mapping["columns"].get(field)
    if spec is None:
        return None
    names = spec if isinstance(spec, list) else [spec]
    out = []
    for name in names:
        pos = table.find([str(name)])
        if pos is None:
            raise ExportError(
                table.raw.path,
                f"has no column {name!r}, which the mapping {mapping.path.name} "
                f"uses for `{field}` (the file has {table.headers[:12]}).",
                line=table.header_line,
                fix="fix the column name in the mapping, or use the mapping that matches this file.",
            )
        out.append(pos)
    return out


def _joined(table: Table, positions: list[int]) -> pd.Series:
    col = table.column(positions[0]).astype(str).str.strip()
    for pos in positions[1:]:
        col = col + " " + table.column(pos).astype(str).str.strip()
    return col.str.strip()


def _parse_dates(col: pd.Series, formats: list[str]) -> pd.Series:
    out = pd.Series(pd.NaT, index=col.index, dtype="datetime64[ns]")
    for fmt in formats:
        rest = out.isna()
        if not rest.any():
            break
        out = out.where(~rest, pd.to_datetime(col.where(rest), format=fmt, errors="coerce"))
    return out


class _Bad:
    """Rows that do not fit the mapping, with the first reason of each."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.rows = np.zeros(len(table.frame), dtype=bool)
        self.reasons: dict[int, str] = {}

    def mark(self, mask: np.ndarray, pos: int, what: str, values: pd.Series) -> None:
        for i in np.flatnonzero(mask & ~self.rows):
            self.reasons[i] = (
                f"column {self.table.headers[pos]!r}: {values.iloc[i]!r} is not {what}"
            )
        self.rows |= mask

    def refuse(self, raw: RawFile, mapping: Mapping) -> None:
        """Refuse the file when a bad row must not be skipped, or when no row fits."""
        lines = self.table.lines
        if self.rows.any() and mapping["bad_rows"] == "reject":
            i = int(np.argmax(self.rows))
            raise ExportError(
                raw.path,
                f"row does not fit the mapping ({self.reasons[i]}).",
                line=int(lines[i]),
                fix=f"fix the row, or set `bad_rows: quarantine` in {mapping.path.name} to skip such rows.",
            )
        if self.rows.all():
            raise ExportError(
                raw.path,
                f"no row fits the mapping {mapping.path.name} (first: {self.reasons[0]}).",
                line=int(lines[0]),
                fix="check the mapping's columns and date_formats against the file.",
            )


def _times(table: Table, mapping: Mapping, bad: _Bad, formats: list[str]):
    """(the time column's positions or None, the parsed times: NaT where there is none)."""
    tpos = _cols(table, mapping, "published" if mapping["kind"] == "posts" else "date")
    if tpos is None:  # e.g. facebook_metrics: only month/weekday/hour columns (`year:` places
        # the posts in a month)
        return None, pd.Series(pd.NaT, index=table.frame.index, dtype="datetime64[ns]")
    text = _joined(table, tpos)
    parsed = (
        _parse_dates(text, formats)
        if formats
        else pd.to_datetime(text, errors="coerce", format="mixed")
    )
    bad.mark(
        parsed.isna().to_numpy(), tpos[0], f"a date/time in {formats or 'a standard shape'}", text
    )
    return tpos, parsed


def _fields(table: Table, mapping: Mapping, bad: _Bad) -> pd.DataFrame:
    """The mapped metric and text columns (cells checked as every export reader checks them)."""
    frame = pd.DataFrame({"source_row": table.lines})
    negative_ok = set(mapping.get("negative_ok") or [])
    for field in POST_METRIC_FIELDS if mapping["kind"] == "posts" else DAILY_METRICS:
        pos = _cols(table, mapping, field)
        if pos is None:
            continue
        col = table.column(pos[0]).astype(str).str.strip()
        values, why = number_cells(  # the same cell contract as every export reader
            col, negative_ok=field in negative_ok, integer=field not in MEASURES
        )
        for i in np.flatnonzero((why != "") & ~bad.rows):
            problem = cell_problem(col.iloc[i], why[i]).rstrip(".")
            bad.reasons[i] = f"column {table.headers[pos[0]]!r}: {problem}"
        bad.rows |= why != ""
        frame[field] = values
    for field in _TEXT_FIELDS:
        pos = _cols(table, mapping, field)
        if pos is not None:
            frame[field] = _joined(table, pos).astype("string").replace("", pd.NA)
    if "distribution" in frame and mapping.get("distributions"):
        dmap = {normalise_header(k): v for k, v in mapping["distributions"].items()}
        norm = frame["distribution"].fillna("").map(normalise_header)
        frame["distribution"] = norm.map(dmap).fillna("organic").astype("string")
    if "format" in frame and mapping.get("formats"):
        fmap = {normalise_header(k): v for k, v in mapping["formats"].items()}
        norm = frame["format"].fillna("").map(normalise_header)
        known = norm.isin(list(fmap)) | (norm == "")
        what = f"a known type ({', '.join(mapping['formats'])})"
        bad.mark(~known.to_numpy(), _cols(table, mapping, "format")[0], what, frame["format"])
        frame["format"] = norm.map(fmap).astype("string")
    return frame


def read_mapped(raw: RawFile, mapping: Mapping, *, tz: str, account: str | None = None) -> Parsed:
    """Read a hand-made CSV through ``mapping`` (see the module docstring)."""
    raw = _decode(raw, mapping)
    table = read_csv_table(
        raw, delimiter=mapping.get("delimiter"), skip_lines=int(mapping.get("skip_rows", 0))
    )
    kind = mapping["kind"]
    no_rows(table, "rows", "check the file holds data.")
    bad = _Bad(table)
    formats = list(mapping.get("date_formats") or [])
    tpos, parsed = _times(table, mapping, bad, formats)
    frame = _fields(table, mapping, bad)
    rejected = tuple((int(table.lines[i]), bad.reasons[i]) for i in sorted(bad.reasons))
    bad.refuse(raw, mapping)
    keep = ~bad.rows
    frame = frame[keep].reset_index(drop=True)
    parsed = parsed[keep].reset_index(drop=True)
    if kind == "posts":
        _posts(frame, parsed, raw, table, mapping, keep, tpos, formats, tz, account)
    else:
        frame["date"] = parsed.dt.normalize()
        if "account" not in frame:
            frame["account"] = mapping.get("account") or account or ""
    frame["platform"] = mapping["platform"]
    notes = [f"read through mapping {mapping.path.name} (sha256 {mapping.digest[:12]})"]
    if rejected:
        notes.append(f"{len(rejected)} row(s) quarantined: not loaded, listed in rejected_rows")
    if "post_id" not in mapping["columns"] and kind == "posts":
        notes.append("the file has no post ids: ids generated as '<file stem>:<line>'")
    return Parsed(
        kind, frame, raw_headers=tuple(table.headers), notes=tuple(notes), rejected_rows=rejected
    )


def _posts(frame, parsed, raw, table, mapping, keep, tpos, formats, tz, account) -> None:
    """Complete the post columns of ``frame`` in place (ids, times, account, constants)."""
    precision = None
    if tpos is None:  # only a month (and hour) column: `year:` places the posts in that month
        parsed, precision = _from_month(table, mapping, keep)
    if "post_id" not in frame:
        stem = Path(raw.name).stem
        frame["post_id"] = (stem + ":" + frame["source_row"].astype(str)).astype("string")
    for k, v in (mapping.get("constants") or {}).items():
        frame[k] = v
    frame["published_local"] = parsed
    frame["published_at"] = (
        localise(parsed, mapping.get("timezone") or tz)
        if parsed.notna().any()
        else pd.Series(pd.NaT, index=frame.index)
    )
    if formats:
        has_time = tpos is not None and any("%H" in f or "%I" in f for f in formats)
    else:
        has_time = tpos is not None
    frame["date_precision"] = precision or ("minute" if has_time else "day")
    frame["distribution"] = frame.get("distribution", "organic")
    frame["metric_era"] = frame.get("metric_era", "impressions" if "impressions" in frame else "")
    if "account" not in frame and mapping.get("account_regex"):
        pid = frame["post_id"].str.extract(mapping["account_regex"], expand=False)
        frame["account"] = pid.astype("string")
    if "account" not in frame:
        frame["account"] = mapping.get("account") or account


class MappedFormat(ExportFormat):
    """The pseudo-format of mapped files (never detected from content; chosen by a mapping)."""

    id = "mapped_csv"
    platform = ""
    ends_with_line_end = False  # hand-made: the file may end without one
    kind = "posts"
    description = (
        "A hand-made CSV read through a YAML mapping (socialnb/mappings/ or <file>.mapping.yaml)"
    )

    def __init__(self, mapping: Mapping | None = None) -> None:
        self.mapping = mapping
        if mapping is not None:
            self.platform = mapping["platform"]  # type: ignore[misc]
            self.kind = mapping["kind"]  # type: ignore[misc]
            self.id = f"mapped:{mapping.path.name.removesuffix('.yaml')}"  # type: ignore[misc]

    def sniff(self, raw: RawFile) -> bool:
        return False

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        assert self.mapping is not None
        return read_mapped(raw, self.mapping, tz=tz, account=account)


def with_mapping(raw: RawFile, mapping: Mapping) -> RawFile:
    """The raw file with an identity (hash) that includes the mapping's bytes."""
    digest = hashlib.sha256((raw.sha256 + mapping.digest).encode()).hexdigest()
    return replace(raw, sha256=digest)


def _from_month(table: Table, mapping: Mapping, keep: np.ndarray) -> tuple[pd.Series, str]:
    year = int(mapping["year"])
    mpos = table.find([str(mapping.get("month_column", ""))])
    if mpos is None:
        raise ExportError(
            table.raw.path,
            f"has no month column {mapping.get('month_column')!r} named by the mapping.",
            line=table.header_line,
            fix="set `month_column:` (and `hour_column:`) to the file's columns.",
        )
    month = pd.to_numeric(table.column(mpos)[keep], errors="coerce").reset_index(drop=True)
    hpos = table.find([str(mapping.get("hour_column", ""))])
    hour = (
        pd.to_numeric(table.column(hpos)[keep], errors="coerce").reset_index(drop=True)
        if hpos is not None
        else 0
    )
    stamp = pd.to_datetime(
        pd.DataFrame({"year": year, "month": month, "day": 1, "hour": hour}), errors="coerce"
    )
    return stamp, "month"
