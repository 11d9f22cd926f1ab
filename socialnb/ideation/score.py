"""Scoring the backlog (RICE: reach x impact x confidence / effort) on the performance model's
evidence, with an exploration bonus for barely tried combinations."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError, ParameterError
from .model import PerformanceModel

__all__ = [
    "IMPACT_SCALE",
    "impact_score",
    "exploration_eligible",
    "exploration_impact",
    "Scores",
    "score_ideas",
]

#: Predicted lift (expected engagements per exposure of the idea's combination divided by the
#: platform's recent baseline) -> RICE impact. Read as: lift >= threshold gives the score.
IMPACT_SCALE: tuple[tuple[float, float, str], ...] = (
    (1.5, 3.0, "massive: at least 1.5x the baseline"),
    (1.15, 2.0, "high: 1.15x to 1.5x"),
    (0.9, 1.0, "medium: 0.9x to 1.15x"),
    (0.7, 0.5, "low: 0.7x to 0.9x"),
    (0.0, 0.25, "minimal: below 0.7x"),
)


def impact_score(lift: float | np.ndarray) -> Any:
    """Map a predicted lift (ratio to the baseline) to the RICE impact scale
    (:data:`IMPACT_SCALE`): >= 1.5 -> 3, >= 1.15 -> 2, >= 0.9 -> 1, >= 0.7 -> 0.5, else 0.25.
    NaN (no evidence) maps to 1 (assume the baseline).

    Examples
    --------
    >>> impact_score(1.2), impact_score(float("nan"))
    (2.0, 1.0)
    >>> impact_score(np.array([0.5, 0.8, 1.0, 1.6])).tolist()
    [0.25, 0.5, 1.0, 3.0]
    """
    arr = np.asarray(lift, dtype=float)
    out = np.full(arr.shape, 0.25)
    for threshold, score, _ in reversed(IMPACT_SCALE):
        out = np.where(arr >= threshold, score, out)
    out = np.where(np.isnan(arr), 1.0, out)
    return float(out) if out.ndim == 0 else out


def exploration_eligible(n_platform_format: int | np.ndarray, *, below: int = 5) -> Any:
    """The exploration rule: a combination is *barely tried* when the brand has fewer than
    ``below`` organic posts of that platform x format.

    Examples
    --------
    >>> exploration_eligible(np.array([0, 4, 5, 40])).tolist()
    [True, True, False, False]
    """
    return np.asarray(n_platform_format) < below


def exploration_impact(impact: Any, exploratory: Any) -> Any:
    """The exploration bonus: an exploratory idea's RICE impact moves one step up the scale
    (0.25 -> 0.5 -> 1 -> 2 -> 3, 3 stays 3); other ideas keep theirs.

    Examples
    --------
    >>> exploration_impact([0.5, 3.0, 1.0], [True, True, False]).tolist()
    [1.0, 3.0, 1.0]
    """
    steps = [s for _, s, _ in reversed(IMPACT_SCALE)]  # 0.25 .. 3
    imp = np.asarray(impact, dtype=float)
    up = np.array([steps[min(steps.index(float(v)) + 1, len(steps) - 1)] for v in imp.ravel()])
    return np.where(np.asarray(exploratory, dtype=bool), up.reshape(imp.shape), imp)


def _model_confidence(width: np.ndarray, n_comb: np.ndarray, n_pf: np.ndarray) -> np.ndarray:
    # interval factor: 1 for a point estimate, 0 for an 80% interval spanning a factor of 4
    width_f = np.clip(1 - width / math.log(4), 0.0, 1.0)
    # history factor: similar posts (same combination, plus half weight for the same platform x
    # format in other pillars), saturating: 10 posts -> 0.5, 30 -> 0.75
    n = n_comb + 0.5 * (n_pf - n_comb)
    hist_f = n / (n + 10.0)
    return np.clip(100 * np.sqrt(width_f * hist_f), 10.0, 100.0)


@dataclass(frozen=True)
class Scores:
    """The scored backlog: ``table`` (one row an idea, best first) and :attr:`impact_mapping`.

    RICE score = reach x impact x confidence / effort, with reach in thousands of exposures per
    post (the model's median), impact from the predicted lift (:func:`impact_score`), confidence
    the blend of the model's and the team's (see :func:`score_ideas`) and effort in hours.
    """

    table: pd.DataFrame = field(repr=False)
    confidence_rule: str
    explore_below: int
    n_ideas: int

    @property
    def ranked_ids(self) -> list[str]:
        return list(self.table["id"])

    @staticmethod
    def impact_mapping() -> pd.DataFrame:
        """The lift -> RICE impact mapping, as a table."""
        return pd.DataFrame(
            [{"lift at least": t, "impact": s, "meaning": m} for t, s, m in IMPACT_SCALE]
        )

    def __repr__(self) -> str:
        top = ", ".join(self.ranked_ids[:3])
        return f"Scores({self.n_ideas} ideas, best first: {top}; confidence {self.confidence_rule})"

    def to_frame(self) -> pd.DataFrame:
        """One row an idea, best first: every factor of its score and why."""
        return self.table.copy()

    def breakdown(self, idea_id: str | None = None) -> pd.DataFrame:
        """Why each idea ranks where it does: every factor of its score, with the evidence."""
        cols = ["rank", "id", "title", "platform", "format", "pillar", "reach_k", "lift",
                "lift_low", "lift_high", "impact", "model_confidence", "team_confidence",
                "confidence", "effort_hours", "exploration", "score", "n_platform_format",
                "n_combination", "experiment_adjustment", "why"]  # fmt: skip
        t = self.table[cols]
        if idea_id is not None:
            t = t[t["id"] == idea_id]
            if t.empty:
                raise ParameterError(f"idea_id={idea_id!r}: not in the scored backlog.")
        return t.reset_index(drop=True)

    def plot(self, ax=None, plan: Sequence[str] = ()):
        """Value (score x effort, i.e. reach x impact x confidence) versus effort, the plan
        highlighted."""
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(7, 4.5))[1]
        t = self.table
        value = t["score"] * t["effort_hours"]
        chosen = t["id"].isin(list(plan)).to_numpy()
        ax.scatter(t["effort_hours"][~chosen], value[~chosen], color="#9aa5b1", label="not planned")
        ax.scatter(t["effort_hours"][chosen], value[chosen], color="#0072B2", label="in the plan",
                   edgecolor="k", zorder=3)  # fmt: skip
        # one label per point: ideas at the same effort and (nearly) the same value share it,
        # and labels of points close in value are stacked so no two overlap
        span = float(np.nanmax(value) - np.nanmin(value)) if len(value) else 0.0
        step = max(span, 1.0) * 0.045
        spots: dict[tuple[float, float], list[str]] = {}
        for x, y, i, c in zip(t["effort_hours"], value, t["id"], chosen, strict=True):
            if c and np.isfinite(y):
                spots.setdefault((float(x), round(float(y) / step)), []).append(str(i))
        placed: dict[float, list[float]] = {}
        for (x, _), ids in sorted(spots.items()):
            y = float(np.mean([v for v, i in zip(value, t["id"], strict=True) if str(i) in ids]))
            ty = y
            while any(abs(ty - o) < step for o in placed.get(x, [])):
                ty += step
            placed.setdefault(x, []).append(ty)
            ax.annotate(", ".join(sorted(ids)), (x, y), textcoords="offset points",
                        xytext=(4, 3 + 10 * (ty - y) / step), fontsize=8)  # fmt: skip
        ax.set_xlabel("effort (hours)")
        ax.set_ylabel("value: reach (k) x impact x confidence")
        ax.set_title("Value versus effort")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        return ax


def score_ideas(
    ideas: pd.DataFrame,
    model: PerformanceModel,
    *,
    statuses: Sequence[str] = ("backlog", "planned"),
    confidence: str = "blend",
    explore_below: int = 5,
    seed: int = 0,
) -> Scores:
    # long only by its docstring (parameters and rules in words)
    """Score the backlog (RICE) on the model's evidence.

    Parameters
    ----------
    ideas
        From :func:`load_ideas`.
    model
        From :func:`fit_performance` (fit it with ``extra_levels=ideas`` so unseen combinations
        get proper prior intervals).
    statuses
        Which ideas to score.
    confidence
        ``"model"`` (the model's confidence only), ``"team"`` (the team's, the model's where the
        team left it empty) or ``"blend"`` (default: geometric mean of both; the model's alone
        where the team's is empty).
    explore_below
        Exploration rule: an idea whose platform x format has fewer than this many organic posts
        in the history is *exploratory*: its RICE impact moves one step up the scale
        (:func:`exploration_impact`; optimism under uncertainty, so barely tried combinations
        get a chance against proven ones), and :func:`plan_sprint` caps the hours spent on
        them (``explore_share``).

    Notes
    -----
    * Reach: the model's median exposure of one post of that platform x format in the sprint.
      For a platform with no history at all, the brand-wide median exposure (marked).
    * Impact: predicted lift = expected engagements per exposure of the combination / the
      platform's baseline (the model's expected rate for its posts of the last three sprints),
      mapped by :func:`impact_score`.
    * Model confidence (10-100): ``100 x sqrt(interval factor x history factor)`` where the
      interval factor is ``1 - ln(high/low) / ln 4`` of the 80% rate interval (clipped to 0-1)
      and the history factor is ``n / (n + 10)`` with ``n`` the posts of the same combination
      plus half of those of the same platform x format in other pillars; floored at 10.
    """
    if confidence not in ("model", "team", "blend"):
        raise ParameterError(f"confidence={confidence!r}: use 'model', 'team' or 'blend'.")
    sel = ideas[ideas["status"].isin(statuses)].reset_index(drop=True)
    if sel.empty:
        raise AnalysisError(f"no ideas with status in {list(statuses)} to score.")
    pred = model.predict(sel, seed=seed)
    known = pred["platform"].isin(model.baseline.keys())
    width = np.log(pred["rate_high"] / pred["rate_low"]).to_numpy(float)
    mconf = _model_confidence(
        np.nan_to_num(width, nan=10.0),
        pred["n_combination"].to_numpy(float),
        pred["n_platform_format"].to_numpy(float),
    )
    explore = exploration_eligible(pred["n_platform_format"].to_numpy(), below=explore_below)
    impact = exploration_impact(impact_score(pred["lift"].to_numpy(float)), explore)
    reach = pred["reach"].to_numpy(float)
    fallback = float(model.history["exposure"].median())
    reach = np.where(known, reach, fallback)
    team = pred["team_confidence"].to_numpy(float)
    if confidence == "model":
        conf = mconf
    elif confidence == "team":
        conf = np.where(np.isnan(team), mconf, team)
    else:
        conf = np.where(np.isnan(team), mconf, np.sqrt(mconf * np.clip(team, 0, 100)))
    score = (reach / 1000.0) * impact * (conf / 100.0) / pred["effort_hours"].to_numpy(float)
    pred["reach_k"] = reach / 1000.0
    pred["reach_assumed"] = ~known
    pred["impact"] = impact
    pred["model_confidence"] = mconf
    pred["confidence"] = conf
    pred["exploration"] = explore
    pred["score"] = score
    pred["why"] = _why(pred, known, explore, explore_below)
    pred = pred.sort_values(["score", "id"], ascending=[False, True], kind="mergesort")
    pred = pred.reset_index(drop=True)
    pred.insert(0, "rank", np.arange(1, len(pred) + 1))
    return Scores(table=pred, confidence_rule=confidence, explore_below=explore_below,
                  n_ideas=len(pred))  # fmt: skip


def _why(pred: pd.DataFrame, known, explore, explore_below: int) -> list[str]:
    """Each idea's score in words: its lift and the evidence behind it, and its adjustments."""
    why = []
    for i, r in pred.iterrows():
        parts = []
        if not known[i]:
            parts.append(
                f"no {r['platform']} history: brand median reach and baseline impact assumed"
            )
        else:
            parts.append(
                f"{r['format']} on {r['platform']} ({r['pillar']}): {r['lift']:.2f}x the platform "
                f"baseline ({r['lift_low']:.2f}-{r['lift_high']:.2f}), from "
                f"{r['n_combination']} posts of this combination, {r['n_platform_format']} of "
                "this platform x format"
            )
        if explore[i]:
            parts.append(f"exploratory (< {explore_below} posts): impact one step up")
        if r["experiment_adjustment"] != 1:
            parts.append(f"experiment adjustment x{r['experiment_adjustment']:.2f}")
        why.append("; ".join(parts))
    return why
