"""The planted world of the sample brand: its parameters, months and :data:`PLANTED`."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from ..periods import month_range

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


SAMPLE_MONTHS: tuple[str, ...] = month_range(FIRST_MONTH, LAST_COMPLETE_MONTH)

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
            "posts_per_variant": HOOK_PER_MONTH // 2 * len(month_range(HOOK_FIRST, HOOK_LAST)),
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
