"""Promises of ``analyse_experiments(plan=False)``: the same decisions and effects without the
how-many-more-posts simulation, which is then never run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socialnb.experiments import (
    Experiment,
    Variant,
    analyse_experiments,
    compare_posts,
    decide,
    load_experiments,
)

#: What a caller that uses only the effects reads from a test's row (the ideation page's
#: evidence: socialnb.ideation.design._experiment_terms), and the label and winner.
_SAME = ["id", "design", "status", "metric", "baseline", "variant", "effect", "ci_low", "ci_high",
         "p_value", "p_adjusted", "decision", "winner", "guardrails"]  # fmt: skip


def _posts(n: int, lift: float, seed: int, prefix: str) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    impressions = rng.lognormal(np.log(3000), 0.4, 2 * n).round()
    mult = np.r_[np.ones(n), np.full(n, 1 + lift)]
    mu = 0.04 * impressions * mult * rng.gamma(1 / 0.2, 0.2, 2 * n)
    return pd.DataFrame(
        {
            "post_id": [f"{prefix}{i}" for i in range(2 * n)],
            "platform": "instagram",
            "engagements": rng.poisson(mu).astype(float),
            "saves": rng.poisson(mu / 10).astype(float),
            "impressions": impressions,
        }
    )


def _registry_and_posts() -> tuple[list[Experiment], pd.DataFrame]:
    """Hand-made tests of every kind: a split winner, a split with a sample-ratio mismatch, a
    three-way split, an inconclusive post-level test with a guardrail, a clear post-level
    winner, a paired test, a planned test and one whose posts are unknown."""
    small, big, paired = _posts(5, 0.2, 1, "s"), _posts(30, 1.0, 2, "b"), _posts(6, 0.5, 3, "p")
    posts = pd.concat([small, big, paired], ignore_index=True)

    def arms(frame: pd.DataFrame, n: int) -> tuple[Variant, Variant]:
        ids = frame["post_id"].tolist()
        return Variant("a", posts=tuple(ids[:n])), Variant("b", posts=tuple(ids[n:]))

    done = dict(status="concluded", platform="instagram")
    registry = [
        Experiment("split-win", "split", "clicks", status="concluded",
                   variants=(Variant("A", successes=412, exposure=20140),
                             Variant("B", successes=489, exposure=19890))),
        Experiment("split-srm", "split", "clicks", status="concluded",
                   variants=(Variant("A", successes=412, exposure=20140, intended_share=0.5),
                             Variant("B", successes=489, exposure=18000, intended_share=0.5))),
        Experiment("split-null", "split", "clicks", status="concluded",
                   variants=(Variant("A", successes=20000, exposure=10**6),
                             Variant("B", successes=20050, exposure=10**6))),
        Experiment("split-three", "split", "clicks", status="concluded",
                   variants=(Variant("A", successes=83, exposure=860),
                             Variant("B", successes=90, exposure=930),
                             Variant("C", successes=129, exposure=1360))),
        Experiment("posts-unsure", "posts", "engagements", variants=arms(small, 5),
                   guardrails=("saves",), min_effect=0.3, **done),
        Experiment("posts-win", "posts", "engagements", variants=arms(big, 30), **done),
        Experiment("paired", "paired", "engagements", variants=arms(paired, 6), **done),
        Experiment("planned", "posts", "engagements", variants=arms(small, 5)),
        Experiment("unknown-posts", "posts", "engagements", status="concluded",
                   variants=(Variant("a", posts=("x1", "x2")), Variant("b", posts=("x3", "x4")))),
    ]  # fmt: skip
    return registry, posts


def _no_simulation(monkeypatch: pytest.MonkeyPatch) -> list:
    """Count every planning simulation from here on."""
    import socialnb.experiments.power as power

    calls: list = []
    real = power.posts_needed

    def counted(*args, **kwargs):
        calls.append(kwargs.get("dispersion"))
        return real(*args, **kwargs)

    monkeypatch.setattr(power, "posts_needed", counted)
    return calls


def _assert_same_decisions(planned, unplanned) -> None:
    a, b = planned.to_frame(), unplanned.to_frame()
    pd.testing.assert_frame_equal(a[_SAME], b[_SAME])
    assert {k: (d.label, d.winner) for k, d in planned.decisions.items()} == {
        k: (d.label, d.winner) for k, d in unplanned.decisions.items()
    }
    pd.testing.assert_frame_equal(planned.meta, unplanned.meta)
    assert planned.planned and not unplanned.planned


def test_decisions_without_planning_are_the_planned_decisions_on_hand_made_tests(monkeypatch):
    registry, posts = _registry_and_posts()
    planned = analyse_experiments(registry, posts)
    decisions = set(planned.to_frame()["decision"])
    # the registry covers every label, so the comparison below is not vacuous
    assert decisions == {"winner", "inconclusive", "no meaningful difference", "not analysed"}
    assert planned.decisions["posts-unsure"].more_needed is not None
    calls = _no_simulation(monkeypatch)
    unplanned = analyse_experiments(registry, posts, plan=False)
    assert calls == []
    _assert_same_decisions(planned, unplanned)
    unsure = unplanned.decisions["posts-unsure"]
    assert unsure.label == "inconclusive" and unsure.more_needed is None
    assert "not planned (plan=False)" in unsure.text
    assert "more posts" in planned.decisions["posts-unsure"].text
    assert "more posts" not in unsure.text


def test_the_power_table_plans_whether_or_not_the_decisions_did():
    registry, posts = _registry_and_posts()
    unplanned = analyse_experiments(registry, posts, plan=False)
    pd.testing.assert_frame_equal(
        analyse_experiments(registry, posts).power_table(), unplanned.power_table()
    )


def test_an_inconclusive_decision_without_planning_keeps_its_label_and_evidence():
    frame = _posts(6, 0.0, 3, "p").assign(variant=["a"] * 6 + ["b"] * 6)
    r = compare_posts(frame, resamples=999)
    with_plan, without = decide(r, 0.5), decide(r, 0.5, plan=False)
    assert with_plan.label == without.label == "inconclusive"
    evidence = with_plan.text.split(" About ")[0]
    assert without.text.startswith(evidence)
    assert without.more_needed is None and without.more_needed_range is None


def test_the_sample_brands_decisions_are_the_same_without_planning(sample_workspace, monkeypatch):
    import socialnb

    posts = socialnb.Workspace(sample_workspace).posts("fernway")
    registry = load_experiments(sample_workspace / "fernway")
    planned = analyse_experiments(registry, posts)
    calls = _no_simulation(monkeypatch)
    unplanned = analyse_experiments(registry, posts, plan=False)
    assert calls == []
    _assert_same_decisions(planned, unplanned)
    assert "inconclusive" in set(planned.to_frame()["decision"])
