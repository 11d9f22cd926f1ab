"""Decisions in plain words: winner, no meaningful difference or inconclusive (with how much
more data would settle it), and guardrails judged as non-inferiority."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import AnalysisError, ParameterError
from .posts import PostsComparison
from .power import (
    _nb_alpha,
    _sharing_draws,
    needed_at,
    posts_needed_range,
    sample_size_proportions,
)
from .registry import GUARDRAIL_MARGIN
from .split import SplitComparison

__all__ = ["Decision", "decide", "guardrail_status"]


@dataclass(frozen=True)
class Decision:
    """A test's decision in plain words.

    ``label`` is ``"winner"``, ``"no meaningful difference"``, ``"inconclusive"`` or
    ``"not analysed"``; ``winner`` names the winning variant; ``more_needed`` the extra posts (or
    exposure, for split tests) a variant needed to detect ``min_effect`` (``None`` when even 200
    posts would not do, or when the decision was made with ``plan=False``).
    """

    label: str
    winner: str | None
    text: str
    more_needed: int | None = None
    more_needed_unit: str = "posts"
    guardrails: tuple[tuple[str, str], ...] = ()
    more_needed_range: tuple[int | None, int | None] | None = None

    def __repr__(self) -> str:
        who = f" ({self.winner})" if self.winner else ""
        return f"<Decision: {self.label}{who}: {self.text[:80]}>"

    def to_frame(self) -> pd.DataFrame:
        low, high = self.more_needed_range or (None, None)
        return pd.DataFrame(
            [
                {
                    "label": self.label,
                    "winner": self.winner,
                    "text": self.text,
                    "more_needed": self.more_needed,
                    "more_needed_low": low,
                    "more_needed_high": high,
                    "unit": self.more_needed_unit,
                    "guardrails": "; ".join(f"{g}: {s}" for g, s in self.guardrails),
                }
            ]
        )


def _names(result) -> tuple[str, str]:
    if isinstance(result, SplitComparison):
        return result.names
    return result.baseline, result.treatment


def _guardrail_text(guardrails: tuple[tuple[str, str], ...]) -> str:
    harmed = [k for k, s in guardrails if s.startswith("harmed")]
    unsure = [k for k, s in guardrails if s.startswith("cannot rule out harm")]
    text = f" Guardrail warning: {', '.join(harmed)} got worse." if harmed else ""
    if unsure:
        text += f" Harm to {', '.join(unsure)} cannot be ruled out."
    return text


def _evidence_text(result, alpha: float, p_used: float) -> str:
    a, b = _names(result)
    lo, hi = result.interval
    p_txt = f"p = {result.p_value:.2g}"
    if p_used is not result.p_value:
        p_txt += f", {p_used:.2g} adjusted across the page"
    return (
        f"ratio {b}/{a} = {result.ratio:.2f} ({100 * (1 - alpha):.0f}% interval {lo:.2f} to "
        f"{hi:.2f}, {p_txt})"
    )


def _winner(result, alpha: float, p_used: float, min_effect: float) -> tuple[str, str] | None:
    """(winner, text) when the evidence names one; None otherwise."""
    lo, hi = result.interval
    ratio = result.ratio
    excludes_one = (np.isfinite(lo) and lo > 1) or (np.isfinite(hi) and hi < 1)
    if not (np.isfinite(p_used) and p_used < alpha and (excludes_one or ratio in (0.0, math.inf))):
        return None
    a, b = _names(result)
    winner, loser = (b, a) if ratio > 1 else (a, b)
    size = ratio - 1 if winner == b else 1 / ratio - 1 if ratio > 0 else math.inf
    small = " (smaller than the minimum effect of interest)" if size < min_effect else ""
    return winner, f"{winner} beats {loser} by about {size:.0%}{small}"


def _more_data(result, min_effect: float, alpha: float, power: float, seed: int) -> dict:
    """How much more data a variant would need to detect ``min_effect``: exposure for a split
    test, posts (a point and the dispersion's range) for a post-level one."""
    if isinstance(result, SplitComparison):
        base = result.rates[0]
        need = sample_size_proportions(
            base, min(base * (1 + min_effect), 0.999), alpha=alpha, power=power
        )
        more = max(0, math.ceil(need) - min(result.exposures))
        return dict(more_needed=more, more_needed_unit="exposure",
                    extra=f" About {more:,} more exposures (impressions) a variant would detect "
                          f"a {min_effect:.0%} change.")  # fmt: skip
    now = min(result.n_baseline, result.n_treatment)
    with _sharing_draws():  # the point and the range's ends share their simulations' draws
        need = needed_at(result, min_effect, _nb_alpha(result), alpha, power, seed)  # or refused
        _, *range_ = posts_needed_range(result, min_effect, alpha=alpha, power=power, seed=seed)
    ends = [None if n is None else max(0, n - now) for n in range_]
    more = max(0, need - now)
    high_txt = f"{ends[1]}" if ends[1] is not None else "more than 200"
    extra = (
        f" About {more} more posts a variant (between {ends[0]} and {high_txt}: "
        f"the dispersion is uncertain from {result.n_baseline + result.n_treatment} posts) "
        f"would detect a {min_effect:.0%} change with {power:.0%} power."
    )
    return dict(more_needed=more, more_needed_unit="posts", more_needed_range=tuple(ends),
                extra=extra)  # fmt: skip


def decide(
    result: SplitComparison | PostsComparison,
    min_effect: float,
    *,
    alpha: float | None = None,
    guardrails: Mapping[str, str] | None = None,
    power: float = 0.8,
    seed: int = 0,
    p_adjusted: float | None = None,
    plan: bool = True,
) -> Decision:
    """Label a comparison: winner, no meaningful difference, or inconclusive (with how much
    more data a variant would detect ``min_effect``, a relative change such as 0.10).

    Rules: *winner* when the p-value (``p_adjusted`` when given: Benjamini-Hochberg across the
    page) is below alpha and the ratio's interval excludes 1 (the better side wins); *no
    meaningful difference* when the whole interval lies inside 1 +- ``min_effect``; otherwise
    *inconclusive*, with the extra posts a variant would need as a point and a range (the
    range carries the uncertainty of the dispersion estimated from this test's few posts).

    ``plan=False`` decides without the how-many-more-posts simulation, for callers that use
    only the label and the effect: the label, winner and evidence are the same, and an
    inconclusive decision says that more data was not planned (``more_needed`` is ``None``).

    Examples
    --------
    >>> from socialnb.experiments import compare_split
    >>> decide(compare_split(412, 20140, 489, 19890), 0.10).label
    'winner'
    >>> decide(compare_split(20000, 10**6, 20050, 10**6), 0.10).label
    'no meaningful difference'
    """
    alpha = result.alpha if alpha is None else alpha
    g = tuple((guardrails or {}).items())
    guard_txt = _guardrail_text(g)
    p_used = result.p_value if p_adjusted is None or not np.isfinite(p_adjusted) else p_adjusted
    evidence = _evidence_text(result, alpha, p_used)
    won = _winner(result, alpha, p_used, min_effect)
    if won is not None:
        return Decision("winner", won[0], f"{won[1]}: {evidence}.{guard_txt}", guardrails=g)
    lo, hi = result.interval
    if np.isfinite(lo) and np.isfinite(hi) and lo >= 1 - min_effect and hi <= 1 + min_effect:
        text = f"any difference is smaller than {min_effect:.0%}: {evidence}.{guard_txt}"
        return Decision("no meaningful difference", None, text, guardrails=g)
    try:
        more = (
            _more_data(result, min_effect, alpha, power, seed)
            if plan
            else dict(extra=" How much more data would settle it was not planned (plan=False).")
        )
    except (AnalysisError, ParameterError) as exc:
        more = dict(more_needed=None, extra=f" {exc}")
    extra = more.pop("extra")
    why = "not enough evidence either way"
    if result.p_value < alpha <= p_used:
        why = (
            "not enough evidence once every claim on the page is accounted for (the p-value is "
            "below alpha alone, not after the Benjamini-Hochberg adjustment)"
        )
    return Decision("inconclusive", None, f"{why}: {evidence}.{extra}{guard_txt}", guardrails=g,
                    **more)  # fmt: skip


def guardrail_status(
    result: PostsComparison, margin: float = GUARDRAIL_MARGIN, *, p_adjusted: float | None = None
) -> str:
    """A guardrail judged as non-inferiority: ``"ok"`` only when the interval rules out harm
    beyond ``margin`` (its low end above ``1 - margin``); ``"harmed"`` when it is clearly worse
    (interval below 1 and the p-value, adjusted across the page when ``p_adjusted`` is given,
    below alpha); otherwise ``"cannot rule out harm"``. A non-significant harm is never "ok".

    Examples
    --------
    >>> import pandas as pd
    >>> from socialnb.experiments import compare_posts
    >>> posts = pd.DataFrame({"variant": ["a"] * 4 + ["b"] * 4,
    ...                       "follows": [3, 5, 4, 6, 4, 5, 3, 6], "reach": [1000] * 8})
    >>> guardrail_status(compare_posts(posts, outcome="follows", exposure="reach"))[:20]
    'cannot rule out harm'
    """
    lo, hi = result.ci
    p = result.p_value if p_adjusted is None else p_adjusted
    ptxt = "p" if p_adjusted is None else "BH-adjusted p"
    txt = f"(ratio {result.ratio:.2f}, {lo:.2f} to {hi:.2f}, {ptxt} = {p:.2g}; margin {margin:.0%})"
    if np.isfinite(hi) and hi < 1 and p < result.alpha:
        return f"harmed {txt}"
    if np.isfinite(lo) and lo > 1 - margin:
        return f"ok: harm beyond {margin:.0%} ruled out {txt}"
    return f"cannot rule out harm {txt}"
