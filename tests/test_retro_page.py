"""The rendered retro page for a brand with X alone and no plan files (DeBruine's analytics
exports): a section with nothing to show is its heading and one line (issue 14)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from socialnb.report import run_report

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def _sections(html: str) -> dict[str, str]:
    """Heading text -> the page's HTML up to the next heading (h2 or h3)."""
    body = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    heads = list(re.finditer(r"<h([23])[^>]*>(.*?)</h\1>", body, flags=re.S))
    out = {}
    for head, after in zip(heads, [*heads[1:], None], strict=True):
        title = re.sub(r"<[^>]+>|¶", "", head.group(2)).strip()
        out[title] = body[head.end() : after.start() if after else len(body)]
    return out


def _visible_lines(part: str) -> list[str]:
    """The paragraphs and list items a reader sees (not folded behind a <details>)."""
    part = re.sub(r"<details\b.*?</details>", "", part, flags=re.S)
    items = re.findall(r"<(?:p|li)\b[^>]*>(.*?)</(?:p|li)>", part, flags=re.S)
    return [t for t in (re.sub(r"<[^>]+>", "", i).strip() for i in items) if t]


@pytest.fixture(scope="module")
def x_only_retro(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("x-only") / "ws"
    raw = root / "brand" / "raw"
    raw.mkdir(parents=True)
    folder = DATASETS / "twitter_analytics_debruine"
    for f in [*folder.glob("tweet_level/*.csv"), *folder.glob("daily/*.csv")]:
        shutil.copy(f, raw / f.name)
    (root / "brand" / "brand.yaml").write_text("name: A brand\ntimezone: Europe/London\n")
    reports = root.parent / "reports"
    result = run_report(root, "2021-10", reports_dir=reports, only=["retro"], echo=lambda _: None)
    assert result.ok, [str(f.error) for f in result.failures]
    return _sections((reports / "brand" / "2021-10" / "retro.html").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_sections_with_nothing_to_show_for_an_x_only_brand_are_one_line(x_only_retro):
    for title in ("Planned vs shipped", "KPIs vs target and baseline",
                  "Series health: keep, scale or sunset", "Awareness"):  # fmt: skip
        lines = _visible_lines(x_only_retro[title])
        assert len(lines) == 1, (title, lines)
        assert "<table" not in x_only_retro[title] and "<img" not in x_only_retro[title]


@pytest.mark.slow
def test_follows_without_follower_counts_are_folded_behind_one_line(x_only_retro):
    part = x_only_retro["Follower growth"]
    assert _visible_lines(part) == []
    assert "no follower counts" in part and "<details" in part
