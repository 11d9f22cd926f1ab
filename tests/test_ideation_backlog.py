"""Tests for socialnb.ideation.backlog: ideas.csv read through one declared row model."""

from __future__ import annotations

import math

import pytest

from socialnb import ideation as I
from socialnb.config import IDEAS_COLUMNS
from socialnb.errors import ConfigError


def _write(path, *lines: str):
    path.write_text("\n".join([",".join(IDEAS_COLUMNS), *lines]) + "\n", encoding="utf-8")
    return path


def test_cells_are_read_as_people_write_them(tmp_path):
    p = _write(tmp_path / "ideas.csv",
               " I-1 , Trail reel ,Education,,Reel,Instagram, 2.5 ,80%,,a note",
               ",,,,,,,,,",
               "I-2,Gear post,,,image,facebook,1,,Planned,")  # fmt: skip
    ideas = I.load_ideas(p)
    first = ideas.iloc[0]
    assert (first["id"], first["title"], first["pillar"]) == ("I-1", "Trail reel", "education")
    assert (first["platform"], first["format"], first["status"]) == ("instagram", "reel", "backlog")
    assert first["effort_hours"] == 2.5 and first["team_confidence"] == 80.0
    assert math.isnan(ideas.iloc[1]["team_confidence"]) and ideas.iloc[1]["status"] == "planned"
    assert ideas["row"].tolist() == [2, 4]  # the blank line is skipped, rows keep their number


def test_a_backlog_error_names_file_row_column_value_and_fix(tmp_path):
    p = _write(tmp_path / "ideas.csv", "I-1,a,,,reel,instagram,-2,,,")
    with pytest.raises(ConfigError) as err:
        I.load_ideas(p)
    e = err.value
    assert (e.path, e.row, e.key, e.value) == (p, 2, "effort_hours", "-2")
    assert "positive number of hours" in e.problem and "hours such as 2" in e.fix
    assert str(e).startswith(f"{p}, row 2, column 'effort_hours' (value '-2')")


def test_an_unknown_column_value_is_named_with_the_choices(tmp_path):
    p = _write(tmp_path / "ideas.csv", "I-1,a,,,reel,friendster,2,,,")
    with pytest.raises(ConfigError, match="unknown platform") as err:
        I.load_ideas(p)
    assert err.value.value == "friendster" and "instagram" in err.value.fix


def test_a_brand_without_a_backlog_gets_an_empty_one_with_the_columns(tmp_path):
    empty = I.load_ideas(tmp_path, missing_ok=True)
    assert empty.empty and list(empty.columns) == [*IDEAS_COLUMNS, "row"]
    with pytest.raises(ConfigError, match="no idea backlog"):
        I.load_ideas(tmp_path)


def test_the_row_model_is_the_one_declaration_of_a_backlog_row():
    row = I.IdeaRow(id="I-1", title="t", platform="X", format="Text", effort_hours="1")
    assert (row.platform, row.format, row.status, row.same_as) == ("x", "text", "backlog", "")
    assert set(I.IdeaRow.model_fields) == {*IDEAS_COLUMNS, *I.OPTIONAL_IDEA_COLUMNS}
