"""Planned vs shipped: the sprint's calendar rows against what was published."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .._text import plain_text as _text
from ..calendar import CalendarMatch
from .base import (
    _check_month,
    sprint_of,
)


@dataclass(frozen=True, eq=False)
class Delivery:
    """Planned vs shipped for one sprint.

    ``delivery_rate`` = calendar rows of the sprint published within the sprint / all calendar
    rows of the sprint (dropped rows included: they were planned).
    """

    month: str
    planned: int
    shipped: int
    slipped: int
    dropped: int
    not_shipped: int
    ambiguous: int
    published_posts: int
    unplanned_posts: int
    shipped_from_earlier: int
    rows: pd.DataFrame
    unplanned: pd.DataFrame

    @property
    def likely_matches(self) -> int:
        """Not-shipped rows flagged with a likely match among the unplanned posts."""
        if "likely_post_id" not in self.rows:
            return 0
        return int(self.rows["likely_post_id"].notna().sum())

    @property
    def delivery_rate(self) -> float:
        return self.shipped / self.planned if self.planned else float("nan")

    def __repr__(self) -> str:
        rate = f" ({self.delivery_rate:.1%})" if self.planned else ""
        return (
            f"Delivery({self.month}: {self.shipped} of {self.planned} planned posts shipped{rate}, "
            f"{self.published_posts} published, {self.unplanned_posts} unplanned)"
        )

    def plot(self, ax=None):
        """The sprint's calendar rows by outcome and the unplanned posts, as bars."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 2))
        items = {"shipped": self.shipped, "slipped": self.slipped, "dropped": self.dropped,
                 "not shipped": self.not_shipped, "ambiguous": self.ambiguous,
                 "unplanned posts": self.unplanned_posts}  # fmt: skip
        ax.barh(list(items), list(items.values()), color="#0072B2")
        ax.invert_yaxis()
        ax.set(xlabel="posts or calendar rows", ylabel="")
        return ax

    def to_frame(self) -> pd.DataFrame:
        """Planned, shipped, slipped ... as ``item``, ``count`` rows."""
        items = [
            ("planned (calendar rows of the sprint)", self.planned),
            ("shipped within the sprint", self.shipped),
            ("slipped (published in a later sprint)", self.slipped),
            ("dropped (marked dropped in the calendar)", self.dropped),
            ("not shipped (no post found)", self.not_shipped),
            ("  of which with a likely match among the unplanned posts", self.likely_matches),
            ("ambiguous (several posts fit; check by hand)", self.ambiguous),
            ("posts published in the sprint", self.published_posts),
            ("  of which unplanned (no calendar row)", self.unplanned_posts),
            ("  of which planned for an earlier sprint", self.shipped_from_earlier),
        ]
        return pd.DataFrame(items, columns=["item", "count"])


def delivery(match: CalendarMatch, posts: pd.DataFrame, month: str) -> Delivery:
    """Delivery of sprint ``month`` from a :func:`match_calendar` over the whole calendar."""
    _check_month(month)
    rows = match.rows[match.rows["sprint"] == month].copy()
    counts = rows["outcome"].value_counts()
    p = posts.copy()
    p["_sprint"] = sprint_of(p)
    mine = p[p["_sprint"] == month]
    matched = match.rows.dropna(subset=["post_id"])
    mkeys = set(matched["platform"].astype(str) + "|" + matched["post_id"].astype(str))
    keys = mine["platform"].astype(str) + "|" + mine["post_id"].astype(str)
    earlier = set(
        (matched["platform"].astype(str) + "|" + matched["post_id"].astype(str))[
            matched["sprint"] < month
        ]
    )
    unplanned = mine[~keys.isin(mkeys)]
    cols = [
        c
        for c in ("platform", "post_id", "published_local", "format", "text", "permalink")
        if c in unplanned
    ]
    unplanned = unplanned[cols].copy()
    if "likely_post_id" in match.rows:
        flagged = match.rows.dropna(subset=["likely_post_id"])
        row_of = dict(
            zip(
                flagged["platform"].astype(str) + "|" + flagged["likely_post_id"].astype(str),
                flagged["calendar_row"],
                strict=True,
            )
        )
        ukeys = unplanned["platform"].astype(str) + "|" + unplanned["post_id"].astype(str)
        unplanned["likely_calendar_row"] = pd.array(ukeys.map(row_of), dtype="Int64")
    if "text" in unplanned:
        unplanned["text"] = unplanned["text"].map(lambda t: _text(t, 100))
    return Delivery(
        month=month,
        planned=len(rows),
        shipped=int(counts.get("shipped", 0)),
        slipped=int(counts.get("slipped", 0)),
        dropped=int(counts.get("dropped", 0)),
        not_shipped=int(counts.get("not shipped", 0)),
        ambiguous=int(counts.get("ambiguous", 0)),
        published_posts=len(mine),
        unplanned_posts=len(unplanned),
        shipped_from_earlier=int(keys.isin(earlier).sum()),
        rows=rows.reset_index(drop=True),
        unplanned=unplanned.reset_index(drop=True),
    )
