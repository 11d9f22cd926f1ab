"""Issue 11, parser side: truncated files, zip limits, CR-only line ends, blank ids, self-referring
mappings, LinkedIn day/month order and messages that name the real cause."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

import socialnb
from socialnb.errors import ExportError
from socialnb.ingest import _raw, read_frames

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "bad_files"
GOOD = ROOT / "tests" / "fixtures" / "exports"


def test_a_csv_export_cut_inside_its_last_value_is_refused_not_read_as_a_smaller_number(tmp_path):
    whole = (GOOD / "instagram_pt.csv").read_bytes()
    assert whole.endswith(b"\n")
    cut = tmp_path / "instagram_pt.csv"
    cut.write_bytes(whole[:-2])  # the last value loses its last digit and the line end
    lines = whole.count(b"\n")
    with pytest.raises(ExportError, match="cut short inside its last line") as info:
        socialnb.read_export(cut, tz="Europe/London")
    assert info.value.line == lines
    assert len(socialnb.read_export(GOOD / "instagram_pt.csv", tz="Europe/London"))


def test_a_hand_made_file_through_a_mapping_may_end_without_a_line_end(tmp_path):
    data = tmp_path / "posts.csv"
    data.write_text("id,when,views\n1,2026-01-02,10\n2,2026-01-03,12")  # no final line end
    mapping = tmp_path / "posts.mapping.yaml"
    mapping.write_text(
        "platform: facebook\ncolumns: {post_id: id, published: when, views: views}\n"
        "date_formats: ['%Y-%m-%d']\n"
    )
    frame = socialnb.read_export(data, mapping=mapping)
    assert frame["views"].tolist() == [10.0, 12.0]


def test_a_daily_series_with_old_mac_line_ends_is_read_not_called_cut_short(tmp_path):
    text = 'sep=,\r"Facebook Link Clicks"\r"Date","Primary"\r"2025-09-20T00:00:00","0"\r"2025-09-21T00:00:00","4"\r'
    path = tmp_path / "Link clicks.csv"
    path.write_bytes(text.encode("utf-16"))
    frame = socialnb.read_export(path, tz="Europe/London")
    assert frame["link_clicks"].tolist() == [0.0, 4.0]
    assert frame["source_row"].tolist() == [4, 5]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_limits_are_checked_before_anything_is_extracted(tmp_path, monkeypatch):
    # the total: a zip of ordinary text whose members add up to more than the cap
    text = "".join(f"{i},{i * 7919 % 1000003},caption {i * 31 % 997}\n" for i in range(40_000))
    path = tmp_path / "Content.zip"
    path.write_bytes(_zip({f"Content_{i}.csv": text.encode() for i in range(3)}))
    extracted = []
    real = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile, "open", lambda self, *a, **k: extracted.append(a) or real(self, *a, **k)
    )
    with pytest.raises(ExportError, match="zip bomb"):
        socialnb.read_export(BAD / "44_zip_bomb.zip")
    with pytest.raises(ExportError, match="zip bomb"):
        socialnb.read_export(BAD / "45_xlsx_bomb.xlsx")
    monkeypatch.setattr(_raw, "MAX_UNZIPPED_BYTES", 2 * 1024**2)
    with pytest.raises(ExportError, match="would unpack to 3 MiB") as info:
        socialnb.read_export(path)
    assert "limit 2 MiB" in str(info.value)
    assert extracted == []


def test_the_real_zip_fixtures_pass_the_limits():
    for name in ("YouTube Content 2025-12-01_2025-12-31.zip", "Content_2026-01-01_2026-01-02.zip"):
        assert len(read_frames(GOOD / name, tz="Europe/London"))


def test_a_truncated_zip_is_told_it_is_cut_short_not_to_save_it_again_as_xlsx(tmp_path):
    data = (GOOD / "YouTube Content 2025-12-01_2025-12-31.zip").read_bytes()
    path = tmp_path / "YouTube Content 2025-12-01_2025-12-31.zip"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ExportError) as info:
        socialnb.read_export(path)
    message = str(info.value)
    assert "zip archive" in message and "cut short" in message
    assert ".xlsx" not in message


def test_an_unclosed_quote_is_reported_at_the_line_where_it_opens(tmp_path):
    head = (BAD / "03_header_only.csv").read_text(encoding="utf-8-sig")
    good = (BAD / "11_non_numeric_count.csv").read_text(encoding="utf-8-sig").split("\n")[1]
    rows = [good.replace("1262357368250013", str(1262357368250013 + i)) for i in range(10)]
    rows[2] = rows[2].replace('"Gear Friday"', '"Gear Friday')  # line 4 opens a quote
    path = tmp_path / "Oct-01-2026_Oct-31-2026_1.csv"
    path.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ExportError, match="quote") as info:
        socialnb.read_export(path, tz="Europe/London")
    assert info.value.line == 4


def test_a_bad_file_inside_a_run_does_not_stop_the_good_files(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    for name in ("44_zip_bomb.zip", "42_cut_in_last_field.csv"):
        shutil.copy(BAD / name, drop / name)
    shutil.copy(GOOD / "instagram_pt.csv", drop / "instagram_pt.csv")
    (tmp_path / "ws" / "b").mkdir(parents=True)
    (tmp_path / "ws" / "b" / "brand.yaml").write_text("name: B\ntimezone: UTC\n")
    report = socialnb.Workspace(tmp_path / "ws").ingest([drop], brand="b")
    assert {Path(f.path).name: f.status for f in report.files} == {
        "44_zip_bomb.zip": "rejected",
        "42_cut_in_last_field.csv": "rejected",
        "instagram_pt.csv": "loaded",
    }


def _blank_id_files(tmp_path: Path) -> dict[str, tuple[Path, int]]:
    """Per platform: a file with rows that have metrics but a blank post id, and how many."""
    out = {}
    meta = (BAD / "11_non_numeric_count.csv").read_text(encoding="utf-8-sig").split("\n")
    good = meta[1]
    rows = [
        meta[0],
        good,
        good.replace("1262357368250013", ""),
        good.replace("1262357368250013", "  "),
    ]
    path = tmp_path / "meta" / "Oct-01-2026_Oct-31-2026_1.csv"
    path.parent.mkdir()
    path.write_text("\ufeff" + "\n".join(rows) + "\n", encoding="utf-8")
    out["facebook"] = (path, 2)
    xl = (GOOD / "tweet_activity_metrics_fernway_20210101_20210201_pt.csv").read_text().split("\n")
    head, first = xl[0], xl[1]
    tid = first.split(",", 1)[0].strip('"')
    x_rows = [head, first, first.replace(tid, "", 1), first.replace(tid, "", 1)]
    path = tmp_path / "x" / "tweet_activity_metrics_fernway_20210101_20210201_pt.csv"
    path.parent.mkdir()
    path.write_text("\n".join(x_rows) + "\n", encoding="utf-8")
    out["x"] = (path, 2)
    yt = (BAD / "29_youtube_bad_id.csv").read_text().split("\n")
    y_rows = [
        yt[0],
        yt[1],
        'abcdefghijk,T,"Dec 15, 2023",60,10,1.0,1,100,1.0',
        ',U,"Dec 16, 2023",60,12,1.0,1,100,1.0',
    ]
    path = tmp_path / "yt" / "Table data.csv"
    path.parent.mkdir()
    path.write_text("\n".join(y_rows) + "\n", encoding="utf-8")
    out["youtube"] = (path, 1)
    return out


def test_rows_with_metrics_but_no_post_id_are_quarantined_never_dropped_or_merged(tmp_path):
    for platform, (path, n) in _blank_id_files(tmp_path).items():
        frame = socialnb.read_export(path, tz="Europe/London")
        assert len(frame) == 1, platform
        assert not frame["post_id"].str.strip().eq("").any(), platform
        rejected = frame.attrs["rejected_rows"]
        assert len(rejected) == n, (platform, rejected)
        assert all("no " in why and "id" in why and "metrics" in why for _, why in rejected)
        assert any("quarantined" in note for note in frame.attrs["notes"]), platform


def test_a_quarantined_blank_id_row_is_counted_in_ingest_log(tmp_path):
    files = _blank_id_files(tmp_path)
    (tmp_path / "ws" / "b").mkdir(parents=True)
    (tmp_path / "ws" / "b" / "brand.yaml").write_text("name: B\ntimezone: UTC\n")
    ws = socialnb.Workspace(tmp_path / "ws")
    report = ws.ingest([files["x"][0]], brand="b")
    assert report.ok and "2 row(s) quarantined" in report.files[0].message
    con = ws.connect()
    try:
        loaded, rejected, detail = con.execute(
            "SELECT rows_loaded, rows_rejected, detail FROM ingest_log"
        ).fetchone()
    finally:
        con.close()
    assert (loaded, rejected) == (1, 2) and "no tweet id" in detail


@pytest.mark.parametrize("cycle", [False, True])
def test_a_mapping_that_uses_itself_is_a_config_error_and_the_other_files_still_load(
    tmp_path, cycle
):
    from socialnb.errors import ConfigError
    from socialnb.ingest import load_mapping

    drop = tmp_path / "drop"
    drop.mkdir()
    data = drop / "posts.csv"
    data.write_text("id,when,views\n1,2026-01-02,10\n")
    if cycle:
        (drop / "a.yaml").write_text("use: b.yaml\n")
        (drop / "b.yaml").write_text("use: a.yaml\n")
        (drop / "posts.csv.mapping.yaml").write_text("use: a.yaml\n")
    else:
        (drop / "posts.csv.mapping.yaml").write_text("use: posts.csv.mapping.yaml\n")
    with pytest.raises(ConfigError, match="leads back to a mapping already used"):
        load_mapping(drop / "posts.csv.mapping.yaml")
    shutil.copy(GOOD / "instagram_pt.csv", drop / "zz_instagram_pt.csv")
    (tmp_path / "ws" / "b").mkdir(parents=True)
    (tmp_path / "ws" / "b" / "brand.yaml").write_text("name: B\ntimezone: UTC\n")
    report = socialnb.Workspace(tmp_path / "ws").ingest([drop], brand="b")
    status = {Path(f.path).name: f.status for f in report.files}
    assert status["posts.csv"] == "rejected" and status["zz_instagram_pt.csv"] == "loaded"
    assert "What to do:" in next(f.message for f in report.files if f.status == "rejected")


def _linkedin(path: Path, created: list[str], metric_days: list[str] | None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "All posts"
    ws.append(["Engagement metrics for individual posts."])
    ws.append(["Post title", "Post link", "Created date", "Impressions", "Clicks", "Post type"])
    for i, day in enumerate(created):
        link = f"https://www.linkedin.com/feed/update/urn:li:activity:71012345678901234{i:02d}"
        ws.append(["Hi", link, day, 100 + i, 3, "Image"])
    if metric_days is not None:
        m = wb.create_sheet("Metrics")
        m.append(["Aggregated metrics."])
        m.append(["Date", "Impressions (total)", "Clicks (total)"])
        for day in metric_days:
            m.append([day, 50, 2])
    wb.save(path)
    return path


def test_linkedin_day_month_order_comes_from_the_metrics_sheet_of_the_same_workbook(tmp_path):
    days = [f"{d:02d}/10/2026" for d in range(1, 29)]  # DD/MM: 25/10 proves it
    path = _linkedin(tmp_path / "page_content.xlsx", ["07/10/2026", "03/10/2026"], days)
    posts, daily = read_frames(path)
    assert posts["published_local"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-10-07",
        "2026-10-03",
    ]
    assert any("DD/MM/YYYY" in n and "Metrics" in n for n in posts.attrs["notes"])
    assert daily["date"].max().strftime("%Y-%m-%d") == "2026-10-28"


def test_linkedin_dates_nothing_proves_are_refused_not_guessed(tmp_path):
    path = _linkedin(tmp_path / "page_content.xlsx", ["07/10/2026", "03/10/2026"], None)
    with pytest.raises(ExportError, match="ambiguous") as info:
        read_frames(path)
    assert info.value.line == 3 and "7 October or 10 July" in str(info.value)
    # MM/DD proved by the posts themselves still reads without the Metrics sheet
    path = _linkedin(tmp_path / "page_content2.xlsx", ["10/07/2026", "10/25/2026"], None)
    posts = read_frames(path)[0]
    assert posts["published_local"].dt.strftime("%m-%d").tolist() == ["10-07", "10-25"]


def test_legacy_facebook_rows_without_a_post_id_are_quarantined_not_dropped(tmp_path):
    name = "Facebook Insights Data Export (Post Level) - Fernway - 2019-04-01.csv"
    lines = (GOOD / name).read_text().split("\n")
    lines[3] = lines[3].replace("123456789012345_987654321000002", "")
    path = tmp_path / name
    path.write_text("\n".join(lines))
    posts = socialnb.read_export(path, tz="Europe/London")
    assert len(posts) == 1
    assert [line for line, _ in posts.attrs["rejected_rows"]] == [4]


def test_legacy_facebook_ambiguous_dates_are_said_out_loud(tmp_path):
    name = "Facebook Insights Data Export (Post Level) - Fernway - 2019-04-01.csv"
    text = (GOOD / name).read_text().replace("03/14/2019", "03/04/2019")
    path = tmp_path / name
    path.write_text(text)
    posts = socialnb.read_export(path, tz="Europe/London")
    assert any("ambiguous" in note and "MM/DD/YYYY" in note for note in posts.attrs["notes"])
