"""The test registry: ``experiments.yaml`` declared as one pydantic model, read into frozen
:class:`Experiment` records, and checked against the warehouse's posts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BeforeValidator, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from .. import metrics, periods
from .._schema import Model, config_error
from .._yaml import not_utf8
from ..errors import AnalysisError, ConfigError
from ..schema import PLATFORMS, POST_METRIC_FIELDS

__all__ = [
    "DESIGNS",
    "GUARDRAIL_MARGIN",
    "Variant",
    "Experiment",
    "ExperimentSpec",
    "RegistrySpec",
    "load_experiments",
    "select_experiments",
    "metric_values",
    "validate_against_posts",
]

DESIGNS: tuple[str, ...] = ("split", "posts", "paired")
GUARDRAIL_MARGIN = 0.10
"""Default non-inferiority margin of a guardrail: "ok" needs the interval to rule out harm of
more than 10% (the guardrail's ratio > 0.90); set ``margin`` per guardrail in experiments.yaml."""
_STATUSES = ("planned", "running", "concluded")
#: The exposures a post-level test may divide by: the denominators of the engagement rates
#: in :mod:`socialnb.metrics` that count the audience of one post (not followers).
_EXPOSURES: tuple[str, ...] = tuple(
    dict.fromkeys(
        d.denominator
        for d in metrics.METRICS.values()
        if d.numerator == "engagements" and d.denominator not in (None, "followers")
    )
)
_METRICS = ("engagements", *POST_METRIC_FIELDS)


# =========================================================================== records
@dataclass(frozen=True)
class Variant:
    """One arm of a test: post ids (``posts``/``paired``) or counts (``split``)."""

    name: str
    posts: tuple[str, ...] = ()
    successes: int | None = None
    exposure: int | None = None
    intended_share: float | None = None


@dataclass(frozen=True)
class Experiment:
    """One registered content test (see :mod:`socialnb.experiments` for the designs)."""

    id: str
    design: str
    primary_metric: str
    variants: tuple[Variant, ...]
    hypothesis: str = ""
    platform: str | None = None
    exposure: str = "impressions"
    guardrails: tuple[str, ...] = ()
    guardrail_margins: tuple[float, ...] = ()
    min_effect: float = 0.10
    start: dt.date | None = None
    end: dt.date | None = None
    status: str = "planned"
    decision: str = ""
    question: str | None = None
    source: str = ""
    key: str = field(default="", compare=False)  # where it stands in its file: experiments[2]

    @property
    def baseline(self) -> str:
        """The baseline variant: the first one in the registry."""
        return self.variants[0].name

    @property
    def post_ids(self) -> tuple[str, ...]:
        return tuple(p for v in self.variants for p in v.posts)

    def posts_frame(self) -> pd.DataFrame:
        """Post id, variant and (for paired tests) slot of every registered post."""
        rows = [
            {"post_id": p, "variant": v.name, "slot": i}
            for v in self.variants
            for i, p in enumerate(v.posts)
        ]
        return pd.DataFrame(rows, columns=["post_id", "variant", "slot"])


# =========================================================================== the declared schema
def _problem(loc: tuple, problem: str, value: Any, fix: str) -> ValidationError:
    """A problem found across fields, placed at its own key (``variants[1].successes``)."""
    err = PydanticCustomError("registry", "{problem}", {"problem": problem, "fix": fix})
    return ValidationError.from_exception_data(
        "experiments.yaml", [InitErrorDetails(type=err, loc=loc, input=value)]
    )


def _text(value: Any) -> Any:
    """Ids and names YAML read as numbers become text; None becomes empty text."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("number", "{problem}", {"problem": f"{value!r} is not a number"})
    return value


def _count(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return _number(value)


def _day(value: Any) -> dt.date | None:
    try:
        return periods.parse_date(value)
    except ValueError:
        raise PydanticCustomError(
            "date", "{problem}", {"problem": "is not a date", "fix": "write it as YYYY-MM-DD"}
        ) from None


def _listed(value: Any) -> Any:
    """``guardrails: saves`` is a list of one; nothing is an empty list."""
    if value is None:
        return []
    return [value] if isinstance(value, (str, Mapping)) else value


Text = Annotated[str, BeforeValidator(_text)]
Count = Annotated[int, BeforeValidator(_count), Field(ge=0)]
Day = Annotated[dt.date | None, BeforeValidator(_day)]
MetricName = Literal[_METRICS]  # type: ignore[valid-type]


class VariantSpec(Model):
    """One variant as written: ``{name, posts}`` or ``{name, successes, exposure, intended_share}``."""

    name: Text = Field(min_length=1)
    posts: list[Text] | None = None
    successes: Count | None = None
    exposure: Count | None = None
    intended_share: Annotated[float, BeforeValidator(_number), Field(gt=0, lt=1)] | None = None


class GuardrailSpec(Model):
    """``saves`` or ``{metric: comments, margin: 0.2}``."""

    metric: MetricName
    margin: Annotated[float, BeforeValidator(_number), Field(gt=0, lt=1)] = GUARDRAIL_MARGIN

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, value: Any) -> Any:
        return {"metric": value} if isinstance(value, str) else value


class ExperimentSpec(Model):
    """One test as written in ``experiments.yaml`` (the README's 'Workspace files' lists the
    keys); the checks across keys (dates in order, variant counts, counts within exposure, a
    post in one variant only) report the key at fault."""

    id: Text = Field(min_length=1)
    design: Literal[DESIGNS]  # type: ignore[valid-type]
    primary_metric: MetricName
    variants: list[VariantSpec]
    hypothesis: Text = ""
    platform: Literal[PLATFORMS] | None = None  # type: ignore[valid-type]
    exposure: Text = "impressions"
    guardrails: Annotated[list[GuardrailSpec], BeforeValidator(_listed)] = []
    min_effect: Annotated[float, BeforeValidator(_number), Field(gt=0, lt=10)] = 0.10
    start: Day = None
    end: Day = None
    status: Literal[_STATUSES] = "planned"  # type: ignore[valid-type]
    decision: Text = ""
    question: Text | None = None

    @field_validator("variants")
    @classmethod
    def _variant_count(cls, variants: list[VariantSpec], info) -> list[VariantSpec]:
        design = info.data.get("design")
        lo, hi = (2, 4) if design == "split" else (2, 2)
        if design is not None and not lo <= len(variants) <= hi:
            allowed = "2 to 4" if design == "split" else "exactly 2"
            raise PydanticCustomError(
                "registry",
                "{problem}",
                {"problem": f"{len(variants)} variants for a {design!r} test",
                 "fix": f"a {design!r} test has {allowed} variants"},
            )  # fmt: skip
        return variants

    @model_validator(mode="after")
    def _consistent(self) -> ExperimentSpec:
        if self.start and self.end and self.end < self.start:
            raise _problem(
                ("end",), f"is before start {self.start}", str(self.end), "fix the dates"
            )
        if self.design != "split" and self.exposure not in _EXPOSURES:
            raise _problem(("exposure",), f"unknown exposure {self.exposure!r}", self.exposure,
                           f"use one of {', '.join(_EXPOSURES)}")  # fmt: skip
        names: set[str] = set()
        for i, v in enumerate(self.variants):
            if v.name in names:
                raise _problem(
                    ("variants", i, "name"), "duplicate variant name", v.name, "rename it"
                )
            names.add(v.name)
        if self.design == "split":
            self._check_counts()
        else:
            self._check_posts()
        return self

    def _check_counts(self) -> None:
        for i, v in enumerate(self.variants):
            if self.status == "planned" and v.successes is None:
                continue
            for key in ("successes", "exposure"):
                if getattr(v, key) is None:
                    raise _problem(("variants", i, key), "missing count", None,
                                   "a split variant needs successes and exposure")  # fmt: skip
            if v.successes > v.exposure:
                raise _problem(("variants", i, "successes"),
                               f"{v.successes} successes out of {v.exposure} exposure", v.successes,
                               "successes cannot exceed exposure; check the counts")  # fmt: skip
        shares = [v.intended_share for v in self.variants]
        if any(s is not None for s in shares) and (
            any(s is None for s in shares) or abs(sum(shares) - 1) > 0.01
        ):
            raise _problem(("variants", "intended_share"),
                           "intended shares must be given for every variant and sum to 1", shares,
                           "give every variant its intended_share, or none of them")  # fmt: skip

    def _check_posts(self) -> None:
        owner: dict[str, str] = {}
        for i, v in enumerate(self.variants):
            if not v.posts and self.status != "planned":
                raise _problem(("variants", i, "posts"), "missing or empty post list", v.posts,
                               _FIXES["posts"])  # fmt: skip
            for p in v.posts or ():
                if p in owner:
                    raise _problem(("variants", i, "posts"),
                                   f"post {p!r} is listed in variant {owner[p]!r} and in {v.name!r}",
                                   p, "a post belongs to one variant only; remove the duplicate")  # fmt: skip
                owner[p] = v.name
        lengths = [len(v.posts or ()) for v in self.variants]
        if self.design == "paired" and len(set(lengths)) > 1:
            raise _problem(("variants", "posts"),
                           f"paired variants have post lists of different lengths {lengths}",
                           lengths, "posts[i] of every variant share slot i: give every variant "
                           "one post per slot")  # fmt: skip

    def to_experiment(self, source: str | Path = "", key: str = "") -> Experiment:
        """The frozen :class:`Experiment` this spec declares."""
        variants = tuple(
            Variant(v.name, (), v.successes, v.exposure, v.intended_share)
            if self.design == "split"
            else Variant(v.name, tuple(v.posts or ()))
            for v in self.variants
        )
        return Experiment(
            id=self.id,
            design=self.design,
            primary_metric=self.primary_metric,
            variants=variants,
            hypothesis=self.hypothesis,
            platform=self.platform,
            exposure=self.exposure,
            guardrails=tuple(g.metric for g in self.guardrails),
            guardrail_margins=tuple(g.margin for g in self.guardrails),
            min_effect=self.min_effect,
            start=self.start,
            end=self.end,
            status=self.status,
            decision=self.decision,
            question=self.question or None,
            source=str(source),
            key=key,
        )


def _none_is_empty(value: Any) -> Any:
    return [] if value is None else value


class RegistrySpec(Model):
    """``experiments.yaml``: a list of tests under ``experiments:`` (ids unique)."""

    experiments: Annotated[list[ExperimentSpec], BeforeValidator(_none_is_empty)] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> RegistrySpec:
        seen: set[str] = set()
        for i, exp in enumerate(self.experiments):
            if exp.id in seen:
                raise _problem(("experiments", i, "id"), "duplicate experiment id", exp.id,
                               "give each test its own id")  # fmt: skip
            seen.add(exp.id)
        return self


#: What to do, per key, for the problems pydantic finds itself (types, choices, ranges).
_FIXES: dict[str, str] = {
    "experiments": "list the tests under experiments:",
    "id": "give every test an id",
    "design": f"use one of {', '.join(DESIGNS)}",
    "primary_metric": f"use one of {', '.join(_METRICS)}",
    "metric": f"use one of {', '.join(_METRICS)}",
    "platform": f"use one of {', '.join(PLATFORMS)}",
    "status": f"use one of {', '.join(_STATUSES)}",
    "exposure": f"a split variant's exposure is a count (a whole number, 0 or more); a test's "
    f"exposure is one of {', '.join(_EXPOSURES)}",
    "min_effect": "write e.g. 0.10 for 10%",
    "margin": f"write e.g. 0.10 for 'at most 10% worse' (the default is {GUARDRAIL_MARGIN:g})",
    "successes": "a split variant needs successes and exposure: whole numbers, 0 or more",
    "intended_share": "write a number between 0 and 1",
    "variants": "list the variants",
    "name": "give every variant a name: add name: ...",
    "posts": "list the post ids of this variant (quote them so YAML keeps them text)",
    "start": "write it as YYYY-MM-DD",
    "end": "write it as YYYY-MM-DD",
}


def _registry_error(exc: ValidationError, path: Path, doc: Mapping) -> ConfigError:
    """The first problem as a structured ConfigError: the file, the key
    (``experiments[2].variants[0].exposure``), the value, the fix; the problem names the test."""
    err = config_error(exc, path=path, fixes=_FIXES)
    first = exc.errors(include_url=False)[0]
    loc = tuple(first.get("loc", ()))
    fix = (first.get("ctx") or {}).get("fix") or err.fix
    if first.get("type") == "extra_forbidden":
        fix = "check its spelling against the keys in the README ('Workspace files'), or remove it"
    problem = err.problem
    items = doc.get("experiments")
    if len(loc) > 1 and loc[0] == "experiments" and isinstance(loc[1], int):
        raw = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        exp_id = raw.get("id") if isinstance(raw, Mapping) else None
        if exp_id:
            problem = f"experiment {str(exp_id)!r}: {problem}"
    value = {"value": err.value} if err.has_value else {}
    return ConfigError(problem, path=err.path, key=err.key, fix=fix, **value)


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay text, so a bad date is reported with
    its experiment id and key instead of failing inside the YAML parser."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read(path: Path) -> Any:
    if not path.exists():
        raise ConfigError("file not found.", path=path, fix="check the path to experiments.yaml.")
    data = path.read_bytes()
    try:
        return yaml.load(data.decode("utf-8"), Loader=_Loader)
    except UnicodeDecodeError as exc:
        raise not_utf8(path, data, exc, fix="save the file as UTF-8.") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML ({exc}).", path=path, fix="fix the syntax.") from None


def load_experiments(path_or_brand_folder: str | Path) -> tuple[Experiment, ...]:
    """Read and validate a test registry (declared by :class:`RegistrySpec`).

    Parameters
    ----------
    path_or_brand_folder
        ``experiments.yaml`` itself, or a brand folder holding one (a brand folder without the
        file has no tests: an empty tuple).

    Raises
    ------
    ConfigError
        With the file (``.path``), the key at fault (``.key``, e.g.
        ``experiments[2].variants[0].exposure``), the value found (``.value``) and what to do
        (``.fix``); the message names the test.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "experiments.yaml").write_text(
    ...     "experiments:\\n  - {id: cta, design: split, primary_metric: clicks, status: running,\\n"
    ...     "     variants: [{name: A, successes: 41, exposure: 2014},\\n"
    ...     "                {name: B, successes: 58, exposure: 98}]}\\n")
    >>> [(e.id, e.baseline) for e in load_experiments(folder)]
    [('cta', 'A')]
    >>> _ = (folder / "experiments.yaml").write_text(
    ...     "experiments:\\n  - {id: cta, design: split, primary_metric: clicks, status: running,\\n"
    ...     "     variants: [{name: A, successes: 41, exposure: 2014},\\n"
    ...     "                {name: B, successes: 58, exposure: -98}]}\\n")
    >>> try:
    ...     load_experiments(folder)
    ... except ConfigError as err:
    ...     print(err.key, err.value)
    experiments[0].variants[1].exposure -98
    """
    path = Path(path_or_brand_folder)
    if path.is_dir():
        path = path / "experiments.yaml"
        if not path.exists():
            return ()
    doc = _read(path)
    if doc is None:
        return ()
    if not isinstance(doc, Mapping):
        raise ConfigError(
            "is not a mapping with the tests under experiments:.",
            path=path,
            fix="start the file with experiments: and list the tests under it.",
        )
    try:
        spec = RegistrySpec.model_validate(doc)
    except ValidationError as exc:
        raise _registry_error(exc, path, doc) from None
    return tuple(e.to_experiment(path, f"experiments[{i}]") for i, e in enumerate(spec.experiments))


def select_experiments(
    experiments: Sequence[Experiment], month: str | None = None, *, include_planned: bool = False
) -> tuple[Experiment, ...]:
    """Tests that had started by the end of ``month`` (``YYYY-MM``); planned ones dropped.

    Examples
    --------
    >>> a = Experiment("a", "split", "clicks", (), status="running", start=dt.date(2026, 9, 3))
    >>> b = Experiment("b", "split", "clicks", (), status="planned")
    >>> [e.id for e in select_experiments([a, b], "2026-09")], select_experiments([a, b], "2026-08")
    (['a'], ())
    """
    after = None
    if month is not None:
        after = periods.month_start(periods.next_month(periods.check_month(month)))
    return tuple(
        e
        for e in experiments
        if (include_planned or e.status != "planned")
        and (after is None or e.start is None or e.start < after)
    )


def metric_values(posts: pd.DataFrame, metric: str) -> pd.Series:
    """Per-post values of ``metric``.

    ``engagements`` is :func:`socialnb.metrics.engagements` (the sum of the parts the platform
    reports, NaN only when none is reported) unless the table already has the column; any other
    name is a canonical post column.

    Examples
    --------
    >>> posts = pd.DataFrame({"likes": [10.0, None], "comments": [2.0, None]})
    >>> metric_values(posts, "engagements").tolist()
    [12.0, nan]
    """
    if metric in posts.columns:
        return pd.to_numeric(posts[metric], errors="coerce").astype(float)
    if metric == "engagements":
        if not any(c in posts.columns for c in metrics.ENGAGEMENT_PARTS):
            raise AnalysisError(
                "engagements: the posts table has none of " + ", ".join(metrics.ENGAGEMENT_PARTS)
            )
        return metrics.engagements(posts)
    raise AnalysisError(
        f"metric {metric!r} is not a column of the posts table. What to do: use one of {_METRICS}"
    )


def _experiment_posts(exp: Experiment, posts_df: pd.DataFrame) -> pd.DataFrame:
    reg = exp.posts_frame()
    pool = posts_df
    if exp.platform is not None and "platform" in pool.columns:
        pool = pool[pool["platform"].astype("string") == exp.platform]
    pool = pool.assign(post_id=pool["post_id"].astype("string").astype(object))
    pool = pool.drop_duplicates("post_id", keep="last")
    merged = reg.merge(
        pool.drop(columns=["variant", "slot"], errors="ignore"),
        on="post_id",
        how="left",
        indicator=True,
    )
    return merged


def validate_against_posts(
    experiments: Sequence[Experiment], posts_df: pd.DataFrame
) -> tuple[str, ...]:
    """Check registered tests against the warehouse's posts.

    Raises
    ------
    ConfigError
        Listing every unknown post id and every metric (primary, guardrail or exposure) the
        platform does not report for the test's posts (all missing).

    Returns
    -------
    tuple of str
        Warnings: overlapping tests that share posts (their results are not independent).
    """
    problems: list[ConfigError] = []
    warnings_: list[str] = []
    owner: dict[str, str] = {}
    for exp in experiments:
        if exp.design == "split":
            continue
        for p in exp.post_ids:
            if p in owner and owner[p] != exp.id:
                warnings_.append(
                    f"post {p} is in test {owner[p]!r} and in {exp.id!r}: the two results "
                    "are not independent"
                )
            owner.setdefault(p, exp.id)
        problems += _against_posts(exp, _experiment_posts(exp, posts_df))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ConfigError("\n".join(str(p) for p in problems))
    return tuple(dict.fromkeys(warnings_))


def _against_posts(exp: Experiment, merged: pd.DataFrame) -> list[ConfigError]:
    """One test's unknown post ids and the metrics its platform does not report."""

    def problem(key: str, text: str, value: Any, fix: str) -> ConfigError:
        where = f"{exp.key}.{key}" if exp.key else key
        return ConfigError(f"experiment {exp.id!r}: {text}.", path=exp.source or None, key=where,
                           value=value, fix=fix)  # fmt: skip

    out = []
    missing = merged.loc[merged["_merge"] == "left_only", "post_id"].tolist()
    if missing:
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        where = f" on {exp.platform}" if exp.platform else ""
        out.append(problem("variants", f"{len(missing)} post id(s) not found{where}: {shown}",
                           missing, "check the ids, or ingest the exports holding them."))  # fmt: skip
    found = merged[merged["_merge"] == "both"]
    if found.empty:
        return out
    checks = [("primary_metric", exp.primary_metric), ("exposure", exp.exposure)]
    checks += [(f"guardrails[{i}]", g) for i, g in enumerate(exp.guardrails)]
    for key, metric in checks:
        try:
            values = metric_values(found, metric)
        except AnalysisError:
            values = pd.Series(np.nan, index=found.index)
        if values.isna().all():
            text = f"{exp.platform or 'the platform'} does not report {metric!r} for these posts"
            out.append(problem(key, text, metric, "pick a metric the platform exports."))
    return out
