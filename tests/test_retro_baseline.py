"""The retro's trailing baseline, computed once per group on numpy arrays, gives exactly what the
straightforward per-post loop gave (kept here as the reference), pools included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialnb import metrics as M
from socialnb import retro as R
from socialnb.retro.base import _trailing_baseline


def _reference_baseline(frame, *, by_format, exclude_series=False, pools=None):
    """The per-post loop ``_trailing_baseline`` was before it was vectorised (issue 15)."""
    rates = frame.dropna(subset=["rate"])
    fmt = frame["format"].astype("string").fillna("(none)")
    series = frame["series"].astype("string").fillna("")
    rfmt = fmt.loc[rates.index]
    rser = series.loc[rates.index]
    cache: dict[tuple, float] = {}
    pool_cache: dict[tuple, np.ndarray] = {}
    out = pd.Series(np.nan, index=frame.index)
    for i in frame.index:
        platform, sprint = frame.at[i, "platform"], frame.at[i, "sprint"]
        if pd.isna(sprint):
            continue
        f = fmt.at[i] if by_format else None
        s = series.at[i] if exclude_series and series.at[i] else None
        key = (platform, sprint, f, s)
        if key not in cache:
            prev = R.previous_sprints(sprint)
            pool = (rates["platform"] == platform) & rates["sprint"].isin(prev)
            if s is not None:
                regular = pool & (rser == "")
                pool = regular if regular.sum() >= 3 else pool & (rser != s)
            narrow = pool & (rfmt == f) if f is not None else pool
            use = narrow if narrow.sum() >= 3 else pool
            cache[key] = float(rates.loc[use, "rate"].median()) if use.sum() >= 3 else np.nan
            pool_cache[key] = rates.loc[use, "rate"].to_numpy(float)
        out.at[i] = cache[key]
        if pools is not None and np.isfinite(cache[key]):
            pools[i] = pool_cache[key]
    return out


def _assert_same_as_reference(frame: pd.DataFrame) -> None:
    for by_format, exclude_series in [(True, False), (False, False), (True, True), (False, True)]:
        got_pools: dict = {}
        want_pools: dict = {}
        kw = dict(by_format=by_format, exclude_series=exclude_series)
        got = _trailing_baseline(frame, **kw, pools=got_pools)
        want = _reference_baseline(frame, **kw, pools=want_pools)
        pd.testing.assert_series_equal(got, want, check_exact=True)
        assert got_pools.keys() == want_pools.keys()
        for i, pool in want_pools.items():
            np.testing.assert_array_equal(got_pools[i], pool)  # same values, same order
        # posts that shared a pool array still share one (the bootstrap draws it once)
        want_shared = {i: id(p) for i, p in want_pools.items()}
        got_shared = {i: id(p) for i, p in got_pools.items()}
        assert _partition(want_shared) == _partition(got_shared)


def _partition(ids: dict) -> set[frozenset]:
    groups: dict = {}
    for i, key in ids.items():
        groups.setdefault(key, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def _hand_made() -> pd.DataFrame:
    """Two platforms over five sprints: tied rates, a format with fewer than 3 posts, two series
    (one with too few regular posts beside it), posts without a rate or a sprint, a missing
    format, a skipped sprint and a non-default index."""
    rows = []
    plan = {  # sprint -> (platform, format, series, rate)
        "2026-05": [("x", "text", None, 0.02)] * 3 + [("x", "video", None, 0.05)],
        "2026-06": [("x", "text", None, 0.02), ("x", "text", "Tips", 0.03),
                    ("x", None, None, 0.04), ("instagram", "reel", "Tips", 0.06)],
        # 2026-07: no posts at all (a missing sprint)
        "2026-08": [("x", "text", None, 0.02), ("x", "text", "Tips", np.nan),
                    ("instagram", "reel", "Tips", 0.07), ("instagram", "reel", "Tips", 0.07),
                    ("instagram", "reel", "Days", 0.05), ("instagram", "image", None, 0.01)],
        "2026-09": [("x", "text", None, 0.03), ("x", "video", None, 0.06),
                    ("x", "text", "Tips", 0.02), ("instagram", "reel", "Days", 0.04),
                    ("instagram", "reel", None, 0.05), ("instagram", "image", None, 0.01)],
        "2026-10": [("x", "text", None, 0.02), ("x", "text", "Tips", 0.025),
                    ("x", "video", None, 0.07), ("instagram", "reel", "Tips", 0.08),
                    ("instagram", "image", None, 0.02), ("instagram", "reel", "Days", 0.05)],
    }  # fmt: skip
    for sprint, posts in plan.items():
        for platform, fmt, series, rate in posts:
            rows.append(dict(platform=platform, format=fmt, series=series, rate=rate,
                             sprint=sprint))  # fmt: skip
    rows.append(dict(platform="x", format="text", series=None, rate=0.02, sprint=None))
    frame = pd.DataFrame(rows)
    frame["series"] = frame["series"].astype("string")
    frame["sprint"] = frame["sprint"].astype("string")
    frame.index = np.arange(len(frame))[::-1] * 10 + 7
    return frame


def test_the_trailing_baseline_equals_the_per_post_reference_on_a_hand_made_frame():
    frame = _hand_made()
    _assert_same_as_reference(frame)
    base = _trailing_baseline(frame, by_format=True)
    assert base.notna().any() and base.isna().any()  # the frame reaches both outcomes


def test_the_trailing_baseline_of_fewer_than_three_posts_is_missing_not_zero():
    frame = _hand_made().iloc[:2]
    _assert_same_as_reference(frame)
    assert _trailing_baseline(frame, by_format=False).isna().all()
    _assert_same_as_reference(frame.iloc[:0])


def test_the_trailing_baseline_equals_the_per_post_reference_on_the_sample(sample_workspace):
    from socialnb import Workspace

    ws = Workspace(sample_workspace)
    frame = R.prepare_posts(ws.posts("fernway"), ws.account_daily("fernway"))
    organic = M.select_scope(frame, "organic")
    _assert_same_as_reference(frame)
    _assert_same_as_reference(organic.assign(series=organic["series"].replace("", pd.NA)))


@pytest.mark.parametrize("seed", [0, 1])
def test_series_health_is_unchanged_by_the_vectorised_baseline(seed, monkeypatch):
    from socialnb.config import SeriesRule
    from socialnb.retro import series as S

    frame = _hand_made()
    frame["post_id"] = [str(i) for i in range(len(frame))]
    frame["distribution"] = "organic"
    frame["published_local"] = pd.to_datetime("2026-10-01")
    got = S.series_health(frame, "2026-10", SeriesRule(), seed=seed, n_resamples=200)
    monkeypatch.setattr(S, "_trailing_baseline", _reference_baseline)
    want = S.series_health(frame, "2026-10", SeriesRule(), seed=seed, n_resamples=200)
    pd.testing.assert_frame_equal(got.table, want.table)
    pd.testing.assert_frame_equal(got.trend, want.trend)
