"""The monthly report pipeline: parameters, failures, atomic output, summary.json, safe HTML.

Most tests share one real run (papermill + HTML) over the fixture notebooks in
``tests/fixtures/notebooks``: ``fixture_report`` (records values, draws a figure),
``broken_report`` (fails on purpose) and ``not_a_report`` (not marked as a report; it would fail
if it ran).
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from _fakes import finished_page
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from socialnb import report
from socialnb._record import RECORD_MIMETYPE
from socialnb.errors import ParameterError

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_NOTEBOOKS = ROOT / "tests" / "fixtures" / "notebooks"
HOSTILE = '<img src=x onerror="window.__pwned=1;alert(1)">'
SCRIPT = "<script>window.__pwned=1</script>"


SAMPLE_OCTOBER = ROOT / "data" / "fernway" / "raw" / "2026-10"
#: The sample's Facebook posts of October 2026 (a report needs posts in its month).
FACEBOOK_OCTOBER = "Oct-01-2026_Oct-31-2026_4568704152650398.csv"


def _workspace(tmp: Path) -> Path:
    """Brand ``demo``: a brand.yaml and one month of real-format Facebook posts, ingested."""
    from socialnb import Workspace

    ws = tmp / "data"
    (ws / "demo" / "raw" / "2026-10").mkdir(parents=True)
    (ws / "demo" / "brand.yaml").write_text(
        "name: Demo <b>Outdoor</b>\ntimezone: Europe/London\n", encoding="utf-8"
    )
    shutil.copy(SAMPLE_OCTOBER / FACEBOOK_OCTOBER, ws / "demo" / "raw" / "2026-10")
    assert Workspace(ws).ingest().ok
    return ws


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One real report run over the fixture notebooks (through report_command)."""
    tmp = tmp_path_factory.mktemp("report")
    ws = _workspace(tmp)
    lines: list[str] = []
    code = report.report_command(
        workspace=ws,
        month="2026-10",
        notebooks_dir=FIXTURE_NOTEBOOKS,
        reports_dir=tmp / "reports",
        jobs=2,
        timeout=120,
        params=["fixture_report.n_top=5"],
        progress=False,
        echo=lines.append,
    )
    month_dir = tmp / "reports" / "demo" / "2026-10"
    return {"code": code, "lines": lines, "dir": month_dir, "tmp": tmp, "ws": ws}


# --- parameters -----------------------------------------------------------------------------


def test_only_notebooks_marked_as_reports_are_discovered():
    names = [nb.name for nb in report.discover_notebooks(FIXTURE_NOTEBOOKS)]
    assert names == ["fixture_report", "broken_report"]  # sorted by metadata order


def test_parameters_are_read_from_the_notebooks_parameters_cell():
    nb = report.load_notebook(FIXTURE_NOTEBOOKS / "fixture_report.ipynb")
    assert nb.parameters["alpha"] == ("float", 0.05)
    assert nb.parameters["n_top"] == ("int", 3)
    assert nb.parameters["brand"] == ("str", "demo")


def test_unknown_parameter_is_refused_naming_notebook_and_parameter():
    nb = report.load_notebook(FIXTURE_NOTEBOOKS / "fixture_report.ipynb")
    with pytest.raises(ParameterError, match=r"fixture_report\.ipynb.*'alhpa'"):
        report.validate_parameters(nb, {"alhpa": 0.1})


@pytest.mark.parametrize(
    ("name", "value"),
    [("alpha", "0.1"), ("n_top", 2.5), ("n_top", True), ("brand", 3)],
)
def test_ill_typed_parameter_is_refused(name, value):
    nb = report.load_notebook(FIXTURE_NOTEBOOKS / "fixture_report.ipynb")
    with pytest.raises(ParameterError, match=rf"fixture_report\.ipynb.*'{name}'"):
        report.validate_parameters(nb, {name: value})


def test_int_is_accepted_for_a_float_and_command_line_text_is_converted():
    nb = report.load_notebook(FIXTURE_NOTEBOOKS / "fixture_report.ipynb")
    assert report.validate_parameters(nb, {"alpha": 1}) == {"alpha": 1.0}
    typed = report.validate_parameters(nb, {"alpha": "0.1", "n_top": "7"}, from_text=True)
    assert typed == {"alpha": 0.1, "n_top": 7}
    with pytest.raises(ParameterError, match="'n_top' is declared int"):
        report.validate_parameters(nb, {"n_top": "seven"}, from_text=True)


def test_bad_parameters_stop_the_run_before_anything_runs(tmp_path):
    from socialnb import Workspace

    ws = _workspace(tmp_path)
    new_file = "Oct-01-2026_Oct-31-2026_1635024010755473.csv"  # not ingested yet
    shutil.copy(SAMPLE_OCTOBER / new_file, ws / "demo" / "raw" / "2026-10")
    out = tmp_path / "reports"
    for bad in ({"nope": 1}, {"fixture_report.alpha": "high"}):
        with pytest.raises(ParameterError):
            report.run_report(
                ws,
                "2026-10",
                notebooks_dir=FIXTURE_NOTEBOOKS,
                reports_dir=out,
                parameters=bad,
                parameters_from_text=True,
            )
    assert not out.exists()
    assert len(Workspace(ws).ingest_log()) == 1  # not even the ingest ran


def test_command_returns_2_and_explains_a_bad_month_or_brand(tmp_path):
    ws = _workspace(tmp_path)
    for kwargs, needle in (({"month": "October"}, "YYYY-MM"), ({"brands": ["nope"]}, "nope")):
        lines: list[str] = []
        code = report.report_command(
            workspace=ws,
            notebooks_dir=FIXTURE_NOTEBOOKS,
            reports_dir=tmp_path / "reports",
            echo=lines.append,
            progress=False,
            **kwargs,
        )
        assert code == 2
        assert needle in "\n".join(lines)


def test_last_complete_month_is_the_month_before_today():
    assert report.last_complete_month(dt.date(2026, 11, 26)) == "2026-10"
    assert report.last_complete_month(dt.date(2027, 1, 1)) == "2026-12"


# --- one real run ---------------------------------------------------------------------------


def test_a_failing_notebook_does_not_stop_the_others(run):
    assert run["code"] == 1
    assert (run["dir"] / "fixture_report.html").is_file()
    assert (run["dir"] / "broken_report.html").is_file()
    assert (run["dir"] / "broken_report.ipynb").is_file()
    out = "\n".join(run["lines"])
    assert 'demo/broken_report: section "Planted section" failed' in out
    assert "planted failure for the tests" in out
    assert "not_a_report" not in out
    assert "1/2 notebooks ok" in out


def test_failure_injection_one_plain_failed_page_the_others_ok_and_exit_1(run):
    summary = json.loads((run["dir"] / "summary.json").read_text(encoding="utf-8"))
    assert run["code"] == 1
    assert {k: v["status"] for k, v in summary.items() if k != "_run"} == {
        "fixture_report": "ok",
        "broken_report": "failed",
    }
    failed = (run["dir"] / "broken_report.html").read_text(encoding="utf-8")
    assert "Planted section" in failed and "What to do:" in failed
    assert "Traceback" not in failed and 'class="ansi' not in failed
    ok = (run["dir"] / "fixture_report.html").read_text(encoding="utf-8")
    assert "notice failed" not in ok


def test_summary_json_holds_status_error_parameters_and_results(run):
    summary = json.loads((run["dir"] / "summary.json").read_text(encoding="utf-8"))
    ok = summary["fixture_report"]
    assert ok["status"] == "ok" and ok["error"] is None
    assert ok["parameters"] == {
        "workspace": "data",  # shown relative, never as a path of the machine
        "brand": "demo",
        "month": "2026-10",
        "alpha": 0.05,
        "n_top": 5,
    }
    assert ok["results"]["brand_echo"] == "demo"
    assert ok["results"]["alpha"] == 0.05
    assert ok["results"]["top"] == {"posts": 12, "best formats": ["reel", "carousel"]}
    bad = summary["broken_report"]
    assert bad["status"] == "failed"
    assert bad["error"] == "ValueError: planted failure for the tests: no file planted.csv"
    assert bad["section"] == "Planted section"
    assert bad["results"] == {"before_failure": 1}
    meta = summary["_run"]
    assert meta["month"] == "2026-10" and meta["brand"] == "demo"
    assert meta["duration_s"] > 0
    assert {"papermill", "nbconvert", "pandas", "python"} <= set(meta["versions"])
    assert "latest_export" in meta and "freshness" in meta
    dt.datetime.fromisoformat(meta["start"])


def test_the_index_records_the_rates_it_shows_as_the_pages_do(run):
    from socialnb import _html
    from socialnb import metrics as M

    rows = json.loads((run["dir"] / "summary.json").read_text(encoding="utf-8"))["_run"][
        "rates_shown"
    ]
    assert [r["platform"] for r in rows] == ["facebook"]  # the brand's one platform
    row = rows[0]
    shape = M.shown_rates(
        pd.DataFrame({"platform": ["x"], "metric": ["m"], "scope": ["organic"], "value": [0.1]}),
        month="2026-10",
        aggregation=M.RATE_OF_TOTALS,
        value_column="value",
    )[0]
    assert set(row) == set(shape)
    assert (row["month"], row["metric"], row["aggregation"], row["scope"]) == (
        "2026-10", M.primary_rate("facebook"), M.RATE_OF_TOTALS, "organic",
    )  # fmt: skip
    html = (run["dir"] / "index.html").read_text(encoding="utf-8")
    assert row["value"] > 0 and _html.format_scalar(row["value"], "percent") in html


def test_notebooks_run_on_the_current_interpreter(run):
    summary = json.loads((run["dir"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["fixture_report"]["results"]["kernel_prefix"] == sys.prefix


def test_index_links_every_page_and_marks_the_failed_notebook(run):
    html = (run["dir"] / "index.html").read_text(encoding="utf-8")
    assert 'href="fixture_report.html"' in html
    assert 'href="broken_report.html"' in html
    assert 'class="status failed"' in html
    assert "planted failure for the tests" in html
    assert "Demo &lt;b&gt;Outdoor&lt;/b&gt;" in html  # the brand name is user text, escaped
    top = (run["tmp"] / "reports" / "index.html").read_text(encoding="utf-8")
    assert 'href="demo/2026-10/index.html"' in top


def test_failed_page_names_the_section_says_why_and_what_to_do_without_a_traceback(run):
    html = (run["dir"] / "broken_report.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "The section \u201cPlanted section\u201d failed" in text
    assert "Why: ValueError: planted failure for the tests: no file planted.csv" in text
    assert "What to do: this is a fault in the notebook or in socialnb" in text
    assert "broken_report.ipynb beside this page" in text
    assert "Traceback" not in html and "raise ValueError" not in html
    assert "Never reached" not in html  # the page stops at the failing cell
    assert "This section fails on purpose" in html  # ...but keeps what ran before it
    # the traceback stays in the executed notebook beside the page
    executed = nbformat.read(run["dir"] / "broken_report.ipynb", as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0].traceback


def test_no_page_holds_an_absolute_path_of_the_machine(run):
    roots = {str(run["tmp"]), str(ROOT), str(Path.home()), str(FIXTURE_NOTEBOOKS)}
    pages = list(run["dir"].glob("*.html")) + [run["tmp"] / "reports" / "index.html"]
    assert len(pages) == 4
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for root in roots:
            assert root not in html, (page.name, root)


def test_folders_are_shown_relative_and_other_paths_as_file_names(tmp_path, monkeypatch):
    from socialnb import _html

    monkeypatch.chdir(tmp_path)
    ws, out = tmp_path / "data", tmp_path / "out" / "reports"
    paths = report.pages._report_paths(ws, out, "acme", "2026-10", out / "acme" / ".tmp-2026-10-1")
    shown = report.pages._scrub_value(
        {"workspace": str(ws), "report_dir": str(out / "acme" / ".tmp-2026-10-1")}, paths
    )
    assert shown == {"workspace": "data", "report_dir": "out/reports/acme/2026-10"}
    monkeypatch.chdir(ROOT)  # the folders are outside the current one: from their own name
    paths = report.pages._report_paths(ws, out, "acme", "2026-10")
    assert report.pages._scrub_value([str(ws), str(out / "acme" / "2026-10")], paths) == [
        "data",
        "reports/acme/2026-10",
    ]
    text = "KeyError reading /home/ana/brands/x.csv, see https://x.com/a/b and 1/2 of posts/week"
    assert _html.scrub_paths(text) == (
        "KeyError reading x.csv, see https://x.com/a/b and 1/2 of posts/week"
    )


def test_pages_hide_code_and_record_text_and_embed_figures(run):
    html = (run["dir"] / "fixture_report.html").read_text(encoding="utf-8")
    assert "plots.use_style()" not in html  # no code
    assert "recorded brand_echo" not in html  # record outputs are not shown
    assert "data:image/png;base64," in html
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # no other host
    assert 'name="viewport"' in html


def test_rerun_replaces_the_report_and_keeps_the_previous_one(run, monkeypatch):
    before = (run["dir"] / "summary.json").read_text(encoding="utf-8")
    monkeypatch.setattr(report.run, "_run_task", finished_page)
    result = report.run_report(
        run["ws"],
        "2026-10",
        notebooks_dir=FIXTURE_NOTEBOOKS,
        reports_dir=run["tmp"] / "reports",
        echo=lambda _m: None,
    )
    assert result.ok
    history = list((run["tmp"] / "reports" / "demo" / ".history" / "2026-10").iterdir())
    assert len(history) == 1
    assert (history[0] / "summary.json").read_text(encoding="utf-8") == before
    after = json.loads((run["dir"] / "summary.json").read_text(encoding="utf-8"))
    assert after["broken_report"]["status"] == "ok"
    assert not list((run["tmp"] / "reports" / "demo").glob(".tmp-*"))


def test_a_run_that_dies_midway_leaves_the_previous_report(tmp_path, monkeypatch):
    ws = _workspace(tmp_path)
    out = tmp_path / "reports"
    monkeypatch.setattr(report.run, "_run_task", finished_page)
    report.run_report(ws, "2026-10", notebooks_dir=FIXTURE_NOTEBOOKS, reports_dir=out)
    month_dir = out / "demo" / "2026-10"
    before = {p.name: p.read_bytes() for p in month_dir.iterdir()}

    def die(*_a, **_k):
        raise KeyboardInterrupt  # the machine goes down while the index is being written

    monkeypatch.setattr(report.render, "_write_month_index", die)
    with pytest.raises(KeyboardInterrupt):
        report.run_report(ws, "2026-10", notebooks_dir=FIXTURE_NOTEBOOKS, reports_dir=out)
    assert {p.name: p.read_bytes() for p in month_dir.iterdir()} == before
    assert not (out / "demo" / ".history").exists()


def test_result_frame_has_one_row_per_brand_and_notebook(tmp_path, monkeypatch):
    ws = _workspace(tmp_path)
    monkeypatch.setattr(report.run, "_run_task", finished_page)
    result = report.run_report(
        ws, "2026-10", notebooks_dir=FIXTURE_NOTEBOOKS, reports_dir=tmp_path / "r"
    )
    frame = result.to_frame()
    assert list(frame["notebook"]) == ["fixture_report", "broken_report"]
    assert set(frame["status"]) == {"ok"}
    assert result.index_paths["demo"] == (tmp_path / "r" / "demo" / "2026-10" / "index.html")


# --- escaping -------------------------------------------------------------------------------


def _hostile_notebook() -> nbformat.NotebookNode:
    frame = pd.DataFrame({"caption": [HOSTILE, SCRIPT], "likes": [1, 2]})
    code = new_code_cell("show()")
    code.outputs = [
        new_output("execute_result", data={"text/html": frame.to_html(), "text/plain": "t"}),
        new_output("display_data", data={"text/markdown": f"Top idea: {HOSTILE} {SCRIPT}"}),
        new_output("display_data", data={"text/html": f"<p>{HOSTILE}</p><svg onload=alert(1)>"}),
        new_output("stream", name="stdout", text=f"{SCRIPT}\n"),
        new_output(
            "display_data",
            data={RECORD_MIMETYPE: {"name": "x", "value": 1}, "text/plain": "recorded x"},
        ),
    ]
    return new_notebook(cells=[new_markdown_cell(f"# Hostile\n\n{HOSTILE}"), code])


def test_hostile_user_text_is_shown_as_text_not_markup():
    html = report.render_notebook_html(_hostile_notebook(), title="Hostile", brand=HOSTILE)
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img src=x" not in lowered and '<img src="x"' not in lowered
    assert "<svg" not in lowered
    assert "onerror=" not in re.sub(r"&lt;.*?&gt;", "", lowered)  # only inside escaped text
    assert "&lt;img src=x onerror=" in html or '&lt;img src="x" onerror=' in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "recorded x" not in html
    assert "Content-Security-Policy" in html


def test_summary_values_are_rendered_readably_and_escaped():
    from socialnb import _html

    html = str(
        _html.format_value(
            {"top ideas": [{"title": HOSTILE, "score": 0.51234}], "share": 0.1234, "n": 12345}
        )
    )
    assert "<table>" in html and "<th>title</th>" in html
    assert "&lt;img" in html and "<img" not in html
    assert "0.512" in html and "12,345" in html


def test_index_tables_read_in_reading_order_with_rates_as_percentages():
    from socialnb import _html

    # summary.json comes back with sorted keys: the index restores a reading order
    tests = [
        {
            "ci_high": 1.6124,
            "ci_low": 1.2025,
            "decision": "winner",
            "design": "posts",
            "effect": 1.3925,
            "id": "hook-question",
            "p_value": 3.98e-05,
        }
    ]
    kpis = [
        {"baseline": 0.0557, "name": "Instagram engagement rate", "status": "at risk",
         "target": 0.05, "value": 0.0439},
        {"baseline": 10.545, "name": "Facebook shares per post", "status": "at risk",
         "target": 8.0, "value": 6.0},
    ]  # fmt: skip
    html = str(
        _html.format_value(
            {
                "tests": tests,
                "kpis": kpis,
                "delivery_rate": 0.9194,
                "engagement_rate_by_format": {"instagram reel": 0.076},
                "ranked_ideas": [f"I-{i:03d}" for i in range(30)],
            }
        )
    )
    heads = re.findall(r"<th>([^<]*)</th>", html)
    assert heads[:7] == ["id", "design", "effect", "interval low", "interval high", "p-value",
                         "decision"]  # fmt: skip
    assert heads[7:] == ["name", "value", "target", "baseline", "status"]
    assert "&lt; 0.001" in html and "1.39" in html and "1.20" in html
    assert "4.39%" in html and "5.57%" in html and "91.9%" in html and "7.6%" in html
    assert ">10.5<" in html and ">6<" in html  # counts stay counts ("shares" is not a share)
    assert "<details><summary>and 20 more</summary>" in html


def test_with_code_shows_the_code():
    nb = _hostile_notebook()

    def text(html: str) -> str:
        return re.sub(r"<[^>]+>", "", html)

    assert "show()" in text(report.render_notebook_html(nb, title="t", with_code=True))
    assert "show()" not in text(report.render_notebook_html(nb, title="t"))


# --- scheduling examples --------------------------------------------------------------------


def test_ci_workflow_runs_the_report_on_the_2nd_of_each_month():
    import yaml

    flow = yaml.safe_load((ROOT / "examples" / "github-workflow.yml").read_text(encoding="utf-8"))
    triggers = flow.get("on", flow.get(True))
    assert triggers["schedule"][0]["cron"].split()[2] == "2"
    steps = " ".join(str(s.get("run", "")) for job in flow["jobs"].values() for s in job["steps"])
    assert "socialnb report" in steps


def test_only_the_named_notebooks_run_and_unknown_names_are_refused(tmp_path, monkeypatch):
    ws = _workspace(tmp_path)
    monkeypatch.setattr(report.run, "_run_task", finished_page)
    result = report.run_report(
        ws, "2026-10", notebooks_dir=FIXTURE_NOTEBOOKS, only=["broken_report"], reports_dir=tmp_path
    )
    assert [r.notebook for r in result.notebooks] == ["broken_report"]
    with pytest.raises(ParameterError, match="no report notebook named overveiw"):
        report.run_report(
            ws, "2026-10", notebooks_dir=FIXTURE_NOTEBOOKS, only=["overveiw"], reports_dir=tmp_path
        )


def test_a_cell_over_the_timeout_fails_its_notebook_with_a_clear_message(tmp_path):
    ws = _workspace(tmp_path)
    result = report.run_report(
        ws,
        "2026-10",
        notebooks_dir=FIXTURE_NOTEBOOKS / "slow",
        reports_dir=tmp_path / "reports",
        timeout=2,
        ingest=False,
        echo=lambda _m: None,
    )
    (failed,) = result.failures
    assert failed.notebook == "slow_report"
    assert "longer than the 2 s timeout" in failed.error
    assert failed.cell == 3  # In [3]: parameters, injected parameters, then the slow cell
    assert (tmp_path / "reports" / "demo" / "2026-10" / "slow_report.html").is_file()


def _failed_notebook(ename: str, evalue: str) -> nbformat.NotebookNode:
    ok = new_code_cell("plot()")
    ok.outputs = [new_output("stream", name="stdout", text="read /home/ana/acme/raw/posts.csv\n")]
    bad = new_code_cell("engagement_table()")
    bad.outputs = [
        new_output(
            "error",
            ename=ename,
            evalue=evalue,
            traceback=["Traceback (most recent call last)", '  File "/home/ana/x.py", line 3'],
        )
    ]
    return new_notebook(
        cells=[
            new_markdown_cell("# Overview"),
            new_markdown_cell("## Posts per platform"),
            ok,
            new_markdown_cell("## Engagement by format\n\nHow each format did."),
            bad,
            new_markdown_cell("## Top posts"),
        ]
    )


def test_a_failed_page_names_the_heading_above_the_failing_cell_and_shows_no_traceback():
    nb = _failed_notebook("KeyError", "'format'")
    html = report.render_notebook_html(
        nb, title="Overview", error="KeyError: 'format'", notebook="overview"
    )
    assert "The section \u201cEngagement by format\u201d failed" in html
    assert "Why:</strong> KeyError: 'format'." in html_lib.unescape(html)
    assert "overview.ipynb beside this page" in html
    assert "Traceback" not in html and "/home/ana" not in html
    assert "read posts.csv" in html  # a path in an output is cut to its file name
    assert "Top posts" not in html  # the sections after the failure did not run
    assert report.pages._section_of(nb, 4) == "Engagement by format"
    assert report.pages._section_of(nb, 2) == "Posts per platform"


def test_a_socialnb_error_says_its_own_what_to_do_and_a_bug_points_at_the_executed_notebook():
    why, todo = report.pages._failure_advice(
        "ConfigError: data/acme/ideas.csv, row 3: unknown format 'reels'. What to do: use reel.",
        "ideation",
    )
    assert why == "ConfigError: data/acme/ideas.csv, row 3: unknown format 'reels'"
    assert todo == "use reel."
    why, todo = report.pages._failure_advice("AnalysisError: only 3 posts", "retro")
    assert "fix what the message names" in todo
    why, todo = report.pages._failure_advice("KeyError: 'format'", "overview")
    assert "fault in the notebook or in socialnb" in todo and "overview.ipynb" in todo
    long = report.pages._one_line(
        "KeyError: \"None of [Index(['id',\\n       'p'])] are in\"" + "x" * 400
    )
    assert "\\n" not in long and len(long) == 300
