"""What landed: the sprint's posts by platform, pillar, series and format, the formats over
the last sprints, and the top and bottom posts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import metrics as M
from .. import periods
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
        return pd.DataFrame(columns=by + ["metric", "scope", "value", "rate_of_totals", "n_posts"])
    out = pd.concat(parts, ignore_index=True)
    keep = by + [
        "metric",
        "scope",
        "value",
        "rate_of_totals",
        "index_vs_baseline",
        "n_posts",
        "n_missing",
        "label",
    ]
    return out[keep].sort_values(by).reset_index(drop=True)


#: What the format table's columns mean, as the page says them.
FORMAT_COLUMNS: dict[str, str] = {
    "median_rate": "median of the posts' own engagement rates (each platform's primary rate)",
    "index_vs_platform_baseline": "level: the median post / the platform's usual post (1 = usual)",
    "vs_other_formats": "comparison: this format's median post index / the platform's other "
    "formats' (1 = the same)",
}


@dataclass(frozen=True, eq=False)
class FormatTable:
    """Each platform's formats over the last sprints against the platform's usual post (a level)
    and against its other formats (a comparison), with 95% bootstrap intervals and a
    Benjamini-Hochberg adjusted p-value (see :data:`FORMATS_MULTIPLICITY`)."""

    month: str
    sprints: tuple[str, ...]
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """One row per platform and format."""
        return self.table.copy()

    @property
    def strongest(self) -> pd.Series | None:
        """The format that beats its platform's other formats (at least 5 posts, interval above
        1, adjusted p < 0.05), the largest ratio first; ``None`` when none does."""
        f = self.table.dropna(subset=["vs_other_formats"])
        f = f[(f["n_posts"] >= 5) & (f["vs_low"] > 1) & (f["p_adjusted"] < 0.05)]
        if f.empty:
            return None
        return f.sort_values("vs_other_formats", ascending=False).iloc[0]

    def __repr__(self) -> str:
        top = self.strongest
        best = "none stands out" if top is None else (
            f"strongest {top['platform']} {top['format']} {top['vs_other_formats']:.2f}x other "
            f"formats (95% {top['vs_low']:.2f}-{top['vs_high']:.2f})"
        )  # fmt: skip
        return (
            f"FormatTable({self.sprints[0]}..{self.sprints[-1]}: {len(self.table)} formats, {best})"
        )

    def shown_rates(self) -> list[dict]:
        """The median rate of each format as shown (rows for ``socialnb.record``); the month is
        the window ``first..last``."""
        t = self.table.assign(scope="organic")[["platform", "format", "metric", "scope",
                                                "median_rate", "n_posts"]]  # fmt: skip
        return M.shown_rates(t, month=f"{self.sprints[0]}..{self.sprints[-1]}",
                             aggregation=M.MEDIAN_OF_POSTS, value_column="median_rate")  # fmt: skip

    def plot(self, ax=None):
        """Each format's level against its platform's usual post (1 = usual), 95% interval."""
        import matplotlib.pyplot as plt

        fmt = self.table.dropna(subset=["index_vs_platform_baseline"])
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.6 + 0.17 * len(fmt)))
        est = fmt["index_vs_platform_baseline"]
        ax.errorbar(est, range(len(fmt)), fmt="o", color="#0072B2", ecolor="#9ab", capsize=2,
                    xerr=[(est - fmt["low"]).clip(lower=0), (fmt["high"] - est).clip(lower=0)])  # fmt: skip
        ax.set_yticks(range(len(fmt)), fmt["platform"] + " " + fmt["format"])
        ax.invert_yaxis()
        ax.axvline(1, color="#555", lw=1)
        ax.set(xlabel="median post / platform's usual post (1 = usual), 95% interval", ylabel="")
        return ax


def format_table(
    frame: pd.DataFrame, month: str, *, sprints: int = 3, seed: int = 0, n_resamples: int = 2000
) -> FormatTable:
    """Per platform and format, posts of the last ``sprints`` sprints (``month`` included: one
    sprint holds too few posts of a format to judge it) against the platform's trailing baseline
    over all formats: the median of each post's rate / baseline (1 = the platform's usual post)
    with a bootstrap interval over posts, and the ratio to the platform's other formats."""
    window = previous_sprints(month, sprints - 1) + [month]
    cur = M.select_scope(frame[frame["sprint"].isin(window)], "organic")
    cur = cur.dropna(subset=["index_platform"])
    rows = [
        _format_row(cur, platform, fmt, sub, n_resamples=n_resamples, seed=seed + k)
        for k, ((platform, fmt), sub) in enumerate(cur.groupby(["platform", "format"]))
    ]
    cols = ["platform", "format", "metric", "median_rate", "index_vs_platform_baseline", "low",
            "high", "vs_other_formats", "vs_low", "vs_high", "n_posts", "p_value", "p_adjusted",
            "verdict"]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    finite = out["p_value"].notna()
    if finite.any():
        from statsmodels.stats.multitest import multipletests

        adjusted = multipletests(out.loc[finite, "p_value"], method="fdr_bh")[1]
        out.loc[finite, "p_adjusted"] = adjusted
    return FormatTable(month, tuple(window), out)


def _format_row(cur, platform, fmt, sub, *, n_resamples: int, seed: int) -> dict:
    iv = M.bootstrap_interval(sub["index_platform"], n_resamples=n_resamples, seed=seed)
    others = cur[(cur["platform"] == platform) & (cur["format"] != fmt)]["index_platform"]
    vs = M.bootstrap_ratio(sub["index_platform"], others, n_resamples=n_resamples, seed=seed)
    return {"platform": platform, "format": fmt, "metric": sub["rate_metric"].iloc[0],
            "median_rate": sub["rate"].median(), "index_vs_platform_baseline": iv.estimate,
            "low": iv.low, "high": iv.high, "vs_other_formats": vs.estimate,
            "vs_low": vs.low, "vs_high": vs.high, "n_posts": len(sub),
            "p_value": _differs_p(sub["index_platform"], others),
            "verdict": _baseline_word(iv)}  # fmt: skip


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
        "platform": cur["platform"], "published": periods.local_time(cur).dt.strftime("%Y-%m-%d"),
        "format": cur["format"], "series": cur["series"].astype("string").fillna(""),
        "caption": cur["text"].map(lambda t: _text(t, 120)) if "text" in cur else "",
        "metric": cur["rate_metric"], "rate": cur["rate"], "index_vs_baseline": cur["index_format"],
        "permalink": cur["permalink"].map(_text) if "permalink" in cur else "",
    })  # fmt: skip
    return out.reset_index(drop=True)
