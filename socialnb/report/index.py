"""The index pages: each month's ``index.html`` (the month in numbers, takeaways, delivery, the
plan, every page's status and freshness) and ``reports/index.html`` (every brand and month)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import nbformat
import pandas as pd

from .. import _html, periods
from ..errors import SocialnbError
from .pages import _scrub_value
from .results import SUMMARY_RUN_KEY as _SUMMARY_RUN_KEY

__all__ = ["write_top_index"]


#: What reading a brand's posts from the warehouse can raise (a missing or locked warehouse, a
#: brand.yaml gone wrong since the run began): the index then says the numbers are missing.
_WAREHOUSE_ERRORS = (SocialnbError, duckdb.Error, OSError)


def _freshness(posts: pd.DataFrame | None, month: str, tz: str) -> list[dict[str, Any]]:
    """Newest export time per platform, and whether it predates the month's end."""
    if posts is None or len(posts) == 0 or "exported_at" not in posts:
        return []
    end = periods.month_end_utc(month, tz).tz_localize("UTC")
    latest = pd.to_datetime(posts["exported_at"], utc=True).groupby(posts["platform"]).max()
    return [
        {
            "platform": str(platform),
            "latest": None if pd.isna(ts) else ts.strftime("%Y-%m-%d %H:%M UTC"),
            "stale": bool(pd.isna(ts) or ts < end),
        }
        for platform, ts in latest.sort_index().items()
    ]


def _brand_facts(ws: Any, brand: str, month: str, tz: str) -> dict[str, Any]:
    """What the index says from the warehouse alone, read once: each platform's freshness and the
    story's numbers, charts and top post (``story``, see :func:`_warehouse_story`).

    Independent of the pages, so a run computes it while the brand's notebooks still run.
    """
    try:
        posts = ws.posts(brand, tags=False) if ws is not None else None  # no tag is shown
        daily = ws.account_daily(brand) if ws is not None else None
    except _WAREHOUSE_ERRORS as exc:  # the pages say more; the index says they are missing
        problem = f"the warehouse could not be read ({type(exc).__name__})"
        return {"freshness": [], "story": _warehouse_story(None, None, month, problem)}
    return {
        "freshness": _freshness(posts, month, tz),
        "story": _warehouse_story(posts, daily, month),
    }


def _package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in ("socialnb", "papermill", "nbconvert", "pandas", "duckdb", "statsmodels"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _pages(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(file name, title)`` of the month's pages: the index first, then each notebook's."""
    return [("index.html", "Summary")] + [
        (f"{name}.html", str(entry.get("title") or name))
        for name, entry in summary.items()
        if name != _SUMMARY_RUN_KEY
    ]


def _link_pages(build_dir: Path, summary: Mapping[str, Any]) -> None:
    """Write the bar of links to the month's other pages into every notebook page."""
    pages = _pages(summary)
    for href, _title in pages[1:]:
        path = build_dir / href
        if path.is_file():
            html = path.read_text(encoding="utf-8")
            path.write_text(_html.set_nav(html, _html.nav_bar(pages, href)), encoding="utf-8")


_TAKEAWAY_LINE = re.compile(r"^\s*[-*]\s+(?P<text>.+?)\s+\*\(table:\s*(?P<table>[^)]+)\)\*\s*$")


def _takeaways(summary: Mapping[str, Any], build_dir: Path) -> list[dict[str, Any]]:
    """The takeaways of every page, each with the link to its section.

    A page records them as ``takeaways`` (a list of ``{"text", "table"}`` or of text); a page
    that shows them as a markdown list whose items end in ``*(table: NAME)*`` (the retro's
    executive summary) is read from its executed notebook. The link goes to the page's first
    heading that begins with the table's name; a takeaway whose section is not found links to
    its page.
    """
    found: list[tuple[str, str, str | None]] = []
    for name, entry in summary.items():
        if name == _SUMMARY_RUN_KEY or entry.get("status") != "ok":
            continue
        recorded = (entry.get("results") or {}).get("takeaways")
        if isinstance(recorded, list):
            for item in recorded:
                if isinstance(item, dict) and item.get("text"):
                    found.append((name, str(item["text"]), item.get("table")))
                elif isinstance(item, str):
                    found.append((name, item, None))
            continue
        path = build_dir / f"{name}.ipynb"
        if not path.is_file():
            continue
        try:
            cells = nbformat.read(path, as_version=4).cells
        except (OSError, ValueError, nbformat.ValidationError):  # its page says what went wrong
            continue
        for cell in cells:
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                text = out.get("data", {}).get("text/markdown", "")
                for line in str(text).splitlines():
                    m = _TAKEAWAY_LINE.match(line)
                    if m:
                        found.append((name, m.group("text"), m.group("table").strip()))
    out = []
    for name, text, table in found:
        page = build_dir / f"{name}.html"
        headings = _html.heading_ids(page.read_text(encoding="utf-8")) if page.is_file() else []
        anchor = None
        if table:
            wanted = str(table).strip().lower()
            anchor = next((i for i, t in headings if t.lower().startswith(wanted)), None)
        href = f"{name}.html" + (f"#{anchor}" if anchor else "")
        out.append({"text": text, "table": table, "href": href})
    return out


def _delivery(summary: Mapping[str, Any]) -> dict[str, Any] | None:
    """Planned, shipped and published posts from a page's records (the retro's), in words."""
    for name, entry in summary.items():
        results = entry.get("results") if name != _SUMMARY_RUN_KEY else None
        if not results or "published_posts" not in results:
            continue
        planned, rate = results.get("planned_posts"), results.get("delivery_rate")
        shipped = None
        if isinstance(planned, int) and isinstance(rate, (int, float)):
            shipped = round(rate * planned)  # delivery rate = shipped / planned
        return {
            "page": f"{name}.html",
            "planned": planned,
            "shipped": shipped,
            "rate": rate,
            "published": results.get("published_posts"),
        }
    return None


def _readable_results(results: Mapping[str, Any]) -> dict[str, Any]:
    """A page's records for the index: named in words; planned/published/delivery rate read as
    "57 of 62 planned posts shipped" (published counts planned and unplanned posts alike)."""
    out: dict[str, Any] = {}
    results = dict(results)
    planned, rate = results.get("planned_posts"), results.get("delivery_rate")
    if isinstance(planned, int) and isinstance(rate, (int, float)):
        results.pop("planned_posts")
        results.pop("delivery_rate")
        shipped = round(rate * planned)
        out[_html.record_label("shipped_of_planned")] = (
            f"{shipped} of {planned} ({_html.format_scalar(rate, 'percent')})"
        )
    for key, value in results.items():
        out[_html.record_label(key)] = value
    return out


def _plan(summary: Mapping[str, Any]) -> dict[str, Any] | None:
    """Next month's plan from the page that records ``plan_posts`` (the ideation page)."""
    for name, entry in summary.items():
        results = entry.get("results") if name != _SUMMARY_RUN_KEY else None
        if not results or not isinstance(results.get("plan_posts"), list):
            continue
        posts = []
        for p in results["plan_posts"]:
            if not isinstance(p, dict):
                continue
            day = pd.to_datetime(p.get("date"), errors="coerce")
            posts.append(
                {
                    "date": "date open" if pd.isna(day) else f"{day:%a %d %b}",
                    "platform": str(p.get("platform") or ""),
                    "title": str(p.get("title") or p.get("id") or ""),
                    "hours": p.get("effort_hours"),
                    "why": str(p.get("planned_because") or ""),
                }
            )
        hours = pd.to_numeric(pd.Series([p["hours"] for p in posts], dtype=object))
        return {
            "page": f"{name}.html",
            "posts": posts,
            "hours": float(hours.sum(min_count=1)) if len(posts) else None,
            "open_slots": results.get("plan_open_slots"),
        }
    return None


def _month_story(
    ws: Any,
    brand: str,
    month: str,
    summary: Mapping[str, Any],
    build_dir: Path,
    facts: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What the index tells a leader: the month in numbers with its changes, 12-month trends,
    takeaways, top posts, delivery and next month's plan. A part that cannot be computed is
    left out with the reason (``problems``), never shown as zero. ``facts``: the brand's
    :func:`_brand_facts` when already read."""
    facts = facts if facts is not None else _brand_facts(ws, brand, month, "UTC")
    return {
        "takeaways": _takeaways(summary, build_dir),
        "delivery": _delivery(summary),
        "plan": _plan(summary),
    } | facts["story"]


def _warehouse_story(
    posts: pd.DataFrame | None, daily: Any, month: str, problem: str | None = None
) -> dict[str, Any]:
    """The story's parts read from the warehouse: the month in numbers, the charts, the top post
    (``problems`` says why a part is missing)."""
    from .. import overview

    story: dict[str, Any] = {
        "numbers": None,
        "charts": [],
        "views_change": [],
        "top": [],
        "problems": [problem] if problem else [],
        "rates_shown": [],  # the rates the month in numbers shows, recorded in summary.json
    }
    if problem:
        return story
    if posts is None or not len(posts):
        story["problems"].append("no posts in the warehouse for this brand")
        return story
    try:
        _story_numbers(story, overview.month_in_numbers(posts, daily, month), posts, daily, month)
    except Exception as exc:  # noqa: BLE001 - the index is a page too: a fault in an analysis is said on it
        story["problems"].append(f"computing them failed ({type(exc).__name__}: {exc})")
    return story


def _story_numbers(
    story: dict[str, Any], numbers: Any, posts: pd.DataFrame, daily: Any, month: str
) -> None:
    from .. import metrics as M
    from .. import overview

    story["numbers"] = _numbers_view(numbers)
    story["rates_shown"] = numbers.rates_shown()
    trend = overview.month_trend(posts, daily, month)
    first = pd.Timestamp(periods.month_start(trend["month"].min())) - pd.Timedelta(days=1)
    last = pd.Timestamp(periods.month_start(periods.next_month(month))) - pd.Timedelta(days=1)
    marks = M.views_change_within(first, last, sorted(posts["platform"].dropna().unique()))
    for measure, title in (
        ("followers", "Followers at each month's end"),
        ("engagement_rate", "Engagement rate (engagements ÷ the platform's exposure)"),
        ("exposure", "Exposure (reach, impressions or views, by platform)"),
    ):
        fig = overview.trend_figure(trend, measure, title)
        if fig is None:
            story["problems"].append(f"no {measure.replace('_', ' ')} in the last 12 months")
            continue
        story["charts"].append({"measure": measure, "title": title, "src": _html.png_data_uri(fig)})
    story["views_change"] = [
        f"{p.capitalize()} switched from impressions and plays to Views on {d:%d %B %Y}: "
        "numbers before and after that line are not comparable."
        for p, d in marks.items()
    ]
    top = overview.top_posts(posts, month, n=1)
    story["top"] = [
        {
            "platform": r["platform"],
            "published": r["published"],
            "caption": r["caption"] or "(no caption)",
            "permalink": r["permalink"] if str(r["permalink"]).startswith("http") else "",
            "engagements": _html.format_scalar(r["engagements"]),
            "rate": _html.format_scalar(r["engagement_rate"], "percent"),
            "rank_by": r["rank_by"],
        }
        for r in top.to_dict("records")
    ]


def _numbers_view(numbers: Any) -> dict[str, Any]:
    """The month in numbers as the index template shows them (formatted, with changes)."""
    from .. import overview

    prev = pd.Period(numbers.previous_month, "M").strftime("%b %Y")
    ago = pd.Period(numbers.year_ago_month, "M").strftime("%b %Y")
    kind = {"engagement_rate": "percent"}

    def change(x: float) -> str:
        if x != x:
            return "n/a"
        from ..plots import format_percent

        return ("+" if x > 0 else "") + format_percent(x, 2)

    table = numbers.table
    total = table[table["platform"] == overview.ALL_PLATFORMS]
    totals = [
        {
            "measure": _html.record_label(r["measure"]).replace("_", " "),
            "key": r["measure"],
            "value": _html.format_scalar(r["value"], kind.get(r["measure"])),
            "previous": _html.format_scalar(r["previous"], kind.get(r["measure"])),
            "vs_previous": change(r["vs_previous"]),
            "year_ago": _html.format_scalar(r["year_ago"], kind.get(r["measure"])),
            "vs_year_ago": change(r["vs_year_ago"]),
            "trend": "up" if r["vs_previous"] > 0 else "down" if r["vs_previous"] < 0 else "",
        }
        for r in total.to_dict("records")
    ]
    platforms = []
    for platform, rows in table[table["platform"] != overview.ALL_PLATFORMS].groupby(
        "platform", sort=False
    ):
        cells = [
            {
                "value": _html.format_scalar(r["value"], kind.get(r["measure"])),
                "vs_previous": change(r["vs_previous"]),
            }
            for r in rows.to_dict("records")
        ]
        platforms.append({"platform": platform, "cells": cells})
    return {
        "month": pd.Period(numbers.month, "M").strftime("%B %Y"),
        "previous": prev,
        "year_ago": ago,
        "totals": totals,
        "measures": [_html.record_label(m).replace("_", " ") for m in numbers.definitions],
        "platforms": platforms,
        "rate_definition": numbers.definitions["engagement_rate"],
        "definitions": [
            (_html.record_label(m).replace("_", " "), text)
            for m, text in numbers.definitions.items()
        ],
    }


def _write_month_index(
    build_dir: Path,
    *,
    brand: str,
    brand_name: str,
    month: str,
    summary: dict[str, Any],
    tz: str,
    paths: Iterable[tuple[str, str]] = (),
    story: Mapping[str, Any] | None = None,
) -> None:
    run = summary[_SUMMARY_RUN_KEY]
    notebooks = []
    for name, entry in summary.items():
        if name == _SUMMARY_RUN_KEY:
            continue
        notebooks.append(
            {
                "name": name,
                "title": entry.get("title", name),
                "href": f"{name}.html",
                "status": entry["status"],
                "error": entry.get("error"),
                "cell": entry.get("cell"),
                "section": entry.get("section"),
                "parameters": entry.get("parameters", {}),
                # a recorded value may name a file: pages show no path of the machine
                "results": _readable_results(_scrub_value(entry.get("results", {}), paths)),
            }
        )
    failed = [n["name"] for n in notebooks if n["status"] != "ok"]
    month_end = periods.month_start(periods.next_month(month)).strftime("%Y-%m-%d")
    html = _html.render_page(
        "month_index.html.j2",
        brand=brand,
        brand_name=brand_name,
        month=month,
        month_end=f"{month_end} 00:00 {tz}",
        notebooks=notebooks,
        failed=failed,
        freshness=run.get("freshness", []),
        run=run,
        # the charts are embedded PNG: base64 is never a path of the machine
        story=_scrub_value({k: v for k, v in (story or {}).items() if k != "charts"}, paths)
        | {"charts": (story or {}).get("charts", [])},
        nav=_html.nav_bar(_pages(summary), "index.html"),
    )
    (build_dir / "index.html").write_text(html, encoding="utf-8")


def write_top_index(reports_dir: str | Path) -> Path:
    """(Re)write ``reports/index.html`` listing every brand and month that has a report."""
    reports_dir = Path(reports_dir)
    brands = []
    for brand_dir in sorted(p for p in reports_dir.iterdir() if p.is_dir()):
        months = []
        name = brand_dir.name
        for month_dir in sorted(brand_dir.iterdir(), reverse=True):
            summary_path = month_dir / "summary.json"
            if month_dir.name.startswith(".") or not summary_path.is_file():
                continue
            try:
                summary = json.loads(summary_path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            run = summary.get(_SUMMARY_RUN_KEY, {})
            name = run.get("brand_name", name)
            failed = [
                k for k, v in summary.items() if k != _SUMMARY_RUN_KEY and v.get("status") != "ok"
            ]
            months.append(
                {
                    "month": month_dir.name,
                    "href": f"{brand_dir.name}/{month_dir.name}/index.html",
                    "status": "failed" if failed else "ok",
                    "failed": failed,
                }
            )
        if months:
            brands.append({"slug": brand_dir.name, "name": name, "months": months})
    html = _html.render_page(
        "top_index.html.j2",
        brands=brands,
        updated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    path = reports_dir / "index.html"
    tmp = reports_dir / f".index-{os.getpid()}.html"
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path
