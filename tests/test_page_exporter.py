"""Pages are rendered by exporters kept between pages (issue 15: the report's parent spends less
CPU per brand), and a kept exporter, a fresh one and nbconvert's own ``HTMLExporter`` give the
same page, byte for byte but the "rendered" time.

The sample's executed notebooks come from one real run of the sample report (slow); a small
notebook with every kind of output, hostile text included, checks the same promises quickly.
"""

from __future__ import annotations

import base64
import re
import threading
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from socialnb import _html, report

#: The footer's render time, the one part of a page that may differ between two renders.
_RENDERED = re.compile(r"on \d{4}-\d\d-\d\d \d\d:\d\d UTC\.")
#: A 1x1 PNG, as a figure output holds it.
_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a3e0cd7b0000000049454e44ae426082"
    )
).decode("ascii")


def _page(nb: nbformat.NotebookNode, *, with_code: bool = False, name: str = "page") -> str:
    html = report.render_notebook_html(
        nb,
        title=name,
        brand="fernway",
        month="2026-10",
        with_code=with_code,
        notebook=name,
        paths=(("/home/ana/data", "data"),),
    )
    assert _RENDERED.search(html), "the footer's render time moved: update _RENDERED"
    return _RENDERED.sub("on <time>.", html)


@pytest.fixture
def no_idle_exporters(monkeypatch):
    """An empty pool of kept exporters (the next page builds a fresh one), restored after."""
    pool: dict[bool, list] = {False: [], True: []}
    monkeypatch.setattr(_html, "_IDLE_EXPORTERS", pool)
    return pool


def _with_nbconvert_exporter(monkeypatch) -> None:
    """Pages from here on come from nbconvert's own HTMLExporter, configured as ours."""
    from nbconvert import HTMLExporter

    monkeypatch.setattr(_html, "_page_exporter_class", lambda: HTMLExporter)
    monkeypatch.setattr(_html, "_IDLE_EXPORTERS", {False: [], True: []})


def _every_kind_of_output() -> nbformat.NotebookNode:
    """Markdown, HTML tables, markdown output, figures with and without alt text, a stream,
    hostile markup, and JupyterLab's cell classes (which nbconvert's last pass looks for)."""
    table = (
        '<style type="text/css">#T_1 td {color: red}</style><table id="T_1">'
        "<caption>Ideas &amp; <b>scores</b></caption><thead><tr><th>idea</th></tr></thead>"
        "<tbody><tr><td>A&nbsp;&lt;tent&gt; <img src=x onerror=alert(1)></td></tr></tbody>"
        "</table>"
    )
    lab = (
        '<div class="jp-Notebook"><div class="jp-Cell-inputWrapper">in</div>'
        '<div class="jp-OutputArea-output">out</div></div><br><hr/>'
    )

    code = new_code_cell("show()")
    code.outputs = [
        new_output("stream", name="stdout", text="read /home/ana/data/fernway/raw/x.csv\n"),
        new_output("display_data", data={"text/html": table, "text/plain": "table"}),
        new_output("display_data", data={"text/html": lab, "text/plain": "lab"}),
        new_output("display_data", data={"text/markdown": "**2** of 3 <script>x()</script>"}),
        new_output("display_data", data={"image/png": _PNG, "text/plain": "<Figure>"}),
        new_output(
            "display_data",
            data={"image/png": _PNG, "text/plain": "<Figure>"},
            metadata={"image/png": {"alt": "Reach by week"}},
        ),
    ]
    return new_notebook(
        cells=[
            new_markdown_cell("# page\n\n## Delivery\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"),
            new_markdown_cell("<details><summary>More</summary>\n\nSee <svg onload=x()>\n\n"),
            code,
        ],
        metadata={"language_info": {"name": "python"}},
    )


@pytest.mark.parametrize("with_code", [False, True])
def test_a_kept_exporter_fresh_one_and_nbconverts_own_give_the_same_page(
    with_code, no_idle_exporters, monkeypatch
):
    nb = _every_kind_of_output()
    fresh = _page(nb, with_code=with_code)
    assert len(no_idle_exporters[with_code]) == 1  # the fresh exporter is kept...
    kept = no_idle_exporters[with_code][0]
    again = _page(nb, with_code=with_code)
    assert no_idle_exporters[with_code] == [kept]  # ... and renders the next page
    assert again == fresh
    _with_nbconvert_exporter(monkeypatch)
    assert _page(nb, with_code=with_code) == fresh
    # the page holds what the promise is about
    assert fresh.count('tabindex="0"') == 2 and 'alt="Reach by week"' in fresh
    assert 'alt="No description has been provided for this image"' in fresh
    assert "&lt;img src=x onerror=alert(1)&gt;" in fresh and "&lt;script&gt;" in fresh
    assert "/home/ana" not in fresh


def test_a_lab_class_written_with_a_character_reference_gets_what_nbconvert_gives_it(
    no_idle_exporters, monkeypatch
):
    encoded = '<div class="jp-&#78;otebook"><div class="jp-OutputArea-output">x</div></div>'
    code = new_code_cell("show()")
    code.outputs = [new_output("display_data", data={"text/html": encoded})]
    nb = new_notebook(cells=[code])
    ours = _page(nb)
    assert ours.count('tabindex="0"') == 1  # the class is read as nbconvert reads it
    _with_nbconvert_exporter(monkeypatch)
    assert _page(nb) == ours


def test_pages_rendered_by_several_threads_at_once_are_the_pages_of_one_thread(
    no_idle_exporters,
):
    nb = _every_kind_of_output()
    alone = _page(nb)
    start = threading.Barrier(4)
    pages: list[str] = []
    errors: list[BaseException] = []

    def render() -> None:
        try:
            start.wait(timeout=60)
            for _ in range(3):
                pages.append(_page(nb))
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=render) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(pages) == 12 and all(page == alone for page in pages)
    assert 1 <= len(no_idle_exporters[False]) <= 4  # each kept for the next page


@pytest.fixture(scope="module")
def sample_executed(sample_report_month) -> list[Path]:
    """The sample report's executed notebooks (fernway, 2026-10), from one real run."""
    executed = sorted(sample_report_month.glob("*.ipynb"))
    assert len(executed) == 4, executed
    return executed


@pytest.mark.slow
def test_the_sample_pages_are_the_same_from_a_kept_a_fresh_and_nbconverts_exporter(
    sample_executed, no_idle_exporters, monkeypatch
):
    def pages(with_code: bool = False) -> dict[str, str]:
        return {
            p.stem: _page(nbformat.read(p, as_version=4), with_code=with_code, name=p.stem)
            for p in sample_executed
        }

    fresh = pages()
    assert len(no_idle_exporters[False]) == 1
    assert pages() == fresh
    assert pages() == fresh
    assert len(no_idle_exporters[False]) == 1  # one exporter rendered all twelve
    with_code = pages(with_code=True)
    _with_nbconvert_exporter(monkeypatch)
    assert pages() == fresh
    assert pages(with_code=True) == with_code
    assert all("<img" in page and "<table" in page for page in fresh.values())
