"""X / Twitter exports: legacy ``tweet_activity_metrics`` (and its ``daily_`` companion), and the
X Premium ``account_analytics_content`` and account overview files."""

from __future__ import annotations

import re

from .. import _lazy
from ._base import (
    ExportFormat,
    Parsed,
    column_map,
    no_rows,
    quarantine_blank_ids,
    register,
    require,
)
from ._convert import ids, numbers, texts, timestamps
from ._formats import settle_formats
from ._raw import RawFile, Table, alias_columns, read_csv_table
from ._raw import has_any as _any
from ._raw import header_set as _header
from .aliases import ALIASES

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["XTweetActivity", "XDailyActivity", "XPremiumContent", "XPremiumOverview"]

_MEDIA_VIEWS = ALIASES["x_tweet_activity"]["views"]  # "media views"
_MEDIA_ENGAGEMENTS = (
    "media engagements",
    "engajamentos de mídia",
    "interacciones con el contenido multimedia",
)
_HANDLE = re.compile(r"(?:twitter|x)\.com/([^/]+)/status", re.IGNORECASE)
_TEXT_KEYS = ("post_id", "permalink", "text", "published_at", "date")


def _columns(aliases: dict[str, tuple[str, ...]], extra_numeric=()):
    """The columns a reader of ``aliases`` reads, and its metric columns (read_csv_table)."""
    metrics = [k for k in aliases if k not in _TEXT_KEYS]
    return alias_columns(aliases, metrics, extra_numeric=extra_numeric)


def _metrics(
    table: Table, found: dict[str, int], names: tuple[str, ...], negative_ok=()
) -> dict[str, pd.Series]:
    return {n: numbers(table, found[n], negative_ok=n in negative_ok) for n in names if n in found}


def _no_rows(table: Table) -> None:
    no_rows(table, "rows", "export a period in which the account was active.")


def _to_local(utc: pd.Series, tz: str) -> pd.Series:
    return utc.dt.tz_convert(tz).dt.tz_localize(None)


@register
class XTweetActivity(ExportFormat):
    id = "x_tweet_activity"
    platform = "x"
    kind = "posts"
    description = "X/Twitter Analytics tweet_activity_metrics (legacy, one row a tweet)"
    aliases = ALIASES["x_tweet_activity"]

    def sniff(self, raw: RawFile) -> bool:
        head = _header(raw)
        return all(_any(head, self.aliases[k]) for k in ("post_id", "published_at", "impressions"))

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        usecols, numeric = _columns(self.aliases, _MEDIA_ENGAGEMENTS)
        table = read_csv_table(raw, usecols=usecols, numeric=numeric)
        found = column_map(table, self.aliases)
        require(table, found, ("post_id", "published_at", "impressions"), self.aliases)
        _no_rows(table)
        utc = timestamps(
            table,
            found["published_at"],
            lambda c: pd.to_datetime(c, format="%Y-%m-%d %H:%M %z", errors="coerce", utc=True),
            example="2021-01-30 12:56 +0000",
        )
        permalink = texts(table, found.get("permalink"))
        handle = permalink.str.extract(_HANDLE, expand=False).astype("string")
        frame = pd.DataFrame(
            {
                "post_id": ids(table, found["post_id"], what="tweet id"),
                "published_at": utc,
                "published_local": _to_local(utc, tz),
                "date_precision": "minute",
                "text": texts(table, found.get("text")),
                "permalink": permalink,
                "account": handle.fillna(account) if account else handle,
                "source_row": table.lines,
            }
        )
        frame = frame.assign(
            **_metrics(
                table,
                found,
                (
                    "impressions",
                    "platform_engagements",
                    "shares",
                    "comments",
                    "likes",
                    "profile_visits",
                    "link_clicks",
                    "follows",
                    "views",
                ),
            )
        )
        if "link_clicks" in frame:
            frame["clicks"] = frame["link_clicks"]
        if "promoted_impressions" in found:
            promoted = numbers(table, found["promoted_impressions"])
            boosted = np.nan_to_num(promoted.to_numpy()) > 0
        else:
            boosted = np.zeros(len(frame), dtype=bool)
        frame["distribution"] = np.where(boosted, "boosted", "organic")
        frame["metric_era"] = ""
        # No format column: inferred from the media columns and the text (socialnb.ingest._formats)
        media_cols = [table.find(_MEDIA_VIEWS), table.find(_MEDIA_ENGAGEMENTS)]
        media_cols = [pos for pos in media_cols if pos is not None]
        media = None
        if media_cols:
            parts = pd.concat([numbers(table, pos) for pos in media_cols], axis=1)
            media = parts.sum(axis=1, min_count=1)
        frame = settle_formats(
            frame, rules=("media", "link", "text") if media is not None else (), media=media
        )
        frame, rejected, notes = quarantine_blank_ids(frame, what="tweet id")
        return Parsed(
            "posts",
            frame,
            raw_headers=tuple(table.headers[p] for p in sorted(found.values())),
            notes=notes,
            rejected_rows=rejected,
        )


def _daily(
    raw: RawFile,
    fmt: ExportFormat,
    aliases,
    parse,
    example: str,
    account: str | None,
    negative_ok=(),
) -> Parsed:
    usecols, numeric = _columns(aliases)
    table = read_csv_table(raw, usecols=usecols, numeric=numeric)
    found = column_map(table, aliases)
    require(table, found, ("date", "impressions"), aliases)
    _no_rows(table)
    dates = timestamps(table, found["date"], parse, example=example)
    frame = pd.DataFrame({"date": dates.dt.normalize(), "source_row": table.lines})
    frame = frame.assign(
        **_metrics(table, found, tuple(k for k in aliases if k != "date"), negative_ok)
    )
    frame["platform"] = "x"
    frame["account"] = account or ""
    return Parsed(
        "daily", frame, raw_headers=tuple(table.headers[p] for p in sorted(found.values()))
    )


_HANDLE_IN_NAME = re.compile(r"tweet_activity_metrics_(.+?)_\d{8}_\d{8}")


@register
class XDailyActivity(ExportFormat):
    id = "x_daily_activity"
    platform = "x"
    kind = "daily"
    description = "X/Twitter Analytics daily_tweet_activity_metrics (legacy, one row a day)"
    aliases = ALIASES["x_daily_activity"]
    priority = 5

    def sniff(self, raw: RawFile) -> bool:
        head = _header(raw)
        return _any(head, self.aliases["date"]) and _any(head, self.aliases["posts_published"])

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        m = _HANDLE_IN_NAME.search(raw.name)
        parse = lambda c: pd.to_datetime(c, format="%Y-%m-%d", errors="coerce")  # noqa: E731
        return _daily(
            raw, self, self.aliases, parse, "2021-01-31", account or (m.group(1) if m else None)
        )


def _parse_x_day(col: pd.Series) -> pd.Series:
    # "Tue, Jul 14, 2026"; some files drop the weekday or use ISO dates.
    s = col.str.replace(r"^[A-Za-z]{3,9},\s*", "", regex=True)
    out = pd.to_datetime(s, format="%b %d, %Y", errors="coerce")
    rest = out.isna() & s.notna()
    if rest.any():
        out = out.where(~rest, pd.to_datetime(s.where(rest), format="%Y-%m-%d", errors="coerce"))
    return out


@register
class XPremiumContent(ExportFormat):
    id = "x_premium_content"
    platform = "x"
    kind = "posts"
    description = "X Premium analytics, account_analytics_content (one row a post, day-only dates)"
    aliases = ALIASES["x_premium_content"]
    priority = 5

    def sniff(self, raw: RawFile) -> bool:
        head = _header(raw)
        return all(_any(head, self.aliases[k]) for k in ("post_id", "date", "impressions"))

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        usecols, numeric = _columns(self.aliases)
        table = read_csv_table(raw, usecols=usecols, numeric=numeric)
        found = column_map(table, self.aliases)
        require(table, found, ("post_id", "date", "impressions"), self.aliases)
        _no_rows(table)
        day = timestamps(table, found["date"], _parse_x_day, example="Tue, Jul 14, 2026")
        permalink = texts(table, found.get("permalink"))
        handle = permalink.str.extract(_HANDLE, expand=False).astype("string")
        frame = pd.DataFrame(
            {
                "post_id": ids(table, found["post_id"]),
                "published_local": day,
                # Day-only: midnight local time; date_precision says hour-of-day is unknown.
                "published_at": day.dt.tz_localize(
                    tz, nonexistent="shift_forward", ambiguous=True
                ).dt.tz_convert("UTC"),
                "date_precision": "day",
                "text": texts(table, found.get("text")),
                "permalink": permalink,
                "account": handle.fillna(account) if account else handle,
                "distribution": "organic",
                "metric_era": "",
                "source_row": table.lines,
            }
        )
        frame = frame.assign(
            **_metrics(
                table,
                found,
                (
                    "impressions",
                    "likes",
                    "platform_engagements",
                    "saves",
                    "follows",
                    "comments",
                    "shares",
                    "profile_visits",
                    "link_clicks",
                ),
            )
        )
        if "link_clicks" in frame:
            frame["clicks"] = frame["link_clicks"]
        frame, rejected, notes = quarantine_blank_ids(frame)
        return Parsed(
            "posts",
            frame,
            raw_headers=tuple(table.headers[p] for p in sorted(found.values())),
            notes=notes,
            rejected_rows=rejected,
        )


@register
class XPremiumOverview(ExportFormat):
    id = "x_premium_overview"
    platform = "x"
    kind = "daily"
    description = "X Premium analytics, account overview (one row a day)"
    aliases = ALIASES["x_premium_overview"]
    priority = 4

    def sniff(self, raw: RawFile) -> bool:
        head = _header(raw)
        return all(
            _any(head, self.aliases[k]) for k in ("date", "impressions", "follows_gained")
        ) and not _any(head, ALIASES["x_premium_content"]["post_id"])

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        return _daily(raw, self, self.aliases, _parse_x_day, "Tue, Jul 14, 2026", account)
