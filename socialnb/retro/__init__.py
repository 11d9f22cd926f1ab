"""The sprint retro: what shipped, what landed with the audience, which series to keep, scale or
sunset, and how the audience grew.

Every function takes DataFrames (posts as ``Workspace.posts``, the calendar as
:func:`socialnb.calendar.load_calendar`, ``Workspace.account_daily``) and a
:class:`~socialnb.config.BrandConfig`, so it can be tested without files;
:func:`build_retro` loads a workspace and returns one frozen :class:`Retro`.

A sprint is a calendar month (``YYYY-MM``) of the brand's local time. Rates follow
:mod:`socialnb.metrics` (median of per-post rates, organic posts, each platform's primary rate:
:data:`socialnb.metrics.PRIMARY_RATE`); every rate the page shows says which view it is (the
median post or the rate of totals) and is recorded with :meth:`Retro.rates_shown`.

Modules: :mod:`.base` (posts with their rates, the trailing baseline), :mod:`.planned`
(:class:`Delivery`), :mod:`.targets` (:class:`Kpis`), :mod:`.landed` (breakdowns,
:class:`FormatTable`, top posts), :mod:`.series` (:class:`SeriesHealth`), :mod:`.audience`
(:class:`Audience`), :mod:`.timing` (:class:`BestTime`), :mod:`.summary` (:class:`Retro`,
takeaways, :func:`build_retro`). Calendar matching is :mod:`socialnb.calendar`'s.
Every result is frozen, with ``.to_frame()``, a one-line repr and ``.plot()`` where a picture
helps.
"""

from __future__ import annotations

from .._text import plain_text as _text  # noqa: F401 - overview and tests import it here
from ..calendar import CalendarMatch, match_calendar, tag_posts, title_similarity
from .audience import Audience, audience_growth, awareness, follower_growth, loyalty
from .base import (
    BASELINE_SPRINTS,
    _check_month,  # noqa: F401 - private names other modules and tests import from here
    _with_indices,  # noqa: F401
    prepare_posts,
    previous_sprints,
    sprint_of,
)
from .landed import (
    FORMAT_COLUMNS,
    FORMATS_MULTIPLICITY,
    FormatTable,
    breakdown,
    format_table,
    top_posts,
)
from .planned import Delivery, delivery
from .series import (
    SERIES_MIN_POSTS,
    SeriesHealth,
    series_health,
    series_rule_text,
    series_verdict,
)
from .summary import TAKEAWAY_SECTIONS, Retro, Takeaway, build_retro, retro
from .targets import KPI_MIN_POSTS, KPI_STATUS_RULE, Kpis, kpi_status, kpis
from .timing import BestTime, best_time

__all__ = [
    "KPI_STATUS_RULE",
    "BASELINE_SPRINTS",
    "SERIES_MIN_POSTS",
    "KPI_MIN_POSTS",
    "FORMATS_MULTIPLICITY",
    "sprint_of",
    "previous_sprints",
    "prepare_posts",
    "CalendarMatch",
    "match_calendar",
    "title_similarity",
    "TAKEAWAY_SECTIONS",
    "tag_posts",
    "Delivery",
    "delivery",
    "kpi_status",
    "Kpis",
    "kpis",
    "breakdown",
    "format_table",
    "top_posts",
    "series_verdict",
    "series_rule_text",
    "SeriesHealth",
    "series_health",
    "follower_growth",
    "loyalty",
    "awareness",
    "Audience",
    "audience_growth",
    "FormatTable",
    "FORMAT_COLUMNS",
    "BestTime",
    "best_time",
    "Takeaway",
    "Retro",
    "retro",
    "build_retro",
]
