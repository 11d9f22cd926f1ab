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
                                    # (first; then the words exports use, FORMAT_WORDS)
    bad_rows: quarantine            # quarantine (skip, report in ingest_log) or reject (refuse the file)

How a user points socialnb at a mapping (first found wins):

1. ``Workspace.ingest(..., mapping=M)`` / ``read_export(path, mapping=M)`` / ``socialnb ingest
   --mapping M FILE``, where ``M`` is a path or the name of a shipped mapping;
2. a sidecar file beside the data: ``<file name>.mapping.yaml`` (e.g. ``posts.csv.mapping.yaml``),
   whose content is a mapping or just ``use: <shipped mapping name>``.

A ``format`` column's values are placed by the mapping's ``formats:`` first, then by the words the
export readers know (:data:`FORMAT_WORDS`: ``Reel``, ``reels``, ``Photo``, ``Carousel``, ...; case
and surrounding spaces do not matter). Without a ``formats:`` map, a value neither places refuses
the file, naming the row and the YAML lines to add; with one, its row does not fit the mapping
(``bad_rows``).

The mapping's bytes are part of the file's identity in the warehouse, so editing the mapping and
ingesting again loads the file again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

from .. import _lazy
from .._yaml import read_yaml_mapping
from ..errors import ConfigError, ExportError
from ..schema import DAILY_METRICS, FORMATS, POST_METRIC_FIELDS
from ._base import ExportFormat, Parsed, no_rows
from ._convert import MEASURES, cell_problem, localise, number_cells
from ._formats import UNKNOWN
from ._mapping_schema import TEXT_FIELDS, validate_mapping
from ._raw import RawFile, Table, normalise_header, read_csv_table
from .facebook_legacy import _TYPES as _LEGACY_TYPES
from .linkedin import _CONTENT as _LINKEDIN_TYPES
from .meta import MetaFacebookContent, MetaInstagramContent

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")

__all__ = [
    "Mapping",
    "load_mapping",
    "shipped_mappings",
    "mapping_for",
    "read_mapped",
    "MAPPING_SUFFIX",
    "FORMAT_WORDS",
]

MAPPING_SUFFIX = ".mapping.yaml"
_TEXT_FIELDS = TEXT_FIELDS

#: The words exports use for a post's format (casefolded) -> canonical format: the export readers'
#: own maps (Meta Facebook and Instagram, legacy Facebook, LinkedIn) and the canonical names.
#: ``unknown`` is left out: a sheet saying so has no format, as a blank cell.
FORMAT_WORDS: dict[str, str] = {
    **{f: f for f in FORMATS if f != UNKNOWN},
    **MetaFacebookContent.type_map,
    **MetaInstagramContent.type_map,
    **_LEGACY_TYPES,
    **_LINKEDIN_TYPES,
}


class Mapping(dict):
    """A validated mapping (a dict) with its source path and digest."""

    path: Path
    digest: str


def shipped_mappings() -> list[str]:
    """Names of the mappings shipped in ``socialnb/mappings/``."""
    folder = resources.files("socialnb") / "mappings"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _mapping_file(spec: str | Path, chain: tuple[Path, ...]) -> Path:
    """The file ``spec`` names: a path (relative to the mapping whose ``use:`` names it), else a
    shipped mapping's name."""
    p = Path(spec)
    if chain and not p.is_absolute() and (chain[-1].parent / p).exists():
        p = chain[-1].parent / p
    if p.exists():
        return p
    shipped = resources.files("socialnb") / "mappings" / f"{str(spec).removesuffix('.yaml')}.yaml"
    if not shipped.is_file():
        raise ConfigError(
            "no such mapping file or shipped mapping.",
            path=chain[-1] if chain else p,
            key="use" if chain else None,
            value=str(spec),
            fix="give a path to a YAML mapping or one of the shipped names: "
            f"{', '.join(shipped_mappings())}.",
        )
    return Path(str(shipped))


def load_mapping(spec: str | Path, *, _chain: tuple[Path, ...] = ()) -> Mapping:
    """Load a mapping from a path or a shipped mapping name, validated by
    :class:`~socialnb.ingest._mapping_schema.MappingFile`.

    ``use: <mapping>`` starts from another mapping (a path relative to this mapping's folder, or a
    shipped name) and overrides its keys.

    Raises
    ------
    ConfigError
        Naming the mapping file, the key at fault, its value and what to do; also when ``use:``
        leads back to a mapping already in the chain (itself, or a cycle).

    Examples
    --------
    >>> m = load_mapping("facebook_metrics")
    >>> m["platform"], m["kind"], m["columns"]["reach"]
    ('facebook', 'posts', 'Lifetime Post Total Reach')
    """
    p = _mapping_file(spec, _chain)
    here = p.resolve()
    if here in _chain:
        names = " -> ".join(str(c) for c in (*_chain, here))
        raise ConfigError(
            f"leads back to a mapping already used ({names}), so the mapping never ends.",
            path=_chain[-1],
            key="use",
            value=str(spec),
            fix="point `use:` at a shipped mapping or another file, or remove it and write the "
            "keys here.",
        )
    data_bytes = p.read_bytes()
    data = read_yaml_mapping(p, data=data_bytes, what="keys (platform, columns, ...)")
    if "use" in data:
        if not isinstance(data["use"], str) or not data["use"].strip():
            raise ConfigError(
                "does not name a mapping.",
                path=p,
                key="use",
                value=data["use"],
                fix="write a mapping file's path or a shipped name, e.g. 'use: facebook_metrics'.",
            )
        inner = load_mapping(data["use"], _chain=(*_chain, here))
        inner.update({k: v for k, v in data.items() if k != "use"})
        data = dict(inner)
    spec_ = validate_mapping(data, p)
    m = Mapping({**data, "kind": spec_.kind, "bad_rows": spec_.bad_rows})
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
    if "format" in frame:
        _place_formats(frame, table, mapping, bad)
    return frame


def _place_formats(frame: pd.DataFrame, table: Table, mapping: Mapping, bad: _Bad) -> None:
    """Canonical formats in ``frame["format"]`` (in place): the mapping's ``formats:`` first, then
    :data:`FORMAT_WORDS`; blank and ``unknown`` cells stay missing. A value neither places is a row
    that does not fit (with a ``formats:`` map) or refuses the file (without one)."""
    pos = _cols(table, mapping, "format")[0]
    own = {normalise_header(k): v for k, v in (mapping.get("formats") or {}).items()}
    cells = frame["format"].fillna("")
    norm = {u: normalise_header(u) for u in cells.unique()}  # distinct values only: long sheets
    lookup = {u: own.get(n, FORMAT_WORDS.get(n)) for u, n in norm.items()}
    placed = cells.map(lookup)
    blank = cells.map(lambda u: norm[u] in ("", UNKNOWN))
    unplaced = (placed.isna() & ~blank).to_numpy() & ~bad.rows
    if own:
        what = (
            f"a type in `formats:` ({', '.join(map(str, mapping['formats']))}) or an export's word"
        )
        bad.mark(unplaced, pos, what, frame["format"])
    elif unplaced.any():
        _refuse_formats(frame["format"][unplaced], table, mapping, pos)
    frame["format"] = placed.astype("string")


def _refuse_formats(values: pd.Series, table: Table, mapping: Mapping, pos: int) -> None:
    """Refuse a sheet whose ``format`` column holds values no format word places, naming the first
    one's row and the ``formats:`` line that would place them all."""
    first = values.index[0]
    distinct = list(dict.fromkeys(values.str.strip()))
    shown = ", ".join(f"{json.dumps(v, ensure_ascii=False)}: <format>" for v in distinct[:10])
    more = f" (and {len(distinct) - 10} more values)" if len(distinct) > 10 else ""
    choices = ", ".join(f for f in FORMATS if f != UNKNOWN)
    others = (
        f" (nor are {len(distinct) - 1} other values of the column)" if len(distinct) > 1 else ""
    )
    raise ExportError(
        table.raw.path,
        f"the format {values.iloc[0].strip()!r} is not a word exports use for a format{others}, "
        f"and {mapping.path.name} has no `formats:` map to place it; nothing was loaded.",
        line=int(table.lines[first]),
        column=table.headers[pos],
        fix=f"add this line to {mapping.path.name}, writing each value's format "
        f"(one of {choices}): formats: {{{shown}}}{more}",
    )


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
