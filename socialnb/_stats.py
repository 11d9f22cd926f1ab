"""Private statistical helpers for :mod:`socialnb.experiments`.

Everything here is vectorised numpy/scipy/statsmodels code with no knowledge of the registry.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats

__all__: list[str] = []


# --------------------------------------------------------------------------- proportions
def prop_test(successes, exposures) -> tuple[float, int, float]:
    """Pearson chi-square test of equal proportions in k groups, no continuity correction.

    Identical to R's ``prop.test(x, n, correct=FALSE)`` (for k > 2 R never corrects).
    Returns (statistic, df, p_value).
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(exposures, dtype=float)
    p = x.sum() / n.sum()
    k = x.size
    if p <= 0.0 or p >= 1.0:
        return 0.0, k - 1, 1.0
    expected_s = n * p
    expected_f = n * (1 - p)
    stat = float(
        ((x - expected_s) ** 2 / expected_s + ((n - x) - expected_f) ** 2 / expected_f).sum()
    )
    return stat, k - 1, float(stats.chi2.sf(stat, k - 1))


def pooled_z(x_a: float, n_a: float, x_b: float, n_b: float) -> tuple[float, float]:
    """Two-sided pooled two-proportion z-test (b - a). Returns (z, p)."""
    p_pool = (x_a + x_b) / (n_a + n_b)
    se = math.sqrt(p_pool * (1 - p_pool) * (1 / n_a + 1 / n_b)) if 0 < p_pool < 1 else 0.0
    if se == 0.0:
        return 0.0, 1.0
    z = (x_b / n_b - x_a / n_a) / se
    return float(z), float(2 * stats.norm.sf(abs(z)))


def beta_posterior(
    x_a: float, n_a: float, x_b: float, n_b: float, *, draws: int = 200_000, seed: int = 0
) -> tuple[float, float, float]:
    """Beta(1,1) priors. Returns (P(B > A), expected loss of choosing B, of choosing A).

    Seeded Monte Carlo (exact to about 0.001 with the default draws).
    """
    rng = np.random.default_rng(seed)
    pa = rng.beta(1 + x_a, 1 + n_a - x_a, size=draws)
    pb = rng.beta(1 + x_b, 1 + n_b - x_b, size=draws)
    return (
        float(np.mean(pb > pa)),
        float(np.mean(np.maximum(pa - pb, 0.0))),
        float(np.mean(np.maximum(pb - pa, 0.0))),
    )


def sample_size_closed_form(p1: float, p2: float, alpha: float, power: float, method: str) -> float:
    """Per-group sample size for a two-sided two-proportion z-test.

    ``method="pooled"``: variance under the null at the average proportion (R's
    ``power.prop.test``, statsmodels' ``samplesize_proportions_2indep_onetail``).
    ``method="baseline"``: variance under the null at the baseline proportion (Evan Miller's
    calculator).
    """
    za = stats.norm.ppf(1 - alpha / 2)
    zb = stats.norm.ppf(power)
    alt = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    if method == "pooled":
        pbar = (p1 + p2) / 2
        null = math.sqrt(2 * pbar * (1 - pbar))
    elif method == "baseline":
        null = math.sqrt(2 * p1 * (1 - p1))
    else:  # pragma: no cover - validated by caller
        raise ValueError(method)
    return (za * null + zb * alt) ** 2 / (p1 - p2) ** 2


# --------------------------------------------------------------------------- counts with exposure
def nb_draws(rng: np.random.Generator, mu: np.ndarray, alpha: float) -> np.ndarray:
    """Negative binomial (NB2) counts with mean ``mu`` and variance mu + alpha mu^2."""
    mu = np.asarray(mu, dtype=float)
    if alpha <= 0:
        return rng.poisson(mu).astype(float)
    shape = 1.0 / alpha
    lam = rng.gamma(shape, mu / shape)
    return rng.poisson(lam).astype(float)


def permutation_pvalue(
    y: np.ndarray,
    e: np.ndarray,
    is_b: np.ndarray,
    *,
    slots: np.ndarray | None = None,
    resamples: int = 4999,
    seed: int = 0,
) -> float:
    """Randomisation p-value of the log ratio of rate-of-totals (two-sided).

    Unpaired: labels permuted across posts. Paired (``slots`` given): labels swapped within
    each slot with probability 1/2. 0.5 is added to each total so a zero total stays finite.
    """
    rng = np.random.default_rng(seed)
    y = np.asarray(y, dtype=float)
    e = np.asarray(e, dtype=float)
    is_b = np.asarray(is_b, dtype=bool)

    def stat(labels: np.ndarray) -> np.ndarray:
        yb = (labels * y).sum(axis=-1) + 0.5
        eb = (labels * e).sum(axis=-1)
        ya = ((~labels) * y).sum(axis=-1) + 0.5
        ea = ((~labels) * e).sum(axis=-1)
        return np.log(yb / eb) - np.log(ya / ea)

    observed = stat(is_b[None, :])[0]
    if slots is None:
        perms = rng.permuted(np.tile(is_b, (resamples, 1)), axis=1)
    else:
        codes = pd.factorize(np.asarray(slots))[0]
        flips = rng.random((resamples, codes.max() + 1)) < 0.5
        perms = is_b[None, :] ^ flips[:, codes]
    null = stat(perms)
    extreme = np.sum(np.abs(null) >= abs(observed) - 1e-12)
    return float((1 + extreme) / (resamples + 1))


def _fit_errors() -> tuple[type[BaseException], ...]:
    """What a statsmodels fit raises when it fails numerically (singular or separated data, an
    overflow, NaN in the design); the callers fall back to another model. Evaluated only when
    an exception is matched, so statsmodels is imported only where it is used."""
    from statsmodels.tools.sm_exceptions import MissingDataError, PerfectSeparationError

    return (ValueError, ArithmeticError, np.linalg.LinAlgError, PerfectSeparationError,
            MissingDataError)  # fmt: skip


def fit_nb2(y: np.ndarray, exog: np.ndarray, offset: np.ndarray):
    """Fit NB2 by maximum likelihood. Returns (params, cov, alpha) or None when it fails."""
    from statsmodels.discrete.discrete_model import NegativeBinomial

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = NegativeBinomial(y, exog, offset=offset, loglike_method="nb2")
            res = model.fit(disp=0, maxiter=300, method="bfgs")
            if not res.mle_retvals.get("converged", False):
                res = model.fit(disp=0, maxiter=300, method="nm", start_params=res.params)
                res = model.fit(disp=0, maxiter=300, method="bfgs", start_params=res.params)
            params = np.asarray(res.params, dtype=float)
            cov = np.asarray(res.cov_params(), dtype=float)
        except _fit_errors():  # a fit that fails numerically means "use the fallback"
            return None
    alpha = float(params[-1])
    if not res.mle_retvals.get("converged", False) or not np.all(np.isfinite(params)):
        return None
    if not np.all(np.isfinite(np.diag(cov))) or np.any(np.diag(cov)[:-1] <= 0):
        return None
    if alpha < 0 or alpha > 1e4:
        return None
    return params[:-1], cov[:-1, :-1], alpha


def fit_quasi_poisson(y: np.ndarray, exog: np.ndarray, offset: np.ndarray, groups=None):
    """Poisson GLM with Pearson scale (or cluster-robust SEs when ``groups`` given).

    Returns (params, cov, scale) or None.
    """
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = GLM(y, exog, family=families.Poisson(), offset=offset)
            if groups is None:
                res = model.fit(scale="X2")
            else:
                res = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
            params = np.asarray(res.params, dtype=float)
            cov = np.asarray(res.cov_params(), dtype=float)
            scale = float(res.pearson_chi2 / max(res.df_resid, 1))
        except _fit_errors():
            return None
    if not np.all(np.isfinite(params)) or not np.all(np.isfinite(np.diag(cov))):
        return None
    return params, cov, scale


def fit_ols(y: np.ndarray, exog: np.ndarray):
    """Ordinary least squares. Returns (params, cov, residual variance) or None."""
    n, k = exog.shape
    if n <= k:
        return None
    params, *_ = np.linalg.lstsq(exog, y, rcond=None)
    resid = y - exog @ params
    s2 = float(resid @ resid / (n - k))
    try:
        cov = s2 * np.linalg.inv(exog.T @ exog)
    except np.linalg.LinAlgError:
        return None
    return params, cov, s2


# --------------------------------------------------------------------------- sequential
def msprt(
    diff: np.ndarray, var: np.ndarray, tau2: float, alpha: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normal-mixture SPRT (Johari et al. 2017) for an asymptotically normal estimate.

    Returns (always-valid p-values (running minimum), cs_low, cs_high (running intersection)).
    """
    diff = np.asarray(diff, dtype=float)
    var = np.asarray(var, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_lr = 0.5 * np.log(var / (var + tau2)) + diff**2 * tau2 / (2 * var * (var + tau2))
        p_look = np.where(var > 0, np.minimum(1.0, np.exp(-log_lr)), 1.0)
        half = np.sqrt(var * (var + tau2) / tau2 * (np.log((var + tau2) / var) - 2 * np.log(alpha)))
    half = np.where(var > 0, half, np.inf)
    p = np.minimum.accumulate(p_look, axis=-1)
    low = np.maximum.accumulate(diff - half, axis=-1)
    high = np.minimum.accumulate(diff + half, axis=-1)
    return p, low, high


# --------------------------------------------------------------------------- meta-analysis
def random_effects(
    effects: np.ndarray, variances: np.ndarray, alpha: float = 0.05
) -> tuple[float, float, float, float]:
    """Random-effects pooling: (pooled effect, low, high, tau2).

    The between-study variance is DerSimonian-Laird's moment estimate floored at 0 (it can never
    be negative). The interval is the wider of the Hartung-Knapp-Sidik-Jonkman interval (t with
    k - 1 degrees of freedom on the weighted residual variance) and the usual normal interval,
    the safeguard of Jackson et al. (2017, Stat Med 36:3923): HKSJ alone is too narrow when the
    few estimates happen to agree closely.
    """
    y = np.asarray(effects, dtype=float)
    v = np.asarray(variances, dtype=float)
    k = y.size
    w = 1.0 / v
    fixed = float((w * y).sum() / w.sum())
    q = float((w * (y - fixed) ** 2).sum())
    denom = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (q - (k - 1)) / denom) if denom > 0 else 0.0
    w_re = 1.0 / (v + tau2)
    mean = float((w_re * y).sum() / w_re.sum())
    var_z = 1.0 / float(w_re.sum())
    z = float(stats.norm.ppf(1 - alpha / 2))
    half = z * math.sqrt(var_z)
    if k >= 2:
        q_hk = float((w_re * (y - mean) ** 2).sum()) / (k - 1)
        half_hk = float(stats.t.ppf(1 - alpha / 2, k - 1)) * math.sqrt(q_hk * var_z)
        half = max(half, half_hk)
    return mean, mean - half, mean + half, tau2


# --------------------------------------------------------------------------- small counts
def small_counts(x_a: float, n_a: float, x_b: float, n_b: float, limit: float = 5.0) -> bool:
    """True when a cell of the 2x2 table expected under no difference is below ``limit`` (the
    usual rule for when the chi-square / z approximation cannot be trusted)."""
    p = (x_a + x_b) / (n_a + n_b)
    expected = np.array([n_a * p, n_a * (1 - p), n_b * p, n_b * (1 - p)])
    return bool(expected.min() < limit)


def fisher_pvalue(x_a: float, n_a: float, x_b: float, n_b: float) -> float:
    """Two-sided Fisher exact test of equal proportions."""
    table = [[int(x_b), int(n_b - x_b)], [int(x_a), int(n_a - x_a)]]
    return float(stats.fisher_exact(table).pvalue)


def score_ratio_ci(
    x_b: float, n_b: float, x_a: float, n_a: float, alpha: float = 0.05
) -> tuple[float, float]:
    """Score (Koopman / Farrington-Manning) interval for the ratio p_b / p_a by test inversion.

    Never of zero width while some outcome is uncertain, always holding the estimate, and
    defined at zero counts (lower bound 0 when x_b = 0, upper bound infinite when x_a = 0).
    """
    from scipy.optimize import brentq

    pb, pa = x_b / n_b, x_a / n_a
    crit = float(stats.norm.ppf(1 - alpha / 2))
    total = n_a + n_b

    def score(log_phi: float) -> float:
        phi = math.exp(log_phi)
        a = total * phi
        b = -(n_b * phi + x_b + n_a + x_a * phi)
        c = x_a + x_b
        disc = max(b * b - 4 * a * c, 0.0)
        pa_t = (-b - math.sqrt(disc)) / (2 * a)
        pa_t = min(max(pa_t, 0.0), 1.0)
        pb_t = min(phi * pa_t, 1.0)
        var = pb_t * (1 - pb_t) / n_b + phi**2 * pa_t * (1 - pa_t) / n_a
        num = pb - phi * pa
        if var <= 0:
            return math.copysign(math.inf, num) if num != 0 else 0.0
        return num / math.sqrt(var)

    if x_a == 0 and x_b == 0:
        return 0.0, math.inf
    lo_end, hi_end = math.log(1e-12), math.log(1e12)
    if x_b == 0:
        lo = 0.0
    else:
        mid = math.log(pb / pa) if x_a > 0 else hi_end
        f = lambda lp: score(lp) - crit  # noqa: E731 - decreasing in log phi
        lo = math.exp(brentq(f, lo_end, mid)) if f(mid) < 0 else math.exp(mid)
    if x_a == 0:
        hi = math.inf
    else:
        mid = math.log(pb / pa) if x_b > 0 else lo_end
        f = lambda lp: score(lp) + crit  # noqa: E731
        hi = math.exp(brentq(f, mid, hi_end)) if f(mid) > 0 else math.exp(mid)
    return lo, hi


# --------------------------------------------------------------------------- randomisation inference
def _label_matrix(
    is_b: np.ndarray, resamples: int, rng: np.random.Generator
) -> tuple[np.ndarray, bool]:
    """Every relabelling of the posts when there are at most ``resamples + 1`` of them (exact),
    otherwise ``resamples`` random ones. Returns (labels (R, n) bool, exact)."""
    from itertools import combinations

    n, k = is_b.size, int(is_b.sum())
    if math.comb(n, k) <= resamples + 1:
        rows = np.zeros((math.comb(n, k), n), dtype=bool)
        for i, idx in enumerate(combinations(range(n), k)):
            rows[i, list(idx)] = True
        return rows, True
    return rng.permuted(np.tile(is_b, (resamples, 1)), axis=1), False


def _flip_matrix(k: int, resamples: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Every sign pattern of ``k`` slots when 2**k <= resamples + 1, else random ones."""
    if 2**k <= resamples + 1:
        codes = np.arange(2**k)[:, None] >> np.arange(k)[None, :] & 1
        return codes.astype(bool), True
    return rng.random((resamples, k)) < 0.5, False


class Randomisation:
    """Randomisation (permutation) inference on a rate ratio, and its interval by test inversion.

    Unpaired: the statistic is the log ratio of rates of totals (0.5 added to each total), and the
    labels are permuted across posts. Paired (``slots``): posts are summed per slot and variant;
    the statistic is the log Mantel-Haenszel rate ratio (consistent with slot effects and unbiased
    at low counts, unlike log rates with 0.5 added), and labels are swapped within slots. The
    hypothesis "ratio = r" is tested by scaling the treatment's exposure by r; the interval is
    every r the test does not reject. All relabellings are enumerated when there are few.
    """

    def __init__(self, y, e, is_b, *, slots=None, resamples: int = 4999, seed: int = 0):
        rng = np.random.default_rng(seed)
        y = np.asarray(y, dtype=float)
        e = np.asarray(e, dtype=float)
        is_b = np.asarray(is_b, dtype=bool)
        self.paired = slots is not None
        if self.paired:
            codes = pd.factorize(np.asarray(slots))[0]
            k = codes.max() + 1
            self.ya = np.bincount(codes[~is_b], y[~is_b], k)
            self.yb = np.bincount(codes[is_b], y[is_b], k)
            self.ea = np.bincount(codes[~is_b], e[~is_b], k)
            self.eb = np.bincount(codes[is_b], e[is_b], k)
            self.flips, self.exact = _flip_matrix(k, resamples, rng)
        else:
            self.y, self.e, self.is_b = y, e, is_b
            self.labels, self.exact = _label_matrix(is_b, resamples, rng)

    def _stats(self, delta: float) -> tuple[float, np.ndarray]:
        """(observed statistic, statistics of the relabellings) under log ratio ``delta``."""
        if self.paired:
            eb = self.eb * math.exp(delta)
            w = 1.0 / (self.ea + eb)
            num, den = self.yb * self.ea * w, self.ya * eb * w
            observed = math.log(num.sum() + 0.25) - math.log(den.sum() + 0.25)
            f = self.flips
            n_perm = np.where(f, den, num).sum(axis=1)
            d_perm = np.where(f, num, den).sum(axis=1)
            return observed, np.log(n_perm + 0.25) - np.log(d_perm + 0.25)
        e = self.e * np.where(self.is_b, math.exp(delta), 1.0)
        lab = self.labels.astype(float)
        yb, eb = lab @ self.y, lab @ e
        ya, ea = self.y.sum() - yb, e.sum() - eb
        perm = np.log((yb + 0.5) / eb) - np.log((ya + 0.5) / ea)
        b = self.is_b
        observed = math.log((self.y[b].sum() + 0.5) / e[b].sum()) - math.log(
            (self.y[~b].sum() + 0.5) / e[~b].sum()
        )
        return observed, perm

    def pvalue(self, delta: float = 0.0) -> float:
        observed, perm = self._stats(delta)
        extreme = int(np.sum(np.abs(perm) >= abs(observed) - 1e-12))
        if self.exact:
            return extreme / perm.size
        return (1 + extreme) / (perm.size + 1)

    def estimate(self) -> float:
        """The log ratio at which the observed statistic is 0 (the interval's centre)."""
        from scipy.optimize import brentq

        if not self.paired:
            b = self.is_b
            return math.log((self.y[b].sum() + 0.5) / self.e[b].sum()) - math.log(
                (self.y[~b].sum() + 0.5) / self.e[~b].sum()
            )
        f = lambda d: self._stats(d)[0]  # noqa: E731 - decreasing in d
        return float(brentq(f, -50.0, 50.0, xtol=1e-10))

    def interval(self, alpha: float = 0.05, *, tol: float = 1e-4, limit: float = 12.0):
        """(low, high) log-ratio bounds: the set of log ratios not rejected at ``alpha``
        (infinite when the test cannot reject however far, e.g. 5 pairs: the smallest possible
        p-value is 2/32)."""
        est = self.estimate()
        bounds = []
        for sign in (-1.0, 1.0):
            inside, step = est, 0.25
            outside = None
            while step <= limit:
                trial = est + sign * step
                if self.pvalue(trial) < alpha:
                    outside = trial
                    break
                inside, step = trial, step * 2
            if outside is None:
                bounds.append(sign * math.inf)
                continue
            while abs(outside - inside) > tol:
                mid = (inside + outside) / 2
                if self.pvalue(mid) < alpha:
                    outside = mid
                else:
                    inside = mid
            bounds.append(inside)
        return bounds[0], bounds[1]


# --------------------------------------------------------------------------- medians
def median_ci_ranks(n: int, alpha: float = 0.05) -> tuple[int, int] | None:
    """0-based ranks (lo, hi) of the distribution-free order-statistic interval for a median
    (coverage >= 1 - alpha for any continuous distribution), or None when n is too small."""
    k = int(stats.binom.ppf(alpha / 2, n, 0.5))  # P(B <= k) >= alpha/2
    while k > 0 and stats.binom.cdf(k - 1, n, 0.5) > alpha / 2:
        k -= 1
    # interval [x_(k), x_(n-k-1)] 0-based excludes the median with prob 2 P(B <= k - 1)
    if k < 1 or 2 * stats.binom.cdf(k - 1, n, 0.5) > alpha:
        return None
    return k - 1, n - k


def median_ci(values, alpha: float = 0.05) -> tuple[float, float]:
    """Order-statistic interval of the median (NaN when too few values for the level)."""
    x = np.sort(np.asarray(values, dtype=float)[np.isfinite(np.asarray(values, dtype=float))])
    ranks = median_ci_ranks(x.size, alpha)
    if ranks is None:
        return math.nan, math.nan
    return float(x[ranks[0]]), float(x[ranks[1]])
