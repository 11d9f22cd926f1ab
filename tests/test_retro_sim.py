"""Statistical validation of the retro's intervals and rules by seeded simulation (issue 12).

Measured figures are in the docstrings; seeds are fixed, so results repeat exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialnb import _stats
from socialnb import retro as R
from socialnb.config import SeriesRule
from socialnb.schema import POST_FIELDS

RULE = SeriesRule(min_sprints=3, window=3, sunset_below=0.8, scale_above=1.2)


def _world(ratio: float, rng: np.random.Generator, *, series_per_sprint: int = 4,
           regular_per_sprint: int = 6, sd: float = 0.4, sprints: int = 6) -> pd.DataFrame:  # fmt: skip
    """Instagram images: regular posts and one series whose per-post rates are lognormal (sd
    ``sd``) with a median of 0.04 and 0.04 * ratio; reach 10,000 a post."""
    months = [str(pd.Period("2026-10", "M") - k) for k in range(sprints - 1, -1, -1)]
    rows = []
    for m in months:
        n = series_per_sprint + regular_per_sprint
        for k in range(n):
            series = "S" if k < series_per_sprint else np.nan
            rate = 0.04 * (ratio if k < series_per_sprint else 1.0) * rng.lognormal(0, sd)
            rows.append(dict(platform="instagram", post_id=f"{m}-{k}", format="image",
                             published_local=f"{m}-{k + 1:02d} 09:00", reach=10000.0,
                             likes=rate * 10000, comments=0.0, shares=0.0, saves=0.0,
                             distribution="organic", series=series))  # fmt: skip
    frame = pd.DataFrame(rows)
    for col in list(POST_FIELDS) + ["pillar", "series"]:
        if col not in frame:
            frame[col] = np.nan
    frame["published_local"] = pd.to_datetime(frame["published_local"])
    return R.prepare_posts(frame)


@pytest.mark.slow
def test_series_interval_covers_the_true_ratio_and_carries_the_baseline():
    """Issue 12, finding 5 (target >= 93%). Measured (seed 41, 300 worlds a ratio, 12 series
    posts in the window against 18 baseline posts, per-post sd 0.4): coverage 93.7% at 1.0,
    96.0% at 0.6 (seed 77, 400 worlds: 94.0% with 12 posts, 94.8% with 9)."""
    rng = np.random.default_rng(41)
    for ratio in (1.0, 0.6):
        hits = []
        for _ in range(300):
            row = R.series_health(_world(ratio, rng), "2026-10", RULE, n_resamples=400).table
            hits.append(row.iloc[0]["low"] <= ratio <= row.iloc[0]["high"])
        print(f"series coverage at {ratio}: {np.mean(hits):.3f}")
        assert np.mean(hits) >= 0.93


@pytest.mark.slow
def test_the_series_rule_power_to_sunset_a_half_rate_series():
    """The figure the README states: how often a series truly at 0.5x its baseline is called
    "sunset" (12 posts in the 3-sprint window, 18 baseline posts; per-post sd 0.4: 87%; sd 0.8:
    35%), and how often a series at 1.0x is (never in 100)."""
    rng = np.random.default_rng(42)
    out = {}
    for ratio, sd in ((0.5, 0.4), (0.5, 0.8), (1.0, 0.8)):
        v = [R.series_health(_world(ratio, rng, sd=sd), "2026-10", RULE, n_resamples=400)
             .verdicts["S"] for _ in range(100)]  # fmt: skip
        out[ratio, sd] = np.mean([x == "sunset" for x in v])
    print(f"series rule: P(sunset) {out}")
    assert out[0.5, 0.4] >= 0.8
    assert out[1.0, 0.8] <= 0.05


def test_too_few_series_posts_give_no_interval_and_say_so():
    rng = np.random.default_rng(43)
    row = R.series_health(_world(0.5, rng, series_per_sprint=2), "2026-10", RULE).table.iloc[0]
    assert np.isnan(row["low"]) and row["verdict"] == "keep" or row["verdict"].startswith("too")
    assert "too few posts" in row["reason"] and str(R.SERIES_MIN_POSTS) in row["reason"]


def test_the_median_interval_covers_at_any_sample_size_it_is_given():
    """Issue 12, finding 5: the KPI median interval covered 89% at 4 posts. The order-statistic
    interval is given from 6 posts on (none below: "too few posts"), and covers >= 95%."""
    rng = np.random.default_rng(44)
    assert np.isnan(_stats.median_ci([1, 2, 3, 4, 5])[0])
    for n in (6, 8, 12):
        x = rng.lognormal(0, 1, (4000, n))
        lo, hi = zip(*(_stats.median_ci(r) for r in x), strict=True)
        cover = np.mean((np.array(lo) <= 1) & (np.array(hi) >= 1))
        assert cover >= 0.95, (n, cover)


def _format_world(rng: np.random.Generator, formats: int = 5, per_sprint: int = 4) -> pd.DataFrame:
    """One platform, ``formats`` formats with no true difference, lognormal rates (sd 0.5)."""
    months = [str(pd.Period("2026-10", "M") - k) for k in range(5, -1, -1)]
    rows = []
    for m in months:
        for f in range(formats):
            for k in range(per_sprint):
                rate = 0.04 * rng.lognormal(0, 0.5)
                rows.append(dict(platform="instagram", post_id=f"{m}-{f}-{k}", format=f"f{f}",
                                 published_local=f"{m}-{k + 1:02d} 09:00", reach=10000.0,
                                 likes=rate * 10000, comments=0.0, shares=0.0, saves=0.0,
                                 distribution="organic"))  # fmt: skip
    frame = pd.DataFrame(rows)
    for col in list(POST_FIELDS) + ["pillar", "series"]:
        if col not in frame:
            frame[col] = np.nan
    frame["published_local"] = pd.to_datetime(frame["published_local"])
    return R._with_indices(R.prepare_posts(frame))


@pytest.mark.slow
def test_no_strongest_format_is_named_when_no_format_differs():
    """Issue 12, finding 6: with no true difference the retro named a "strongest format" 16.5%
    of the time. Measured (seed 45, 200 worlds of 5 formats x 12 posts): 3.0% after BH."""
    rng = np.random.default_rng(45)
    named = []
    for _ in range(200):
        table = R.format_table(_format_world(rng), "2026-10", n_resamples=300)
        named.append(table.strongest is not None)  # the rule the takeaway uses
    print(f"strongest format named under the null: {np.mean(named):.3f}")
    assert np.mean(named) <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 200)
    assert "Benjamini-Hochberg" in R.FORMATS_MULTIPLICITY
