"""The retro's results share one shape (frozen, ``.to_frame()``, a one-line repr, ``.plot()``
where a picture helps), and every engagement rate the page shows is recorded with its
definition, one number per definition."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from socialnb import metrics as M
from socialnb import retro as R


@pytest.fixture(scope="module")
def sample(sample_workspace):
    return R.build_retro(sample_workspace, "fernway", "2026-10", n_resamples=200)


def _results(r: R.Retro) -> dict:
    return {
        "delivery": r.delivery,
        "kpis": r.kpis,
        "series": r.series,
        "audience": r.audience,
        "best_time": r.best_time,
        "formats": r.formats,
        "match": r.match,
    }


def test_every_retro_result_is_frozen_with_a_frame_and_a_one_line_repr(sample):
    for name, result in _results(sample).items():
        assert dataclasses.is_dataclass(result), name
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.month = "1999-01"  # type: ignore[misc]
        assert isinstance(result.to_frame(), pd.DataFrame), name
        text = repr(result)
        assert "\n" not in text and len(text) < 200 and text.startswith(type(result).__name__)
    assert "\n" not in repr(sample) and "Fernway" in repr(sample)


def test_the_results_that_help_as_pictures_draw_one(sample):
    for result in (sample.delivery, sample.kpis, sample.series, sample.audience,
                   sample.best_time, sample.formats):  # fmt: skip
        ax = result.plot()
        assert ax.has_data(), type(result).__name__


def test_the_page_shows_one_number_per_rate_definition(sample):
    rows = pd.DataFrame(sample.rates_shown())
    assert set(rows["aggregation"]) == {M.MEDIAN_OF_POSTS, M.RATE_OF_TOTALS}
    key = ["month", "metric", "aggregation", "scope", "platform", "format", "pillar", "series"]
    spread = rows.fillna({c: "-" for c in key}).groupby(key)["value"].agg(["min", "max"])
    assert (spread["max"] - spread["min"]).abs().max() < 1e-12
    # the Instagram KPI and the Instagram breakdown are the same quantity in both views
    ig = rows[(rows["platform"] == "instagram") & rows["format"].isna() & rows["pillar"].isna()
              & rows["series"].isna() & (rows["month"] == "2026-10")]  # fmt: skip
    assert ig.groupby("aggregation").size().min() >= 2


def test_a_rate_kpi_shows_the_median_post_and_the_rate_of_totals_and_says_which(sample):
    t = sample.kpis.to_frame().set_index("name")
    ig = t.loc["Instagram engagement rate"]
    assert ig["aggregation"] == M.MEDIAN_OF_POSTS
    assert ig["definition"].startswith("median of per-post engagements / reach")
    breakdown = sample.breakdowns["platform"].set_index("platform").loc["instagram"]
    assert ig["value"] == pytest.approx(breakdown["value"])
    assert ig["rate_of_totals"] == pytest.approx(breakdown["rate_of_totals"])
    assert pd.isna(t.loc["Instagram saves per post", "rate_of_totals"])  # a count has one view


def test_the_format_table_names_the_strongest_format_by_the_takeaways_rule(sample):
    top = sample.formats.strongest
    assert top is not None
    assert f"{top['format']} on {top['platform']}" in sample.takeaways[3].text
    assert set(R.FORMAT_COLUMNS) <= set(sample.formats.to_frame().columns)
    assert "comparison" in R.FORMAT_COLUMNS["vs_other_formats"]


def test_the_audience_keeps_the_follower_loyalty_and_awareness_tables(sample):
    a = sample.audience
    assert sample.followers is a.followers and sample.awareness is a.awareness
    assert a.fastest is not None and a.fastest["growth"] == a.followers["growth"].max()
    empty = R.audience_growth(
        pd.DataFrame(), sample.awareness.iloc[0:0].assign(sprint=[]), "2026-10"
    )
    assert empty.fastest is None and "no follower counts" in repr(empty)


def test_a_brand_without_targets_or_rates_records_no_rate_and_does_not_fail():
    empty = R.Kpis("2026-10", pd.DataFrame(columns=list(R.targets.KPI_COLUMNS)))
    assert empty.shown_rates() == [] and "0 KPIs" in repr(empty)
