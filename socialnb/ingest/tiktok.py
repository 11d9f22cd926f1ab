"""TikTok Studio downloads: ``Content.csv`` (top videos only), ``Overview.csv``,
``FollowerHistory.csv`` and ``Viewers.csv`` (each usually in its own zip).

Dates are in the UI language and have no year (``"August 9"``, ``"10 de febrero"``, ``"18 tháng
Sáu"``): the year is inferred from the export period (a ``YYYY-MM-DD`` download folder, the period in
the zip or file name, or a ``YYYY-MM`` folder), and the inference is recorded in the notes.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from .. import _lazy
from ._base import (
    ExportFormat,
    Parsed,
    csv_columns,
    download_day,
    period_end_from_name,
    register,
)
from ._convert import numbers, texts, timestamps
from ._dates import yearless_dates
from ._raw import RawFile, Table
from ._raw import has_fields as _have
from ._raw import header_set as _head
from .aliases import ALIASES

pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["TikTokContent", "TikTokOverview", "TikTokFollowerHistory", "TikTokViewers"]

_VIDEO_ID = re.compile(r"/video/(\d+)")
_HANDLE = re.compile(r"tiktok\.com/@([^/?#]+)")
_MONTH_FOLDER = re.compile(r"^(\d{4})-(\d{2})(?:-|$)")

#: How long after the end of the export period a yearless date may still fall (the download day).
_SLACK = timedelta(days=45)


def reference_day(raw: RawFile) -> tuple[pd.Timestamp, str]:
    """The latest day a yearless date in this file can be, and how it was found."""
    day = download_day(raw.path)
    if day is not None:
        return pd.Timestamp(day), "the download folder"
    for name in (raw.name, raw.container.name if raw.container else None):
        if name:
            end = period_end_from_name(name)
            if end is not None:
                return pd.Timestamp(end + _SLACK), f"the period in the name {name!r}"
    for parent in raw.path.parents:
        m = _MONTH_FOLDER.match(parent.name)
        if m and 1 <= int(m.group(2)) <= 12:
            start = datetime(int(m.group(1)), int(m.group(2)), 1)
            end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            return pd.Timestamp(end + _SLACK), f"the folder {parent.name!r}"
        if parent.name == "raw":
            break
    return pd.Timestamp.now().normalize(), "today's date (no period in the folder or file name)"


def _dates(table: Table, pos: int, raw: RawFile) -> tuple[pd.Series, str]:
    ref, how = reference_day(raw)
    parsed = timestamps(table, pos, lambda c: yearless_dates(c, ref), example="August 9")
    note = f"yearless dates in {table.headers[pos]!r} given the year from {how} (latest possible day {ref:%Y-%m-%d})"
    return parsed, note


@register
class TikTokContent(ExportFormat):
    id = "tiktok_content"
    platform = "tiktok"
    kind = "posts"
    description = "TikTok Studio Content.csv (top videos only: a partial list)"
    aliases = ALIASES["tiktok_content"]
    priority = 6

    def sniff(self, raw: RawFile) -> bool:
        return _have(_head(raw), self.aliases, "link", "published_local", "views")

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        table, found = csv_columns(
            raw,
            self.aliases,
            ("link", "published_local", "views"),
            what="videos",
            fix="download the content export for a period with videos.",
        )
        link = texts(table, found["link"])
        vid = link.str.extract(_VIDEO_ID, expand=False).astype("string")
        if vid.isna().any():
            row = int(vid.isna().to_numpy().argmax())
            table.fail(
                f"{link.iloc[row]!r} is not a TikTok video link (…/video/<id>).",
                row=row,
                column=found["link"],
                fix="re-download the file; the video link is how socialnb identifies a video.",
            )
        exported_at = None
        snap_day = None
        if "time" in found:  # the snapshot day: post times cannot be later than it
            snap, _ = _dates(table, found["time"], raw)
            if snap.notna().any():
                snap_day = snap.max()
                exported_at = (snap_day + pd.Timedelta(days=1)).tz_localize(tz).tz_convert("UTC")
        if snap_day is not None:
            ref = snap_day
            published = timestamps(
                table,
                found["published_local"],
                lambda c: yearless_dates(c, ref),
                example="August 9",
            )
            note = (
                f"yearless dates in {table.headers[found['published_local']]!r} given the latest year that puts "
                f"them on or before the snapshot day in 'Time' ({ref:%Y-%m-%d})"
            )
        else:
            published, note = _dates(table, found["published_local"], raw)
        notes = [
            note,
            "Content.csv lists only the top videos of the period (about 15): it is not the full list "
            "of posts, so counts of posts and averages over it are biased upwards.",
        ]
        handle = link.str.extract(_HANDLE, expand=False).astype("string")
        frame = pd.DataFrame(
            {
                "post_id": vid,
                "published_local": published,
                "published_at": published.dt.tz_localize(
                    tz, nonexistent="shift_forward", ambiguous=True
                ).dt.tz_convert("UTC"),
                "date_precision": "day",
                "text": texts(table, found.get("text")),
                "permalink": link,
                "format": "video",
                "format_source": "inferred: TikTok lists videos only",
                "distribution": "organic",
                "metric_era": "",
                "account": handle.fillna(account) if account else handle,
                "source_row": table.lines,
            }
        )
        for key in ("likes", "comments", "shares", "views", "saves"):
            if key in found:
                frame[key] = numbers(table, found[key])
        return Parsed(
            "posts",
            frame,
            raw_headers=tuple(table.headers[p] for p in sorted(found.values())),
            exported_at=exported_at,
            exported_at_source="content (Time column)" if exported_at is not None else None,
            notes=tuple(notes),
        )


class _TikTokDaily(ExportFormat):
    platform = "tiktok"
    kind = "daily"
    aliases: dict[str, tuple[str, ...]]
    marker: tuple[str, ...]
    negative_ok: tuple[str, ...] = ()
    priority = 6

    def sniff(self, raw: RawFile) -> bool:
        head = _head(raw)
        return _have(head, self.aliases, "date", *self.marker)

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        table, found = csv_columns(
            raw,
            self.aliases,
            ("date", *self.marker),
            what="days",
            fix="download a period with data.",
        )
        dates, note = _dates(table, found["date"], raw)
        frame = pd.DataFrame({"date": dates.dt.normalize(), "source_row": table.lines})
        for key in self.aliases:
            if key != "date" and key in found:
                frame[key] = numbers(table, found[key], negative_ok=key in self.negative_ok)
        frame = self._finish(frame)
        frame["platform"] = "tiktok"
        frame["account"] = account or ""
        return Parsed(
            "daily",
            frame,
            raw_headers=tuple(table.headers[p] for p in sorted(found.values())),
            notes=(note,),
        )

    def _finish(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame


@register
class TikTokOverview(_TikTokDaily):
    id = "tiktok_overview"
    description = "TikTok Studio Overview.csv (account totals a day)"
    aliases = ALIASES["tiktok_overview"]
    marker = ("video_views", "profile_visits")

    def _finish(self, frame: pd.DataFrame) -> pd.DataFrame:
        parts = [c for c in ("_likes", "_comments", "_shares") if c in frame]
        if parts:
            frame["engagements"] = frame[parts].sum(axis=1, min_count=len(parts))
        return frame


@register
class TikTokFollowerHistory(_TikTokDaily):
    id = "tiktok_follower_history"
    description = "TikTok Studio FollowerHistory.csv (followers a day)"
    aliases = ALIASES["tiktok_follower_history"]
    marker = ("followers",)
    negative_ok = ("_difference",)


@register
class TikTokViewers(_TikTokDaily):
    id = "tiktok_viewers"
    description = "TikTok Studio Viewers.csv (total, new and returning viewers a day)"
    aliases = ALIASES["tiktok_viewers"]
    marker = ("total_viewers",)
