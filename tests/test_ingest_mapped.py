"""Hand-made spreadsheets through YAML mappings: the three real data sets in ../shared/datasets
load with counts checked against the csv module, and the freeCodeCamp junk row is quarantined and
reported, not crashed on and not coerced."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import socialnb
import socialnb.schema
from socialnb.errors import ConfigError, ExportError
from socialnb.ingest.mapped import load_mapping, shipped_mappings

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets"
FCC = DATA / "facebook_freecodecamp_page" / "freeCodeCamp-facebook-page-activity.csv"
UCI = DATA / "facebook_metrics" / "dataset_Facebook.csv"
THAI = DATA / "facebook_live_sellers_thailand" / "Live.csv"


def test_the_three_mappings_are_shipped():
    assert {
        "facebook_freecodecamp_page",
        "facebook_metrics",
        "facebook_live_sellers_thailand",
    } <= set(shipped_mappings())


def test_freecodecamp_loads_every_post_and_quarantines_the_junk_row():
    rows = list(csv.DictReader(FCC.open(encoding="utf-8", newline="")))
    junk = [i for i, r in enumerate(rows) if not r["reactions"].isdigit()]
    assert len(junk) == 1
    posts = socialnb.read_export(FCC, mapping="facebook_freecodecamp_page", tz="America/New_York")
    assert len(posts) == len(rows) - 1
    assert posts["reach"].sum() == sum(int(r["reach"]) for i, r in enumerate(rows) if i not in junk)
    assert posts["likes"].sum() == sum(
        int(r["reactions"]) for i, r in enumerate(rows) if i not in junk
    )
    rejected = posts.attrs["rejected_rows"]
    assert len(rejected) == 1
    line, reason = rejected[0]
    assert line == junk[0] + 2 and "Boost Post" in reason
    assert set(posts["format"].dropna()) <= {"link", "image", "video", "text"}
    assert posts["published_local"].iloc[0] == __import__("pandas").Timestamp("2017-08-18 15:45")


def test_the_quarantined_row_shows_in_the_ingest_log(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "brand.yaml").write_text("name: Demo\ntimezone: UTC\n")
    ws = socialnb.Workspace(tmp_path)
    report = ws.ingest([FCC], mapping="facebook_freecodecamp_page", brand="demo")
    assert report.ok and report.loaded[0].rows == 419
    assert "quarantined" in report.loaded[0].message
    log = ws.ingest_log()
    assert log["rows_rejected"].tolist() == [1]
    assert "Boost Post" in log["detail"].iloc[0]


def test_uci_facebook_metrics_loads_500_posts_with_legacy_names():
    with UCI.open(encoding="latin-1", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    posts = socialnb.read_export(UCI, mapping="facebook_metrics")
    assert len(posts) == len(rows) == 500
    assert posts["reach"].sum() == sum(int(r["Lifetime Post Total Reach"]) for r in rows)
    assert posts["impressions"].sum() == sum(
        int(r["Lifetime Post Total Impressions"]) for r in rows
    )
    assert posts["likes"].sum() == sum(int(r["like"]) for r in rows if r["like"])
    assert posts["likes"].isna().sum() == sum(
        1 for r in rows if not r["like"]
    )  # missing stays missing
    assert (posts["date_precision"] == "month").all()
    assert posts["distribution"].value_counts()["boosted"] == sum(
        1 for r in rows if r["Paid"] == "1"
    )


def test_thai_live_sellers_load_with_both_date_shapes_and_duplicate_ids_noted():
    with THAI.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    ids = {r["status_id"] for r in rows}
    posts = socialnb.read_export(THAI, mapping="facebook_live_sellers_thailand")
    assert len(rows) == 7050
    assert len(posts) == len(ids)
    assert posts["published_local"].notna().all()
    assert (
        posts["published_local"].min().year == 2012 and posts["published_local"].max().year == 2018
    )
    assert posts["account"].nunique() == len({i.split("_")[0] for i in ids})
    assert any("repeat a post id" in n for n in posts.attrs["notes"])


def test_a_sidecar_mapping_beside_the_file_is_used(tmp_path):
    data = tmp_path / "fcc.csv"
    data.write_bytes(FCC.read_bytes())
    (tmp_path / "fcc.csv.mapping.yaml").write_text(
        "use: facebook_freecodecamp_page\naccount: fcc\n"
    )
    posts = socialnb.read_export(data)
    assert len(posts) == 419 and set(posts["account"]) == {"fcc"}


def test_a_mapping_naming_a_missing_column_says_which(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("platform: facebook\ncolumns: {published: when, likes: reactions}\n")
    with pytest.raises(ExportError, match="no column 'when'.*What to do"):
        socialnb.read_export(FCC, mapping=m)


def test_an_invalid_mapping_is_refused_naming_the_key(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("platform: myspace\ncolumns: {published: date}\n")
    with pytest.raises(ConfigError, match="key 'platform' \\(value 'myspace'\\)") as err:
        load_mapping(m)
    assert (err.value.path, err.value.key, err.value.value) == (m, "platform", "myspace")


SHEET_MAPPING = (
    "platform: instagram\naccount: demo\n"
    "columns: {post_id: id, published: date, format: kind, likes: likes}\n"
)


def _sheet(tmp_path, kinds, mapping=SHEET_MAPPING):
    data = tmp_path / "sheet.csv"
    rows = [f"p{i},2026-10-0{i + 1},{k},{i}" for i, k in enumerate(kinds)]
    data.write_text("id,date,kind,likes\n" + "\n".join(rows) + "\n", encoding="utf-8")
    m = tmp_path / "sheet.mapping.yaml"
    m.write_text(mapping)
    return data, m


def test_a_sheets_export_words_for_formats_load_as_canonical_formats_without_a_formats_map(
    tmp_path,
):
    data, m = _sheet(tmp_path, ["Reel ", "reels", "Carousel", "IG Story", "", "Photo"])
    posts = socialnb.read_export(data, mapping=m).sort_values("post_id")
    assert posts["format"].tolist() == ["reel", "reel", "carousel", "story", "unknown", "image"]
    assert set(posts["format"]) <= set(socialnb.schema.FORMATS)
    assert posts["format_source"].tolist()[:4] == ["exported"] * 4


def test_a_sheet_format_no_export_word_places_is_refused_naming_file_row_column_value_and_fix(
    tmp_path,
):
    data, m = _sheet(tmp_path, ["Reel", "Blog teaser", "Blog teaser", "Thread: 2/3"])
    with pytest.raises(ExportError) as err:
        socialnb.read_export(data, mapping=m)
    e = err.value
    assert (e.path, e.line, e.column) == (data, 3, "kind")
    assert "'Blog teaser'" in e.problem and "nothing was loaded" in e.problem
    assert (
        m.name in e.fix and 'formats: {"Blog teaser": <format>, "Thread: 2/3": <format>}' in e.fix
    )
    assert "sheet.csv, line 3, column 'kind'" in str(e)


def test_a_refused_sheet_format_loads_nothing_into_the_warehouse(tmp_path):
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "brand.yaml").write_text("name: Demo\ntimezone: UTC\n")
    ws = socialnb.Workspace(tmp_path)
    good, m = _sheet(tmp_path / "demo", ["Reel"])
    assert ws.ingest([good], mapping=m, brand="demo").ok
    before = ws.posts(brand="demo")
    data, m = _sheet(tmp_path, ["Reel", "Reel", "Blog teaser"])
    report = ws.ingest([data], mapping=m, brand="demo")
    assert not report.ok and [f.status for f in report.files] == ["rejected"]
    assert "Blog teaser" in report.rejected[0].message
    assert len(before) == 1 and ws.posts(brand="demo").equals(before)


def test_the_fix_the_refusal_names_makes_the_sheet_load(tmp_path):
    data, m = _sheet(tmp_path, ["Reel", "Blog teaser"])
    with pytest.raises(ExportError) as err:
        socialnb.read_export(data, mapping=m)
    line = err.value.fix[err.value.fix.index("formats: {") :].replace("<format>", "link")
    m.write_text(SHEET_MAPPING + line + "\n")
    posts = socialnb.read_export(data, mapping=m).sort_values("post_id")
    assert posts["format"].tolist() == ["reel", "link"]


def test_a_formats_map_wins_over_the_export_words_and_its_unplaced_values_are_quarantined(
    tmp_path,
):
    mapping = SHEET_MAPPING + "formats: {Reel: video, Blog teaser: link}\n"
    data, m = _sheet(tmp_path, ["Reel ", "reels", "Blog teaser", "Newsletter"], mapping)
    posts = socialnb.read_export(data, mapping=m).sort_values("post_id")
    assert posts["format"].tolist() == ["video", "reel", "link"]
    (line, reason), *rest = posts.attrs["rejected_rows"]
    assert not rest and line == 5 and "'Newsletter'" in reason and "column 'kind'" in reason


def test_the_export_format_words_agree_with_every_readers_own_map():
    from socialnb.ingest.facebook_legacy import _TYPES
    from socialnb.ingest.linkedin import _CONTENT
    from socialnb.ingest.mapped import FORMAT_WORDS
    from socialnb.ingest.meta import MetaFacebookContent, MetaInstagramContent

    for own in (MetaFacebookContent.type_map, MetaInstagramContent.type_map, _TYPES, _CONTENT):
        assert {k: FORMAT_WORDS[k] for k in own} == own
    assert set(FORMAT_WORDS.values()) <= set(socialnb.schema.FORMATS) - {"unknown"}
