"""Promises of socialnb.experiments.power: planning from a test's own posts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialnb.errors import ParameterError
from socialnb.experiments import compare_posts, decide, posts_needed, posts_needed_range
from socialnb.experiments.power import _dispersion_range, _nb_alpha


def _posts(n: int = 8, disp: float = 0.2, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    reach = rng.lognormal(np.log(3000), 0.4, 2 * n)
    mu = 0.04 * reach * rng.gamma(1 / disp, disp, 2 * n)
    return pd.DataFrame(
        {"variant": ["a"] * n + ["b"] * n, "engagements": rng.poisson(mu), "reach": reach}
    )


def test_the_needed_range_brackets_the_point_and_grows_with_the_dispersion():
    r = compare_posts(_posts(), exposure="reach", resamples=999)
    low_d, high_d = _dispersion_range(r)
    assert low_d < _nb_alpha(r) < high_d
    point, low, high = posts_needed_range(r, 0.5)
    assert low <= point <= high
    assert posts_needed_range(r, 0.5) == (point, low, high)  # seeded


def test_a_change_too_small_to_detect_is_none_not_a_number():
    r = compare_posts(_posts(), exposure="reach", resamples=999)
    point, low, high = posts_needed_range(r, 0.01)
    assert point is None and high is None


def test_an_inconclusive_decision_plans_the_same_posts_as_the_range():
    r = compare_posts(_posts(n=6), exposure="reach", resamples=999)
    dec = decide(r, 0.5)
    assert dec.label == "inconclusive"
    point, low, high = posts_needed_range(r, 0.5)
    now = min(r.n_baseline, r.n_treatment)
    assert dec.more_needed == point - now
    assert dec.more_needed_range == (low - now, None if high is None else high - now)


def test_posts_needed_refuses_impossible_inputs_with_the_parameter_named():
    with pytest.raises(ParameterError, match="lift"):
        posts_needed(0.04, 0.0, dispersion=0.3, exposure_per_post=3000)
    with pytest.raises(ParameterError, match="exposure_per_post"):
        posts_needed(0.04, 0.2, dispersion=0.3, exposure_per_post=[0, np.nan])


@pytest.mark.parametrize("shape", [0.05, 0.2, 0.5, 1.0, 3.0, 10.0, 50.0, 1000.0])
def test_the_fast_gamma_quantiles_match_scipy_to_a_few_parts_per_million(shape):
    from scipy import stats

    from socialnb.experiments.power import _gamma_quantiles

    u = np.random.default_rng(7).random(200_000)
    u = np.r_[u, 1e-15, 1e-9, 0.5, 1 - 1e-9, 1 - 1e-15]
    exact = stats.gamma.ppf(u, shape)
    fast = _gamma_quantiles(u, shape)
    shown = exact > 1e-300  # below that the exact value is 0 or denormal
    assert np.all(np.diff(fast[np.argsort(u)]) >= 0)  # still a quantile function: monotone in u
    assert np.max(np.abs(fast[shown] / exact[shown] - 1)) < 2e-5


def test_posts_needed_gives_the_same_answers_as_with_scipys_gamma_quantiles(monkeypatch):
    """The planning answers (posts a variant) do not move with the faster quantiles, on cases
    spread over rates, lifts, dispersions, exposures and seeds."""
    from scipy import stats

    import socialnb.experiments.power as power

    rng = np.random.default_rng(11)
    cases = [
        (
            float(rng.choice([0.005, 0.02, 0.05, 0.1])),
            float(rng.choice([0.2, 0.3, 0.5, 1.0, -0.3])),
            float(rng.choice([0.0, 0.05, 0.1, 0.3, 0.6, 1.5])),
            rng.lognormal(np.log(float(rng.choice([300, 3000, 30000]))), 0.6, 20),
            int(rng.integers(0, 5)),
        )
        for _ in range(12)
    ]

    def answers():
        out = []
        for rate, lift, disp, exposure, seed in cases:
            try:
                out.append(
                    posts_needed(rate, lift, dispersion=disp, exposure_per_post=exposure,
                                 seed=seed, replicates=400)  # fmt: skip
                )
            except Exception as exc:  # noqa: BLE001 - the same refusal is part of the answer
                out.append(type(exc).__name__)
        return out

    fast = answers()
    monkeypatch.setattr(power, "_gamma_quantiles", lambda u, shape: stats.gamma.ppf(u, shape))
    assert fast == answers()
    assert any(isinstance(a, int) for a in fast)
