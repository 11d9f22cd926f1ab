"""Workspace configuration: ``data/<brand>/brand.yaml`` and the column contracts of the
spreadsheets people keep (calendar, idea backlog).

brand.yaml (every key but ``name`` and ``timezone`` is optional)::

    name: Fernway Outdoor Co.
    timezone: Europe/London        # IANA zone of the exports' wall-clock times
    sprint_length: month
    platforms:                     # platform -> account as it appears in the exports
      instagram: {account: fernway.outdoors}
    pillars: {education: 0.4, community: 0.35, product: 0.25}   # target share of posts
    cadence: {instagram: 12}       # planned posts per sprint per platform
    capacity_hours: 60             # default team hours per sprint
    targets:                       # KPIs (OKRs) the retro checks
      - {name: Instagram engagement rate, metric: er_reach, platform: instagram, target: 0.05}
    series_rule: {min_sprints: 3, window: 3, sunset_below: 0.8, scale_above: 1.2}
    keep_series: [Gear Friday]     # series the plan keeps even when the retro says sunset
    series_days: {Gear Friday: Fri}   # a series' day(s) of the week (else its history's)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .errors import ConfigError
from .schema import PLATFORMS

__all__ = [
    "BrandConfig",
    "Target",
    "SeriesRule",
    "load_brand",
    "list_brands",
    "CALENDAR_COLUMNS",
    "IDEAS_COLUMNS",
    "TARGET_METRICS",
]

#: Columns of ``calendar.csv`` (planned content), in order: declared once, by
#: :class:`socialnb.calendar.CalendarRow`.
from .calendar.sheet import CALENDAR_COLUMNS  # noqa: E402

#: Columns of ``ideas.csv`` (the backlog), in order.
IDEAS_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "pillar",
    "series",
    "format",
    "platform",
    "effort_hours",
    "team_confidence",  # percent, 0-100, as in RICE
    "status",  # backlog | planned | shipped | rejected
    "notes",
)

#: Metric names a KPI target may use.
TARGET_METRICS: tuple[str, ...] = (
    "er_impressions",
    "er_views",
    "er_reach",
    "er_followers",
    "reach_per_post",
    "views_per_post",
    "saves_per_post",
    "shares_per_post",
    "comments_per_post",
    "follower_growth",
    "posts_published",
)


@dataclass(frozen=True)
class Target:
    """One KPI target from brand.yaml."""

    name: str
    metric: str
    target: float
    platform: str | None = None


@dataclass(frozen=True)
class SeriesRule:
    """The keep / scale / sunset rule for content series (see the retro)."""

    min_sprints: int = 3
    window: int = 3
    sunset_below: float = 0.8
    scale_above: float = 1.2


@dataclass(frozen=True)
class BrandConfig:
    """A brand's settings, validated."""

    slug: str
    name: str
    timezone: str
    sprint_length: str = "month"
    platforms: dict[str, dict[str, Any]] = field(default_factory=dict)
    pillars: dict[str, float] = field(default_factory=dict)
    cadence: dict[str, int] = field(default_factory=dict)
    capacity_hours: float = 40.0
    targets: tuple[Target, ...] = ()
    series_rule: SeriesRule = SeriesRule()
    path: Path | None = None
    keep_series: tuple[str, ...] = ()
    series_days: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        """The brand's folder in the workspace."""
        if self.path is None:
            raise ConfigError(f"brand {self.slug!r} was not loaded from a file")
        return self.path.parent


def _fail(path: Path, key: str, problem: str, fix: str) -> ConfigError:
    return ConfigError(f"{path}: key {key!r}: {problem} What to do: {fix}")


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _series_keys(raw: dict, path: Path) -> dict[str, Any]:
    """``keep_series`` (series names) and ``series_days`` (series -> weekday or list of them),
    weekdays stored as ``mon`` ... ``sun``."""
    keep = raw.get("keep_series") or []
    keep = [keep] if isinstance(keep, str) else keep
    if not isinstance(keep, list) or not all(isinstance(k, str) and k.strip() for k in keep):
        raise _fail(path, "keep_series", f"{raw.get('keep_series')!r} is not a list of series "
                    "names.", "write e.g. 'keep_series: [Gear Friday]'.")  # fmt: skip
    days_raw = raw.get("series_days") or {}
    if not isinstance(days_raw, dict):
        raise _fail(path, "series_days", f"{days_raw!r} is not a mapping of series to weekdays.",
                    "write e.g. 'series_days: {Gear Friday: Fri}'.")  # fmt: skip
    days: dict[str, tuple[str, ...]] = {}
    for name, value in days_raw.items():
        values = (value if isinstance(value, list) else [value]) or [value]
        codes = []
        for v in values:
            word = str(v).strip().lower() if isinstance(v, str) else ""
            code = next((d[:3] for d in _DAY_NAMES if len(word) >= 2 and d.startswith(word)), None)
            if code is None:
                raise _fail(path, f"series_days.{name}", f"{v!r} is not a day of the week.",
                            "write Mon, Tue, Wed, Thu, Fri, Sat or Sun (or a list of them).")  # fmt: skip
            codes.append(code)
        days[str(name).strip()] = tuple(dict.fromkeys(codes))
    return {"keep_series": tuple(k.strip() for k in keep), "series_days": days}


def _number(path: Path, key: str, value: object, *, integer: bool = False) -> float:
    """A number from YAML (not a bool, not text such as 'sixty' or '5%')."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and integer and float(value) != int(value):
        ok = False
    if not ok or value != value or value < 0:  # NaN or negative
        kind = "a whole number" if integer else "a number"
        hint = (
            " (a share is written as 0.05, not 5%)"
            if isinstance(value, str) and "%" in value
            else ""
        )
        raise _fail(
            path,
            key,
            f"{value!r} is not {kind} >= 0{hint}.",
            f"write {kind} such as {'12' if integer else '0.4'}.",
        )
    return int(value) if integer else float(value)


def _mapping(path: Path, key: str, value: object) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(
            path,
            key,
            f"{value!r} is a {type(value).__name__}, not a mapping of names to values.",
            f"write it as '{key}: {{name: value, ...}}' (see README).",
        )
    return value


def load_brand(path: str | Path) -> BrandConfig:
    """Read and validate a ``brand.yaml`` (or the brand folder holding one).

    Raises
    ------
    ConfigError
        Naming the file and key at fault and what to write instead.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "brand.yaml"
    if not path.exists():
        raise ConfigError(
            f"{path}: no brand.yaml. What to do: create it with at least 'name' and 'timezone' "
            "(see README, 'Your own brand')."
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}, line {line}: is not UTF-8 text (byte {path.read_bytes()[exc.start]:#04x}). "
            "What to do: save it again as UTF-8 (most editors: 'Save with encoding')."
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"{path}{where}: not valid YAML ({exc}). What to do: fix the syntax."
        ) from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys. What to do: see README.")
    known = {
        "name",
        "timezone",
        "sprint_length",
        "platforms",
        "pillars",
        "cadence",
        "capacity_hours",
        "targets",
        "series_rule",
        "keep_series",
        "series_days",
    }
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _fail(path, unknown[0], "unknown key.", f"use one of {sorted(known)}.")
    for key in ("name", "timezone"):
        if not raw.get(key):
            raise _fail(path, key, "missing.", f"add '{key}: ...'.")
    try:
        ZoneInfo(str(raw["timezone"]))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise _fail(
            path,
            "timezone",
            f"{raw['timezone']!r} is not an IANA time zone.",
            "write a zone such as Europe/London or America/New_York.",
        ) from exc
    platforms = _mapping(path, "platforms", raw.get("platforms"))
    for name, value in platforms.items():
        if name not in PLATFORMS:
            raise _fail(path, f"platforms.{name}", "unknown platform.", f"use one of {PLATFORMS}.")
        if value is not None and not isinstance(value, dict):
            raise _fail(
                path,
                f"platforms.{name}",
                f"{value!r} is not a mapping.",
                f"write 'platforms: {{{name}: {{account: your-account-name}}}}'.",
            )
        account = (value or {}).get("account")
        if account is not None and not isinstance(account, str | int):
            raise _fail(
                path,
                f"platforms.{name}.account",
                f"{account!r} is not an account name.",
                "write the account's name as the exports show it.",
            )
    pillars = {
        str(k): _number(path, f"pillars.{k}", v)
        for k, v in _mapping(path, "pillars", raw.get("pillars")).items()
    }
    if pillars and abs(sum(pillars.values()) - 1) > 0.01:
        raise _fail(
            path,
            "pillars",
            f"shares add up to {sum(pillars.values()):.2f}.",
            "make them add up to 1.",
        )
    cadence = {
        str(k): int(_number(path, f"cadence.{k}", v, integer=True))
        for k, v in _mapping(path, "cadence", raw.get("cadence")).items()
    }
    for name in cadence:
        if name not in PLATFORMS:
            raise _fail(path, f"cadence.{name}", "unknown platform.", f"use one of {PLATFORMS}.")
    targets = []
    raw_targets = raw.get("targets") or []
    if not isinstance(raw_targets, list):
        raise _fail(
            path,
            "targets",
            f"{raw_targets!r} is not a list.",
            "write each target as a '- {name: ..., metric: ..., target: ...}' line.",
        )
    for i, t in enumerate(raw_targets):
        if not isinstance(t, dict) or "metric" not in t or "target" not in t:
            raise _fail(path, f"targets[{i}]", "needs 'metric' and 'target'.", "see README.")
        if t["metric"] not in TARGET_METRICS:
            raise _fail(
                path,
                f"targets[{i}].metric",
                f"unknown metric {t['metric']!r}.",
                f"use one of {TARGET_METRICS}.",
            )
        if t.get("platform") is not None and t["platform"] not in PLATFORMS:
            raise _fail(
                path,
                f"targets[{i}].platform",
                f"unknown platform {t['platform']!r}.",
                f"use one of {PLATFORMS}.",
            )
        targets.append(
            Target(
                name=str(t.get("name") or t["metric"]),
                metric=t["metric"],
                target=_number(path, f"targets[{i}].target", t["target"]),
                platform=t.get("platform"),
            )
        )
    rule_raw = _mapping(path, "series_rule", raw.get("series_rule"))
    try:
        rule = SeriesRule(**rule_raw)
    except TypeError as exc:
        raise _fail(
            path, "series_rule", str(exc), "use min_sprints, window, sunset_below, scale_above."
        ) from exc
    for key in ("min_sprints", "window"):
        _number(path, f"series_rule.{key}", getattr(rule, key), integer=True)
    for key in ("sunset_below", "scale_above"):
        _number(path, f"series_rule.{key}", getattr(rule, key))
    if not isinstance(raw.get("sprint_length", "month"), str):
        raise _fail(
            path, "sprint_length", f"{raw['sprint_length']!r} is not text.", "write 'month'."
        )
    return BrandConfig(
        slug=path.parent.name,
        name=str(raw["name"]),
        timezone=str(raw["timezone"]),
        sprint_length=str(raw.get("sprint_length", "month")),
        platforms={k: dict(v or {}) for k, v in platforms.items()},
        pillars=pillars,
        cadence=cadence,
        capacity_hours=_number(path, "capacity_hours", raw.get("capacity_hours", 40)),
        targets=tuple(targets),
        series_rule=rule,
        path=path,
        **_series_keys(raw, path),
    )


def list_brands(workspace: str | Path) -> list[str]:
    """Slugs of the brands in a workspace (folders holding a brand.yaml), sorted."""
    root = Path(workspace)
    return sorted(p.parent.name for p in root.glob("*/brand.yaml"))
