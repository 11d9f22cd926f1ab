"""The performance model: expected engagements per exposure and reach per post for a platform x
format x pillar combination, fitted on the brand's own history (:func:`fit_performance`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import _model, periods
from ..errors import AnalysisError
from ..schema import FORMATS
from .design import (
    _PRIOR_SD,
    _columns,
    _contrast_vector,
    _design,
    _experiment_terms,
    _month_ordinal,
    _records,
)
from .history import _MATURE, MIN_HISTORY_POSTS, post_outcomes

__all__ = ["PerformanceModel", "fit_performance"]


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

    def __repr__(self) -> str:
        return (
            f"PerformanceModel(for {self.target_month}: {self.n_posts} posts, "
            f"{len(self.columns)} terms, dispersion {self.alpha:.3f}, {self.level:.0%} intervals)"
        )

    def plot(self, ax=None, terms: Sequence[str] = ("format", "pillar")):
        """The multipliers of ``terms`` (:meth:`effects`) with their intervals, 1 = average."""
        import matplotlib.pyplot as plt

        e = self.effects()
        e = e[e["term"].isin(list(terms))].reset_index(drop=True)
        ax = ax or plt.subplots(figsize=(6, 0.3 * len(e) + 1))[1]
        y = np.arange(len(e))[::-1]
        ax.hlines(y, e["low"], e["high"], color="#9aa5b1")
        ax.scatter(e["multiplier"], y, color="#0072B2", zorder=3)
        ax.axvline(1, color="#555", lw=1)
        ax.set_yticks(y, e["term"] + ": " + e["level"].astype(str))
        ax.set_xscale("log")
        ax.set_xlabel(f"multiplier on engagements per exposure ({self.level:.0%} interval)")
        return ax

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


def fit_performance(
    posts: pd.DataFrame,
    *,
    month: str,
    experiments: Any = None,
    extra_levels: pd.DataFrame | None = None,
    level: float = 0.8,
) -> PerformanceModel:
    # long only by its docstring (parameters and rules in words)
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
    periods.check_month(month)
    return _fit(post_outcomes(posts), month, experiments, extra_levels, level)


def _fit(outcomes: pd.DataFrame, month: str, experiments, extra_levels, level) -> PerformanceModel:
    """:func:`fit_performance` on :func:`post_outcomes` already computed."""
    h = outcomes[outcomes["sprint"] < month].reset_index(drop=True)
    if len(h) < MIN_HISTORY_POSTS:
        raise AnalysisError(
            f"only {len(h)} organic posts with exposure before {month}: the model needs at least "
            f"{MIN_HISTORY_POSTS}. Ingest more history."
        )
    levels = _levels(h, extra_levels, experiments)
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
    ref = _month_ordinal(month)
    rlevels = {k: levels[k] for k in ("platform", "format", "pf", "age")}
    rcols = _columns(rlevels, with_controls=False, with_trend=True)
    rgroups = [g for g, _ in rcols]
    rf = _model.fit_penalised(
        np.log(h["exposure"].to_numpy(float)),
        _design(h, rcols, ref),
        rgroups,
        {g: _PRIOR_SD[g] for g in set(rgroups)},
        family="gaussian",
        eb_groups=("pf",),
    )
    ctrl = np.array([g in ("hour", "weekday") for g, _ in cols])
    means = {"__all__": X[:, ctrl].mean(axis=0)}
    for plat in levels["platform"]:
        means[plat] = X[(h["platform"] == plat).to_numpy()][:, ctrl].mean(axis=0)
    return PerformanceModel(
        engagement_fit=ef,
        reach_fit=rf,
        columns=tuple(cols),
        reach_columns=tuple(rcols),
        control_means=means,
        history=h,
        baseline=_baselines(h, cols, ef.coef, means),
        target_month=month,
        ref_month=ref,
        experiment_log=log_table,
        note_effects=note_effects,
        level=level,
        n_posts=len(h),
    )


def _levels(h: pd.DataFrame, extra_levels: pd.DataFrame | None, experiments: Any) -> dict:
    """The levels of every term: those of the history, the backlog's combinations on the
    history's platforms, and the formats the concluded tests compare."""
    combos = h[["platform", "format", "pillar"]]
    if extra_levels is not None and len(extra_levels):
        ex = extra_levels[["platform", "format", "pillar"]].astype(str).copy()
        ex["pillar"] = ex["pillar"].str.lower().replace({"": "unknown", "nan": "unknown"})
        ex = ex[ex["platform"].isin(h["platform"].unique())]
        combos = pd.concat([combos, ex], ignore_index=True)
    exp_formats: list[tuple[str, str]] = []
    for r in _records(experiments):
        if isinstance(r, Mapping) and r.get("platform") in set(h["platform"]):
            for k in ("baseline", "variant"):
                if r.get(k) in FORMATS:
                    exp_formats.append((str(r["platform"]), str(r[k])))
    pf = {f"{a}|{b}" for a, b in zip(combos["platform"], combos["format"], strict=True)}
    pfp = {f"{a}|{b}|{c}" for a, b, c in combos[["platform", "format", "pillar"]].to_numpy()}
    return {
        "platform": sorted(h["platform"].unique()),
        "format": sorted(set(combos["format"]) | {f for _, f in exp_formats}),
        "pf": sorted(pf | {f"{a}|{b}" for a, b in exp_formats}),
        "pillar": sorted(set(combos["pillar"])),
        "pfp": sorted(pfp),
        "hour": sorted(set(h["hour_bin"])),
        "weekday": sorted(set(h["weekday"])),
        "age": sorted(set(h["age_bin"]) | {_MATURE}),
    }


def _baselines(h: pd.DataFrame, cols, coef: np.ndarray, means: Mapping[str, np.ndarray]) -> dict:
    """Each platform's baseline rate: the model's expected rate for the platform's posts of the
    last three sprints (their own combinations, typical posting times, mature), averaged; a
    platform silent in those sprints: over its whole history."""
    ctrl = np.array([g in ("hour", "weekday") for g, _ in cols])
    recent = sorted(h["sprint"].unique())[-3:]
    baseline = {}
    for p in sorted(h["platform"].unique()):
        mine = h[h["platform"] == p]
        rows = mine[mine["sprint"].isin(recent)]
        rows = rows if len(rows) else mine
        Xp = _design(rows.assign(age_bin=_MATURE), cols)
        Xp[:, ctrl] = means[p]
        baseline[p] = float(np.exp(Xp @ coef).mean())
    return baseline
