"""One rule places a wall-clock time in UTC (an overlap takes the first occurrence, a DST gap moves
forward): ``localise`` on a column (pandas), ``localise_one`` on one time and the DuckDB ingest's
offsets (``_bulk._published_at``), both without pandas, must agree with it everywhere."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta
from zoneinfo import _zoneinfo

import pandas as pd
import pytest

from socialnb.ingest import _bulk
from socialnb.ingest._base import export_time_utc
from socialnb.ingest._convert import localise, localise_one
from socialnb.ingest._raw import RawFile

ZONES = sorted(zoneinfo.available_timezones())
PROBES = [pd.Timedelta(s) for s in ("0s", "-1s", "1s", "-30min", "30min", "59min", "1h", "-1h")]


def _changes(zone: str, first: str, last: str) -> pd.DatetimeIndex:
    """The UTC minutes at which ``zone``'s offset differs from the minute before (pandas)."""
    minutes = pd.date_range(first, last, freq="min", tz="UTC")
    offset = minutes.tz_convert(zone).tz_localize(None) - minutes.tz_localize(None)
    return minutes[1:][offset[1:] != offset[:-1]]


@pytest.mark.slow
def test_one_time_is_placed_as_the_column_rule_places_it_at_every_change_of_every_zone():
    checked = 0
    for zone in ZONES:
        hours = pd.date_range("2010-01-01", "2031-01-01", freq="h", tz="UTC")
        offset = hours.tz_convert(zone).tz_localize(None) - hours.tz_localize(None)
        at = hours[1:][offset[1:] != offset[:-1]]
        walls = [
            (t - pd.Timedelta(hours=1)).tz_convert(zone).tz_localize(None) + p
            for t in at
            for p in (*PROBES, pd.Timedelta(hours=2))
        ]
        if not walls:
            continue
        walls = [w.to_pydatetime() for w in walls]
        expected = localise(pd.Series(walls).astype("datetime64[us]"), zone)
        got = [pd.Timestamp(localise_one(w, zone)) for w in walls]
        assert got == list(expected), zone
        checked += len(walls)
    assert checked > 50_000


def test_the_ingest_finds_every_offset_change_in_a_files_span():
    for zone in ("Europe/London", "Australia/Lord_Howe", "America/Havana", "Asia/Tehran",
                 "Pacific/Apia", "America/Sao_Paulo", "UTC"):  # fmt: skip
        start, end = datetime(2010, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)
        found = _bulk._transitions(zoneinfo.ZoneInfo(zone), start, end)
        expected = _changes(zone, "2010-01-01", "2026-01-01")
        assert [pd.Timestamp(t) for t, _, _ in found] == list(expected), zone
        for t, before, after in found:
            assert (t - timedelta(seconds=1)).astimezone(
                zoneinfo.ZoneInfo(zone)
            ).utcoffset() == before
            assert t.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() == after


def test_no_zone_changes_its_offset_twice_between_two_of_the_ingests_samples():
    """``_transitions`` samples every ``_OFFSET_STEP``: two changes closer than that could hide.
    The tz database's changes (zoneinfo's own transition list) are days apart in every zone."""
    step = _bulk._OFFSET_STEP.total_seconds()
    closest = min(
        (b - a, zone)
        for zone in ZONES
        for a, b in zip(
            _zoneinfo.ZoneInfo(zone)._trans_utc,
            _zoneinfo.ZoneInfo(zone)._trans_utc[1:],
            strict=False,
        )
    )
    assert closest[0] > 4 * step, closest


def test_a_download_day_at_a_midnight_that_does_not_exist_moves_forward_as_post_times_do(tmp_path):
    """Havana's clocks go from 00:00 to 01:00: a file downloaded on that day was exported at
    the day's first minute, placed by the rule every post time follows (it was an error)."""
    folder = tmp_path / "2025-03-09"
    folder.mkdir()
    path = folder / "export.csv"
    path.write_text("x\n")
    raw = RawFile(path, b"x\n", "0" * 64, "utf-8", "x\n")
    when, source = export_time_utc(raw, "America/Havana", None)
    assert source == "download folder"
    midnight = pd.Series([pd.Timestamp("2025-03-09")]).astype("datetime64[us]")
    assert pd.Timestamp(when) == localise(midnight, "America/Havana").iloc[0]
    assert when == datetime(2025, 3, 9, 5, tzinfo=UTC)  # 01:00 summer time (UTC-4)
