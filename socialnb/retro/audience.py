"""The audience: follower growth, loyalty (returning viewers) and awareness (reach by sprint)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import metrics as M
from .. import periods
from .base import (
    _check_month,
    previous_sprints,
)


def _daily_growth(daily: pd.DataFrame, platform: str | None, months: list[str]) -> list[dict]:
    """Follower growth of ``platform`` (every platform: ``None``) in each of ``months``; the
    days are selected and sorted once."""
    d = daily if platform is None else daily[daily["platform"] == platform]
    d = d.sort_values("date")
    return [_month_growth(d, month) for month in months]


def _month_growth(d: pd.DataFrame, month: str) -> dict:
    """Followers at the start and end of ``month``, follows gained and lost, net and growth,
    from days ``d`` sorted by date."""
    start = pd.Timestamp(periods.month_start(month))
    end = pd.Timestamp(periods.month_start(periods.next_month(month)))
    inside = d[(d["date"] >= start) & (d["date"] < end)]
    out = {"followers_start": np.nan, "followers_end": np.nan, "gained": np.nan, "lost": np.nan}
    if "follows_gained" in inside:
        out["gained"] = inside["follows_gained"].sum(min_count=1)
        out["lost"] = inside["follows_lost"].sum(min_count=1)
    levels = d.dropna(subset=["followers"]) if "followers" in d else d.iloc[0:0]
    before = levels[levels["date"] < start]
    during = levels[(levels["date"] >= start) & (levels["date"] < end)]
    if len(during):
        out["followers_start"] = float(
            before["followers"].iloc[-1] if len(before) else during["followers"].iloc[0]
        )
        out["followers_end"] = float(during["followers"].iloc[-1])
        steps = np.diff(
            np.concatenate([[out["followers_start"]], during["followers"].to_numpy(float)])
        )
        out["steps"] = steps[1:] if not len(before) else steps
    out["net"] = (
        out["followers_end"] - out["followers_start"]
        if np.isfinite(out["followers_end"])
        else (out["gained"] - out["lost"])
    )
    out["growth"] = M.follower_growth_rate(out["followers_start"], out["followers_end"])
    return out


def follower_growth(account_daily: pd.DataFrame, month: str) -> pd.DataFrame:
    """Per platform: followers at the start and end of the sprint, follows gained and lost, net
    new followers, growth rate (net / start), and the mean growth of the previous sprints."""
    _check_month(month)
    rows = []
    if account_daily is None or account_daily.empty:
        return pd.DataFrame(columns=["platform", "followers_start", "followers_end", "gained",
                                     "lost", "net", "growth", "baseline_growth"])  # fmt: skip
    daily = account_daily.copy()
    daily["date"] = pd.to_datetime(daily["date"])
    for platform in sorted(daily["platform"].unique()):
        g, *before = _daily_growth(daily, platform, [month, *previous_sprints(month)])
        past = [x["growth"] for x in before if np.isfinite(x["growth"])]
        g.pop("steps", None)
        rows.append(
            {"platform": platform, **g, "baseline_growth": np.mean(past) if past else np.nan}
        )
    out = pd.DataFrame(rows)
    return out[~(out[["followers_end", "gained", "lost"]].isna().all(axis=1))].reset_index(
        drop=True
    )


def loyalty(account_daily: pd.DataFrame, month: str) -> pd.DataFrame:
    """Returning audience share (returning viewers / all viewers) per platform for the sprint and
    the previous sprints, where the exports carry viewers (YouTube, TikTok). Empty without data."""
    cols = ["platform", "sprint", "returning_viewers", "total_viewers", "returning_share"]
    if account_daily is None or account_daily.empty or "returning_viewers" not in account_daily:
        return pd.DataFrame(columns=cols)
    d = account_daily.dropna(subset=["returning_viewers", "total_viewers"]).copy()
    if d.empty:
        return pd.DataFrame(columns=cols)
    d["sprint"] = periods.daily_months(d)
    d = d[d["sprint"].isin(previous_sprints(month) + [month])]
    g = (
        d.groupby(["platform", "sprint"])[["returning_viewers", "total_viewers"]]
        .sum()
        .reset_index()
    )
    g["returning_share"] = [
        M.returning_audience_share(r, t)
        for r, t in zip(g["returning_viewers"], g["total_viewers"], strict=True)
    ]
    return g[cols]


def awareness(frame: pd.DataFrame, month: str, *, history: int = 12) -> pd.DataFrame:
    """Per platform and sprint (the last ``history`` sprints): organic posts, reach, views and
    impressions summed over posts and their median per post; ``views_change`` marks the sprint in
    which Meta's Views change falls for that platform (compare across it with care)."""
    sprints = previous_sprints(month, history - 1) + [month]
    f = M.select_scope(frame, "organic")
    f = f[f["sprint"].isin(sprints)]
    rows = []
    for (platform, sprint), g in f.groupby(["platform", "sprint"]):
        row = {"platform": platform, "sprint": sprint, "posts": len(g)}
        for m in ("reach", "views", "impressions"):
            row[m] = g[m].sum(min_count=1) if m in g else np.nan
            row[f"{m}_per_post"] = g[m].median() if m in g else np.nan
        change = M.VIEWS_CHANGE.get(platform)
        row["views_change"] = bool(change and change.strftime("%Y-%m") == sprint)
        rows.append(row)
    cols = ["platform", "sprint", "posts"] + [f"{m}{part}" for m in ("reach", "views", "impressions")
                                              for part in ("", "_per_post")] + ["views_change"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


@dataclass(frozen=True, eq=False)
class Audience:
    """How the audience grew in the sprint: ``followers`` (per platform, :func:`follower_growth`),
    ``loyalty`` (returning viewers, :func:`loyalty`) and ``awareness`` (reach, views and
    impressions by sprint, :func:`awareness`)."""

    month: str
    followers: pd.DataFrame
    loyalty: pd.DataFrame
    awareness: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Follower growth, one row per platform."""
        return self.followers.copy()

    @property
    def fastest(self) -> pd.Series | None:
        """The platform whose followers grew fastest (by rate), or ``None``."""
        g = self.followers.dropna(subset=["growth"]) if len(self.followers) else self.followers
        return g.sort_values("growth", ascending=False).iloc[0] if len(g) else None

    def __repr__(self) -> str:
        top = self.fastest
        best = "no follower counts" if top is None else (
            f"fastest {top['platform']} {top['growth']:+.1%} followers ({top['net']:+,.0f})"
        )  # fmt: skip
        return f"Audience({self.month}: {len(self.followers)} platforms, {best})"

    def plot(self, ax=None):
        """Median reach per post by sprint and platform; dashed: Meta's Views change."""
        import matplotlib.pyplot as plt
        import seaborn as sns

        aw = self.awareness.dropna(subset=["reach_per_post"])
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 2.3))
        sns.lineplot(data=aw, x="sprint", y="reach_per_post", hue="platform", marker="o", ax=ax)
        for sprint in aw.loc[aw["views_change"].astype(bool), "sprint"].unique():
            ax.axvline(sprint, color="#D55E00", ls="--", lw=1)
        ax.set(ylabel="median reach per post", xlabel="")
        ax.tick_params(axis="x", rotation=45)
        if ax.get_legend() is not None:
            sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        return ax


def audience_growth(account_daily: pd.DataFrame, frame: pd.DataFrame, month: str) -> Audience:
    """Follower growth, loyalty and awareness of sprint ``month`` as one :class:`Audience`
    (``frame``: :func:`~socialnb.retro.prepare_posts` output)."""
    return Audience(
        month,
        follower_growth(account_daily, month),
        loyalty(account_daily, month),
        awareness(frame, month),
    )
