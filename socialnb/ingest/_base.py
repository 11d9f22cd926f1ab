"""The reader interface, the registry of formats, and the lineage every row carries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from .. import _lazy
from ..errors import ExportError
from ..schema import POST_METRIC_FIELDS, conform_daily, conform_posts
from ._convert import localise_one
from ._formats import settle_formats
from ._raw import RawFile, Table, normalise_header, read_csv_table

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["ExportFormat", "register", "registry", "Parsed", "column_map", "quarantine_blank_ids"]


@dataclass
class Parsed:
    """What a reader returns: canonical rows plus what it knows about the file."""

    kind: str  # "posts" or "daily"
    frame: pd.DataFrame  # canonical columns (lineage is added by read_export)
    raw_headers: tuple[str, ...] = ()
    exported_at: pd.Timestamp | None = None  # when the content says it (e.g. TikTok's Time)
    exported_at_source: str | None = None
    notes: tuple[str, ...] = ()  # assumptions made (date order, year inferred, ...)
    rejected_rows: tuple[tuple[int, str], ...] = ()  # (line, reason) quarantined by the reader


class ExportFormat:
    """One export format: how to recognise it from content and how to read it.

    Subclasses set the class attributes and implement :meth:`sniff` and :meth:`read`.
    """

    id: ClassVar[str]
    platform: ClassVar[str]
    kind: ClassVar[str]  # "posts" or "daily"
    description: ClassVar[str]
    #: Formats with a higher priority are tried first (specific before general).
    priority: ClassVar[int] = 0
    #: The platform always ends a CSV export with a line end, so a text file without one was cut
    #: short (a value of its last row may be cut: Saves 17 read as 1). False for hand-made files.
    ends_with_line_end: ClassVar[bool] = True

    def sniff(self, raw: RawFile) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def read(
        self, raw: RawFile, *, tz: str, account: str | None = None
    ) -> Parsed | list[Parsed]:  # pragma: no cover
        """Canonical rows of the file: one :class:`Parsed`, or several (a workbook or zip holding
        posts and daily series), all loaded in the same transaction."""
        raise NotImplementedError


#: How far past the export time (or now, if earlier) a post may be published before the file is
#: refused as holding posts from the future (clock and time-zone slack).
FUTURE_SLACK = timedelta(days=2)

_REGISTRY: list[ExportFormat] = []


def register(cls: type[ExportFormat]) -> type[ExportFormat]:
    """Class decorator adding a format to the registry."""
    _REGISTRY.append(cls())
    _REGISTRY.sort(key=lambda f: -f.priority)
    return cls


def registry() -> tuple[ExportFormat, ...]:
    """Every registered format, in the order they are tried."""
    return tuple(_REGISTRY)


def column_map(table: Table, aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Map canonical names to column positions using exact matches of normalised aliases."""
    found: dict[str, int] = {}
    for canonical, names in aliases.items():
        pos = table.find(names)
        if pos is not None:
            found[canonical] = pos
    return found


def require(
    table: Table,
    found: dict[str, int],
    required: tuple[str, ...],
    aliases: dict[str, tuple[str, ...]],
) -> None:
    """Fail naming the first required field that the file lacks."""
    for name in required:
        if name not in found:
            expected = " or ".join(repr(a) for a in aliases[name][:3])
            raise ExportError(
                table.raw.path,
                f"has no {expected} column, which this export always has.",
                line=table.header_line,
                fix="export again with that column ticked (or, for a hand-made file, use a mapping: see README).",
            )


def no_rows(table: Table, what: str, fix: str) -> None:
    """Refuse a table that has a header but no rows, saying what it should hold."""
    if not len(table.frame):
        raise ExportError(
            table.raw.path,
            f"has a header but no {what}.",
            line=table.header_line + 1,
            fix=fix,
        )


def csv_columns(
    raw: RawFile, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...], *, what: str,
    fix: str,
) -> tuple[Table, dict[str, int]]:  # fmt: skip
    """A CSV export's table and where its fields are, refused when a required field is missing
    or it holds no ``what`` (rows, days, videos: ``fix`` says what to do)."""
    table = read_csv_table(raw)
    found = column_map(table, aliases)
    require(table, found, required, aliases)
    no_rows(table, what, fix)
    return table, found


_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_META_NAME = re.compile(r"([A-Za-z]{3})-(\d{2})-(\d{4})_([A-Za-z]{3})-(\d{2})-(\d{4})")
_COMPACT_RANGE = re.compile(r"_(\d{8})_(\d{8})(?:_|\.|$)")
_ISO_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})")
_DAY_FOLDER = re.compile(r"^(\d{4}-\d{2}-\d{2})$")


def _day(year: int, month: int, day: int) -> datetime | None:
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def period_end_from_name(name: str) -> datetime | None:
    """The last day covered by an export, from its file name (Meta, X, X Premium patterns)."""
    m = _META_NAME.search(name)
    if m and m.group(4).casefold() in _MONTHS:
        return _day(int(m.group(6)), _MONTHS[m.group(4).casefold()], int(m.group(5)))
    m = _ISO_RANGE.search(name)
    if m:
        return datetime.fromisoformat(m.group(2))
    m = _COMPACT_RANGE.search(name)
    if m:
        s = m.group(2)
        return _day(int(s[:4]), int(s[4:6]), int(s[6:]))
    return None


def download_day(path: Path) -> datetime | None:
    """A folder named ``YYYY-MM-DD`` above the file is the day it was downloaded."""
    for parent in path.parents:
        m = _DAY_FOLDER.match(parent.name)
        if m:
            try:
                return datetime.fromisoformat(m.group(1))
            except ValueError:
                return None
        if parent.name == "raw":
            break
    return None


def export_time(
    raw: RawFile, parsed: Parsed, tz: str, latest: pd.Timestamp | None
) -> tuple[pd.Timestamp, str]:
    """When the file's lifetime totals were taken, and how we know (UTC): :func:`export_time_utc`
    for a reader's rows and the latest time in them."""
    content = None
    if parsed.exported_at is not None:
        content = (
            pd.Timestamp(parsed.exported_at).tz_convert("UTC"),
            (parsed.exported_at_source or "content"),
        )
    last = None
    if latest is not None and not pd.isna(latest):
        ts = pd.Timestamp(latest)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        last = ts.normalize().to_pydatetime()
    when, source = export_time_utc(raw, tz, last, content)
    return pd.Timestamp(when), source


def export_time_utc(
    raw: RawFile,
    tz: str,
    latest: datetime | None,
    content: tuple[datetime, str] | None = None,
) -> tuple[datetime, str]:
    """When the file's lifetime totals were taken (an aware UTC datetime), and how we know.

    In order: a ``YYYY-MM-DD`` download folder; the file's own content (``content``: e.g.
    TikTok's ``Time``); the day after the period in the file name; the day after the latest
    time in the file (``latest``, aware). A local midnight is placed in UTC by
    :func:`~socialnb.ingest._convert.localise_one` (the rule every post time follows).
    """
    day = download_day(raw.path)
    if day is not None:
        return localise_one(day, tz), "download folder"
    if content is not None:
        return content
    end = period_end_from_name(raw.name)
    if end is None and raw.container is not None:
        end = period_end_from_name(raw.container.name)
    if end is not None:
        return localise_one(end + timedelta(days=1), tz), "file name (period end)"
    if latest is not None:
        start = latest.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return start + timedelta(days=1), "content (latest date)"
    raise ExportError(
        raw.path,
        "has no rows, so its export time cannot be known.",
        fix="download the export again for a period that has posts.",
    )


def finish(raw: RawFile, fmt: ExportFormat, parsed: Parsed, tz: str) -> pd.DataFrame:
    """Add lineage to a reader's rows and conform them to the canonical schema."""
    frame = parsed.frame
    if parsed.kind == "posts":
        latest = frame["published_at"].max() if len(frame) else None
    else:
        latest = pd.to_datetime(frame["date"]).max() if len(frame) else None
    exported_at, source = export_time(raw, parsed, tz, latest)
    frame = frame.copy()
    frame["platform"] = frame.get("platform", fmt.platform)
    frame["exported_at"] = exported_at
    frame["exported_at_source"] = source
    frame["source_format"] = fmt.id
    frame["source_file"] = str(raw.path)
    frame["source_hash"] = raw.sha256
    frame["assumed_tz"] = tz
    if parsed.kind == "posts":
        frame["raw_headers"] = "|".join(parsed.raw_headers)
        out = conform_posts(settle_formats(frame))  # every post has a format (or "unknown")
    else:
        out = conform_daily(frame)
    out.attrs["kind"] = parsed.kind
    out.attrs["format"] = fmt.id
    out.attrs["notes"] = list(parsed.notes)
    out.attrs["rejected_rows"] = list(parsed.rejected_rows)
    return out


#: Post ids of summary rows (YouTube's Total row, Meta's trailer): dropped, they are not posts.
SUMMARY_IDS = frozenset({"total", "totals", "total geral", "total general"})


def quarantine_blank_ids(
    frame: pd.DataFrame, *, what: str = "post id"
) -> tuple[pd.DataFrame, tuple[tuple[int, str], ...], tuple[str, ...]]:
    """Rows without a post id: never dropped silently, never kept under an empty id.

    Summary rows (``Total``) and rows with no value at all are dropped (nothing is lost); a row
    with metrics but a blank id is quarantined: not loaded, listed in ``rejected_rows`` (line,
    reason) so that ``ingest_log`` counts it (``rows_rejected``) and shows why.

    Returns the frame without those rows, the rejected rows and a note (empty when none).
    """
    pid = frame["post_id"].astype("string").str.strip()
    blank = (pid.isna() | (pid == "")).to_numpy()
    summary = pid.str.casefold().isin(SUMMARY_IDS).fillna(False).to_numpy()
    if not (blank.any() or summary.any()):
        return frame, (), ()
    metrics = [m for m in POST_METRIC_FIELDS if m in frame]
    values = frame[metrics].notna() if metrics else pd.DataFrame(index=frame.index)
    rejected = []
    for i in np.flatnonzero(blank):
        present = [m for m in metrics if values[m].iloc[i]]
        if present:
            rejected.append(
                (
                    int(frame["source_row"].iloc[i]),
                    f"no {what}, but the row has metrics ({', '.join(present[:4])}"
                    f"{', ...' if len(present) > 4 else ''}): a post cannot be kept without its id",
                )
            )
    out = frame[~(blank | summary)].reset_index(drop=True)
    notes = ()
    if rejected:
        lines = ", ".join(str(line) for line, _ in rejected[:5])
        notes = (
            f"{len(rejected)} row(s) with metrics but no {what} quarantined (line(s) {lines}"
            f"{', ...' if len(rejected) > 5 else ''}): not loaded, listed in rejected_rows",
        )
    return out, tuple(rejected), notes


def normalised_header_set(names: list[str]) -> set[str]:
    return {normalise_header(n) for n in names}
