"""Readability of the report pages: method names folded under "How this is computed" on every
page, takeaways that link to their sections, long retro tables collapsed behind a summary."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from socialnb import plots, report
from socialnb import retro as R

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "fernway"
NOTEBOOKS = ROOT / "notebooks"
REPORT_NOTEBOOKS = [nb.path for nb in report.discover_notebooks(NOTEBOOKS)]
#: Method names that belong in the "How this is computed" blocks, not in the pages' prose.
JARGON = re.compile(r"\b(NB2|GLM|Brunner-Munzel|Benjamini-Hochberg|Mann-Whitney|IRLS)\b")


def _markdown_text(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_report_page_folds_its_methods_under_how_this_is_computed(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "plots.how_computed(" in code
    assert not JARGON.findall(_markdown_text(path)), "method names belong in plots.how_computed"


def test_how_computed_is_a_closed_block_of_escaped_paragraphs():
    html = plots.how_computed("Uses **NB2** <script>x</script>", "", "Second *part*.").data
    assert html.startswith('<details class="snb-how"><summary>How this is computed</summary>')
    assert "<strong>NB2</strong>" in html and "<em>part</em>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<p>") == 2


def test_section_anchors_are_stable_slugs():
    assert plots.anchor("Planned vs shipped") == "planned-vs-shipped"
    assert plots.anchor("KPIs vs target and baseline") == "kpis-vs-target-and-baseline"
    assert R.Takeaway("x", "Follower growth").anchor == "follower-growth"


def test_every_retro_takeaway_section_has_its_anchor_in_the_notebook():
    source = (NOTEBOOKS / "retro.ipynb").read_text(encoding="utf-8")
    for table in R.TAKEAWAY_SECTIONS:
        assert f'<a id=\\"{plots.anchor(table)}\\"></a>' in source, table
    with pytest.raises(ValueError, match="TAKEAWAY_SECTIONS"):
        R.Takeaway("x", "A section the notebook does not have")


class _Page(HTMLParser):
    """Counts the tables outside any <details>, and collects ids and in-page links."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.open_tables = 0
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.how = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and (a.get("href") or "").startswith("#"):
            self.links.append(a["href"][1:])
        if tag == "details":
            self.depth += 1
            self.how += "snb-how" in (a.get("class") or "")
        elif tag == "table" and not self.depth:
            self.open_tables += 1

    def handle_endtag(self, tag):
        if tag == "details":
            self.depth -= 1


@pytest.mark.slow
def test_the_rendered_retro_shows_few_open_tables_and_its_takeaways_link_to_sections(
    tmp_path,
):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    shutil.copy(NOTEBOOKS / "retro.ipynb", nbs / "retro.ipynb")
    shutil.copytree(SAMPLE, tmp_path / "data" / "fernway", ignore=shutil.ignore_patterns("*.duckdb*"))  # fmt: skip
    result = report.run_report(
        tmp_path / "data",
        "2026-10",
        notebooks_dir=nbs,
        reports_dir=tmp_path / "reports",
        jobs=1,
        echo=lambda _m: None,
    )
    assert result.to_frame()["status"].eq("ok").all(), result.to_frame()
    page = _Page()
    page.feed((tmp_path / "reports" / "fernway" / "2026-10" / "retro.html").read_text())
    # KPIs, top posts, series verdicts, follower growth: every other table is behind a summary
    assert page.open_tables <= 5
    assert page.how >= 4
    assert len(page.links) >= 4 and set(page.links) <= page.ids
