"""The content calendar people keep (``data/<brand>/calendar.csv``, or .xlsx): load and validate.

Columns: :data:`socialnb.config.CALENDAR_COLUMNS`. Every problem is a
:class:`~socialnb.errors.ConfigError` naming the file, the spreadsheet row (as the user sees it,
header = row 1) and the column.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from ._sheets import read_sheet
from ._sheets import sheet_error as _fail
from .config import CALENDAR_COLUMNS
from .schema import FORMATS, PLATFORMS

__all__ = ["load_calendar", "CALENDAR_STATUSES", "link_key", "post_keys", "UNDECODABLE_LINKS"]

CALENDAR_STATUSES: tuple[str, ...] = ("planned", "in_progress", "published", "dropped")
_REQUIRED = ("sprint", "planned_date", "platform", "title", "status")


def load_calendar(path: str | Path) -> pd.DataFrame:
    """Read a calendar and check it.

    Returns a DataFrame with :data:`~socialnb.config.CALENDAR_COLUMNS` (missing optional columns
    added empty), ``planned_date`` as dates, ``effort_hours`` as numbers and ``calendar_row`` (the
    spreadsheet row number) so later steps can point at the row.

    Raises
    ------
    ConfigError
        Missing columns, unknown platform, format or status, unparseable dates or sprints, a
        post id used by two rows.
    """
    path = Path(path)
    frame = read_sheet(path, what="calendar", columns=CALENDAR_COLUMNS)
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise _fail(
            path,
            1,
            missing[0],
            "this column is missing.",
            f"add it; a calendar has the columns {', '.join(CALENDAR_COLUMNS)}.",
        )
    for col in CALENDAR_COLUMNS:
        if col not in frame:
            frame[col] = ""
    frame = frame[list(CALENDAR_COLUMNS)].apply(lambda c: c.str.strip())
    frame["calendar_row"] = range(2, len(frame) + 2)
    frame = frame[(frame.drop(columns="calendar_row") != "").any(axis=1)].reset_index(drop=True)

    def check(column: str, ok: pd.Series, problem: str, fix: str) -> None:
        if not ok.all():
            i = int((~ok).to_numpy().argmax())
            value = frame[column].iloc[i]
            raise _fail(
                path, int(frame["calendar_row"].iloc[i]), column, problem.format(value=value), fix
            )

    for col in _REQUIRED:
        check(col, frame[col] != "", "is empty.", f"fill in {col}.")
    check(
        "platform",
        frame["platform"].str.lower().isin(PLATFORMS),
        "unknown platform {value!r}.",
        f"use one of {', '.join(PLATFORMS)}.",
    )
    frame["platform"] = frame["platform"].str.lower()
    check(
        "format",
        (frame["format"] == "") | frame["format"].str.lower().isin(FORMATS),
        "unknown format {value!r}.",
        f"use one of {', '.join(FORMATS)}.",
    )
    frame["format"] = frame["format"].str.lower()
    check(
        "status",
        frame["status"].str.lower().isin(CALENDAR_STATUSES),
        "unknown status {value!r}.",
        f"use one of {', '.join(CALENDAR_STATUSES)}.",
    )
    frame["status"] = frame["status"].str.lower()
    check(
        "sprint",
        frame["sprint"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])"),
        "sprint {value!r} is not YYYY-MM.",
        "write the sprint as a month, e.g. 2026-10.",
    )
    dates = pd.to_datetime(frame["planned_date"], format="%Y-%m-%d", errors="coerce")
    check(
        "planned_date",
        dates.notna(),
        "{value!r} is not a date like 2026-10-14.",
        "write dates as YYYY-MM-DD.",
    )
    frame["planned_date"] = dates
    hours = pd.to_numeric(frame["effort_hours"].replace("", None), errors="coerce")
    check(
        "effort_hours",
        (frame["effort_hours"] == "") | (hours.notna() & (hours >= 0)),
        "{value!r} is not a number of hours.",
        "write a number such as 2 or 1.5, or leave it empty.",
    )
    frame["effort_hours"] = hours
    for col, what in (("post_id", "post id"), ("post_link", "post link")):
        values = frame["platform"] + "|" + frame[col]
        dup = frame[col].ne("") & values.duplicated(keep="first")
        if dup.any():
            i = int(dup.to_numpy().argmax())
            first = int(frame["calendar_row"][values == values.iloc[i]].iloc[0])
            raise _fail(
                path,
                int(frame["calendar_row"].iloc[i]),
                col,
                f"{what} {frame[col].iloc[i]!r} is already used by row {first}.",
                f"a post can fill one calendar slot; remove the duplicate or correct the {what}.",
            )
    return frame


# ====================================================================================== post links
#: Key prefixes of links that name a post but cannot be turned into its id offline (Facebook's
#: ``pfbid`` permalinks and ``/share/`` links): they match only the very same link.
UNDECODABLE_LINKS: tuple[str, ...] = ("pfbid:", "share:")

_FB_ID_PATHS = re.compile(
    r"/(?:reel|reels|videos|posts|photos|watch/live|story)/(?:[^/]+/)*?(\d{6,})(?:/|$)"
)
_IG_CODE = re.compile(r"/(?:p|reel|reels|tv)/([A-Za-z0-9_-]{5,})(?:/|$)")


def link_key(link: object) -> str:
    """The one key under which a post link is compared, the same for every form of the link.

    Used by the calendar matching (:func:`socialnb.retro.match_calendar`) and so by every page
    that reads posts through :meth:`socialnb.workspace.Workspace.posts`.

    - A numeric post id the link carries becomes ``id:<digits>``: Facebook ``/reel/<id>``,
      ``/videos/<id>``, ``/<page>/posts/<id>``, ``watch?v=<id>``, ``photo?fbid=<id>``,
      ``permalink.php?story_fbid=<id>``, X ``/status/<id>``, YouTube ``watch?v=``/``youtu.be``
      codes (``id:<code>``).
    - An Instagram shortcode (``/p/<code>``, ``/reel/<code>``, ``/reels/<code>``, ``/tv/<code>``,
      with or without the account name before it) becomes ``ig:<code>`` (case kept).
    - A Facebook ``pfbid...`` (in a path or ``story_fbid=``) becomes ``pfbid:<code>`` and a
      ``/share/...`` link ``share:<code>``: neither can be decoded offline, so they match only the
      same link (see :data:`UNDECODABLE_LINKS`).
    - Anything else: the link without scheme, ``www.``/``m.``, query and trailing slash
      (``url:<rest>``). An empty link gives ``""``.
    """
    text = "" if link is None or (isinstance(link, float) and link != link) else str(link).strip()
    if not text or text.lower() in ("nan", "<na>", "none"):
        return ""
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    host = re.sub(r"^(www\.|m\.|mobile\.|web\.|business\.)", "", parts.netloc.lower())
    path = parts.path
    query = parse_qs(parts.query)
    first = {k.lower(): v[0] for k, v in query.items() if v}
    if host in ("facebook.com", "fb.com", "fb.watch"):
        for name in ("story_fbid", "fbid", "v"):
            value = first.get(name, "")
            if value.startswith("pfbid"):
                return "pfbid:" + value
            if value.isdigit():
                return "id:" + value
        share = re.search(r"/share/(?:[a-z]/)?([A-Za-z0-9_-]+)", path)
        if share:
            return "share:" + share.group(1)
        pfbid = re.search(r"/(pfbid[A-Za-z0-9]+)", path)
        if pfbid:
            return "pfbid:" + pfbid.group(1)
        found = _FB_ID_PATHS.search(path)
        if found:
            return "id:" + found.group(1)
    elif host in ("instagram.com", "instagr.am"):
        found = _IG_CODE.search(path)
        if found:
            return "ig:" + found.group(1)
    elif host in ("x.com", "twitter.com"):
        found = re.search(r"/status(?:es)?/(\d+)", path)
        if found:
            return "id:" + found.group(1)
    elif host in ("youtube.com", "youtu.be"):
        if host == "youtu.be" and path.strip("/"):
            return "id:" + path.strip("/").split("/")[0]
        if first.get("v"):
            return "id:" + first["v"]
        found = re.search(r"/(?:shorts|live|embed)/([A-Za-z0-9_-]+)", path)
        if found:
            return "id:" + found.group(1)
    rest = (host + path).rstrip("/")
    return "url:" + rest.lower()


def post_keys(post_id: object, permalink: object = None) -> set[str]:
    """Every key (see :func:`link_key`) under which a published post can be named: its id
    (``id:<id>``; a Facebook ``<page>_<post>`` id also as ``id:<post>``) and its permalink's key."""
    keys: set[str] = set()
    pid = "" if post_id is None or pd.isna(post_id) else str(post_id).strip()
    if pid:
        keys.add("id:" + pid)
        page_post = re.fullmatch(r"\d+_(\d+)", pid)
        if page_post:
            keys.add("id:" + page_post.group(1))
    key = link_key(permalink)
    if key:
        keys.add(key)
    return keys
