"""The platforms' export files of the sample brand, as their download buttons write them."""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..periods import days_in_month, month_start, previous_month
from .draws import _digits, _java_double
from .plan import ACCOUNTS
from .posts import _at


def _q_meta(v: str) -> str:
    if any(c in v for c in ' ,"\n\r'):
        return '"' + v.replace('"', '""') + '"'
    return v


def _q_all(v: str) -> str:
    return '"' + v.replace('"', '""') + '"'


def _lines(rows: list[list[str]], quote) -> str:
    return "".join(",".join(quote(v) for v in row) + "\n" for row in rows)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _minimal_csv(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerows(rows)
    return buf.getvalue()


def _zip_bytes(members: list[tuple[str, bytes]], when: datetime, mode: int = 0o644) -> bytes:
    """A deflated zip of ``members`` stamped ``when`` (no clock, no host: reproducible bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = mode << 16
            zf.writestr(info, data)
    return buf.getvalue()


def _zip(path: Path, members: list[tuple[str, bytes]], when: datetime) -> None:
    _write(path, _zip_bytes(members, when))


def _meta_name(rng: random.Random, month: str) -> str:
    y, m = month_start(month).timetuple()[:2]
    a = f"{_MON[m - 1]}-01-{y:04d}"
    b = f"{_MON[m - 1]}-{days_in_month(month):02d}-{y:04d}"
    return f"{a}_{b}_{_digits(rng, 16, str(rng.randint(1, 9)))}.csv"


_MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_MONTH = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]  # fmt: skip
_DAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _fmt_meta_time(t: datetime) -> str:
    return f"{t.month:02d}/{t.day:02d}/{t.year:04d} {t.hour:02d}:{t.minute:02d}"


FB_TYPE = {"image": "Photos", "video": "Videos", "reel": "Reels", "link": "Links"}
FB_ID = "104857396021573"


def _facebook_csv(posts, month: str, exported: datetime) -> bytes:
    era_views = month >= "2025-11"
    era_impr = month <= "2025-11"
    head = ["Post ID", "Page ID", "Page name", "Title", "Description", "Duration (sec)",
            "Publish time", "Caption type", "Permalink", "Is crosspost", "Is share", "Post type",
            "Languages", "Custom labels", "Funded content status", "Data comment", "Date"]  # fmt: skip
    if era_impr:
        head.append("Impressions")
    if era_views:
        head += ["Views", "Views from Organic posts", "Views from Boosted posts"]
    head += ["Reach", "Reach from Organic posts", "Reach from Boosted posts",
             "3-second video views", "1-minute video views", "3-Second viewers",
             "1-minute viewers", "3-second video views from Boosted posts",
             "3-second video views from Organic posts", "Reactions, Comments and Shares",
             "Reactions", "Comments", "Shares", "Seconds viewed", "Average Seconds viewed",
             "Total clicks", "Other Clicks", "Link Clicks"]  # fmt: skip
    rows = [head]
    for p in sorted(posts, key=lambda p: p["local"], reverse=True):
        a = _at(p, exported)
        m = p["m"]
        reach_org = a["exposure"]
        reach_paid = a["paid"]
        reach = reach_org + reach_paid
        views_org = int(round(reach_org * m["views_ratio"]))
        views_paid = int(round(reach_paid * m["views_ratio"]))
        impr = int(round(reach * m["impr_ratio"]))
        video = p["format"] in ("video", "reel")
        row = [p["post_id"], FB_ID, ACCOUNTS["facebook"], p["text"], "",
               str(m["duration"] if video else 0), _fmt_meta_time(p["local"]),
               "Auto-generated" if video else "N/A",
               (f"https://www.facebook.com/reel/{p['post_id']}/" if p["format"] == "reel"
                else f"https://www.facebook.com/{FB_ID}/posts/{p['pfbid']}"),
               "No", "No", FB_TYPE[p["format"]], "", "",
               "Boosted" if p["boosted"] else "", "", "Lifetime"]  # fmt: skip
        if era_impr:
            row.append(str(impr))
        if era_views:
            row += [str(views_org + views_paid), str(views_org),
                    str(views_paid) if p["boosted"] else ""]  # fmt: skip
        row += [str(reach), str(reach_org), str(reach_paid) if p["boosted"] else ""]
        if video:
            v3 = int(round(reach * 0.62))
            v60 = int(round(v3 * (0.18 if p["format"] == "reel" else 0.33)))
            secs = int(round(v3 * m["avg_view"]))
            row += [str(v3), str(v60), str(int(v3 * 0.86)), str(int(v60 * 0.9)), "", str(v3)]
        else:
            row += ["", "", "", "", "", ""]
        total = a["likes"] + a["comments"] + a["shares"]
        row += [str(total), str(a["likes"]), str(a["comments"]), str(a["shares"])]
        row += [str(secs), f"{secs / v3:.0f}" if v3 else "0"] if video else ["", ""]
        clicks = a["clicks"] + a["link_clicks"]
        row += [str(clicks), str(a["clicks"]), str(a["link_clicks"])]
        rows.append(row)
    return b"\xef\xbb\xbf" + _lines(rows, _q_meta).encode("utf-8")


IG_TYPE = {"image": "IG image", "carousel": "IG carousel", "reel": "IG reel"}
IG_ACCOUNT_ID = "17841405793187218"


def _instagram_csv(posts, month: str, exported: datetime) -> bytes:
    metric = "Impressions" if month < "2025-05" else "Views"
    head = ["Post ID", "Account ID", "Account username", "Account name", "Description",
            "Duration (sec)", "Publish time", "Permalink", "Post type", "Data comment", "Date",
            metric, "Reach", "Likes", "Shares", "Follows", "Comments", "Saves"]  # fmt: skip
    rows = [head]
    for p in sorted(posts, key=lambda p: p["local"], reverse=True):
        a = _at(p, exported)
        m = p["m"]
        reach = a["exposure"]
        exposure = int(
            round(reach * (m["impr_ratio"] if metric == "Impressions" else m["views_ratio"]))
        )
        kind = "reel" if p["format"] == "reel" else "p"
        row = [p["post_id"], IG_ACCOUNT_ID, ACCOUNTS["instagram"], ACCOUNTS["facebook"], p["text"],
               str(m["duration"] if p["format"] == "reel" else 0), _fmt_meta_time(p["local"]),
               f"https://www.instagram.com/{kind}/{p['short']}/", IG_TYPE[p["format"]], "",
               "Lifetime", str(exposure), str(reach), str(a["likes"]), str(a["shares"]),
               str(a["follows"]), str(a["comments"]), str(a["saves"])]  # fmt: skip
        if p.get("collab"):
            row[12] = ""
            row[17] = ""
        for col in p.get("na", []):
            row[head.index(col)] = "N/A"
        rows.append(row)
    return b"\xef\xbb\xbf" + _lines(rows, _q_meta).encode("utf-8")


def _meta_daily(title: str, values: list[tuple[date, int]]) -> bytes:
    text = "sep=,\n" + title + "\n" + '"Date","Primary"\n'
    text += "".join(f'"{d.isoformat()}T00:00:00","{v}"\n' for d, v in values)
    return b"\xff\xfe" + text.encode("utf-16-le")


X_LEGACY_HEAD = ["Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements",
                 "engagement rate", "retweets", "replies", "likes", "user profile clicks",
                 "url clicks", "hashtag clicks", "detail expands", "permalink clicks",
                 "app opens", "app installs", "follows", "email tweet", "dial phone",
                 "media views", "media engagements"]  # fmt: skip
X_PROMOTED = ["promoted " + h for h in X_LEGACY_HEAD[4:]]


def _x_engagements(a: dict[str, int]) -> int:
    return (a["likes"] + a["comments"] + a["shares"] + a["profile"] + a["url"] + a["hashtag"]
            + a["detail"] + a["permalink"] + a["follows"] + a["media_eng"])  # fmt: skip


def _x_legacy(posts, exported: datetime) -> bytes:
    rows = [X_LEGACY_HEAD + X_PROMOTED]
    for p in sorted(posts, key=lambda p: p["utc"], reverse=True):
        a = _at(p, exported)
        impr = a["exposure"]
        eng = _x_engagements(a)
        rate = eng / impr if impr else 0.0
        t = p["utc"]
        row = [p["post_id"], f"https://twitter.com/{ACCOUNTS['x']}/status/{p['post_id']}",
               p["text"], f"{t:%Y-%m-%d %H:%M} +0000", f"{impr}.0", f"{eng}.0", _java_double(rate),
               f"{a['shares']}.0", f"{a['comments']}.0", f"{a['likes']}.0", f"{a['profile']}.0",
               f"{a['url']}.0", f"{a['hashtag']}.0", f"{a['detail']}.0", f"{a['permalink']}.0",
               "0", "0", str(a["follows"]), "0", "0", str(a["media_views"]),
               str(a["media_eng"])]  # fmt: skip
        rows.append(row + ["-"] * len(X_PROMOTED))
    return _lines(rows, _q_all).encode("utf-8")


def _x_daily_legacy(rng, posts, month: str, exported: datetime, followers) -> bytes:
    head = ["Date", "Tweets published"] + X_LEGACY_HEAD[4:]
    head += X_PROMOTED
    rows = [head]
    y, mo = month_start(month).timetuple()[:2]
    for day in range(1, days_in_month(month) + 1):
        d = date(y, mo, day)
        todays = [p for p in posts if p["utc"].date() == d]
        impr = int(sum(p["m"]["exposure"] * 0.7 for p in todays) + rng.uniform(300, 900))
        parts = {k: 0 for k in ("shares", "comments", "likes", "profile", "url", "hashtag",
                                "detail", "permalink", "media_views", "media_eng")}  # fmt: skip
        for p in todays:
            a = _at(p, exported)
            for k in parts:
                parts[k] += int(a[k] * 0.75)
        parts["likes"] += rng.randint(0, 9)
        fol = followers["x"][d][1]
        eng = sum(v for k, v in parts.items() if k != "media_views") + fol
        rate = eng / impr if impr else 0.0
        row = [d.isoformat(), str(len(todays)), str(impr), str(eng), repr(rate),
               str(parts["shares"]), str(parts["comments"]), str(parts["likes"]),
               str(parts["profile"]), str(parts["url"]), str(parts["hashtag"]),
               str(parts["detail"]), str(parts["permalink"]), "0", "0", str(fol), "0", "0",
               str(parts["media_views"]), str(parts["media_eng"])]  # fmt: skip
        rows.append(row + ["-"] * len(X_PROMOTED))
    return _lines(rows, _q_all).encode("utf-8")


def _x_date(d: date) -> str:
    return f"{_DAY[d.weekday()]}, {_MON[d.month - 1]} {d.day}, {d.year}"


def _x_premium(posts, exported: datetime) -> bytes:
    head = ["Post id", "Date", "Post text", "Post Link", "Impressions", "Likes", "Engagements",
            "Bookmarks", "Shares", "New follows", "Replies", "Reposts", "Profile visits",
            "Detail Expands", "URL Clicks", "Hashtag Clicks", "Permalink Clicks"]  # fmt: skip
    rows: list[list[Any]] = [head]
    for p in sorted(posts, key=lambda p: p["utc"], reverse=True):
        a = _at(p, exported)
        reposts = int(a["shares"] * 0.8)
        sends = a["shares"] - reposts
        eng = _x_engagements(a) + a["saves"]
        rows.append([p["post_id"], _x_date(p["local"].date()), p["text"],
                     f"https://x.com/{ACCOUNTS['x']}/status/{p['post_id']}", a["exposure"],
                     a["likes"], eng, a["saves"], sends, a["follows"], a["comments"], reposts,
                     a["profile"], a["detail"], a["url"], a["hashtag"], a["permalink"]])  # fmt: skip
    return _minimal_csv(rows).encode("utf-8")


def _x_overview(rng, posts, month: str, exported: datetime, followers) -> bytes:
    head = ["Date", "Impressions", "Likes", "Engagements", "Bookmarks", "Shares", "New follows",
            "Unfollows", "Replies", "Reposts", "Profile visits", "Create Post", "Video views",
            "Media views"]  # fmt: skip
    rows: list[list[Any]] = [head]
    y, mo = month_start(month).timetuple()[:2]
    for day in range(days_in_month(month), 0, -1):
        d = date(y, mo, day)
        todays = [p for p in posts if p["local"].date() == d]
        tot = {k: 0 for k in ("exposure", "likes", "saves", "shares", "comments", "profile",
                              "media_views", "detail")}  # fmt: skip
        for p in todays:
            a = _at(p, exported)
            for k in tot:
                tot[k] += int(a[k] * 0.72)
        impr = tot["exposure"] + rng.randint(250, 800)
        likes = tot["likes"] + rng.randint(0, 6)
        reposts = int(tot["shares"] * 0.8)
        _, gained, lost = followers["x"][d]
        eng = (
            likes + tot["comments"] + tot["shares"] + tot["saves"] + tot["profile"] + tot["detail"]
        )
        rows.append([_x_date(d), impr, likes, eng, tot["saves"], tot["shares"] - reposts, gained,
                     lost, tot["comments"], reposts, tot["profile"] + rng.randint(0, 5),
                     len(todays), int(tot["media_views"] * 0.1), tot["media_views"]])  # fmt: skip
    return _minimal_csv(rows).encode("utf-8")


LI_CONTENT = {"image": "Image", "video": "Video", "text": "Text", "link": "Article",
              "carousel": "Document"}  # fmt: skip
LI_AUTHORS = ["Maya Okafor", "Tom Reid", "Priya Shah"]


def _xlsx_bytes(sheets: list[tuple[str, list[list[Any]]]], when: datetime) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    naive = when.astimezone(UTC).replace(tzinfo=None)
    wb.properties.created = naive
    wb.properties.modified = naive
    wb.properties.creator = "LinkedIn"
    raw = io.BytesIO()
    wb.save(raw)
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    members = []
    for info in src.infolist():
        data = src.read(info.filename)
        if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the clock
            stamp = naive.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
            data = re.sub(
                rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", data
            )
        members.append((info.filename, data))
    return _zip_bytes(members, naive, 0o600)


#: The two header rows of LinkedIn's 'Metrics' sheet (a title line, then the columns).
LI_METRICS_HEAD: tuple[list[Any], ...] = (
    [
        "Aggregated engagement metrics for a specified time range. Data for each day is "
        "reported in Coordinated Universal Time (UTC)."
    ],  # fmt: skip
    [
        "Date",
        "Impressions (organic)",
        "Impressions (sponsored)",
        "Impressions (total)",
        "Unique impressions (organic)",
        "Clicks (organic)",
        "Clicks (sponsored)",
        "Clicks (total)",
        "Reactions (organic)",
        "Reactions (sponsored)",
        "Reactions (total)",
        "Comments (organic)",
        "Comments (sponsored)",
        "Comments (total)",
        "Reposts (organic)",
        "Reposts (sponsored)",
        "Reposts (total)",
        "Engagement rate (organic)",
        "Engagement rate (sponsored)",
        "Engagement rate (total)",
    ],  # fmt: skip
)
#: The two header rows of LinkedIn's 'All posts' sheet.
LI_POSTS_HEAD: tuple[list[Any], ...] = (
    [
        "Engagement metrics for individual posts. Data for each post is reported as lifetime "
        "totals as of the export date."
    ],  # fmt: skip
    [
        "Post title",
        "Post link",
        "Post type",
        "Campaign name",
        "Posted by",
        "Created date",
        "Campaign start date",
        "Campaign end date",
        "Audience",
        "Impressions",
        "Views (excluding off-site video views)",
        "Off-site views",
        "Clicks",
        "Click through rate (CTR)",
        "Likes",
        "Comments",
        "Reposts",
        "Follows",
        "Engagement rate",
        "Content Type",
    ],  # fmt: skip
)


def _linkedin(rng, posts, month: str, exported: datetime, followers) -> bytes:
    y, mo = month_start(month).timetuple()[:2]
    metrics: list[list[Any]] = [list(r) for r in LI_METRICS_HEAD]
    for day in range(1, days_in_month(month) + 1):
        d = date(y, mo, day)
        todays = [p for p in posts if p["utc"].date() == d]
        impr = int(sum(p["m"]["exposure"] * 0.65 for p in todays)) + rng.randint(40, 160)
        clicks = int(sum(p["m"]["clicks"] * 0.65 for p in todays)) + rng.randint(0, 6)
        reac = int(sum(p["m"]["likes"] * 0.65 for p in todays)) + rng.randint(-1, 4)
        com = int(sum(p["m"]["comments"] * 0.65 for p in todays)) + rng.randint(0, 1)
        rep = int(sum(p["m"]["shares"] * 0.65 for p in todays))
        er = (clicks + reac + com + rep) / impr if impr else 0.0
        metrics.append([f"{d.month:02d}/{d.day:02d}/{d.year:04d}", impr, 0, impr,
                        int(impr * 0.62), clicks, 0, clicks, reac, 0, reac, com, 0, com, rep, 0,
                        rep, round(er, 4), 0, round(er, 4)])  # fmt: skip
    allposts: list[list[Any]] = [list(r) for r in LI_POSTS_HEAD]
    for i, p in enumerate(sorted(posts, key=lambda p: p["utc"], reverse=True)):
        a = _at(p, exported)
        impr = a["exposure"]
        sponsored = i == 2 and month in ("2025-09", "2026-03")
        views = int(impr * 0.4) if p["format"] == "video" else ""
        eng = a["clicks"] + a["likes"] + a["comments"] + a["shares"]
        d = p["utc"].date()
        allposts.append([
            p["text"].split("\n")[0], f"https://www.linkedin.com/feed/update/urn:li:activity:{p['post_id']}",
            "Sponsored" if sponsored else "Organic",
            "Autumn range launch" if sponsored else "", LI_AUTHORS[int(p["post_id"][-1]) % 3],
            f"{d.month:02d}/{d.day:02d}/{d.year:04d}",
            f"{d.month:02d}/{d.day:02d}/{d.year:04d}" if sponsored else "",
            f"{d.month:02d}/{(d + timedelta(days=7)).day:02d}/{d.year:04d}" if sponsored else "",
            "All followers", impr, views, 0 if p["format"] == "video" else "", a["clicks"],
            round(a["clicks"] / impr, 4) if impr else 0, a["likes"], a["comments"], a["shares"],
            a["follows"], round(eng / impr, 4) if impr else 0, LI_CONTENT[p["format"]],
        ])  # fmt: skip
    return _xlsx_bytes([("Metrics", metrics), ("All posts", allposts)], exported)


def _tt_date(d: date) -> str:
    return f"{_MONTH[d.month - 1]} {d.day}"


def _tiktok(rng, all_posts, month: str, exported: datetime, followers, first_undefined: bool):
    y, mo = month_start(month).timetuple()[:2]
    cands = [p for p in all_posts if p["month"] in (month, previous_month(month))]
    snap = {p["post_id"]: _at(p, exported) for p in cands}
    top = sorted(cands, key=lambda p: (-snap[p["post_id"]]["exposure"], p["post_id"]))[:15]
    content = [["Time", "Video title", "Video link", "Post time", "Total likes", "Total comments",
                "Total shares\xa0", "Total views"]]  # fmt: skip
    for p in top:
        a = snap[p["post_id"]]
        content.append([_tt_date(exported.date()), p["text"].split("\n")[0],
                        f"https://www.tiktok.com/@{ACCOUNTS['tiktok']}/video/{p['post_id']}",
                        _tt_date(p["local"].date()), str(a["likes"]), str(a["comments"]),
                        str(a["shares"]), str(a["exposure"])])  # fmt: skip
    overview = [["Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares"]]
    history = [["Date", "Followers", "Difference in followers from previous day"]]
    viewers = [["Date", "Total Viewers", "New Viewers", "Returning Viewers"]]
    month_posts = [p for p in all_posts if p["month"] in (month, previous_month(month))]
    for day in range(1, days_in_month(month) + 1):
        d = date(y, mo, day)
        vv = rng.randint(200, 700)
        likes = rng.randint(5, 30)
        for p in month_posts:
            age = (d - p["local"].date()).days
            if 0 <= age < 10:
                w = 0.5**age * 0.5
                vv += int(p["m"]["exposure"] * w)
                likes += int(p["m"]["likes"] * w)
        lvl = followers["tiktok"][d][0]
        nxt = followers["tiktok"][d + timedelta(days=1)][0]
        overview.append([_tt_date(d), str(vv), str(int(vv * 0.03)), str(likes),
                         str(int(likes * 0.06)), str(int(likes * 0.07))])  # fmt: skip
        history.append([_tt_date(d), str(lvl), str(nxt - lvl)])
        tv = int(vv * 0.62)
        new = int(tv * rng.uniform(0.6, 0.75))
        ret = str(tv - new)
        if first_undefined and day == 14:
            ret = "undefined"
        viewers.append([_tt_date(d), str(tv), str(new), ret])
    when = exported.replace(tzinfo=None)
    out = {}
    for kind, rows in (("Content", content), ("Overview", overview),
                       ("FollowerHistory", history), ("Viewers", viewers)):  # fmt: skip
        data = b"\xef\xbb\xbf" + _lines(rows, _q_all).encode("utf-8")
        out[f"{kind}_{month}-01_{month}-{days_in_month(month):02d}.zip"] = (
            f"{kind}.csv",
            data,
            when,
        )
    return out


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _youtube(rng, posts, month: str, exported: datetime) -> list[tuple[str, bytes]]:
    thumb = month >= "2026-01"
    imp = "Thumbnail impressions" if thumb else "Impressions"
    head = ["Content", "Video title", "Video publish time", "Duration", "Likes", "Comments added",
            "Shares", "New viewers", "Returning viewers", "Unique viewers",
            "Average view duration", "Views", "Watch time (hours)", "Subscribers", imp,
            f"{imp} click-through rate (%)"]  # fmt: skip
    rows: list[list[Any]] = []
    tot = {"likes": 0, "comments": 0, "shares": 0, "new": 0, "ret": 0, "uniq": 0, "views": 0,
           "hours": 0.0, "subs": 0, "impr": 0, "clicks": 0.0, "secs": 0.0}  # fmt: skip
    chart: list[list[Any]] = []
    y, mo = month_start(month).timetuple()[:2]
    for p in sorted(posts, key=lambda p: p["local"]):
        a = _at(p, exported)
        m = p["m"]
        views = a["exposure"]
        uniq = int(views * 0.82)
        new = int(uniq * m["new_share"])
        hours = views * m["avg_view"] / 3600
        impr = int(views * 100 / m["ctr"] * 0.55)
        subs = a["follows"] - rng.randint(0, 2)
        pid = " " + p["post_id"] if p["post_id"].startswith("-") else p["post_id"]
        d = p["local"].date()
        rows.append([pid, p["text"].split("\n")[0], f"{_MON[d.month - 1]} {d.day}, {d.year}",
                     m["duration"], a["likes"], a["comments"], a["shares"], new, uniq - new,
                     uniq, _hms(m["avg_view"]), views, f"{hours:.4f}", subs, impr,
                     f"{views * 0.55 * 100 / impr:.2f}" if impr else "0"])  # fmt: skip
        for k, v in (("likes", a["likes"]), ("comments", a["comments"]), ("shares", a["shares"]),
                     ("new", new), ("ret", uniq - new), ("uniq", uniq), ("views", views),
                     ("hours", hours), ("subs", subs), ("impr", impr),
                     ("clicks", views * 0.55), ("secs", views * m["avg_view"])):  # fmt: skip
            tot[k] += v
        left = views
        day = d
        while day.month == mo and left > 0:
            v = int(left * 0.45) if left > 20 else left
            chart.append([day.isoformat(), pid, p["text"].split("\n")[0],
                          f"{_MON[d.month - 1]} {d.day}, {d.year}", m["duration"], v])  # fmt: skip
            left -= v
            day += timedelta(days=1)
    rows.sort(key=lambda r: -int(r[11]))
    total = ["Total", "", "", "", tot["likes"], tot["comments"], tot["shares"], tot["new"],
             tot["ret"], tot["uniq"], _hms(tot["secs"] / tot["views"]) if tot["views"] else "0:00:00",
             tot["views"], f"{tot['hours']:.4f}", tot["subs"], tot["impr"],
             f"{tot['clicks'] * 100 / tot['impr']:.2f}" if tot["impr"] else "0"]  # fmt: skip
    table = _minimal_csv([head, total, *rows]).encode("utf-8")
    chart.sort(key=lambda r: (r[0], r[1]))
    chart_b = _minimal_csv(
        [["Date", "Content", "Video title", "Video publish time", "Duration", "Views"], *chart]
    ).encode("utf-8")
    daily: dict[str, int] = {}
    for r in chart:
        daily[r[0]] = daily.get(r[0], 0) + r[5]
    totals = [["Date", "Views"]]
    for day in range(1, days_in_month(month) + 1):
        key = date(y, mo, day).isoformat()
        totals.append([key, daily.get(key, 0) + rng.randint(40, 140)])
    return [("Table data.csv", table), ("Chart data.csv", chart_b),
            ("Totals.csv", _minimal_csv(totals).encode("utf-8"))]  # fmt: skip
