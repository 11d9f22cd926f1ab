"""Closing the loop: last sprint's predictions against what its posts did (:func:`calibrate`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import periods
from ..errors import AnalysisError
from .history import post_outcomes
from .model import _fit

__all__ = ["Calibration", "calibrate"]


@dataclass(frozen=True)
class Calibration:
    """Predicted versus actual for one sprint's posts (the model fitted on earlier sprints)."""

    sprint: str
    table: pd.DataFrame = field(repr=False)
    level: float
    coverage_ideas: float
    coverage_all: float
    n_ideas: int
    n_all: int

    def __repr__(self) -> str:
        return (
            f"Calibration({self.sprint}: {self.coverage_all:.0%} of {self.n_all} posts inside "
            f"the {self.level:.0%} intervals; shipped ideas {self.coverage_ideas:.0%} of "
            f"{self.n_ideas})"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row a post of the sprint: predicted engagements with the interval, actual, and
        whether it fell inside (``covered``, ``position``)."""
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """Share of posts whose engagements fell inside the prediction interval."""
        t = self.table
        rows = []
        for name, sub in (("shipped ideas", t[t["idea_id"] != ""]), ("every post", t)):
            rows.append(
                {
                    "posts": name,
                    "n": len(sub),
                    "nominal": self.level,
                    "covered": float(sub["covered"].mean()) if len(sub) else float("nan"),
                    "below": float((sub["position"] == "below").mean()) if len(sub) else float("nan"),
                    "above": float((sub["position"] == "above").mean()) if len(sub) else float("nan"),
                    "median actual / predicted": float((sub["engagements"] / sub["predicted"]).median())
                    if len(sub) else float("nan"),
                }
            )  # fmt: skip
        return pd.DataFrame(rows)

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(7, 4))[1]
        t = self.table.sort_values("predicted").reset_index(drop=True)
        x = np.arange(len(t))
        ax.vlines(x, t["predicted_low"], t["predicted_high"], color="#9aa5b1", label="interval")
        ax.scatter(x, t["engagements"], s=12, color=np.where(t["covered"], "#009E73", "#D55E00"),
                   label="actual", zorder=3)  # fmt: skip
        ax.set_yscale("log")
        ax.set_xlabel("posts, ordered by prediction")
        ax.set_ylabel("engagements")
        ax.set_title(
            f"Predicted vs actual, {self.sprint}: {self.coverage_all:.0%} inside the 80% intervals"
        )
        return ax


def calibrate(
    posts: pd.DataFrame, sprint: str, *, experiments: Any = None, level: float = 0.8, seed: int = 0
) -> Calibration:
    """Fit the model on the posts before ``sprint``, predict that sprint's organic posts, and
    check whether actual engagements fell inside the prediction intervals.

    The rows with a calendar ``idea_id`` are the shipped ideas (the backlog's predictions); the
    other posts of the sprint widen the check. Coverage near ``level`` means the intervals can
    be trusted; far below means the scores are over-confident.
    """
    periods.check_month(sprint)
    h = post_outcomes(posts)
    model = _fit(h, sprint, experiments, None, level)
    s = h[h["sprint"] == sprint].reset_index(drop=True)
    if s.empty:
        raise AnalysisError(f"no organic posts with exposure in sprint {sprint}: nothing to check.")
    s = s[s["platform"].isin(model.baseline.keys())].reset_index(drop=True)
    pred = model.predict(s[["platform", "format", "pillar", "age_bin"]], seed=seed)
    ids = s["idea_id"].astype(object).where(s["idea_id"].notna(), "") if "idea_id" in s else ""
    out = pd.DataFrame(
        {
            "idea_id": ids,
            "platform": s["platform"],
            "post_id": s["post_id"],
            "format": s["format"],
            "pillar": s["pillar"],
            "predicted": pred["engagements"],
            "predicted_low": pred["engagements_low"],
            "predicted_high": pred["engagements_high"],
            "engagements": s["engagements"],
            "reach_predicted": pred["reach"],
            "exposure": s["exposure"],
            "rate_predicted": pred["rate"],
            "rate_actual": s["engagements"] / s["exposure"],
        }
    )
    out["covered"] = out["engagements"].between(out["predicted_low"], out["predicted_high"])
    out["position"] = np.where(
        out["engagements"] < out["predicted_low"],
        "below",
        np.where(out["engagements"] > out["predicted_high"], "above", "inside"),
    )
    ideas = out[out["idea_id"] != ""]
    return Calibration(
        sprint=sprint,
        table=out,
        level=level,
        coverage_ideas=float(ideas["covered"].mean()) if len(ideas) else float("nan"),
        coverage_all=float(out["covered"].mean()),
        n_ideas=len(ideas),
        n_all=len(out),
    )
