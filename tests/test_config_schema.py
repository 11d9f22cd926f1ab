"""brand.yaml is validated by one declared model (socialnb.config.BrandFile): what people write
today is still accepted, and every refusal is a structured ConfigError naming the file, the key,
the value and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialnb.config import BrandFile, brand_keys_table, load_brand
from socialnb.errors import ConfigError
from socialnb.scaffold import init_brand

ROOT = Path(__file__).resolve().parents[1]


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brand.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_sample_brand_yaml_is_accepted_with_every_key_it_sets():
    brand = load_brand(ROOT / "data" / "fernway")
    assert brand.name == "Fernway Outdoor Co." and brand.timezone == "Europe/London"
    assert list(brand.platforms) == ["facebook", "instagram", "x", "linkedin", "tiktok", "youtube"]
    assert brand.platforms["instagram"] == {"account": "fernway.outdoors"}
    assert sum(brand.pillars.values()) == pytest.approx(1)
    assert brand.cadence["instagram"] == 14 and isinstance(brand.cadence["instagram"], int)
    assert brand.targets[0].metric == "er_reach" and brand.targets[0].target == 0.05


def test_the_starter_brand_yaml_of_init_is_accepted(tmp_path):
    init_brand(tmp_path, "acme", timezone="America/Chicago")
    brand = load_brand(tmp_path / "acme")
    assert (brand.timezone, brand.platforms, brand.capacity_hours) == ("America/Chicago", {}, 40.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {"capacity_hours": 40.0, "targets": (), "cadence": {}}),
        ("platforms:\ntargets:\nseries_rule:\n", {"platforms": {}, "targets": ()}),
        ("cadence: {x: 12.0, instagram: 3}", {"cadence": {"x": 12, "instagram": 3}}),
        (
            "platforms: {x: , tiktok: {account: 42}}",
            {"platforms": {"x": {}, "tiktok": {"account": 42}}},
        ),
        ("keep_series: Gear Friday", {"keep_series": ("Gear Friday",)}),
        ("series_days: {Tips: [mo, THURSDAY, Mon]}", {"series_days": {"Tips": ("mon", "thu")}}),
        ("targets:\n  - {metric: er_reach, target: 1}", {"targets": (("er_reach", 1.0),)}),
    ],
)
def test_what_people_write_today_is_read_as_before(tmp_path, text, expected):
    brand = load_brand(_write(tmp_path / "b", f"name: B\ntimezone: UTC\n{text}\n"))
    for key, value in expected.items():
        got = getattr(brand, key)
        if key == "targets":
            got = tuple((t.metric, t.target) for t in got)
        assert got == value
    assert list(brand.cadence) == list(expected.get("cadence", brand.cadence))  # the file's order


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("bogus: 1", "bogus", None),
        ("pillars: {a: 0.5, b: 0.4}", "pillars", {"a": 0.5, "b": 0.4}),
        ("pillars: {a: 50%, b: 0.5}", "pillars.a", "50%"),
        ("cadence: {myspace: 3}", "cadence.myspace", None),
        ("cadence: {x: 12.5}", "cadence.x", 12.5),
        ("cadence: {x: '12'}", "cadence.x", "12"),
        ("capacity_hours: -1", "capacity_hours", -1),
        (
            "targets:\n  - {metric: er_reach, target: 0.05}\n  - {metric: bogus, target: 1}",
            "targets[1].metric",
            "bogus",
        ),
        ("targets:\n  - {metric: er_reach}", "targets[0].target", None),
        ("platforms: {x: {account: [a]}}", "platforms.x.account", ["a"]),
        ("series_rule: {window: 2.5}", "series_rule.window", 2.5),
        ("series_rule: {bogus: 2}", "series_rule.bogus", None),
        ("keep_series: ['']", "keep_series[0]", ""),
        ("sprint_length: 3", "sprint_length", 3),
    ],
)
def test_a_refusal_names_the_file_the_key_the_value_and_the_fix(tmp_path, text, key, value):
    folder = _write(tmp_path / "b", f"name: B\ntimezone: UTC\n{text}\n")
    with pytest.raises(ConfigError) as err:
        load_brand(folder)
    e = err.value
    assert (e.path, e.key) == (folder / "brand.yaml", key)
    assert e.has_value == (value is not None) and (value is None or e.value == value)
    assert e.fix and "What to do:" in str(e)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("name: B\n", "timezone"),
        ("timezone: UTC\n", "name"),
        ("name: ' '\ntimezone: UTC\n", "name"),
    ],
)
def test_name_and_timezone_are_required(tmp_path, text, key):
    with pytest.raises(ConfigError) as err:
        load_brand(_write(tmp_path / "b", text))
    assert err.value.key == key


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Europe", "../etc"])
def test_a_time_zone_that_is_not_an_iana_zone_is_refused(tmp_path, zone):
    with pytest.raises(ConfigError, match="not an IANA time zone") as err:
        load_brand(_write(tmp_path / "b", f"name: B\ntimezone: {zone}\n"))
    assert (err.value.key, err.value.value) == ("timezone", zone)


def test_broken_yaml_names_the_line_and_column(tmp_path):
    with pytest.raises(ConfigError, match=r"line 2, column 1: is not valid YAML"):
        load_brand(_write(tmp_path / "b", "name: [B\n"))


def test_a_missing_brand_yaml_says_what_to_create(tmp_path):
    with pytest.raises(ConfigError, match="no brand.yaml") as err:
        load_brand(tmp_path)
    assert err.value.path == tmp_path / "brand.yaml" and "name" in err.value.fix


def test_the_readme_table_of_brand_yaml_keys_is_the_models():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert brand_keys_table() in readme, (
        "README's brand.yaml keys are out of date: paste the output of "
        "`python -c 'from socialnb.config import brand_keys_table; print(brand_keys_table())'`"
    )
    for key in BrandFile.model_fields:
        assert f"| `{key}` |" in brand_keys_table()


def test_a_brand_yaml_saved_with_a_byte_order_mark_is_read(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "brand.yaml").write_bytes(b"\xef\xbb\xbfname: B\ntimezone: UTC\n")
    assert load_brand(folder).name == "B"


def test_a_utf16_mapping_with_a_byte_order_mark_is_read(tmp_path):
    from socialnb.ingest.mapped import load_mapping

    m = tmp_path / "m.yaml"
    m.write_bytes("platform: facebook\ncolumns: {published: när}\n".encode("utf-16"))
    assert load_mapping(m)["columns"]["published"] == "när"
