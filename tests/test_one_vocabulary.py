"""One vocabulary (issue 13) and charts a person can read (issue 14), checked on the report.

The monthly report runs once for the sample brand (2026-10) and once for a real X-only brand
(DeBruine's exports, built as ``tests/test_any_brand.py`` builds it), with the report's own
notebooks plus one cell that checks every figure they show (:func:`socialnb.plots.watch_layout`).
Then:

- every engagement rate a page records (``rates_shown``) for one (month, platform, format,
  pillar, series, metric, aggregation, scope) is the same number on every page that shows it,
  at least two pages show one, and each value is :func:`socialnb.metrics.aggregate` on the raw
  posts;
- the retro and the ideation model see the calendar matches ``Workspace.posts`` gives;
- no chart has text over text or a legend over data.

The index records the rates it shows as the pages do, in ``summary.json`` under
``_run.rates_shown`` (the run's entry, where the index's own facts live).
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from test_any_brand import CASES  # the X-only brand, as the any-brand tests build it

from socialnb import Workspace, ideation, overview, periods, plots, retro
from socialnb import metrics as M
from socialnb.report import run_report
from socialnb.report.results import SUMMARY_RUN_KEY

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
GROUPS = ("platform", "format", "pillar", "series")
KEY = ("month", *GROUPS, "metric", "aggregation", "scope")


@dataclass(frozen=True)
class Report:
    name: str
    workspace: Path
    brand: str
    month: str
    out: Path
    ok: bool
    failures: dict

    @property
    def summary(self) -> dict:
        return json.loads((self.out / "summary.json").read_text(encoding="utf-8"))


def _watched_notebooks(folder: Path) -> Path:
    """The report's notebooks with one cell after the parameters: check every figure shown."""
    folder.mkdir()
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
        cell = nbformat.v4.new_code_cell("from socialnb import plots\n\nplots.watch_layout()")
        cell.id = "watch-layout"
        nb.cells.insert(at + 1, cell)
        nbformat.write(nb, folder / path.name)
    return folder


@pytest.fixture(scope="module", params=["sample", "x_only"])
def report(request, tmp_path_factory) -> Report:
    root = tmp_path_factory.mktemp(f"vocabulary-{request.param}")
    if request.param == "sample":
        ws, brand, month = request.getfixturevalue("sample_workspace"), "fernway", "2026-10"
    else:
        case = next(c for c in CASES if c.name == "x_only")
        ws, brand, month = root / "ws", "brand", case.month
        case.build(ws / brand)
        (ws / brand / "brand.yaml").write_text(
            f"name: A brand\ntimezone: {case.timezone}\n", encoding="utf-8"
        )
    result = run_report(
        ws,
        month,
        brands=[brand],
        notebooks_dir=_watched_notebooks(root / "notebooks"),
        reports_dir=root / "reports",
        jobs=2,
        echo=lambda _: None,
    )
    failures = {r.notebook: r.error for r in result.failures}
    return Report(request.param, Path(ws), brand, month, root / "reports" / brand / month,
                  result.ok, failures)  # fmt: skip


# ================================================================ the rates every page shows
def _rates_by_page(report: Report) -> dict[str, list[dict]]:
    summary = report.summary
    pages = {
        page: entry["results"]["rates_shown"]
        for page, entry in summary.items()
        if isinstance(entry, dict) and (entry.get("results") or {}).get("rates_shown")
    }
    pages["index"] = summary[SUMMARY_RUN_KEY]["rates_shown"]  # the index's month in numbers
    assert pages["index"], "the index records no rate"
    return pages


def _key(row: dict) -> tuple:
    return tuple(row.get(k) for k in KEY)


@pytest.mark.slow
def test_the_report_runs_with_every_chart_watched(report):
    assert report.ok, report.failures


@pytest.mark.slow
def test_a_rate_shown_on_several_pages_is_the_same_number_on_each(report):
    seen: dict[tuple, dict[str, float | None]] = {}
    for page, rows in _rates_by_page(report).items():
        for row in rows:
            values = seen.setdefault(_key(row), {})
            assert page not in values or values[page] == row["value"], (page, row)
            values[page] = row["value"]
    shared = {k: v for k, v in seen.items() if len(v) >= 2}
    assert shared, f"no rate is shown on two pages: {sorted({p for v in seen.values() for p in v})}"
    for key, values in shared.items():
        numbers = [v for v in values.values() if v is not None]
        assert len(numbers) in (0, len(values)), (key, values)  # missing on one page only
        assert all(math.isclose(v, numbers[0], rel_tol=1e-9) for v in numbers), (key, values)


@pytest.mark.slow
def test_every_rate_shown_is_the_metrics_definition_on_the_raw_posts(report):
    ws = Workspace(report.workspace)
    posts = M.with_format(ws.posts(report.brand))
    months = periods.post_months(posts)
    checked = 0
    for page, rows in _rates_by_page(report).items():
        for row in rows:
            if row["month"] == "*":  # several months: compared across pages only
                continue
            if ".." in row["month"]:  # a window of months, e.g. the retro's format table
                first, last = row["month"].split("..")
                mine = posts[months.isin(periods.month_range(first, last))]
            else:
                mine = posts[months == row["month"]]
            for group in GROUPS:
                if row.get(group) is not None:
                    mine = mine[mine[group].astype("string").fillna("(none)") == row[group]]
            res = M.aggregate(mine, row["metric"], scope=row["scope"])
            want = res.value_of(row["aggregation"])
            if row["value"] is None:
                assert math.isnan(want), (page, row, want)
            else:
                assert math.isclose(row["value"], want, rel_tol=1e-9), (page, row, want)
            if "n_posts" in row:
                assert row["n_posts"] == res.n_posts, (page, row, res)
            checked += 1
    assert checked >= 2


# ================================================================ one calendar matcher
@pytest.mark.slow
def test_the_retro_and_the_ideation_model_see_the_calendar_matches_of_workspace_posts(report):
    ws = Workspace(report.workspace)
    posts = ws.posts(report.brand)
    key = ["platform", "post_id"]
    tags = posts[[*key, "pillar", "series"]].astype("string")

    # the retro tags the posts with its own match of the brand's calendar file
    r = retro.build_retro(report.workspace, report.brand, report.month, n_resamples=50)
    seen = retro.tag_posts(M.with_format(posts), r.match)[[*key, "pillar", "series"]]
    both = tags.merge(seen.astype("string"), on=key, suffixes=("", "_retro"), validate="1:1")
    for col in ("pillar", "series"):
        pd.testing.assert_series_equal(
            both[col].fillna("-"), both[f"{col}_retro"].fillna("-"), check_names=False
        )

    # the ideation model is fitted on ideation.post_outcomes(Workspace.posts)
    fitted = ideation.post_outcomes(posts)[[*key, "pillar", "series"]].astype("string")
    both = fitted.merge(tags, on=key, suffixes=("_model", ""), validate="1:1")
    assert len(both) == len(fitted) > 0
    want = both["pillar"].str.lower().fillna("unknown")
    pd.testing.assert_series_equal(both["pillar_model"], want, check_names=False)
    pd.testing.assert_series_equal(
        both["series_model"].fillna("-"), both["series"].fillna("-"), check_names=False
    )

    rows = r.match.rows
    by_title = rows[(rows["method"] == "title and date") & rows["post_id"].notna()]
    if report.name == "sample":  # the matches the warehouse view alone misses reach the model
        assert len(by_title) > 0
        hit = fitted.merge(by_title[["platform", "post_id"]].astype("string"), on=key)
        assert len(hit) > 0 and (hit["pillar"] != "unknown").all()


# ================================================================ charts a person can read
@pytest.mark.slow
def test_no_chart_of_the_report_has_text_over_text_or_a_legend_over_data(report):
    figures, problems = 0, []
    for path in sorted(report.out.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                found = out.get("data", {}).get(plots.LAYOUT_MIMETYPE)
                if found is None:
                    continue
                found = json.loads(found) if isinstance(found, str) else found
                figures += 1
                problems += [f"{path.stem}: {found['title']!r}: {p}" for p in found["problems"]]
    ws = Workspace(report.workspace)  # and the index's trend charts (drawn by the package)
    posts, daily = ws.posts(report.brand), ws.account_daily(report.brand)
    trend = overview.month_trend(posts, daily, report.month)
    for measure in ("followers", "engagement_rate", "exposure"):
        fig = overview.trend_figure(trend, measure)
        if fig is not None:
            figures += 1
            problems += [f"index: {measure}: {p}" for p in plots.layout_problems(fig)]
    assert figures >= 3, f"only {figures} charts were checked"
    assert not problems, "\n".join(problems)


def test_the_watched_notebooks_are_the_report_notebooks_plus_one_cell(tmp_path):
    folder = _watched_notebooks(tmp_path / "nb")
    for path in NOTEBOOKS.glob("*.ipynb"):
        original = nbformat.read(path, as_version=4)
        watched = nbformat.read(folder / path.name, as_version=4)
        assert len(watched.cells) == len(original.cells) + 1
        kept = [c.source for c in watched.cells if c.get("id") != "watch-layout"]
        assert kept == [c.source for c in original.cells]
    shutil.rmtree(folder)
