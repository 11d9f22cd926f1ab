"""Writing the sample brand: :func:`write_sample`."""

from __future__ import annotations

import os
import random
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from ..config import CALENDAR_COLUMNS, IDEAS_COLUMNS
from ..errors import ConfigError
from ..periods import days_in_month, month_start, next_month
from .draws import _export_moment
from .plan import ACCOUNTS, REEXPORT_FOLDER, SAMPLE_MONTHS, SEED, TZ
from .plan_files import README, _brand_yaml, _calendar, _experiments_yaml, _ideas
from .platforms import (
    _facebook_csv,
    _instagram_csv,
    _linkedin,
    _meta_daily,
    _meta_name,
    _minimal_csv,
    _tiktok,
    _write,
    _x_daily_legacy,
    _x_legacy,
    _x_overview,
    _x_premium,
    _youtube,
    _zip,
)
from .posts import _build


def write_sample(
    workspace: str | Path = "data", *, brand: str = "fernway", overwrite: bool = False
) -> Path:
    """Write the sample brand into ``<workspace>/<brand>/`` and return that folder.

    Parameters
    ----------
    workspace
        Where the brand folder goes; made when it does not exist yet.
    brand
        The brand slug (folder name). The content is always Fernway Outdoor Co.
    overwrite
        Replace an existing brand folder (CLI: ``--force``). Without it an existing folder is
        refused.

    Returns
    -------
    Path
        The brand folder.

    Raises
    ------
    ConfigError
        If the brand folder exists and ``overwrite`` is false.

    Examples
    --------
    >>> import tempfile
    >>> folder = write_sample(tempfile.mkdtemp())
    >>> folder.name, sorted(p.name for p in folder.iterdir() if p.is_file())
    ('fernway', ['README.md', 'brand.yaml', 'calendar.csv', 'experiments.yaml', 'ideas.csv'])
    """
    root = Path(workspace) / brand
    if root.exists():
        if not overwrite:
            raise ConfigError(
                "the folder already exists; write_sample will not overwrite it.",
                path=root,
                fix="pass overwrite=True (CLI: socialnb sample --force), or choose another "
                "workspace or brand.",
            )
        shutil.rmtree(root)
    tmp = Path(workspace) / f".{brand}.writing"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        _write_all(tmp)
        os.replace(tmp, root)
    finally:  # a failed write leaves no half-written folder (after the move tmp is gone)
        shutil.rmtree(tmp, ignore_errors=True)
    return root


def _write_month(raw: Path, month: str, world: dict, by: dict, rng: random.Random) -> list:
    """One month's export files (every platform); returns the Meta content files and their
    export moment (their modification times)."""
    followers, folder, exported = world["followers"], raw / month, _export_moment(month)
    mtimes = []
    for kind, writer in (("facebook", _facebook_csv), ("instagram", _instagram_csv)):
        f = folder / _meta_name(rng, month)
        _write(f, writer(by[(month, kind)], month, exported))
        mtimes.append((f, exported))
    _write_meta_daily(folder, month, followers, by[(month, "facebook")], rng)
    _write_x(folder, month, exported, by[(month, "x")], followers, rng)
    ms = int(exported.astimezone(UTC).timestamp()) * 1000
    f = folder / f"fernway-outdoor-co_content_{ms}.xlsx"
    _write(f, _linkedin(rng, by[(month, "linkedin")], month, exported, followers))
    tt = [p for p in world["posts"] if p["platform"] == "tiktok"]
    for name, (member, data, when) in _tiktok(
        rng, tt, month, exported, followers, month == "2025-12"
    ).items():
        _zip(folder / name, [(member, data)], when)
    yt = _youtube(rng, by[(month, "youtube")], month, exported)
    span = f"{month}-01_{month}-{days_in_month(month):02d}"
    _zip(folder / f"Content {span} {ACCOUNTS['youtube']}.zip", yt, exported.replace(tzinfo=None))
    return mtimes


def _write_meta_daily(folder: Path, month: str, followers, fb: list, rng: random.Random) -> None:
    """Meta's daily series of a month: Facebook follows and followers, Instagram followers and
    the Facebook page's views (the posts' views in their first three days on top)."""
    y, mo = month_start(month).timetuple()[:2]
    days = [date(y, mo, d) for d in range(1, days_in_month(month) + 1)]
    page_views = []
    for d in days:
        v = int(followers["facebook"][d][0] * 0.05 * rng.lognormvariate(0, 0.3))
        for p in fb:
            age = (d - p["local"].date()).days
            if 0 <= age <= 2:
                v += int(p["m"]["exposure"] * p["m"]["views_ratio"] * (0.5, 0.3, 0.1)[age])
        page_views.append((d, v))
    for title, values in (
        ("Facebook follows", [(d, followers["facebook"][d][1]) for d in days]),
        ("Facebook followers", [(d, followers["facebook"][d][0]) for d in days]),
        ("Instagram followers", [(d, followers["instagram"][d][0]) for d in days]),
        ("Views", page_views),
    ):
        _write(folder / f"{title}.csv", _meta_daily(title, values))


def _write_x(folder: Path, month: str, exported: datetime, xs: list, followers, rng) -> None:
    """X's files of a month: the legacy tweet activity export until 2025-09, X Premium's after."""
    y, mo = month_start(month).timetuple()[:2]
    if month < "2025-10":
        nm = next_month(month)
        span = f"{y:04d}{mo:02d}01_{nm[:4]}{nm[5:]}01"
        f = folder / f"tweet_activity_metrics_{ACCOUNTS['x']}_{span}_en.csv"
        _write(f, _x_legacy(xs, exported))
        f = folder / f"daily_tweet_activity_metrics_{ACCOUNTS['x']}_{span}_en.csv"
        _write(f, _x_daily_legacy(rng, xs, month, exported, followers))
    else:
        span = f"{month}-01_{month}-{days_in_month(month):02d}"
        _write(folder / f"account_analytics_content_{span}.csv", _x_premium(xs, exported))
        _write(
            folder / f"account_overview_analytics_{span}.csv",
            _x_overview(rng, xs, month, exported, followers),
        )


def _write_all(root: Path) -> None:
    """Every file of the brand folder, drawn in a fixed order from :data:`SEED`."""
    world = _build(SEED)
    rng = random.Random(SEED + 1)
    posts = world["posts"]
    by: dict[tuple[str, str], list] = {}
    for p in posts:
        by.setdefault((p["month"], p["platform"]), []).append(p)
    raw = root / "raw"
    mtimes: list[tuple[Path, datetime]] = []
    for month in SAMPLE_MONTHS:
        mtimes += _write_month(raw, month, world, by, rng)
    again = datetime(2026, 11, 2, 14, 30, tzinfo=TZ)  # the re-export, a month later
    folder = raw / REEXPORT_FOLDER  # a download-day folder: the ingest dates it 2026-11-02
    for kind, writer in (("facebook", _facebook_csv), ("instagram", _instagram_csv)):
        f = folder / _meta_name(rng, "2026-09")
        _write(f, writer(by[("2026-09", kind)], "2026-09", again))
        mtimes.append((f, again))
    ideas = _ideas(random.Random(SEED + 2))
    cal = _calendar(random.Random(SEED + 3), posts, ideas)
    _write(root / "ideas.csv", _minimal_csv([list(IDEAS_COLUMNS), *ideas]).encode("utf-8"))
    _write(root / "calendar.csv", _minimal_csv([list(CALENDAR_COLUMNS), *cal]).encode("utf-8"))
    _write(root / "brand.yaml", _brand_yaml().encode("utf-8"))
    _write(root / "experiments.yaml", _experiments_yaml(world["experiments"]).encode("utf-8"))
    _write(root / "README.md", README.encode("utf-8"))
    for path, when in mtimes:  # a hint only: git does not keep file times
        ts = when.timestamp()
        os.utime(path, (ts, ts))
