"""Meta Business Suite exports: Facebook Page content, Instagram content (both the Impressions
era and the Views era), and the page-level daily series (UTF-16, ``sep=,``, title line)."""

from __future__ import annotations

from .. import _lazy
from ..errors import ExportError
from ..schema import POST_METRIC_FIELDS
from ._base import (
    ExportFormat,
    Parsed,
    column_map,
    no_rows,
    quarantine_blank_ids,
    register,
    require,
)
from ._convert import MEASURES, coded, ids, localise, numbers, texts, timestamps
from ._raw import RawFile, alias_columns, csv_header, normalise_header, read_csv_table
from .aliases import ALIASES

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["MetaFacebookContent", "MetaInstagramContent", "MetaDailySeries"]


def _parse_meta_time(col: pd.Series) -> pd.Series:
    # MM/DD/YYYY HH:MM, 24-hour, no zone (the page's zone).
    out = pd.to_datetime(col, format="%m/%d/%Y %H:%M", errors="coerce")
    missing = out.isna() & col.notna()
    if missing.any():  # some exports carry seconds
        out = out.where(
            ~missing,
            pd.to_datetime(col.where(missing), format="%m/%d/%Y %H:%M:%S", errors="coerce"),
        )
    return out


_FB_TYPES = {
    "photos": "image",
    "photo": "image",
    "videos": "video",
    "video": "video",
    "reels": "reel",
    "reel": "reel",
    "links": "link",
    "link": "link",
    "text": "text",
    "status": "text",
    "live": "live",
    "live videos": "live",
    "albums": "carousel",
    "album": "carousel",
    # pt / es
    "fotos": "image",
    "vídeos": "video",
    "links de": "link",
}
_IG_TYPES = {
    "ig image": "image",
    "ig carousel": "carousel",
    "ig reel": "reel",
    "ig story": "story",
    "ig video": "video",
    "imagem do ig": "image",
    "carrossel do ig": "carousel",
    "reel do ig": "reel",
    "imagen de ig": "image",
    "carrusel de ig": "carousel",
    "reel de ig": "reel",
}


def _metric_columns(table, found, names, *, negative_ok=()) -> dict[str, pd.Series]:
    out = {}
    for name in names:
        if name in found:
            out[name] = numbers(
                table, found[name], negative_ok=name in negative_ok, integer=name not in MEASURES
            )
    return out


class _MetaContent(ExportFormat):
    kind = "posts"
    priority = 6  # before X Premium (which also has "Post ID", "Date", "Impressions")
    aliases: dict[str, tuple[str, ...]]
    account_key: str
    type_map: dict[str, str]
    metrics: tuple[str, ...]

    def sniff(self, raw: RawFile) -> bool:
        head = {normalise_header(h) for h in csv_header(raw)}
        if not head:
            return False
        have = lambda key: any(normalise_header(a) in head for a in self.aliases[key])  # noqa: E731
        return have("post_id") and have("published_local") and have(self.account_key)

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        usecols, numeric = alias_columns(
            self.aliases, (*self.metrics, "views_boosted", "reach_boosted")
        )
        table = read_csv_table(raw, usecols=usecols, numeric=numeric)
        found = column_map(table, self.aliases)
        require(table, found, ("post_id", "published_local"), self.aliases)
        if not any(k in found for k in ("views", "impressions", "reach")):
            raise ExportError(
                raw.path,
                "has neither Views, Impressions nor Reach.",
                line=table.header_line,
                fix="export again with at least Views (or Impressions) and Reach ticked.",
            )
        no_rows(table, "posts", "export a period in which the account published posts.")
        local = timestamps(
            table, found["published_local"], _parse_meta_time, example="09/14/2025 18:30"
        )
        frame = pd.DataFrame(
            {
                "post_id": ids(table, found["post_id"]),
                "published_local": local,
                "published_at": localise(local, tz),
                "date_precision": "minute",
                "permalink": texts(table, found.get("permalink")),
                "format": coded(table, found.get("format"), self.type_map),
                "source_row": table.lines,
            }
        )
        acc = texts(table, found.get(self.account_key))
        frame["account"] = acc.fillna(account) if account else acc
        frame["text"] = self._text(table, found)
        frame = frame.assign(**_metric_columns(table, found, self.metrics))
        frame["distribution"] = self._distribution(table, found)
        frame, rejected, notes = quarantine_blank_ids(frame)
        frame["metric_era"] = metric_era(found)
        raw_headers = tuple(table.headers[p] for p in sorted(found.values()))
        return Parsed("posts", frame, raw_headers=raw_headers, notes=notes, rejected_rows=rejected)

    def _text(self, table, found) -> pd.Series:
        return texts(table, found.get("text"))

    def _distribution(self, table, found) -> pd.Series:
        boosted = np.zeros(len(table.frame), dtype=bool)
        for key in ("views_boosted", "reach_boosted"):
            if key in found:
                values = numbers(table, found[key])
                boosted |= np.nan_to_num(values.to_numpy()) > 0
        if "funded" in found:
            status = table.column(found["funded"]).astype(str)
            uniq = {u: u.strip().casefold() for u in pd.unique(status)}
            status = status.map(uniq)
            boosted |= ~status.isin(
                ["", "n/a", "-", "--", "organic", "not funded", "not boosted", "none"]
            ).to_numpy()
        return pd.Series(
            np.where(boosted, "boosted", "organic"), index=table.frame.index, dtype="string"
        )


def metric_era(found: dict[str, int]) -> str:
    """Which side of Meta's 2025 Views change a content export's columns put it on."""
    if "impressions" in found and "views" in found:
        return "views+impressions"
    if "views" in found:
        return "views"
    return "impressions" if "impressions" in found else ""


def _metrics_but(*absent: str) -> tuple[str, ...]:
    """The post metrics an export carries: every canonical one but ``absent``."""
    return tuple(m for m in POST_METRIC_FIELDS if m not in absent)


@register
class MetaFacebookContent(_MetaContent):
    id = "meta_facebook_content"
    platform = "facebook"
    description = "Meta Business Suite, Facebook Page posts (Insights > Content export, CSV)"
    aliases = ALIASES["meta_facebook_content"]
    account_key = "page"
    type_map = _FB_TYPES
    metrics = _metrics_but("saves", "follows", "profile_visits")

    def _text(self, table, found) -> pd.Series:
        title = texts(table, found.get("text"))
        desc = texts(table, found.get("description"))
        return title.fillna(desc)


@register
class MetaInstagramContent(_MetaContent):
    id = "meta_instagram_content"
    platform = "instagram"
    description = "Meta Business Suite, Instagram posts (content export, CSV)"
    aliases = ALIASES["meta_instagram_content"]
    account_key = "account"
    type_map = _IG_TYPES
    metrics = _metrics_but("clicks", "video_views", "watch_time_s", "platform_engagements")


#: Daily series titles -> (platform, canonical daily metric).
META_DAILY_TITLES: dict[str, tuple[str, str]] = {
    "facebook follows": ("facebook", "follows_gained"),
    "facebook unfollows": ("facebook", "follows_lost"),
    "facebook followers": ("facebook", "followers"),
    "facebook visits": ("facebook", "profile_visits"),
    "facebook link clicks": ("facebook", "link_clicks"),
    "views": ("facebook", "views"),
    "viewers": ("facebook", "reach"),
    "content interactions": ("facebook", "engagements"),
    "instagram follows": ("instagram", "follows_gained"),
    "instagram unfollows": ("instagram", "follows_lost"),
    "instagram followers": ("instagram", "followers"),
    "instagram profile visits": ("instagram", "profile_visits"),
    "instagram views": ("instagram", "views"),
    "instagram reach": ("instagram", "reach"),
    "instagram link clicks": ("instagram", "link_clicks"),
    "instagram content interactions": ("instagram", "engagements"),
}


@register
class MetaDailySeries(ExportFormat):
    id = "meta_daily_series"
    platform = "facebook"
    kind = "daily"
    description = "Meta Business Suite, page-level daily series (UTF-16, 'sep=,' line, title line)"
    priority = 10

    def sniff(self, raw: RawFile) -> bool:
        lines = raw.lines(3)
        return (
            len(lines) == 3
            and lines[0].strip().casefold() == "sep=,"
            and [normalise_header(h) for h in csv_header(raw, skip_lines=2)] == ["date", "primary"]
        )

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        title = raw.lines(2)[1].strip().strip('"')
        key = normalise_header(title)
        if key not in META_DAILY_TITLES:
            known = ", ".join(sorted(t for t in META_DAILY_TITLES))
            raise ExportError(
                raw.path,
                f"is a Meta daily series titled {title!r}, which socialnb does not know.",
                line=2,
                fix=f"socialnb reads these titles: {known}. Remove the file from raw/ "
                "or ask for the title to be added to socialnb.ingest.meta.META_DAILY_TITLES.",
            )
        platform, metric = META_DAILY_TITLES[key]
        table = read_csv_table(raw, skip_lines=2)
        no_rows(table, "days", "download a period with data.")
        dates = timestamps(
            table,
            0,
            lambda c: pd.to_datetime(c.str.slice(0, 10), format="%Y-%m-%d", errors="coerce"),
            example="2025-09-20T00:00:00",
        )
        values = numbers(table, 1, negative_ok=metric in ("follows_gained", "follows_lost"))
        frame = pd.DataFrame(
            {"date": dates.dt.normalize(), metric: values, "source_row": table.lines}
        )
        frame["platform"] = platform
        frame["account"] = account or ""
        return Parsed("daily", frame, raw_headers=(title,))
