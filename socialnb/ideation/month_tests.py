"""The registered content tests that run in a sprint, as the planner needs them (the ids of
their ideas, their dates within the sprint)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .. import periods
from ..errors import ParameterError

__all__: list[str] = []


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _test_day(value: Any) -> dt.date | None:
    """A test's start or end (:func:`socialnb.periods.parse_date`), a ParameterError if bad."""
    try:
        return periods.parse_date(value)
    except ValueError as exc:
        raise ParameterError(f"tests: {exc}.") from None


def _month_tests(
    tests: Any, first: dt.date, last: dt.date
) -> tuple[list[dict[str, Any]], list[str]]:
    """The registered tests that run in the sprint: not concluded, dates overlapping it."""
    if tests is None:
        return [], []
    if hasattr(tests, "registry"):
        tests = tests.registry
    if isinstance(tests, pd.DataFrame):
        tests = tests.to_dict("records")
    out, notes = [], []
    for t in tests:
        tid = str(_get(t, "id", "") or "")
        status = str(_get(t, "status", "planned") or "planned")
        if not tid or status == "concluded":
            continue
        start, end = _test_day(_get(t, "start")), _test_day(_get(t, "end"))
        if start is None and end is None:
            notes.append(f"Test {tid!r} ({status}) has no start or end date, so it is in no "
                         "sprint: give it dates in experiments.yaml to plan its posts.")  # fmt: skip
            continue
        if (start is not None and start > last) or (end is not None and end < first):
            continue
        variants = []
        for v in _get(t, "variants", ()) or ():
            posts = _get(v, "posts", ()) or ()
            variants.append((str(_get(v, "name", "")), [str(x).strip() for x in posts]))
        out.append({"id": tid, "status": status, "start": max(start or first, first),
                    "end": min(end or last, last), "platform": _get(t, "platform"),
                    "variants": variants})  # fmt: skip
    return out, notes
