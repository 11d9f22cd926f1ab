"""socialnb.calendar: the declared calendar row, its structured errors, and the one matcher."""

from __future__ import annotations

import pandas as pd
import pytest

from socialnb import calendar as C
from socialnb import config, retro
from socialnb.errors import ConfigError

HEADER = ",".join(C.CALENDAR_COLUMNS)
GOOD = "2026-10,2026-10-05,instagram,education,,reel,,A title,planned,123,,maya,2"


def _posts(**cols) -> pd.DataFrame:
    frame = pd.DataFrame(cols)
    frame["published_local"] = pd.to_datetime(frame["published_local"])
    return frame


def _cal(**cols) -> pd.DataFrame:
    frame = pd.DataFrame(cols)
    for col in ("post_id", "post_link", "title"):
        if col not in frame:
            frame[col] = ""
    frame["sprint"] = "2026-10"
    frame["status"] = "planned"
    return frame


def test_the_calendar_columns_are_declared_once_by_the_row_model():
    assert tuple(C.CalendarRow.model_fields) == C.CALENDAR_COLUMNS
    assert config.CALENDAR_COLUMNS is C.CALENDAR_COLUMNS


@pytest.mark.parametrize(
    ("cells", "column", "value"),
    [
        ({"platform": "myspace"}, "platform", "myspace"),
        ({"planned_date": "5th Oct"}, "planned_date", "5th Oct"),
        ({"sprint": "2026-13"}, "sprint", "2026-13"),
        ({"status": "done"}, "status", "done"),
        ({"effort_hours": "-1"}, "effort_hours", "-1"),
        ({"format": "hologram"}, "format", "hologram"),
    ],
)
def test_a_bad_cell_is_a_structured_error_with_file_row_column_value_and_fix(
    tmp_path, cells, column, value
):
    row = dict(zip(C.CALENDAR_COLUMNS, GOOD.split(","), strict=True)) | cells
    path = tmp_path / "calendar.csv"
    path.write_text(HEADER + "\n" + GOOD + "\n" + ",".join(row.values()) + "\n")
    with pytest.raises(ConfigError) as err:
        C.load_calendar(path)
    e = err.value
    assert (e.path, e.row, e.key, e.value) == (path, 3, column, value)
    assert e.fix and f"column '{column}'" in str(e)


def test_an_empty_required_cell_says_so(tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text(HEADER + "\n" + GOOD.replace("A title", "") + "\n")
    with pytest.raises(ConfigError, match="row 2, column 'title'.*is empty") as err:
        C.load_calendar(path)
    assert err.value.fix == "fill in title."


def test_a_good_calendar_loads_with_dates_numbers_and_spreadsheet_rows(tmp_path):
    path = tmp_path / "calendar.csv"
    other = GOOD.replace(",123,", ",,").replace(",maya,2", ",maya,")
    path.write_text(HEADER + "\n" + GOOD + "\n\n" + other + "\n")
    cal = C.load_calendar(path)
    assert list(cal["calendar_row"]) == [2, 4]
    assert cal["planned_date"].dtype.kind == "M"
    assert cal["effort_hours"].iloc[0] == 2.0 and pd.isna(cal["effort_hours"].iloc[1])


def test_an_exact_link_wins_over_a_link_form_that_names_two_posts():
    # two posts share one numeric id in their links, so the id form is ambiguous; the exact
    # permalink is not
    posts = _posts(
        platform=["facebook", "facebook"],
        post_id=["1_1187346625790121", "2_1187346625790121"],
        permalink=["https://www.facebook.com/a/posts/1187346625790121", "https://fb.com/b/1"],
        text=["a", "b"],
        published_local=["2026-10-05 10:00", "2026-10-05 11:00"],
    )
    cal = _cal(
        platform=["facebook"],
        planned_date=["2026-10-05"],
        post_link=["https://www.facebook.com/a/posts/1187346625790121"],
    )
    row = C.match_calendar(cal, posts).rows.iloc[0]
    assert (row["post_id"], row["method"]) == ("1_1187346625790121", "link")


def test_a_facebook_post_named_by_its_post_part_alone_is_matched_by_id():
    posts = _posts(
        platform=["facebook"],
        post_id=["104_1187346625790121"],
        permalink=[None],
        text=["x"],
        published_local=["2026-10-05 10:00"],
    )
    cal = _cal(platform=["facebook"], planned_date=["2026-10-05"], post_id=["1187346625790121"])
    row = C.match_calendar(cal, posts).rows.iloc[0]
    assert (row["post_id"], row["method"], row["outcome"]) == (
        "104_1187346625790121",
        "post id",
        "shipped",
    )


def test_a_post_id_already_taken_by_an_earlier_row_says_so():
    posts = _posts(
        platform=["x"], post_id=["101"], permalink=[None], text=["t"],
        published_local=["2026-10-05 10:00"],
    )  # fmt: skip
    cal = _cal(platform=["x", "x"], planned_date=["2026-10-05"] * 2, post_id=["101", "101"])
    rows = C.match_calendar(cal, posts).rows
    assert list(rows["method"]) == ["post id", "none"]
    assert "already matched to an earlier row" in rows.loc[1, "note"]


def test_the_retro_names_are_the_calendar_matcher():
    assert retro.match_calendar is C.match_calendar and retro.tag_posts is C.tag_posts
    assert retro.CalendarMatch is C.CalendarMatch


def test_a_calendar_match_prints_in_one_line():
    posts = _posts(
        platform=["x"], post_id=["101"], permalink=[None], text=["t"],
        published_local=["2026-10-05 10:00"],
    )  # fmt: skip
    cal = _cal(platform=["x"], planned_date=["2026-10-05"], post_id=["101"])
    text = repr(C.match_calendar(cal, posts))
    assert text == "CalendarMatch(1 calendar row: post id 1)" and "\n" not in text


def test_the_warehouse_calendar_table_has_the_declared_columns():
    import re

    from socialnb import warehouse

    ddl = re.sub(r"\s+", " ", warehouse.schema._DDL)
    assert f"brand VARCHAR, {C.calendar_sql_columns()}, calendar_row BIGINT" in ddl


def test_a_row_with_several_bad_cells_names_the_first_and_counts_the_rest_of_the_row(tmp_path):
    path = tmp_path / "calendar.csv"
    bad = GOOD.replace("instagram", "myspace").replace("planned", "done")
    path.write_text(HEADER + "\n" + bad + "\n")
    with pytest.raises(ConfigError, match=r"1 more problem\(s\) in this row") as err:
        C.load_calendar(path)
    assert (err.value.row, err.value.key) == (2, "platform")
