"""Ingest: raw platform exports -> canonical rows.

The format of a file is detected from its content (headers, first lines, workbook sheets), never
from its name. Each format lives in a module per platform family and registers itself; see
:func:`formats` for the list.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from pathlib import Path

from .. import _lazy
from ..errors import ExportError, UnknownFormatError
from . import facebook_legacy, linkedin, mapped, meta, tiktok, x, youtube  # noqa: F401  (register the formats)
from ._base import FUTURE_SLACK, ExportFormat, finish, registry
from ._raw import RawFile, check_zip_sizes, csv_header, load_raw, raw_from_bytes
from ._workbook import is_spreadsheet_xml
from .mapped import MAPPING_SUFFIX, MappedFormat, Mapping, load_mapping, mapping_for, with_mapping

pd = _lazy.module("pandas", globals(), "pd")

__all__ = [
    "read_export",
    "read_frames",
    "detect_format",
    "formats",
    "read_raw",
    "load_with_mapping",
    "MAPPING_SUFFIX",
]


def formats() -> pd.DataFrame:
    """The export formats socialnb reads: id, platform, kind and description."""
    return pd.DataFrame(
        [
            {"id": f.id, "platform": f.platform, "kind": f.kind, "description": f.description}
            for f in registry()
        ]
    )


#: What a sniffer may raise on a file that is not its format (any other error is a bug).
_SNIFF_ERRORS = (ValueError, LookupError, TypeError, csv.Error, zipfile.BadZipFile, OSError)


def detect_format(raw: RawFile) -> ExportFormat:
    """The format of a raw file, from its content.

    Raises
    ------
    UnknownFormatError
        When no reader recognises the file, with what was seen and what to do.
    """
    for fmt in registry():
        try:
            if fmt.sniff(raw):
                return fmt
        except ExportError:
            raise
        except _SNIFF_ERRORS:  # a sniffer must never crash detection of other formats
            continue
    head = csv_header(raw)
    seen = (
        f"its first line has {len(head)} columns starting {head[:4]!r}"
        if head
        else "it is not a CSV with a header"
    )
    raise UnknownFormatError(
        raw.path,
        f"is not an export socialnb recognises ({seen}).",
        line=1 if head else None,
        fix="check it is an unedited download from a supported platform (`socialnb formats` lists them); "
        "for a hand-made spreadsheet, add a mapping (README, 'Hand-made spreadsheets').",
    )


def read_raw(
    raw: RawFile,
    *,
    tz: str | None = None,
    account: str | None = None,
    mapping: Mapping | None = None,
) -> list[pd.DataFrame]:
    """Read an already loaded raw file into canonical frames (one per table it holds).

    A CSV yields one frame; a workbook or a zip may yield several (posts and daily series). Every
    frame carries ``attrs`` ``kind``, ``format``, ``notes`` and ``rejected_rows``. Nothing is
    returned unless the whole file reads: one bad table rejects the file.
    """
    zone = tz or "UTC"
    if mapping is not None:
        fmt: ExportFormat = MappedFormat(mapping)
        zone = mapping.get("timezone") or zone
    elif raw.is_zip:
        return _read_zip(raw, zone, account)
    else:
        fmt = detect_format(raw)
    _check_complete(raw, fmt)
    parsed = fmt.read(raw, tz=zone, account=account)
    out = []
    for part in parsed if isinstance(parsed, list) else [parsed]:
        frame = finish(raw, fmt, part, zone)
        if part.kind == "posts" and len(frame):
            _check_dates(raw, frame)
            frame = _dedupe(frame)
        out.append(frame)
    return out


def _read_zip(raw: RawFile, tz: str, account: str | None) -> list[pd.DataFrame]:
    """Every recognised export inside a zip (TikTok Studio, YouTube Studio downloads)."""
    import zipfile

    try:
        zf = zipfile.ZipFile(io.BytesIO(raw.data))
        members = [i for i in zf.infolist() if not i.is_dir() and not _hidden(i.filename)]
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExportError(
            raw.path, f"is a damaged zip ({exc}).", fix="download the export again."
        ) from exc
    check_zip_sizes(raw, zf.infolist())  # before anything is extracted
    frames: list[pd.DataFrame] = []
    skipped: list[str] = []
    for info in members:
        try:
            data = zf.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise ExportError(
                raw.path,
                f"member {info.filename!r} cannot be unzipped ({exc}).",
                fix="download the export again; the zip is damaged.",
            ) from exc
        if not data.strip():
            skipped.append(f"{info.filename} (empty)")
            continue
        member = raw_from_bytes(
            raw.path / info.filename, data, container=raw.path, digest=raw.sha256
        )
        if member.is_zip:
            skipped.append(f"{info.filename} (a zip inside the zip)")
            continue
        try:
            fmt = detect_format(member)
        except UnknownFormatError:
            skipped.append(info.filename)
            continue
        frames.extend(read_raw(member, tz=tz, account=account))
        del fmt
    if not frames:
        listed = ", ".join(repr(m.filename) for m in members[:8]) or "nothing"
        raise ExportError(
            raw.path,
            f"is a zip with no export socialnb recognises inside (it holds {listed}).",
            fix="check it is the platform's download (TikTok Studio or YouTube Studio zip); "
            "remove it from raw/ otherwise.",
        )
    if skipped:
        for f in frames:
            f.attrs["notes"] = [
                *f.attrs.get("notes", []),
                f"ignored zip members: {', '.join(skipped)}",
            ]
    return frames


def _check_complete(raw: RawFile, fmt: ExportFormat) -> None:
    """Refuse a CSV export cut inside its last line (a download that did not finish): the platform
    always ends the file with a line end, so a missing one means the last value may be cut short."""
    if raw.text is None or not fmt.ends_with_line_end or raw.text.endswith(("\n", "\r")):
        return
    if is_spreadsheet_xml(raw):
        return
    last = raw.text.count("\n") + 1
    tail = raw.text.rsplit("\n", 1)[-1]
    raise ExportError(
        raw.path,
        f"is cut short inside its last line (it ends with {tail[-20:]!r} and no line end, which "
        f"{fmt.description.split(',')[0]} always writes), so the last value may be cut (17 read as 1).",
        line=last,
        fix="download the export again; the download did not finish. If you are sure the last row "
        "is whole, end the file with a line end.",
    )


def _hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))


def load_with_mapping(
    path: str | Path, mapping: str | Path | None = None
) -> tuple[RawFile, Mapping | None]:
    """Load a raw file and the mapping that applies to it: ``mapping`` if given, else a sidecar
    ``<file>.mapping.yaml`` beside it, else none. With a mapping, the file's identity (``sha256``)
    covers the mapping's bytes too."""
    raw = load_raw(path)
    spec = mapping if mapping is not None else mapping_for(Path(path))
    if spec is None:
        return raw, None
    m = load_mapping(spec)
    return with_mapping(raw, m), m


def read_frames(
    path: str | Path, *, tz: str | None = None, mapping: str | Path | None = None
) -> list[pd.DataFrame]:
    """Every canonical table in one raw file (a zip or workbook may hold posts and daily series)."""
    raw, m = load_with_mapping(path, mapping)
    return read_raw(raw, tz=tz, mapping=m)


def read_export(
    path: str | Path, *, tz: str | None = None, mapping: str | Path | None = None
) -> pd.DataFrame:
    """Read one raw export into canonical rows.

    Parameters
    ----------
    path
        A file exactly as downloaded from the platform.
    tz
        IANA time zone of the export's wall-clock times where the export does not say (Meta's
        ``Publish time``). ``None`` assumes UTC; the assumption is kept in ``assumed_tz``.

    Returns
    -------
    pandas.DataFrame
        Canonical post rows (``socialnb.schema.POST_FIELDS``) or, for daily series, canonical
        daily rows (``socialnb.schema.DAILY_FIELDS``). ``frame.attrs`` holds ``kind``, ``format``
        and the reader's ``notes`` (assumptions made). A file holding both posts and daily series
        (a workbook, a zip) returns the posts, with the daily rows in ``frame.attrs["daily"]``;
        :func:`read_frames` returns every table.

    Raises
    ------
    ExportError
        Naming the file, the line and the column, and what to do.

    Examples
    --------
    One file of the sample brand::

        posts = socialnb.read_export(
            "data/fernway/raw/2026-10/Oct-01-2026_Oct-31-2026_1.csv", tz="Europe/London"
        )
    """
    frames = read_frames(path, tz=tz, mapping=mapping)
    kinds = [f.attrs["kind"] for f in frames]
    main = "posts" if "posts" in kinds else "daily"
    chosen = [f for f in frames if f.attrs["kind"] == main]
    out = chosen[0] if len(chosen) == 1 else pd.concat(chosen, ignore_index=True)
    out.attrs = dict(chosen[0].attrs)
    out.attrs["notes"] = [n for f in chosen for n in f.attrs.get("notes", [])]
    out.attrs["rejected_rows"] = [r for f in chosen for r in f.attrs.get("rejected_rows", [])]
    others = [f for f in frames if f.attrs["kind"] != main]
    if others:
        out.attrs["daily"] = pd.concat(others, ignore_index=True)
    return out


def _check_dates(raw: RawFile, frame: pd.DataFrame) -> None:
    now = pd.Timestamp.now(tz="UTC")
    limit = frame["exported_at"].where(frame["exported_at"] < now, now) + FUTURE_SLACK
    future = frame["published_at"] > limit
    if future.any():
        row = frame[future].iloc[0]
        raise ExportError(
            raw.path,
            f"post {row['post_id']} is dated {row['published_at']:%Y-%m-%d %H:%M} UTC, after the export was "
            f"taken ({row['exported_at']:%Y-%m-%d}) or in the future.",
            line=int(row["source_row"]),
            fix="check the file's dates (a spreadsheet may have swapped day and month) and the folder it is in.",
        )


def _dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """A post listed twice in one file keeps its last row (exports list each post once)."""
    dup = frame.duplicated(subset=["platform", "post_id"], keep="last")
    if not dup.any():
        return frame
    attrs = dict(frame.attrs)
    out = frame[~dup].reset_index(drop=True)
    out.attrs = attrs
    lines = ", ".join(str(n) for n in frame.loc[dup, "source_row"].head(5))
    out.attrs["notes"] = [
        *attrs.get("notes", []),
        f"{int(dup.sum())} row(s) repeat a post id listed later in the "
        f"file (lines {lines}{', ...' if dup.sum() > 5 else ''}); the last row of each id was kept",
    ]
    return out
