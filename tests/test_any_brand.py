"""Every report page works and tells the truth for any real brand (issue 10).

Each workspace is made as a user would make it: a brand.yaml with only ``name`` and
``timezone`` and the platform exports under raw/ (a ``<file>.mapping.yaml`` beside a hand-made
sheet), nothing else: no calendar.csv, ideas.csv or experiments.yaml. The report runs once per
workspace (module-scoped); the headline numbers it records are compared with sums computed here
from the raw files with pandas alone (never socialnb's readers).
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socialnb import ideation, overview, plots
from socialnb import metrics as M
from socialnb.experiments import analyse_experiments
from socialnb.report import run_report

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
SAMPLE = ROOT / "data" / "fernway"
PAGES = ("overview", "retro", "experiments", "ideation")


# ================================================================ raw sums, with pandas alone
def _total(values) -> float | None:
    v = pd.to_numeric(values, errors="coerce").sum(min_count=1)
    return None if pd.isna(v) else float(v)


def _engagements(frame: pd.DataFrame, parts: list[str]) -> float | None:
    cols = frame[parts].apply(pd.to_numeric, errors="coerce")
    return _total(cols.sum(axis=1, min_count=1))


def _x_legacy_raw(month: str, tz: str) -> dict:
    files = sorted((DATASETS / "twitter_analytics_debruine" / "tweet_level").glob("*.csv"))
    t = pd.concat([pd.read_csv(f, dtype=str) for f in files], ignore_index=True)
    local = pd.to_datetime(t["time"], format="%Y-%m-%d %H:%M %z", utc=True).dt.tz_convert(tz)
    m = t[local.dt.strftime("%Y-%m") == month].drop_duplicates("Tweet id", keep="last")
    return {"x": (len(m), _engagements(m, ["retweets", "replies", "likes"]),
                  "impressions", _total(m["impressions"]))}  # fmt: skip


def _uci_raw(month: str, tz: str) -> dict:
    # the sheet has a month number only (year 2014 per the shipped mapping)
    t = pd.read_csv(DATASETS / "facebook_metrics" / "dataset_Facebook.csv", sep=";")
    m = t[t["Post Month"] == int(month[5:])]
    return {"facebook": (len(m), _engagements(m, ["like", "comment", "share"]), "reach",
                         _total(m["Lifetime Post Total Reach"]))}  # fmt: skip


def _fcc_raw(month: str, tz: str) -> dict:
    path = DATASETS / "facebook_freecodecamp_page" / "freeCodeCamp-facebook-page-activity.csv"
    t = pd.read_csv(path, dtype=str)
    when = pd.to_datetime(t["date"] + " " + t["time"], format="%m/%d/%Y %I:%M %p", errors="coerce")
    m = t[when.dt.strftime("%Y-%m") == month]
    return {"facebook": (len(m), _engagements(m, ["reactions"]), "reach", _total(m["reach"]))}


def _thai_raw(month: str, tz: str) -> dict:
    t = pd.read_csv(DATASETS / "facebook_live_sellers_thailand" / "Live.csv", dtype=str,
                    encoding="utf-8-sig")  # fmt: skip
    raw = t["status_published"]
    when = pd.to_datetime(raw, format="%m/%d/%Y %H:%M", errors="coerce").fillna(
        pd.to_datetime(raw, format="%m/%d/%y %H:%M", errors="coerce")
    )
    m = t[when.dt.strftime("%Y-%m") == month].drop_duplicates("status_id", keep="last")
    # scraped public counts: no reach at all, so the exposure is missing (None), never 0
    return {"facebook": (len(m), _engagements(m, ["num_reactions", "num_comments", "num_shares"]),
                         "reach", None)}  # fmt: skip


def _youtube_raw(raw: Path, month: str) -> tuple:
    tables = []
    for z in sorted(raw.glob("*/Content * Fernway Outdoor.zip")):  # month folders, oldest first
        with zipfile.ZipFile(z) as zf:
            tables.append(pd.read_csv(zf.open("Table data.csv"), dtype=str))
    t = pd.concat(tables, ignore_index=True)
    t = t[t["Content"] != "Total"].drop_duplicates("Content", keep="last")  # latest export
    when = pd.to_datetime(t["Video publish time"], format="%b %d, %Y")
    m = t[when.dt.strftime("%Y-%m") == month]
    return (len(m), _engagements(m, ["Likes", "Comments added", "Shares"]), "views",
            _total(m["Views"]))  # fmt: skip


def _x_premium_raw(raw: Path, month: str) -> tuple:
    t = pd.read_csv(next(raw.glob(f"{month}/account_analytics_content_*.csv")), dtype=str)
    m = t[pd.to_datetime(t["Date"], format="%a, %b %d, %Y").dt.strftime("%Y-%m") == month]
    return (len(m), _engagements(m, ["Likes", "Bookmarks", "Replies", "Reposts"]),
            "impressions", _total(m["Impressions"]))  # fmt: skip


# ================================================================ the workspaces
@dataclass(frozen=True)
class Case:
    """A workspace a user would make, the month reported, and what its pages must say:
    ``model_posts`` is the least number of posts the ideation model is fitted on (None: too
    little history or no exposure, said in words), ``phrases`` are (page, sentence) pairs."""

    name: str
    timezone: str
    month: str
    model_posts: int | None = 1
    phrases: tuple[tuple[str, str], ...] = ()
    plan_files: tuple[tuple[str, str], ...] = ()  # (name, text) written beside brand.yaml

    def build(self, brand: Path) -> None:
        raw = brand / "raw"
        raw.mkdir(parents=True)
        for name, text in self.plan_files:
            (brand / name).write_text(text, encoding="utf-8")
        if self.name in ("x_only", "x_and_uci_first_month"):
            folder = DATASETS / "twitter_analytics_debruine"
            for f in [*folder.glob("tweet_level/*.csv"), *folder.glob("daily/*.csv")]:
                shutil.copy(f, raw / f.name)
        if self.name in (*MAPPED, "x_and_uci_first_month"):
            src, mapping = MAPPED["uci" if self.name == "x_and_uci_first_month" else self.name]
            shutil.copy(src, raw / src.name)
            (raw / f"{src.name}.mapping.yaml").write_text(f"use: {mapping}\n", encoding="utf-8")
        elif self.name == "youtube_only":
            for z in (SAMPLE / "raw").glob("*/Content * Fernway Outdoor.zip"):
                (raw / z.parent.name).mkdir(exist_ok=True)
                shutil.copy2(z, raw / z.parent.name / z.name)
        elif self.name == "sample_without_plan_files":
            shutil.copytree(SAMPLE / "raw", raw, dirs_exist_ok=True)

    def raw_totals(self, raw: Path) -> dict:
        if self.name == "x_only":
            return _x_legacy_raw(self.month, self.timezone)
        if self.name == "x_and_uci_first_month":  # Facebook (UCI, 2014) is silent in 2021
            return {**_x_legacy_raw(self.month, self.timezone),
                    "facebook": (0, None, "reach", None)}  # fmt: skip
        if self.name in MAPPED:
            return {"uci": _uci_raw, "fcc": _fcc_raw, "thai": _thai_raw}[self.name](
                self.month, self.timezone
            )
        if self.name == "youtube_only":
            return {"youtube": _youtube_raw(raw, self.month)}
        # the whole sample: two readers checked here (X Premium, YouTube zip)
        return {"x": _x_premium_raw(raw, self.month), "youtube": _youtube_raw(raw, self.month)}


MAPPED = {
    "uci": (DATASETS / "facebook_metrics" / "dataset_Facebook.csv", "facebook_metrics"),
    "fcc": (
        DATASETS / "facebook_freecodecamp_page" / "freeCodeCamp-facebook-page-activity.csv",
        "facebook_freecodecamp_page",
    ),
    "thai": (
        DATASETS / "facebook_live_sellers_thailand" / "Live.csv",
        "facebook_live_sellers_thailand",
    ),
}

CASES = [
    # X exports name no format: every tweet is "unknown", and the model still uses them all
    Case("x_only", "Europe/London", "2021-10", model_posts=1000),
    Case("uci", "Europe/London", "2014-11"),
    Case("fcc", "America/New_York", "2017-06"),
    Case(
        "thai",  # scraped public counts: no reach, impressions or views
        "Asia/Bangkok",
        "2018-04",
        model_posts=None,
        phrases=(
            ("ideation", "Too little history to fit the performance model"),
            ("retro", "the exports report no reach for them"),
        ),
    ),
    Case(
        "youtube_only",
        "Europe/London",
        "2026-10",
        plan_files=(("experiments.yaml", "# no tests yet\n"),),  # an empty registry
        phrases=(("experiments", "Add tests (a list under experiments:) to experiments.yaml"),),
    ),
    Case("sample_without_plan_files", "Europe/London", "2026-10", model_posts=500),
    Case(
        "x_and_uci_first_month",  # two platforms, one silent; X's first month of history
        "Europe/London",
        "2021-01",
        phrases=(
            ("overview", "No posts on facebook this month."),
            ("retro", "Too little history to compare"),  # X's first month: no baseline yet
        ),
    ),
]


@dataclass(frozen=True)
class Run:
    case: Case
    root: Path
    brand: Path
    out: Path
    result: object

    @property
    def summary(self) -> dict:
        return json.loads((self.out / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def run(request, tmp_path_factory) -> Run:
    case: Case = request.param
    assert DATASETS.is_dir() and SAMPLE.is_dir()
    root = tmp_path_factory.mktemp(case.name)
    brand = root / "ws" / "brand"
    case.build(brand)
    (brand / "brand.yaml").write_text(
        f"name: A brand\ntimezone: {case.timezone}\n", encoding="utf-8"
    )
    result = run_report(
        root / "ws", case.month, reports_dir=root / "reports", jobs=2, echo=lambda _: None
    )
    return Run(case, root, brand, root / "reports" / "brand" / case.month, result)


@pytest.mark.slow
def test_every_page_works_without_the_plan_files(run):
    failed = {r.notebook: r.error for r in run.result.failures}
    assert run.result.ok, failed
    assert set(run.summary) >= set(PAGES)
    for page in PAGES:
        assert run.summary[page]["status"] == "ok", page
        assert (run.out / f"{page}.html").is_file()


@pytest.mark.slow
def test_pages_show_no_traceback_no_machine_path_and_no_nan(run):
    machine = {str(run.root), str(Path.home()), str(Path(__file__).resolve().parents[1])}
    for page in PAGES:
        html = (run.out / f"{page}.html").read_text(encoding="utf-8")
        assert "Traceback" not in html and 'File "/' not in html, page
        for path in machine:
            assert path not in html, (page, path)
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S))
        assert not re.search(r"\bnan%|\bNaN\b|\bnan\b", text), page


@pytest.mark.slow
def test_missing_plan_files_say_what_they_would_unlock(run):
    retro = (run.out / "retro.html").read_text(encoding="utf-8")
    assert "Add calendar.csv to the brand" in retro
    ideation_page = (run.out / "ideation.html").read_text(encoding="utf-8")
    assert "Add ideas.csv to the brand" in ideation_page
    tests_page = (run.out / "experiments.html").read_text(encoding="utf-8")
    has_registry = any(name == "experiments.yaml" for name, _ in run.case.plan_files)
    assert ("Add experiments.yaml" in tests_page) == (not has_registry)


@pytest.mark.slow
def test_month_totals_equal_sums_of_the_raw_files(run):
    recorded = run.summary["overview"]["results"]["month_totals"]
    expected = run.case.raw_totals(run.brand / "raw")
    for platform, (posts, engagements, metric, exposure) in expected.items():
        got = recorded[platform]
        assert got["posts"] == posts, platform
        assert got["exposure_metric"] == metric, platform
        for key, value in (("engagements", engagements), ("exposure", exposure)):
            if value is None:  # missing is missing (None in JSON), never 0
                assert got[key] is None, (platform, key)
            else:
                assert got[key] == pytest.approx(value), (platform, key)


@pytest.mark.slow
def test_ideation_model_uses_every_post_with_an_exposure_whatever_its_format(run):
    page = (run.out / "ideation.html").read_text(encoding="utf-8")
    fitted = re.search(r"Fitted on ([\d,]+) organic posts", page)
    if run.case.model_posts is None:
        assert fitted is None
    else:
        assert fitted is not None and int(fitted.group(1).replace(",", "")) >= run.case.model_posts


@pytest.mark.slow
def test_edge_cases_are_said_in_plain_words(run):
    for page, phrase in run.case.phrases:
        text = re.sub(r"<[^>]+>", "", (run.out / f"{page}.html").read_text(encoding="utf-8"))
        assert phrase in text, (page, phrase)


@pytest.mark.slow
def test_index_shows_no_machine_path(run):
    html = (run.out / "index.html").read_text(encoding="utf-8")
    assert str(run.root) not in html


# ================================================================ the helpers, fast
def _posts(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "post_id": [f"p{i}" for i in range(n)],
        "published_local": pd.to_datetime(["2026-10-05 10:00"] * n),
        "published_at": pd.to_datetime(["2026-10-05 09:00"] * n, utc=True),
        "distribution": ["organic"] * n,
        "format": [None] * n,
        **{p: [np.nan] * n for p in ("likes", "comments", "shares", "saves")},
        **{m: [np.nan] * n for m in ("reach", "impressions", "views")},
    }
    return pd.DataFrame({**base, **columns})


def test_an_empty_table_is_a_sentence_never_a_header_only_table():
    out = plots.table(pd.DataFrame(columns=["a", "b"]), empty="No posts on X this month.")
    assert out.data == "_No posts on X this month._"
    assert "table" not in out.data


def test_an_empty_table_is_not_folded_away():
    out = plots.collapsed(plots.table(pd.DataFrame(), empty="The plan has no rows."), "Open")
    assert out.data == "_The plan has no rows._"


def test_missing_input_says_what_the_section_would_show_and_which_file_unlocks_it():
    text = plots.missing_input("planned vs shipped posts", "calendar.csv").data
    assert "would show planned vs shipped posts" in text and "Add calendar.csv" in text


def test_links_are_clickable_for_web_addresses_only_and_escaped():
    frame = pd.DataFrame(
        {"permalink": ['https://x.com/a?b=1&c="2"', "javascript:alert(1)", "https://a<b>"]}
    )
    html = plots.table(frame, links=["permalink"]).to_html()
    assert '<a href="https://x.com/a?b=1&amp;c=&#34;2&#34;" rel="noopener noreferrer">' in html
    assert "javascript:alert(1)" in html and 'href="javascript' not in html
    assert "<b>" not in html and "https://a&lt;b&gt;" in html


def test_a_missing_format_is_the_unknown_level():
    out = M.with_format(pd.DataFrame({"format": [None, "", " Reel ", np.nan]}))
    assert out["format"].tolist() == ["unknown", "unknown", "reel", "unknown"]


def test_platform_totals_use_each_platforms_own_exposure_and_keep_silent_platforms():
    posts = _posts(
        platform=["facebook", "x", "x"],
        likes=[10, 2, 3],
        comments=[1, np.nan, 1],
        reach=[100, np.nan, np.nan],
        impressions=[500, 40, 60],
    )
    t = overview.platform_totals(posts, "2026-10", ["tiktok", "facebook", "x"]).set_index(
        "platform"
    )
    assert t.loc["facebook", "exposure_metric"] == "reach" and t.loc["facebook", "exposure"] == 100
    assert t.loc["x", "exposure_metric"] == "impressions" and t.loc["x", "exposure"] == 100
    assert t.loc["x", "engagements"] == 6 and t.loc["x", "engagement_rate"] == pytest.approx(0.06)
    assert t.loc["tiktok", "posts"] == 0 and np.isnan(t.loc["tiktok", "engagements"])
    assert np.isnan(t.loc["tiktok", "engagement_rate"])


def test_ideation_exposure_is_each_platforms_own_denominator_first():
    for platform, rate in M.PRIMARY_RATE.items():
        assert ideation.EXPOSURE[platform][0] == M.definition(rate).denominator


def test_post_outcomes_keep_posts_whose_export_names_no_format():
    posts = _posts(
        platform=["x"] * 3,
        likes=[1, 2, 3],
        impressions=[100, 200, 300],
        date_precision=["minute"] * 3,
        exported_at=pd.to_datetime(["2026-11-01"] * 3, utc=True),
        pillar=[None] * 3,
    )
    out = ideation.post_outcomes(posts)
    assert len(out) == 3 and set(out["format"]) == {"unknown"}


def test_ideation_without_a_backlog_or_history_says_what_is_needed(tmp_path):
    ideas = ideation.load_ideas(tmp_path, missing_ok=True)
    assert ideas.empty and "effort_hours" in ideas
    posts = _posts(
        platform=["x"] * 3,
        likes=[1, 2, 3],
        impressions=[100, 200, 300],
        date_precision=["minute"] * 3,
        exported_at=pd.to_datetime(["2026-11-01"] * 3, utc=True),
        pillar=[None] * 3,
    )
    gap = ideation.history_gap(posts, "2026-11")
    assert "3 organic posts" in gap and f"at least {ideation.MIN_HISTORY_POSTS}" in gap


def test_no_registered_test_gives_an_empty_table_with_its_columns():
    analysis = analyse_experiments((), _posts(platform=["x"]))
    assert analysis.to_frame().empty and "effect" in analysis.to_frame()
    assert analysis.records() == [] and analysis.lessons().empty


# ================================================================ each platform alone, two brands
def _first_line(path: Path) -> str:
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        return f.readline()


def _sample_files(platform: str) -> list[Path]:
    """The sample's raw files of one platform, picked by name and header (not by socialnb)."""
    out = []
    for f in sorted((SAMPLE / "raw").rglob("*")):
        name, csv = f.name, f.suffix == ".csv"
        head = _first_line(f) if csv and name.startswith(("Jan", "Feb", "Mar", "Apr", "May",
            "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")) else ""  # fmt: skip
        if (
            (platform == "instagram" and ("Account username" in head or name == "Instagram followers.csv"))
            or (platform == "facebook" and ('"Page ID"' in head or name.startswith("Facebook ")))
            or (platform == "x" and name.startswith(("tweet_", "daily_tweet_", "account_")))
            or (platform == "linkedin" and f.suffix == ".xlsx")
            or (platform == "tiktok" and name.startswith(("Content_", "FollowerHistory_", "Overview_", "Viewers_")))
        ):  # fmt: skip
            out.append(f)
    assert out, platform
    return out


ALONE = ("facebook", "instagram", "x", "linkedin", "tiktok")


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    """One workspace, one brand per sample platform, plus ``instagram_twin`` holding byte-identical
    copies of the Instagram brand's files."""
    root = tmp_path_factory.mktemp("alone")
    for slug, platform in [*((p, p) for p in ALONE), ("instagram_twin", "instagram")]:
        brand = root / "ws" / slug
        for f in _sample_files(platform):
            dest = brand / "raw" / f.relative_to(SAMPLE / "raw")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dest)
        (brand / "brand.yaml").write_text(f"name: {slug}\ntimezone: Europe/London\n")
    result = run_report(
        root / "ws", "2026-10", reports_dir=root / "reports", jobs=2, echo=lambda _: None
    )
    return root, result


@pytest.mark.slow
def test_each_sample_platform_alone_gets_every_page_and_only_its_own_numbers(alone):
    root, result = alone
    assert result.ok, {(r.brand, r.notebook): r.error for r in result.failures}
    for slug in (*ALONE, "instagram_twin"):
        out = root / "reports" / slug / "2026-10"
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert all(summary[p]["status"] == "ok" for p in PAGES), slug
        totals = summary["overview"]["results"]["month_totals"]
        platform = slug.removesuffix("_twin")
        assert [p for p, t in totals.items() if t["posts"]] == [platform], slug
        for page in PAGES:
            assert str(root) not in (out / f"{page}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_two_brands_with_identical_files_each_keep_their_own_posts(alone):
    root, _ = alone
    got = {}
    for slug in ("instagram", "instagram_twin"):
        summary = json.loads(
            (root / "reports" / slug / "2026-10" / "summary.json").read_text(encoding="utf-8")
        )
        got[slug] = summary["overview"]["results"]["month_totals"]["instagram"]
    f = next(p for p in _sample_files("instagram") if "Account username" in _first_line(p)
             and p.parent.name == "2026-10")  # fmt: skip
    t = pd.read_csv(f, dtype=str, encoding="utf-8-sig")
    t = t[
        pd.to_datetime(t["Publish time"], format="%m/%d/%Y %H:%M").dt.strftime("%Y-%m") == "2026-10"
    ]
    raw = (len(t), _engagements(t, ["Likes", "Comments", "Shares", "Saves"]), _total(t["Reach"]))
    for slug, totals in got.items():
        assert (totals["posts"], totals["engagements"], totals["exposure"]) == pytest.approx(raw), (
            slug
        )
