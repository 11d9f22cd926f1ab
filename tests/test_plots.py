"""socialnb.plots: the house style's table helpers show numbers the way a reader needs them."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from socialnb import plots


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2494.694, "2,495"),
        (19890.0, "19,890"),
        (64, "64"),
        (1.3924764, "1.39"),
        (1.2025, "1.20"),
        (0.720026, "0.720"),
        (0.5, "0.5"),
        (0.0606, "0.0606"),
        (34.75, "34.8"),
        (math.nan, "–"),
        (None, "–"),
        ("text", "text"),
    ],
)
def test_numbers_read_with_three_significant_digits_and_separators(value, expected):
    assert plots.format_number(value) == expected


def test_rates_read_as_percentages_and_p_values_to_two_digits():
    assert plots.format_percent(0.04388) == "4.39%"
    assert plots.format_percent(0.919) == "91.9%"
    assert plots.format_p(3.98e-05) == "< 0.001"
    assert plots.format_p(0.029) == "0.029"
    assert plots.format_p(0.7928) == "0.79"
    assert plots.format_p(0.005364) == "0.0054"


def test_column_labels_are_words_not_field_names():
    assert plots.label("ci_low") == "interval low"
    assert plots.label("p_value") == "p-value"
    assert plots.label("dashboard_p_value") == "dashboard p-value"
    assert plots.label("rate_of_totals") == "rate of totals"


def test_table_formats_each_column_by_its_meaning_and_hides_the_row_number():
    df = pd.DataFrame(
        {
            "id": ["hook-question", "cta-split"],
            "calendar_row": [1185, 1197],
            "effect": [1.3924764, 1.2018],
            "p_value": [3.98e-05, 0.2115],
            "engagement_rate": [0.0439, float("nan")],
            "reach": [2494.694, 19890.0],
            "day": pd.to_datetime(["2026-10-07", "2026-10-18"]),
        }
    )
    html = plots.table(df).to_html()
    for text in ["1.39", "&lt; 0.001", "0.21", "4.39%", "2,495", "19,890", "1185", "2026-10-07"]:
        assert text in html, text
    assert "interval" not in html and "p-value" in html and "engagement rate" in html
    assert "1,185" not in html  # identifiers keep their digits
    assert "00:00" not in html  # dates without a time of day
    assert ">0<" not in html and ">1<" not in html  # no row numbers
    assert df["effect"].iloc[0] == 1.3924764  # the data are not changed, only shown


def test_table_escapes_captions_from_the_exports():
    html = plots.table(
        pd.DataFrame({"text": ["<b>Tip</b> <img src=x onerror=alert(1)>"]})
    ).to_html()
    assert "<img" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_collapsed_folds_a_long_table_behind_its_summary():
    out = plots.collapsed(plots.table(pd.DataFrame({"n": range(40)})), "All 40 <rows>")
    assert out.data.startswith("<details><summary>All 40 &lt;rows&gt;</summary>")
    assert out.data.count("<tr>") == 41
