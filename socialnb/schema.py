"""Canonical field names and types shared by ingest, the warehouse and the analyses.

A canonical post row has the fields in :data:`POST_FIELDS`; a canonical daily row the fields in
:data:`DAILY_FIELDS`. Missing is NaN (``pd.NA`` for text), never 0. Views and impressions are kept
apart (Meta's 2025 change made Views the primary metric; they are not the same thing).
"""

from __future__ import annotations

from . import _lazy

pd = _lazy.module("pandas", globals(), "pd")


__all__ = [
    "PLATFORMS",
    "FORMATS",
    "DISTRIBUTIONS",
    "DATE_PRECISIONS",
    "POST_TEXT_FIELDS",
    "POST_METRIC_FIELDS",
    "POST_LINEAGE_FIELDS",
    "POST_FIELDS",
    "DAILY_METRICS",
    "DAILY_LINEAGE_FIELDS",
    "DAILY_FIELDS",
    "empty_posts",
    "conform_posts",
    "conform_daily",
]

#: Platforms socialnb knows, in display order.
PLATFORMS: tuple[str, ...] = ("facebook", "instagram", "x", "linkedin", "tiktok", "youtube")

#: Canonical content formats. ``media``: a photo, video or GIF whose kind the export does not
#: name (X legacy's media columns); ``unknown``: the export names no format and nothing it carries
#: tells (``format_source`` says how each post's format is known).
FORMATS: tuple[str, ...] = (
    "image",
    "carousel",
    "video",
    "reel",
    "story",
    "link",
    "text",
    "live",
    "media",
    "unknown",
)

DISTRIBUTIONS: tuple[str, ...] = ("organic", "boosted")

#: How precise a post's publishing time is: to the minute, the day (no time of day) or the month.
DATE_PRECISIONS: tuple[str, ...] = ("minute", "day", "month")

#: Descriptive fields of a post (text or timestamps).
POST_TEXT_FIELDS: tuple[str, ...] = (
    "platform",
    "post_id",
    "account",
    "published_at",  # UTC, tz-aware
    "published_local",  # wall-clock time in the account's zone, naive
    "date_precision",  # "minute" or "day"
    "text",
    "permalink",
    "format",
    "distribution",
)

#: Count metrics of a post (float64, NaN when the export does not report them).
POST_METRIC_FIELDS: tuple[str, ...] = (
    "impressions",
    "views",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "clicks",
    "link_clicks",
    "follows",
    "profile_visits",
    "video_views",
    "watch_time_s",
    "platform_engagements",
)

#: Where each row came from.
POST_LINEAGE_FIELDS: tuple[str, ...] = (
    "exported_at",  # UTC, tz-aware: the moment the lifetime totals were taken
    "exported_at_source",  # "file name", "content" or "file time"
    "source_format",  # detected format id, e.g. "meta_facebook_content"
    "source_file",
    "source_hash",  # sha256 of the raw bytes
    "source_row",  # 1-based physical line (or spreadsheet row) of the record
    "raw_headers",  # the header names that were matched, "|"-joined
    "assumed_tz",  # IANA zone used for times without a zone ("UTC" when the export says UTC)
    "metric_era",  # "impressions" (before Meta's 2025 change), "views" (after), or "" elsewhere
    # How the format is known: "exported" (the export names it), "inferred: <rule>" (from what
    # the export carries: media views, video views, a link in the text) or "unknown". Last, so
    # that a warehouse made before it gains it as its last column.
    "format_source",
)

POST_FIELDS: tuple[str, ...] = POST_TEXT_FIELDS + POST_METRIC_FIELDS + POST_LINEAGE_FIELDS

#: Account-level daily metrics.
DAILY_METRICS: tuple[str, ...] = (
    "followers",
    "follows_gained",
    "follows_lost",
    "impressions",
    "views",
    "reach",
    "engagements",
    "profile_visits",
    "link_clicks",
    "video_views",
    "posts_published",
    "total_viewers",
    "new_viewers",
    "returning_viewers",
)

#: Where each daily row came from (as :data:`POST_LINEAGE_FIELDS`, less what only posts have).
DAILY_LINEAGE_FIELDS: tuple[str, ...] = (
    "exported_at",
    "exported_at_source",
    "source_format",
    "source_file",
    "source_hash",
    "source_row",
    "assumed_tz",
)

DAILY_FIELDS: tuple[str, ...] = (
    "platform",
    "account",
    "date",
    *DAILY_METRICS,
    *DAILY_LINEAGE_FIELDS,
)

_TIMESTAMP_FIELDS = ("published_at", "exported_at")
_INT_FIELDS = ("source_row",)


def empty_posts() -> pd.DataFrame:
    """An empty canonical post table with the right columns and dtypes."""
    return conform_posts(pd.DataFrame(columns=list(POST_FIELDS)))


def _conform(
    frame: pd.DataFrame, fields: tuple[str, ...], metrics: tuple[str, ...]
) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for name in fields:
        if name in metrics:
            col = frame[name] if name in frame else pd.Series(float("nan"), index=frame.index)
            out[name] = pd.to_numeric(col, errors="raise").astype("float64")
        elif name in _TIMESTAMP_FIELDS:
            col = frame[name] if name in frame else pd.Series(pd.NaT, index=frame.index)
            out[name] = pd.to_datetime(col, utc=True).astype("datetime64[us, UTC]")
        elif name == "published_local" or name == "date":
            col = frame[name] if name in frame else pd.Series(pd.NaT, index=frame.index)
            out[name] = pd.to_datetime(col).astype("datetime64[us]")
        elif name in _INT_FIELDS:
            col = frame[name] if name in frame else pd.Series(pd.NA, index=frame.index)
            out[name] = pd.array(col, dtype="Int64")
        else:
            col = frame[name] if name in frame else pd.Series(pd.NA, index=frame.index)
            out[name] = col.astype("string")
    return out.reset_index(drop=True)


def conform_posts(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical post columns, in order, with canonical dtypes."""
    return _conform(frame, POST_FIELDS, POST_METRIC_FIELDS)


def conform_daily(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the canonical daily columns, in order, with canonical dtypes."""
    return _conform(frame, DAILY_FIELDS, DAILY_METRICS)
