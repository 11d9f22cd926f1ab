"""The sample brand: "Fernway Outdoor Co." (slug ``fernway``), a fictional outdoor-gear brand.

:func:`write_sample` writes ``data/fernway/`` as a real team would have it: 19 monthly sprints
(2025-04 to 2026-10) of platform exports *exactly as the platforms' download buttons produce them*
(names, encodings, headers, quoting and quirks from ``reference/exports.md``), plus ``brand.yaml``,
``calendar.csv``, ``ideas.csv`` and ``experiments.yaml``. Every number is drawn from
``random.Random`` with a fixed seed and formatted with explicit format strings, so the output is
byte-for-byte reproducible on any machine, in any locale, on any day.

Planted truths (the machine-readable copy is :data:`PLANTED`)
-------------------------------------------------------------
The audience model. Each platform starts with a follower count and grows by a fixed monthly rate
(with daily noise). A post's exposure (reach, impressions, views) is its platform's share of the
followers at posting time times lognormal noise (sigma 0.35). Its engagements are gamma-Poisson
(negative binomial, gamma shape 12) around ``exposure x base rate x format multiplier x series
trend x experiment effect``, then split into likes / comments / shares / saves with fixed shares.
Every post draws from its own ``random.Random`` stream (seeded by seed, platform, month and
position).

The seed search. A seed is a draw of the world, and one draw can hide a truth by bad luck (at the
old seed 20251487 the +35% hook-question effect came out as +15% and the null caption-length test
as +47%). :data:`SEED` is therefore the first seed from 20260000 upward that passes two screens:
(a) :func:`_realised_figures` of its world (the truths as drawn, before any export or analysis)
all fall inside :data:`_SEED_BOUNDS` (reel ratios 1.5-1.7, hook-question 1.28-1.45,
caption-length 0.93-1.07, reel-vs-carousel 1.45-1.8, Trail Tips 0.9-1.1, Gear Friday below 0.65,
Summit Stories above 1.6); 4 of the 600 seeds 20260000-20260599 pass it; (b) the package's own
analyses of the ingested sample give the planted verdicts (``tests/test_experiments.py``,
``tests/test_retro.py``, ``tests/test_ideation.py``). 20260047 passed (a) and failed (b):
reel-vs-carousel p = 0.064 and Gear Friday's interval reached 0.87. 20260118 passes both.
The screens pick a draw in which the truths show at about their planted size; they do not make
an underpowered design look powered: hook-question and the series are sized so that most seeds
show them (see 2 and 4).
Base rates: Instagram 4.2% of reach, Facebook 2.6% of reach, X 1.4% of impressions, LinkedIn 3.2%
of impressions, TikTok 6.2% of views, YouTube 3.8% of views.

1. **Reels work better.** On Instagram and Facebook, format ``reel`` has an engagement multiplier of
   **1.6** relative to image and carousel posts (engagements per reach). Facebook ``video`` is 1.15
   and ``link`` 0.7. Boosted Facebook posts (a few, never reels) are not part of the comparison.
2. **Series.** ``Trail Tips`` is stable (multiplier 1). ``Gear Friday`` (always on a Friday) is
   stable until 2026-02, then declines by 8% a sprint: multiplier ``0.92**k`` in the k-th sprint from
   2026-03 (k = 1 .. 8, so 0.51 in 2026-10): a sunset candidate. ``Summit Stories`` is stable until
   2026-04, then grows by 12% a sprint: ``1.12**k`` for 2026-05 .. 2026-10 (k = 1 .. 6, 1.97 in
   2026-10, 1.76 on average over the last three sprints): scale it. (At 8% a sprint the window
   average was 1.47 and the retro's rule, a bootstrap interval of the last 3 sprints' ratio
   entirely above 1.2 from about 15 posts, said keep: 1.44 [1.16, 1.61].) Each series has 2-4
   posts a sprint on Instagram and on Facebook; the multiplier applies to engagements per reach.
   Each series keeps one format per platform (Instagram: Trail Tips reel, Gear Friday image,
   Summit Stories carousel; Facebook: Trail Tips reel, the others photos). Posts outside the
   series have an empty series. Instagram reels also get 1.25x the reach (exposure only; it does
   not change engagements per reach).
3. **Pillars**: education, community, product (targets 0.4 / 0.35 / 0.25).
4. **Experiments** (``experiments.yaml``):
   ``hook-question`` (design posts, Instagram, 2025-12-01..2026-05-31, 8 extra image/carousel
   posts a month, 4 a variant, so 24 posts a variant, statement vs question opening): real +35%
   engagements per reach for ``question``. Power: this brand's dispersion is NB2 alpha 0.083
   planted (gamma shape 12), 0.09 estimated by ``estimate_dispersion`` on the sample's Instagram
   images and carousels, up to 0.11 in other estimates; at 0.083-0.11 ``posts_needed(0.042,
   0.35, ...)`` gives 16-21 posts a variant for 80% power (18 at 0.09), and 24 a variant have
   85-93% power (``socialnb.experiments`` simulation). The earlier 10 a variant had 46-57% power,
   and the analysis rightly called that test inconclusive. The test's months end before
   reel-vs-carousel's posts begin.
   ``caption-length`` (posts, Facebook, 2026-04-01..2026-05-31, 8 photo posts a variant, short vs
   long caption): no effect. ``reel-vs-carousel`` (paired, Instagram, 2026-06-01..2026-08-31, 8
   slots of one carousel and one reel on the same topic in the same week): the reel wins by the
   format truth (1.6x; 8 slots is a modest design, found at this seed with p = 0.03).
   ``cta-split`` (split, Facebook, 2026-09): clicks A 412 of 20140, B 489 of 19890, intended
   50/50. ``carousel-cover-text`` is ``planned`` for 2026-11 with no posts yet.
5. **Snapshots.** Every file is exported on the 2nd of the following month at 09:00 London time and
   holds lifetime totals at that moment: a post has ``1 - 0.45 * exp(-age_days / 2.5)`` of its final
   totals, so late-month posts look smaller. ``raw/2026-11-02/`` holds September 2026's Facebook
   and Instagram content files exported again on 2026-11-02 (grown totals, same post ids).
   Meta's file names carry only the period, so the folder name is what dates the re-export: the
   ingest reads a ``YYYY-MM-DD`` folder above a file as its download day, making these files a
   second, later snapshot of the September posts (the current one in ``Workspace.posts``).
6. **Definition changes.** Instagram files use ``Impressions`` for 2025-04 and ``Views`` from
   2025-05; Facebook files use ``Impressions`` up to 2025-10, both ``Impressions`` and ``Views`` in
   2025-11, ``Views`` after. X moves from the legacy tweet activity export (2025-04..2025-09) to
   the X Premium account analytics export (2025-10 on, dates without a time). YouTube files rename
   ``Impressions`` to ``Thumbnail impressions`` from 2026-01.
7. **Quirks on purpose**: Instagram collab posts with blank Reach and Saves, ``N/A`` in two
   Instagram metric cells, a TikTok ``undefined`` and a header with a trailing NBSP, a YouTube id
   starting with ``-`` written with a leading space, a ``Total`` row in YouTube tables, captions with
   newlines, doubled quotes, emoji and math-bold words.
8. **Calendar**: most published posts are planned with their post id; some have only the link;
   about 10% have neither (planned date within a day of the real post, title the caption's first
   words); about 5% of planned rows were dropped; a few slipped into the next sprint; about 6% of
   posts are unplanned. Sprint 2026-11 holds planned rows only.

Examples
--------
>>> from socialnb.sample import write_sample
>>> write_sample("data", overwrite=True)  # doctest: +SKIP
PosixPath('data/fernway')
"""

from __future__ import annotations

import csv
import io
import math
import os
import random
import re
import shutil
import zipfile
from calendar import monthrange
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .errors import ConfigError

__all__ = ["write_sample", "PLANTED", "SAMPLE_MONTHS", "LAST_COMPLETE_MONTH", "SEED"]

SEED = 20260118
#: the bounds every realised truth of :data:`SEED`'s world must meet (see "The seed search")
_SEED_BOUNDS: dict[str, tuple[float, float]] = {
    "reel_instagram": (1.5, 1.7),
    "reel_facebook": (1.5, 1.7),
    "hook-question": (1.28, 1.45),
    "caption-length": (0.93, 1.07),
    "reel-vs-carousel": (1.45, 1.8),
    "Trail Tips": (0.9, 1.1),
    "Gear Friday": (0.0, 0.65),
    "Summit Stories": (1.6, 9.9),
}
TZ = ZoneInfo("Europe/London")
UTC = UTC
FIRST_MONTH = "2025-04"
LAST_COMPLETE_MONTH = "2026-10"
NEXT_MONTH = "2026-11"


def _month_list(first: str, last: str) -> tuple[str, ...]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


SAMPLE_MONTHS: tuple[str, ...] = _month_list(FIRST_MONTH, LAST_COMPLETE_MONTH)

ACCOUNTS = {
    "facebook": "Fernway Outdoor Co.",
    "instagram": "fernway.outdoors",
    "x": "FernwayOutdoor",
    "linkedin": "Fernway Outdoor Co.",
    "tiktok": "fernway.outdoors",
    "youtube": "Fernway Outdoor",
}
VOLUME = {"facebook": 10, "instagram": 14, "x": 22, "linkedin": 6, "tiktok": 8, "youtube": 3}
FOLLOWERS_START = {
    "facebook": 12400,
    "instagram": 18600,
    "x": 6400,
    "linkedin": 3100,
    "tiktok": 4200,
    "youtube": 2150,
}
MONTHLY_GROWTH = {
    "facebook": 0.008,
    "instagram": 0.022,
    "x": 0.004,
    "linkedin": 0.018,
    "tiktok": 0.045,
    "youtube": 0.02,
}
#: exposure per post as a share of followers (reach for Meta, impressions for X/LinkedIn, views else)
EXPOSURE_SHARE = {
    "facebook": 0.16,
    "instagram": 0.26,
    "x": 0.17,
    "linkedin": 0.45,
    "tiktok": 0.9,
    "youtube": 0.55,
}
BASE_RATE = {
    "facebook": 0.026,
    "instagram": 0.042,
    "x": 0.014,
    "linkedin": 0.032,
    "tiktok": 0.062,
    "youtube": 0.038,
}
FORMAT_MULTIPLIER = {
    "facebook": {"image": 1.0, "reel": 1.6, "video": 1.15, "link": 0.7},
    "instagram": {"image": 1.0, "carousel": 1.0, "reel": 1.6},
}
SPLITS = {  # shares of engagements: likes, comments, shares, saves
    "facebook": (0.75, 0.12, 0.13, 0.0),
    "instagram": (0.78, 0.05, 0.07, 0.10),
    "x": (0.70, 0.12, 0.13, 0.05),
    "linkedin": (0.82, 0.10, 0.08, 0.0),
    "tiktok": (0.86, 0.05, 0.06, 0.03),
    "youtube": (0.85, 0.08, 0.07, 0.0),
}
GAMMA_SHAPE = 12.0
EXPOSURE_SIGMA = 0.35
SERIES = ("Trail Tips", "Gear Friday", "Summit Stories")
PILLARS = {"education": 0.4, "community": 0.35, "product": 0.25}
SERIES_FORMAT = {
    "instagram": {"Trail Tips": "reel", "Gear Friday": "image", "Summit Stories": "carousel"},
    "facebook": {"Trail Tips": "reel", "Gear Friday": "image", "Summit Stories": "image"},
}
SERIES_PILLAR = {"Trail Tips": "education", "Gear Friday": "product", "Summit Stories": "community"}
#: Summit Stories' growth per sprint from 2026-05 (1.12**6 = 1.97 in 2026-10)
SUMMIT_GROWTH = 1.12
#: hook-question: Instagram months and posts a month (half statement, half question)
HOOK_FIRST, HOOK_LAST, HOOK_PER_MONTH = "2025-12", "2026-05", 8
HOOK_EFFECT = 1.35
#: September 2026's Meta files downloaded again: a ``YYYY-MM-DD`` folder is the download day
REEXPORT_FOLDER = "2026-11-02"


def series_multiplier(series: str, month: str) -> float:
    """The planted trend of a series in a sprint (1.0 outside the series' trend window)."""
    idx = SAMPLE_MONTHS.index(month) if month in SAMPLE_MONTHS else len(SAMPLE_MONTHS)
    if series == "Gear Friday" and month >= "2026-03":
        return 0.92 ** (idx - SAMPLE_MONTHS.index("2026-03") + 1)
    if series == "Summit Stories" and month >= "2026-05":
        return SUMMIT_GROWTH ** (idx - SAMPLE_MONTHS.index("2026-05") + 1)
    return 1.0


PLANTED: dict[str, Any] = {
    "brand": "fernway",
    "name": "Fernway Outdoor Co.",
    "timezone": "Europe/London",
    "seed": SEED,
    "months": list(SAMPLE_MONTHS),
    "last_complete_month": LAST_COMPLETE_MONTH,
    "next_month": NEXT_MONTH,
    "accounts": dict(ACCOUNTS),
    "posts_per_month": dict(VOLUME),
    "followers_start": dict(FOLLOWERS_START),
    "monthly_follower_growth": dict(MONTHLY_GROWTH),
    "base_rate": dict(BASE_RATE),
    "base_rate_denominator": {
        "facebook": "reach",
        "instagram": "reach",
        "x": "impressions",
        "linkedin": "impressions",
        "tiktok": "views",
        "youtube": "views",
    },
    "format_multiplier": {k: dict(v) for k, v in FORMAT_MULTIPLIER.items()},
    "reel_multiplier": 1.6,
    "gamma_shape": GAMMA_SHAPE,
    "exposure_sigma": EXPOSURE_SIGMA,
    "series": {
        "Trail Tips": {"trend": "stable", "per_sprint": 0.0, "from": None, "verdict": "keep"},
        "Gear Friday": {
            "trend": "decline",
            "per_sprint": -0.08,
            "from": "2026-03",
            "verdict": "sunset",
            "multiplier": {m: round(series_multiplier("Gear Friday", m), 6) for m in SAMPLE_MONTHS},
        },
        "Summit Stories": {
            "trend": "growth",
            "per_sprint": round(SUMMIT_GROWTH - 1, 6),
            "from": "2026-05",
            "verdict": "scale",
            "multiplier": {
                m: round(series_multiplier("Summit Stories", m), 6) for m in SAMPLE_MONTHS
            },
        },
    },
    "pillars": dict(PILLARS),
    "experiments": {
        "hook-question": {
            "design": "posts",
            "platform": "instagram",
            "effect": round(HOOK_EFFECT - 1, 6),
            "posts_per_variant": HOOK_PER_MONTH // 2 * len(_month_list(HOOK_FIRST, HOOK_LAST)),
            "start": f"{HOOK_FIRST}-01",
            "end": "2026-05-31",
            "variants": ["statement", "question"],
        },
        "caption-length": {
            "design": "posts",
            "platform": "facebook",
            "effect": 0.0,
            "posts_per_variant": 8,
            "start": "2026-04-01",
            "end": "2026-05-31",
            "variants": ["short", "long"],
        },
        "reel-vs-carousel": {
            "design": "paired",
            "platform": "instagram",
            "effect": 0.6,
            "slots": 8,
            "start": "2026-06-01",
            "end": "2026-08-31",
            "variants": ["carousel", "reel"],
        },
        "cta-split": {
            "design": "split",
            "platform": "facebook",
            "counts": {"A": [412, 20140], "B": [489, 19890]},
            "intended_share": 0.5,
            "start": "2026-09-01",
            "end": "2026-09-30",
        },
        "carousel-cover-text": {"design": "posts", "platform": "instagram", "status": "planned"},
    },
    "metric_eras": {
        "instagram_views_from": "2025-05",
        "facebook_views_from": "2025-11",
        "facebook_both_in": "2025-11",
        "x_premium_from": "2025-10",
        "youtube_thumbnail_impressions_from": "2026-01",
    },
    "export_day": 2,
    "export_hour_local": 9,
    "lifetime_fraction": "1 - 0.45 * exp(-age_days / 2.5)",
    "reexport": {"folder": REEXPORT_FOLDER, "month": "2026-09", "exported": "2026-11-02"},
    "capacity_hours": 60,
}

# ----------------------------------------------------------------------------------------------
# small deterministic helpers


def _ym(month: str) -> tuple[int, int]:
    return int(month[:4]), int(month[5:7])


def _next(month: str) -> str:
    y, m = _ym(month)
    return f"{y + 1:04d}-01" if m == 12 else f"{y:04d}-{m + 1:02d}"


def _days(month: str) -> int:
    return monthrange(*_ym(month))[1]


def _export_moment(month: str) -> datetime:
    """The local moment a month's files were exported: the 2nd of the next month, 09:00."""
    y, m = _ym(_next(month))
    return datetime(y, m, 2, 9, 0, tzinfo=TZ)


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam < 40:
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))


def _nb(rng: random.Random, mu: float, shape: float = GAMMA_SHAPE) -> int:
    """Negative binomial (gamma-Poisson) draw with mean ``mu``."""
    return _poisson(rng, mu * rng.gammavariate(shape, 1.0 / shape))


def _split(rng: random.Random, n: int, shares: tuple[float, ...]) -> list[int]:
    out = [0] * len(shares)
    cum = []
    acc = 0.0
    for s in shares:
        acc += s
        cum.append(acc)
    for _ in range(n):
        u = rng.random() * acc
        for i, c in enumerate(cum):
            if u < c:
                out[i] += 1
                break
    return out


def _digits(rng: random.Random, n: int, first: str = "") -> str:
    return first + "".join(str(rng.randrange(10)) for _ in range(n - len(first)))


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _code(rng: random.Random, n: int, alphabet: str = _B64) -> str:
    return "".join(alphabet[rng.randrange(len(alphabet))] for _ in range(n))


def _lifetime_fraction(age_days: float) -> float:
    return 1.0 - 0.45 * math.exp(-max(age_days, 0.0) / 2.5)


def _java_double(x: float) -> str:
    """Format like Java's ``Double.toString`` (what the legacy X export used)."""
    if x == 0:
        return "0.0"
    if 1e-3 <= abs(x) < 1e7:
        s = repr(x)
        return s if "." in s else s + ".0"
    sign, digits, exponent = Decimal(repr(x)).as_tuple()
    ds = "".join(str(d) for d in digits).rstrip("0") or "0"
    exp10 = int(exponent) + len(digits) - 1
    return f"{'-' if sign else ''}{ds[0]}.{ds[1:] or '0'}E{exp10}"


# ----------------------------------------------------------------------------------------------
# captions

EMOJI = ["🌲", "⛰️", "🥾", "🏕️", "☕", "🌧️", "🎒", "✨", "🔥", "🧭", "💚", "📸"]


def _bold(word: str) -> str:
    out = []
    for ch in word:
        if "A" <= ch <= "Z":
            out.append(chr(0x1D5D4 + ord(ch) - ord("A")))
        elif "a" <= ch <= "z":
            out.append(chr(0x1D5EE + ord(ch) - ord("a")))
        else:
            out.append(ch)
    return "".join(out)


TOPICS = {
    "education": [
        "layering for a wet ridge walk",
        "reading a contour map",
        "packing a 28 litre daypack",
        "keeping boots dry on boggy paths",
        "choosing a headtorch for winter",
        "pitching a tent in the wind",
        "drying a down jacket properly",
        "planning a first wild camp",
        "stretching after a long descent",
        "navigating when the cloud comes in",
    ],
    "community": [
        "our Peak District meet-up",
        "a reader's first Munro",
        "the Saturday litter pick on Kinder",
        "the Brecon Beacons sunrise crew",
        "your favourite flask recipes",
        "Lake District trail runners",
        "a family's first night under canvas",
        "the Snowdon horseshoe in winter",
    ],
    "product": [
        "the Ridgeline 35 pack",
        "our recycled fleece",
        "the Tarn waterproof jacket",
        "the new trail socks",
        "the Bothy stove",
        "the Scree gaiters",
        "the Fell hybrid insulated jacket",
        "our repair service",
    ],
}
STATEMENT_OPENERS = [
    "Here is how we handle {t}.",
    "{T}: the short version.",
    "Three things we learned about {t}.",
    "This is {t}, done properly.",
]
QUESTION_OPENERS = [
    "Ever wondered about {t}?",
    "What would you do about {t}?",
    "Is {t} harder than it looks?",
    "Have you tried {t} yet?",
]


def _caption(rng: random.Random, pillar: str, series: str, *, opener: str = "", long: bool = False):
    topic = rng.choice(TOPICS[pillar])
    if opener == "question":
        first = rng.choice(QUESTION_OPENERS)
    elif opener == "statement":
        first = rng.choice(STATEMENT_OPENERS)
    else:
        first = rng.choice(STATEMENT_OPENERS + QUESTION_OPENERS[:1])
    first = first.format(t=topic, T=topic[0].upper() + topic[1:])
    if series:
        first = f"{series}: {first}"
    parts = [first]
    if rng.random() < 0.35:
        parts[0] += " " + rng.choice(EMOJI)
    body = rng.choice(
        [
            "Save this for your next trip.",
            'As one of you put it: "pack for the weather you fear, not the one forecast."',
            "Tell us yours in the comments.",
            "Link in bio for the full guide.",
            "Photos by our community, shared with permission.",
            "Tag someone who needs this before the weekend.",
        ]
    )
    if rng.random() < 0.12:
        body = _bold(rng.choice(["New", "Tip", "Free", "Repair"])) + " " + body
    if long:
        body += (
            "\n\nWe tested this over three seasons on the fells, in sideways rain and in the "
            "odd heatwave, and the notes above are what survived. If you've a better trick, "
            "we'd genuinely love to hear it."
        )
    parts.append(body)
    if rng.random() < 0.5:
        parts.append(
            " ".join(
                rng.sample(
                    ["#outdoors", "#hiking", "#fernway", "#trail", "#ukhiking", "#campinglife"], 3
                )
            )
        )
    return "\n".join(parts), topic


# ----------------------------------------------------------------------------------------------
# the world: followers and posts


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
    y, m = _ym(month)
    days = _days(month)
    out = []
    for _ in range(n):
        day = rng.randint(1, days)
        out.append(datetime(y, m, day, rng.randint(7, 20), rng.choice([0, 5, 15, 30, 30, 45])))
    return out


def _fridays(month: str) -> list[int]:
    y, m = _ym(month)
    return [d for d in range(1, _days(month) + 1) if date(y, m, d).weekday() == 4]


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
                        day = rng.randint(1, _days(month) - 3)
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


def _make_post(rng, platform, month, plan, followers, used_ids) -> dict[str, Any]:
    local: datetime = plan["local"]
    aware = local.replace(tzinfo=TZ)
    utc = aware.astimezone(UTC)
    series = plan.get("series", "")
    exp = plan.get("exp")
    if series:
        pillar = SERIES_PILLAR[series]
    else:
        u = rng.random()
        pillar = "education" if u < 0.38 else ("community" if u < 0.72 else "product")
    fmt = _pick_format(rng, platform)
    if series and platform in SERIES_FORMAT:
        fmt = SERIES_FORMAT[platform][series]
    opener = ""
    long = False
    effect = 1.0
    if exp:
        name, variant = exp
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
    text, topic = _caption(rng, pillar, series, opener=opener, long=long)
    if platform == "x" and len(text) > 270:
        text = text[:270]
    ms = int(utc.timestamp() * 1000)
    if platform == "facebook":
        pid = _new_id(rng, used_ids, lambda: _digits(rng, rng.choice([16, 17]), "12"))
    elif platform == "instagram":
        pid = _new_id(rng, used_ids, lambda: _digits(rng, 17, "179"))
    elif platform == "x":
        pid = _new_id(
            rng, used_ids, lambda: str(((ms - 1288834974657) << 22) | rng.getrandbits(22))
        )
    elif platform == "linkedin":
        pid = _new_id(rng, used_ids, lambda: str((ms << 22) | rng.getrandbits(22)))
    elif platform == "tiktok":
        pid = _new_id(
            rng, used_ids, lambda: str((int(utc.timestamp()) << 32) | rng.getrandbits(32))
        )
    else:
        pid = _new_id(rng, used_ids, lambda: _code(rng, 1, _B64[:62]) + _code(rng, 10))
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
    mu = exposure * BASE_RATE[platform] * fm * sm * effect
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


def _at(post: dict[str, Any], exported: datetime) -> dict[str, int | float]:
    """Lifetime totals of ``post`` as of ``exported``."""
    age = (exported.astimezone(UTC) - post["utc"]).total_seconds() / 86400
    f = _lifetime_fraction(age)
    m = post["m"]
    r = {
        k: int(round(m[k] * f))
        for k in (
            "likes",
            "comments",
            "shares",
            "saves",
            "clicks",
            "link_clicks",
            "follows",
            "profile",
            "detail",
            "url",
            "hashtag",
            "permalink",
            "media_views",
            "media_eng",
        )
    }
    r["exposure"] = int(round(m["exposure"] * f))
    r["paid"] = int(round(m["paid"] * f))
    return r


# ----------------------------------------------------------------------------------------------
# writers


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


def _zip(path: Path, members: list[tuple[str, bytes]], when: datetime) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    _write(path, buf.getvalue())


def _meta_name(rng: random.Random, month: str) -> str:
    y, m = _ym(month)
    a = f"{_MON[m - 1]}-01-{y:04d}"
    b = f"{_MON[m - 1]}-{_days(month):02d}-{y:04d}"
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
    y, mo = _ym(month)
    for day in range(1, _days(month) + 1):
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
    y, mo = _ym(month)
    for day in range(_days(month), 0, -1):
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
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zi = zipfile.ZipInfo(name, date_time=naive.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zf.writestr(zi, data)
    return out.getvalue()


def _linkedin(rng, posts, month: str, exported: datetime, followers) -> bytes:
    y, mo = _ym(month)
    metrics: list[list[Any]] = [
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
    ]
    for day in range(1, _days(month) + 1):
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
    allposts: list[list[Any]] = [
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
    ]
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
    y, mo = _ym(month)
    cands = [p for p in all_posts if p["month"] in (month, _prev(month))]
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
    month_posts = [p for p in all_posts if p["month"] in (month, _prev(month))]
    for day in range(1, _days(month) + 1):
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
        out[f"{kind}_{month}-01_{month}-{_days(month):02d}.zip"] = (f"{kind}.csv", data, when)
    return out


def _prev(month: str) -> str:
    y, m = _ym(month)
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


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
    y, mo = _ym(month)
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
    for day in range(1, _days(month) + 1):
        key = date(y, mo, day).isoformat()
        totals.append([key, daily.get(key, 0) + rng.randint(40, 140)])
    return [("Table data.csv", table), ("Chart data.csv", chart_b),
            ("Totals.csv", _minimal_csv(totals).encode("utf-8"))]  # fmt: skip


# ----------------------------------------------------------------------------------------------
# workspace files


def _brand_yaml() -> str:
    return """\
# Fernway Outdoor Co. is a FICTIONAL brand generated by `socialnb sample`.
name: Fernway Outdoor Co.
timezone: Europe/London
sprint_length: month
platforms:
  facebook: {account: Fernway Outdoor Co.}
  instagram: {account: fernway.outdoors}
  x: {account: FernwayOutdoor}
  linkedin: {account: Fernway Outdoor Co.}
  tiktok: {account: fernway.outdoors}
  youtube: {account: Fernway Outdoor}
pillars: {education: 0.4, community: 0.35, product: 0.25}
cadence: {facebook: 10, instagram: 14, x: 22, linkedin: 6, tiktok: 8, youtube: 3}
capacity_hours: 60
targets:
  - {name: Instagram engagement rate, metric: er_reach, platform: instagram, target: 0.05}
  - {name: Instagram follower growth, metric: follower_growth, platform: instagram, target: 0.02}
  - {name: Instagram saves per post, metric: saves_per_post, platform: instagram, target: 25}
  - {name: Facebook shares per post, metric: shares_per_post, platform: facebook, target: 8}
  - {name: Facebook reach per post, metric: reach_per_post, platform: facebook, target: 2200}
  - {name: X engagement rate, metric: er_impressions, platform: x, target: 0.015}
series_rule: {min_sprints: 3, window: 3, sunset_below: 0.8, scale_above: 1.2}
"""


def _permalink(p: dict[str, Any]) -> str:
    pid = p["post_id"]
    return {
        "facebook": f"https://www.facebook.com/{FB_ID}/posts/{p['pfbid']}",
        "instagram": f"https://www.instagram.com/{'reel' if p['format'] == 'reel' else 'p'}/{p['short']}/",
        "x": f"https://x.com/{ACCOUNTS['x']}/status/{pid}",
        "linkedin": f"https://www.linkedin.com/feed/update/urn:li:activity:{pid}",
        "tiktok": f"https://www.tiktok.com/@{ACCOUNTS['tiktok']}/video/{pid}",
        "youtube": f"https://www.youtube.com/watch?v={pid}",
    }[p["platform"]]


EFFORT = {"reel": 4.0, "carousel": 3.0, "image": 1.5, "video": 6.0, "link": 0.5, "text": 0.5,
          "story": 0.5, "live": 3.0}  # fmt: skip
OWNERS = ["maya", "tom", "priya"]


def _ideas(rng: random.Random) -> list[list[str]]:
    rows: list[list[str]] = []
    n = 0

    def add(title, pillar, series, fmt, platform, effort, conf, status, notes=""):
        nonlocal n
        n += 1
        rows.append([f"I-{n:03d}", title, pillar, series, fmt, platform, f"{effort:g}",
                     str(conf), status, notes])  # fmt: skip

    # shipped in 2026-10 (referenced by the calendar)
    add(
        "Autumn layering guide",
        "education",
        "Trail Tips",
        "carousel",
        "instagram",
        3,
        70,
        "shipped",
    )
    add(
        "Reader summit story: Helvellyn at dawn",
        "community",
        "Summit Stories",
        "reel",
        "instagram",
        4,
        75,
        "shipped",
    )
    add("Bothy stove in 30 seconds", "product", "", "reel", "tiktok", 4, 60, "shipped")
    add("How we repair a torn jacket", "education", "", "video", "youtube", 6, 65, "shipped")
    add(
        "Trail Tips: wet-weather checklist",
        "education",
        "Trail Tips",
        "image",
        "facebook",
        1.5,
        60,
        "shipped",
    )
    add("Meet the repair team", "community", "", "image", "linkedin", 1.5, 55, "shipped")
    # equal-effort pairs that differ only in format (instagram, reel vs image)
    for title, pillar in (("Map reading in one minute", "education"),
                          ("Community flask recipes", "community"),
                          ("Ridgeline 35 packing demo", "product")):  # fmt: skip
        add(title, pillar, "", "reel", "instagram", 3, 60, "backlog", "same idea as an image post")
        add(title, pillar, "", "image", "instagram", 3, 60, "backlog", "same idea as a reel")
    # planned for 2026-11
    add(
        "Winter headtorch picks",
        "product",
        "Gear Friday",
        "carousel",
        "instagram",
        3,
        50,
        "planned",
    )
    add(
        "First frost summit stories",
        "community",
        "Summit Stories",
        "reel",
        "instagram",
        4,
        80,
        "planned",
    )
    add(
        "Gaiters: do you need them?",
        "education",
        "Trail Tips",
        "reel",
        "facebook",
        4,
        65,
        "planned",
    )
    add("Volunteer litter pick recap", "community", "", "video", "tiktok", 4, 60, "planned")
    add(
        "Carousel cover text test: plain cover",
        "education",
        "",
        "carousel",
        "instagram",
        3,
        50,
        "planned",
        "carousel-cover-text",
    )
    add(
        "Carousel cover text test: headline cover",
        "education",
        "",
        "carousel",
        "instagram",
        3,
        50,
        "planned",
        "carousel-cover-text",
    )
    # never-tried combinations
    add(
        "Live Q&A from a bothy",
        "community",
        "",
        "live",
        "youtube",
        5,
        40,
        "backlog",
        "never tried live",
    )
    add("Behind-the-scenes story series", "community", "", "story", "instagram", 1, 45, "backlog")
    add(
        "LinkedIn carousel on recycled materials",
        "product",
        "",
        "carousel",
        "linkedin",
        3,
        45,
        "backlog",
    )
    # rejected
    add("Giveaway for follows", "product", "", "image", "instagram", 1, 30, "rejected", "off-brand")
    add("Meme Monday", "community", "", "image", "x", 0.5, 35, "rejected", "tone")
    add(
        "Weekly product discount post",
        "product",
        "Gear Friday",
        "image",
        "facebook",
        1,
        25,
        "rejected",
    )
    # shipped earlier and the rest of the backlog
    pool = [(t, pl) for pl, ts in TOPICS.items() for t in ts]
    fmts = {"instagram": ["reel", "carousel", "image"], "facebook": ["reel", "image", "link"],
            "tiktok": ["video"], "youtube": ["video"], "x": ["text", "image"],
            "linkedin": ["image", "text", "video"]}  # fmt: skip
    while n < 42:
        topic, pillar = pool[rng.randrange(len(pool))]
        platform = rng.choice(sorted(fmts))
        fmt = rng.choice(fmts[platform])
        status = rng.choice(["backlog", "backlog", "shipped", "rejected"])
        title = topic[0].upper() + topic[1:]
        add(title, pillar, "", fmt, platform, EFFORT[fmt], rng.randrange(30, 90, 5), status)
    return rows


def _calendar(rng: random.Random, posts: list[dict[str, Any]], ideas: list[list[str]]):
    rows: list[list[str]] = []
    shipped_1026 = {r[5] + "|" + r[4]: r[0] for r in ideas[:6]}
    for p in sorted(posts, key=lambda p: (p["local"], p["platform"], p["post_id"])):
        tagged = bool(p["series"] or p["exp"])
        if not tagged and rng.random() < 0.06:
            continue  # unplanned
        sprint = p["month"]
        planned = p["local"].date()
        status = "published"
        if (
            p["local"].day <= 3
            and not tagged
            and rng.random() < 0.35
            and sprint != SAMPLE_MONTHS[0]
        ):
            sprint = _prev(sprint)  # slipped: planned for the end of the previous sprint
            planned = date(*_ym(sprint), _days(sprint)) - timedelta(days=rng.randint(0, 2))
        u = rng.random()
        post_id, link = "", ""
        title = " ".join(p["text"].split("\n")[0].split()[:6])
        if u < 0.76:
            post_id = p["post_id"]
        elif u < 0.9:
            link = _permalink(p)
        else:
            planned = planned + timedelta(days=rng.choice([-1, 0, 1]))
            title = " ".join(p["text"].split()[: rng.randint(4, 6)])
        idea = ""
        if sprint == LAST_COMPLETE_MONTH:
            idea = shipped_1026.pop(p["platform"] + "|" + p["format"], "")
        rows.append([sprint, planned.isoformat(), p["platform"], p["pillar"], p["series"],
                     p["format"], idea, title, status, post_id, link,
                     OWNERS[len(rows) % 3], f"{EFFORT[p['format']]:g}"])  # fmt: skip
        if rng.random() < 0.05:  # a dropped sibling
            rows.append([sprint, (planned + timedelta(days=rng.randint(1, 4))).isoformat(),
                         p["platform"], p["pillar"], "", p["format"], "",
                         "Dropped: " + p["topic"], "dropped", "", "", OWNERS[len(rows) % 3],
                         f"{EFFORT[p['format']]:g}"])  # fmt: skip
    # the next sprint: planned rows only
    nov = [r for r in ideas if r[8] == "planned"]
    y, m = _ym(NEXT_MONTH)
    for i, r in enumerate(nov):
        series = r[3]
        rows.append([NEXT_MONTH, date(y, m, 3 + 3 * i).isoformat(), r[5], r[2], series, r[4],
                     r[0], r[1], "planned", "", "", OWNERS[i % 3], r[6]])  # fmt: skip
    for i in range(10):
        platform = ["x", "x", "linkedin", "facebook", "instagram", "x", "tiktok", "youtube",
                    "instagram", "facebook"][i]  # fmt: skip
        fmt = {"x": "text", "linkedin": "image", "facebook": "image", "instagram": "reel",
               "tiktok": "video", "youtube": "video"}[platform]  # fmt: skip
        pillar = ["education", "community", "product"][i % 3]
        rows.append([NEXT_MONTH, date(y, m, 2 + 2 * i + 1).isoformat(), platform, pillar, "",
                     fmt, "", TOPICS[pillar][i % len(TOPICS[pillar])].capitalize(), "planned",
                     "", "", OWNERS[i % 3], f"{EFFORT[fmt]:g}"])  # fmt: skip
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[7]))
    return rows


def _experiments_yaml(exps: dict[str, dict[str, list[str]]]) -> str:
    def ids(lst):
        return "[" + ", ".join(f'"{i}"' for i in lst) + "]"

    hq, cl, rc = exps["hook-question"], exps["caption-length"], exps["reel-vs-carousel"]
    return f"""\
# Content tests of the FICTIONAL brand Fernway Outdoor Co. (generated by `socialnb sample`).
experiments:
  - id: hook-question
    hypothesis: Opening an Instagram caption with a question lifts engagements per reach
    platform: instagram
    design: posts
    primary_metric: engagements
    exposure: reach
    guardrails: [follows]
    min_effect: 0.10
    start: {HOOK_FIRST}-01
    end: {HOOK_LAST}-{_days(HOOK_LAST):02d}
    status: concluded
    decision: ship question hooks
    variants:
      - {{name: statement, posts: {ids(hq["statement"])}}}
      - {{name: question, posts: {ids(hq["question"])}}}
  - id: caption-length
    hypothesis: Long, story-style captions lift engagements per reach on Facebook photos
    platform: facebook
    design: posts
    primary_metric: engagements
    exposure: reach
    guardrails: [shares]
    min_effect: 0.15
    start: 2026-04-01
    end: 2026-05-31
    status: concluded
    decision: no difference found; write to the length the story needs
    variants:
      - {{name: short, posts: {ids(cl["short"])}}}
      - {{name: long, posts: {ids(cl["long"])}}}
  - id: reel-vs-carousel
    hypothesis: The same tutorial does better as a reel than as a carousel
    platform: instagram
    design: paired
    primary_metric: engagements
    exposure: reach
    guardrails: [follows, saves]
    min_effect: 0.20
    start: 2026-06-01
    end: 2026-08-31
    status: concluded
    decision: make tutorials as reels first
    variants:
      - {{name: carousel, posts: {ids(rc["carousel"])}}}
      - {{name: reel, posts: {ids(rc["reel"])}}}
  - id: cta-split
    hypothesis: '"Find your trail" (B) gets more link clicks than "Shop now" (A)'
    platform: facebook
    design: split
    primary_metric: clicks
    exposure: impressions
    guardrails: []
    min_effect: 0.10
    start: 2026-09-01
    end: 2026-09-30
    status: concluded
    decision: use "Find your trail"
    variants:
      - {{name: A, successes: 412, exposure: 20140, intended_share: 0.5}}
      - {{name: B, successes: 489, exposure: 19890, intended_share: 0.5}}
  - id: carousel-cover-text
    hypothesis: A headline on the first carousel slide lifts saves per reach
    platform: instagram
    design: posts
    primary_metric: saves
    exposure: reach
    guardrails: [follows]
    min_effect: 0.15
    start: 2026-11-01
    end: 2026-11-30
    status: planned
    decision: ""
    variants:
      - {{name: plain-cover, posts: []}}
      - {{name: headline-cover, posts: []}}
"""


README = """\
# Fernway Outdoor Co. (sample brand)

Fernway Outdoor Co. is a **fictional** outdoor-gear brand. Everything in this folder was generated
by `socialnb sample` (`socialnb.sample.write_sample`) from a fixed random seed: the same command
writes the same bytes on every machine. No real account, person or post is described here.

- `raw/<YYYY-MM>/`: the month's platform exports, in the platforms' real file formats, as if
  downloaded on the 2nd of the following month; `raw/2026-11-02/` holds September 2026's
  Facebook and Instagram files downloaded again on 2026-11-02 (a folder named `YYYY-MM-DD` is the
  day its files were downloaded, so the ingest keeps them as a second, later snapshot).
- `brand.yaml`, `calendar.csv`, `ideas.csv`, `experiments.yaml`: what the team keeps by hand.

The truths planted in the numbers (reels beat images, a declining and a growing series, the
experiments' real effects) are documented in `socialnb/sample.py` and in `socialnb.sample.PLANTED`.
"""


# ----------------------------------------------------------------------------------------------
# public entry point


def write_sample(
    workspace: str | Path = "data", *, brand: str = "fernway", overwrite: bool = False
) -> Path:
    """Write the sample brand into ``<workspace>/<brand>/`` and return that folder.

    Parameters
    ----------
    workspace
        The workspace folder (created if missing).
    brand
        The brand slug (folder name). The content is always Fernway Outdoor Co.
    overwrite
        Replace an existing brand folder. Without it an existing folder is refused.

    Returns
    -------
    Path
        The brand folder.

    Raises
    ------
    ConfigError
        If the brand folder exists and ``overwrite`` is false.
    """
    root = Path(workspace) / brand
    if root.exists():
        if not overwrite:
            raise ConfigError(
                f"{root}: the folder already exists; write_sample will not overwrite it. "
                "What to do: pass overwrite=True (CLI: --overwrite), or choose another "
                "workspace or brand."
            )
        shutil.rmtree(root)
    tmp = Path(workspace) / f".{brand}.writing"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        _write_all(tmp)
        os.replace(tmp, root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return root


def _write_all(root: Path) -> None:
    world = _build(SEED)
    rng = random.Random(SEED + 1)
    posts = world["posts"]
    followers = world["followers"]
    by = {}
    for p in posts:
        by.setdefault((p["month"], p["platform"]), []).append(p)
    raw = root / "raw"
    mtimes: list[tuple[Path, datetime]] = []
    for month in SAMPLE_MONTHS:
        folder = raw / month
        exported = _export_moment(month)
        fb = by[(month, "facebook")]
        ig = by[(month, "instagram")]
        f = folder / _meta_name(rng, month)
        _write(f, _facebook_csv(fb, month, exported))
        mtimes.append((f, exported))
        f = folder / _meta_name(rng, month)
        _write(f, _instagram_csv(ig, month, exported))
        mtimes.append((f, exported))
        y, mo = _ym(month)
        days = [date(y, mo, d) for d in range(1, _days(month) + 1)]
        page_views = []
        for d in days:
            v = int(followers["facebook"][d][0] * 0.05 * rng.lognormvariate(0, 0.3))
            for p in fb:
                age = (d - p["local"].date()).days
                if 0 <= age <= 2:
                    v += int(p["m"]["exposure"] * p["m"]["views_ratio"] * (0.5, 0.3, 0.1)[age])
            page_views.append((d, v))
        for title, values in (
            ("Facebook follows", [(d, followers["facebook"][d][1]) for d in days]),
            ("Facebook followers", [(d, followers["facebook"][d][0]) for d in days]),
            ("Instagram followers", [(d, followers["instagram"][d][0]) for d in days]),
            ("Views", page_views),
        ):
            _write(folder / f"{title}.csv", _meta_daily(title, values))
        xs = by[(month, "x")]
        nm = _next(month)
        if month < "2025-10":
            span = f"{y:04d}{mo:02d}01_{nm[:4]}{nm[5:]}01"
            f = folder / f"tweet_activity_metrics_{ACCOUNTS['x']}_{span}_en.csv"
            _write(f, _x_legacy(xs, exported))
            f = folder / f"daily_tweet_activity_metrics_{ACCOUNTS['x']}_{span}_en.csv"
            _write(f, _x_daily_legacy(rng, xs, month, exported, followers))
        else:
            span = f"{month}-01_{month}-{_days(month):02d}"
            _write(folder / f"account_analytics_content_{span}.csv", _x_premium(xs, exported))
            _write(
                folder / f"account_overview_analytics_{span}.csv",
                _x_overview(rng, xs, month, exported, followers),
            )
        ms = int(exported.astimezone(UTC).timestamp()) * 1000
        f = folder / f"fernway-outdoor-co_content_{ms}.xlsx"
        _write(f, _linkedin(rng, by[(month, "linkedin")], month, exported, followers))
        tt = [p for p in posts if p["platform"] == "tiktok"]
        for name, (member, data, when) in _tiktok(
            rng, tt, month, exported, followers, month == "2025-12"
        ).items():
            _zip(folder / name, [(member, data)], when)
        yt = _youtube(rng, by[(month, "youtube")], month, exported)
        _zip(
            folder / f"Content {month}-01_{month}-{_days(month):02d} {ACCOUNTS['youtube']}.zip",
            yt,
            exported.replace(tzinfo=None),
        )
    again = datetime(2026, 11, 2, 14, 30, tzinfo=TZ)  # the re-export, a month later
    folder = raw / REEXPORT_FOLDER  # a download-day folder: the ingest dates it 2026-11-02
    f = folder / _meta_name(rng, "2026-09")
    _write(f, _facebook_csv(by[("2026-09", "facebook")], "2026-09", again))
    mtimes.append((f, again))
    f = folder / _meta_name(rng, "2026-09")
    _write(f, _instagram_csv(by[("2026-09", "instagram")], "2026-09", again))
    mtimes.append((f, again))
    ideas = _ideas(random.Random(SEED + 2))
    cal = _calendar(random.Random(SEED + 3), posts, ideas)
    from .config import CALENDAR_COLUMNS, IDEAS_COLUMNS

    _write(root / "ideas.csv", _minimal_csv([list(IDEAS_COLUMNS), *ideas]).encode("utf-8"))
    _write(root / "calendar.csv", _minimal_csv([list(CALENDAR_COLUMNS), *cal]).encode("utf-8"))
    _write(root / "brand.yaml", _brand_yaml().encode("utf-8"))
    _write(root / "experiments.yaml", _experiments_yaml(world["experiments"]).encode("utf-8"))
    _write(root / "README.md", README.encode("utf-8"))
    for path, when in mtimes:  # a hint only: git does not keep file times
        ts = when.timestamp()
        os.utime(path, (ts, ts))
