"""Planning: how many posts (or how much exposure) a test needs, and how much posts vary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

import numpy as np
import pandas as pd
from scipy import special, stats
from threadpoolctl import ThreadpoolController

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
#: exactly (u from 1e-19 to 1 - 1e-19, far beyond any double drawn uniformly in (0, 1)). Evenly
#: spaced (a step of 18 / 8192, exact in binary), so a score's cell is found by arithmetic.
_Z_GRID = np.linspace(-9.0, 9.0, 8193)


class _GridPlaces:
    """Uniforms ``u`` as normal scores placed on :data:`_Z_GRID` once: each score and the grid
    cell it falls in (``_Z_GRID[cell] <= z < _Z_GRID[cell + 1]``, -1 left of the grid), found by
    arithmetic on the even grid instead of a search. The gamma quantiles of any shape are then
    interpolated from the same places (:meth:`interp`), as :func:`numpy.interp` would."""

    def __init__(self, u: np.ndarray):
        z = special.ndtri(u)
        t = (z - _Z_GRID[0]) * ((_Z_GRID.size - 1) / (_Z_GRID[-1] - _Z_GRID[0]))
        np.clip(t, 0, _Z_GRID.size - 2, out=t)
        nan = np.isnan(z)
        t[nan] = 0
        cell = t.astype(np.intp)
        cell -= _Z_GRID[cell] > z  # the product may round across a grid point: one step back
        cell += _Z_GRID[cell + 1] <= z  # or forward
        self.z, self.cell, self.nan = z, cell, nan if nan.any() else None

    def interp(self, fp: np.ndarray, known: np.ndarray) -> np.ndarray:
        """``np.interp(z, _Z_GRID[known], fp[known])``, bit for bit, for ``known`` one run of
        grid points (the arithmetic is numpy's: ``slope * (z - x[j]) + y[j]``, with the value
        at a grid point, and the end values beyond the ends)."""
        first = int(np.argmax(known))
        last = known.size - 1 - int(np.argmax(known[::-1]))
        if not known[first : last + 1].all() or last == first:
            return np.interp(self.z, _Z_GRID[known], fp[known])
        x, y = _Z_GRID[first : last + 1], fp[first : last + 1]
        slope = (y[1:] - y[:-1]) / (x[1:] - x[:-1])
        j = np.clip(self.cell, first, last) - first
        at_point = (self.z <= x[j]) | (j == last - first)  # left of the grid: the first value
        with np.errstate(invalid="ignore"):  # a score of -inf (u = 0) is at_point
            out = slope[np.minimum(j, last - first - 1)] * (self.z - x[j]) + y[j]
        out[at_point] = y[j[at_point]]
        if self.nan is not None:
            out[self.nan] = np.nan
        return out


def _gamma_quantiles(
    u: np.ndarray, shape: float, *, places: _GridPlaces | None = None
) -> np.ndarray:
    """``scipy.stats.gamma.ppf(u, shape)`` to within a relative error of about 3e-6 (shapes 0.2
    to 1000, ``tests/test_experiments_power.py``), several times faster on large arrays: the
    exact inverse CDF on a grid of normal scores, its logarithm interpolated linearly at each
    ``u``'s normal score (smooth in that scale, tails included). The same ``u`` give the same
    quantiles, so common random numbers stay common. ``places`` (``_GridPlaces(u)``, kept by
    the caller) saves placing the same ``u`` on the grid again for another shape."""
    exact = special.gammaincinv(shape, special.ndtr(_Z_GRID))
    with np.errstate(divide="ignore"):
        log_q = np.log(exact)
    finite = np.isfinite(log_q)  # gammaincinv gives 0 far in the left tail of a tiny shape
    places = _GridPlaces(u) if places is None else places
    return np.exp(places.interp(log_q, finite))


class _Draws:
    """The random numbers of a planning simulation that neither the effect nor the dispersion
    changes: the resampled exposures and the uniforms of the gamma draws (with their places on
    the quantile grid), and per number of posts the relabellings and the exposures' sums under
    them. The simulations of one result's point and range (three dispersions) share them inside
    :func:`_sharing_draws`; they are the draws each simulation would make on its own."""

    def __init__(self, exposure: np.ndarray, replicates: int, max_posts: int, seed: int):
        rng = np.random.default_rng(seed)
        shape = (replicates, 2 * max_posts)
        self.e = (
            np.full(shape, float(exposure[0]))
            if exposure.size == 1
            else exposure[rng.integers(0, exposure.size, shape)]
        )
        self.u = rng.random(shape)
        self.seed, self.max_posts = seed, max_posts
        self._places: _GridPlaces | None = None
        self._by_n: dict[tuple[int, int], tuple] = {}

    @property
    def places(self) -> _GridPlaces:
        if self._places is None:
            self._places = _GridPlaces(self.u)
        return self._places

    def relabelled(self, n: int, resamples: int) -> tuple:
        """For the first ``n`` posts of each variant: the relabellings as a (2n, R) matrix (in
        single precision too), whether they are all of them, and the exposures' sums of each
        replicate: under each relabelling (B side), in all, for A and for B."""
        key = (n, resamples)
        if key not in self._by_n:
            m = self.max_posts
            cols = np.r_[np.arange(n), m + np.arange(n)]
            is_b = np.r_[np.zeros(n, bool), np.ones(n, bool)]
            rng = np.random.default_rng(self.seed + 2)
            labels, exact = _stats._label_matrix(is_b, resamples, rng)
            lab = labels.astype(float).T
            e = self.e[:, cols]
            sums = (e @ lab, e.sum(1), e[:, :n].sum(1), e[:, n:].sum(1))
            self._by_n[key] = (lab, lab.astype(np.float32), exact, *sums)
        return self._by_n[key]


#: While a caller plans one result at several dispersions (:func:`_sharing_draws`): the draws of
#: its simulations, by their inputs (tens of MB, let go when the caller is done).
_SHARED: ContextVar[dict | None] = ContextVar("socialnb_power_draws", default=None)


@contextmanager
def _sharing_draws() -> Iterator[None]:
    """Within this block, planning simulations with the same exposures, replicates, posts and
    seed (one result's point and range: three dispersions) share their :class:`_Draws`, the
    draws each would have made on its own; they are let go when the block ends."""
    if _SHARED.get() is not None:
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _draws(exposure: np.ndarray, replicates: int, max_posts: int, seed: int) -> _Draws:
    """The :class:`_Draws` of these inputs: the shared ones inside :func:`_sharing_draws` (one
    set kept at a time), else new ones."""
    shared = _SHARED.get()
    if shared is None:
        return _Draws(exposure, replicates, max_posts, seed)
    key = (seed, replicates, max_posts, exposure.tobytes())
    if key not in shared:
        shared.clear()
        shared[key] = _Draws(exposure, replicates, max_posts, seed)
    return shared[key]


class _PowerSimulation:
    """Seeded simulation of the test :func:`compare_posts` runs on an unpaired design without
    covariates (the randomisation test on the ratio of rates of totals), with common random
    numbers: the first ``n`` posts of every replicate are the same whatever ``n``, and the gamma
    draws come from one set of uniforms by the inverse CDF, so power rises smoothly with the
    number of posts and the effect and falls with the dispersion."""

    def __init__(self, rate, lift, dispersion, exposure, alpha, replicates, max_posts, seed):
        exposure = np.asarray(exposure, dtype=float)
        self.draws = draws = _draws(exposure, replicates, max_posts, seed)
        mult = np.where(np.arange(2 * max_posts) < max_posts, 1.0, 1.0 + lift)
        mu = rate * draws.e * mult
        gamma = (
            _gamma_quantiles(draws.u, 1.0 / dispersion, places=draws.places) * dispersion
            if dispersion > 0
            else 1.0
        )
        lam = mu * gamma
        self.y = np.random.default_rng(seed + 1).poisson(lam).astype(float)
        # counts whose every row sums below 2**24 add up exactly in single precision, twice as
        # fast in the relabelled sums (whole numbers: the same sums to the last bit)
        exact_in_single = bool(self.y.size) and float(self.y.sum(1).max()) < 2.0**24
        self.y_single = self.y.astype(np.float32) if exact_in_single else None
        # each variant's total over its first n posts, for every n (whole numbers: exact)
        self.totals_a = np.cumsum(self.y[:, :max_posts], axis=1)
        self.totals_b = np.cumsum(self.y[:, max_posts:], axis=1)
        self.max_posts, self.alpha, self.seed = max_posts, alpha, seed
        self.lift, self.dispersion = lift, dispersion
        self.resamples = 199

    def power(self, n: int) -> float:
        """The share of replicates in which the test rejects with ``n`` posts a variant."""
        return self._hits(n, slice(None)) / self.y.shape[0]

    def reaches(self, n: int, target: float) -> bool:
        """``self.power(n) >= target``, stopping as soon as the replicates seen settle it (the
        same answer: each replicate's p-value is computed as in :meth:`power`)."""
        total, hits = self.y.shape[0], 0
        step = max(64, total // 8)
        for start in range(0, total, step):
            hits += self._hits(n, slice(start, start + step))
            if hits / total >= target:
                return True
            if (hits + max(0, total - start - step)) / total < target:
                return False
        return hits / total >= target

    def _hits(self, n: int, rows: slice) -> int:
        """How many of the replicates ``rows`` reject with ``n`` posts a variant."""
        m = self.max_posts
        cols = np.r_[np.arange(n), m + np.arange(n)]
        lab, lab_single, exact, eb, e_all, e_a, e_b = self.draws.relabelled(n, self.resamples)
        eb, e_all, e_a, e_b = eb[rows], e_all[rows], e_a[rows], e_b[rows]
        if self.y_single is None:
            yb = self.y[rows][:, cols] @ lab
        else:
            yb = (self.y_single[rows][:, cols] @ lab_single).astype(float)
        y_a, y_b = self.totals_a[rows, n - 1], self.totals_b[rows, n - 1]
        ya, ea = (y_a + y_b)[:, None] - yb, e_all[:, None] - eb
        perm = np.log((yb + 0.5) / eb) - np.log((ya + 0.5) / ea)
        obs = np.log((y_b + 0.5) / e_b) - np.log((y_a + 0.5) / e_a)
        extreme = (np.abs(perm) >= np.abs(obs)[:, None] - 1e-12).sum(1)
        p = extreme / perm.shape[1] if exact else (1 + extreme) / (perm.shape[1] + 1)
        return int(np.count_nonzero(p < self.alpha))


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

    # one BLAS thread: the relabelled sums are small products, and threads waiting for each
    # other on a shared machine cost more than they save (as in socialnb._model)
    with _blas().limit(limits=1, user_api="blas"):
        sim = _PowerSimulation(
            baseline_rate, lift, dispersion, exposure, alpha, replicates, max_posts, seed
        )
        return _bisect(sim, power)


@cache
def _blas() -> ThreadpoolController:
    """The process's thread pools, found once (finding them takes milliseconds a call)."""
    return ThreadpoolController()


def _bisect(sim: _PowerSimulation, power: float) -> int:
    """The bisection of :func:`posts_needed` on the number of posts a variant (2 to the
    simulation's maximum), asking only whether each number reaches ``power``."""

    def reaches(n: int) -> bool:
        return sim.reaches(n, power)

    lift, dispersion, max_posts = sim.lift, sim.dispersion, sim.max_posts
    lo, hi = 2, max_posts
    if not reaches(hi):
        raise AnalysisError(
            f"more than {max_posts} posts a variant would be needed to detect a {lift:+.0%} change "
            f"with {power:.0%} power (dispersion {dispersion:.2g}); test a bigger change instead"
        )
    if reaches(lo):
        return lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if reaches(mid):
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
    with _sharing_draws():
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
