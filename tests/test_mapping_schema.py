"""Mapping files (shipped and people's own) are validated by one declared model
(socialnb.ingest._mapping_schema.MappingFile); a refusal is a structured ConfigError."""

from __future__ import annotations

import re

import pytest

from socialnb.errors import ConfigError
from socialnb.ingest._mapping_schema import MAPPING_KEYS, MappingFile
from socialnb.ingest.mapped import load_mapping, shipped_mappings

GOOD = "platform: facebook\ncolumns: {post_id: id, published: when, views: views}\n"


@pytest.mark.parametrize("name", shipped_mappings())
def test_every_shipped_mapping_is_accepted_by_the_model(name):
    m = load_mapping(name)
    assert MappingFile.model_validate(dict(m)).platform == m["platform"]
    assert m["kind"] in ("posts", "daily") and m["bad_rows"] in ("quarantine", "reject")


def test_a_mapping_that_uses_a_shipped_one_overrides_its_keys(tmp_path):
    side = tmp_path / "posts.csv.mapping.yaml"
    side.write_text("use: facebook_metrics\naccount: mine\nbad_rows: reject\n")
    m = load_mapping(side)
    assert (m["account"], m["bad_rows"], m["year"]) == ("mine", "reject", 2014)
    assert m.path == side and len(m.digest) == 64


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        (GOOD + "bogus: 1\n", "bogus", None),
        (GOOD + "kind: weekly\n", "kind", "weekly"),
        (GOOD + "bad_rows: ignore\n", "bad_rows", "ignore"),
        (GOOD + "formats: {Photo: picture}\n", "formats.Photo", "picture"),
        (GOOD + "timezone: Mars/Olympus\n", "timezone", "Mars/Olympus"),
        (GOOD + "skip_rows: -1\n", "skip_rows", -1),
        ("platform: facebook\ncolumns: {published: when, hearts: h}\n", "columns", None),
        ("platform: facebook\ncolumns: {likes: l}\n", "columns", None),
        ("platform: facebook\ncolumns: {}\n", "columns", None),
        ("platform: facebook\nkind: daily\ncolumns: {published: when}\n", "columns", None),
        ("columns: {published: when}\n", "platform", None),
        ("use: 3\n", "use", 3),
        ("use: no_such_mapping\n", "use", "no_such_mapping"),
    ],
)
def test_a_bad_mapping_names_the_file_the_key_and_the_fix(tmp_path, text, key, value):
    m = tmp_path / "m.yaml"
    m.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_mapping(m)
    assert (err.value.path, err.value.key) == (m, key)
    assert value is None or err.value.value == value
    assert err.value.fix


def test_a_posts_mapping_with_a_year_needs_no_published_column(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("platform: facebook\nyear: 2014\nmonth_column: M\ncolumns: {likes: like}\n")
    assert load_mapping(m)["year"] == 2014


def test_a_mapping_that_is_not_a_yaml_mapping_is_refused(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("- platform\n- columns\n")
    with pytest.raises(ConfigError, match="not a mapping of keys"):
        load_mapping(m)


def test_every_key_of_the_documented_example_is_a_key_of_the_model():
    import socialnb.ingest.mapped as mapped

    documented = set(re.findall(r"^    (\w+):", mapped.__doc__, flags=re.MULTILINE))
    assert {"platform", "columns", "bad_rows"} <= documented <= set(MAPPING_KEYS)
