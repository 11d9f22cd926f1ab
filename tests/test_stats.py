"""Promises of socialnb._stats, the numerical core under the analyses: a model that cannot be
fitted gives way to the fallback (None), and nothing else is swallowed."""

from __future__ import annotations

import numpy as np
import pytest

from socialnb import _stats


def _data(n: int = 30, seed: int = 4):
    rng = np.random.default_rng(seed)
    e = rng.lognormal(np.log(2000), 0.4, n)
    X = np.column_stack([np.ones(n), np.r_[np.zeros(n // 2), np.ones(n - n // 2)]])
    y = rng.poisson(0.05 * e * rng.gamma(1 / 0.3, 0.3, n)).astype(float)  # NB2, alpha 0.3
    return y, X, np.log(e)


def test_models_fit_well_behaved_counts():
    y, X, offset = _data()
    params, cov, alpha = _stats.fit_nb2(y, X, offset)
    assert params.shape == (2,) and cov.shape == (2, 2) and alpha >= 0
    params, cov, scale = _stats.fit_quasi_poisson(y, X, offset)
    assert np.all(np.isfinite(params)) and scale > 0


@pytest.mark.parametrize("fit", [_stats.fit_nb2, _stats.fit_quasi_poisson])
def test_a_fit_that_fails_numerically_gives_way_to_the_fallback(fit):
    y, X, offset = _data()
    X = X.copy()
    X[3, 1] = np.nan  # statsmodels refuses missing data with its own exception
    assert fit(y, X, offset) is None


def test_a_programming_error_is_not_swallowed():
    y, X, offset = _data()
    with pytest.raises(TypeError):
        _stats.fit_quasi_poisson(y, X, offset, groups=object())


def test_ols_on_a_singular_design_is_none():
    y, X, _ = _data(n=2)
    assert _stats.fit_ols(y, np.column_stack([X, X])) is None
