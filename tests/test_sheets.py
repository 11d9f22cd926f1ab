"""socialnb._sheets: one reader for the sheets people keep, errors that point at a cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialnb._sheets import read_sheet, sheet_error
from socialnb.errors import ConfigError


def test_a_sheet_error_is_structured_and_names_the_column():
    err = sheet_error(Path("ideas.csv"), 3, "effort_hours", "is not a number.", "write 2 or 1.5.")
    assert (err.path, err.row, err.key, err.fix) == (
        Path("ideas.csv"),
        3,
        "effort_hours",
        "write 2 or 1.5.",
    )
    assert str(err).startswith("ideas.csv, row 3, column 'effort_hours': is not a number.")


def test_a_sheet_is_read_as_text_with_normalised_column_names(tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text("\ufeffPlanned Date , Title\n2026-10-05,007\n", encoding="utf-8")
    frame = read_sheet(path, what="calendar", columns=("planned_date", "title"))
    assert list(frame.columns) == ["planned_date", "title"] and frame.loc[0, "title"] == "007"


def test_a_missing_or_non_utf8_sheet_says_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="no calendar. What to do: create it"):
        read_sheet(tmp_path / "calendar.csv", what="calendar", columns=("title",))
    path = tmp_path / "ideas.csv"
    path.write_bytes(b"title\ncaf\xe9\n")
    with pytest.raises(ConfigError, match="line 2: is not UTF-8"):
        read_sheet(path, what="ideas", columns=("title",))
