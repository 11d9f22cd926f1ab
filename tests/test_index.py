"""The month's index as a leader reads it, and the report's command-line promises.

The numbers (``overview.month_in_numbers``) are checked on small hand-made brands; the index
page, the page links and the CLI on the fixture notebooks of ``test_report`` (no real notebook
runs here: ``_run_task`` is replaced where the test is about what happens around it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from socialnb import _html, overview, plots, report
from socialnb import metrics as M

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_NOTEBOOKS = ROOT / "tests" / "fixtures" / "notebooks"
NAN = np.nan
COLUMNS = ["platform", "published_at", "reach", "impressions", "likes", "comments", "shares",
           "saves", "follows", "link_clicks", "video_views"]  # fmt: skip


def _posts(rows: list[list]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["published_at"] = pd.to_datetime(df["published_at"], utc=True)
    df["published_local"] = df["published_at"].dt.tz_localize(None)
    df["distribution"] = "organic"
    df["format"] = "image"
    df["post_id"] = [str(i) for i in range(len(df))]
    df["permalink"] = [f"https://example.com/p/{i}" for i in range(len(df))]
    df["text"] = [f"post {i}" for i in range(len(df))]
    return df


@pytest.fixture()
def two_platforms() -> pd.DataFrame:
    return _posts(
        [
            ["facebook", "2026-10-03", 1000, NAN, 10, 2, 1, 0, 3, 5, NAN],
            ["facebook", "2026-10-20", 3000, NAN, 20, 4, 2, 1, 1, NAN, NAN],
            ["facebook", "2026-09-10", 2000, NAN, 10, 0, 0, 0, 2, 1, NAN],
            ["facebook", "2025-10-10", 500, NAN, 4, 0, 0, 0, NAN, NAN, NAN],
            ["x", "2026-10-05", NAN, 500, 5, 1, 0, NAN, NAN, NAN, 40],
            ["x", "2025-10-05", NAN, 1000, 5, 1, 0, NAN, NAN, NAN, 10],
        ]
    )


def _value(numbers, platform, measure, column="value"):
    t = numbers.to_frame()
    return t[(t["platform"] == platform) & (t["measure"] == measure)][column].iloc[0]


# --- the month in numbers -------------------------------------------------------------------


def test_month_in_numbers_uses_the_metrics_definitions_and_adds_platforms_up(two_platforms):
    n = overview.month_in_numbers(two_platforms, None, "2026-10")
    oct_posts = overview.month_posts(two_platforms, "2026-10")
    fb = oct_posts[oct_posts["platform"] == "facebook"]
    assert _value(n, "facebook", "engagements") == M.engagements(fb).sum() == 40
    assert _value(n, "facebook", "exposure") == 4000  # reach: Facebook's exposure
    assert _value(n, "x", "exposure") == 500  # impressions: X's exposure
    assert _value(n, "facebook", "engagement_rate") == pytest.approx(40 / 4000)
    assert _value(n, "all platforms", "engagements") == 40 + 6
    assert _value(n, "all platforms", "posts") == 3
    # the total rate is the rate of the summed totals, not a mean of the platforms' rates
    assert _value(n, "all platforms", "engagement_rate") == pytest.approx(46 / 4500)
    assert set(n.to_frame()["definition"].dropna()) == set(overview.MEASURES.values())


def test_changes_are_against_last_month_and_the_same_month_a_year_before(two_platforms):
    n = overview.month_in_numbers(two_platforms, None, "2026-10")
    assert (n.previous_month, n.year_ago_month) == ("2026-09", "2025-10")
    assert _value(n, "facebook", "engagements", "previous") == 10
    assert _value(n, "facebook", "engagements", "vs_previous") == pytest.approx(40 / 10 - 1)
    assert _value(n, "facebook", "engagements", "vs_year_ago") == pytest.approx(40 / 4 - 1)
    assert _value(n, "x", "exposure", "vs_year_ago") == pytest.approx(500 / 1000 - 1)


def test_a_platform_silent_in_a_month_is_missing_there_not_zero(two_platforms):
    n = overview.month_in_numbers(two_platforms, None, "2026-10")
    assert _value(n, "x", "posts", "previous") == 0  # a count of posts is a count
    assert np.isnan(_value(n, "x", "engagements", "previous"))
    assert np.isnan(_value(n, "x", "engagements", "vs_previous"))
    assert np.isnan(_value(n, "x", "follows"))  # the export reports none


def test_the_first_month_of_history_has_numbers_and_no_changes():
    posts = _posts([["instagram", "2026-10-03", 800, NAN, 8, 1, 1, 2, 4, NAN, NAN]])
    n = overview.month_in_numbers(posts, None, "2026-10")
    assert _value(n, "instagram", "engagements") == 12
    assert np.isnan(_value(n, "instagram", "engagements", "vs_previous"))
    assert np.isnan(_value(n, "all platforms", "exposure", "vs_year_ago"))


def test_account_daily_counts_are_preferred_to_the_posts_own(two_platforms):
    daily = pd.DataFrame(
        {
            "platform": ["facebook", "facebook", "facebook"],
            "date": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-09-30"]),
            "follows_gained": [7.0, 5.0, 100.0],
            "followers": [1000.0, 1005.0, 993.0],
        }
    )
    n = overview.month_in_numbers(two_platforms, daily, "2026-10")
    assert _value(n, "facebook", "follows") == 12  # the daily series, not the posts' 3 + 1
    assert _value(n, "facebook", "link_clicks") == 5  # no daily link clicks: the posts'
    trend = overview.month_trend(two_platforms, daily, "2026-10")
    assert len(trend) == 12 * 2
    oct_fb = trend[(trend["month"] == "2026-10") & (trend["platform"] == "facebook")]
    assert oct_fb["followers"].item() == 1005  # the month's last level
    assert np.isnan(trend[trend["platform"] == "x"]["followers"]).all()


def test_trend_chart_marks_metas_views_change_and_its_legend_covers_no_data(two_platforms):
    trend = overview.month_trend(two_platforms, None, "2026-10")
    fig = overview.trend_figure(trend, "exposure")
    ax = fig.axes[0]
    fb_change = M.VIEWS_CHANGE["facebook"]  # 2025-11-15 falls in the 12 months
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 1
    assert dashed[0].get_color() == plots.PLATFORM_COLORS["facebook"]
    months = sorted(trend["month"].unique())
    position = months.index(fb_change.strftime("%Y-%m")) + (fb_change.day - 1) / 30 - 0.5
    assert dashed[0].get_xdata()[0] == pytest.approx(position)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    assert not legend.overlaps(ax.get_window_extent(renderer))
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert not any("e" in t for t in ticks)


def test_numbers_read_without_scientific_notation():
    assert plots.format_number(1.07e-06) == "0.00000107"
    assert plots.format_number(-3.2e-05) == "-0.0000320"
    assert "e" not in _html.format_scalar(4.2e-08)
    assert plots.format_number(0.0606) == "0.0606"  # unchanged above the tiny range
    assert plots.format_percent(1.503, 2) == "150%"  # 2 digits of 150.3 is not 1.5e+02


# --- pages, anchors and the nav bar ---------------------------------------------------------


def test_every_heading_gets_a_unique_id_and_the_nav_bar_is_filled_in():
    page = "<h2>Series health: keep</h2><h3>By platform</h3><h3>By platform</h3><h2 id='x'>X</h2>"
    html = _html.add_heading_ids(page)
    assert [i for i, _t in _html.heading_ids(html)] == [
        "series-health-keep",
        "by-platform",
        "by-platform-2",
        "x",
    ]
    nav = _html.nav_bar([("index.html", "Summary"), ("retro.html", "Retro <b>")], "retro.html")
    filled = _html.set_nav(f"<p>{_html.NAV_START}{_html.NAV_END}</p>", nav)
    assert 'href="index.html"' in filled and "Retro &lt;b&gt;" in filled
    assert 'href="retro.html"' not in filled  # the current page is marked, not linked


def test_takeaways_link_to_the_heading_of_their_section(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/markdown": "- 57 of 62 shipped. *(table: Planned vs shipped)*\n"
                "- Odd one. *(table: Nowhere)*"
            },  # fmt: skip
        )
    ]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "retro.ipynb")
    (tmp_path / "retro.html").write_text(
        _html.add_heading_ids("<h2>Planned vs shipped</h2>"), encoding="utf-8"
    )
    summary = {"retro": {"status": "ok", "results": {}}, "_run": {}}
    found = report.index._takeaways(summary, tmp_path)
    assert [t["href"] for t in found] == ["retro.html#planned-vs-shipped", "retro.html"]
    summary = {"retro": {"status": "ok", "results": {"takeaways": [{"text": "A", "table": "x"}]}}}
    assert report.index._takeaways(summary, tmp_path)[0]["text"] == "A"  # a record wins


def test_the_index_says_shipped_of_planned_in_words_not_raw_keys():
    shown = report.index._readable_results(
        {"planned_posts": 62, "published_posts": 64, "delivery_rate": 57 / 62, "kpis": []}
    )
    assert shown["planned posts shipped"] == "57 of 62 (91.9%)"
    assert "kpis" not in shown and "KPIs against target" in shown
    assert "posts published (planned or not)" in shown


# --- the command line -----------------------------------------------------------------------


def _workspace(tmp: Path) -> Path:
    import test_report

    return test_report._workspace(tmp)


def _fake_task(task, status="ok"):
    name = task.notebook.name
    html = f"<html><body><header>{_html.NAV_START}{_html.NAV_END}</header><h2>{name}</h2></body>"
    (task.build_dir / f"{name}.html").write_text(html, encoding="utf-8")
    nbformat.write(nbformat.v4.new_notebook(), task.build_dir / f"{name}.ipynb")
    if name == "fixture_report":
        (task.build_dir / "written_by_fixture.csv").write_text("a\n1\n", encoding="utf-8")
    failed = status != "ok" and name == "broken_report"
    return report.NotebookResult(
        brand=task.brand,
        notebook=name,
        title=name,
        status="failed" if failed else "ok",
        parameters=dict(task.parameters),
        results={"run": name},
        error="ValueError: planted" if failed else None,
        section="Planted section" if failed else None,
    )


def test_rerunning_one_notebook_keeps_the_months_other_pages(tmp_path, monkeypatch):
    ws = _workspace(tmp_path)
    monkeypatch.setattr(report.run, "_run_task", _fake_task)
    kw = {"notebooks_dir": FIXTURE_NOTEBOOKS, "reports_dir": tmp_path / "r", "echo": print}
    report.run_report(ws, "2026-10", **kw)
    month = tmp_path / "r" / "demo" / "2026-10"
    first = json.loads((month / "summary.json").read_text(encoding="utf-8"))
    (month / "demo-2026-10.pdf").write_bytes(b"%PDF printed from the old pages")
    report.run_report(ws, "2026-10", only=["broken_report"], **kw)
    after = json.loads((month / "summary.json").read_text(encoding="utf-8"))
    assert [k for k in after if k != "_run"] == ["fixture_report", "broken_report"]
    assert after["fixture_report"] == first["fixture_report"]
    for name in ("fixture_report.html", "fixture_report.ipynb", "written_by_fixture.csv"):
        assert (month / name).is_file(), name
    assert not (month / "demo-2026-10.pdf").exists()  # a stale PDF is not kept
    index = (month / "index.html").read_text(encoding="utf-8")
    assert 'href="fixture_report.html"' in index and 'href="broken_report.html"' in index
    page = (month / "fixture_report.html").read_text(encoding="utf-8")
    assert 'href="broken_report.html"' in page  # the kept page links to the others


def test_quiet_prints_each_failure_once_and_the_final_path(tmp_path, monkeypatch):
    ws = _workspace(tmp_path)
    monkeypatch.setattr(report.run, "_run_task", lambda t: _fake_task(t, "failed"))
    lines: list[str] = []
    code = report.report_command(
        workspace=ws,
        month="2026-10",
        notebooks_dir=FIXTURE_NOTEBOOKS,
        reports_dir=tmp_path / "r",
        quiet=True,
        echo=lines.append,
    )
    assert code == 1
    assert sum("demo/broken_report" in line for line in lines) == 1, lines
    assert lines[-1].endswith(str(Path("demo") / "2026-10" / "index.html"))
    assert not any("notebooks ok" in line for line in lines)  # no chatter when quiet


def test_pdf_without_a_chromium_is_a_clear_error_before_anything_runs(tmp_path, monkeypatch):
    monkeypatch.delenv("SOCIALNB_CHROMIUM", raising=False)
    monkeypatch.setattr(report.pdf.shutil, "which", lambda _name: None)
    ran = []
    monkeypatch.setattr(report, "run_report", lambda *a, **k: ran.append(1))
    lines: list[str] = []
    code = report.report_command(workspace=tmp_path, pdf=True, echo=lines.append)
    assert code == 2 and not ran
    assert "--pdf needs a headless Chromium" in lines[0] and "What to do:" in lines[0]


def test_make_lab_passes_its_arguments_and_allows_root():
    out = subprocess.run(
        ["make", "-n", "lab", "ARGS=--port 8899 --no-browser"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lab = [line for line in out.splitlines() if "jupyter lab" in line]
    assert lab and "--port 8899 --no-browser" in lab[0]
    assert ("--allow-root" in lab[0]) == (os.getuid() == 0)


def _github_slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_explore_notebook_links_point_to_readme_sections_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    anchors = {_github_slug(h) for h in re.findall(r"^#+ (.+)$", readme, re.M)}
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    links = re.findall(r"\]\(\.\./README\.md#([^)]+)\)", text)
    assert links, "explore.ipynb should link the README section it names"
    assert set(links) <= anchors
    assert "metrics section" not in text  # the section it used to name does not exist


def test_a_brand_without_followers_or_exposure_says_what_is_not_charted(tmp_path):
    posts = _posts([["tiktok", "2026-10-03", NAN, NAN, 8, 1, 1, NAN, NAN, NAN, NAN]])

    class Workspace:
        def posts(self, _brand, tags=True):
            return posts

        def account_daily(self, _brand):
            return None

    story = report.index._month_story(Workspace(), "b", "2026-10", {"_run": {}}, tmp_path)
    assert story["numbers"]["totals"][0]["value"] == "1"
    assert story["charts"] == []
    assert any("followers" in p for p in story["problems"])
    html = _html.render_page(
        "month_index.html.j2",
        brand="b",
        brand_name="B",
        month="2026-10",
        month_end="2026-11-01",
        notebooks=[],
        failed=[],
        freshness=[],
        run={
            "start": "",
            "duration_s": 0.0,
            "versions": {"socialnb": "", "papermill": "", "pandas": ""},
        },  # fmt: skip
        story=story,
        nav="",
    )
    assert "Not charted: no followers" in html and not re.search(r"\bnan\b", html, re.I)
