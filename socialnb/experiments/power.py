"""Planning: how many posts (or how much exposure) a test needs, and how much posts vary."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from .. import _stats
from ..errors import AnalysisError, ParameterError
from .posts import PostsComparison
from .registry import metric_values

__all__ = [
    "estimate_dispersion",
    "posts_needed",
    "posts_needed_range",
    "sample_size_proportions",
]


def estimate_dispersion(
    posts: pd.DataFrame,
    *,
    outcome: str = "engagements",
    exposure: str = "impressions",
    by: Sequence[str] = ("platform", "format"),
) -> float:
    """NB2 dispersion (alpha in var = mu + alpha mu^2) of ``outcome`` per ``exposure`` in the
    brand's history, with one rate per group of ``by`` (so format differences are not counted as
    noise). Use it as ``posts_needed(dispersion=...)``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> reach = rng.lognormal(np.log(3000), 0.5, 400)
    >>> posts = pd.DataFrame({"saves": rng.poisson(0.02 * reach * rng.gamma(2.5, 0.4, 400)),
    ...                       "reach": reach})
    >>> round(estimate_dispersion(posts, outcome="saves", exposure="reach", by=()), 1)
    0.4
    """
    frame = posts.copy()
    frame["_y"] = metric_values(frame, outcome)
    frame["_e"] = pd.to_numeric(frame[exposure], errors="coerce")
    frame = frame[frame["_y"].notna() & frame["_e"].gt(0)]
    by = [c for c in by if c in frame.columns]
    if len(frame) < 5:
        raise AnalysisError(
            f"estimate_dispersion: {len(frame)} post(s) with {outcome} and {exposure}; at least 5 "
            "are needed. What to do: ingest more history or pass a dispersion by hand (0.3 is typical)"
        )
    X = np.ones((len(frame), 1))
    if by:
        key = frame[by].astype("string").fillna("?").agg("|".join, axis=1)
        dummies = pd.get_dummies(key, drop_first=True, dtype=float).to_numpy()
        X = np.column_stack([X, dummies])
    fit = _stats.fit_nb2(frame["_y"].to_numpy(float), X, np.log(frame["_e"].to_numpy(float)))
    if fit is not None:
        return float(fit[2])
    y, e = frame["_y"].to_numpy(float), frame["_e"].to_numpy(float)
    mu = e * y.sum() / e.sum()
    return float(max(0.0, np.sum((y - mu) ** 2 - y) / np.sum(mu**2)))


#: Normal scores of the grid on which :func:`_gamma_quantiles` evaluates the gamma inverse CDF
#: exactly (u from 1e-19 to 1 - 1e-19, far beyond any double drawn uniformly in (0, 1)).
_Z_GRID = np.linspace(-9.0, 9.0, 8193)


def _gamma_quantiles(u: np.ndarray, shape: float) -> np.ndarray:
    """``scipy.stats.gamma.ppf(u, shape)`` to within a relative error of about 3e-6 (shapes 0.2
    to 1000, ``tests/test_experiments_power.py``), several times faster on large arrays: the
    exact inverse CDF on a grid of normal scores, its logarithm interpolated linearly at each
    ``u``'s normal score (smooth in that scale, tails included). The same ``u`` give the same
    quantiles, so common random numbers stay common."""
    exact = special.gammaincinv(shape, special.ndtr(_Z_GRID))
    with np.errstate(divide="ignore"):
        log_q = np.log(exact)
    finite = np.isfinite(log_q)  # gammaincinv gives 0 far in the left tail of a tiny shape
    return np.exp(np.interp(special.ndtri(u), _Z_GRID[finite], log_q[finite]))


class _PowerSimulation:
    """Seeded simulation of the test :func:`compare_posts` runs on an unpaired design without
    covariates (the randomisation test on the ratio of rates of totals), with common random
    numbers: the first ``n`` posts of every replicate are the same whatever ``n``, and the gamma
    draws come from one set of uniforms by the inverse CDF, so power rises smoothly with the
    number of posts and the effect and falls with the dispersion."""

    def __init__(self, rate, lift, dispersion, exposure, alpha, replicates, max_posts, seed):
        rng = np.random.default_rng(seed)
        shape = (replicates, 2 * max_posts)
        e = (
            np.full(shape, float(exposure[0]))
            if exposure.size == 1
            else exposure[rng.integers(0, exposure.size, shape)]
        )
        u = rng.random(shape)
        mult = np.where(np.arange(2 * max_posts) < max_posts, 1.0, 1.0 + lift)
        mu = rate * e * mult
        gamma = _gamma_quantiles(u, 1.0 / dispersion) * dispersion if dispersion > 0 else 1.0
        lam = mu * gamma
        self.y = np.random.default_rng(seed + 1).poisson(lam).astype(float)
        self.e, self.max_posts, self.alpha, self.seed = e, max_posts, alpha, seed
        self.resamples = 199

    def power(self, n: int) -> float:
        m = self.max_posts
        cols = np.r_[np.arange(n), m + np.arange(n)]
        y, e = self.y[:, cols], self.e[:, cols]
        is_b = np.r_[np.zeros(n, bool), np.ones(n, bool)]
        rng = np.random.default_rng(self.seed + 2)
        labels, exact = _stats._label_matrix(is_b, self.resamples, rng)
        lab = labels.astype(float).T
        yb, eb = y @ lab, e @ lab
        ya, ea = y.sum(1)[:, None] - yb, e.sum(1)[:, None] - eb
        perm = np.log((yb + 0.5) / eb) - np.log((ya + 0.5) / ea)
        obs = np.log((y[:, n:].sum(1) + 0.5) / e[:, n:].sum(1)) - np.log(
            (y[:, :n].sum(1) + 0.5) / e[:, :n].sum(1)
        )
        extreme = (np.abs(perm) >= np.abs(obs)[:, None] - 1e-12).sum(1)
        p = extreme / perm.shape[1] if exact else (1 + extreme) / (perm.shape[1] + 1)
        return float(np.mean(p < self.alpha))


def posts_needed(
    baseline_rate: float,
    lift: float,
    *,
    dispersion: float,
    exposure_per_post: float | Sequence[float],
    alpha: float = 0.05,
    power: float = 0.8,
    seed: int = 0,
    max_posts: int = 200,
    replicates: int = 2000,
) -> int:
    """Posts per variant needed to detect a relative ``lift`` with the given ``power``.

    Simulates negative binomial posts (NB2, var = mu + ``dispersion`` mu^2, mean
    ``baseline_rate * exposure``) and analyses them with the test :func:`compare_posts` runs on
    them: the randomisation test of the ratio of rates of totals (199 relabellings a replicate,
    common random numbers across ``n``, so the answer is monotone in the effect and the
    dispersion up to simulation noise). ``exposure_per_post`` may be one number or the brand's
    past exposures (resampled). Seeded: the same call gives the same answer. For a paired
    design this plans the unpaired test: pairing can only need fewer posts when slots differ.

    Raises
    ------
    AnalysisError
        When even ``max_posts`` posts a variant do not reach the power.

    Examples
    --------
    >>> posts_needed(0.04, 0.5, dispersion=0.3, exposure_per_post=3000, replicates=500)
    33
    """
    exposure = np.atleast_1d(np.asarray(exposure_per_post, dtype=float))
    exposure = exposure[np.isfinite(exposure) & (exposure > 0)]
    if exposure.size == 0:
        raise ParameterError("posts_needed: exposure_per_post must hold positive numbers")
    if not (baseline_rate > 0 and np.isfinite(baseline_rate)):
        raise ParameterError(f"posts_needed: baseline_rate={baseline_rate} must be positive")
    if lift == 0 or lift <= -1 or not np.isfinite(lift):
        raise ParameterError(f"posts_needed: lift={lift} must be a relative change, non-zero, > -1")
    if dispersion < 0 or not np.isfinite(dispersion):
        raise ParameterError(f"posts_needed: dispersion={dispersion} must be 0 or more")
    if not 0 < power < 1:
        raise ParameterError(f"posts_needed: power={power} must be between 0 and 1")

    sim = _PowerSimulation(
        baseline_rate, lift, dispersion, exposure, alpha, replicates, max_posts, seed
    )
    pw = sim.power

    lo, hi = 2, max_posts
    if pw(hi) < power:
        raise AnalysisError(
            f"more than {max_posts} posts a variant would be needed to detect a {lift:+.0%} change "
            f"with {power:.0%} power (dispersion {dispersion:.2g}); test a bigger change instead"
        )
    if pw(lo) >= power:
        return lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pw(mid) >= power:
            hi = mid
        else:
            lo = mid
    return hi


def sample_size_proportions(
    baseline: float,
    target: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    method: str = "pooled",
) -> float:
    """Exposure per variant for a two-sided two-proportion z-test (not rounded).

    ``method="pooled"`` matches R ``power.prop.test`` (statsmodels
    ``samplesize_proportions_2indep_onetail``); ``method="baseline"`` matches Evan Miller's
    calculator (null variance at the baseline rate).

    Examples
    --------
    >>> round(sample_size_proportions(0.5, 0.75, power=0.9), 1)
    76.7
    >>> round(sample_size_proportions(0.2, 0.25, method="baseline"))
    1030
    """
    if not (0 < baseline < 1 and 0 < target < 1) or baseline == target:
        raise ParameterError(
            f"baseline={baseline}, target={target}: give two different proportions in (0, 1)"
        )
    if method == "pooled":
        from statsmodels.stats.proportion import samplesize_proportions_2indep_onetail

        return float(
            samplesize_proportions_2indep_onetail(
                target - baseline, baseline, power, alpha=alpha, alternative="two-sided"
            )
        )
    if method == "baseline":
        return _stats.sample_size_closed_form(baseline, target, alpha, power, "baseline")
    raise ParameterError(f"method={method!r}: use 'pooled' or 'baseline'")


def _nb_alpha(result: PostsComparison) -> float:
    """NB2 alpha of a post-level result (a quasi-Poisson scale converted at the mean count)."""
    if result.dispersion_kind.startswith("NB2"):
        return float(result.dispersion)
    mean_count = result.rate_baseline * result.mean_exposure
    if not np.isfinite(result.dispersion) or mean_count <= 0:
        return 0.0
    return max(0.0, (result.dispersion - 1) / mean_count)


def _dispersion_range(result: PostsComparison, level: float = 0.8) -> tuple[float, float]:
    """A ``level`` range for the NB2 dispersion estimated from a test's posts: the estimate
    scaled by df / chi-square quantiles with the residual degrees of freedom (the sampling
    distribution of a variance estimate), the usual approximation for planning."""
    est = _nb_alpha(result)
    df = max(result.n_baseline + result.n_treatment - 2, 1)
    q_hi, q_lo = stats.chi2.ppf([(1 + level) / 2, (1 - level) / 2], df)
    return est * df / q_hi, est * df / q_lo


def posts_needed_range(
    result: PostsComparison,
    min_effect: float,
    *,
    alpha: float | None = None,
    power: float = 0.8,
    seed: int = 0,
) -> tuple[int | None, int | None, int | None]:
    """Posts a variant needs to detect ``min_effect`` with ``power``, planned from a post-level
    result's own posts: at its dispersion, and at the low and high ends of the dispersion's 80%
    range (few posts estimate it poorly). ``None`` where even 200 posts a variant would not do.

    Examples
    --------
    >>> from socialnb.experiments import compare_posts
    >>> posts = pd.DataFrame({
    ...     "variant": ["a"] * 4 + ["b"] * 4,
    ...     "engagements": [30, 42, 25, 38, 61, 55, 70, 48],
    ...     "reach": [1000, 1200, 900, 1100, 1000, 1150, 1300, 950]})
    >>> point, low, high = posts_needed_range(compare_posts(posts, exposure="reach"), 0.5)
    >>> low <= point <= high
    True
    """
    alpha = result.alpha if alpha is None else alpha
    out: list[int | None] = []
    for dispersion in (_nb_alpha(result), *_dispersion_range(result)):
        try:
            out.append(needed_at(result, min_effect, dispersion, alpha, power, seed))
        except (AnalysisError, ParameterError):
            out.append(None)
    return tuple(out)


def needed_at(
    result: PostsComparison,
    min_effect: float,
    dispersion: float,
    alpha: float,
    power: float,
    seed: int,
) -> int:
    """:func:`posts_needed` for a result's baseline rate and exposures at ``dispersion``; asked
    again of the same result, the answer (or the refusal) comes from the result's own memo."""
    key = (min_effect, dispersion, alpha, power, seed)
    if key not in result._plans:
        try:
            result._plans[key] = _needed_at(result, min_effect, dispersion, alpha, power, seed)
        except (AnalysisError, ParameterError) as exc:
            result._plans[key] = exc
    answer = result._plans[key]
    if isinstance(answer, Exception):
        raise answer
    return answer


def _needed_at(result, min_effect, dispersion, alpha, power, seed) -> int:
    return posts_needed(
        result.rate_baseline, min_effect, dispersion=dispersion,
        exposure_per_post=result.data["exposure"].to_numpy(), alpha=alpha, power=power,
        seed=seed, replicates=1000,
    )  # fmt: skip
