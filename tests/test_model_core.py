"""Tests for socialnb._model (the penalised fit) and socialnb.ideation.design (its design)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from socialnb import _model
from socialnb.ideation import design


def _sparse(rng: np.random.Generator, n: int = 200, p: int = 30) -> np.ndarray:
    X = np.zeros((n, p))
    for i in range(n):
        cols = rng.choice(p, size=rng.integers(1, 6), replace=False)
        X[i, cols] = 1.0
    X[:, 0] = rng.normal(size=n)  # a trend-like column with any values
    return X


def test_the_cross_product_over_non_zero_cells_equals_the_dense_one():
    rng = np.random.default_rng(1)
    X = _sparse(rng)
    w = rng.gamma(2.0, size=len(X))
    gram = _model._Gram(X)
    np.testing.assert_allclose(gram(w), X.T @ (X * w[:, None]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gram(np.ones(len(X))), X.T @ X, rtol=1e-12, atol=1e-12)


def test_an_unpenalised_gaussian_fit_is_least_squares():
    rng = np.random.default_rng(2)
    X = np.column_stack([np.ones(80), rng.normal(size=80)])
    y = X @ [1.5, -0.5] + rng.normal(0, 0.3, 80)
    fit = _model.fit_penalised(y, X, ["platform", "trend"], {"platform": None, "trend": None},
                               family="gaussian")  # fmt: skip
    ols = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(fit.coef, ols, rtol=1e-9)
    resid = y - X @ ols
    assert np.isclose(fit.sigma2, resid @ resid / (80 - 2))


def test_a_prior_pulls_a_thin_level_towards_zero_and_leaves_a_rich_one():
    X = np.zeros((103, 3))
    X[:, 0] = 1.0  # the platform level
    X[:100, 1] = 1.0  # a format with 100 posts
    X[100:, 2] = 1.0  # a format with 3 posts
    y = np.r_[np.full(100, 20.0), np.full(3, 20.0)] * np.r_[np.full(100, 1.0), np.full(3, 3.0)]
    offset = np.log(np.full(103, 10.0))
    fit = _model.fit_penalised(y, X, ["platform", "format", "format"],
                               {"platform": None, "format": 0.3}, offset=offset)  # fmt: skip
    thin = fit.coef[2] - fit.coef[1]
    assert 0 < thin < np.log(3.0)  # shrunk towards the other format, not past it


def test_the_design_is_one_hot_per_term_and_gives_an_unknown_level_no_column():
    frame = pd.DataFrame({"platform": ["x", "x", "tiktok"], "format": ["text", "video", "poll"],
                          "pillar": ["a", "b", "a"]})  # fmt: skip
    cols = [("platform", "x"), ("platform", "tiktok"), ("format", "text"), ("format", "video"),
            ("pf", "x|text"), ("pillar", "a"), ("pfp", "x|text|a")]  # fmt: skip
    X = design._design(frame, cols)
    assert X.tolist() == [
        [1, 0, 1, 0, 1, 1, 1],
        [1, 0, 0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0, 1, 0],  # format "poll" is no column: its post has no format effect
    ]


def test_the_trend_counts_months_in_years_across_a_year_end():
    frame = pd.DataFrame({"platform": ["x", "x", "x"], "format": ["text"] * 3,
                          "sprint": ["2026-11", "2026-12", "2027-01"]})  # fmt: skip
    cols = [("platform", "x"), ("trend", "x")]
    X = design._design(frame, cols, design._month_ordinal("2027-01"))
    np.testing.assert_allclose(X[:, 1], [-2 / 12, -1 / 12, 0.0])
