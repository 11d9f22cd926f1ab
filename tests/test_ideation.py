"""Tests for socialnb.ideation: the backlog, the performance model, scoring, the planner."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socialnb import ideation as I
from socialnb.config import CALENDAR_COLUMNS, IDEAS_COLUMNS
from socialnb.errors import ConfigError, ParameterError

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- the backlog
def _write_ideas(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(IDEAS_COLUMNS)
        w.writerows(rows)
    return path


GOOD = ["I-1", "Reel idea", "education", "", "reel", "instagram", "3", "60", "backlog", ""]


def test_a_valid_backlog_loads_with_numbers_and_rows(tmp_path):
    p = _write_ideas(
        tmp_path / "ideas.csv", [GOOD, ["I-2", "T", "", "", "Image", "Facebook", "1.5", "", "", ""]]
    )
    ideas = I.load_ideas(p)
    assert list(ideas["id"]) == ["I-1", "I-2"]
    assert ideas["effort_hours"].tolist() == [3.0, 1.5]
    assert ideas["team_confidence"].isna().tolist() == [False, True]
    assert ideas.loc[1, "status"] == "backlog" and ideas.loc[1, "platform"] == "facebook"
    assert ideas["row"].tolist() == [2, 3]


def test_an_xlsx_backlog_loads_like_the_csv(tmp_path):
    pd.DataFrame([GOOD], columns=list(IDEAS_COLUMNS)).to_excel(tmp_path / "ideas.xlsx", index=False)
    assert I.load_ideas(tmp_path / "ideas.xlsx")["id"].tolist() == ["I-1"]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("platform", "myspace", "unknown platform"),
        ("format", "hologram", "unknown format"),
        ("effort_hours", "0", "positive number of hours"),
        ("effort_hours", "two", "positive number of hours"),
        ("team_confidence", "120", "between 0 and 100"),
        ("title", "", "is empty"),
        ("status", "maybe", "unknown status"),
    ],
)
def test_invalid_backlog_fields_name_row_and_column(tmp_path, column, value, message):
    bad = list(GOOD)
    bad[IDEAS_COLUMNS.index(column)] = value
    p = _write_ideas(tmp_path / "ideas.csv", [GOOD[:1] + ["ok"] + GOOD[2:], bad])
    p.write_text(p.read_text().replace("I-1,ok", "I-0,ok"))
    with pytest.raises(ConfigError, match=message) as err:
        I.load_ideas(p)
    assert (err.value.path, err.value.row, err.value.key) == (p, 3, column)
    assert err.value.fix and (err.value.value == value or value == "")


def test_a_duplicate_idea_id_is_refused(tmp_path):
    p = _write_ideas(tmp_path / "ideas.csv", [GOOD, GOOD])
    with pytest.raises(ConfigError, match=r"already used") as err:
        I.load_ideas(p)
    assert (err.value.row, err.value.key, err.value.value) == (3, "id", "I-1")


def test_a_missing_column_is_named(tmp_path):
    (tmp_path / "ideas.csv").write_text("id,title,platform,format\nI-1,a,x,text\n")
    with pytest.raises(ConfigError, match=r"missing") as err:
        I.load_ideas(tmp_path / "ideas.csv")
    assert (err.value.row, err.value.key) == (1, "effort_hours")


# --------------------------------------------------------------------------- simulated data
def _simulate(seed: int, n_per: int = 60) -> tuple[pd.DataFrame, dict]:
    """Posts with known effects: instagram reel 1.6x image, carousel 1.0x; facebook reel 1.4x,
    link 0.7x; pillar community 1.2x; NB noise (alpha 0.1); exposure lognormal."""
    rng = np.random.default_rng(seed)
    truth = {("instagram", "image"): 1.0, ("instagram", "carousel"): 1.0,
             ("instagram", "reel"): 1.6, ("facebook", "image"): 1.0,
             ("facebook", "reel"): 1.4, ("facebook", "link"): 0.7}  # fmt: skip
    base = {"instagram": 0.04, "facebook": 0.025}
    rows = []
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    for (plat, fmt), mult in truth.items():
        for i in range(n_per):
            pillar = ["education", "community", "product"][i % 3]
            pm = 1.2 if pillar == "community" else 1.0
            reach = float(np.exp(rng.normal(np.log(3000), 0.35)))
            mu = reach * base[plat] * mult * pm
            y = rng.poisson(rng.gamma(10.0, mu / 10.0))
            month = months[i % 12]
            t = pd.Timestamp(f"{month}-{1 + i % 27:02d} {8 + i % 12}:15")
            rows.append({
                "platform": plat, "post_id": f"{plat}{fmt}{i}", "format": fmt, "pillar": pillar,
                "published_local": t, "published_at": t.tz_localize("UTC"),
                "exported_at": (t + pd.Timedelta(days=40)).tz_localize("UTC"),
                "date_precision": "minute", "distribution": "organic", "reach": reach,
                "impressions": np.nan, "views": np.nan, "likes": float(y), "comments": 0.0,
                "shares": 0.0, "saves": np.nan, "idea_id": pd.NA,
            })  # fmt: skip
    return pd.DataFrame(rows), truth


@pytest.fixture(scope="module")
def simulated():
    posts, truth = _simulate(7)
    return posts, truth, I.fit_performance(posts, month="2026-01", level=0.95)


def test_the_model_recovers_known_format_effects_within_its_intervals(simulated):
    _, truth, model = simulated
    for plat, fmt, versus in (("instagram", "reel", "image"), ("facebook", "reel", "image"),
                              ("facebook", "link", "image"), ("instagram", "carousel", "image")):  # fmt: skip
        est, lo, hi = model.contrast(plat, fmt, versus)
        true = truth[(plat, fmt)] / truth[(plat, versus)]
        assert lo <= true <= hi, (plat, fmt, est, lo, hi)
        assert abs(np.log(est / true)) < 0.2


def test_a_platform_whose_posts_all_fall_in_one_sprint_still_fits(simulated):
    """Its reach trend is not identified: the fit must not fail (it did: a singular matrix)."""
    posts, _, _ = simulated
    few = posts[posts["platform"] == "facebook"].head(3).copy()
    few["platform"] = "youtube"
    few["format"] = "video"
    few["views"] = few["reach"]  # YouTube's exposure
    few["published_local"] = pd.Timestamp("2025-06-10 10:00")
    few["published_at"] = few["published_local"].dt.tz_localize("UTC")
    model = I.fit_performance(pd.concat([posts, few], ignore_index=True), month="2026-01")
    youtube = model.to_frame().query("platform == 'youtube'")
    assert (
        len(youtube) and np.isfinite(youtube["rate"]).all() and np.isfinite(youtube["reach"]).all()
    )


def test_the_model_recovers_the_pillar_effect(simulated):
    _, _, model = simulated
    eff = model.effects().set_index(["term", "level"])
    ratio = (
        eff.loc[("pillar", "community"), "multiplier"]
        / eff.loc[("pillar", "education"), "multiplier"]
    )
    assert 1.05 < ratio < 1.4


def test_prediction_intervals_cover_about_their_level_on_fresh_posts(simulated):
    posts, _, _ = simulated
    model = I.fit_performance(posts, month="2026-01", level=0.8)
    fresh, _ = _simulate(99, n_per=30)
    pred = model.predict(fresh[["platform", "format", "pillar"]])
    y = fresh["likes"].to_numpy()
    cover = np.mean((y >= pred["engagements_low"]) & (y <= pred["engagements_high"]))
    assert 0.7 <= cover <= 0.92


def test_an_unseen_combination_is_less_certain_than_a_well_tested_one(simulated):
    posts, _, _ = simulated
    extra = pd.DataFrame([{"platform": "instagram", "format": "story", "pillar": "education"}])
    model = I.fit_performance(posts, month="2026-01", extra_levels=extra)
    ideas = pd.DataFrame([
        {"id": "A", "title": "a", "platform": "instagram", "format": "reel", "pillar": "education",
         "series": "", "effort_hours": 3.0, "team_confidence": 60.0, "status": "backlog", "notes": ""},
        {"id": "B", "title": "b", "platform": "instagram", "format": "story", "pillar": "education",
         "series": "", "effort_hours": 3.0, "team_confidence": 60.0, "status": "backlog", "notes": ""},
    ])  # fmt: skip
    t = I.score_ideas(ideas, model).table.set_index("id")
    assert t.loc["B", "model_confidence"] < t.loc["A", "model_confidence"]
    width = np.log(t["rate_high"] / t["rate_low"])
    assert width["B"] > 3 * width["A"]
    assert bool(t.loc["B", "exploration"]) and not bool(t.loc["A", "exploration"])


def test_a_format_experiment_shifts_the_format_contrast(simulated):
    posts, _, model = simulated
    before = model.contrast("instagram", "carousel", "image")[0]
    exp = [{"id": "t1", "effect": 2.0, "ci_low": 1.8, "ci_high": 2.2, "platform": "instagram",
            "baseline": "image", "variant": "carousel", "decision": "winner"}]  # fmt: skip
    after = I.fit_performance(posts, month="2026-01", experiments=exp, level=0.95)
    assert after.contrast("instagram", "carousel", "image")[0] > before * 1.2
    assert after.experiment_log["use"].str.contains("format contrast").all()


def test_a_caption_experiment_adjusts_only_the_ideas_that_name_it(simulated):
    posts, _, _ = simulated
    exp = [{"id": "hook-question", "effect": 1.35, "ci_low": 1.1, "ci_high": 1.6},
           {"id": "nothing", "effect": float("nan"), "ci_low": None, "ci_high": None}]  # fmt: skip
    model = I.fit_performance(posts, month="2026-01", experiments=exp)
    combos = pd.DataFrame([
        {"platform": "instagram", "format": "image", "pillar": "education", "notes": "uses hook-question"},
        {"platform": "instagram", "format": "image", "pillar": "education", "notes": ""},
    ])  # fmt: skip
    pred = model.predict(combos)
    assert pred.loc[0, "rate"] / pred.loc[1, "rate"] == pytest.approx(1.35)
    assert pred.loc[0, "log_rate_se"] > pred.loc[1, "log_rate_se"]
    assert model.experiment_log.set_index("id").loc["nothing", "use"] == "ignored"


# --------------------------------------------------------------------------- scoring rules
def test_the_rice_impact_mapping_follows_the_documented_thresholds():
    lifts = [2.0, 1.5, 1.49, 1.15, 1.0, 0.9, 0.89, 0.7, 0.5, np.nan]
    assert list(I.impact_score(lifts)) == [3, 3, 2, 2, 1, 1, 0.5, 0.5, 0.25, 1]
    assert I.impact_score(1.2) == 2.0
    assert list(I.Scores.impact_mapping()["impact"]) == [3.0, 2.0, 1.0, 0.5, 0.25]


def test_the_exploration_rule_marks_barely_tried_combinations_and_steps_impact_up():
    assert list(I.exploration_eligible([0, 4, 5, 50], below=5)) == [True, True, False, False]
    out = I.exploration_impact([0.25, 1.0, 3.0, 2.0], [True, True, True, False])
    assert list(out) == [0.5, 2.0, 3.0, 2.0]


# --------------------------------------------------------------------------- the planner
def _random_backlog(rng: np.random.Generator, n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "id": [f"I-{i:03d}" for i in range(n)],
        "title": [f"idea {i}" for i in range(n)],
        "platform": rng.choice(["instagram", "facebook", "x", "tiktok"], n),
        "format": rng.choice(["reel", "image", "text"], n),
        "pillar": rng.choice(["education", "community", "product", "other"], n),
        "series": "",
        "effort_hours": rng.choice([0.5, 1, 1.5, 3, 4, 6, 12], n).astype(float),
        "score": rng.gamma(2.0, 1.0, n),
        "exploration": rng.random(n) < 0.3,
    })  # fmt: skip


def test_the_plan_never_exceeds_capacity_cadence_pillar_or_exploration_caps():
    rng = np.random.default_rng(11)
    pillars = {"education": 0.4, "community": 0.35, "product": 0.25}
    cadence = {"instagram": 5, "facebook": 3, "x": 8}
    for _ in range(200):
        backlog = _random_backlog(rng, int(rng.integers(0, 40)))
        cap = float(rng.choice([0, 2, 10, 25, 60, 200]))
        plan = I.plan_sprint(backlog, sprint="2026-11", capacity_hours=cap, pillars=pillars,
                             cadence=cadence, explore_share=0.2)  # fmt: skip
        ideas = plan.ideas
        assert plan.hours == pytest.approx(ideas["effort_hours"].sum())
        assert ideas["effort_hours"].sum() <= cap + 1e-9
        for plat, n in cadence.items():
            assert (ideas["platform"] == plat).sum() <= n
        for k, share in pillars.items():
            assert (
                ideas.loc[ideas["pillar"] == k, "effort_hours"].sum() <= (share + 0.15) * cap + 1e-9
            )
        assert (
            ideas.loc[ideas["exploration"].astype(bool), "effort_hours"].sum() <= 0.2 * cap + 1e-9
        )
        assert len(plan.ideas) + len(plan.skipped) == len(backlog)


def test_the_planner_takes_the_best_idea_that_fits_and_says_why_others_were_skipped():
    backlog = pd.DataFrame({
        "id": ["A", "B", "C"], "title": "t", "platform": ["x", "x", "instagram"],
        "format": "text", "pillar": "education", "series": "",
        "effort_hours": [2.0, 1.0, 1.0], "score": [3.0, 2.0, 1.0], "exploration": False,
    })  # fmt: skip
    plan = I.plan_sprint(backlog, sprint="2026-11", capacity_hours=10, pillars={},
                         cadence={"x": 1})  # fmt: skip
    assert plan.ids == ["A", "C"]
    assert plan.skipped.set_index("id").loc["B", "skipped_because"].startswith("x cadence")


def test_the_planner_refuses_a_negative_capacity():
    with pytest.raises(ParameterError, match="capacity_hours"):
        I.plan_sprint(_random_backlog(np.random.default_rng(0), 3), sprint="2026-11",
                      capacity_hours=-1)  # fmt: skip


# --------------------------------------------------------------------------- the calendar draft
@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_formula_like_cells_are_neutralised(value):
    assert I.neutralise_cell(value) == "'" + value


def test_plain_cells_are_left_alone():
    assert I.neutralise_cell("Map reading") == "Map reading"
    assert I.neutralise_cell(3.5) == "3.5"
    assert I.neutralise_cell(None) == ""


def test_the_calendar_draft_has_the_calendar_columns_and_no_live_formulas(tmp_path):
    backlog = pd.DataFrame({
        "id": ["A", "B"], "title": ["=cmd|' /C calc'!A0", "Fine"], "platform": ["x", "instagram"],
        "format": ["text", "reel"], "pillar": ["education", "community"], "series": ["", "@s"],
        "effort_hours": [1.0, 2.0], "score": [2.0, 1.0], "exploration": False,
    })  # fmt: skip
    plan = I.plan_sprint(backlog, sprint="2026-11", capacity_hours=10, pillars={}, cadence={})
    path = I.write_calendar_draft(plan, tmp_path / "report")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == CALENDAR_COLUMNS
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert {r["idea_id"] for r in body} == {"A", "B"}
    for r in body:
        assert r["sprint"] == "2026-11" and r["status"] == "planned"
        assert r["planned_date"].startswith("2026-11-")
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in r.values())
    assert "'=cmd|' /C calc'!A0" in [r["title"] for r in body]


def test_next_month_rolls_over_the_year_and_rejects_junk():
    assert I.next_month("2026-12") == "2027-01"
    assert I.next_month("2026-10") == "2026-11"
    with pytest.raises(ParameterError):
        I.next_month("October")


# --------------------------------------------------------------------------- the sample brand
@pytest.fixture(scope="module")
def fernway(sample_workspace):
    """The sample brand, ingested once per session (read only)."""
    import socialnb

    return socialnb.Workspace(sample_workspace)


@pytest.mark.slow
def test_on_the_sample_brand_reels_outrank_equal_effort_images(fernway):
    posts = fernway.posts("fernway")
    ideas = I.load_ideas(fernway.path / "fernway" / "ideas.csv")
    model = I.fit_performance(posts, month="2026-11", extra_levels=ideas)
    t = I.score_ideas(ideas, model).table
    pairs = 0
    for (title, plat, effort), g in t.groupby(["title", "platform", "effort_hours"]):
        fm = dict(zip(g["format"], g["rank"], strict=True))
        if "reel" in fm and "image" in fm:
            pairs += 1
            assert fm["reel"] < fm["image"], (title, plat, effort)
    assert pairs >= 3
    est, lo, _ = model.contrast("instagram", "reel", "image")
    assert lo > 1.2 and est > 1.4


@pytest.mark.slow
def test_on_the_sample_brand_the_plan_fits_the_brand_and_calibration_runs(fernway, tmp_path):
    posts = fernway.posts("fernway")
    brand = fernway.brand("fernway")
    ideas = I.load_ideas(fernway.path / "fernway" / "ideas.csv")
    model = I.fit_performance(posts, month="2026-11", extra_levels=ideas)
    scores = I.score_ideas(ideas, model)
    plan = I.plan_sprint(scores, brand, sprint="2026-11", capacity_hours=60)
    assert 0 < plan.hours <= 60
    assert I.write_calendar_draft(plan, tmp_path).exists()
    cal = I.calibrate(posts, "2026-10")
    assert cal.n_all > 10 and 0.4 <= cal.coverage_all <= 1.0


def test_results_say_what_they_are_in_one_line(simulated):
    posts, _, model = simulated
    ideas = pd.DataFrame({"id": ["A", "B"], "title": ["a", "b"], "platform": ["instagram"] * 2,
                          "format": ["reel", "image"], "pillar": ["community", ""],
                          "effort_hours": [2.0, 1.0], "team_confidence": [np.nan, 50.0],
                          "status": ["backlog"] * 2, "notes": ["", ""]})  # fmt: skip
    scores = I.score_ideas(ideas, model)
    plan = I.plan_sprint(scores, sprint="2026-01", capacity_hours=2)
    check = I.calibrate(posts, "2025-12")
    for result, start in ((model, f"PerformanceModel(for 2026-01: {len(posts)} posts"),
                          (scores, "Scores(2 ideas, best first: A, B"),
                          (plan, "SprintPlan(2026-01: 1 posts, 2 of 2 hours"),
                          (check, "Calibration(2025-12: ")):  # fmt: skip
        assert repr(result).startswith(start) and "\n" not in repr(result), repr(result)
        assert not result.to_frame().empty
    assert model.plot().get_xlabel().startswith("multiplier")
    assert plan.plot().get_title().startswith("Sprint 2026-01")


def test_a_post_without_its_platforms_exposure_leaves_the_model():
    posts, _ = _simulate(3, n_per=2)
    posts.loc[0, ["reach", "views"]] = [np.nan, 5000.0]  # an Instagram post with views only
    out = I.post_outcomes(posts)
    assert posts.loc[0, "post_id"] not in set(out["post_id"]) and len(out) == len(posts) - 1
    assert set(out["exposure_metric"]) == {"reach"}
