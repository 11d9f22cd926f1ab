"""Smoke test of benchmarks/validate_moro.py on a subset (the full run takes minutes)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _module():
    spec = importlib.util.spec_from_file_location(
        "validate_moro", ROOT / "benchmarks" / "validate_moro.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_mape_optimal_points_minimise_mape():
    vm = _module()
    rng = np.random.default_rng(0)
    y = rng.lognormal(3, 1, 5000)
    best = vm.weighted_median(y, 1 / y)
    mape = lambda p: np.mean(np.abs(y - p) / y)  # noqa: E731
    assert mape(best) <= min(mape(best * 0.9), mape(best * 1.1), mape(np.median(y)))
    alpha, mu = 0.5, 200.0
    draws = rng.gamma(1 / alpha, mu * alpha, 200_000)
    point = float(vm.nb_mape_point(np.array([mu]), alpha)[0])
    m = lambda p: np.mean(np.abs(draws - p) / draws)  # noqa: E731
    assert m(point) <= min(m(point * 0.9), m(point * 1.1), m(mu))


def test_the_protocol_runs_on_a_subset():
    vm = _module()
    if not vm.DATA.exists():
        pytest.fail(f"{vm.DATA} is missing: the shared datasets folder should be linked")
    d = pd.read_csv(vm.DATA, sep=";").head(150)
    row = vm.cross_validate(d, "like", folds=3, repeats=1)
    assert row["posts"] + row["zeros left out"] <= 150
    for k in ("MAPE model", "MAPE constant", "MAPE boosting"):
        assert np.isfinite(row[k]) and row[k] > 0
