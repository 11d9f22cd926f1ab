"""Sequential monitoring of a randomised split test: always-valid p-values and a confidence
sequence, so a test may be looked at every week (:func:`monitor`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import _stats
from ..errors import ParameterError
from ._result import Result

__all__ = ["MonitorResult", "monitor"]


@dataclass(frozen=True, repr=False)
class MonitorResult(Result):
    """Always-valid inference for a split test checked at every look (mixture SPRT).

    ``table`` has one row per look: cumulative counts, the difference in rates (B - A), the
    always-valid p-value and confidence sequence, and the naive fixed-horizon p-value (which is
    *not* valid when peeked at repeatedly). ``stopped_at`` is the first look where the always-
    valid p-value fell below alpha (None if never).
    """

    table: pd.DataFrame = field(repr=False)
    alpha: float
    tau: float
    p_value: float
    ci: tuple[float, float]
    stopped_at: int | None

    @property
    def what(self) -> str:
        return f"difference in rates B - A at look {len(self.table)} (confidence sequence)"

    @property
    def estimate(self) -> float:
        return float(self.table["diff"].iloc[-1])

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(6, 3))[1]
        t = self.table
        ax.fill_between(
            t["look"], t["cs_low"], t["cs_high"], alpha=0.3, label="confidence sequence"
        )
        ax.plot(t["look"], t["diff"], "o-", label="difference B - A")
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xlabel("look")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        return ax


def monitor(
    successes_a: Sequence[float],
    exposure_a: Sequence[float],
    successes_b: Sequence[float],
    exposure_b: Sequence[float],
    *,
    alpha: float = 0.05,
    tau: float | None = None,
    min_effect: float = 0.10,
) -> MonitorResult:
    """Always-valid p-values and a confidence sequence for cumulative weekly counts.

    A normal-mixture sequential probability ratio test (Johari, Pekelis & Walsh 2017) on the
    difference of proportions: you may look every week and stop when ``p_value < alpha`` without
    inflating false positives. ``tau`` is the mixing standard deviation of the effect; by default
    ``min_effect`` times the pooled rate (an effect of the size worth detecting).
    Only for randomised tests on counts: organic posts are overdispersed (use compare_posts).

    Examples
    --------
    >>> m = monitor([100, 200, 300], [5000, 10000, 15000], [140, 280, 420], [5000, 10000, 15000])
    >>> m.stopped_at, round(m.estimate, 4)
    (2, 0.008)
    """
    arrs = [np.asarray(v, dtype=float) for v in (successes_a, exposure_a, successes_b, exposure_b)]
    if len({a.shape for a in arrs}) != 1 or arrs[0].ndim != 1 or arrs[0].size == 0:
        raise ParameterError("monitor: pass four 1-d arrays of the same length (one value a look)")
    xa, na, xb, nb = arrs
    if any(np.any(np.diff(a) < 0) for a in arrs):
        raise ParameterError(
            "monitor: counts must be cumulative (never decreasing); pass running totals per look"
        )
    if np.any(xa > na) or np.any(xb > nb) or any(np.any(a < 0) for a in arrs):
        raise ParameterError("monitor: successes must be between 0 and the exposure")
    with np.errstate(divide="ignore", invalid="ignore"):
        pa, pb = xa / na, xb / nb
        diff = np.where((na > 0) & (nb > 0), pb - pa, 0.0)
        var = np.where((na > 0) & (nb > 0), pa * (1 - pa) / na + pb * (1 - pb) / nb, 0.0)
    pooled_final = (xa[-1] + xb[-1]) / max(na[-1] + nb[-1], 1)
    if tau is None:
        tau = max(min_effect * pooled_final, 1e-6)
    p, low, high = _stats.msprt(diff, var, tau**2, alpha)
    naive = np.array(
        [
            _stats.pooled_z(xa[i], na[i], xb[i], nb[i])[1] if na[i] > 0 and nb[i] > 0 else 1.0
            for i in range(xa.size)
        ]
    )
    table = pd.DataFrame(
        {
            "look": np.arange(1, xa.size + 1),
            "successes_a": xa,
            "exposure_a": na,
            "successes_b": xb,
            "exposure_b": nb,
            "rate_a": pa,
            "rate_b": pb,
            "diff": diff,
            "p_always_valid": p,
            "cs_low": low,
            "cs_high": high,
            "p_naive": naive,
        }
    )
    hits = np.flatnonzero(p < alpha)
    return MonitorResult(
        table=table,
        alpha=alpha,
        tau=float(tau),
        p_value=float(p[-1]),
        ci=(float(low[-1]), float(high[-1])),
        stopped_at=int(hits[0] + 1) if hits.size else None,
    )
