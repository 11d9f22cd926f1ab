"""Promises of socialnb.experiments.power: planning from a test's own posts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special

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
                    posts_needed(
                        rate,
                        lift,
                        dispersion=disp,
                        exposure_per_post=exposure,
                        seed=seed,
                        replicates=400,
                    )  # fmt: skip
                )
            except Exception as exc:  # noqa: BLE001 - the same refusal is part of the answer
                out.append(type(exc).__name__)
        return out

    fast = answers()
    monkeypatch.setattr(power, "_gamma_quantiles", lambda u, shape, **_: stats.gamma.ppf(u, shape))
    assert fast == answers()
    assert any(isinstance(a, int) for a in fast)


def test_a_planning_question_asked_twice_of_one_result_is_simulated_once(monkeypatch):
    import socialnb.experiments.power as power

    calls = []
    real = power.posts_needed

    def counted(*args, **kwargs):
        calls.append(kwargs["dispersion"])
        return real(*args, **kwargs)

    monkeypatch.setattr(power, "posts_needed", counted)
    r = compare_posts(_posts(n=6), exposure="reach", resamples=999)
    first = posts_needed_range(r, 0.5)
    dec = decide(r, 0.5)  # asks the same three questions
    assert len(calls) == 3 and len(set(calls)) == 3
    assert posts_needed_range(r, 0.5) == first and len(calls) == 3
    posts_needed_range(r, 0.6)  # a new question is simulated
    assert len(calls) == 6
    # a fresh result of the same posts gets the same answers from its own simulations
    again = compare_posts(_posts(n=6), exposure="reach", resamples=999)
    assert posts_needed_range(again, 0.5) == first and len(calls) == 9
    assert dec.more_needed == first[0] - min(r.n_baseline, r.n_treatment)


# ----------------------------------------------------------------- the fast planning, unchanged


def _plain_posts_needed(rate, lift, disp, exposure, *, seed=0, replicates=400, max_posts=200):
    """posts_needed as it was written before it was made faster: one simulation of its own per
    call (np.interp for the gamma quantiles, every replicate for every number of posts)."""
    from socialnb import _stats
    from socialnb.experiments.power import _Z_GRID

    exposure = np.atleast_1d(np.asarray(exposure, dtype=float))
    rng = np.random.default_rng(seed)
    shape = (replicates, 2 * max_posts)
    e = (
        np.full(shape, exposure[0])
        if exposure.size == 1
        else exposure[rng.integers(0, exposure.size, shape)]
    )
    u = rng.random(shape)
    mu = rate * e * np.where(np.arange(2 * max_posts) < max_posts, 1.0, 1.0 + lift)
    gamma = 1.0
    if disp > 0:
        with np.errstate(divide="ignore"):
            log_q = np.log(special.gammaincinv(1 / disp, special.ndtr(_Z_GRID)))
        ok = np.isfinite(log_q)
        gamma = np.exp(np.interp(special.ndtri(u), _Z_GRID[ok], log_q[ok])) * disp
    y = np.random.default_rng(seed + 1).poisson(mu * gamma).astype(float)

    def pw(n):
        cols = np.r_[np.arange(n), max_posts + np.arange(n)]
        yn, en = y[:, cols], e[:, cols]
        is_b = np.r_[np.zeros(n, bool), np.ones(n, bool)]
        labels, exact = _stats._label_matrix(is_b, 199, np.random.default_rng(seed + 2))
        lab = labels.astype(float).T
        yb, eb = yn @ lab, en @ lab
        ya, ea = yn.sum(1)[:, None] - yb, en.sum(1)[:, None] - eb
        perm = np.log((yb + 0.5) / eb) - np.log((ya + 0.5) / ea)
        obs = np.log((yn[:, n:].sum(1) + 0.5) / en[:, n:].sum(1)) - np.log(
            (yn[:, :n].sum(1) + 0.5) / en[:, :n].sum(1)
        )
        extreme = (np.abs(perm) >= np.abs(obs)[:, None] - 1e-12).sum(1)
        p = extreme / perm.shape[1] if exact else (1 + extreme) / (perm.shape[1] + 1)
        return float(np.mean(p < 0.05))

    lo, hi = 2, max_posts
    if pw(hi) < 0.8:
        return None
    if pw(lo) >= 0.8:
        return lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        hi, lo = (mid, lo) if pw(mid) >= 0.8 else (hi, mid)
    return hi


def test_posts_needed_gives_the_answers_of_the_plain_simulation():
    """The shared draws, the early stop of each power check and the single-precision sums change
    no answer: the same posts (or the same refusal) as the simulation written plainly, on cases
    that share draws (one test's three dispersions in a row, as a range is planned) and alone."""
    from socialnb.errors import AnalysisError
    from socialnb.experiments.power import _PowerSimulation, _sharing_draws

    rng = np.random.default_rng(21)
    cases = []
    for _ in range(5):
        exposure = rng.lognormal(np.log(float(rng.choice([300, 3000, 30000]))), 0.6, 12)
        rate, lift = float(rng.choice([0.01, 0.04, 0.1])), float(rng.choice([0.3, 0.6, -0.3]))
        seed = int(rng.integers(0, 3))
        for disp in (0.05, 0.3, 1.2):  # one test's point and range
            cases.append((rate, lift, disp, exposure, seed))
    cases += [(0.04, 0.5, 0.0, [3000.0], 0), (0.2, 2.0, 0.02, [50000.0], 1)]  # one exposure

    def fast(rate, lift, disp, exposure, seed):
        try:
            return posts_needed(rate, lift, dispersion=disp, exposure_per_post=exposure,
                                seed=seed, replicates=400)  # fmt: skip
        except AnalysisError:
            return None

    plain = [_plain_posts_needed(*c[:4], seed=c[4]) for c in cases]
    assert sum(a is None for a in plain) < len(plain) - 5  # mostly numbers, not refusals
    with _sharing_draws():
        assert [fast(*c) for c in cases] == plain
        first, again = (_PowerSimulation(0.04, 0.3, d, cases[0][3], 0.05, 400, 200, 0)
                        for d in (0.1, 0.2))  # fmt: skip
        assert first.draws is again.draws  # the sharing is real
    assert [fast(*c) for c in reversed(cases)][::-1] == plain  # alone, whatever came before


def test_a_power_check_that_stops_early_answers_as_the_full_one():
    from socialnb.experiments.power import _PowerSimulation

    exposure = np.random.default_rng(2).lognormal(np.log(3000), 0.5, 30)
    sim = _PowerSimulation(0.04, 0.4, 0.3, exposure, 0.05, 500, 120, 5)
    powers = {n: sim.power(n) for n in (2, 5, 10, 20, 40, 60, 90, 120)}
    assert min(powers.values()) < 0.3 and max(powers.values()) > 0.9
    for n, p in powers.items():
        for target in (0.05, 0.5, 0.8, p, np.nextafter(p, 1), 0.95):
            assert sim.reaches(n, target) == (p >= target)


@pytest.mark.parametrize("shape", [0.01, 0.05, 0.3, 1.0, 3.3, 50.0, 1000.0])
def test_the_gamma_quantiles_from_kept_grid_places_are_numpys_interpolation_to_the_bit(shape):
    from socialnb.experiments.power import _Z_GRID, _gamma_quantiles, _GridPlaces

    u = np.random.default_rng(8).random(100_000)
    u = np.r_[u, 0.0, 1e-300, 1e-19, 0.5, 1 - 2**-53, special.ndtr(_Z_GRID[::97]), np.nan]
    with np.errstate(divide="ignore"):
        log_q = np.log(special.gammaincinv(shape, special.ndtr(_Z_GRID)))
    ok = np.isfinite(log_q)
    assert not ok.all()  # the grid's ends are cut, as the interpolation must handle
    plain = np.exp(np.interp(special.ndtri(u), _Z_GRID[ok], log_q[ok]))
    np.testing.assert_array_equal(_gamma_quantiles(u, shape, places=_GridPlaces(u)), plain)
    np.testing.assert_array_equal(_gamma_quantiles(u, shape), plain)


def test_the_single_precision_sums_are_the_double_precision_sums_or_are_not_used():
    from socialnb.experiments.power import _PowerSimulation

    exposure = np.random.default_rng(3).lognormal(np.log(3000), 0.5, 20)
    small = _PowerSimulation(0.04, 0.4, 0.3, exposure, 0.05, 300, 60, 1)
    for n in (3, 30, 60):
        cols = np.r_[np.arange(n), 60 + np.arange(n)]
        lab, lab_single = small.draws.relabelled(n, small.resamples)[:2]
        np.testing.assert_array_equal(
            (small.y_single[:, cols] @ lab_single).astype(float), small.y[:, cols] @ lab
        )
    # counts whose sums single precision cannot hold exactly (above 2**24) stay in double
    huge = _PowerSimulation(0.5, 0.4, 0.3, exposure * 1000, 0.05, 300, 60, 1)
    assert huge.y.sum(1).max() > 2**24 and huge.y_single is None
