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
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BeforeValidator,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ._schema import Model, config_error
from ._yaml import read_yaml_mapping
from .errors import ConfigError
from .schema import PLATFORMS

__all__ = [
    "BrandConfig",
    "BrandFile",
    "Target",
    "SeriesRule",
    "load_brand",
    "list_brands",
    "is_timezone",
    "brand_keys_table",
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
            raise ConfigError(
                f"brand {self.slug!r} was not loaded from a file, so it has no folder.",
                fix="load it with socialnb.config.load_brand(<brand folder>).",
            )
        return self.path.parent


def is_timezone(name: object) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows.

    >>> is_timezone("Europe/London"), is_timezone("Europe"), is_timezone("Mars/Olympus")
    (True, False, False)
    """
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # a folder such as "Europe": OSError
        return False
    return True


# -- the declared schema of brand.yaml ---------------------------------------------------------
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _text(value: object) -> object:
    """A name YAML read as a number (``name: 2048``) is still a name; an empty one is refused."""
    if isinstance(value, str) and not value.strip():
        raise PydanticCustomError("empty", "is empty")
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _number_only(value: object) -> object:
    """Numbers only: no text ('sixty', '5%', '12') and no yes/no."""
    if isinstance(value, str | bool):
        hint = (
            " (a share is written as 0.05, not 5%)"
            if isinstance(value, str) and "%" in value
            else ""
        )
        raise PydanticCustomError("number", "is not a number{hint}", {"hint": hint})
    return value


def _weekdays(value: object) -> tuple[str, ...]:
    """``Fri`` or ``[Mon, Thu]`` (any unambiguous prefix of two letters or more) -> ``("fri",)``."""
    codes = []
    for v in (value if isinstance(value, list) else [value]) or [value]:
        word = v.strip().lower() if isinstance(v, str) else ""
        code = next((d[:3] for d in _DAY_NAMES if len(word) >= 2 and d.startswith(word)), None)
        if code is None:
            raise PydanticCustomError("weekday", "{day} is not a day of the week", {"day": repr(v)})
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def _account(value: object) -> object:
    """An account is a name or a number (an id), as the exports write it."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
        raise PydanticCustomError("account", "is not an account name")
    return value


def _listed(value: object) -> object:
    """One name may be written without the list brackets."""
    return [value] if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_text)]
#: A number >= 0 (a share, a target, hours); never text or a yes/no.
Amount = Annotated[float, BeforeValidator(_number_only), Field(ge=0, allow_inf_nan=False)]
#: A whole number >= 0 (12.0 is 12); never text or a yes/no.
Count = Annotated[int, BeforeValidator(_number_only), Field(ge=0)]
Weekdays = Annotated[tuple[str, ...], BeforeValidator(_weekdays)]


class AccountSpec(Model):
    """``platforms.<platform>``: the brand's account as the exports name it."""

    account: Annotated[str | int | None, BeforeValidator(_account)] = None


#: ``platforms``: platform -> ``{account: ...}`` (or nothing), one optional key per platform.
PlatformsSpec = create_model(
    "PlatformsSpec",
    __base__=Model,
    **{p: (AccountSpec | None, None) for p in PLATFORMS},  # type: ignore[call-overload]
)
#: ``cadence``: platform -> planned posts per sprint, one optional key per platform.
CadenceSpec = create_model(
    "CadenceSpec",
    __base__=Model,
    **{p: (Count, None) for p in PLATFORMS},  # type: ignore[call-overload]
)


class TargetSpec(Model):
    """One entry of ``targets``: a KPI the retro checks."""

    metric: Literal[TARGET_METRICS]  # type: ignore[valid-type]
    target: Amount
    name: Text | None = None
    platform: Literal[PLATFORMS] | None = None  # type: ignore[valid-type]


class SeriesRuleSpec(Model):
    """``series_rule``: when a series is kept, scaled or sunset (see the retro)."""

    min_sprints: Count = 3
    window: Count = 3
    sunset_below: Amount = 0.8
    scale_above: Amount = 1.2


class BrandFile(Model):
    """The declared schema of ``brand.yaml``: every key, its type and its default.

    ``load_brand`` validates the file with this model; README's table of brand.yaml keys is
    :func:`brand_keys_table` (a test keeps them in step).
    """

    name: Text = Field(title="text", description="the brand's display name")
    timezone: Text = Field(
        title="IANA zone",
        description="zone of the exports' wall-clock times, e.g. `Europe/London`",
    )
    sprint_length: str = Field("month", title="text", description="only `month` today")
    platforms: PlatformsSpec = Field(  # type: ignore[valid-type]
        PlatformsSpec(),
        title="platform: {account}",
        description="the brand's account per platform as the exports name it, e.g. "
        "`{instagram: {account: fernway.outdoors}}`; an export of another account is refused",
    )
    pillars: dict[Annotated[str, BeforeValidator(_text)], Amount] = Field(
        {},
        title="pillar: share",
        description="target share of posts per content pillar, adding up to 1",
    )
    cadence: CadenceSpec = Field(  # type: ignore[valid-type]
        CadenceSpec(),
        title="platform: whole number",
        description="planned posts per sprint per platform",
    )
    capacity_hours: Amount = Field(
        40.0, title="number", description="team hours per sprint for new content (the plan)"
    )
    targets: tuple[TargetSpec, ...] = Field(
        (),
        title="list of {name, metric, platform, target}",
        description=f"KPIs the retro checks; metric one of {', '.join(TARGET_METRICS)}",
    )
    series_rule: SeriesRuleSpec = Field(
        SeriesRuleSpec(),
        title="{min_sprints, window, sunset_below, scale_above}",
        description="when the retro calls a series keep, scale or sunset",
    )
    keep_series: Annotated[tuple[Text, ...], BeforeValidator(_listed)] = Field(
        (),
        title="list of series",
        description="series the plan keeps although the retro says sunset, e.g. `[Gear Friday]`",
    )
    series_days: dict[Text, Weekdays] = Field(
        {},
        title="series: weekday(s)",
        description="a series' day or days of the week, e.g. `{Gear Friday: Fri}`; else the "
        "most common weekday of its past posts",
    )

    @model_validator(mode="before")
    @classmethod
    def _null_is_empty(cls, data: Any) -> Any:
        """``targets:`` with nothing after it means no targets (the same for every collection)."""
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if not (v is None and k in _COLLECTIONS)}
        return data

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        if not is_timezone(value):
            raise PydanticCustomError("timezone", "is not an IANA time zone")
        return value

    @field_validator("pillars")
    @classmethod
    def _shares_add_up(cls, value: dict[str, float]) -> dict[str, float]:
        total = sum(value.values())
        if value and abs(total - 1) > 0.01:
            raise PydanticCustomError(
                "pillar_sum", "the shares add up to {total}, not 1", {"total": f"{total:.2f}"}
            )
        return value

    def to_config(self, path: Path, raw: dict[str, Any]) -> BrandConfig:
        """The :class:`BrandConfig` of this file (``raw``: the file's mapping, for key order)."""

        def given(spec: Model, key: str) -> list[str]:  # the keys written, in the file's order
            return [k for k in (raw.get(key) or {}) if k in spec.model_fields_set]

        platforms = self.platforms
        return BrandConfig(
            slug=path.parent.name,
            name=self.name,
            timezone=self.timezone,
            sprint_length=self.sprint_length,
            platforms={
                k: (getattr(platforms, k) or AccountSpec()).model_dump(exclude_unset=True)
                for k in given(platforms, "platforms")
            },
            pillars=dict(self.pillars),
            cadence={k: getattr(self.cadence, k) for k in given(self.cadence, "cadence")},
            capacity_hours=self.capacity_hours,
            targets=tuple(
                Target(t.name or t.metric, t.metric, t.target, t.platform) for t in self.targets
            ),
            series_rule=SeriesRule(**self.series_rule.model_dump()),
            path=path,
            keep_series=self.keep_series,
            series_days=dict(self.series_days),
        )


_COLLECTIONS = (
    "platforms",
    "pillars",
    "cadence",
    "targets",
    "series_rule",
    "keep_series",
    "series_days",
)

#: What to write instead, per top-level key of brand.yaml.
_FIXES = {
    "name": "write the brand's display name, e.g. 'name: Fernway Outdoor Co.'.",
    "timezone": "write a zone such as Europe/London or America/New_York.",
    "sprint_length": "write 'month'.",
    "platforms": f"write e.g. 'platforms: {{instagram: {{account: your-account-name}}}}', "
    f"platforms among {PLATFORMS}, accounts as the exports show them.",
    "pillars": "write e.g. 'pillars: {education: 0.4, community: 0.6}': numbers (0.4, not "
    "40%) adding up to 1.",
    "cadence": f"write e.g. 'cadence: {{instagram: 12}}': whole numbers, platforms among {PLATFORMS}.",
    "capacity_hours": "write a number of hours such as 40.",
    "targets": "write each target as '- {name: ..., metric: er_reach, platform: instagram, "
    f"target: 0.05}}' (target a number; metric among {TARGET_METRICS}).",
    "series_rule": "write e.g. 'series_rule: {min_sprints: 3, window: 3, sunset_below: 0.8, "
    "scale_above: 1.2}' (sprints as whole numbers).",
    "keep_series": "write e.g. 'keep_series: [Gear Friday]'.",
    "series_days": "write e.g. 'series_days: {Gear Friday: Fri}': Mon, Tue, Wed, Thu, Fri, Sat or "
    "Sun (or a list of them).",
}


def _brand_error(exc: ValidationError, path: Path) -> ConfigError:
    """The first problem of brand.yaml, with the advice of its top-level key."""
    loc = exc.errors(include_url=False)[0]["loc"]
    top = str(loc[0]) if loc else ""
    field = next((str(p) for p in reversed(loc) if not isinstance(p, int)), "")
    fix = _FIXES.get(top, f"use one of {sorted(BrandFile.model_fields)} (see README).")
    return config_error(exc, path=path, fixes={field: fix})


def _shown(value: object) -> str:
    """A default as README shows it."""
    if isinstance(value, Model):
        given = value.model_dump(exclude_none=True)
        return ", ".join(f"{k} {v:g}" for k, v in given.items()) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return f"`{value}`" if value not in ({}, ()) else "none"


def brand_keys_table() -> str:
    """README's table of brand.yaml keys, from :class:`BrandFile`: key, type, default, meaning.

    >>> print(brand_keys_table().splitlines()[2])
    | `name` | text | required | the brand's display name |
    """
    rows = ["| key | type | default | what it says |", "|---|---|---|---|"]
    for key, spec in BrandFile.model_fields.items():
        default = "required" if spec.is_required() else _shown(spec.default)
        rows.append(f"| `{key}` | {spec.title} | {default} | {spec.description} |")
    return "\n".join(rows)


def load_brand(path: str | Path) -> BrandConfig:
    r"""Read and validate a ``brand.yaml`` (or the brand folder holding one) with :class:`BrandFile`.

    Raises
    ------
    ConfigError
        Naming the file, the key at fault (``targets[2].target``), its value and what to write
        instead.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "acme"
    >>> folder.mkdir()
    >>> _ = (folder / "brand.yaml").write_text(
    ...     "name: Acme\ntimezone: Europe/London\ncadence: {instagram: 12}\n", encoding="utf-8")
    >>> brand = load_brand(folder)
    >>> brand.slug, brand.cadence, brand.capacity_hours
    ('acme', {'instagram': 12}, 40.0)
    >>> _ = (folder / "brand.yaml").write_text(
    ...     "name: Acme\ntimezone: UTC\ncadence: {instagram: twice}\n", encoding="utf-8")
    >>> try:
    ...     load_brand(folder)
    ... except ConfigError as err:
    ...     print(err.key, repr(err.value), err.problem)
    cadence.instagram 'twice' is not a number.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "brand.yaml"
    if not path.exists():
        raise ConfigError(
            "no brand.yaml.",
            path=path,
            fix="create it with at least 'name' and 'timezone' (see README, 'Your own brand').",
        )
    raw = read_yaml_mapping(path)
    try:
        spec = BrandFile.model_validate(raw)
    except ValidationError as exc:
        raise _brand_error(exc, path) from None
    return spec.to_config(path, raw)


def list_brands(workspace: str | Path) -> list[str]:
    r"""Slugs of the brands in a workspace (folders holding a brand.yaml), sorted.

    >>> import tempfile, pathlib
    >>> ws = pathlib.Path(tempfile.mkdtemp())
    >>> for slug in ("zed", "acme", "notes"):
    ...     (ws / slug).mkdir()
    >>> for slug in ("zed", "acme"):
    ...     _ = (ws / slug / "brand.yaml").write_text("name: X\ntimezone: UTC\n")
    >>> list_brands(ws)
    ['acme', 'zed']
    """
    root = Path(workspace)
    return sorted(p.parent.name for p in root.glob("*/brand.yaml"))
