"""Ideation: score the idea backlog on the brand's own evidence and draft the next sprint.

The steps, each a function with a result you can show in a notebook:

1. :func:`load_ideas` reads ``data/<brand>/ideas.csv`` (or ``.xlsx``) and checks every row
   against :class:`IdeaRow` (``backlog``).
2. :func:`fit_performance` fits the performance model on the brand's post history (see
   :class:`PerformanceModel` for the model and why it is that model; ``history``, ``design``,
   ``model``).
3. :func:`score_ideas` turns predictions into RICE scores (reach, impact, confidence, effort) with
   an exploration bonus, and a per-idea breakdown that explains every number (``score``).
4. :func:`plan_sprint` plans the month's registered tests first, then the best ideas within
   capacity, pillar mix and cadence: one variant per idea (:func:`same_idea_groups`), no series
   the retro says to sunset (:func:`series_verdicts`), each series on its weekday
   (:func:`series_weekdays`), and the cadence slots left open per platform stated;
   :func:`write_calendar_draft` writes ``calendar_draft.csv`` safe to open in Excel (``plan``,
   ``series``).
5. :func:`calibrate` compares last sprint's predictions with what happened (``calibrate``).

Engagements are :func:`socialnb.metrics.engagements` (likes + comments + shares + saves over the
parts a platform reports); exposure is the denominator of the platform's
:data:`socialnb.metrics.PRIMARY_RATE` (:data:`EXPOSURE`). Boosted posts are left out: a boosted
post never sets an organic baseline.
"""

from __future__ import annotations

from .. import _lazy

# Each public name is imported from its module on first use (socialnb._lazy), so that one
# light module (the workspace's check of a brand's plan files) does not import them all.
__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        ".backlog": (
            "IDEA_STATUSES",
            "OPTIONAL_IDEA_COLUMNS",
            "IdeaRow",
            "load_ideas",
            "same_idea_groups",
        ),
        ".calibrate": ("Calibration", "calibrate"),
        ".draft": ("neutralise_cell", "write_calendar_draft"),
        ".history": (
            "EXPOSURE",
            "MIN_HISTORY_POSTS",
            "history_gap",
            "next_month",
            "post_outcomes",
            "resolve_sprints",
        ),
        ".model": ("PerformanceModel", "fit_performance"),
        ".plan": ("SprintPlan", "plan_sprint"),
        ".score": (
            "IMPACT_SCALE",
            "Scores",
            "exploration_eligible",
            "exploration_impact",
            "impact_score",
            "score_ideas",
        ),
        ".series": ("series_verdicts", "series_weekdays"),
    },
    globals(),
)

__all__ = [
    "IDEA_STATUSES",
    "OPTIONAL_IDEA_COLUMNS",
    "IdeaRow",
    "EXPOSURE",
    "IMPACT_SCALE",
    "load_ideas",
    "post_outcomes",
    "PerformanceModel",
    "fit_performance",
    "MIN_HISTORY_POSTS",
    "history_gap",
    "impact_score",
    "exploration_eligible",
    "exploration_impact",
    "Scores",
    "score_ideas",
    "SprintPlan",
    "same_idea_groups",
    "series_weekdays",
    "series_verdicts",
    "plan_sprint",
    "neutralise_cell",
    "write_calendar_draft",
    "Calibration",
    "calibrate",
    "next_month",
    "resolve_sprints",
]
