"""YouTube Studio (Advanced mode, "export current view"): ``Table data.csv`` (one row a video, a
``Total`` row first), ``Chart data.csv`` (one row a video a day) and ``Totals.csv`` (one row a day),
usually zipped together."""

from __future__ import annotations

import re

from .. import _lazy
from ..errors import ExportError
from ._base import (
    SUMMARY_IDS,
    ExportFormat,
    Parsed,
    column_map,
    csv_columns,
    quarantine_blank_ids,
    register,
    require,
)
from ._convert import numbers, rates, texts, timestamps
from ._raw import RawFile, Table, alias_columns, normalise_header, read_csv_table
from ._raw import has_fields as _has
from ._raw import header_set as _head
from .aliases import ALIASES

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["YouTubeTable", "YouTubeChart", "YouTubeTotals", "hms_seconds"]

_YT_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
#: The Table data.csv columns read as numbers (the others: ids, dates, durations, rates, text).
_TABLE_COUNTS = (
    "views",
    "impressions",
    "likes",
    "comments",
    "shares",
    "reach",
    "follows",
    "watch_hours",
)
_HMS = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2})(?:\.\d+)?\s*$")


def hms_seconds(col: pd.Series) -> pd.Series:
    """``H:MM:SS`` or ``M:SS`` durations as seconds (float); NaN where the shape differs."""
    parts = col.astype("string").str.extract(_HMS)
    h = pd.to_numeric(parts[0]).fillna(0)
    return (h * 3600 + pd.to_numeric(parts[1]) * 60 + pd.to_numeric(parts[2])).astype("float64")


def _parse_publish(col: pd.Series) -> pd.Series:
    # "Dec 15, 2023"; some locales/exports give ISO dates or "15 Dec 2023".
    out = pd.to_datetime(col, format="%b %d, %Y", errors="coerce")
    for fmt in ("%Y-%m-%d", "%d %b %Y", "%B %d, %Y"):
        rest = out.isna() & col.notna()
        if not rest.any():
            break
        out = out.where(~rest, pd.to_datetime(col.where(rest), format=fmt, errors="coerce"))
    return out


def _video_ids(table: Table, pos: int) -> tuple[pd.Series, np.ndarray]:
    """Video ids (leading defensive space removed) and which rows are real videos (not Total)."""
    raw_ids = table.column(pos).astype(str)
    vid = raw_ids.str.strip()
    total = vid.str.casefold().isin(SUMMARY_IDS).to_numpy()
    blank = (vid == "").to_numpy()  # quarantined by the caller when the row has metrics
    bad = ~total & ~blank & ~vid.str.match(_YT_ID).to_numpy()
    if bad.any():
        row = int(np.argmax(bad))
        table.fail(
            f"{vid.iloc[row]!r} is not a YouTube video id (11 letters, digits, '-' or '_').",
            row=row,
            column=pos,
            fix="export the view by Content (video), not by another dimension, and do not edit the ids.",
        )
    return vid.astype("string"), ~total


@register
class YouTubeTable(ExportFormat):
    id = "youtube_table"
    platform = "youtube"
    kind = "posts"
    description = "YouTube Studio 'Table data.csv' (one row a video; the Total row is dropped)"
    aliases = ALIASES["youtube_table"]
    priority = 6

    def sniff(self, raw: RawFile) -> bool:
        head = _head(raw)
        return (
            _has(head, self.aliases, "post_id")
            and _has(head, self.aliases, "published_local")
            and _has(head, self.aliases, "views")
            and "date" not in head
        )

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        usecols, numeric = alias_columns(self.aliases, _TABLE_COUNTS)
        table = read_csv_table(raw, usecols=usecols, numeric=numeric)
        found = column_map(table, self.aliases)
        require(table, found, ("post_id", "views"), self.aliases)
        vid, keep = _video_ids(table, found["post_id"])
        if not keep.any():
            raise ExportError(
                raw.path,
                "has no video rows (only a Total row).",
                line=table.header_line + 1,
                fix="export the Content view with at least one video.",
            )
        day = (
            timestamps(
                table,
                found["published_local"],
                _parse_publish,
                example="Dec 15, 2023",
                allow_blank=True,
            )
            if "published_local" in found
            else pd.Series(pd.NaT, index=table.frame.index)
        )
        frame = pd.DataFrame(
            {
                "post_id": vid,
                "published_local": day,
                "published_at": day.dt.tz_localize(
                    tz, nonexistent="shift_forward", ambiguous=True
                ).dt.tz_convert("UTC"),
                "date_precision": "day",
                "text": texts(table, found.get("text")),
                "permalink": "https://www.youtube.com/watch?v=" + vid,
                "format": "video",
                "format_source": "inferred: YouTube lists videos only",
                "distribution": "organic",
                "account": account,
                "source_row": table.lines,
            }
        )
        for key in ("views", "impressions", "likes", "comments", "shares", "reach"):
            if key in found:
                frame[key] = numbers(table, found[key])
        if "follows" in found:  # net subscribers: can be negative
            frame["follows"] = numbers(table, found["follows"], negative_ok=True)
        if "watch_hours" in found:
            frame["watch_time_s"] = numbers(table, found["watch_hours"], integer=False) * 3600.0
        elif "avg_view" in found and "views" in frame:
            frame["watch_time_s"] = self._avg(table, found["avg_view"]) * frame["views"]
        if "avg_view" in found:
            self._avg(table, found["avg_view"])  # validate the H:MM:SS cells
        if "ctr" in found:
            rates(
                table, found["ctr"], scale=100.0
            )  # validated; 0-100 (may exceed 100), not a canonical field
        frame["metric_era"] = (
            "thumbnail impressions"
            if any(normalise_header(h).startswith("thumbnail impressions") for h in table.headers)
            else ""
        )
        notes = []
        blank = frame["published_local"].isna() & pd.Series(keep)
        if blank.any():
            notes.append(
                f"{int(blank.sum())} video(s) without a publish time (private or unlisted) kept with no date"
            )
        frame = frame[keep].reset_index(drop=True)
        frame, rejected, blank_notes = quarantine_blank_ids(frame, what="video id")
        return Parsed(
            "posts",
            frame,
            raw_headers=tuple(table.headers[p] for p in sorted(found.values())),
            notes=(*notes, *blank_notes),
            rejected_rows=rejected,
        )

    @staticmethod
    def _avg(table: Table, pos: int) -> pd.Series:
        col = table.column(pos).astype(str).str.strip()
        secs = hms_seconds(col)
        bad = secs.isna().to_numpy() & (col != "").to_numpy()
        if bad.any():
            row = int(np.argmax(bad))
            table.fail(
                f"{col.iloc[row]!r} is not a duration like '0:03:12'.",
                row=row,
                column=pos,
                fix="re-export the file; durations are H:MM:SS.",
            )
        return secs


def _yt_daily(table: Table, found, aliases, account) -> pd.DataFrame:
    dates = timestamps(
        table,
        found["date"],
        lambda c: pd.to_datetime(c.str.slice(0, 10), format="%Y-%m-%d", errors="coerce"),
        example="2025-09-20",
    )
    frame = pd.DataFrame({"date": dates.dt.normalize(), "source_row": table.lines})
    for key in aliases:
        if key not in ("date", "post_id") and key in found:
            frame[key] = numbers(table, found[key], negative_ok=key == "_subscribers")
    if "_subscribers" in frame and "follows_gained" not in frame:
        net = frame["_subscribers"]
        frame["follows_gained"] = net.clip(lower=0)
    frame["platform"] = "youtube"
    frame["account"] = account or ""
    return frame


@register
class YouTubeTotals(ExportFormat):
    id = "youtube_totals"
    platform = "youtube"
    kind = "daily"
    description = "YouTube Studio 'Totals.csv' (channel totals a day)"
    aliases = ALIASES["youtube_daily"]
    priority = 5

    def sniff(self, raw: RawFile) -> bool:
        head = _head(raw)
        return (
            _has(head, self.aliases, "date")
            and _has(head, self.aliases, "views")
            and not _has(head, self.aliases, "post_id")
            and len(head) <= 12
            and not any(h in head for h in ("tweets published", "impressions (total)"))
        )

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        table, found = csv_columns(
            raw, self.aliases, ("date", "views"), what="days", fix="export a period with data."
        )
        frame = _yt_daily(table, found, self.aliases, account)
        return Parsed(
            "daily", frame, raw_headers=tuple(table.headers[p] for p in sorted(found.values()))
        )


@register
class YouTubeChart(ExportFormat):
    id = "youtube_chart"
    platform = "youtube"
    kind = "daily"
    description = (
        "YouTube Studio 'Chart data.csv' (one row a video a day; summed per day as video_views)"
    )
    aliases = ALIASES["youtube_daily"]
    priority = 6

    def sniff(self, raw: RawFile) -> bool:
        head = _head(raw)
        return (
            _has(head, self.aliases, "date")
            and _has(head, self.aliases, "post_id")
            and _has(head, self.aliases, "views")
        )

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        table, found = csv_columns(
            raw,
            self.aliases,
            ("date", "post_id", "views"),
            what="rows",
            fix="export a period with data.",
        )
        vid, keep = _video_ids(table, found["post_id"])
        frame = _yt_daily(table, found, self.aliases, account)
        frame["post_id"] = vid
        frame, rejected, blank_notes = quarantine_blank_ids(frame[keep], what="video id")
        daily = frame.groupby("date", as_index=False).agg(
            video_views=("views", "sum"), source_row=("source_row", "min")
        )
        daily["platform"] = "youtube"
        daily["account"] = account or ""
        note = (
            "Chart data.csv summed over the videos in the view per day into video_views "
            "(the channel's own daily views come from Totals.csv)"
        )
        return Parsed(
            "daily",
            daily,
            raw_headers=tuple(table.headers[p] for p in sorted(found.values())),
            notes=(note, *blank_notes),
            rejected_rows=rejected,
        )
