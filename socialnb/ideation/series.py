"""Content series in the plan: the weekday each series keeps (:func:`series_weekdays`) and the
retro's verdict on each series (:func:`series_verdicts`: keep, scale or sunset), computed from
the retro's own pieces without building the whole retro."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import metrics as M
from .. import periods, retro
from .backlog import _key, _text_col
from .history import _WEEKDAYS

__all__ = ["series_weekdays", "series_verdicts"]


def series_verdicts(
    workspace: Any,
    brand: str,
    month: str,
    *,
    posts: pd.DataFrame | None = None,
    seed: int = 0,
    n_resamples: int = 2000,
) -> retro.SeriesHealth:
    """The retro's verdict on each content series for sprint ``month`` (keep, scale, sunset),
    the same as :func:`socialnb.retro.build_retro` gives (same calendar matching, same rule from
    brand.yaml, same seed and resamples), without the rest of the retro.

    Parameters
    ----------
    workspace
        A :class:`~socialnb.Workspace` or its folder.
    brand
        The brand's slug.
    month
        The finished sprint (``YYYY-MM``).
    posts
        ``workspace.posts(brand)`` when the caller has it already: its calendar tags are used as
        they are (the calendar is not matched a second time). Without it the posts are read and
        tagged by the brand's calendar file, as :func:`~socialnb.retro.build_retro` does.

    Examples
    --------
    In a workspace (the sample brand)::

        series_verdicts(ws, "fernway", "2026-10").sunset_candidates  # ['Gear Friday']
    """
    from ..calendar import brand_calendar
    from ..workspace import Workspace

    periods.check_month(month)
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    if posts is None:
        posts, _ = ws.tagged_posts(brand, brand_calendar(Path(ws.path) / brand))
    frame = retro.prepare_posts(M.with_format(posts))
    rule = ws.brand(brand).series_rule
    return retro.series_health(frame, month, rule, seed=seed, n_resamples=n_resamples)


def series_weekdays(
    posts: pd.DataFrame | None = None, configured: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    """The day(s) of the week each content series keeps.

    From ``configured`` (brand.yaml ``series_days``, weekdays as ``mon`` ... ``sun``) when it
    names the series; else from its history: the most common local weekday of its past posts
    (``posts`` with ``series`` and ``published_local``). When two or more weekdays tie, all of
    them are kept and the tie is said in ``evidence`` (set ``series_days`` to choose).

    Returns
    -------
    DataFrame
        ``series``, ``weekdays`` (tuple of ``mon`` ... ``sun``), ``days`` (the same for people:
        "Fri", "Sat, Sun"), ``source`` (``brand.yaml`` or ``history``) and ``evidence`` in
        words.
    """
    rows: dict[str, dict[str, Any]] = {}
    if posts is not None and len(posts) and {"series", "published_local"} <= set(posts.columns):
        p = posts[["series", "published_local"]].copy()
        p["series"] = _text_col(p, "series")
        p = p[p["series"] != ""]
        local = pd.to_datetime(p["published_local"], errors="coerce")
        p = p.assign(day=local.dt.day_of_week).dropna(subset=["day"])
        for name, g in p.groupby(p["series"].map(_key), sort=True):
            counts = g["day"].astype(int).value_counts()
            top = counts[counts == counts.max()]
            days = tuple(_WEEKDAYS[d] for d in sorted(top.index))
            label = g["series"].mode().iloc[0] if len(g["series"].mode()) == 1 else name
            tie = " (a tie: set series_days in brand.yaml to choose)" if len(days) > 1 else ""
            rows[name] = {
                "series": label,
                "weekdays": days,
                "source": "history",
                "evidence": f"{int(top.iloc[0])} of its {len(g)} past posts on each of "
                f"{', '.join(d.title() for d in days)}{tie}"
                if len(days) > 1
                else f"{int(top.iloc[0])} of its {len(g)} past posts on {days[0].title()}",
            }
    for name, days in (configured or {}).items():
        rows[_key(name)] = {
            "series": str(name),
            "weekdays": tuple(days),
            "source": "brand.yaml",
            "evidence": "series_days in brand.yaml",
        }
    out = pd.DataFrame(list(rows.values()), columns=["series", "weekdays", "source", "evidence"])
    out.insert(2, "days", [", ".join(d.title() for d in w) for w in out["weekdays"]])
    return out
