"""The restructuring of issue 13 changes no recorded result of the sample report, except the
named bugs it fixed.

``tests/fixtures/summary/fernway-2026-10-before-issue13.json`` holds each page's recorded
results of the sample report (brand fernway, month 2026-10) as they were before the
restructuring. A result may be *added* (for example ``rates_shown``, the rates a page shows with
their definitions); a result that existed may only differ where :data:`CHANGED` names the bug
that changed it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

BEFORE = Path(__file__).parent / "fixtures" / "summary" / "fernway-2026-10-before-issue13.json"

#: (page, result) -> the named bug of issue 13 whose fix changed it.
_ONE_EXPOSURE = (
    "exposure is defined once (metrics.PRIMARY_RATE's denominator): the ideation model no longer "
    "measured 3 Instagram posts without reach by their views, so one sunset-series idea moved "
    "from rank 9 to 23 and the plan's 'rank N of 28' texts followed; the plan itself is unchanged"
)
CHANGED: dict[tuple[str, str], str] = {
    ("ideation", "ranked_ideas"): _ONE_EXPOSURE,
    ("ideation", "plan_posts"): _ONE_EXPOSURE,
}


def _same(a, b, where: str) -> list[str]:
    """Differences between two JSON values (floats equal to 1e-9 relative)."""
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return [] if a is b else [f"{where}: {a!r} -> {b!r}"]
        return (
            [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) else [f"{where}: {a!r} -> {b!r}"]
        )
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}: key {k!r} added or removed" for k in sorted(set(a) ^ set(b))]
        for k in sorted(set(a) & set(b)):
            out += _same(a[k], b[k], f"{where}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items -> {len(b)}"]
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            out += _same(x, y, f"{where}[{i}]")
        return out
    return [] if a == b else [f"{where}: {a!r} -> {b!r}"]


def test_same_results_helper_sees_a_change():
    assert _same({"a": [1.0, 2]}, {"a": [1.0, 2]}, "x") == []
    assert _same({"a": [1.0, 2]}, {"a": [1.1, 2]}, "x") == ["x.a[0]: 1.0 -> 1.1"]
    assert _same({"a": 1}, {"b": 1}, "x") == [
        "x: key 'a' added or removed",
        "x: key 'b' added or removed",
    ]


@pytest.mark.slow
def test_the_sample_report_records_the_same_results_as_before_the_restructuring(
    sample_report_month,
):
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    after = json.loads((sample_report_month / "summary.json").read_text("utf-8"))
    problems = []
    for page, old in before.items():
        assert page in after, f"page {page} no longer in the report"
        assert after[page]["status"] == "ok", (page, after[page].get("error"))
        new = after[page]["results"]
        for key, value in old["results"].items():
            if (page, key) in CHANGED:
                continue
            if key not in new:
                problems.append(f"{page}.{key}: no longer recorded")
                continue
            problems += _same(value, new[key], f"{page}.{key}")
    assert not problems, "results changed:\n" + "\n".join(problems[:40])
