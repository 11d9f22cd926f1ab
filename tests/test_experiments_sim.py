"""Statistical validation of socialnb.experiments by seeded simulation.

Tolerances are binomial: with R replicates a true rate p is observed within
p +- 3 sqrt(p (1 - p) / R) (about 99.7% of the time); seeds are fixed, so results are exact
repeats. Measured figures are written in the test names' docstrings.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from socialnb import _stats
from socialnb.experiments import (
    compare_posts,
    guardrail_status,
    monitor,
    posts_needed,
)
from socialnb.experiments.power import _PowerSimulation


def _band(p: float, reps: int) -> float:
    return 3 * math.sqrt(p * (1 - p) / reps)


def _aa_run(n: int, reps: int, disp: float, *, paired: bool, seed: int, lift: float = 0.0):
    """Simulate overdispersed posts (lognormal exposures, NB2 counts); collect results."""
    rng = np.random.default_rng(seed)
    out = []
    for r in range(reps):
        e = rng.lognormal(np.log(3000), 0.6, 2 * n)
        mu = 0.04 * e
        if paired:  # slots differ (topic, week), both variants share the slot's level
            mu = mu * np.repeat(rng.lognormal(0, 0.5, n), 2)
            labels = np.tile(["A", "B"], n)
            slot = np.repeat(np.arange(n), 2)
        else:
            labels = np.array(["A"] * n + ["B"] * n)
            slot = np.r_[np.arange(n), np.arange(n)]
        mu = mu * np.where(labels == "B", 1 + lift, 1.0)
        y = _stats.nb_draws(rng, mu, disp)
        frame = pd.DataFrame({"variant": labels, "engagements": y, "impressions": e, "slot": slot})
        out.append(compare_posts(frame, pair="slot" if paired else None, resamples=999, seed=r))
    return out


@pytest.mark.slow
def test_aa_posts_test_rejects_at_the_nominal_rate_while_the_dashboard_does_not():
    """Measured (seed 1, 400 A/A tests, 12 posts a variant, NB2 alpha 0.5): compare_posts
    rejects 3.7% (randomisation p; the NB model's p 4.3%), interval coverage 95.8%; the pooled
    dashboard test rejects 80.7%."""
    reps = 400
    res = _aa_run(12, reps, 0.5, paired=False, seed=1)
    reject = np.mean([r.p_value < 0.05 for r in res])
    reject_model = np.mean([r.p_model < 0.05 for r in res])
    naive = np.mean([r.naive_p_value < 0.05 for r in res])
    cover = np.mean([r.ci[0] <= 1 <= r.ci[1] for r in res])
    print(
        f"A/A posts: reject {reject:.3f} model {reject_model:.3f} naive {naive:.3f} cover {cover:.3f}"
    )
    assert abs(reject - 0.05) <= _band(0.05, reps)
    assert abs(reject_model - 0.05) <= _band(0.05, reps)
    assert abs(cover - 0.95) <= _band(0.05, reps)
    assert naive > 0.5


@pytest.mark.slow
def test_aa_paired_test_rejects_at_the_nominal_rate():
    """Measured (seed 2, 300 A/A tests, 8 slots, NB2 alpha 0.3, slot effects): rejects 4.0%,
    coverage 95.0%; the pooled test rejects 82.0%."""
    reps = 300
    res = _aa_run(8, reps, 0.3, paired=True, seed=2)
    reject = np.mean([r.p_value < 0.05 for r in res])
    cover = np.mean([r.ci[0] <= 1 <= r.ci[1] for r in res])
    naive = np.mean([r.naive_p_value < 0.05 for r in res])
    print(f"A/A paired: reject {reject:.3f} cover {cover:.3f} naive {naive:.3f}")
    assert abs(reject - 0.05) <= _band(0.05, reps)
    assert abs(cover - 0.95) <= _band(0.05, reps)
    assert naive > 0.5


@pytest.mark.slow
def test_intervals_cover_the_true_ratio_when_there_is_an_effect():
    reps = 300
    res = _aa_run(10, reps, 0.3, paired=False, seed=3, lift=0.5)
    cover = np.mean([r.ci[0] <= 1.5 <= r.ci[1] for r in res])
    print(f"coverage at ratio 1.5: {cover:.3f}")
    assert abs(cover - 0.95) <= _band(0.05, reps)


@pytest.mark.slow
def test_posts_needed_agrees_with_the_power_of_compare_posts():
    """posts_needed's n gives compare_posts about the promised 80% power."""
    n = posts_needed(0.04, 0.5, dispersion=0.2, exposure_per_post=3000)
    assert 5 <= n <= 40
    reps = 300
    rng = np.random.default_rng(4)
    hits = 0
    for r in range(reps):
        e = np.full(2 * n, 3000.0)
        mu = 0.04 * e * np.r_[np.ones(n), np.full(n, 1.5)]
        y = _stats.nb_draws(rng, mu, 0.2)
        frame = pd.DataFrame({"variant": ["A"] * n + ["B"] * n, "engagements": y, "impressions": e})
        hits += compare_posts(frame, resamples=499, seed=r).p_value < 0.05
    power = hits / reps
    print(f"posts_needed n = {n}; simulated power of compare_posts = {power:.3f}")
    assert abs(power - 0.8) <= _band(0.8, reps) + 0.03


def test_posts_needed_is_fast_and_monotone_in_dispersion():
    kw = dict(exposure_per_post=[1500, 3000, 6000])
    low = posts_needed(0.04, 0.3, dispersion=0.1, **kw)
    high = posts_needed(0.04, 0.3, dispersion=0.4, **kw)
    assert low < high


def _weekly_aa(reps: int, weeks: int, seed: int):
    rng = np.random.default_rng(seed)
    n = rng.poisson(3000, (reps, weeks)).astype(float)
    xa = rng.binomial(n.astype(int), 0.03).astype(float)
    xb = rng.binomial(n.astype(int), 0.03).astype(float)
    return np.cumsum(xa, 1), np.cumsum(n, 1), np.cumsum(xb, 1), np.cumsum(n, 1)


def test_weekly_monitoring_keeps_false_positives_below_alpha():
    """Measured (seed 6, 500 A/A tests looked at weekly for 12 weeks): monitor rejects 0.8%;
    naive weekly pooled z-tests reject 23.0%."""
    reps, weeks = 500, 12
    xa, na, xb, nb = _weekly_aa(reps, weeks, 6)
    always, naive = 0, 0
    for i in range(reps):
        m = monitor(xa[i], na[i], xb[i], nb[i])
        always += m.stopped_at is not None
        naive += bool((m.table["p_naive"] < 0.05).any())
    print(f"weekly A/A: always-valid {always / reps:.3f}, naive {naive / reps:.3f}")
    assert always / reps <= 0.05
    assert naive / reps > 0.1


def test_confidence_sequence_covers_the_true_difference_at_every_look():
    reps, weeks = 300, 12
    rng = np.random.default_rng(7)
    n = np.cumsum(rng.poisson(3000, (reps, weeks)).astype(float), 1)
    xa = np.cumsum(rng.binomial(np.diff(n, prepend=0).astype(int), 0.03), 1)
    xb = np.cumsum(rng.binomial(np.diff(n, prepend=0).astype(int), 0.036), 1)
    miss = 0
    for i in range(reps):
        t = monitor(xa[i], n[i], xb[i], n[i]).table
        miss += bool(((t["cs_low"] > 0.006) | (t["cs_high"] < 0.006)).any())
    print(f"confidence sequence misses the truth at some look in {miss / reps:.3f}")
    assert miss / reps <= 0.05


def test_randomisation_p_value_is_uniform_under_the_null():
    rng = np.random.default_rng(8)
    reps = 400
    p = []
    for r in range(reps):
        e = rng.lognormal(8, 0.5, 16)
        y = _stats.nb_draws(rng, 0.04 * e, 0.5)
        p.append(_stats.permutation_pvalue(y, e, np.r_[np.zeros(8), np.ones(8)].astype(bool),
                                           resamples=499, seed=r))  # fmt: skip
    assert stats.kstest(p, "uniform").pvalue > 0.001


# --------------------------------------------------------------------------- issue 12
@pytest.mark.slow
def test_interval_covers_at_five_posts_a_variant_with_heavy_dispersion():
    """Issue 12, finding 3 (target >= 93%). Measured (seed 31, 500 tests a setting, ratio 1.3,
    5 posts a variant): coverage 96.2% at dispersion 1, 94.8% at dispersion 2."""
    reps = 500
    for disp in (1.0, 2.0):
        res = _aa_run(5, reps, disp, paired=False, seed=31, lift=0.3)
        cover = np.mean([r.ci[0] <= 1.3 <= r.ci[1] for r in res])
        agree = np.mean([(r.p_value < 0.05) == (r.ci[0] > 1 or r.ci[1] < 1) for r in res])
        print(f"coverage at 5 posts, dispersion {disp}: {cover:.3f}")
        assert cover >= 0.93
        assert agree == 1.0  # one method: the p-value and the interval never disagree


@pytest.mark.slow
def test_a_guardrail_truly_30_percent_worse_is_almost_never_ok_at_8_posts():
    """Issue 12, finding 2 (target: "ok" at most 20% of the time). Measured (seed 32, 200
    tests a setting, 8 posts a variant, dispersion 0.3 and 1): "ok" 0-0.5% at 30% and 50% harm."""
    reps = 200
    for disp in (0.3, 1.0):
        for harm in (-0.3, -0.5):
            res = _aa_run(8, reps, disp, paired=False, seed=32, lift=harm)
            ok = np.mean([guardrail_status(r).startswith("ok") for r in res])
            print(f"guardrail {harm:+.0%}, dispersion {disp}: ok {ok:.3f}")
            assert ok <= 0.20


def test_a_guardrail_is_ok_only_when_harm_beyond_its_margin_is_ruled_out():
    res = _aa_run(40, 1, 0.05, paired=False, seed=33, lift=0.0)[0]
    assert res.ci[0] > 0.9
    assert guardrail_status(res, 0.10).startswith("ok")
    assert guardrail_status(res, 0.01).startswith("cannot rule out harm")


def test_posts_needed_plans_for_the_test_that_is_run():
    """Issue 12, finding 4 (target: 75-85% power at the returned n). The returned n, simulated
    again with fresh seeds and 999 relabellings, has 80-84% power. Measured (seeds 0/123):
    dispersion 0.5 +50%: n = 67, power 80.8%; dispersion 1 +80%: n = 63, 81.6%."""
    ex = np.random.default_rng(0).lognormal(np.log(3000), 0.6, 200)
    for disp, lift in ((0.5, 0.5), (1.0, 0.8)):
        n = posts_needed(0.04, lift, dispersion=disp, exposure_per_post=ex)
        check = _PowerSimulation(0.04, lift, disp, ex, 0.05, 4000, n, seed=123)
        check.resamples = 999
        power = check.power(n)
        print(f"posts_needed {n}: power {power:.3f}")
        assert 0.75 <= power <= 0.85


@pytest.mark.slow
def test_the_planning_simulation_is_the_test_compare_posts_runs():
    """The vectorised simulation and compare_posts on the same kind of data reject at the same
    rate (the planning is for exactly the test that is run)."""
    n, reps = 12, 300
    res = _aa_run(n, reps, 0.5, paired=False, seed=34, lift=0.6)
    page = np.mean([r.p_value < 0.05 for r in res])
    rng = np.random.default_rng(34)
    ex = rng.lognormal(np.log(3000), 0.6, 5000)
    sim = _PowerSimulation(0.04, 0.6, 0.5, ex, 0.05, 4000, n, seed=35)
    sim.resamples = 999
    planned = sim.power(n)
    print(f"compare_posts power {page:.3f}, planning simulation {planned:.3f}")
    assert abs(page - planned) <= _band(planned, reps) + 0.01


def test_posts_needed_is_monotone_in_the_effect_and_the_dispersion():
    ex = np.random.default_rng(1).lognormal(np.log(3000), 0.6, 100)
    grid = {}
    for disp in (0.2, 0.4, 0.8):
        for lift in (0.4, 0.6, 0.9):
            grid[disp, lift] = posts_needed(
                0.04, lift, dispersion=disp, exposure_per_post=ex, replicates=1000
            )
    for disp in (0.2, 0.4, 0.8):
        row = [grid[disp, lift] for lift in (0.4, 0.6, 0.9)]
        assert row == sorted(row, reverse=True), (disp, row)
    for lift in (0.4, 0.6, 0.9):
        col = [grid[disp, lift] for disp in (0.2, 0.4, 0.8)]
        assert col == sorted(col), (lift, col)


@pytest.mark.slow
def test_paired_ratio_is_not_biased_toward_one_at_low_counts():
    """Issue 12, finding 8: the old log-rate model gave 1.19 for a true 1.3 at about one event a
    post. Measured (seed 7, 200 tests of 30 slots, mean 1 event a post): Mantel-Haenszel 1.31
    (the log-rate model, kept for reference, 1.19); coverage 95%."""
    rng = np.random.default_rng(7)
    res = []
    for r in range(200):
        n = 30
        e = rng.lognormal(np.log(3000), 0.6, 2 * n)
        mu = 1.0 / 3000 * e * np.repeat(rng.lognormal(0, 0.5, n), 2)
        labels = np.tile(["A", "B"], n)
        mu = mu * np.where(labels == "B", 1.3, 1.0)
        y = _stats.nb_draws(rng, mu, 0.3)
        frame = pd.DataFrame({"variant": labels, "engagements": y, "impressions": e,
                              "slot": np.repeat(np.arange(n), 2)})  # fmt: skip
        res.append(compare_posts(frame, pair="slot", resamples=999, seed=r))
    geo = math.exp(np.mean([math.log(r.ratio) for r in res]))
    cover = np.mean([r.ci[0] <= 1.3 <= r.ci[1] for r in res])
    print(f"paired ratio at low counts: {geo:.3f}, coverage {cover:.3f}")
    assert abs(geo - 1.3) < 0.05
    assert cover >= 0.92


def test_more_posts_needed_is_a_range_that_holds_the_point():
    from socialnb.experiments import decide

    rng = np.random.default_rng(36)
    n = 8
    e = rng.lognormal(np.log(3000), 0.6, 2 * n)
    y = _stats.nb_draws(rng, 0.04 * e * np.r_[np.ones(n), np.full(n, 1.1)], 0.3)
    frame = pd.DataFrame({"variant": ["A"] * n + ["B"] * n, "engagements": y, "impressions": e})
    d = decide(compare_posts(frame, resamples=999), 0.3)
    assert d.label == "inconclusive"
    low, high = d.more_needed_range
    assert low is not None and low <= d.more_needed and (high is None or d.more_needed <= high)
    assert high is None or high > low
    assert f"between {low} and" in d.text
