"""Best time to post: weekday x hour of the posts' index vs their platform's usual post."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import metrics as M
from .. import periods
from .base import (
    previous_sprints,
)


@dataclass(frozen=True, eq=False)
class BestTime:
    """Day-of-week x hour heatmap of the median index vs the platform's trailing baseline."""

    table: pd.DataFrame  # rows: weekday (Mon..Sun), columns: hour block label
    counts: pd.DataFrame
    n_posts: int
    excluded_day_only: int
    sprints: tuple[str, ...]
    min_posts: int

    def to_frame(self) -> pd.DataFrame:
        """Weekday x hour block: the median post's index (blank: too few posts)."""
        return self.table.copy()

    def __repr__(self) -> str:
        t = self.table.stack().dropna() if self.table.size else pd.Series(dtype=float)
        best = "too few posts" if t.empty else (
            f"best {t.idxmax()[0]} {t.idxmax()[1]}h at {t.max():.2f}x the usual post"
        )  # fmt: skip
        window = f"{self.sprints[0]}..{self.sprints[-1]}" if self.sprints else "no sprints"
        return f"BestTime({window}: {self.n_posts} posts, {best})"

    def plot(self, ax=None):
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots()
        sns.heatmap(self.table.astype(float), annot=True, fmt=".2f", cmap="RdBu", center=1,
                    annot_kws={"fontsize": 8},
                    cbar_kws={"label": "× usual post (blue better)"}, ax=ax)  # fmt: skip
        ax.set(xlabel="hour (local time)", ylabel="")
        ax.tick_params(axis="y", rotation=0)
        return ax


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def best_time(
    frame: pd.DataFrame, month: str, *, sprints: int = 6, hour_block: int = 3, min_posts: int = 3
) -> BestTime:
    """When posts do best: over the last ``sprints`` sprints, the median of each post's rate /
    its platform's trailing baseline, by weekday and ``hour_block``-hour block of local time.
    Cells with fewer than ``min_posts`` posts are blank. Posts with only a publishing date
    (``date_precision == "day"``) are left out and counted."""
    window = previous_sprints(month, sprints - 1) + [month]
    f = M.select_scope(frame, "organic")
    f = f[f["sprint"].isin(window)].dropna(subset=["index_platform"])
    day_only = (  # a date without a time of day (precision "day", or "month" for some sheets)
        f["date_precision"].astype("string").fillna("minute").isin(["day", "month"])
        if "date_precision" in f
        else pd.Series(False, index=f.index)
    )
    used = f[~day_only]
    local = periods.local_time(used)
    labels = [f"{h:02d}-{h + hour_block - 1:02d}" for h in range(0, 24, hour_block)]
    block = pd.Categorical([labels[h // hour_block] for h in local.dt.hour], categories=labels)
    day = pd.Categorical([_DAYS[d] for d in local.dt.day_of_week], categories=list(_DAYS))
    data = pd.DataFrame({"day": day, "hour": block, "index": used["index_platform"].to_numpy()})
    counts = (
        data.pivot_table(
            index="day", columns="hour", values="index", aggfunc="size", observed=False
        )
        .fillna(0)
        .astype(int)
    )
    med = data.pivot_table(
        index="day", columns="hour", values="index", aggfunc="median", observed=False
    )
    med = med.reindex(index=list(_DAYS), columns=labels).where(
        counts.reindex(index=list(_DAYS), columns=labels) >= min_posts
    )
    return BestTime(med, counts, len(used), int(day_only.sum()), tuple(window), min_posts)
