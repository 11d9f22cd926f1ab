"""Promises of the experiments package's results: one shape for every analysis (estimate,
interval, p-value, ``to_frame()``, ``plot()``, a one-line repr, frozen), and the page's rates
taken from the one definition in socialnb.metrics."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from socialnb import metrics
from socialnb.experiments import (
    MonitorResult,
    PostsComparison,
    SplitComparison,
    SplitManyComparison,
    analyse_experiments,
    compare_posts,
    compare_split,
    compare_split_many,
    load_experiments,
    monitor,
    select_experiments,
)


def _posts(n: int = 6, lift: float = 0.5, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    reach = rng.lognormal(np.log(2000), 0.4, 2 * n)
    mu = 0.05 * reach * np.r_[np.ones(n), np.full(n, 1 + lift)]
    return pd.DataFrame(
        {
            "variant": ["a"] * n + ["b"] * n,
            "likes": rng.poisson(mu * 0.8).astype(float),
            "comments": rng.poisson(mu * 0.2).astype(float),
            "reach": reach,
        }
    )


def _every_result():
    return [
        compare_split(412, 20140, 489, 19890),
        compare_split_many([83, 90, 129, 70], [86, 93, 136, 82]),
        compare_posts(_posts(), exposure="reach", resamples=999),
        monitor([100, 200], [5000, 10000], [140, 280], [5000, 10000]),
    ]


@pytest.mark.parametrize("result", _every_result(), ids=lambda r: type(r).__name__)
def test_every_analysis_returns_a_frozen_result_of_one_shape(result):
    assert dataclasses.is_dataclass(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.alpha = 0.5
    assert isinstance(result.estimate, float)
    lo, hi = result.interval
    assert isinstance(result.p_value, float) and 0 <= result.p_value <= 1
    if not (math.isnan(lo) and math.isnan(hi)):
        assert lo <= result.estimate <= hi
    assert isinstance(result.to_frame(), pd.DataFrame) and len(result.to_frame())
    text = repr(result)
    assert "\n" not in text and len(text) < 200
    assert f"{result.estimate:.3g}" in text and type(result).__name__ in text
    ax = result.plot()
    assert ax.get_title() or ax.get_xlabel()


def test_the_repr_states_what_was_estimated_with_its_interval_and_p_value():
    r = compare_split(412, 20140, 489, 19890)
    assert repr(r) == (
        "<SplitComparison: ratio of rates B / A (a comparison, not a rate) = 1.2 [1.06, 1.37], "
        "p = 0.00536>"
    )
    many = compare_split_many([83, 90, 129, 70], [86, 93, 136, 82])
    assert repr(many).startswith("<SplitManyComparison: omnibus chi-square over 4 variants (3 df)")
    assert "[" not in repr(many)  # no interval: none is claimed


def test_a_ratio_between_variants_is_labelled_a_comparison_not_a_rate():
    r = compare_posts(_posts(), exposure="reach", resamples=999)
    measures = list(r.to_frame()["measure"])
    assert measures[0] == "rate ratio b / a (a comparison, not a rate)"
    assert isinstance(r, PostsComparison) and "not a rate" in r.what
    assert isinstance(compare_split(1, 10, 2, 10), SplitComparison)
    assert isinstance(compare_split_many([1, 2, 3], [10, 10, 10]), SplitManyComparison)
    assert isinstance(monitor([1], [10], [2], [10]), MonitorResult)


def test_each_variants_rate_is_shown_with_its_definition_and_equals_the_metrics_module():
    posts = _posts()
    r = compare_posts(posts, exposure="reach", resamples=999)
    frame = r.to_frame().set_index("measure")
    for name in ("a", "b"):
        agg = metrics.aggregate(posts[posts["variant"] == name], "er_reach", scope="all")
        median = frame.loc[f"rate {name}: {metrics.MEDIAN_OF_POSTS}"]
        total = frame.loc[f"rate {name}: {metrics.RATE_OF_TOTALS}"]
        assert median["method"] == total["method"] == "engagements / reach"
        assert median["estimate"] == pytest.approx(agg.value, rel=1e-12)
        assert total["estimate"] == pytest.approx(agg.rate_of_totals, rel=1e-12)


@pytest.fixture(scope="module")
def sample_analysis(sample_workspace):
    import socialnb

    posts = socialnb.Workspace(sample_workspace).posts("fernway")
    registry = load_experiments(sample_workspace / "fernway")
    return analyse_experiments(select_experiments(registry, "2026-10"), posts), posts, registry


@pytest.mark.slow
def test_the_rates_the_page_records_are_the_metrics_modules_numbers(sample_analysis):
    analysis, posts, registry = sample_analysis
    shown = analysis.rates_shown()
    post_level = [k for k, r in analysis.results.items() if isinstance(r, PostsComparison)]
    assert post_level and len(shown) == 4 * len(post_level)
    tests = {e.id: e for e in registry}
    for row in shown:
        assert row["month"] == "*" and row["metric"] == "er_reach"
        test_id, variant = row["scope"].removeprefix("posts of test ").split(", variant ")
        exp = tests[test_id]
        ids = next(v.posts for v in exp.variants if v.name == variant)
        chosen = posts[(posts["platform"] == exp.platform) & posts["post_id"].astype(str).isin(ids)]
        agg = metrics.aggregate(chosen, "er_reach", scope="all")  # the one definition
        assert row["n_posts"] == agg.n_posts == len(ids)
        expected = (
            agg.value if row["aggregation"] == metrics.MEDIAN_OF_POSTS else agg.rate_of_totals
        )
        assert row["value"] == pytest.approx(expected, rel=1e-9), row
    keys = [(r["month"], r["metric"], r["aggregation"], r["scope"]) for r in shown]
    assert len(set(keys)) == len(keys)  # one number per definition on this page


def test_the_whole_registrys_analysis_has_a_one_line_repr(sample_analysis):
    analysis, _, _ = sample_analysis
    assert repr(analysis) == "<ExperimentsAnalysis: 4 test(s): winner 2, inconclusive 2>"
