"""The rendered sample report, opened in a real browser (Debian's headless chromium).

One real ``socialnb report`` run over the committed notebooks for the sample brand ``fernway``
and the hostile fixture brand (the sample with script and markup payloads in every caption,
title, idea and hypothesis: ``tests/fixtures/hostile``). Every page must load with zero requests
to any other host, no console errors, every figure decoded, no horizontal page scroll on a phone,
and no payload executed.
"""

from __future__ import annotations

import shutil
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
