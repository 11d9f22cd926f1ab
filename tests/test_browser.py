"""The rendered sample report, opened in a real browser (Debian's headless chromium).

One real ``socialnb report`` run over the committed notebooks for the sample brand ``fernway``
and the hostile fixture brand (the sample with script and markup payloads in every caption,
title, idea and hypothesis: ``tests/fixtures/hostile``). Every page must load with zero requests
to any other host, no console errors, every figure decoded, no horizontal page scroll on a phone,
and no payload executed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from socialnb import report

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "fernway"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
MONTH = "2026-10"
BRANDS = ("fernway", "hostile")
NOTEBOOKS = [nb.name for nb in report.discover_notebooks(ROOT / "notebooks")]
PAGES = [("", "index")] + [(b, p) for b in BRANDS for p in ["index", *NOTEBOOKS]]

sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "hostile"))
from hostile import PAYLOADS, make_hostile_brand  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The sample month rendered for both brands (ingest included, --jobs 2).

    The hostile brand shares the sample's post ids, so it gets a workspace of its own (two brands
    never share post ids in real life); both write into the same reports folder.
    """
    root = tmp_path_factory.mktemp("browser")
    shutil.copytree(SAMPLE, root / "data" / "fernway", ignore=shutil.ignore_patterns("*.duckdb*"))
    make_hostile_brand(root / "data" / "fernway", root / "hostile-data")
    results = [
        report.run_report(
            root / workspace,
            MONTH,
            notebooks_dir=ROOT / "notebooks",
            reports_dir=root / "reports",
            jobs=2,
            timeout=600,
            echo=lambda _m: None,
        )
        for workspace in ("data", "hostile-data")
    ]
    return {
        "reports_dir": root / "reports",
        "frame": pd.concat([r.to_frame() for r in results], ignore_index=True),
        "index_paths": results[0].index_paths | results[1].index_paths,
    }


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


def _open(browser, path: Path, *, width: int = 390):
    """Open ``path`` on a phone-sized page, recording requests, console errors and dialogs."""
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    seen = {"requests": [], "blocked": [], "errors": [], "dialogs": []}

    def route(r):
        url = r.request.url
        seen["requests"].append(url)
        if url.startswith("file://"):
            r.continue_()
        else:
            seen["blocked"].append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))

    def dialog(d):
        seen["dialogs"].append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(path.as_uri(), wait_until="load")
    return context, page, seen


def test_the_sample_brand_renders_every_notebook(rendered):
    frame = rendered["frame"]
    fernway = frame[frame["brand"] == "fernway"]
    assert list(fernway["notebook"]) == NOTEBOOKS
    failed = fernway[fernway["status"] != "ok"]
    assert failed.empty, failed[["notebook", "cell", "error"]].to_string()
    for brand in BRANDS:
        assert rendered["index_paths"][brand].is_file()


@pytest.mark.parametrize(("brand", "name"), PAGES, ids=[f"{b or 'top'}-{n}" for b, n in PAGES])
def test_page_is_self_contained_and_runs_nothing(rendered, browser, brand, name):
    path = (
        rendered["reports_dir"] / brand / MONTH / f"{name}.html"
        if brand
        else rendered["reports_dir"] / "index.html"
    )
    assert path.is_file(), path
    context, page, seen = _open(browser, path)
    try:
        assert seen["blocked"] == [], "requests to other hosts"
        assert seen["errors"] == [], "console errors"
        assert seen["dialogs"] == [], "a payload opened a dialog"
        assert page.evaluate("() => window.__pwned === undefined"), "a payload ran"
        broken = page.evaluate(
            "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
            ".map(i => i.src.slice(0, 60))"
        )
        assert broken == [], "figures that did not render"
        if brand and name != "index":
            assert page.evaluate("() => document.images.length") > 0, "a notebook without figures"
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, "the page scrolls sideways on a phone (tables must scroll alone)"
        if brand == "hostile":
            text = page.inner_text("body")
            if name == "index":
                assert PAYLOADS[0] in text and PAYLOADS[1] in text  # the brand's name, as text
        if (brand, name) == ("fernway", "index"):
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report-index.png"), full_page=True)
    finally:
        context.close()


def test_hostile_captions_show_as_text_in_the_overview(rendered, browser):
    path = rendered["reports_dir"] / "hostile" / MONTH / "overview.html"
    context, page, _seen = _open(browser, path, width=1280)
    try:
        text = page.inner_text("body")
        shown = [p for p in PAYLOADS if p[:40] in text]
        assert shown, "the overview's top posts table should show the captions' payloads as text"
        assert page.evaluate("() => document.querySelectorAll('script, iframe, svg').length") == 0
    finally:
        context.close()


# --- layout, the index's story, links, print and PDF (issue 14) ------------------------------

WIDTHS = (1280, 400)
FERNWAY_PAGES = ["index", *NOTEBOOKS]

#: Elements that stick out of the page's width, unless an ancestor scrolls (or clips) them
#: within the page; and wide table frames that do not show they scroll.
_OVERFLOW_JS = """() => {
  const W = document.documentElement.clientWidth;
  const held = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a).overflowX;
      if (s === 'auto' || s === 'scroll' || s === 'hidden') return a.getBoundingClientRect().right <= W + 1;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((r.right > W + 1 || r.left < -1) && !held(el)) wide.push(`${el.tagName}.${el.className} ${Math.round(r.right)}px`);
  }
  const unframed = [...document.querySelectorAll('.table-scroll')]
    .filter(f => f.scrollWidth > f.clientWidth + 1)
    .filter(f => parseFloat(getComputedStyle(f).borderTopWidth) === 0 || getComputedStyle(f).overflowX !== 'auto')
    .map(f => f.textContent.slice(0, 40));
  return {wide: wide.slice(0, 10), unframed: unframed.slice(0, 10)};
}"""


def _month_page(rendered, name: str, brand: str = "fernway") -> Path:
    return rendered["reports_dir"] / brand / MONTH / f"{name}.html"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", FERNWAY_PAGES)
def test_no_element_is_wider_than_the_page_without_a_scroll_of_its_own(
    rendered, browser, name, width
):
    context, page, _seen = _open(browser, _month_page(rendered, name), width=width)
    try:
        found = page.evaluate(_OVERFLOW_JS)
        assert found["wide"] == [], f"elements wider than the page at {width} px"
        assert found["unframed"] == [], "a wide table scrolls without a visible frame"
    finally:
        context.close()


def test_the_index_shows_the_months_totals_and_their_changes(rendered, browser):
    from socialnb import Workspace, overview
    from socialnb._html import format_scalar

    ws = Workspace(rendered["reports_dir"].parent / "data")
    numbers = overview.month_in_numbers(ws.posts("fernway"), ws.account_daily("fernway"), MONTH)
    total = numbers.to_frame().query("platform == 'all platforms'").set_index("measure")
    context, page, _seen = _open(browser, _month_page(rendered, "index"), width=1280)
    try:
        rows = page.evaluate(
            "() => [...document.querySelectorAll('#totals tbody tr')].map(r => "
            "[r.dataset.measure, ...[...r.cells].map(c => c.innerText.trim())])"
        )
        assert [r[0] for r in rows] == list(overview.MEASURES)
        for measure, _label, value, _prev, change, _ago, change_year in rows:
            kind = "percent" if measure == "engagement_rate" else None
            assert value == format_scalar(total.loc[measure, "value"], kind)
            assert change.endswith("%") or change == "n/a"
            assert change_year.endswith("%") or change_year == "n/a"
        assert any(r[4].endswith("%") for r in rows), "no change against last month shown"
        text = page.inner_text("body")
        assert "engagements ÷ exposure" in text  # the rate's definition, in words
        assert re.search(r"\d+ of \d+ planned posts shipped", text)
        assert "kpis" not in text and "posts_by_platform" not in text
        takeaways = page.evaluate(
            "() => [...document.querySelectorAll('#takeaways li a')].map(a => a.getAttribute('href'))"
        )
        assert 3 <= len(takeaways) <= 5 and all("#" in h for h in takeaways), takeaways
        assert page.evaluate("() => document.querySelectorAll('#trends img').length") == 3
        top = page.evaluate("() => [...document.querySelectorAll('#top-posts a')].map(a => a.href)")
        assert top and all(h.startswith("http") for h in top)
        plan = page.evaluate("() => document.querySelectorAll('#plan ul.plan li').length")
        assert plan > 0
        ARTIFACTS.mkdir(exist_ok=True)
        _small_screenshot(page, ARTIFACTS / "latest-index-1280.png")  # after-*.png: committed
    finally:
        context.close()
    context, page, _seen = _open(browser, _month_page(rendered, "retro"), width=1280)
    try:
        _small_screenshot(page, ARTIFACTS / "latest-retro-1280.png")
    finally:
        context.close()


def _small_screenshot(page, path: Path, width: int = 480) -> None:
    """A full-page screenshot, scaled to ``width`` and cut to 32 colours (a small PNG)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")
    image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    image.quantize(colors=32).save(path, optimize=True)


_ID = r"""\bid=["']{}["']"""


def test_every_internal_link_resolves(rendered, browser):
    month_dir = rendered["reports_dir"] / "fernway" / MONTH
    pages = [rendered["reports_dir"] / "index.html"] + [
        month_dir / f"{n}.html" for n in FERNWAY_PAGES
    ]
    broken = []
    for path in pages:
        context, page, _seen = _open(browser, path, width=1280)
        try:
            hrefs = page.evaluate(
                "() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"
            )
        finally:
            context.close()
        for href in hrefs:
            if re.match(r"^(https?:|mailto:)", href):
                continue
            target, _hash, frag = href.partition("#")
            file = (path.parent / target).resolve() if target else path
            if not file.is_file():
                broken.append(f"{path.name}: {href} (no such file)")
            elif frag and not re.search(_ID.format(re.escape(frag)), file.read_text("utf-8")):
                broken.append(f"{path.name}: {href} (no such anchor)")
    assert broken == []
    index = (month_dir / "index.html").read_text(encoding="utf-8")
    for name in NOTEBOOKS:  # every page links to the others
        assert f'href="{name}.html"' in index
        other = (month_dir / f"{name}.html").read_text(encoding="utf-8")
        assert 'href="index.html"' in other
        assert all(f'href="{o}.html"' in other for o in NOTEBOOKS if o != name)


#: The content width of an A4 page with the print stylesheet's margins (186 mm at 96 dpi).
A4_CONTENT_PX = 703


@pytest.mark.parametrize("name", FERNWAY_PAGES)
def test_printed_pages_clip_no_table(rendered, browser, name):
    context, page, _seen = _open(browser, _month_page(rendered, name), width=A4_CONTENT_PX)
    try:
        page.emulate_media(media="print")
        clipped = page.evaluate(
            "() => [...document.querySelectorAll('table')].filter(t => "
            "t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
            ".map(t => t.textContent.slice(0, 40))"
        )
        assert clipped == [], "tables wider than the printed page"
    finally:
        context.close()


def test_the_pdf_has_the_index_first_and_every_page_readable(rendered, tmp_path):
    from pypdf import PdfReader

    month_dir = rendered["reports_dir"] / "fernway" / MONTH
    pdf = report.write_pdf(month_dir, chromium=CHROMIUM)
    assert pdf == month_dir / f"fernway-{MONTH}.pdf"
    reader = PdfReader(pdf)
    texts = [p.extract_text() or "" for p in reader.pages]
    assert "The month in numbers" in texts[0] and "Takeaways" in texts[0]
    assert len(reader.pages) > len(FERNWAY_PAGES)  # each page prints on pages of its own
    assert all(t.strip() for t in texts), "a blank printed page"
    # the index alone, printed as Chromium prints it: the PDF's first pages, page for page
    alone = tmp_path / "index.pdf"
    subprocess.run(
        [CHROMIUM, "--headless", *CHROMIUM_ARGS, "--no-pdf-header-footer",
         f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={alone}",
         (month_dir / "index.html").as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    own = [p.extract_text() for p in PdfReader(alone).pages]
    assert texts[: len(own)] == own
    title = report.discover_notebooks(ROOT / "notebooks")[0].title
    assert title in texts[len(own)], "the first notebook's page starts on a page of its own"
    titles = [report.discover_notebooks(ROOT / "notebooks")[i].title for i in range(len(NOTEBOOKS))]
    firsts = [next(i for i, t in enumerate(texts) if title in t) for title in titles]
    assert firsts == sorted(firsts), "pages out of the index's order"
