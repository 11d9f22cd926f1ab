"""The one shape of every analysis result in :mod:`socialnb.experiments`.

Each result is a frozen dataclass that also has ``estimate``, ``interval`` (low, high; NaN where
the analysis gives none) and ``p_value`` (NaN where there is none), ``to_frame()``, ``plot()``
where a picture helps, and a one-line repr saying what was estimated, the estimate and its
interval.
"""

from __future__ import annotations

import math

__all__ = ["Result", "one_line"]


def _num(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NaN"
    return f"{value:.3g}"


def one_line(what: str, estimate: float, interval: tuple[float, float], p_value: float) -> str:
    """``what = 1.36 [1.17, 1.58], p = 0.0004`` (the interval and p-value left out when NaN).

    >>> one_line("ratio B / A", 1.2, (1.05, 1.37), 0.005)
    'ratio B / A = 1.2 [1.05, 1.37], p = 0.005'
    >>> one_line("chi-square (3 df)", 12.6, (math.nan, math.nan), math.nan)
    'chi-square (3 df) = 12.6'
    """
    text = f"{what} = {_num(estimate)}"
    lo, hi = interval
    if not (math.isnan(lo) and math.isnan(hi)):
        text += f" [{_num(lo)}, {_num(hi)}]"
    if p_value is not None and not math.isnan(p_value):
        text += f", p = {_num(p_value)}"
    return text


class Result:
    """Mixin of the shared shape. A subclass defines ``what`` and names the fields holding its
    estimate and interval (``_estimate_field``, ``_interval_field``; no interval field: NaN),
    and has a ``p_value``. Declare the dataclass with ``repr=False`` so this one-line repr is
    used."""

    _estimate_field = "ratio"
    _interval_field: str | None = "ci"

    @property
    def what(self) -> str:  # pragma: no cover - every subclass names itself
        raise NotImplementedError

    @property
    def estimate(self) -> float:
        return float(getattr(self, self._estimate_field))

    @property
    def interval(self) -> tuple[float, float]:
        if self._interval_field is None:
            return (math.nan, math.nan)
        lo, hi = getattr(self, self._interval_field)
        return (float(lo), float(hi))

    def __repr__(self) -> str:
        p = getattr(self, "p_value", math.nan)
        return f"<{type(self).__name__}: {one_line(self.what, self.estimate, self.interval, p)}>"
