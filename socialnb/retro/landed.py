"""What landed: the sprint's posts by platform, pillar, series and format, the formats over
the last sprints, and the top and bottom posts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import metrics as M
from .._text import plain_text as _text
from .base import (
    _baseline_word,
    previous_sprints,
)


def breakdown(frame: pd.DataFrame, month: str, dim: str) -> pd.DataFrame:
    """The sprint's organic posts by platform and ``dim`` (pillar, series, format, or platform):
    each platform's primary rate (median of per-post rates, rate of totals beside it) and the
    median index vs the trailing baseline of the same platform and format."""
    cur = M.select_scope(frame[frame["sprint"] == month], "organic")
    by = ["platform"] if dim == "platform" else ["platform", dim]
    parts = []
    for metric, sub in cur.groupby("rate_metric"):
        t = M.metric_table(sub, metric, by=by)
        idx = sub.assign(**{c: sub[c].astype("string").fillna("(none)") for c in by})
        med = idx.groupby(by)["index_format"].median().rename("index_vs_baseline").reset_index()
        parts.append(t.merge(med, on=by, how="left"))
    if not parts:
        return pd.DataFrame(columns=by + ["metric", "value", "rate_of_totals", "n_posts"])
    out = pd.concat(parts, ignore_index=True)
    keep = by + [
        "metric",
        "value",
        "rate_of_totals",
        "index_vs_baseline",
        "n_posts",
        "n_missing",
        "label",
    ]
    return out[keep].sort_values(by).reset_index(drop=True)


def format_table(
    frame: pd.DataFrame, month: str, *, sprints: int = 3, seed: int = 0, n_resamples: int = 2000
) -> pd.DataFrame:
    """Per platform and format, posts of the last ``sprints`` sprints (``month`` included: one
    sprint holds too few posts of a format to judge it) against the platform's trailing baseline
    over all formats: the median of each post's rate / baseline (1 = the platform's usual post)
    with a bootstrap interval over posts."""
    window = previous_sprints(month, sprints - 1) + [month]
    cur = M.select_scope(frame[frame["sprint"].isin(window)], "organic")
    cur = cur.dropna(subset=["index_platform"])
    rows = []
    for k, ((platform, fmt), sub) in enumerate(cur.groupby(["platform", "format"])):
        iv = M.bootstrap_interval(sub["index_platform"], n_resamples=n_resamples, seed=seed + k)
        others = cur[(cur["platform"] == platform) & (cur["format"] != fmt)]["index_platform"]
        vs = M.bootstrap_ratio(
            sub["index_platform"], others, n_resamples=n_resamples, seed=seed + k
        )
        rows.append({"platform": platform, "format": fmt, "metric": sub["rate_metric"].iloc[0],
                     "median_rate": sub["rate"].median(), "index_vs_platform_baseline": iv.estimate,
                     "low": iv.low, "high": iv.high, "vs_other_formats": vs.estimate,
                     "vs_low": vs.low, "vs_high": vs.high, "n_posts": len(sub),
                     "p_value": _differs_p(sub["index_platform"], others),
                     "verdict": _baseline_word(iv)})  # fmt: skip
    cols = ["platform", "format", "metric", "median_rate", "index_vs_platform_baseline", "low",
            "high", "vs_other_formats", "vs_low", "vs_high", "n_posts", "p_value", "p_adjusted",
            "verdict"]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    finite = out["p_value"].notna()
    if finite.any():
        from statsmodels.stats.multitest import multipletests

        out.loc[finite, "p_adjusted"] = multipletests(out.loc[finite, "p_value"], method="fdr_bh")[
            1
        ]
    return out


FORMATS_MULTIPLICITY = (
    "A format is named strongest only when it beats the platform's other formats after a "
    "Benjamini-Hochberg adjustment across every format in the table (false discovery rate 5%; "
    "Mann-Whitney test of the posts' indices), with at least 5 posts."
)


def _differs_p(a: pd.Series, b: pd.Series) -> float:
    """Two-sided Mann-Whitney p-value: do this format's posts' indices differ from the other
    formats' on the platform? NaN with fewer than 2 posts on either side."""
    from scipy import stats as st

    a, b = a.dropna().to_numpy(float), b.dropna().to_numpy(float)
    if a.size < 2 or b.size < 2:
        return np.nan
    return float(st.mannwhitneyu(a, b, alternative="two-sided").pvalue)


def top_posts(frame: pd.DataFrame, month: str, n: int = 5, *, bottom: bool = False) -> pd.DataFrame:
    """The sprint's best (or worst) organic posts by their index vs the trailing baseline of the
    same platform and format, with their captions as plain text (escape before any HTML)."""
    cur = M.select_scope(frame[frame["sprint"] == month], "organic").dropna(subset=["index_format"])
    cur = cur.sort_values("index_format", ascending=bottom).head(n)
    out = pd.DataFrame({
        "platform": cur["platform"], "published": M._local_time(cur).dt.strftime("%Y-%m-%d"),
        "format": cur["format"], "series": cur["series"].astype("string").fillna(""),
        "caption": cur["text"].map(lambda t: _text(t, 120)) if "text" in cur else "",
        "metric": cur["rate_metric"], "rate": cur["rate"], "index_vs_baseline": cur["index_format"],
        "permalink": cur["permalink"].map(_text) if "permalink" in cur else "",
    })  # fmt: skip
    return out.reset_index(drop=True)
