"""The sample brand's world: daily followers and every post with its final totals."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..periods import days_in_month, month_start
from .draws import _B64, _caption, _code, _digits, _lifetime_fraction, _nb, _poisson, _split
from .plan import (
    ACCOUNTS,
    BASE_RATE,
    EXPOSURE_SHARE,
    EXPOSURE_SIGMA,
    FOLLOWERS_START,
    FORMAT_MULTIPLIER,
    HOOK_EFFECT,
    HOOK_FIRST,
    HOOK_LAST,
    HOOK_PER_MONTH,
    MONTHLY_GROWTH,
    SAMPLE_MONTHS,
    SEED,
    SERIES,
    SERIES_FORMAT,
    SERIES_PILLAR,
    SPLITS,
    TZ,
    VOLUME,
    series_multiplier,
)


def _followers(rng: random.Random) -> dict[str, dict[date, tuple[int, int, int]]]:
    """Per platform: date -> (followers at end of day, gained, lost)."""
    out: dict[str, dict[date, tuple[int, int, int]]] = {}
    start, end = date(2025, 4, 1), date(2026, 11, 2)
    for platform in ACCOUNTS:
        level = FOLLOWERS_START[platform]
        series: dict[date, tuple[int, int, int]] = {}
        d = start
        while d <= end:
            net = level * MONTHLY_GROWTH[platform] / 30.4
            lost = _poisson(rng, level * 0.0009)
            gained = max(0, _nb(rng, max(net + lost, 0.5), 4.0))
            level += gained - lost
            series[d] = (level, gained, lost)
            d += timedelta(days=1)
        out[platform] = series
    return out


def _level(followers, platform: str, d: date) -> int:
    return followers[platform][d][0]


def _post_times(rng: random.Random, month: str, n: int) -> list[datetime]:
    y, m = month_start(month).timetuple()[:2]
    days = days_in_month(month)
    out = []
    for _ in range(n):
        day = rng.randint(1, days)
        out.append(datetime(y, m, day, rng.randint(7, 20), rng.choice([0, 5, 15, 30, 30, 45])))
    return out


def _fridays(month: str) -> list[int]:
    y, m = month_start(month).timetuple()[:2]
    return [d for d in range(1, days_in_month(month) + 1) if date(y, m, d).weekday() == 4]


def _build(seed: int = SEED) -> dict[str, Any]:
    rng = random.Random(seed)
    followers = _followers(rng)
    posts: list[dict[str, Any]] = []
    used_ids: set[str] = set()
    experiments: dict[str, dict[str, list]] = {
        "hook-question": {"statement": [], "question": []},
        "caption-length": {"short": [], "long": []},
        "reel-vs-carousel": {"carousel": [], "reel": []},
    }
    collab_budget = {"2025-06", "2025-11", "2026-04", "2026-09"}
    na_cells = {("2025-08", "Follows"), ("2026-02", "Shares")}
    yt_dash_done = False

    for month in SAMPLE_MONTHS:
        for platform in ACCOUNTS:
            n = max(1, VOLUME[platform] + rng.randint(-2, 2))
            if platform == "youtube":
                n = rng.choice([3, 3, 3, 2, 4])
            plans: list[dict[str, Any]] = []
            if platform in ("instagram", "facebook"):
                for s in SERIES:
                    k = rng.randint(2, 4) if s == "Gear Friday" else rng.randint(2, 3)
                    plans += [{"series": s} for _ in range(k)]
                if platform == "instagram" and HOOK_FIRST <= month <= HOOK_LAST:
                    for i in range(HOOK_PER_MONTH):
                        variant = ("statement", "question")[i % 2]
                        plans.append({"exp": ("hook-question", variant)})
                if platform == "facebook" and "2026-04" <= month <= "2026-05":
                    for i in range(8):
                        plans.append({"exp": ("caption-length", ("short", "long")[i % 2])})
                if platform == "instagram" and "2026-06" <= month <= "2026-08":
                    pairs = {"2026-06": 3, "2026-07": 3, "2026-08": 2}[month]
                    for _ in range(pairs):
                        plans.append({"exp": ("reel-vs-carousel", "carousel"), "pair": True})
                        plans.append({"exp": ("reel-vs-carousel", "reel"), "pair": True})
            while len(plans) < n:
                plans.append({})
            times = _post_times(rng, month, len(plans))
            fr = _fridays(month)
            pair_days: list[int] = []
            for plan, t in zip(plans, times, strict=True):
                if plan.get("series") == "Gear Friday":
                    t = t.replace(day=rng.choice(fr))
                if plan.get("pair"):
                    if plan["exp"][1] == "carousel":
                        day = rng.randint(1, days_in_month(month) - 3)
                        pair_days.append(day)
                        t = t.replace(day=day)
                    else:
                        t = t.replace(day=pair_days[-1] + rng.randint(1, 3))
                plan["local"] = t
            plans.sort(key=lambda p: p["local"])
            for j, plan in enumerate(plans):
                # one stream per post, so that changing one post leaves the others as they were
                prng = random.Random(f"{seed}/{platform}/{month}/{j}")
                post = _make_post(prng, platform, month, plan, followers, used_ids)
                if platform == "youtube" and not yt_dash_done and month == "2025-07":
                    post["post_id"] = "-" + post["post_id"][1:]
                    yt_dash_done = True
                first_plain = platform == "instagram" and set(plan) == {"local"}
                if (
                    first_plain
                    and month in collab_budget
                    and not any(p.get("collab") for p in posts if p["month"] == month)
                ):
                    post["collab"] = True
                if "exp" in plan:
                    experiments[plan["exp"][0]][plan["exp"][1]].append(post["post_id"])
                posts.append(post)
            if platform == "instagram":
                for mm, col in na_cells:
                    if mm == month:
                        cands = [
                            p for p in posts if p["month"] == month and p["platform"] == platform
                        ]
                        cands[len(cands) // 2].setdefault("na", []).append(col)
    return {"followers": followers, "posts": posts, "experiments": experiments}


def _er(post: dict[str, Any]) -> float:
    """Final engagements per exposure of a post (what a lifetime export converges to)."""
    m = post["m"]
    return (m["likes"] + m["comments"] + m["shares"] + m["saves"]) / m["exposure"]


def _pooled(posts: list[dict[str, Any]]) -> float:
    m = [p["m"] for p in posts]
    return sum(x["likes"] + x["comments"] + x["shares"] + x["saves"] for x in m) / sum(
        x["exposure"] for x in m
    )


def _realised_figures(world: dict[str, Any]) -> dict[str, float]:
    """The planted truths as the draws of one seed realised them (final totals, no ingest).

    ``reel_<platform>``: median engagements per reach of reels over that of organic images and
    carousels. ``<experiment>``: pooled rate ratio of the second variant over the first.
    ``<series>``: median over the series' posts in the last three sprints of each post's rate
    over the median rate of the platform's posts outside any series with the same format in the
    three sprints before (the retro's comparison, without its bootstrap).
    """
    posts = [p for p in world["posts"] if not p["boosted"]]
    out: dict[str, float] = {}
    for platform in ("instagram", "facebook"):
        mine = [p for p in posts if p["platform"] == platform]
        reels = [_er(p) for p in mine if p["format"] == "reel"]
        rest = [_er(p) for p in mine if p["format"] in ("image", "carousel")]
        out[f"reel_{platform}"] = _median(reels) / _median(rest)
    exp_posts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in posts:
        if p["exp"]:
            exp_posts.setdefault(p["exp"], []).append(p)
    for name, (a, b) in (
        ("hook-question", ("statement", "question")),
        ("caption-length", ("short", "long")),
        ("reel-vs-carousel", ("carousel", "reel")),
    ):
        out[name] = _pooled(exp_posts[(name, b)]) / _pooled(exp_posts[(name, a)])
    last = SAMPLE_MONTHS[-3:]
    for series in SERIES:
        ratios = []
        for p in posts:
            if p["series"] != series or p["month"] not in last:
                continue
            i = SAMPLE_MONTHS.index(p["month"])
            pool = [
                _er(q)
                for q in posts
                if q["platform"] == p["platform"]
                and not q["series"]
                and q["month"] in SAMPLE_MONTHS[i - 3 : i]
            ]
            same = [
                _er(q)
                for q in posts
                if q["platform"] == p["platform"]
                and not q["series"]
                and q["format"] == p["format"]
                and q["month"] in SAMPLE_MONTHS[i - 3 : i]
            ]
            base = same if len(same) >= 3 else pool
            if len(base) >= 3:
                ratios.append(_er(p) / _median(base))
        out[series] = _median(ratios)
    return out


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return math.nan
    return (s[n // 2] + s[(n - 1) // 2]) / 2


def _pick_format(rng: random.Random, platform: str) -> str:
    table = {
        "facebook": [("image", 0.42), ("link", 0.2), ("video", 0.1), ("reel", 0.28)],
        "instagram": [("image", 0.34), ("carousel", 0.3), ("reel", 0.36)],
        "x": [("text", 0.5), ("image", 0.3), ("link", 0.15), ("video", 0.05)],
        "linkedin": [
            ("image", 0.4),
            ("text", 0.2),
            ("link", 0.2),
            ("video", 0.1),
            ("carousel", 0.1),
        ],
        "tiktok": [("video", 1.0)],
        "youtube": [("video", 1.0)],
    }[platform]
    u, acc = rng.random(), 0.0
    for fmt, p in table:
        acc += p
        if u < acc:
            return fmt
    return table[-1][0]


def _new_id(rng: random.Random, used: set[str], make) -> str:
    while True:
        pid = make()
        if pid not in used:
            used.add(pid)
            return pid


def _content(rng, platform, plan, used_ids) -> tuple[str, str, str, bool, float]:
    """A post's pillar, format, caption opener, caption length and planted experiment effect."""
    series = plan.get("series", "")
    if series:
        pillar = SERIES_PILLAR[series]
    else:
        u = rng.random()
        pillar = "education" if u < 0.38 else ("community" if u < 0.72 else "product")
    fmt = _pick_format(rng, platform)
    if series and platform in SERIES_FORMAT:
        fmt = SERIES_FORMAT[platform][series]
    opener, long, effect = "", False, 1.0
    name, variant = plan.get("exp") or ("", "")
    if name == "hook-question":
        fmt = "image" if len(used_ids) % 2 else "carousel"
        opener = variant
        effect = HOOK_EFFECT if variant == "question" else 1.0
    elif name == "caption-length":
        fmt = "image"
        long = variant == "long"
    elif name == "reel-vs-carousel":
        fmt = variant
        pillar = "education"
    if platform == "facebook" and fmt == "carousel":
        fmt = "image"
    return pillar, fmt, opener, long, effect


def _post_id(rng, platform: str, used_ids: set[str], utc: datetime) -> str:
    """A new id written as the platform writes its ids."""
    ms = int(utc.timestamp() * 1000)
    makers = {
        "facebook": lambda: _digits(rng, rng.choice([16, 17]), "12"),
        "instagram": lambda: _digits(rng, 17, "179"),
        "x": lambda: str(((ms - 1288834974657) << 22) | rng.getrandbits(22)),
        "linkedin": lambda: str((ms << 22) | rng.getrandbits(22)),
        "tiktok": lambda: str((int(utc.timestamp()) << 32) | rng.getrandbits(32)),
    }
    default = lambda: _code(rng, 1, _B64[:62]) + _code(rng, 10)  # noqa: E731 - youtube
    return _new_id(rng, used_ids, makers.get(platform, default))


def _metrics(rng, platform, fmt, exposure, boosted, mu) -> dict[str, float]:
    """A post's final totals (engagements around ``mu``) and its per-post export ratios."""
    total = _nb(rng, mu)
    likes, comments, shares, saves = _split(rng, total, SPLITS[platform])
    m: dict[str, float] = {"exposure": exposure}
    m.update(likes=likes, comments=comments, shares=shares, saves=saves)
    paid = 0.0
    if boosted:
        paid = exposure * rng.uniform(1.5, 3.0)
        extra = _nb(rng, paid * BASE_RATE[platform] * 0.5)
        el, ec, es, _ = _split(rng, extra, SPLITS[platform])
        m["likes"] += el
        m["comments"] += ec
        m["shares"] += es
    m["paid"] = paid
    m["impr_ratio"] = rng.uniform(1.12, 1.35)
    m["views_ratio"] = rng.uniform(1.25, 1.6)
    m["clicks"] = _nb(rng, (exposure + paid) * (0.03 if fmt == "link" else 0.012))
    m["link_clicks"] = _nb(rng, (exposure + paid) * 0.02) if fmt == "link" else 0
    m["follows"] = _nb(rng, exposure * 0.0015)
    m["profile"] = _nb(rng, exposure * 0.006)
    dur = {"reel": rng.randint(12, 60), "video": rng.randint(45, 240)}.get(fmt, 0)
    if platform == "tiktok":
        dur = rng.randint(9, 75)
    if platform == "youtube":
        dur = rng.randint(240, 1260)
    m["duration"] = dur
    m["avg_view"] = dur * rng.uniform(0.25, 0.55)
    m["ctr"] = rng.uniform(2.5, 7.5)
    m["new_share"] = rng.uniform(0.55, 0.8)
    m["detail"] = _nb(rng, exposure * 0.006)
    m["url"] = _nb(rng, exposure * 0.004) if fmt == "link" else 0
    m["hashtag"] = _nb(rng, exposure * 0.0005)
    m["permalink"] = _nb(rng, exposure * 0.0008)
    m["media_views"] = _nb(rng, exposure * 0.05) if fmt in ("image", "video") else 0
    m["media_eng"] = _nb(rng, exposure * 0.01) if fmt in ("image", "video") else 0
    return m


def _make_post(rng, platform, month, plan, followers, used_ids) -> dict[str, Any]:
    """One post of the world: content, id, exposure and final totals (draws in this order)."""
    local: datetime = plan["local"]
    utc = local.replace(tzinfo=TZ).astimezone(UTC)
    series, exp = plan.get("series", ""), plan.get("exp")
    pillar, fmt, opener, long, effect = _content(rng, platform, plan, used_ids)
    text, topic = _caption(rng, pillar, series, opener=opener, long=long)
    if platform == "x" and len(text) > 270:
        text = text[:270]
    pid = _post_id(rng, platform, used_ids, utc)
    level = _level(followers, platform, local.date())
    exposure = EXPOSURE_SHARE[platform] * level * rng.lognormvariate(0.0, EXPOSURE_SIGMA)
    if platform == "tiktok" and rng.random() < 0.08:
        exposure *= rng.uniform(5, 15)  # the odd video that travels
    if platform == "instagram" and fmt == "reel":
        exposure *= 1.25
    boosted = platform == "facebook" and fmt in ("image", "link") and not series and not exp
    boosted = boosted and rng.random() < 0.08
    fm = FORMAT_MULTIPLIER.get(platform, {}).get(fmt, 1.0)
    sm = series_multiplier(series, month) if series else 1.0
    m = _metrics(
        rng, platform, fmt, exposure, boosted, exposure * BASE_RATE[platform] * fm * sm * effect
    )
    return {
        "platform": platform,
        "post_id": pid,
        "month": month,
        "local": local,
        "utc": utc,
        "format": fmt,
        "series": series,
        "pillar": pillar,
        "text": text,
        "topic": topic,
        "boosted": boosted,
        "exp": exp,
        "m": m,
        "short": _code(rng, 11),
        "pfbid": "pfbid0" + _code(rng, 44, _B64[:62]),
    }


#: The totals a snapshot scales by the post's age (see :func:`_lifetime_fraction`).
_TOTALS = ("likes", "comments", "shares", "saves", "clicks", "link_clicks", "follows", "profile",
           "detail", "url", "hashtag", "permalink", "media_views", "media_eng")  # fmt: skip


def _at(post: dict[str, Any], exported: datetime) -> dict[str, int | float]:
    """Lifetime totals of ``post`` as of ``exported``."""
    age = (exported.astimezone(UTC) - post["utc"]).total_seconds() / 86400
    f = _lifetime_fraction(age)
    m = post["m"]
    r = {k: int(round(m[k] * f)) for k in _TOTALS}
    r["exposure"] = int(round(m["exposure"] * f))
    r["paid"] = int(round(m["paid"] * f))
    return r
