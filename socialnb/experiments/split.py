"""Randomised split tests recorded as counts (a platform's A/B post test): two variants
(:func:`compare_split`) or up to four (:func:`compare_split_many`), and the multiplicity
adjustment (:func:`adjust`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .. import _stats
from ..errors import AnalysisError, ParameterError
from ._result import Result

__all__ = [
    "SplitComparison",
    "compare_split",
    "SplitManyComparison",
    "compare_split_many",
    "adjust",
]


def _check_counts(x: float, n: float, label: str) -> None:
    if not (np.isfinite(x) and np.isfinite(n)):
        raise ParameterError(f"{label}: counts must be finite numbers, got {x!r} of {n!r}")
    if n <= 0:
        raise AnalysisError(
            f"{label}: exposure is {n}; a variant nobody saw cannot be compared. What to do: "
            "check the exposure count, or drop the variant"
        )
    if x < 0 or x > n:
        raise ParameterError(
            f"{label}: {x} successes out of {n}; successes must be between 0 and the exposure"
        )


#: How a split test's variant rate is taken: its counts as the platform reports them.
_RATE = "successes / exposure, the rate of the platform's totals"


@dataclass(frozen=True, repr=False)
class SplitComparison(Result):
    """A randomised two-variant split test on counts (``b`` compared with ``a``).

    ``p_value`` is the pooled two-proportion z-test (= R ``prop.test(correct=FALSE)``), or
    Fisher's exact test when a cell of the 2x2 table (observed or expected) is below 5 (``test``
    says which); ``diff_ci`` is Newcombe's hybrid score interval; ``ratio_ci`` the log-adjusted
    interval, or the score (Koopman) interval at small counts or a 0 / all-success count
    (never of zero width, always holding the estimate);
    ``prob_b_better`` and ``expected_loss`` (of shipping B, in proportion points) use Beta(1,1)
    priors; ``srm_p_value`` tests the exposure split against the intended one (flag p < 0.001).
    """

    names: tuple[str, str]
    successes: tuple[int, int]
    exposures: tuple[int, int]
    rates: tuple[float, float]
    diff: float
    diff_ci: tuple[float, float]
    ratio: float
    ratio_ci: tuple[float, float]
    z: float
    p_value: float
    prob_b_better: float
    expected_loss: float
    expected_loss_a: float
    srm_p_value: float | None
    srm_flag: bool
    alpha: float
    notes: tuple[str, ...] = ()
    test: str = "two-proportion z-test"

    _interval_field = "ratio_ci"

    @property
    def what(self) -> str:
        a, b = self.names
        return f"ratio of rates {b} / {a} (a comparison, not a rate)"

    @property
    def effect(self) -> float:
        return self.ratio

    @property
    def ci(self) -> tuple[float, float]:
        return self.ratio_ci

    def to_frame(self) -> pd.DataFrame:
        a, b = self.names
        return pd.DataFrame(
            [
                (f"rate {a} ({_RATE})", self.rates[0], np.nan, np.nan, np.nan),
                (f"rate {b} ({_RATE})", self.rates[1], np.nan, np.nan, np.nan),
                (f"difference {b} - {a}", self.diff, *self.diff_ci, self.p_value),
                (
                    f"ratio {b} / {a} (a comparison, not a rate)",
                    self.ratio,
                    *self.ratio_ci,
                    self.p_value,
                ),
                (f"P({b} better)", self.prob_b_better, np.nan, np.nan, np.nan),
                (f"expected loss of shipping {b}", self.expected_loss, np.nan, np.nan, np.nan),
                ("sample-ratio mismatch", np.nan, np.nan, np.nan, self.srm_p_value),
            ],
            columns=["measure", "estimate", "ci_low", "ci_high", "p_value"],
        )

    def plot(self, ax=None):
        import matplotlib.pyplot as plt
        from statsmodels.stats.proportion import proportion_confint

        ax = ax or plt.subplots(figsize=(5, 2.5))[1]
        lo, hi = proportion_confint(
            np.array(self.successes), np.array(self.exposures), alpha=self.alpha, method="wilson"
        )
        r = np.array(self.rates)
        ax.errorbar(r, [0, 1], xerr=[r - lo, hi - r], fmt="o", capsize=4)
        ax.set_yticks([0, 1], list(self.names))
        ax.set_xlabel(f"rate with {100 * (1 - self.alpha):.0f}% Wilson interval")
        ax.set_title(f"{self.names[1]} vs {self.names[0]}: p = {self.p_value:.3g}")
        return ax


def _srm(exposures: Sequence[float], intended: Sequence[float] | None) -> float | None:
    if intended is None:
        return None
    shares = np.asarray(intended, dtype=float)
    n = np.asarray(exposures, dtype=float)
    if shares.shape != n.shape or abs(shares.sum() - 1) > 0.01 or np.any(shares <= 0):
        raise ParameterError(
            f"intended={list(intended)}: give one share per variant, each > 0, summing to 1"
        )
    return float(stats.chisquare(n, shares / shares.sum() * n.sum()).pvalue)


def _confint(xb, nb, xa, na, method: str, compare: str, alpha: float) -> tuple[float, float]:
    from statsmodels.stats.proportion import confint_proportions_2indep

    ci = confint_proportions_2indep(xb, nb, xa, na, method=method, compare=compare, alpha=alpha)
    return tuple(float(v) for v in ci)


def _split_test(xa, na, xb, nb, notes: list[str]) -> tuple[float, float, str]:
    """z, p-value and the test's name: the pooled z-test, or Fisher's exact test at small counts."""
    z, p = _stats.pooled_z(xa, na, xb, nb)
    if not _stats.small_counts(xa, na, xb, nb):
        return z, p, "two-proportion z-test"
    notes.append(
        "small counts (an expected cell of the 2x2 table below 5): Fisher's exact test and a "
        "score interval for the ratio are used instead of the z-test and the log interval"
    )
    return (
        z,
        _stats.fisher_pvalue(xa, na, xb, nb),
        "Fisher's exact test (an expected count below 5)",
    )


def _split_ratio(xa, na, xb, nb, alpha, names, *, small: bool, notes: list[str]):
    """The ratio B / A and its interval: log-adjusted, or the score interval where that one is
    degenerate (small counts, a 0 or an all-success count)."""
    if xa == 0 and xb == 0:
        notes.append(
            "no successes in either variant: the ratio is undefined, shown as 1 with an unbounded interval"
        )
        return 1.0, (0.0, math.inf)
    if xa == 0:
        notes.append(f"no successes in {names[0]}: the ratio is unbounded; read the difference")
        return math.inf, _stats.score_ratio_ci(xb, nb, xa, na, alpha)
    ratio = (xb / nb) / (xa / na)
    if small or xb == 0 or xa == na or xb == nb:  # the log interval is degenerate here
        return ratio, _stats.score_ratio_ci(xb, nb, xa, na, alpha)
    return ratio, _confint(xb, nb, xa, na, "log-adjusted", "ratio", alpha)


def compare_split(
    successes_a: int,
    exposure_a: int,
    successes_b: int,
    exposure_b: int,
    *,
    alpha: float = 0.05,
    names: tuple[str, str] = ("A", "B"),
    intended: Sequence[float] | None = None,
    seed: int = 0,
) -> SplitComparison:
    """Compare two variants of a randomised split test recorded as counts.

    Examples
    --------
    >>> r = compare_split(412, 20140, 480, 20050)
    >>> round(r.p_value, 4), r.ratio > 1
    (0.0178, True)
    """
    xa, na, xb, nb = (float(v) for v in (successes_a, exposure_a, successes_b, exposure_b))
    _check_counts(xa, na, f"variant {names[0]}")
    _check_counts(xb, nb, f"variant {names[1]}")
    notes: list[str] = []
    z, p, test = _split_test(xa, na, xb, nb, notes)
    ratio, ratio_ci = _split_ratio(
        xa, na, xb, nb, alpha, names, small="Fisher" in test, notes=notes
    )
    prob, loss_b, loss_a = _stats.beta_posterior(xa, na, xb, nb, seed=seed)
    srm_p = _srm([na, nb], intended)
    srm_flag = srm_p is not None and srm_p < 0.001
    if srm_flag:
        notes.append(
            f"sample-ratio mismatch (p = {srm_p:.2g}): the exposure split differs from the intended "
            "one, so the randomisation may be broken; do not trust the comparison"
        )
    ra, rb = xa / na, xb / nb
    return SplitComparison(
        names=tuple(names),
        successes=(int(xa), int(xb)),
        exposures=(int(na), int(nb)),
        rates=(ra, rb),
        diff=rb - ra,
        diff_ci=_confint(xb, nb, xa, na, "newcomb", "diff", alpha),
        ratio=ratio,
        ratio_ci=ratio_ci,
        z=z,
        p_value=p,
        prob_b_better=prob,
        expected_loss=loss_b,
        expected_loss_a=loss_a,
        srm_p_value=srm_p,
        srm_flag=srm_flag,
        alpha=alpha,
        notes=tuple(notes),
        test=test,
    )


@dataclass(frozen=True, repr=False)
class SplitManyComparison(Result):
    """A split test with k > 2 variants: omnibus chi-square and Holm-corrected pairwise tests."""

    names: tuple[str, ...]
    successes: tuple[int, ...]
    exposures: tuple[int, ...]
    statistic: float
    df: int
    p_value: float
    pairwise: pd.DataFrame = field(repr=False)
    srm_p_value: float | None
    srm_flag: bool
    alpha: float

    _estimate_field, _interval_field = "statistic", None

    @property
    def what(self) -> str:
        return f"omnibus chi-square over {len(self.names)} variants ({self.df} df)"

    def to_frame(self) -> pd.DataFrame:
        return self.pairwise.copy()

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(5, 0.5 + 0.6 * len(self.names)))[1]
        r = np.array(self.successes) / np.array(self.exposures)
        ax.plot(r, range(len(r)), "o")
        ax.set_yticks(range(len(r)), list(self.names))
        ax.set_xlabel("rate")
        ax.set_title(f"omnibus chi-square p = {self.p_value:.3g}")
        return ax


def compare_split_many(
    successes: Sequence[int],
    exposures: Sequence[int],
    *,
    names: Sequence[str] | None = None,
    intended: Sequence[float] | None = None,
    alpha: float = 0.05,
) -> SplitManyComparison:
    """Omnibus test (= R ``prop.test`` on k groups) and Holm-corrected pairwise tests
    (= R ``pairwise.prop.test(..., correct=FALSE)``).

    Examples
    --------
    >>> r = compare_split_many([83, 90, 129, 70], [86, 93, 136, 82])
    >>> round(r.statistic, 2), r.df, round(r.p_value, 4)
    (12.6, 3, 0.0056)
    """
    x = [float(v) for v in successes]
    n = [float(v) for v in exposures]
    if len(x) != len(n) or len(x) < 2:
        raise ParameterError("successes and exposures must have the same length, 2 or more")
    names = tuple(names) if names is not None else tuple(chr(65 + i) for i in range(len(x)))
    if len(names) != len(x):
        raise ParameterError(f"names={list(names)}: give one name per variant")
    for xi, ni, nm in zip(x, n, names, strict=True):
        _check_counts(xi, ni, f"variant {nm}")
    stat, df, p = _stats.prop_test(x, n)
    rows = []
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            _, _, pij = _stats.prop_test([x[i], x[j]], [n[i], n[j]])
            rows.append(
                {"a": names[i], "b": names[j], "diff": x[j] / n[j] - x[i] / n[i], "p_value": pij}
            )
    pairwise = pd.DataFrame(rows)
    pairwise["p_holm"] = adjust(pairwise["p_value"].to_numpy(), "holm")
    srm_p = _srm(n, intended)
    return SplitManyComparison(
        names=names,
        successes=tuple(int(v) for v in x),
        exposures=tuple(int(v) for v in n),
        statistic=stat,
        df=df,
        p_value=p,
        pairwise=pairwise,
        srm_p_value=srm_p,
        srm_flag=srm_p is not None and srm_p < 0.001,
        alpha=alpha,
    )


def adjust(p_values: Sequence[float], method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple comparisons: ``"holm"`` (family-wise) or ``"bh"`` (FDR).

    Examples
    --------
    >>> adjust([0.01, 0.04, 0.03], "bh").round(2).tolist()
    [0.03, 0.04, 0.04]
    """
    from statsmodels.stats.multitest import multipletests

    methods = {"holm": "holm", "bh": "fdr_bh"}
    if method not in methods:
        raise ParameterError(f"method={method!r}: use 'holm' or 'bh'")
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ParameterError(f"p_values must be numbers between 0 and 1, got {p.tolist()}")
    return multipletests(p, method=methods[method])[1]
