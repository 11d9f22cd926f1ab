"""Drafting the next sprint (:func:`plan_sprint`): the month's registered tests first, then the
best ideas within capacity, pillar mix and cadence, one variant per idea, no sunset series, each
series on its weekday; the slots left open said per platform; the draft written for Excel."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import periods
from ..config import CALENDAR_COLUMNS, BrandConfig
from ..errors import ParameterError
from ..schema import PLATFORMS
from .backlog import _key, _text_col, same_idea_groups
from .history import _WEEKDAYS
from .month_tests import _month_tests
from .score import Scores
from .series import series_weekdays

__all__ = ["SprintPlan", "plan_sprint"]


def _last_sprint_mix(history: pd.DataFrame | None, sprint: str) -> tuple[dict[str, int], str]:
    """Posts per platform in the last sprint before ``sprint`` that has posts, and that sprint."""
    if history is None or history.empty or "published_local" not in history:
        return {}, ""
    month = periods.post_months(history)
    before = month[month.notna() & (month < sprint)]
    if before.empty:
        return {}, ""
    last = before.max()
    counts = history.loc[before.index[before == last], "platform"].astype(str).value_counts()
    return {p: int(counts[p]) for p in PLATFORMS if p in counts}, str(last)


def _spread(days: list[dt.date], k: int) -> list[dt.date]:
    """``k`` dates spread evenly over ``days`` (in order; repeats when k > len(days))."""
    n = len(days)
    return [days[min(int((j + 0.5) * n / k), n - 1)] for j in range(k)]


@dataclass(frozen=True)
class SprintPlan:
    """The ideas chosen for a sprint, the constraints they respect and what is left open.

    ``ideas`` holds the planned ideas in order of choice (the month's test posts first, then
    best score first) with ``planned_date``, ``planned_because`` and, for test posts, ``test``;
    ``skipped`` the open ideas left out with ``skipped_because``; ``shortfall`` one row per
    platform: its cadence and where it comes from, the posts planned (of which test posts) and
    the slots left ``open`` with why; ``series_days`` the weekday each planned series keeps;
    ``notes`` every choice and ambiguity in words.
    """

    sprint: str
    ideas: pd.DataFrame = field(repr=False)
    skipped: pd.DataFrame = field(repr=False)
    capacity_hours: float
    hours: float
    explore_hours: float
    explore_cap_hours: float
    pillar_caps: Mapping[str, float]
    cadence: Mapping[str, int]
    shortfall: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    series_days: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    notes: tuple[str, ...] = ()

    @property
    def ids(self) -> list[str]:
        return list(self.ideas["id"])

    @property
    def open_slots(self) -> int:
        """Cadence slots no idea fills, over every platform with a cadence."""
        if self.shortfall.empty:
            return 0
        return int(self.shortfall["open"].fillna(0).sum())

    def __repr__(self) -> str:
        return (
            f"SprintPlan({self.sprint}: {len(self.ideas)} posts, {self.hours:g} of "
            f"{self.capacity_hours:g} hours, {self.open_slots} cadence slots open)"
        )

    def to_frame(self) -> pd.DataFrame:
        """The planned ideas in order of choice, with date, weekday, why and test."""
        return self.ideas.copy()

    def plot(self, ax=None):
        """Posts per platform: planned (test posts apart) against the cadence."""
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(7, 3.5))[1]
        s = self.shortfall
        if s.empty:
            ax.set_title("No platform has posts or a cadence")
            return ax
        y = np.arange(len(s))
        ax.barh(y, s["planned"] - s["test_posts"], color="#0072B2", label="best ideas")
        ax.barh(y, s["test_posts"], left=s["planned"] - s["test_posts"], color="#E69F00",
                label="test posts")  # fmt: skip
        ax.scatter(s["cadence"], y, marker="|", s=300, color="k", label="cadence", zorder=3)
        ax.set_yticks(y, s["platform"])
        ax.set_xlabel("posts in the sprint")
        ax.set_title(f"Sprint {self.sprint}: posts planned against the cadence")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        return ax

    def records(self) -> list[dict[str, Any]]:
        """The planned posts in date order, JSON-ready (for ``socialnb.record``): date, weekday,
        platform, title, format, series, effort hours, test and why it is in the plan."""
        t = self.ideas.sort_values(["planned_date", "platform", "id"], kind="mergesort")
        return [
            {
                "date": r["planned_date"],
                "weekday": r["weekday"],
                "platform": r["platform"],
                "id": r["id"],
                "title": r["title"],
                "format": r["format"],
                "series": _key(r.get("series")) and str(r.get("series")),
                "effort_hours": float(r["effort_hours"]),
                "test": r["test"],
                "planned_because": r["planned_because"],
            }
            for _, r in t.iterrows()
        ]

    def summary(self) -> pd.DataFrame:
        """Hours per pillar against caps, posts per platform against cadence (with the slots
        left open and why), exploration and total hours."""
        rows = []
        for k, cap in self.pillar_caps.items():
            h = float(self.ideas.loc[self.ideas["pillar"] == k, "effort_hours"].sum())
            rows.append({"constraint": f"pillar {k} hours", "used": h, "limit": cap})
        short = self.shortfall.set_index("platform") if len(self.shortfall) else None
        for p, c in self.cadence.items():
            n = int((self.ideas["platform"] == p).sum())
            row = {"constraint": f"{p} posts", "used": n, "limit": c}
            if short is not None and p in short.index:
                row["open"] = short.loc[p, "open"]
                row["note"] = short.loc[p, "why"]
            rows.append(row)
        rows.append({"constraint": "exploration hours", "used": self.explore_hours,
                     "limit": self.explore_cap_hours})  # fmt: skip
        rows.append({"constraint": "total hours", "used": self.hours, "limit": self.capacity_hours})
        out = pd.DataFrame(rows, columns=["constraint", "used", "limit", "open", "note"])
        out["note"] = out["note"].fillna("")
        return out

    def calendar(self) -> pd.DataFrame:
        """The plan as calendar rows (:data:`socialnb.config.CALENDAR_COLUMNS`) on the dates
        :func:`plan_sprint` chose."""
        rows = []
        for _, r in self.ideas.iterrows():
            rows.append(
                {
                    "sprint": self.sprint,
                    "planned_date": r["planned_date"],
                    "platform": r["platform"],
                    "pillar": r.get("pillar", ""),
                    "series": r.get("series", ""),
                    "format": r["format"],
                    "idea_id": r["id"],
                    "title": r["title"],
                    "status": "planned",
                    "post_id": "",
                    "post_link": "",
                    "owner": "",
                    "effort_hours": f"{float(r['effort_hours']):g}",
                }
            )
        frame = pd.DataFrame(rows, columns=list(CALENDAR_COLUMNS))
        if frame.empty:
            return frame
        frame = frame.fillna("").replace({"unknown": "", "nan": "", "<NA>": ""})
        return frame.sort_values(["planned_date", "platform", "idea_id"]).reset_index(drop=True)


_PLAN_COLUMNS = ("id", "title", "platform", "format", "pillar", "series", "effort_hours", "score")


def plan_sprint(
    scores: Scores | pd.DataFrame | None,
    brand: BrandConfig | None = None,
    *,
    sprint: str,
    capacity_hours: float | None = None,
    pillars: Mapping[str, float] | None = None,
    cadence: Mapping[str, int] | None = None,
    pillar_tolerance: float = 0.15,
    explore_share: float = 0.2,
    history: pd.DataFrame | None = None,
    sunset: Sequence[str] = (),
    keep_series: Sequence[str] | None = None,
    series_days: Mapping[str, Sequence[str]] | None = None,
    tests: Any = None,
) -> SprintPlan:
    # long only by its docstring: the planning rules, in words; each rule is a function below
    """Plan ``sprint``: the month's test posts first, then the best ideas that fit.

    Parameters
    ----------
    scores
        :func:`score_ideas` output (or its table: ``id``, ``title``, ``platform``, ``format``,
        ``effort_hours``, ``score``; optional ``pillar``, ``series``, ``exploration``,
        ``notes``, ``same_as``). ``None`` when the brand keeps no backlog: the plan is empty and
        says so, every cadence slot open.
    brand
        Gives the defaults of ``capacity_hours``, ``pillars``, ``cadence``, ``keep_series`` and
        ``series_days``.
    history
        The brand's posts (``Workspace.posts``): the cadence when none is given (the posts per
        platform of the last sprint before ``sprint``) and the weekday of each series.
    sunset
        Series to stop (the retro's verdict, ``SeriesHealth.sunset_candidates``): their ideas
        are not planned unless named in ``keep_series`` (brand.yaml).
    tests
        The registered content tests (``experiments.load_experiments`` or records with
        ``id``, ``status``, ``start``, ``end``, ``variants``): a test that is not concluded and
        whose dates overlap the sprint is *registered for the month*; its posts are the ideas
        its variants list by id and the ideas whose ``notes`` name the test's id.

    Rules
    -----
    1. Ideas of a sunset series (unless kept) are left out.
    2. The month's tests come first: all of a test's ideas are planned (both variants even when
       they are marked as the same idea), if their hours fit the capacity; they count towards
       cadence, pillar and exploration use but are not stopped by them (a test needs its
       posts).
    3. Then greedy, best score first (ties by id): an idea is taken when no variant of the same
       idea (:func:`same_idea_groups`) is already in the plan (so the better variant that fits
       is the one taken) and it fits all of: total effort <= ``capacity_hours``; its
       platform's posts < its cadence (``cadence``, else ``brand.cadence``, else the last
       sprint's mix from ``history``; a platform without one is not limited); its pillar's
       hours <= ``(share + pillar_tolerance) x capacity``; exploratory ideas' hours <=
       ``explore_share x capacity``.
    4. Dates: a series keeps its weekday (:func:`series_weekdays`: brand.yaml ``series_days``,
       else its history); a test's posts fall within its dates; the other posts are spread
       evenly over the sprint per platform.
    5. ``shortfall`` says per platform how many cadence slots are left open and why (the
       backlog ran out, or the ideas left were stopped by capacity, pillar or exploration
       limits).
    """
    periods.check_month(sprint)
    cap = (
        capacity_hours if capacity_hours is not None else (brand.capacity_hours if brand else None)
    )
    if cap is None or not np.isfinite(cap) or cap < 0:
        raise ParameterError(f"capacity_hours={cap!r}: give a non-negative number of hours.")
    if not 0 <= explore_share <= 1:
        raise ParameterError(f"explore_share={explore_share!r}: give a share between 0 and 1.")
    notes: list[str] = []
    pillars = dict(pillars if pillars is not None else (brand.pillars if brand else {}))
    cadence, cadence_from = _cadence(cadence, brand, history, sprint, notes)
    keep = list(keep_series if keep_series is not None else (brand.keep_series if brand else ()))
    days_cfg = dict(
        series_days if series_days is not None else (brand.series_days if brand else {})
    )
    t = _ordered(scores, notes)
    s = _Plan(
        t=t,
        cap=float(cap),
        pillar_caps={k: (share + pillar_tolerance) * cap for k, share in pillars.items()},
        explore_cap=explore_share * cap,
        cadence=cadence,
        notes=notes,
    )
    groups, group_problems = same_idea_groups(t)
    group_of = dict(zip(groups["id"], groups["group"], strict=True))
    notes.extend(group_problems)
    sunset = (sunset,) if isinstance(sunset, str) else tuple(sunset or ())
    _leave_out_sunset(s, sunset, keep)  # 1.
    first, last = periods.month_start(sprint), _month_end(sprint)
    month_tests, test_notes = _month_tests(tests, first, last)
    notes.extend(test_notes)
    for test in month_tests:  # 2.
        _plan_test(s, test, sprint)
    _plan_best(s, group_of)  # 3.
    _say_same_ideas(s, group_of)
    weekdays = series_weekdays(history, days_cfg)
    dates, planned_series = _dates(s, weekdays, first, last)  # 4.
    return _result(s, sprint, dates, group_of, cadence_from, weekdays, planned_series)


def _month_end(sprint: str) -> dt.date:
    return periods.month_start(sprint) + dt.timedelta(days=periods.days_in_month(sprint) - 1)


def _cadence(cadence, brand, history, sprint: str, notes: list[str]):
    """Posts per platform: given, else brand.yaml's, else the last sprint's mix (said)."""
    if cadence is not None:
        return dict(cadence), dict.fromkeys(cadence, "given")
    if brand is not None and brand.cadence:
        return dict(brand.cadence), dict.fromkeys(brand.cadence, "brand.yaml")
    mix, last = _last_sprint_mix(history, sprint)
    if mix:
        notes.append(f"No cadence in brand.yaml: each platform gets as many posts as it "
                     f"had in {last}, the last sprint with posts.")  # fmt: skip
    else:
        notes.append("No cadence in brand.yaml and no earlier posts: the number of posts "
                     "per platform is not limited.")  # fmt: skip
    return mix, dict.fromkeys(mix, f"posts of {last}")


def _ordered(scores, notes: list[str]) -> pd.DataFrame:
    """The scored ideas best first (ties by id), with every column the planner reads."""
    if scores is None:
        table = pd.DataFrame(columns=list(_PLAN_COLUMNS))
        notes.insert(0, "No idea backlog (ideas.csv): nothing to plan, every cadence slot is "
                        "open. Keep the backlog in ideas.csv to get a plan.")  # fmt: skip
    else:
        table = scores.table if isinstance(scores, Scores) else scores
        if table.empty:
            notes.insert(0, "No open ideas (status backlog or planned) in the backlog: nothing "
                            "to plan, every cadence slot is open.")  # fmt: skip
    t = table.sort_values(["score", "id"], ascending=[False, True], kind="mergesort")
    t = t.reset_index(drop=True)
    for col in ("pillar", "series", "notes", "same_as"):
        if col not in t:
            t[col] = ""
    if "exploration" not in t:
        t["exploration"] = False
    return t


@dataclass
class _Plan:
    """The plan being built: what is chosen, why, and the limits used so far."""

    t: pd.DataFrame
    cap: float
    pillar_caps: dict[str, float]
    explore_cap: float
    cadence: dict[str, int]
    notes: list[str]
    chosen: list[int] = field(default_factory=list)
    because: dict[int, str] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)  # why an idea is left out
    test_of: dict[int, str] = field(default_factory=dict)
    window: dict[int, tuple[dt.date, dt.date]] = field(default_factory=dict)
    used: float = 0.0
    used_explore: float = 0.0

    def __post_init__(self) -> None:
        self.ids = _text_col(self.t, "id").tolist()
        self.series = _text_col(self.t, "series")
        self.pillar_used = dict.fromkeys(self.pillar_caps, 0.0)
        self.count = dict.fromkeys(self.cadence, 0)

    def take(self, i: int, why: str) -> None:
        e = float(self.t.at[i, "effort_hours"])
        p, k = self.t.at[i, "platform"], self.t.at[i, "pillar"]
        self.chosen.append(i)
        self.because[i] = why
        self.used += e
        self.used_explore += e if bool(self.t.at[i, "exploration"]) else 0.0
        if k in self.pillar_used:
            self.pillar_used[k] += e
        if p in self.count:
            self.count[p] += 1


_EPS = 1e-9


def _leave_out_sunset(s: _Plan, sunset: Sequence[str], keep: Sequence[str]) -> None:
    """Rule 1: ideas of a series the retro says to sunset are left out, unless kept."""
    kept = {_key(x) for x in keep}
    stop = {_key(x): str(x) for x in sunset if _key(x) and _key(x) not in kept}
    for x in sunset:
        if _key(x) in kept:
            s.notes.append(f"Series {x}: the retro says sunset; kept because brand.yaml lists "
                           "it in keep_series.")  # fmt: skip
    for i, x in enumerate(s.series):
        if _key(x) in stop:
            s.reasons[i] = f"series {x} is to be sunset (the retro's verdict)"
    for k, name in stop.items():
        gone = [s.t.at[i, "id"] for i in s.reasons if _key(s.series[i]) == k]
        if gone:
            s.notes.append(f"Series {name} is to be sunset (the retro's verdict): "
                           f"{', '.join(gone)} left out. To keep the series, list it under "
                           "keep_series in brand.yaml.")  # fmt: skip


def _plan_test(s: _Plan, test: dict[str, Any], sprint: str) -> None:
    """Rule 2: all of a registered test's ideas, or none when they cannot all be planned."""
    listed = {x for _, posts in test["variants"] for x in posts}
    pat = re.compile(rf"(?<![\w-]){re.escape(test['id'])}(?![\w-])")
    note_text = _text_col(s.t, "notes").tolist()
    rows = [i for i, x in enumerate(s.ids) if x in listed or pat.search(note_text[i])]
    rows = [i for i in rows if i not in s.chosen]
    label = f"test {test['id']} ({test['start']:%d %b} to {test['end']:%d %b})"
    if not rows:
        s.notes.append(f"Test {test['id']!r} is registered for {sprint} but no open idea "
                       "belongs to it: list its ideas' ids under its variants' posts, or name "
                       "the test in the ideas' notes.")  # fmt: skip
        return
    blocked = [i for i in rows if i in s.reasons]
    if blocked:
        for i in rows:
            s.reasons.setdefault(i, f"{label}: part of its posts are in a sunset series")
        s.notes.append(f"Test {test['id']!r} cannot run as registered: "
                       f"{', '.join(s.ids[i] for i in blocked)} belong to a sunset series.")  # fmt: skip
        return
    hours = float(s.t.loc[rows, "effort_hours"].sum())
    if s.used + hours > s.cap + _EPS:
        for i in rows:
            s.reasons[i] = f"capacity: {label} needs {hours:g} hours"
        s.notes.append(f"Test {test['id']!r} needs {hours:g} hours, more than the "
                       f"{s.cap - s.used:g} left: its posts are not planned.")  # fmt: skip
        return
    for i in rows:
        s.take(i, label)
        s.test_of[i] = test["id"]
        s.window[i] = (test["start"], test["end"])
    n_var = len(test["variants"])
    msg = f"Test {test['id']!r} planned first: {', '.join(s.ids[i] for i in rows)}"
    if n_var and len(rows) < n_var:
        msg += (f"; it has {n_var} variants but only {len(rows)} idea(s) belong to it, add "
                "the missing variant's idea")  # fmt: skip
    s.notes.append(msg + ".")
    for p in {s.t.at[i, "platform"] for i in rows}:
        if p in s.count and s.count[p] > s.cadence[p]:
            s.notes.append(f"The test posts take {p} over its cadence ({s.count[p]} of "
                           f"{s.cadence[p]}).")  # fmt: skip


def _plan_best(s: _Plan, group_of: Mapping[str, str]) -> None:
    """Rule 3: best score first, while every limit holds and no variant is planned yet."""
    t = s.t
    for i in range(len(t)):
        if i in s.chosen or i in s.reasons:
            continue
        e = float(t.at[i, "effort_hours"])
        p, k = t.at[i, "platform"], t.at[i, "pillar"]
        twin = next((j for j in s.chosen if group_of.get(s.ids[j]) == group_of.get(s.ids[i])), None)
        if twin is not None:
            s.reasons[i] = f"same idea as {s.ids[twin]} (in the plan)"
        elif s.used + e > s.cap + _EPS:
            s.reasons[i] = "capacity"
        elif p in s.count and s.count[p] >= s.cadence[p]:
            s.reasons[i] = f"{p} cadence ({s.cadence[p]} posts)"
        elif k in s.pillar_caps and s.pillar_used[k] + e > s.pillar_caps[k] + _EPS:
            s.reasons[i] = f"pillar {k} share"
        elif bool(t.at[i, "exploration"]) and s.used_explore + e > s.explore_cap + _EPS:
            s.reasons[i] = "exploration cap"
        else:
            rank = t.at[i, "rank"] if "rank" in t else i + 1
            s.take(i, f"score (rank {rank} of {len(t)})")


def _say_same_ideas(s: _Plan, group_of: Mapping[str, str]) -> None:
    for i in s.chosen:
        g = group_of.get(s.ids[i], s.ids[i])
        if " = " not in g:
            continue
        others = [x for x in g.split(" = ") if x != s.ids[i]]
        if s.test_of.get(i) and all(s.ids.index(x) in s.test_of for x in others if x in s.ids):
            continue
        how = f"a post of test {s.test_of[i]}" if i in s.test_of else "the best that fits"
        s.notes.append(f"{s.ids[i]} and {', '.join(others)} are the same idea: {s.ids[i]} is "
                       f"planned ({how}).")  # fmt: skip


def _dates(s: _Plan, weekdays: pd.DataFrame, first: dt.date, last: dt.date):
    """Rule 4: a series keeps its weekday, a test post stays within its test's dates, and the
    posts of a platform are spread evenly over the days they may take."""
    wd_of = {_key(x): d for x, d in zip(weekdays["series"], weekdays["weekdays"], strict=True)}
    sprint_days = [first + dt.timedelta(days=d) for d in range((last - first).days + 1)]
    allowed: dict[int, tuple[dt.date, ...]] = {}
    planned_series = set()
    for i in s.chosen:
        lo, hi = s.window.get(i, (first, last))
        days = [d for d in sprint_days if lo <= d <= hi]
        name = _key(s.series[i])
        if name:
            planned_series.add(name)
        if name and name in wd_of:
            on_day = [d for d in days if _WEEKDAYS[d.weekday()] in wd_of[name]]
            if on_day:
                days = on_day
            else:
                s.notes.append(f"{s.ids[i]} ({s.series[i]}): no {'/'.join(wd_of[name])} between "
                               f"{lo} and {hi}; dated without its weekday.")  # fmt: skip
        elif name:
            s.notes.append(f"Series {s.series[i]} has no past posts and no series_days in "
                           f"brand.yaml: {s.ids[i]} is dated like a post outside a series.")  # fmt: skip
        allowed[i] = tuple(days)
    buckets: dict[tuple, list[int]] = {}
    for i in s.chosen:
        buckets.setdefault((s.t.at[i, "platform"], allowed[i]), []).append(i)
    dates: dict[int, dt.date] = {}
    for (_, days), members in buckets.items():
        for i, d in zip(members, _spread(list(days), len(members)), strict=True):
            dates[i] = d
    return dates, planned_series


def _result(s: _Plan, sprint, dates, group_of, cadence_from, weekdays, planned_series):
    """Rule 5: the plan, what was left out and why, and the shortfall per platform."""
    t, chosen = s.t, s.chosen
    cols = list(t.columns)
    plan = t.loc[chosen, cols].copy() if chosen else pd.DataFrame(columns=cols)
    plan["planned_date"] = [dates[i].isoformat() for i in chosen]
    plan["weekday"] = [_WEEKDAYS[dates[i].weekday()] for i in chosen]
    plan["planned_because"] = [s.because[i] for i in chosen]
    plan["test"] = [s.test_of.get(i, "") for i in chosen]
    plan["same_idea"] = [group_of.get(s.ids[i], s.ids[i]) for i in chosen]
    plan = plan.reset_index(drop=True)
    left = [i for i in range(len(t)) if i not in chosen]
    skipped = t.loc[left, cols].copy() if left else pd.DataFrame(columns=cols)
    skipped["skipped_because"] = [s.reasons.get(i, "") for i in left]
    skipped = skipped.reset_index(drop=True)
    sd = weekdays[weekdays["series"].map(_key).isin(planned_series)].reset_index(drop=True)
    return SprintPlan(
        sprint=sprint,
        ideas=plan,
        skipped=skipped,
        capacity_hours=s.cap,
        hours=float(s.used),
        explore_hours=float(s.used_explore),
        explore_cap_hours=float(s.explore_cap),
        pillar_caps=s.pillar_caps,
        cadence=s.cadence,
        shortfall=_shortfall(plan, skipped, s.cadence, cadence_from),
        series_days=sd,
        notes=tuple(dict.fromkeys(s.notes)),
    )


def _shortfall(
    plan: pd.DataFrame,
    skipped: pd.DataFrame,
    cadence: Mapping[str, int],
    cadence_from: Mapping[str, str],
) -> pd.DataFrame:
    plats = [p for p in PLATFORMS if p in cadence or (plan["platform"] == p).any()]
    rows = []
    for p in plats:
        n = int((plan["platform"] == p).sum())
        n_test = int(((plan["platform"] == p) & (plan["test"] != "")).sum())
        c = cadence.get(p)
        if c is None:
            rows.append({"platform": p, "cadence": np.nan, "cadence_from": "none", "planned": n,
                         "test_posts": n_test, "open": np.nan,
                         "why": "no cadence: the number of posts is not limited"})  # fmt: skip
            continue
        gap = max(int(c) - n, 0)
        why = ""
        if gap:
            left = skipped[skipped["platform"] == p]
            left = left[
                ~left["skipped_because"].astype(str).str.startswith(("same idea", "series "))
            ]
            if left.empty:
                why = f"the backlog ran short: no other open {p} idea"
            else:
                counts = left["skipped_because"].astype(str).str.replace(r"^capacity.*", "capacity",
                                                             regex=True).value_counts()  # fmt: skip
                parts = ", ".join(f"{r} ({k})" for r, k in counts.items())
                why = f"{len(left)} open {p} idea(s) left out: {parts}"
                if gap > len(left):
                    why += f"; the backlog has no idea for the other {gap - len(left)}"
        elif n > c:
            why = f"{n - c} over the cadence (test posts come first)"
        rows.append({"platform": p, "cadence": int(c), "cadence_from": cadence_from.get(p, ""),
                     "planned": n, "test_posts": n_test, "open": gap, "why": why})  # fmt: skip
    cols = ["platform", "cadence", "cadence_from", "planned", "test_posts", "open", "why"]
    return pd.DataFrame(rows, columns=cols)
