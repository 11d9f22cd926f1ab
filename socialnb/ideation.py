"""Ideation: score the idea backlog on the brand's own evidence and draft the next sprint.

The steps, each a function with a result you can show in a notebook:

1. :func:`load_ideas` reads ``data/<brand>/ideas.csv`` (or ``.xlsx``) and checks it.
2. :func:`fit_performance` fits the performance model on the brand's post history (see
   :class:`PerformanceModel` for the model and why it is that model).
3. :func:`score_ideas` turns predictions into RICE scores (reach, impact, confidence, effort) with
   an exploration bonus, and a per-idea breakdown that explains every number.
4. :func:`plan_sprint` plans the month's registered tests first, then the best ideas within
   capacity, pillar mix and cadence: one variant per idea (:func:`same_idea_groups`), no series
   the retro says to sunset, each series on its weekday (:func:`series_weekdays`), and the
   cadence slots left open per platform stated; :func:`write_calendar_draft` writes
   ``calendar_draft.csv`` safe to open in Excel.
5. :func:`calibrate` compares last sprint's predictions with what happened.

Engagements are likes + comments + shares + saves over the parts a platform reports
(reference/metrics.md); exposure is reach on Facebook and Instagram, impressions on X and
LinkedIn, views on TikTok and YouTube (:data:`EXPOSURE`). Boosted posts are left out: a boosted
post never sets an organic baseline.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _model
from . import metrics as M
from ._sheets import read_sheet
from ._sheets import sheet_error as _fail
from .config import CALENDAR_COLUMNS, IDEAS_COLUMNS, BrandConfig
from .errors import AnalysisError, ParameterError
from .schema import FORMATS, PLATFORMS

__all__ = [
    "IDEA_STATUSES",
    "OPTIONAL_IDEA_COLUMNS",
    "EXPOSURE",
    "IMPACT_SCALE",
    "load_ideas",
    "post_outcomes",
    "PerformanceModel",
    "fit_performance",
    "MIN_HISTORY_POSTS",
    "history_gap",
    "impact_score",
    "exploration_eligible",
    "exploration_impact",
    "Scores",
    "score_ideas",
    "SprintPlan",
    "same_idea_groups",
    "series_weekdays",
    "plan_sprint",
    "neutralise_cell",
    "write_calendar_draft",
    "Calibration",
    "calibrate",
    "next_month",
    "resolve_sprints",
]

IDEA_STATUSES: tuple[str, ...] = ("backlog", "planned", "shipped", "rejected")
#: Columns of ideas.csv that may be left out of the file (read as empty).
OPTIONAL_IDEA_COLUMNS: tuple[str, ...] = ("same_as",)
_REQUIRED = ("id", "title", "platform", "format", "effort_hours")

#: Exposure metric per platform: first its own (the denominator of its
#: :data:`socialnb.metrics.PRIMARY_RATE`, checked by a test), then the fallbacks used when that
#: one is missing.
EXPOSURE: dict[str, tuple[str, ...]] = {
    "facebook": ("reach", "impressions", "views"),
    "instagram": ("reach", "impressions", "views"),
    "x": ("impressions", "views", "reach"),
    "linkedin": ("impressions", "views", "reach"),
    "tiktok": ("views", "reach", "impressions"),
    "youtube": ("views", "impressions", "reach"),
}

#: Predicted lift (expected engagements per exposure of the idea's combination divided by the
#: platform's recent baseline) -> RICE impact. Read as: lift >= threshold gives the score.
IMPACT_SCALE: tuple[tuple[float, float, str], ...] = (
    (1.5, 3.0, "massive: at least 1.5x the baseline"),
    (1.15, 2.0, "high: 1.15x to 1.5x"),
    (0.9, 1.0, "medium: 0.9x to 1.15x"),
    (0.7, 0.5, "low: 0.7x to 0.9x"),
    (0.0, 0.25, "minimal: below 0.7x"),
)

_HOUR_BINS = ((0, 6, "night"), (6, 11, "morning"), (11, 15, "midday"), (15, 19, "afternoon"),
              (19, 24, "evening"))  # fmt: skip
_AGE_BINS = ((0, 3, "0-2d"), (3, 7, "3-6d"), (7, 14, "7-13d"), (14, 10**6, "14d+"))
_MATURE = "14d+"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# =========================================================================== the backlog
def load_ideas(path: str | Path, *, missing_ok: bool = False) -> pd.DataFrame:
    """Read and check an idea backlog (``ideas.csv`` or ``ideas.xlsx``).

    ``path`` is the file or the brand folder holding it. With ``missing_ok=True`` a brand
    folder without a backlog gives an empty frame with the columns (the ideation page then says
    which file unlocks the backlog sections) instead of an error.

    Columns are :data:`socialnb.config.IDEAS_COLUMNS`; ``id``, ``title``, ``platform``,
    ``format`` and ``effort_hours`` are required in every row, the others may be empty. The
    optional columns :data:`OPTIONAL_IDEA_COLUMNS` may be left out of the file: ``same_as``
    names the other variant(s) of the same idea (ids separated by ``;``), which the plan treats
    as one choice (:func:`same_idea_groups`; older files say "same idea as ..." in ``notes``).

    Returns
    -------
    DataFrame
        The columns in order, ``effort_hours`` and ``team_confidence`` (percent, NaN when empty)
        as numbers, ``status`` defaulting to ``backlog``, and ``row`` (the spreadsheet row,
        header = row 1).

    Raises
    ------
    ConfigError
        Naming the file, row and column: a missing column or field, an unknown platform, format
        or status, an effort that is not a positive number of hours, a team confidence outside
        0-100, an id used twice, or a ``same_as`` naming an unknown id or the idea itself.
    """
    path = Path(path)
    if path.is_dir():
        found = next((p for p in (path / "ideas.csv", path / "ideas.xlsx") if p.exists()), None)
        if found is None and missing_ok:
            empty = pd.DataFrame({c: pd.Series(dtype=object) for c in IDEAS_COLUMNS})
            empty[["effort_hours", "team_confidence"]] = empty[
                ["effort_hours", "team_confidence"]
            ].astype(float)
            return empty.assign(row=pd.Series(dtype="int64"))
        path = found or path / "ideas.csv"
    frame = read_sheet(path, what="idea backlog", columns=IDEAS_COLUMNS)
    for col in _REQUIRED:
        if col not in frame.columns:
            raise _fail(
                path, 1, col, "this column is missing.",
                f"add it; a backlog has the columns {', '.join(IDEAS_COLUMNS)}.",
            )  # fmt: skip
    columns = [*IDEAS_COLUMNS, *OPTIONAL_IDEA_COLUMNS]
    for col in columns:
        if col not in frame:
            frame[col] = ""
    frame = frame[columns].fillna("").astype(str).apply(lambda c: c.str.strip())
    frame["row"] = range(2, len(frame) + 2)
    frame = frame[(frame.drop(columns="row") != "").any(axis=1)].reset_index(drop=True)

    def check(column: str, ok: pd.Series, problem: str, fix: str) -> None:
        ok = ok.fillna(False).astype(bool)
        if not ok.all():
            i = int((~ok).to_numpy().argmax())
            value = frame[column].iloc[i]
            raise _fail(path, int(frame["row"].iloc[i]), column, problem.format(value=value), fix)

    for col in _REQUIRED:
        check(col, frame[col] != "", "is empty.", f"fill in {col}.")
    frame["platform"] = frame["platform"].str.lower()
    check("platform", frame["platform"].isin(PLATFORMS), "unknown platform {value!r}.",
          f"use one of {', '.join(PLATFORMS)}.")  # fmt: skip
    frame["format"] = frame["format"].str.lower()
    check("format", frame["format"].isin(FORMATS), "unknown format {value!r}.",
          f"use one of {', '.join(FORMATS)}.")  # fmt: skip
    frame["status"] = frame["status"].str.lower().replace("", "backlog")
    check("status", frame["status"].isin(IDEA_STATUSES), "unknown status {value!r}.",
          f"use one of {', '.join(IDEA_STATUSES)}.")  # fmt: skip
    hours = pd.to_numeric(frame["effort_hours"], errors="coerce")
    check("effort_hours", hours.notna() & (hours > 0) & np.isfinite(hours),
          "{value!r} is not a positive number of hours.", "write hours such as 2 or 1.5.")  # fmt: skip
    frame["effort_hours"] = hours.astype(float)
    conf = pd.to_numeric(frame["team_confidence"].str.rstrip("%"), errors="coerce")
    check("team_confidence", (frame["team_confidence"] == "") | (conf.notna() & conf.between(0, 100)),
          "{value!r} is not a confidence between 0 and 100.",
          "write the team's confidence in percent (e.g. 80), or leave it empty.")  # fmt: skip
    frame["team_confidence"] = conf.astype(float)
    dup = frame["id"].duplicated(keep="first")
    check(
        "id", ~dup, "id {value!r} is already used by an earlier row.", "give every idea its own id."
    )
    known = set(frame["id"])
    refs = [_split_ids(v) for v in frame["same_as"]]
    check("same_as", pd.Series([all(r in known for r in x) for x in refs]),
          "{value!r} names an idea id that is not in the backlog.",
          "write the id (or ids, separated by ';') of the other variant(s) of the same idea.")  # fmt: skip
    check("same_as", pd.Series([i not in x for i, x in zip(frame["id"], refs, strict=True)]),
          "{value!r} names the idea itself.", "name the other variant(s) of the idea.")  # fmt: skip
    frame["pillar"] = frame["pillar"].str.lower()
    return frame


def _split_ids(value: Any) -> list[str]:
    s = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return [x for x in re.split(r"[;,\s]+", s.strip()) if x]


# =========================================================================== outcomes
def post_outcomes(posts: pd.DataFrame) -> pd.DataFrame:
    """Organic posts with ``engagements``, ``exposure`` (and which metric it is) and the model's
    covariates (``hour_bin``, ``weekday``, ``sprint``, ``pillar`` with ``unknown`` for NA).

    Posts without an exposure or without any engagement part are left out; boosted posts too.
    """
    if posts.empty:
        raise AnalysisError("no posts: ingest the brand's exports first (Workspace.ingest).")
    p = M.with_format(posts)
    if "distribution" in p:
        p = p[p["distribution"].fillna("organic").astype(str) != "boosted"]
    parts = p[["likes", "comments", "shares", "saves"]].astype(float)
    p["engagements"] = parts.sum(axis=1, min_count=1)
    exposure = pd.Series(np.nan, index=p.index)
    metric = pd.Series("", index=p.index, dtype=object)
    for plat, order in EXPOSURE.items():
        sel = p["platform"] == plat
        for m in reversed(order):  # the first listed wins
            ok = sel & p[m].astype(float).gt(0)
            exposure[ok] = p.loc[ok, m].astype(float)
            metric[ok] = m
    p["exposure"] = exposure
    p["exposure_metric"] = metric
    p = p[p["exposure"].gt(0) & p["engagements"].notna()].copy()
    local = pd.to_datetime(p["published_local"])
    minute = p["date_precision"].astype(str).eq("minute")
    hour = local.dt.hour
    hb = pd.Series("unknown", index=p.index, dtype=object)
    for lo, hi, name in _HOUR_BINS:
        hb[minute & hour.ge(lo) & hour.lt(hi)] = name
    p["hour_bin"] = hb
    age = (
        pd.to_datetime(p["exported_at"], utc=True) - pd.to_datetime(p["published_at"], utc=True)
    ).dt.total_seconds() / 86400.0
    ab = pd.Series(_MATURE, index=p.index, dtype=object)
    for lo, hi, name in _AGE_BINS:
        ab[age.ge(lo) & age.lt(hi)] = name
    p["age_bin"] = ab
    p["weekday"] = [(_WEEKDAYS[d] if d == d else "unknown") for d in local.dt.day_of_week]
    p["sprint"] = local.dt.strftime("%Y-%m")
    p["pillar"] = p["pillar"].astype(object).where(p["pillar"].notna(), "unknown").str.lower()
    p["platform"] = p["platform"].astype(str)
    return p.reset_index(drop=True)


def next_month(month: str) -> str:
    """``"2026-10"`` -> ``"2026-11"``."""
    try:
        y, m = int(month[:4]), int(month[5:7])
        if len(month) != 7 or month[4] != "-" or not 1 <= m <= 12:
            raise ValueError
    except ValueError as exc:
        raise ParameterError(f"month={month!r}: write a month as YYYY-MM, e.g. 2026-10.") from exc
    return f"{y + (m == 12):04d}-{m % 12 + 1:02d}"


def resolve_sprints(month: str, posts: pd.DataFrame) -> tuple[str, str]:
    """Which sprint to plan and which to check, given the notebook's ``month``.

    The report passes the month it reports on (a finished sprint with posts); a person may pass
    the sprint to plan. Rule: if ``month`` already has posts, it is the finished sprint: plan
    ``month + 1`` and check ``month``. Otherwise ``month`` is the sprint to plan, and the check is
    the latest sprint before it that has posts. Returns ``(to_plan, to_check)``.
    """
    next_month(month)
    local = pd.to_datetime(posts["published_local"]).dropna().dt.strftime("%Y-%m")
    before = sorted(m for m in set(local) if m <= month)
    if not before:
        raise AnalysisError(f"no posts on or before {month}: ingest the brand's exports first.")
    if before[-1] == month:
        return next_month(month), month
    return month, before[-1]


def _month_index(sprint: pd.Series | str) -> Any:
    s = pd.Series([sprint]) if isinstance(sprint, str) else sprint
    out = s.str[:4].astype(int) * 12 + s.str[5:7].astype(int)
    return int(out.iloc[0]) if isinstance(sprint, str) else out


# =========================================================================== the model
_PRIOR_SD = {
    "platform": None,  # unpenalised: each platform has its own level
    # weakly informative (log reach per year): identified trends are barely moved, and a
    # platform whose posts all fall in one sprint gets no trend instead of a singular fit
    "trend": 1.0,
    "format": 1.0,  # weakly informative: a format main effect is rarely beyond e^{+-2}
    "pillar": 1.0,
    "hour": 0.5,
    "weekday": 0.5,
    "age": 1.0,
    "pf": 0.3,  # platform x format: start value, re-estimated (empirical Bayes)
    "pfp": 0.3,  # platform x format x pillar: start value, re-estimated
}


def _columns(levels: Mapping[str, Sequence[str]], *, with_controls: bool, with_trend: bool):
    cols: list[tuple[str, str]] = []
    cols += [("platform", p) for p in levels["platform"]]
    if with_trend:
        cols += [("trend", p) for p in levels["platform"]]
    cols += [("format", f) for f in levels["format"]]
    cols += [("pf", x) for x in levels["pf"]]
    if "pillar" in levels:
        cols += [("pillar", k) for k in levels["pillar"]]
        cols += [("pfp", x) for x in levels["pfp"]]
    if with_controls:
        cols += [("hour", h) for h in levels["hour"]]
        cols += [("weekday", d) for d in levels["weekday"]]
    if "age" in levels:
        cols += [("age", a) for a in levels["age"]]
    return cols


def _design(frame: pd.DataFrame, cols: list[tuple[str, str]], ref_month: int | None = None):
    n = len(frame)
    index = {c: j for j, c in enumerate(cols)}
    X = np.zeros((n, len(cols)))
    plat = frame["platform"].to_numpy(str)
    fmt = frame["format"].to_numpy(str)
    keys = {
        "platform": plat,
        "format": fmt,
        "pf": np.char.add(np.char.add(plat, "|"), fmt),
    }
    if "pillar" in frame:
        pil = frame["pillar"].to_numpy(str)
        keys["pillar"] = pil
        keys["pfp"] = np.char.add(np.char.add(keys["pf"], "|"), pil)
    if "hour_bin" in frame:
        keys["hour"] = frame["hour_bin"].to_numpy(str)
        keys["weekday"] = frame["weekday"].to_numpy(str)
    if "age_bin" in frame:
        keys["age"] = frame["age_bin"].to_numpy(str)
    for g, vals in keys.items():
        for i, v in enumerate(vals):
            j = index.get((g, v))
            if j is not None:
                X[i, j] = 1.0
    if ref_month is not None and "sprint" in frame:
        mi = _month_index(frame["sprint"]).to_numpy(float) - ref_month
        for i, p in enumerate(plat):
            j = index.get(("trend", p))
            if j is not None:
                X[i, j] = mi[i] / 12.0  # per year
    return X


@dataclass(frozen=True)
class PerformanceModel:
    """Expected engagements (and reach) per post for a platform x format x pillar combination.

    The model
    ---------
    *Engagements*: a negative binomial (NB2) regression with a ``log(exposure)`` offset, so it
    models engagements per unit of exposure (reach, impressions or views: :data:`EXPOSURE`) and
    the exposure itself carries the follower count (a larger audience gives a larger reach).
    Linear predictor::

        log E[engagements] = log(exposure) + platform + format + pillar
                             + platform:format + platform:format:pillar
                             + hour-of-day bin + weekday + age at export

    The hour bin is ``unknown`` for posts whose export has only a date
    (``date_precision == "day"``). Age at export (0-2, 3-6, 7-13, 14+ days between publishing
    and the export's lifetime totals) controls for young posts looking small; predictions are
    for a mature post (14+ days), except in :func:`calibrate`, which predicts each post at the
    age it was measured. Platforms are unpenalised (each has its own level); format,
    pillar, hour and weekday main effects carry fixed weakly informative Gaussian priors (sd 1.0,
    1.0, 0.5, 0.5 on the log scale); the *combination* effects carry Gaussian priors whose sd is
    estimated from the data (empirical Bayes, EM updates). That is partial pooling: a combination
    with three posts is pulled toward its platform and format main effects in proportion to how
    little it has, and a combination never seen is exactly its main effects with the prior's
    uncertainty added. It is the Laplace approximation of a NB mixed model with random
    platform:format and platform:format:pillar intercepts, fitted by penalised IRLS with the NB
    dispersion re-estimated by maximum likelihood. Why this and not a full mixed model:
    statsmodels has no NB GLMM; a penalised GLM with EB variances gives the same shrinkage,
    fits in well under a second, is deterministic, and its posterior covariance gives the
    intervals directly.

    *Reach* (exposure per post): a Gaussian model of ``log(exposure)`` with platform levels, a
    per-platform linear trend over sprints (audience growth: this is the follower-count
    control), age at export, and pooled format and platform:format effects; predicted for the sprint being planned.

    *Experiments*: a concluded test whose variants are two formats on one platform (e.g.
    ``reel-vs-carousel``) enters the fit as one more observation: its log effect, with the
    variance implied by its interval, on the contrast ``(format + platform:format)`` of the
    variant minus that of the baseline. The test's posts are usually in the history too, so its
    evidence is counted twice; with 8-10 posts a variant against hundreds that is a small
    over-weighting, stated here rather than hidden. A test that is not a format contrast (a
    caption treatment such as ``hook-question``) cannot be placed on these terms: it applies to
    the ideas whose ``notes`` name its id, whose predicted rate is multiplied by the test's
    effect (its log-scale variance added). Tests without a finite effect and interval, or whose
    decision is "not analysed", are ignored; see :attr:`experiment_log`.

    Use :func:`fit_performance` to build one, :meth:`predict` for combinations, :meth:`effects`
    for the estimated multipliers.
    """

    engagement_fit: Any = field(repr=False)
    reach_fit: Any = field(repr=False)
    columns: tuple[tuple[str, str], ...] = field(repr=False)
    reach_columns: tuple[tuple[str, str], ...] = field(repr=False)
    control_means: Mapping[str, np.ndarray] = field(repr=False)
    history: pd.DataFrame = field(repr=False)
    baseline: Mapping[str, float]
    target_month: str
    ref_month: int = field(repr=False)
    experiment_log: pd.DataFrame = field(repr=False)
    note_effects: Mapping[str, tuple[float, float]] = field(repr=False)
    level: float = 0.8
    n_posts: int = 0

    @property
    def alpha(self) -> float:
        """NB2 dispersion of engagements (Var = mu + alpha mu^2)."""
        return float(self.engagement_fit.alpha)

    def _rows(self, combos: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        c = combos[["platform", "format", "pillar"]].astype(str).reset_index(drop=True)
        c["age_bin"] = combos["age_bin"].astype(str).to_numpy() if "age_bin" in combos else _MATURE
        X = _design(c, list(self.columns))
        ctrl = np.array([g in ("hour", "weekday") for g, _ in self.columns])
        for i, plat in enumerate(c["platform"]):
            X[i, ctrl] = self.control_means.get(plat, self.control_means["__all__"])
        c2 = c.assign(sprint=self.target_month)
        R = _design(c2, list(self.reach_columns), self.ref_month)
        return X, R

    def predict(
        self, combos: pd.DataFrame, *, level: float | None = None, draws: int = 4000, seed: int = 0
    ) -> pd.DataFrame:
        """Predictions for rows holding ``platform``, ``format``, ``pillar`` (and optionally
        ``notes`` for experiment adjustments).

        Returns the input columns plus: ``rate`` (expected engagements per unit of exposure) with
        ``rate_low``/``rate_high`` (interval for the expected rate), ``reach`` (median exposure of
        one post) with ``reach_low``/``reach_high`` (prediction interval for one post),
        ``engagements`` (median of one post's predictive distribution) with
        ``engagements_low``/``engagements_high`` (prediction interval for one post, from seeded
        simulation: rate and exposure uncertainty plus NB noise), ``lift`` (rate over the
        platform baseline) with ``lift_low``/``lift_high``, and the history counts
        ``n_platform_format`` and ``n_combination``.
        """
        level = self.level if level is None else level
        from scipy import stats

        z = float(stats.norm.ppf(0.5 + level / 2))
        out = combos.reset_index(drop=True).copy()
        out["pillar"] = out["pillar"].fillna("").astype(str).str.lower().replace("", "unknown")
        X, R = self._rows(out)
        ef, rf = self.engagement_fit, self.reach_fit
        eta = X @ ef.coef
        se = np.sqrt(np.einsum("ij,jk,ik->i", X, ef.cov, X))
        adj_log = np.zeros(len(out))
        adj_var = np.zeros(len(out))
        if "notes" in out and self.note_effects:
            for i, note in enumerate(out["notes"].fillna("").astype(str)):
                for exp_id, (lg, var) in self.note_effects.items():
                    if exp_id and exp_id in note:
                        adj_log[i] += lg
                        adj_var[i] += var
        eta = eta + adj_log
        se = np.sqrt(se**2 + adj_var)
        known = out["platform"].isin(self.baseline.keys()).to_numpy()
        m = R @ rf.coef
        se_m = np.sqrt(np.einsum("ij,jk,ik->i", R, rf.cov, R))
        sd_pred = np.sqrt(se_m**2 + rf.sigma2)
        rng = np.random.default_rng(seed)
        e_med, e_lo, e_hi = (np.full(len(out), np.nan) for _ in range(3))
        q = [(1 - level) / 2, 0.5, (1 + level) / 2]
        for i in range(len(out)):
            if not known[i]:
                continue
            lr = rng.normal(eta[i], se[i], draws)
            le = rng.normal(m[i], sd_pred[i], draws)
            mu = np.exp(lr + le)
            y = _nb_draws(rng, mu, ef.alpha)
            e_lo[i], e_med[i], e_hi[i] = np.quantile(y, q)
        base = out["platform"].map(self.baseline).astype(float).to_numpy()
        out["rate"] = np.where(known, np.exp(eta), np.nan)
        out["rate_low"] = np.where(known, np.exp(eta - z * se), np.nan)
        out["rate_high"] = np.where(known, np.exp(eta + z * se), np.nan)
        out["log_rate_se"] = np.where(known, se, np.nan)
        out["reach"] = np.where(known, np.exp(m), np.nan)
        out["reach_low"] = np.where(known, np.exp(m - z * sd_pred), np.nan)
        out["reach_high"] = np.where(known, np.exp(m + z * sd_pred), np.nan)
        out["engagements"] = e_med
        out["engagements_low"] = e_lo
        out["engagements_high"] = e_hi
        out["lift"] = out["rate"] / base
        out["lift_low"] = out["rate_low"] / base
        out["lift_high"] = out["rate_high"] / base
        out["experiment_adjustment"] = np.exp(adj_log)
        h = self.history
        pf = h.groupby(["platform", "format"]).size()
        pfp = h.groupby(["platform", "format", "pillar"]).size()
        out["n_platform_format"] = [
            int(pf.get((a, b), 0)) for a, b in zip(out["platform"], out["format"], strict=True)
        ]
        out["n_combination"] = [
            int(pfp.get((a, b, c), 0))
            for a, b, c in zip(out["platform"], out["format"], out["pillar"], strict=True)
        ]
        return out

    def effects(self) -> pd.DataFrame:
        """Estimated multipliers on engagements per exposure: each term, ``exp(coef)``, its
        interval and the prior sd it was shrunk with."""
        from scipy import stats

        z = float(stats.norm.ppf(0.5 + self.level / 2))
        f = self.engagement_fit
        se = np.sqrt(np.diag(f.cov))
        rows = []
        for j, (g, name) in enumerate(self.columns):
            if g == "platform":
                continue
            rows.append(
                {
                    "term": g,
                    "level": name,
                    "multiplier": math.exp(f.coef[j]),
                    "low": math.exp(f.coef[j] - z * se[j]),
                    "high": math.exp(f.coef[j] + z * se[j]),
                    "prior_sd": f.tau.get(g, float("nan")),
                }
            )
        return pd.DataFrame(rows)

    def contrast(self, platform: str, fmt: str, versus: str) -> tuple[float, float, float]:
        """Ratio of expected engagements per exposure, ``fmt`` vs ``versus`` on ``platform``
        (pillar-averaged), with its interval."""
        from scipy import stats

        c = _contrast_vector(list(self.columns), platform, fmt, versus)
        f = self.engagement_fit
        est = float(c @ f.coef)
        se = float(np.sqrt(c @ f.cov @ c))
        z = float(stats.norm.ppf(0.5 + self.level / 2))
        return math.exp(est), math.exp(est - z * se), math.exp(est + z * se)

    def to_frame(self) -> pd.DataFrame:
        """One row per platform x format x pillar seen in the history, with predictions."""
        combos = (
            self.history.groupby(["platform", "format", "pillar"]).size().rename("posts")
        ).reset_index()
        return self.predict(combos)


def _nb_draws(rng: np.random.Generator, mu: np.ndarray, alpha: float) -> np.ndarray:
    if alpha <= 1e-8:
        return rng.poisson(mu).astype(float)
    lam = rng.gamma(1.0 / alpha, alpha * mu)
    return rng.poisson(lam).astype(float)


def _contrast_vector(cols: list[tuple[str, str]], platform: str, a: str, b: str) -> np.ndarray:
    c = np.zeros(len(cols))
    idx = {x: j for j, x in enumerate(cols)}
    for sign, f in ((1.0, a), (-1.0, b)):
        for key in (("format", f), ("pf", f"{platform}|{f}")):
            if key in idx:
                c[idx[key]] += sign
    return c


def _experiment_terms(
    experiments: Any, columns: list[tuple[str, str]]
) -> tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray, np.ndarray] | None, dict]:
    from scipy import stats

    if experiments is None:
        return pd.DataFrame(columns=["id", "use", "why"]), None, {}
    if hasattr(experiments, "to_frame") and not isinstance(experiments, pd.DataFrame):
        experiments = experiments.to_frame()
    recs = (
        experiments.to_dict("records")
        if isinstance(experiments, pd.DataFrame)
        else list(experiments)
    )
    z = float(stats.norm.ppf(0.975))
    log, C, t, v, notes = [], [], [], [], {}
    for r in recs:
        if not isinstance(r, Mapping) or "id" not in r:
            raise ParameterError(
                "experiments: every record needs at least 'id', 'effect', 'ci_low', 'ci_high' "
                "(ExperimentsAnalysis.records() or .to_frame() give them)."
            )
        rid = str(r["id"])
        try:
            eff, lo, hi = (float(r.get(k)) for k in ("effect", "ci_low", "ci_high"))
        except (TypeError, ValueError):
            eff = lo = hi = float("nan")
        if r.get("decision") == "not analysed" or r.get("status") in ("planned", "running"):
            log.append({"id": rid, "use": "ignored", "why": "not a concluded, analysed test"})
            continue
        if not all(np.isfinite([eff, lo, hi])) or min(eff, lo, hi) <= 0 or hi <= lo:
            log.append({"id": rid, "use": "ignored", "why": "no finite effect and interval"})
            continue
        if r.get("metric") not in (None, "engagements") and not pd.isna(r.get("metric")):
            log.append({"id": rid, "use": "ignored", "why": f"metric {r.get('metric')!r} is not engagements"})  # fmt: skip
            continue
        var = ((math.log(hi) - math.log(lo)) / (2 * z)) ** 2
        base, var_name, plat = r.get("baseline"), r.get("variant"), r.get("platform")
        if base in FORMATS and var_name in FORMATS and plat in PLATFORMS:
            c = _contrast_vector(columns, str(plat), str(var_name), str(base))
            if np.any(c != 0):
                C.append(c)
                t.append(math.log(eff))
                v.append(var)
                log.append(
                    {"id": rid, "use": f"format contrast {plat}: {var_name} vs {base}",
                     "why": f"effect {eff:.2f} ({lo:.2f} to {hi:.2f}) added as an observation"}
                )  # fmt: skip
                continue
        notes[rid] = (math.log(eff), var)
        log.append(
            {"id": rid, "use": "ideas whose notes name it",
             "why": f"predicted rate multiplied by {eff:.2f} ({lo:.2f} to {hi:.2f})"}
        )  # fmt: skip
    pseudo = (np.array(C), np.array(t), np.array(v)) if C else None
    return pd.DataFrame(log, columns=["id", "use", "why"]), pseudo, notes


#: Organic posts with an exposure the performance model needs before the sprint it predicts.
MIN_HISTORY_POSTS = 10


def history_gap(posts: pd.DataFrame, month: str, *, check: bool = False) -> str:
    """Why the performance model cannot be fitted for sprint ``month`` yet, in one sentence, or
    ``""`` when it can (:func:`fit_performance`; with ``check=True`` also whether
    :func:`calibrate` can check sprint ``month``: it needs posts with an exposure in it).

    Examples
    --------
    >>> ideation.history_gap(posts, "2026-11")  # doctest: +SKIP
    ''
    """
    next_month(month)
    h = post_outcomes(posts) if len(posts) else pd.DataFrame({"sprint": []})
    n = int((h["sprint"] < month).sum())
    if n < MIN_HISTORY_POSTS:
        return (
            f"Too little history to fit the performance model for {month}: {n} organic posts "
            f"with engagements and an exposure (reach, impressions or views) before it, and it "
            f"needs at least {MIN_HISTORY_POSTS}. It fits once the brand has that many posts; "
            "ingest older exports if they exist."
        )
    if check and not (h["sprint"] == month).any():
        return f"No organic post with an exposure in {month}: there is nothing to check."
    return ""


def fit_performance(
    posts: pd.DataFrame,
    *,
    month: str,
    experiments: Any = None,
    extra_levels: pd.DataFrame | None = None,
    level: float = 0.8,
) -> PerformanceModel:
    """Fit the :class:`PerformanceModel` on the posts published before ``month``.

    Parameters
    ----------
    posts
        ``Workspace.posts(brand)`` (canonical columns plus calendar ``pillar``), or any frame
        with ``platform``, ``format``, ``pillar``, ``published_local``, ``date_precision``,
        ``distribution``, the engagement parts and exposure metrics.
    month
        The sprint being planned (``YYYY-MM``): only posts published before it are used, and
        reach is predicted for it.
    experiments
        Optional concluded test results: ``ExperimentsAnalysis`` (or its ``to_frame()``), or a
        list of records ``{id, effect, ci_low, ci_high}`` with optional ``platform``,
        ``baseline``, ``variant``, ``metric``, ``decision``. See the class docstring for how
        they shift the evidence.
    extra_levels
        Rows with ``platform``, ``format``, ``pillar`` to be predicted later (the backlog), so
        unseen combinations get columns (at their prior) in the model.
    level
        Interval level for predictions (0.8 = 80% intervals).
    """
    next_month(month)  # validates
    h = post_outcomes(posts)
    h = h[h["sprint"] < month].reset_index(drop=True)
    if len(h) < MIN_HISTORY_POSTS:
        raise AnalysisError(
            f"only {len(h)} organic posts with exposure before {month}: the model needs at least "
            f"{MIN_HISTORY_POSTS}. Ingest more history."
        )
    combos = h[["platform", "format", "pillar"]]
    if extra_levels is not None and len(extra_levels):
        ex = extra_levels[["platform", "format", "pillar"]].astype(str).copy()
        ex["pillar"] = ex["pillar"].str.lower().replace({"": "unknown", "nan": "unknown"})
        ex = ex[ex["platform"].isin(h["platform"].unique())]
        combos = pd.concat([combos, ex], ignore_index=True)
    exp_formats: list[tuple[str, str]] = []
    if experiments is not None:
        recs = experiments.to_frame() if hasattr(experiments, "records") else experiments
        recs = recs.to_dict("records") if isinstance(recs, pd.DataFrame) else list(recs)
        for r in recs:
            if isinstance(r, Mapping) and r.get("platform") in set(h["platform"]):
                for k in ("baseline", "variant"):
                    if r.get(k) in FORMATS:
                        exp_formats.append((str(r["platform"]), str(r[k])))
    plats = sorted(h["platform"].unique())
    fmts = sorted(set(combos["format"]) | {f for _, f in exp_formats})
    pf = sorted(
        {f"{a}|{b}" for a, b in zip(combos["platform"], combos["format"], strict=True)}
        | {f"{a}|{b}" for a, b in exp_formats}
    )
    levels = {
        "platform": plats,
        "format": fmts,
        "pf": pf,
        "pillar": sorted(set(combos["pillar"])),
        "pfp": sorted(
            {
                f"{a}|{b}|{c}"
                for a, b, c in zip(
                    combos["platform"], combos["format"], combos["pillar"], strict=True
                )
            }
        ),  # fmt: skip
        "hour": sorted(set(h["hour_bin"])),
        "weekday": sorted(set(h["weekday"])),
        "age": sorted(set(h["age_bin"]) | {_MATURE}),
    }
    cols = _columns(levels, with_controls=True, with_trend=False)
    X = _design(h, cols)
    groups = [g for g, _ in cols]
    log_table, pseudo, note_effects = _experiment_terms(experiments, cols)
    ef = _model.fit_penalised(
        h["engagements"].to_numpy(float),
        X,
        groups,
        {g: _PRIOR_SD[g] for g in set(groups)},
        family="nb",
        offset=np.log(h["exposure"].to_numpy(float)),
        eb_groups=("pf", "pfp"),
        pseudo=pseudo,
    )
    ref = _month_index(month)
    rlevels = {"platform": plats, "format": fmts, "pf": pf, "age": levels["age"]}
    rcols = _columns(rlevels, with_controls=False, with_trend=True)
    R = _design(h, rcols, ref)
    rgroups = [g for g, _ in rcols]
    rf = _model.fit_penalised(
        np.log(h["exposure"].to_numpy(float)),
        R,
        rgroups,
        {g: _PRIOR_SD[g] for g in set(rgroups)},
        family="gaussian",
        eb_groups=("pf",),
    )
    ctrl = np.array([g in ("hour", "weekday") for g, _ in cols])
    means = {"__all__": X[:, ctrl].mean(axis=0)}
    for plat in plats:
        means[plat] = X[(h["platform"] == plat).to_numpy()][:, ctrl].mean(axis=0)
    # the platform baseline: the model's expected rate for the platform's last three sprints'
    # posts (their own combinations, typical posting times), averaged
    recent = sorted(h["sprint"].unique())[-3:]
    rec = h[h["sprint"].isin(recent)]
    Xr = _design(rec.assign(age_bin=_MATURE), cols)
    Xr[:, ctrl] = np.vstack([means[p] for p in rec["platform"]])
    rate = np.exp(Xr @ ef.coef)
    baseline = {
        p: float(rate[(rec["platform"] == p).to_numpy()].mean())
        for p in plats
        if (rec["platform"] == p).any()
    }
    for p in plats:  # a platform silent in the last three sprints: its whole history
        if p not in baseline:
            Xp = _design(h[h["platform"] == p].assign(age_bin=_MATURE), cols)
            Xp[:, ctrl] = means[p]
            baseline[p] = float(np.exp(Xp @ ef.coef).mean())
    return PerformanceModel(
        engagement_fit=ef,
        reach_fit=rf,
        columns=tuple(cols),
        reach_columns=tuple(rcols),
        control_means=means,
        history=h,
        baseline=baseline,
        target_month=month,
        ref_month=ref,
        experiment_log=log_table,
        note_effects=note_effects,
        level=level,
        n_posts=len(h),
    )


# =========================================================================== scoring
def impact_score(lift: float | np.ndarray) -> Any:
    """Map a predicted lift (ratio to the baseline) to the RICE impact scale
    (:data:`IMPACT_SCALE`): >= 1.5 -> 3, >= 1.15 -> 2, >= 0.9 -> 1, >= 0.7 -> 0.5, else 0.25.
    NaN (no evidence) maps to 1 (assume the baseline)."""
    arr = np.asarray(lift, dtype=float)
    out = np.full(arr.shape, 0.25)
    for threshold, score, _ in reversed(IMPACT_SCALE):
        out = np.where(arr >= threshold, score, out)
    out = np.where(np.isnan(arr), 1.0, out)
    return float(out) if out.ndim == 0 else out


def exploration_eligible(n_platform_format: int | np.ndarray, *, below: int = 5) -> Any:
    """The exploration rule: a combination is *barely tried* when the brand has fewer than
    ``below`` organic posts of that platform x format."""
    return np.asarray(n_platform_format) < below


def exploration_impact(impact: Any, exploratory: Any) -> Any:
    """The exploration bonus: an exploratory idea's RICE impact moves one step up the scale
    (0.25 -> 0.5 -> 1 -> 2 -> 3, 3 stays 3); other ideas keep theirs."""
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

    def to_frame(self) -> pd.DataFrame:
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
    pred["reach_k"] = reach / 1000.0
    pred["reach_assumed"] = ~known
    pred["impact"] = impact
    pred["model_confidence"] = mconf
    pred["confidence"] = conf
    pred["exploration"] = explore
    pred["score"] = score
    pred["why"] = why
    pred = pred.sort_values(["score", "id"], ascending=[False, True], kind="mergesort")
    pred = pred.reset_index(drop=True)
    pred.insert(0, "rank", np.arange(1, len(pred) + 1))
    return Scores(table=pred, confidence_rule=confidence, explore_below=explore_below,
                  n_ideas=len(pred))  # fmt: skip


# =========================================================================== the plan
_SAME_IDEA = re.compile(r"same idea as\b(.*)", re.IGNORECASE | re.DOTALL)


def _key(name: Any) -> str:
    """A series or title compared the way people mean it: case and spacing ignored."""
    if name is None or (isinstance(name, float) and math.isnan(name)) or name is pd.NA:
        return ""
    return " ".join(str(name).split()).casefold()


def _text_col(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    s = frame[col].astype(object)
    return s.where(s.notna(), "").astype(str).str.strip().replace({"nan": "", "<NA>": ""})


def same_idea_groups(ideas: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Which ideas are variants of one idea, so that a plan takes at most one of them.

    Two ways to say it, both read:

    * the optional ``same_as`` column (preferred): the id(s) of the other variant(s),
      separated by ``;``;
    * a note starting "same idea as ..." (older files): when the note names ids of the backlog,
      those; otherwise the other ideas with the same title (case and spacing ignored), narrowed
      to the format the note names when it names one ("same idea as a reel").

    Links are symmetric and transitive (A = B and B = C make one group).

    Returns
    -------
    (DataFrame, tuple of str)
        One row per idea: ``id``, ``group`` (the member ids joined by " = "; the idea's own id
        when it stands alone), ``group_size``, ``declared_by`` (``same_as``, ``notes`` or
        empty); and the problems found (a note that matches no other idea), in words.
    """
    ids = _text_col(ideas, "id").tolist()
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    declared = dict.fromkeys(ids, "")
    problems: list[str] = []
    titles = _text_col(ideas, "title").map(_key).tolist()
    formats = _text_col(ideas, "format").str.lower().tolist()
    notes = _text_col(ideas, "notes").tolist()
    same_as = _text_col(ideas, "same_as").tolist()
    known = set(ids)
    for j, i in enumerate(ids):
        links = [x for x in _split_ids(same_as[j]) if x in known and x != i]
        how = "same_as" if links else ""
        m = _SAME_IDEA.search(notes[j])
        if not links and m:
            rest = m.group(1)
            words = set(re.findall(r"[\w-]+", rest))
            links = [x for x in ids if x != i and x in words]
            if not links:
                links = [x for k, x in enumerate(ids) if x != i and titles[k] == titles[j]]
                named = [f for f in FORMATS if re.search(rf"\b{re.escape(f)}s?\b", rest.lower())]
                if named:
                    links = [x for x in links if formats[ids.index(x)] in named]
            how = "notes" if links else ""
            if not links:
                problems.append(
                    f"{i}: its note says {notes[j]!r} but no other idea scored has that id or "
                    "its title; it is planned as an idea of its own (name the other variant in "
                    "a same_as column)."
                )
        for x in links:
            parent[root(x)] = root(i)
            declared[x] = declared[x] or how
        declared[i] = declared[i] or how
    members: dict[str, list[str]] = {}
    for i in ids:
        members.setdefault(root(i), []).append(i)
    group = {i: " = ".join(sorted(members[root(i)])) for i in ids}
    out = pd.DataFrame(
        {
            "id": ids,
            "group": [group[i] for i in ids],
            "group_size": [len(members[root(i)]) for i in ids],
            "declared_by": [declared[i] if len(members[root(i)]) > 1 else "" for i in ids],
        }
    )
    return out, tuple(problems)


def series_weekdays(
    posts: pd.DataFrame | None = None, configured: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    """The day(s) of the week each content series keeps.

    From ``configured`` (brand.yaml ``series_days``, weekdays as ``mon`` ... ``sun``) when it
    names the series; else from its history: the most common local weekday of its past posts
    (``posts`` with ``series`` and ``published_local``). When two or more weekdays tie, all of
    them are kept and the tie is said in ``evidence`` (set ``series_days`` to choose).

    Returns
    -------
    DataFrame
        ``series``, ``weekdays`` (tuple of ``mon`` ... ``sun``), ``days`` (the same for people:
        "Fri", "Sat, Sun"), ``source`` (``brand.yaml`` or ``history``) and ``evidence`` in
        words.
    """
    rows: dict[str, dict[str, Any]] = {}
    if posts is not None and len(posts) and {"series", "published_local"} <= set(posts.columns):
        p = posts[["series", "published_local"]].copy()
        p["series"] = _text_col(p, "series")
        p = p[p["series"] != ""]
        local = pd.to_datetime(p["published_local"], errors="coerce")
        p = p.assign(day=local.dt.day_of_week).dropna(subset=["day"])
        for name, g in p.groupby(p["series"].map(_key), sort=True):
            counts = g["day"].astype(int).value_counts()
            top = counts[counts == counts.max()]
            days = tuple(_WEEKDAYS[d] for d in sorted(top.index))
            label = g["series"].mode().iloc[0] if len(g["series"].mode()) == 1 else name
            tie = " (a tie: set series_days in brand.yaml to choose)" if len(days) > 1 else ""
            rows[name] = {
                "series": label,
                "weekdays": days,
                "source": "history",
                "evidence": f"{int(top.iloc[0])} of its {len(g)} past posts on each of "
                f"{', '.join(d.title() for d in days)}{tie}"
                if len(days) > 1
                else f"{int(top.iloc[0])} of its {len(g)} past posts on {days[0].title()}",
            }
    for name, days in (configured or {}).items():
        rows[_key(name)] = {
            "series": str(name),
            "weekdays": tuple(days),
            "source": "brand.yaml",
            "evidence": "series_days in brand.yaml",
        }
    out = pd.DataFrame(list(rows.values()), columns=["series", "weekdays", "source", "evidence"])
    out.insert(2, "days", [", ".join(d.title() for d in w) for w in out["weekdays"]])
    return out


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _as_day(value: Any) -> dt.date | None:
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise ParameterError(f"tests: {value!r} is not a date (write YYYY-MM-DD).") from exc


def _month_tests(
    tests: Any, first: dt.date, last: dt.date
) -> tuple[list[dict[str, Any]], list[str]]:
    """The registered tests that run in the sprint: not concluded, dates overlapping it."""
    if tests is None:
        return [], []
    if hasattr(tests, "registry"):
        tests = tests.registry
    if isinstance(tests, pd.DataFrame):
        tests = tests.to_dict("records")
    out, notes = [], []
    for t in tests:
        tid = str(_get(t, "id", "") or "")
        status = str(_get(t, "status", "planned") or "planned")
        if not tid or status == "concluded":
            continue
        start, end = _as_day(_get(t, "start")), _as_day(_get(t, "end"))
        if start is None and end is None:
            notes.append(f"Test {tid!r} ({status}) has no start or end date, so it is in no "
                         "sprint: give it dates in experiments.yaml to plan its posts.")  # fmt: skip
            continue
        if (start is not None and start > last) or (end is not None and end < first):
            continue
        variants = []
        for v in _get(t, "variants", ()) or ():
            posts = _get(v, "posts", ()) or ()
            variants.append((str(_get(v, "name", "")), [str(x).strip() for x in posts]))
        out.append({"id": tid, "status": status, "start": max(start or first, first),
                    "end": min(end or last, last), "platform": _get(t, "platform"),
                    "variants": variants})  # fmt: skip
    return out, notes


def _last_sprint_mix(history: pd.DataFrame | None, sprint: str) -> tuple[dict[str, int], str]:
    if history is None or history.empty or "published_local" not in history:
        return {}, ""
    month = pd.to_datetime(history["published_local"], errors="coerce").dt.strftime("%Y-%m")
    before = month[month.notna() & (month < sprint)]
    if before.empty:
        return {}, ""
    last = before.max()
    counts = history.loc[before.index[before == last], "platform"].astype(str).value_counts()
    return {p: int(counts[p]) for p in PLATFORMS if p in counts}, str(last)


def _spread(days: list[dt.date], k: int) -> list[dt.date]:
    """``k`` dates spread evenly over ``days`` (in order; repeats when k > len(days))."""
    n = len(days)
    return [days[min(int((j + 0.5) * n / k), n - 1)] for j in range(k)]


@dataclass(frozen=True)
class SprintPlan:
    """The ideas chosen for a sprint, the constraints they respect and what is left open.

    ``ideas`` holds the planned ideas in order of choice (the month's test posts first, then
    best score first) with ``planned_date``, ``planned_because`` and, for test posts, ``test``;
    ``skipped`` the open ideas left out with ``skipped_because``; ``shortfall`` one row per
    platform: its cadence and where it comes from, the posts planned (of which test posts) and
    the slots left ``open`` with why; ``series_days`` the weekday each planned series keeps;
    ``notes`` every choice and ambiguity in words.
    """

    sprint: str
    ideas: pd.DataFrame = field(repr=False)
    skipped: pd.DataFrame = field(repr=False)
    capacity_hours: float
    hours: float
    explore_hours: float
    explore_cap_hours: float
    pillar_caps: Mapping[str, float]
    cadence: Mapping[str, int]
    shortfall: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    series_days: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    notes: tuple[str, ...] = ()

    @property
    def ids(self) -> list[str]:
        return list(self.ideas["id"])

    @property
    def open_slots(self) -> int:
        """Cadence slots no idea fills, over every platform with a cadence."""
        if self.shortfall.empty:
            return 0
        return int(self.shortfall["open"].fillna(0).sum())

    def to_frame(self) -> pd.DataFrame:
        return self.ideas.copy()

    def records(self) -> list[dict[str, Any]]:
        """The planned posts in date order, JSON-ready (for ``socialnb.record``): date, weekday,
        platform, title, format, series, effort hours, test and why it is in the plan."""
        t = self.ideas.sort_values(["planned_date", "platform", "id"], kind="mergesort")
        return [
            {
                "date": r["planned_date"],
                "weekday": r["weekday"],
                "platform": r["platform"],
                "id": r["id"],
                "title": r["title"],
                "format": r["format"],
                "series": _key(r.get("series")) and str(r.get("series")),
                "effort_hours": float(r["effort_hours"]),
                "test": r["test"],
                "planned_because": r["planned_because"],
            }
            for _, r in t.iterrows()
        ]

    def summary(self) -> pd.DataFrame:
        """Hours per pillar against caps, posts per platform against cadence (with the slots
        left open and why), exploration and total hours."""
        rows = []
        for k, cap in self.pillar_caps.items():
            h = float(self.ideas.loc[self.ideas["pillar"] == k, "effort_hours"].sum())
            rows.append({"constraint": f"pillar {k} hours", "used": h, "limit": cap})
        short = self.shortfall.set_index("platform") if len(self.shortfall) else None
        for p, c in self.cadence.items():
            n = int((self.ideas["platform"] == p).sum())
            row = {"constraint": f"{p} posts", "used": n, "limit": c}
            if short is not None and p in short.index:
                row["open"] = short.loc[p, "open"]
                row["note"] = short.loc[p, "why"]
            rows.append(row)
        rows.append({"constraint": "exploration hours", "used": self.explore_hours,
                     "limit": self.explore_cap_hours})  # fmt: skip
        rows.append({"constraint": "total hours", "used": self.hours, "limit": self.capacity_hours})
        out = pd.DataFrame(rows, columns=["constraint", "used", "limit", "open", "note"])
        out["note"] = out["note"].fillna("")
        return out

    def calendar(self) -> pd.DataFrame:
        """The plan as calendar rows (:data:`socialnb.config.CALENDAR_COLUMNS`) on the dates
        :func:`plan_sprint` chose."""
        rows = []
        for _, r in self.ideas.iterrows():
            rows.append(
                {
                    "sprint": self.sprint,
                    "planned_date": r["planned_date"],
                    "platform": r["platform"],
                    "pillar": r.get("pillar", ""),
                    "series": r.get("series", ""),
                    "format": r["format"],
                    "idea_id": r["id"],
                    "title": r["title"],
                    "status": "planned",
                    "post_id": "",
                    "post_link": "",
                    "owner": "",
                    "effort_hours": f"{float(r['effort_hours']):g}",
                }
            )
        frame = pd.DataFrame(rows, columns=list(CALENDAR_COLUMNS))
        if frame.empty:
            return frame
        frame = frame.fillna("").replace({"unknown": "", "nan": "", "<NA>": ""})
        return frame.sort_values(["planned_date", "platform", "idea_id"]).reset_index(drop=True)


_PLAN_COLUMNS = ("id", "title", "platform", "format", "pillar", "series", "effort_hours", "score")


def plan_sprint(
    scores: Scores | pd.DataFrame | None,
    brand: BrandConfig | None = None,
    *,
    sprint: str,
    capacity_hours: float | None = None,
    pillars: Mapping[str, float] | None = None,
    cadence: Mapping[str, int] | None = None,
    pillar_tolerance: float = 0.15,
    explore_share: float = 0.2,
    history: pd.DataFrame | None = None,
    sunset: Sequence[str] = (),
    keep_series: Sequence[str] | None = None,
    series_days: Mapping[str, Sequence[str]] | None = None,
    tests: Any = None,
) -> SprintPlan:
    """Plan ``sprint``: the month's test posts first, then the best ideas that fit.

    Parameters
    ----------
    scores
        :func:`score_ideas` output (or its table: ``id``, ``title``, ``platform``, ``format``,
        ``effort_hours``, ``score``; optional ``pillar``, ``series``, ``exploration``,
        ``notes``, ``same_as``). ``None`` when the brand keeps no backlog: the plan is empty and
        says so, every cadence slot open.
    brand
        Gives the defaults of ``capacity_hours``, ``pillars``, ``cadence``, ``keep_series`` and
        ``series_days``.
    history
        The brand's posts (``Workspace.posts``): the cadence when none is given (the posts per
        platform of the last sprint before ``sprint``) and the weekday of each series.
    sunset
        Series to stop (the retro's verdict, ``SeriesHealth.sunset_candidates``): their ideas
        are not planned unless named in ``keep_series`` (brand.yaml).
    tests
        The registered content tests (``experiments.load_experiments`` or records with
        ``id``, ``status``, ``start``, ``end``, ``variants``): a test that is not concluded and
        whose dates overlap the sprint is *registered for the month*; its posts are the ideas
        its variants list by id and the ideas whose ``notes`` name the test's id.

    Rules
    -----
    1. Ideas of a sunset series (unless kept) are left out.
    2. The month's tests come first: all of a test's ideas are planned (both variants even when
       they are marked as the same idea), if their hours fit the capacity; they count towards
       cadence, pillar and exploration use but are not stopped by them (a test needs its
       posts).
    3. Then greedy, best score first (ties by id): an idea is taken when no variant of the same
       idea (:func:`same_idea_groups`) is already in the plan (so the better variant that fits
       is the one taken) and it fits all of: total effort <= ``capacity_hours``; its
       platform's posts < its cadence (``cadence``, else ``brand.cadence``, else the last
       sprint's mix from ``history``; a platform without one is not limited); its pillar's
       hours <= ``(share + pillar_tolerance) x capacity``; exploratory ideas' hours <=
       ``explore_share x capacity``.
    4. Dates: a series keeps its weekday (:func:`series_weekdays`: brand.yaml ``series_days``,
       else its history); a test's posts fall within its dates; the other posts are spread
       evenly over the sprint per platform.
    5. ``shortfall`` says per platform how many cadence slots are left open and why (the
       backlog ran out, or the ideas left were stopped by capacity, pillar or exploration
       limits).
    """
    next_month(sprint)
    cap = (
        capacity_hours if capacity_hours is not None else (brand.capacity_hours if brand else None)
    )
    if cap is None or not np.isfinite(cap) or cap < 0:
        raise ParameterError(f"capacity_hours={cap!r}: give a non-negative number of hours.")
    if not 0 <= explore_share <= 1:
        raise ParameterError(f"explore_share={explore_share!r}: give a share between 0 and 1.")
    sunset = (sunset,) if isinstance(sunset, str) else tuple(sunset or ())
    notes: list[str] = []
    pillars = dict(pillars if pillars is not None else (brand.pillars if brand else {}))
    cadence_from: dict[str, str] = {}
    if cadence is not None:
        cadence = dict(cadence)
        cadence_from = dict.fromkeys(cadence, "given")
    elif brand is not None and brand.cadence:
        cadence = dict(brand.cadence)
        cadence_from = dict.fromkeys(cadence, "brand.yaml")
    else:
        cadence, last = _last_sprint_mix(history, sprint)
        cadence_from = dict.fromkeys(cadence, f"posts of {last}")
        if cadence:
            notes.append(f"No cadence in brand.yaml: each platform gets as many posts as it "
                         f"had in {last}, the last sprint with posts.")  # fmt: skip
        else:
            notes.append("No cadence in brand.yaml and no earlier posts: the number of posts "
                         "per platform is not limited.")  # fmt: skip
    keep = list(keep_series if keep_series is not None else (brand.keep_series if brand else ()))
    days_cfg = dict(
        series_days if series_days is not None else (brand.series_days if brand else {})
    )
    pillar_caps = {k: (s + pillar_tolerance) * cap for k, s in pillars.items()}
    explore_cap = explore_share * cap
    first = dt.date(int(sprint[:4]), int(sprint[5:7]), 1)
    n_days = pd.Period(sprint, "M").days_in_month
    last_day = first + dt.timedelta(days=n_days - 1)

    if scores is None:
        table = pd.DataFrame(columns=list(_PLAN_COLUMNS))
        notes.insert(0, "No idea backlog (ideas.csv): nothing to plan, every cadence slot is "
                        "open. Keep the backlog in ideas.csv to get a plan.")  # fmt: skip
    else:
        table = scores.table if isinstance(scores, Scores) else scores
        if table.empty:
            notes.insert(0, "No open ideas (status backlog or planned) in the backlog: nothing "
                            "to plan, every cadence slot is open.")  # fmt: skip
    t = table.sort_values(["score", "id"], ascending=[False, True], kind="mergesort")
    t = t.reset_index(drop=True)
    for col in ("pillar", "series", "notes", "same_as"):
        if col not in t:
            t[col] = ""
    if "exploration" not in t:
        t["exploration"] = False
    series = _text_col(t, "series")
    groups, group_problems = same_idea_groups(t)
    group_of = dict(zip(groups["id"], groups["group"], strict=True))
    notes.extend(group_problems)

    # 1. sunset series
    kept = {_key(s) for s in keep}
    stop = {_key(s): str(s) for s in sunset if _key(s) and _key(s) not in kept}
    for s in sunset:
        if _key(s) in kept:
            notes.append(f"Series {s}: the retro says sunset; kept because brand.yaml lists it "
                         "in keep_series.")  # fmt: skip
    reasons: dict[int, str] = {}
    for i, s in enumerate(series):
        if _key(s) in stop:
            reasons[i] = f"series {s} is to be sunset (the retro's verdict)"
    for k, name in stop.items():
        gone = [t.at[i, "id"] for i in reasons if _key(series[i]) == k]
        if gone:
            notes.append(f"Series {name} is to be sunset (the retro's verdict): "
                         f"{', '.join(gone)} left out. To keep the series, list it under "
                         "keep_series in brand.yaml.")  # fmt: skip

    used = 0.0
    used_explore = 0.0
    pillar_used = dict.fromkeys(pillar_caps, 0.0)
    count = dict.fromkeys(cadence, 0)
    chosen: list[int] = []
    because: dict[int, str] = {}
    test_of: dict[int, str] = {}
    window: dict[int, tuple[dt.date, dt.date]] = {}
    eps = 1e-9

    def take(i: int, why: str) -> None:
        nonlocal used, used_explore
        e = float(t.at[i, "effort_hours"])
        p, k = t.at[i, "platform"], t.at[i, "pillar"]
        chosen.append(i)
        because[i] = why
        used += e
        used_explore += e if bool(t.at[i, "exploration"]) else 0.0
        if k in pillar_used:
            pillar_used[k] += e
        if p in count:
            count[p] += 1

    # 2. the month's tests, first
    month_tests, test_notes = _month_tests(tests, first, last_day)
    notes.extend(test_notes)
    ids = _text_col(t, "id").tolist()
    note_text = _text_col(t, "notes").tolist()
    for test in month_tests:
        listed = {x for _, posts in test["variants"] for x in posts}
        pat = re.compile(rf"(?<![\w-]){re.escape(test['id'])}(?![\w-])")
        rows = [i for i, x in enumerate(ids) if x in listed or pat.search(note_text[i])]
        rows = [i for i in rows if i not in chosen]
        label = f"test {test['id']} ({test['start']:%d %b} to {test['end']:%d %b})"
        if not rows:
            notes.append(f"Test {test['id']!r} is registered for {sprint} but no open idea "
                         "belongs to it: list its ideas' ids under its variants' posts, or name "
                         "the test in the ideas' notes.")  # fmt: skip
            continue
        blocked = [i for i in rows if i in reasons]
        if blocked:
            for i in rows:
                reasons.setdefault(i, f"{label}: part of its posts are in a sunset series")
            notes.append(f"Test {test['id']!r} cannot run as registered: "
                         f"{', '.join(ids[i] for i in blocked)} belong to a sunset series.")  # fmt: skip
            continue
        hours = float(t.loc[rows, "effort_hours"].sum())
        if used + hours > cap + eps:
            for i in rows:
                reasons[i] = f"capacity: {label} needs {hours:g} hours"
            notes.append(f"Test {test['id']!r} needs {hours:g} hours, more than the "
                         f"{cap - used:g} left: its posts are not planned.")  # fmt: skip
            continue
        for i in rows:
            take(i, label)
            test_of[i] = test["id"]
            window[i] = (test["start"], test["end"])
        n_var = len(test["variants"])
        msg = f"Test {test['id']!r} planned first: {', '.join(ids[i] for i in rows)}"
        if n_var and len(rows) < n_var:
            msg += (f"; it has {n_var} variants but only {len(rows)} idea(s) belong to it, add "
                    "the missing variant's idea")  # fmt: skip
        notes.append(msg + ".")
        for p in {t.at[i, "platform"] for i in rows}:
            if p in count and count[p] > cadence[p]:
                notes.append(f"The test posts take {p} over its cadence ({count[p]} of "
                             f"{cadence[p]}).")  # fmt: skip

    # 3. greedy, best score first
    for i in range(len(t)):
        if i in chosen or i in reasons:
            continue
        e = float(t.at[i, "effort_hours"])
        p, k = t.at[i, "platform"], t.at[i, "pillar"]
        ex = bool(t.at[i, "exploration"])
        twin = next((j for j in chosen if group_of.get(ids[j]) == group_of.get(ids[i])), None)
        if twin is not None:
            reasons[i] = f"same idea as {ids[twin]} (in the plan)"
        elif used + e > cap + eps:
            reasons[i] = "capacity"
        elif p in count and count[p] >= cadence[p]:
            reasons[i] = f"{p} cadence ({cadence[p]} posts)"
        elif k in pillar_caps and pillar_used[k] + e > pillar_caps[k] + eps:
            reasons[i] = f"pillar {k} share"
        elif ex and used_explore + e > explore_cap + eps:
            reasons[i] = "exploration cap"
        else:
            rank = t.at[i, "rank"] if "rank" in t else i + 1
            take(i, f"score (rank {rank} of {len(t)})")
    for i in chosen:
        g = group_of.get(ids[i], ids[i])
        if " = " in g:
            others = [x for x in g.split(" = ") if x != ids[i]]
            if test_of.get(i) and all(ids.index(x) in test_of for x in others if x in ids):
                continue
            how = f"a post of test {test_of[i]}" if i in test_of else "the best that fits"
            notes.append(f"{ids[i]} and {', '.join(others)} are the same idea: {ids[i]} is "
                         f"planned ({how}).")  # fmt: skip

    # 4. dates
    weekdays = series_weekdays(history, days_cfg)
    wd_of = {_key(s): d for s, d in zip(weekdays["series"], weekdays["weekdays"], strict=True)}
    sprint_days = [first + dt.timedelta(days=d) for d in range(n_days)]
    allowed: dict[int, tuple[dt.date, ...]] = {}
    planned_series = set()
    for i in chosen:
        lo, hi = window.get(i, (first, last_day))
        days = [d for d in sprint_days if lo <= d <= hi]
        s = _key(series[i])
        if s:
            planned_series.add(s)
        if s and s in wd_of:
            on_day = [d for d in days if _WEEKDAYS[d.weekday()] in wd_of[s]]
            if on_day:
                days = on_day
            else:
                notes.append(f"{ids[i]} ({series[i]}): no {'/'.join(wd_of[s])} between "
                             f"{lo} and {hi}; dated without its weekday.")  # fmt: skip
        elif s:
            notes.append(f"Series {series[i]} has no past posts and no series_days in "
                         f"brand.yaml: {ids[i]} is dated like a post outside a series.")  # fmt: skip
        allowed[i] = tuple(days)
    dates: dict[int, dt.date] = {}
    buckets: dict[tuple, list[int]] = {}
    for i in chosen:
        buckets.setdefault((t.at[i, "platform"], allowed[i]), []).append(i)
    for (_, days), members in buckets.items():
        for i, d in zip(members, _spread(list(days), len(members)), strict=True):
            dates[i] = d

    # 5. the plan, what was left out and the shortfall
    cols = list(t.columns)
    plan = t.loc[chosen, cols].copy() if chosen else pd.DataFrame(columns=cols)
    plan["planned_date"] = [dates[i].isoformat() for i in chosen]
    plan["weekday"] = [_WEEKDAYS[dates[i].weekday()] for i in chosen]
    plan["planned_because"] = [because[i] for i in chosen]
    plan["test"] = [test_of.get(i, "") for i in chosen]
    plan["same_idea"] = [group_of.get(ids[i], ids[i]) for i in chosen]
    plan = plan.reset_index(drop=True)
    left = [i for i in range(len(t)) if i not in chosen]
    skipped = t.loc[left, cols].copy() if left else pd.DataFrame(columns=cols)
    skipped["skipped_because"] = [reasons.get(i, "") for i in left]
    skipped = skipped.reset_index(drop=True)
    shortfall = _shortfall(plan, skipped, cadence, cadence_from)
    sd = weekdays[weekdays["series"].map(_key).isin(planned_series)].reset_index(drop=True)
    return SprintPlan(
        sprint=sprint,
        ideas=plan,
        skipped=skipped,
        capacity_hours=float(cap),
        hours=float(used),
        explore_hours=float(used_explore),
        explore_cap_hours=float(explore_cap),
        pillar_caps=pillar_caps,
        cadence=cadence,
        shortfall=shortfall,
        series_days=sd,
        notes=tuple(dict.fromkeys(notes)),
    )


def _shortfall(
    plan: pd.DataFrame,
    skipped: pd.DataFrame,
    cadence: Mapping[str, int],
    cadence_from: Mapping[str, str],
) -> pd.DataFrame:
    plats = [p for p in PLATFORMS if p in cadence or (plan["platform"] == p).any()]
    rows = []
    for p in plats:
        n = int((plan["platform"] == p).sum())
        n_test = int(((plan["platform"] == p) & (plan["test"] != "")).sum())
        c = cadence.get(p)
        if c is None:
            rows.append({"platform": p, "cadence": np.nan, "cadence_from": "none", "planned": n,
                         "test_posts": n_test, "open": np.nan,
                         "why": "no cadence: the number of posts is not limited"})  # fmt: skip
            continue
        gap = max(int(c) - n, 0)
        why = ""
        if gap:
            left = skipped[skipped["platform"] == p]
            left = left[
                ~left["skipped_because"].astype(str).str.startswith(("same idea", "series "))
            ]
            if left.empty:
                why = f"the backlog ran short: no other open {p} idea"
            else:
                counts = left["skipped_because"].astype(str).str.replace(r"^capacity.*", "capacity",
                                                             regex=True).value_counts()  # fmt: skip
                parts = ", ".join(f"{r} ({k})" for r, k in counts.items())
                why = f"{len(left)} open {p} idea(s) left out: {parts}"
                if gap > len(left):
                    why += f"; the backlog has no idea for the other {gap - len(left)}"
        elif n > c:
            why = f"{n - c} over the cadence (test posts come first)"
        rows.append({"platform": p, "cadence": int(c), "cadence_from": cadence_from.get(p, ""),
                     "planned": n, "test_posts": n_test, "open": gap, "why": why})  # fmt: skip
    cols = ["platform", "cadence", "cadence_from", "planned", "test_posts", "open", "why"]
    return pd.DataFrame(rows, columns=cols)


_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> str:
    """Make a cell safe to open in Excel / Sheets: text starting with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a leading single quote, so it is shown, not run."""
    s = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
    return "'" + s if s.startswith(_DANGEROUS) else s


def write_calendar_draft(plan: SprintPlan | pd.DataFrame, folder: str | Path) -> Path:
    """Write ``<folder>/calendar_draft.csv`` in the calendar's own columns, every cell
    neutralised (:func:`neutralise_cell`), UTF-8. Returns the path."""
    frame = plan.calendar() if isinstance(plan, SprintPlan) else plan
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "calendar_draft.csv"
    tmp = folder / ".calendar_draft.csv.tmp"
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CALENDAR_COLUMNS)
        for _, r in frame.iterrows():
            w.writerow([neutralise_cell(r.get(c, "")) for c in CALENDAR_COLUMNS])
    tmp.replace(path)
    return path


# =========================================================================== closing the loop
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

    def to_frame(self) -> pd.DataFrame:
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
    next_month(sprint)
    model = fit_performance(posts, month=sprint, experiments=experiments, level=level)
    h = post_outcomes(posts)
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
