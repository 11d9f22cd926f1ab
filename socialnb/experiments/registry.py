"""A/B content tests: the registry, the tests, power, sequential monitoring and decisions.

Designs (``data/<brand>/experiments.yaml``):

* ``split``: a randomised platform test (Meta post tests, YouTube Test & Compare) recorded as
  counts per variant, 2 to 4 variants. Analysed with two-proportion statistics
  (:func:`compare_split`, :func:`compare_split_many`).
* ``posts``: several posts per variant, analysed at post level with exposure
  (:func:`compare_posts`): a randomisation test of the ratio of rates and the interval found by
  inverting it (the negative binomial GLM with a log-exposure offset is kept for reference, and
  used when covariates are adjusted for).
* ``paired``: the same, variants paired by posting slot (``posts[i]`` of every variant share
  slot ``i``): labels swapped within slots, Mantel-Haenszel rate ratio.

Guardrails are non-inferiority checks with a margin per guardrail (:data:`GUARDRAIL_MARGIN` by
default); p-values of every test and guardrail on the page are adjusted together
(Benjamini-Hochberg) before any winner or harm is declared.

Why post level: counts across posts are heavily overdispersed, so a pooled test on summed
impressions (what dashboards do) gives p-values that are far too small. That test is still shown,
labelled "what a dashboard would say".

Meta-analysis rule: concluded tests that carry the same ``question`` key in the registry are
pooled with a random-effects meta-analysis of their log ratios (``pool_by="question"``, the
default): DerSimonian-Laird between-test variance floored at 0, the wider of the
Hartung-Knapp-Sidik-Jonkman and the normal interval. ``pool_by="metric_design"`` pools instead every concluded test sharing the primary
metric and the design family (randomised split vs post level); use it only when those tests ask
the same question.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from .. import _stats
from ..errors import AnalysisError, ConfigError, ParameterError
from ..schema import PLATFORMS, POST_METRIC_FIELDS

__all__ = [
    "DESIGNS",
    "GUARDRAIL_MARGIN",
    "Variant",
    "Experiment",
    "load_experiments",
    "validate_against_posts",
    "select_experiments",
    "metric_values",
    "SplitComparison",
    "compare_split",
    "SplitManyComparison",
    "compare_split_many",
    "PostsComparison",
    "compare_posts",
    "posts_needed",
    "estimate_dispersion",
    "sample_size_proportions",
    "adjust",
    "MonitorResult",
    "monitor",
    "Decision",
    "decide",
    "ExperimentsAnalysis",
    "analyse_experiments",
]

DESIGNS: tuple[str, ...] = ("split", "posts", "paired")
GUARDRAIL_MARGIN = 0.10
"""Default non-inferiority margin of a guardrail: "ok" needs the interval to rule out harm of
more than 10% (the guardrail's ratio > 0.90); set ``margin`` per guardrail in experiments.yaml."""
_STATUSES = ("planned", "running", "concluded")
_EXPOSURES = ("impressions", "views", "reach")
_ENGAGEMENT_PARTS = ("likes", "comments", "shares", "saves")
_METRICS = ("engagements", *POST_METRIC_FIELDS)


# =========================================================================== registry
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
    """One registered content test (see the module docstring for the designs)."""

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


def _cfg_error(path: Path, exp_id: str | None, key: str, problem: str, fix: str) -> ConfigError:
    where = f"{path}" + (f": experiment {exp_id!r}" if exp_id else "")
    return ConfigError(f"{where}, key {key!r}: {problem}. What to do: {fix}")


def _as_date(value: Any, path: Path, exp_id: str, key: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _cfg_error(
            path, exp_id, key, f"{value!r} is not a date", "write it as YYYY-MM-DD"
        ) from None


def _as_count(value: Any, path: Path, exp_id: str, key: str) -> int:
    if value is None:
        raise _cfg_error(
            path, exp_id, key, "missing count", "a split variant needs successes and exposure"
        )
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise _cfg_error(path, exp_id, key, f"{value!r} is not a whole number", "write a count")
    if value < 0:
        raise _cfg_error(path, exp_id, key, f"{value} is negative", "counts are 0 or more")
    return int(value)


def _parse_variants(
    raw: Any, design: str, path: Path, exp_id: str, planned: bool = False
) -> tuple[Variant, ...]:
    if not isinstance(raw, list) or not raw:
        raise _cfg_error(path, exp_id, "variants", "missing or not a list", "list the variants")
    lo, hi = (2, 4) if design == "split" else (2, 2)
    if not lo <= len(raw) <= hi:
        allowed = "2 to 4" if design == "split" else "exactly 2"
        raise _cfg_error(
            path,
            exp_id,
            "variants",
            f"{len(raw)} variants for a {design!r} test",
            f"a {design!r} test has {allowed} variants",
        )
    variants: list[Variant] = []
    seen_names: set[str] = set()
    seen_posts: dict[str, str] = {}
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping) or not item.get("name"):
            raise _cfg_error(
                path, exp_id, f"variants[{i}]", "a variant needs a name", "add name: ..."
            )
        name = str(item["name"])
        if name in seen_names:
            raise _cfg_error(
                path, exp_id, f"variants[{i}].name", f"duplicate name {name!r}", "rename it"
            )
        seen_names.add(name)
        if design == "split" and planned and item.get("successes") is None:
            variants.append(Variant(name))
        elif design == "split":
            x = _as_count(item.get("successes"), path, exp_id, f"variants[{i}].successes")
            n = _as_count(item.get("exposure"), path, exp_id, f"variants[{i}].exposure")
            if x > n:
                raise _cfg_error(
                    path,
                    exp_id,
                    f"variants[{i}].successes",
                    f"{x} successes out of {n} exposure",
                    "successes cannot exceed exposure; check the counts",
                )
            share = item.get("intended_share")
            if share is not None and not (isinstance(share, (int, float)) and 0 < float(share) < 1):
                raise _cfg_error(
                    path,
                    exp_id,
                    f"variants[{i}].intended_share",
                    f"{share!r} is not a share",
                    "write a number between 0 and 1",
                )
            variants.append(Variant(name, (), x, n, None if share is None else float(share)))
        else:
            posts = item.get("posts")
            if planned and posts in (None, []):
                posts = []
            elif not isinstance(posts, list) or not posts:
                raise _cfg_error(
                    path,
                    exp_id,
                    f"variants[{i}].posts",
                    "missing or empty post list",
                    "list the post ids of this variant (quote them so YAML keeps them text)",
                )
            ids = tuple(str(p).strip() for p in posts)
            for p in ids:
                if p in seen_posts:
                    raise _cfg_error(
                        path,
                        exp_id,
                        f"variants[{i}].posts",
                        f"post {p!r} is listed in variant {seen_posts[p]!r} and in {name!r}",
                        "a post belongs to one variant only; remove the duplicate",
                    )
                seen_posts[p] = name
            variants.append(Variant(name, ids))
    if design == "split":
        shares = [v.intended_share for v in variants]
        if any(s is not None for s in shares) and (
            any(s is None for s in shares) or abs(sum(shares) - 1) > 0.01
        ):
            raise _cfg_error(
                path,
                exp_id,
                "variants.intended_share",
                "intended shares must be given for every variant and sum to 1",
                "give every variant its intended_share, or none of them",
            )
    if design == "paired" and len({len(v.posts) for v in variants}) > 1:
        raise _cfg_error(
            path,
            exp_id,
            "variants.posts",
            "paired variants have post lists of different lengths "
            + str([len(v.posts) for v in variants]),
            "posts[i] of every variant share slot i: give every variant one post per slot",
        )
    return tuple(variants)


def _parse_guardrails(
    raw: Any, path: Path, exp_id: str
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """``guardrails: [saves, {metric: comments, margin: 0.2}]``: names with their margins."""
    items = [raw] if isinstance(raw, (str, Mapping)) else raw
    if not isinstance(items, list):
        raise _cfg_error(path, exp_id, "guardrails", "not a list", "list the guardrail metrics")
    names, margins = [], []
    for i, item in enumerate(items):
        margin: Any = GUARDRAIL_MARGIN
        if isinstance(item, Mapping):
            margin = item.get("margin", GUARDRAIL_MARGIN)
            item = item.get("metric")
        if item not in _METRICS:
            raise _cfg_error(
                path,
                exp_id,
                f"guardrails[{i}]",
                f"unknown metric {item!r}",
                f"use one of {_METRICS}",
            )
        if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 < margin < 1:
            raise _cfg_error(
                path,
                exp_id,
                f"guardrails[{i}].margin",
                f"{margin!r} is not a relative harm between 0 and 1",
                f"write e.g. 0.10 for 'at most 10% worse' (the default is {GUARDRAIL_MARGIN:g})",
            )
        names.append(str(item))
        margins.append(float(margin))
    return tuple(names), tuple(margins)


def _parse_experiment(raw: Any, index: int, path: Path) -> Experiment:
    if not isinstance(raw, Mapping):
        raise _cfg_error(path, None, f"experiments[{index}]", "not a mapping", "see the contract")
    exp_id = raw.get("id")
    if not exp_id:
        raise _cfg_error(
            path, None, f"experiments[{index}].id", "missing id", "give every test an id"
        )
    exp_id = str(exp_id)
    design = raw.get("design")
    if design not in DESIGNS:
        raise _cfg_error(
            path, exp_id, "design", f"unknown design {design!r}", f"use one of {', '.join(DESIGNS)}"
        )
    metric = raw.get("primary_metric")
    if not metric or str(metric) not in _METRICS:
        raise _cfg_error(
            path,
            exp_id,
            "primary_metric",
            f"unknown metric {metric!r}",
            f"use one of {', '.join(_METRICS)}",
        )
    platform = raw.get("platform")
    if platform is not None and platform not in PLATFORMS:
        raise _cfg_error(
            path, exp_id, "platform", f"unknown platform {platform!r}", f"use one of {PLATFORMS}"
        )
    exposure = raw.get("exposure", "impressions")
    if design != "split" and exposure not in _EXPOSURES:
        raise _cfg_error(
            path, exp_id, "exposure", f"unknown exposure {exposure!r}", f"use one of {_EXPOSURES}"
        )
    guardrails, margins = _parse_guardrails(raw.get("guardrails") or [], path, exp_id)
    min_effect = raw.get("min_effect", 0.10)
    if (
        isinstance(min_effect, bool)
        or not isinstance(min_effect, (int, float))
        or not (0 < min_effect < 10)
    ):
        raise _cfg_error(
            path,
            exp_id,
            "min_effect",
            f"{min_effect!r} is not a relative effect",
            "write e.g. 0.10 for 10%",
        )
    status = raw.get("status", "planned")
    if status not in _STATUSES:
        raise _cfg_error(
            path, exp_id, "status", f"unknown status {status!r}", f"use one of {_STATUSES}"
        )
    start = _as_date(raw.get("start"), path, exp_id, "start")
    end = _as_date(raw.get("end"), path, exp_id, "end")
    if start and end and end < start:
        raise _cfg_error(path, exp_id, "end", f"end {end} is before start {start}", "fix the dates")
    variants = _parse_variants(
        raw.get("variants"), design, path, exp_id, planned=status == "planned"
    )
    return Experiment(
        id=exp_id,
        design=design,
        primary_metric=str(metric),
        variants=variants,
        hypothesis=str(raw.get("hypothesis") or ""),
        platform=platform,
        exposure=str(exposure),
        guardrails=guardrails,
        guardrail_margins=margins,
        min_effect=float(min_effect),
        start=start,
        end=end,
        status=status,
        decision=str(raw.get("decision") or ""),
        question=None if raw.get("question") in (None, "") else str(raw["question"]),
        source=str(path),
    )


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay text, so a bad date is reported with
    its experiment id and key instead of failing inside the YAML parser."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_experiments(path_or_brand_folder: str | Path) -> tuple[Experiment, ...]:
    """Read and validate a test registry.

    Parameters
    ----------
    path_or_brand_folder
        ``experiments.yaml`` itself, or a brand folder holding one (a brand folder without the
        file has no tests: an empty tuple).

    Raises
    ------
    ConfigError
        Naming the file, the experiment id and the key at fault.
    """
    path = Path(path_or_brand_folder)
    if path.is_dir():
        path = path / "experiments.yaml"
        if not path.exists():
            return ()
    if not path.exists():
        raise ConfigError(f"{path}: file not found. What to do: check the path to experiments.yaml")
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}). What to do: fix the syntax") from None
    if doc is None:
        return ()
    items = doc.get("experiments") if isinstance(doc, Mapping) else None
    if items is None:
        return ()
    if not isinstance(items, list):
        raise _cfg_error(
            path, None, "experiments", "not a list", "list the tests under experiments:"
        )
    out: list[Experiment] = []
    ids: set[str] = set()
    for i, raw in enumerate(items):
        exp = _parse_experiment(raw, i, path)
        if exp.id in ids:
            raise _cfg_error(
                path, exp.id, "id", "duplicate experiment id", "give each test its own id"
            )
        ids.add(exp.id)
        out.append(exp)
    return tuple(out)


def select_experiments(
    experiments: Sequence[Experiment], month: str | None = None, *, include_planned: bool = False
) -> tuple[Experiment, ...]:
    """Tests that had started by the end of ``month`` (``YYYY-MM``); planned ones dropped."""
    if month is None:
        end = None
    else:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}", str(month)):
                raise ValueError(month)
            period = pd.Period(month, freq="M")
        except ValueError:
            raise ParameterError(
                f"month={month!r} is not a month. What to do: write YYYY-MM, e.g. 2026-10"
            ) from None
        end = period.end_time.date()
    out = []
    for e in experiments:
        if e.status == "planned" and not include_planned:
            continue
        if end is not None and e.start is not None and e.start > end:
            continue
        out.append(e)
    return tuple(out)


def metric_values(posts: pd.DataFrame, metric: str) -> pd.Series:
    """Per-post values of ``metric``.

    ``engagements`` = likes + comments + shares + saves over the parts the platform reports (NaN
    only when none is reported), as in metrics.md; any other name is a canonical post column.
    """
    if metric in posts.columns:
        return pd.to_numeric(posts[metric], errors="coerce").astype(float)
    if metric == "engagements":
        parts = [c for c in _ENGAGEMENT_PARTS if c in posts.columns]
        if not parts:
            raise AnalysisError(
                "engagements: the posts table has none of likes, comments, shares, saves"
            )
        return posts[parts].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1)
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
    problems: list[str] = []
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
        merged = _experiment_posts(exp, posts_df)
        missing = merged.loc[merged["_merge"] == "left_only", "post_id"].tolist()
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            where = f" on {exp.platform}" if exp.platform else ""
            problems.append(
                f"experiment {exp.id!r} ({exp.source}): {len(missing)} post id(s) not found"
                f"{where}: {shown}. What to do: check the ids, or ingest the exports holding them"
            )
        found = merged[merged["_merge"] == "both"]
        if found.empty:
            continue
        for key, metric in [
            ("primary_metric", exp.primary_metric),
            ("exposure", exp.exposure),
            *[("guardrails", g) for g in exp.guardrails],
        ]:
            try:
                values = metric_values(found, metric)
            except AnalysisError:
                values = pd.Series(np.nan, index=found.index)
            if values.isna().all():
                problems.append(
                    f"experiment {exp.id!r} ({exp.source}), key {key!r}: {exp.platform or 'the platform'}"
                    f" does not report {metric!r} for these posts. What to do: pick a metric the "
                    "platform exports"
                )
    if problems:
        raise ConfigError("\n".join(problems))
    return tuple(dict.fromkeys(warnings_))


# =========================================================================== split tests
def _check_counts(x: float, n: float, label: str) -> None:
    if not (np.isfinite(x) and np.isfinite(n)):
        raise ParameterError(f"{label}: counts must be finite numbers, got {x!r} of {n!r}")
    if n <= 0:
        raise AnalysisError(
            f"{label}: exposure is {n}; a variant nobody saw cannot be compared. What to do: "
            "check the exposure count, or drop the variant"
        )
    if x < 0 or x > n:
        raise ParameterError(
            f"{label}: {x} successes out of {n}; successes must be between 0 and the exposure"
        )


@dataclass(frozen=True)
class SplitComparison:
    """A randomised two-variant split test on counts (``b`` compared with ``a``).

    ``p_value`` is the pooled two-proportion z-test (= R ``prop.test(correct=FALSE)``), or
    Fisher's exact test when a cell of the 2x2 table (observed or expected) is below 5 (``test``
    says which); ``diff_ci`` is Newcombe's hybrid score interval; ``ratio_ci`` the log-adjusted
    interval, or the score (Koopman) interval at small counts or a 0 / all-success count
    (never of zero width, always holding the estimate);
    ``prob_b_better`` and ``expected_loss`` (of shipping B, in proportion points) use Beta(1,1)
    priors; ``srm_p_value`` tests the exposure split against the intended one (flag p < 0.001).
    """

    names: tuple[str, str]
    successes: tuple[int, int]
    exposures: tuple[int, int]
    rates: tuple[float, float]
    diff: float
    diff_ci: tuple[float, float]
    ratio: float
    ratio_ci: tuple[float, float]
    z: float
    p_value: float
    prob_b_better: float
    expected_loss: float
    expected_loss_a: float
    srm_p_value: float | None
    srm_flag: bool
    alpha: float
    notes: tuple[str, ...] = ()
    test: str = "two-proportion z-test"

    @property
    def effect(self) -> float:
        return self.ratio

    @property
    def ci(self) -> tuple[float, float]:
        return self.ratio_ci

    def to_frame(self) -> pd.DataFrame:
        a, b = self.names
        return pd.DataFrame(
            [
                (f"rate {a}", self.rates[0], np.nan, np.nan, np.nan),
                (f"rate {b}", self.rates[1], np.nan, np.nan, np.nan),
                (f"difference {b} - {a}", self.diff, *self.diff_ci, self.p_value),
                (f"ratio {b} / {a}", self.ratio, *self.ratio_ci, self.p_value),
                (f"P({b} better)", self.prob_b_better, np.nan, np.nan, np.nan),
                (f"expected loss of shipping {b}", self.expected_loss, np.nan, np.nan, np.nan),
                ("sample-ratio mismatch", np.nan, np.nan, np.nan, self.srm_p_value),
            ],
            columns=["measure", "estimate", "ci_low", "ci_high", "p_value"],
        )

    def plot(self, ax=None):
        import matplotlib.pyplot as plt
        from statsmodels.stats.proportion import proportion_confint

        ax = ax or plt.subplots(figsize=(5, 2.5))[1]
        lo, hi = proportion_confint(
            np.array(self.successes), np.array(self.exposures), alpha=self.alpha, method="wilson"
        )
        r = np.array(self.rates)
        ax.errorbar(r, [0, 1], xerr=[r - lo, hi - r], fmt="o", capsize=4)
        ax.set_yticks([0, 1], list(self.names))
        ax.set_xlabel(f"rate with {100 * (1 - self.alpha):.0f}% Wilson interval")
        ax.set_title(f"{self.names[1]} vs {self.names[0]}: p = {self.p_value:.3g}")
        return ax


def _srm(exposures: Sequence[float], intended: Sequence[float] | None) -> float | None:
    if intended is None:
        return None
    shares = np.asarray(intended, dtype=float)
    n = np.asarray(exposures, dtype=float)
    if shares.shape != n.shape or abs(shares.sum() - 1) > 0.01 or np.any(shares <= 0):
        raise ParameterError(
            f"intended={list(intended)}: give one share per variant, each > 0, summing to 1"
        )
    return float(stats.chisquare(n, shares / shares.sum() * n.sum()).pvalue)


def compare_split(
    successes_a: int,
    exposure_a: int,
    successes_b: int,
    exposure_b: int,
    *,
    alpha: float = 0.05,
    names: tuple[str, str] = ("A", "B"),
    intended: Sequence[float] | None = None,
    seed: int = 0,
) -> SplitComparison:
    """Compare two variants of a randomised split test recorded as counts.

    Examples
    --------
    >>> r = compare_split(412, 20140, 480, 20050)
    >>> round(r.p_value, 4), r.ratio > 1
    (0.0178, True)
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    xa, na, xb, nb = (float(v) for v in (successes_a, exposure_a, successes_b, exposure_b))
    _check_counts(xa, na, f"variant {names[0]}")
    _check_counts(xb, nb, f"variant {names[1]}")
    notes: list[str] = []
    ra, rb = xa / na, xb / nb
    z, p = _stats.pooled_z(xa, na, xb, nb)
    small = _stats.small_counts(xa, na, xb, nb)
    test = "two-proportion z-test"
    if small:
        p = _stats.fisher_pvalue(xa, na, xb, nb)
        test = "Fisher's exact test (an expected count below 5)"
        notes.append(
            "small counts (an expected cell of the 2x2 table below 5): Fisher's exact test and a "
            "score interval for the ratio are used instead of the z-test and the log interval"
        )
    diff_ci = tuple(
        float(v)
        for v in confint_proportions_2indep(
            xb, nb, xa, na, method="newcomb", compare="diff", alpha=alpha
        )
    )
    if xa == 0 and xb == 0:
        ratio, ratio_ci = 1.0, (0.0, math.inf)
        notes.append(
            "no successes in either variant: the ratio is undefined, shown as 1 with an unbounded interval"
        )
    elif xa == 0:
        ratio = math.inf
        notes.append(f"no successes in {names[0]}: the ratio is unbounded; read the difference")
        ratio_ci = _stats.score_ratio_ci(xb, nb, xa, na, alpha)
    elif small or xb == 0 or xa == na or xb == nb:
        ratio = rb / ra  # the log interval is degenerate or misses the estimate here
        ratio_ci = _stats.score_ratio_ci(xb, nb, xa, na, alpha)
    else:
        ratio = rb / ra
        ratio_ci = tuple(
            float(v)
            for v in confint_proportions_2indep(
                xb, nb, xa, na, method="log-adjusted", compare="ratio", alpha=alpha
            )
        )
    prob, loss_b, loss_a = _stats.beta_posterior(xa, na, xb, nb, seed=seed)
    srm_p = _srm([na, nb], intended)
    srm_flag = srm_p is not None and srm_p < 0.001
    if srm_flag:
        notes.append(
            f"sample-ratio mismatch (p = {srm_p:.2g}): the exposure split differs from the intended "
            "one, so the randomisation may be broken; do not trust the comparison"
        )
    return SplitComparison(
        names=tuple(names),
        successes=(int(xa), int(xb)),
        exposures=(int(na), int(nb)),
        rates=(ra, rb),
        diff=rb - ra,
        diff_ci=diff_ci,
        ratio=ratio,
        ratio_ci=ratio_ci,
        z=z,
        p_value=p,
        prob_b_better=prob,
        expected_loss=loss_b,
        expected_loss_a=loss_a,
        srm_p_value=srm_p,
        srm_flag=srm_flag,
        alpha=alpha,
        notes=tuple(notes),
        test=test,
    )


@dataclass(frozen=True)
class SplitManyComparison:
    """A split test with k > 2 variants: omnibus chi-square and Holm-corrected pairwise tests."""

    names: tuple[str, ...]
    successes: tuple[int, ...]
    exposures: tuple[int, ...]
    statistic: float
    df: int
    p_value: float
    pairwise: pd.DataFrame = field(repr=False)
    srm_p_value: float | None
    srm_flag: bool
    alpha: float

    def to_frame(self) -> pd.DataFrame:
        return self.pairwise.copy()

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(5, 0.5 + 0.6 * len(self.names)))[1]
        r = np.array(self.successes) / np.array(self.exposures)
        ax.plot(r, range(len(r)), "o")
        ax.set_yticks(range(len(r)), list(self.names))
        ax.set_xlabel("rate")
        ax.set_title(f"omnibus chi-square p = {self.p_value:.3g}")
        return ax


def compare_split_many(
    successes: Sequence[int],
    exposures: Sequence[int],
    *,
    names: Sequence[str] | None = None,
    intended: Sequence[float] | None = None,
    alpha: float = 0.05,
) -> SplitManyComparison:
    """Omnibus test (= R ``prop.test`` on k groups) and Holm-corrected pairwise tests
    (= R ``pairwise.prop.test(..., correct=FALSE)``)."""
    x = [float(v) for v in successes]
    n = [float(v) for v in exposures]
    if len(x) != len(n) or len(x) < 2:
        raise ParameterError("successes and exposures must have the same length, 2 or more")
    names = tuple(names) if names is not None else tuple(chr(65 + i) for i in range(len(x)))
    if len(names) != len(x):
        raise ParameterError(f"names={list(names)}: give one name per variant")
    for xi, ni, nm in zip(x, n, names, strict=True):
        _check_counts(xi, ni, f"variant {nm}")
    stat, df, p = _stats.prop_test(x, n)
    rows = []
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            _, _, pij = _stats.prop_test([x[i], x[j]], [n[i], n[j]])
            rows.append(
                {"a": names[i], "b": names[j], "diff": x[j] / n[j] - x[i] / n[i], "p_value": pij}
            )
    pairwise = pd.DataFrame(rows)
    pairwise["p_holm"] = adjust(pairwise["p_value"].to_numpy(), "holm")
    srm_p = _srm(n, intended)
    return SplitManyComparison(
        names=names,
        successes=tuple(int(v) for v in x),
        exposures=tuple(int(v) for v in n),
        statistic=stat,
        df=df,
        p_value=p,
        pairwise=pairwise,
        srm_p_value=srm_p,
        srm_flag=srm_p is not None and srm_p < 0.001,
        alpha=alpha,
    )


def sample_size_proportions(
    baseline: float,
    target: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    method: str = "pooled",
) -> float:
    """Exposure per variant for a two-sided two-proportion z-test (not rounded).

    ``method="pooled"`` matches R ``power.prop.test`` (statsmodels
    ``samplesize_proportions_2indep_onetail``); ``method="baseline"`` matches Evan Miller's
    calculator (null variance at the baseline rate).

    Examples
    --------
    >>> round(sample_size_proportions(0.5, 0.75, power=0.9), 1)
    76.7
    >>> round(sample_size_proportions(0.2, 0.25, method="baseline"))
    1030
    """
    if not (0 < baseline < 1 and 0 < target < 1) or baseline == target:
        raise ParameterError(
            f"baseline={baseline}, target={target}: give two different proportions in (0, 1)"
        )
    if method == "pooled":
        from statsmodels.stats.proportion import samplesize_proportions_2indep_onetail

        return float(
            samplesize_proportions_2indep_onetail(
                target - baseline, baseline, power, alpha=alpha, alternative="two-sided"
            )
        )
    if method == "baseline":
        return _stats.sample_size_closed_form(baseline, target, alpha, power, "baseline")
    raise ParameterError(f"method={method!r}: use 'pooled' or 'baseline'")


def adjust(p_values: Sequence[float], method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple comparisons: ``"holm"`` (family-wise) or ``"bh"`` (FDR)."""
    from statsmodels.stats.multitest import multipletests

    methods = {"holm": "holm", "bh": "fdr_bh"}
    if method not in methods:
        raise ParameterError(f"method={method!r}: use 'holm' or 'bh'")
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ParameterError(f"p_values must be numbers between 0 and 1, got {p.tolist()}")
    return multipletests(p, method=methods[method])[1]


# =========================================================================== post-level tests
@dataclass(frozen=True)
class PostsComparison:
    """Post-level comparison of two variants: rate ratio ``treatment`` / ``baseline``.

    One method gives the p-value, the ratio and its interval together: without covariates the
    randomisation test (labels permuted across posts, or swapped within slots for a paired
    design) and the interval found by inverting it (every ratio it does not reject), at every
    sample size; with covariates the model (``p_value_method`` says which). The model's ratio,
    interval and p-value are kept for reference (``model_ratio``, ``model_ci``, ``p_model``:
    t reference with the residual degrees of freedom). ``dispersion`` is NB2's alpha (var = mu + alpha mu^2) for the
    negative binomial, or the Pearson scale (var = scale * mu) for quasi-Poisson, as
    ``dispersion_kind`` says. ``naive_*`` is a pooled test on summed counts: what a dashboard
    would say, which ignores post-to-post variation.
    """

    baseline: str
    treatment: str
    outcome: str
    exposure: str
    n_baseline: int
    n_treatment: int
    rate_baseline: float
    rate_treatment: float
    median_rate_baseline: float
    median_rate_treatment: float
    ratio: float
    ci: tuple[float, float]
    p_value: float
    p_value_method: str
    p_model: float
    p_permutation: float | None
    method: str
    dispersion: float
    dispersion_kind: str
    prob_b_better: float
    prob_b_better_ci: tuple[float, float]
    p_brunner_munzel: float
    naive_ratio: float
    naive_ci: tuple[float, float]
    naive_p_value: float
    alpha: float
    notes: tuple[str, ...] = ()
    data: pd.DataFrame = field(default=None, repr=False, compare=False)
    model_method: str = ""
    model_ratio: float = math.nan
    model_ci: tuple[float, float] = (math.nan, math.nan)

    @property
    def effect(self) -> float:
        return self.ratio

    @property
    def mean_exposure(self) -> float:
        return float(self.data["exposure"].mean()) if self.data is not None else math.nan

    def to_frame(self) -> pd.DataFrame:
        b, a = self.treatment, self.baseline
        return pd.DataFrame(
            [
                (f"rate ratio {b} / {a}", self.method, self.ratio, *self.ci, self.p_value),
                (
                    "model, for reference (not the decision)"
                    if self.p_value_method != "model"
                    else "model",
                    self.model_method or "not fitted",
                    self.model_ratio,
                    *self.model_ci,
                    self.p_model,
                ),
                (
                    f"P(a {b} post beats a {a} post)",
                    "Brunner-Munzel",
                    self.prob_b_better,
                    *self.prob_b_better_ci,
                    self.p_brunner_munzel,
                ),
                (
                    "what a dashboard would say",
                    "pooled test on summed counts (ignores post-to-post variation)",
                    self.naive_ratio,
                    *self.naive_ci,
                    self.naive_p_value,
                ),
            ],
            columns=["measure", "method", "estimate", "ci_low", "ci_high", "p_value"],
        )

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(6, 3))[1]
        d = self.data
        order = [self.baseline, self.treatment]
        for i, name in enumerate(order):
            r = d.loc[d["variant"] == name, "rate"].to_numpy()
            jitter = np.random.default_rng(i).uniform(-0.12, 0.12, r.size)
            ax.plot(r, i + jitter, "o", alpha=0.6)
            ax.plot([np.median(r)] * 2, [i - 0.3, i + 0.3], "k-", lw=2)
        ax.set_yticks([0, 1], order)
        ax.set_xlabel(f"{self.outcome} per {self.exposure}, one dot a post (bar: median)")
        lo, hi = self.ci
        ax.set_title(
            f"{self.treatment} / {self.baseline} = {self.ratio:.2f} "
            f"[{lo:.2f}, {hi:.2f}], p = {self.p_value:.2g}"
        )
        return ax


def _design_matrix(
    frame: pd.DataFrame, is_b: np.ndarray, covariates: Sequence[str], pair: str | None
):
    cols = [
        pd.Series(1.0, index=frame.index, name="const"),
        pd.Series(is_b.astype(float), index=frame.index, name="treatment"),
    ]
    for c in covariates:
        s = frame[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            cols.append(pd.to_numeric(s).astype(float).rename(c))
        else:
            cols.append(pd.get_dummies(s.astype("string"), prefix=c, drop_first=True, dtype=float))
    if pair is not None:
        cols.append(
            pd.get_dummies(
                frame[pair].astype("string"), prefix="slot", drop_first=True, dtype=float
            )
        )
    X = pd.concat(cols, axis=1)
    X = X.loc[:, X.std(ddof=0).gt(0) | (X.columns == "const")]
    return X


def compare_posts(
    posts: pd.DataFrame,
    *,
    variant: str = "variant",
    outcome: str = "engagements",
    exposure: str = "impressions",
    pair: str | None = None,
    covariates: Sequence[str] = (),
    baseline: str | None = None,
    alpha: float = 0.05,
    seed: int = 0,
    resamples: int = 4999,
) -> PostsComparison:
    """Compare two variants at post level, as a rate ratio with an interval.

    Parameters
    ----------
    posts
        One row per post with the ``variant`` label, the ``outcome`` count and the ``exposure``
        (``engagements`` is computed from likes, comments, shares and saves when absent).
    pair
        Column naming the posting slot of a paired design: slot fixed effects in a quasi-Poisson
        GLM (Poisson fixed effects stay consistent with many slots; NB's do not), and the
        randomisation test swaps labels within slots.
    covariates
        Columns adjusted for (numeric as is, text as categories), e.g. day of week, hour.
    baseline
        The variant the other is compared with; default: the first in sorted order.

    Raises
    ------
    AnalysisError
        Not exactly two variants, or fewer than two usable posts in a variant.
    """
    for col in [variant, exposure, *covariates, *([pair] if pair else [])]:
        if col not in posts.columns:
            raise ParameterError(f"compare_posts: column {col!r} is not in the posts table")
    frame = posts.copy()
    frame["_y"] = metric_values(frame, outcome)
    frame["_e"] = pd.to_numeric(frame[exposure], errors="coerce").astype(float)
    notes: list[str] = []
    bad = frame["_y"].isna() | frame["_e"].isna() | (frame["_e"] <= 0)
    if bad.any():
        notes.append(
            f"{int(bad.sum())} post(s) dropped: {outcome} missing or {exposure} missing or zero"
        )
        frame = frame[~bad]
    labels = sorted(frame[variant].dropna().astype(str).unique())
    if baseline is None:
        names = labels
    else:
        names = [str(baseline)] + [v for v in labels if v != str(baseline)]
    if len(names) != 2 or (baseline is not None and str(baseline) not in labels):
        raise AnalysisError(
            f"compare_posts needs exactly two variants with usable posts in column {variant!r}"
            f" (baseline {baseline!r}); found {labels}. What to do: compare two variants at a time"
        )
    a, b = names
    frame[variant] = frame[variant].astype(str)
    is_b = (frame[variant] == b).to_numpy()
    n_a, n_b = int((~is_b).sum()), int(is_b.sum())
    if min(n_a, n_b) < 2:
        raise AnalysisError(
            f"{a}: {n_a} post(s), {b}: {n_b} post(s) with usable {outcome} and {exposure}: with one "
            "post a variant the post-to-post variation cannot be estimated, so no interval is "
            "honest. What to do: publish more posts per variant (see posts_needed)"
        )
    if pair is not None:
        counts = frame.groupby(pair)[variant].nunique()
        incomplete = counts[counts < 2].index
        if len(incomplete):
            notes.append(f"{len(incomplete)} slot(s) without both variants dropped")
            frame = frame[~frame[pair].isin(incomplete)]
            is_b = (frame[variant] == b).to_numpy()
            n_a, n_b = int((~is_b).sum()), int(is_b.sum())
            if min(n_a, n_b) < 2:
                raise AnalysisError(
                    f"fewer than two complete slots remain in column {pair!r}. What to do: pair "
                    "more posts"
                )
    y = frame["_y"].to_numpy(dtype=float)
    e = frame["_e"].to_numpy(dtype=float)
    rate = y / e
    ya, yb, ea, eb = y[~is_b].sum(), y[is_b].sum(), e[~is_b].sum(), e[is_b].sum()
    data = pd.DataFrame(
        {"variant": frame[variant].to_numpy(), "outcome": y, "exposure": e, "rate": rate}
    )

    # naive pooled test: what a dashboard would say
    if np.all(y <= e):
        _, naive_p = _stats.pooled_z(ya, ea, yb, eb)
    else:
        from statsmodels.stats.rates import test_poisson_2indep

        naive_p = float(test_poisson_2indep(yb, eb, ya, ea, method="score").pvalue)
    if ya > 0 and yb > 0:
        se_naive = math.sqrt(1 / ya + 1 / yb)
        z = stats.norm.ppf(1 - alpha / 2)
        lr = math.log((yb / eb) / (ya / ea))
        naive_ratio, naive_ci = (
            math.exp(lr),
            (math.exp(lr - z * se_naive), math.exp(lr + z * se_naive)),
        )
    else:
        naive_ratio, naive_ci = math.nan, (math.nan, math.nan)

    # Brunner-Munzel on per-post rates
    if np.ptp(rate) == 0:
        prob, prob_ci, p_bm = 0.5, (0.5, 0.5), 1.0
        notes.append("every post has the same rate: a B post is as likely to beat an A post as not")
    else:
        from statsmodels.stats.nonparametric import rank_compare_2indep

        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                bm = rank_compare_2indep(rate[is_b], rate[~is_b])
                lo, hi = bm.conf_int(alpha=alpha)
            prob = float(bm.prob1)
            prob_ci = (float(max(0.0, lo)), float(min(1.0, hi)))
            p_bm = float(bm.pvalue)
            if not np.isfinite(p_bm):
                raise FloatingPointError
        except (FloatingPointError, ValueError, ZeroDivisionError):
            prob = float(
                np.mean(rate[is_b][:, None] > rate[~is_b][None, :])
                + 0.5 * np.mean(rate[is_b][:, None] == rate[~is_b][None, :])
            )
            prob_ci, p_bm = (0.0, 1.0), 1.0
            notes.append(
                "Brunner-Munzel variance is zero (no overlap or ties): its interval is not informative"
            )

    use_perm = not covariates
    randomisation = (
        _stats.Randomisation(
            y,
            e,
            is_b,
            slots=None if pair is None else frame[pair].to_numpy(),
            resamples=resamples,
            seed=seed,
        )
        if use_perm
        else None
    )
    p_perm = randomisation.pvalue() if randomisation is not None else None

    common = dict(
        baseline=a,
        treatment=b,
        outcome=outcome,
        exposure=exposure,
        n_baseline=n_a,
        n_treatment=n_b,
        rate_baseline=ya / ea,
        rate_treatment=yb / eb,
        median_rate_baseline=float(np.median(rate[~is_b])),
        median_rate_treatment=float(np.median(rate[is_b])),
        prob_b_better=prob,
        prob_b_better_ci=prob_ci,
        p_brunner_munzel=p_bm,
        naive_ratio=naive_ratio,
        naive_ci=naive_ci,
        naive_p_value=naive_p,
        alpha=alpha,
        data=data,
    )
    if ya == 0 and yb == 0:
        notes.append(
            f"no post in either variant had any {outcome}: there is nothing to compare; the ratio "
            "is shown as 1 with an unbounded interval"
        )
        return PostsComparison(
            ratio=1.0,
            ci=(0.0, math.inf),
            p_value=1.0,
            p_value_method="none (no events)",
            p_model=1.0,
            p_permutation=p_perm,
            method="none: no events",
            dispersion=0.0,
            dispersion_kind="none (no events)",
            notes=tuple(notes),
            **common,
        )
    if ya == 0 or yb == 0:
        empty = a if ya == 0 else b
        notes.append(
            f"no post of {empty} had any {outcome}: the ratio is {'unbounded' if ya == 0 else 0}"
            " and a model interval cannot be computed; the randomisation p-value still holds"
        )
        p_perm = (
            p_perm
            if p_perm is not None
            else _stats.permutation_pvalue(y, e, is_b, resamples=resamples, seed=seed)
        )
        return PostsComparison(
            ratio=math.inf if ya == 0 else 0.0,
            ci=(math.nan, math.inf) if ya == 0 else (0.0, math.nan),
            p_value=p_perm,
            p_value_method="randomisation",
            p_model=math.nan,
            p_permutation=p_perm,
            method="none: no events in one variant",
            dispersion=math.nan,
            dispersion_kind="not estimable (no events in one variant)",
            notes=tuple(notes),
            **common,
        )

    X = _design_matrix(frame, is_b, covariates, pair)
    offset = np.log(e)
    fit = None
    if pair is None:
        fit = _stats.fit_nb2(y, X.to_numpy(), offset)
        if fit is not None:
            method = "negative binomial GLM (NB2) with log-exposure offset"
            kind = "NB2 alpha (var = mu + alpha mu^2)"
        else:
            notes.append("the negative binomial fit failed; quasi-Poisson used instead")
        if fit is None:
            fit = _stats.fit_quasi_poisson(y, X.to_numpy(), offset)
            method = "quasi-Poisson GLM (Pearson scale) with log-exposure offset"
            kind = "quasi-Poisson scale (var = scale * mu)"
    else:
        # Slot fixed effects on log rates (with 2 posts a slot: the paired t-test on per-slot
        # log rate ratios). Count models with slot effects were anti-conservative in simulation
        # (NB2: 15% false positives at 5%); this stays at the nominal level.
        qp = _stats.fit_quasi_poisson(y, X.to_numpy(), offset)
        log_rate = np.log((y + 0.5) / e)
        fit = _stats.fit_ols(log_rate, X.to_numpy())
        if fit is not None:
            fit = (fit[0], fit[1], qp[2] if qp is not None else math.nan)
        method = (
            f"log-rate model with slot fixed effects ({pair}; = paired t-test on per-slot "
            "log rate ratios, 0.5 added to counts)"
        )
        kind = "quasi-Poisson scale (var = scale * mu)"
    if covariates:
        method += f", adjusted for {', '.join(covariates)}"
    if fit is None:
        raise AnalysisError(f"compare_posts: neither model could be fitted to {outcome}/{exposure}")
    params, cov, disp = fit
    k = list(X.columns).index("treatment")
    beta, se = float(params[k]), float(math.sqrt(cov[k, k]))
    df_resid = max(len(y) - X.shape[1], 1)
    t = stats.t.ppf(1 - alpha / 2, df_resid)
    ci = (math.exp(beta - t * se), math.exp(beta + t * se))
    p_model = float(2 * stats.t.sf(abs(beta / se), df_resid)) if se > 0 else 1.0
    if se == 0:
        notes.append("no post-to-post variation at all: the model interval collapses to a point")
    model_ratio, model_ci = math.exp(beta), ci
    if randomisation is not None:
        est = randomisation.estimate()
        lo_log, hi_log = randomisation.interval(alpha)
        ratio, ci = math.exp(est), (math.exp(lo_log), math.exp(hi_log))
        what = (
            "Mantel-Haenszel rate ratio over slots, labels swapped within slots"
            if pair is not None
            else "ratio of rates of totals, labels permuted across posts"
        )
        shown_method = f"randomisation test and its inverted interval ({what})"
        if not math.isfinite(ci[0]) or not math.isfinite(ci[1]):
            notes.append(
                "with so few posts no ratio can be ruled out on one side: the randomisation "
                "interval is unbounded there"
            )
    else:
        ratio, shown_method = model_ratio, method
    return PostsComparison(
        ratio=ratio,
        ci=ci,
        p_value=p_perm if use_perm else p_model,
        p_value_method="randomisation" if use_perm else "model",
        p_model=p_model,
        p_permutation=p_perm,
        method=shown_method,
        dispersion=float(disp),
        dispersion_kind=kind,
        notes=tuple(notes),
        model_method=method,
        model_ratio=model_ratio,
        model_ci=model_ci,
        **common,
    )


def estimate_dispersion(
    posts: pd.DataFrame,
    *,
    outcome: str = "engagements",
    exposure: str = "impressions",
    by: Sequence[str] = ("platform", "format"),
) -> float:
    """NB2 dispersion (alpha in var = mu + alpha mu^2) of ``outcome`` per ``exposure`` in the
    brand's history, with one rate per group of ``by`` (so format differences are not counted as
    noise). Use it as ``posts_needed(dispersion=...)``.
    """
    frame = posts.copy()
    frame["_y"] = metric_values(frame, outcome)
    frame["_e"] = pd.to_numeric(frame[exposure], errors="coerce")
    frame = frame[frame["_y"].notna() & frame["_e"].gt(0)]
    by = [c for c in by if c in frame.columns]
    if len(frame) < 5:
        raise AnalysisError(
            f"estimate_dispersion: {len(frame)} post(s) with {outcome} and {exposure}; at least 5 "
            "are needed. What to do: ingest more history or pass a dispersion by hand (0.3 is typical)"
        )
    X = np.ones((len(frame), 1))
    if by:
        key = frame[by].astype("string").fillna("?").agg("|".join, axis=1)
        dummies = pd.get_dummies(key, drop_first=True, dtype=float).to_numpy()
        X = np.column_stack([X, dummies])
    fit = _stats.fit_nb2(frame["_y"].to_numpy(float), X, np.log(frame["_e"].to_numpy(float)))
    if fit is not None:
        return float(fit[2])
    y, e = frame["_y"].to_numpy(float), frame["_e"].to_numpy(float)
    mu = e * y.sum() / e.sum()
    return float(max(0.0, np.sum((y - mu) ** 2 - y) / np.sum(mu**2)))


class _PowerSimulation:
    """Seeded simulation of the test :func:`compare_posts` runs on an unpaired design without
    covariates (the randomisation test on the ratio of rates of totals), with common random
    numbers: the first ``n`` posts of every replicate are the same whatever ``n``, and the gamma
    draws come from one set of uniforms by the inverse CDF, so power rises smoothly with the
    number of posts and the effect and falls with the dispersion."""

    def __init__(self, rate, lift, dispersion, exposure, alpha, replicates, max_posts, seed):
        rng = np.random.default_rng(seed)
        shape = (replicates, 2 * max_posts)
        e = (
            np.full(shape, float(exposure[0]))
            if exposure.size == 1
            else exposure[rng.integers(0, exposure.size, shape)]
        )
        u = rng.random(shape)
        mult = np.where(np.arange(2 * max_posts) < max_posts, 1.0, 1.0 + lift)
        mu = rate * e * mult
        gamma = stats.gamma.ppf(u, 1.0 / dispersion, scale=dispersion) if dispersion > 0 else 1.0
        lam = mu * gamma
        self.y = np.random.default_rng(seed + 1).poisson(lam).astype(float)
        self.e, self.max_posts, self.alpha, self.seed = e, max_posts, alpha, seed
        self.resamples = 199

    def power(self, n: int) -> float:
        m = self.max_posts
        cols = np.r_[np.arange(n), m + np.arange(n)]
        y, e = self.y[:, cols], self.e[:, cols]
        is_b = np.r_[np.zeros(n, bool), np.ones(n, bool)]
        rng = np.random.default_rng(self.seed + 2)
        labels, exact = _stats._label_matrix(is_b, self.resamples, rng)
        lab = labels.astype(float).T
        yb, eb = y @ lab, e @ lab
        ya, ea = y.sum(1)[:, None] - yb, e.sum(1)[:, None] - eb
        perm = np.log((yb + 0.5) / eb) - np.log((ya + 0.5) / ea)
        obs = np.log((y[:, n:].sum(1) + 0.5) / e[:, n:].sum(1)) - np.log(
            (y[:, :n].sum(1) + 0.5) / e[:, :n].sum(1)
        )
        extreme = (np.abs(perm) >= np.abs(obs)[:, None] - 1e-12).sum(1)
        p = extreme / perm.shape[1] if exact else (1 + extreme) / (perm.shape[1] + 1)
        return float(np.mean(p < self.alpha))


def posts_needed(
    baseline_rate: float,
    lift: float,
    *,
    dispersion: float,
    exposure_per_post: float | Sequence[float],
    alpha: float = 0.05,
    power: float = 0.8,
    seed: int = 0,
    max_posts: int = 200,
    replicates: int = 2000,
) -> int:
    """Posts per variant needed to detect a relative ``lift`` with the given ``power``.

    Simulates negative binomial posts (NB2, var = mu + ``dispersion`` mu^2, mean
    ``baseline_rate * exposure``) and analyses them with the test :func:`compare_posts` runs on
    them: the randomisation test of the ratio of rates of totals (199 relabellings a replicate,
    common random numbers across ``n``, so the answer is monotone in the effect and the
    dispersion up to simulation noise). ``exposure_per_post`` may be one number or the brand's
    past exposures (resampled). Seeded: the same call gives the same answer. For a paired
    design this plans the unpaired test: pairing can only need fewer posts when slots differ.

    Raises
    ------
    AnalysisError
        When even ``max_posts`` posts a variant do not reach the power.
    """
    exposure = np.atleast_1d(np.asarray(exposure_per_post, dtype=float))
    exposure = exposure[np.isfinite(exposure) & (exposure > 0)]
    if exposure.size == 0:
        raise ParameterError("posts_needed: exposure_per_post must hold positive numbers")
    if not (baseline_rate > 0 and np.isfinite(baseline_rate)):
        raise ParameterError(f"posts_needed: baseline_rate={baseline_rate} must be positive")
    if lift == 0 or lift <= -1 or not np.isfinite(lift):
        raise ParameterError(f"posts_needed: lift={lift} must be a relative change, non-zero, > -1")
    if dispersion < 0 or not np.isfinite(dispersion):
        raise ParameterError(f"posts_needed: dispersion={dispersion} must be 0 or more")
    if not 0 < power < 1:
        raise ParameterError(f"posts_needed: power={power} must be between 0 and 1")

    sim = _PowerSimulation(
        baseline_rate, lift, dispersion, exposure, alpha, replicates, max_posts, seed
    )
    pw = sim.power

    lo, hi = 2, max_posts
    if pw(hi) < power:
        raise AnalysisError(
            f"more than {max_posts} posts a variant would be needed to detect a {lift:+.0%} change "
            f"with {power:.0%} power (dispersion {dispersion:.2g}); test a bigger change instead"
        )
    if pw(lo) >= power:
        return lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pw(mid) >= power:
            hi = mid
        else:
            lo = mid
    return hi


# =========================================================================== sequential monitoring
@dataclass(frozen=True)
class MonitorResult:
    """Always-valid inference for a split test checked at every look (mixture SPRT).

    ``table`` has one row per look: cumulative counts, the difference in rates (B - A), the
    always-valid p-value and confidence sequence, and the naive fixed-horizon p-value (which is
    *not* valid when peeked at repeatedly). ``stopped_at`` is the first look where the always-
    valid p-value fell below alpha (None if never).
    """

    table: pd.DataFrame = field(repr=False)
    alpha: float
    tau: float
    p_value: float
    ci: tuple[float, float]
    stopped_at: int | None

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(6, 3))[1]
        t = self.table
        ax.fill_between(
            t["look"], t["cs_low"], t["cs_high"], alpha=0.3, label="confidence sequence"
        )
        ax.plot(t["look"], t["diff"], "o-", label="difference B - A")
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xlabel("look")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        return ax


def monitor(
    successes_a: Sequence[float],
    exposure_a: Sequence[float],
    successes_b: Sequence[float],
    exposure_b: Sequence[float],
    *,
    alpha: float = 0.05,
    tau: float | None = None,
    min_effect: float = 0.10,
) -> MonitorResult:
    """Always-valid p-values and a confidence sequence for cumulative weekly counts.

    A normal-mixture sequential probability ratio test (Johari, Pekelis & Walsh 2017) on the
    difference of proportions: you may look every week and stop when ``p_value < alpha`` without
    inflating false positives. ``tau`` is the mixing standard deviation of the effect; by default
    ``min_effect`` times the pooled rate (an effect of the size worth detecting).
    Only for randomised tests on counts: organic posts are overdispersed (use compare_posts).
    """
    arrs = [np.asarray(v, dtype=float) for v in (successes_a, exposure_a, successes_b, exposure_b)]
    if len({a.shape for a in arrs}) != 1 or arrs[0].ndim != 1 or arrs[0].size == 0:
        raise ParameterError("monitor: pass four 1-d arrays of the same length (one value a look)")
    xa, na, xb, nb = arrs
    if any(np.any(np.diff(a) < 0) for a in arrs):
        raise ParameterError(
            "monitor: counts must be cumulative (never decreasing); pass running totals per look"
        )
    if np.any(xa > na) or np.any(xb > nb) or any(np.any(a < 0) for a in arrs):
        raise ParameterError("monitor: successes must be between 0 and the exposure")
    with np.errstate(divide="ignore", invalid="ignore"):
        pa, pb = xa / na, xb / nb
        diff = np.where((na > 0) & (nb > 0), pb - pa, 0.0)
        var = np.where((na > 0) & (nb > 0), pa * (1 - pa) / na + pb * (1 - pb) / nb, 0.0)
    pooled_final = (xa[-1] + xb[-1]) / max(na[-1] + nb[-1], 1)
    if tau is None:
        tau = max(min_effect * pooled_final, 1e-6)
    p, low, high = _stats.msprt(diff, var, tau**2, alpha)
    naive = np.array(
        [
            _stats.pooled_z(xa[i], na[i], xb[i], nb[i])[1] if na[i] > 0 and nb[i] > 0 else 1.0
            for i in range(xa.size)
        ]
    )
    table = pd.DataFrame(
        {
            "look": np.arange(1, xa.size + 1),
            "successes_a": xa,
            "exposure_a": na,
            "successes_b": xb,
            "exposure_b": nb,
            "rate_a": pa,
            "rate_b": pb,
            "diff": diff,
            "p_always_valid": p,
            "cs_low": low,
            "cs_high": high,
            "p_naive": naive,
        }
    )
    hits = np.flatnonzero(p < alpha)
    return MonitorResult(
        table=table,
        alpha=alpha,
        tau=float(tau),
        p_value=float(p[-1]),
        ci=(float(low[-1]), float(high[-1])),
        stopped_at=int(hits[0] + 1) if hits.size else None,
    )


# =========================================================================== decisions
@dataclass(frozen=True)
class Decision:
    """A test's decision in plain words.

    ``label`` is ``"winner"``, ``"no meaningful difference"``, ``"inconclusive"`` or
    ``"not analysed"``; ``winner`` names the winning variant; ``more_needed`` the extra posts (or
    exposure, for split tests) a variant needed to detect ``min_effect``.
    """

    label: str
    winner: str | None
    text: str
    more_needed: int | None = None
    more_needed_unit: str = "posts"
    guardrails: tuple[tuple[str, str], ...] = ()
    more_needed_range: tuple[int | None, int | None] | None = None

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "label": self.label,
                    "winner": self.winner,
                    "text": self.text,
                    "more_needed": self.more_needed,
                    "more_needed_low": (self.more_needed_range or (None, None))[0],
                    "more_needed_high": (self.more_needed_range or (None, None))[1],
                    "unit": self.more_needed_unit,
                    "guardrails": "; ".join(f"{g}: {s}" for g, s in self.guardrails),
                }
            ]
        )


def _nb_alpha(result: PostsComparison) -> float:
    """NB2 alpha of a post-level result (a quasi-Poisson scale converted at the mean count)."""
    if result.dispersion_kind.startswith("NB2"):
        return float(result.dispersion)
    mean_count = result.rate_baseline * result.mean_exposure
    if not np.isfinite(result.dispersion) or mean_count <= 0:
        return 0.0
    return max(0.0, (result.dispersion - 1) / mean_count)


def _dispersion_range(result: PostsComparison, level: float = 0.8) -> tuple[float, float]:
    """A ``level`` range for the NB2 dispersion estimated from a test's posts: the estimate
    scaled by df / chi-square quantiles with the residual degrees of freedom (the sampling
    distribution of a variance estimate), the usual approximation for planning."""
    est = _nb_alpha(result)
    df = max(result.n_baseline + result.n_treatment - 2, 1)
    q_hi, q_lo = stats.chi2.ppf([(1 + level) / 2, (1 - level) / 2], df)
    return est * df / q_hi, est * df / q_lo


def _names(result) -> tuple[str, str]:
    if isinstance(result, SplitComparison):
        return result.names
    return result.baseline, result.treatment


def decide(
    result: SplitComparison | PostsComparison,
    min_effect: float,
    *,
    alpha: float | None = None,
    guardrails: Mapping[str, str] | None = None,
    power: float = 0.8,
    seed: int = 0,
    p_adjusted: float | None = None,
) -> Decision:
    """Label a comparison: winner, no meaningful difference, or inconclusive (with how much
    more data a variant would detect ``min_effect``, a relative change such as 0.10).

    Rules: *winner* when the p-value (``p_adjusted`` when given: Benjamini-Hochberg across the
    page) is below alpha and the ratio's interval excludes 1 (the better side wins); *no
    meaningful difference* when the whole interval lies inside 1 +- ``min_effect``; otherwise
    *inconclusive*, with the extra posts a variant would need as a point and a range (the
    range carries the uncertainty of the dispersion estimated from this test's few posts).
    """
    alpha = result.alpha if alpha is None else alpha
    a, b = _names(result)
    ratio = result.ratio
    lo, hi = result.ci if isinstance(result, PostsComparison) else result.ratio_ci
    g = tuple((guardrails or {}).items())
    harmed = [k for k, s in g if s.startswith("harmed")]
    unsure = [k for k, s in g if s.startswith("cannot rule out harm")]
    guard_txt = f" Guardrail warning: {', '.join(harmed)} got worse." if harmed else ""
    if unsure:
        guard_txt += f" Harm to {', '.join(unsure)} cannot be ruled out."
    p_used = result.p_value if p_adjusted is None or not np.isfinite(p_adjusted) else p_adjusted
    p_txt = f"p = {result.p_value:.2g}"
    if p_used is not result.p_value:
        p_txt += f", {p_used:.2g} adjusted across the page"
    ci_txt = f"ratio {b}/{a} = {ratio:.2f} ({100 * (1 - alpha):.0f}% interval {lo:.2f} to {hi:.2f}, {p_txt})"
    if (
        np.isfinite(p_used)
        and p_used < alpha
        and (
            (np.isfinite(lo) and lo > 1) or (np.isfinite(hi) and hi < 1) or ratio in (0.0, math.inf)
        )
    ):
        winner = b if ratio > 1 else a
        loser = a if winner == b else b
        size = ratio - 1 if winner == b else 1 / ratio - 1 if ratio > 0 else math.inf
        small = " (smaller than the minimum effect of interest)" if size < min_effect else ""
        return Decision(
            "winner",
            winner,
            f"{winner} beats {loser} by about {size:.0%}{small}: {ci_txt}.{guard_txt}",
            guardrails=g,
        )
    if np.isfinite(lo) and np.isfinite(hi) and lo >= 1 - min_effect and hi <= 1 + min_effect:
        return Decision(
            "no meaningful difference",
            None,
            f"any difference is smaller than {min_effect:.0%}: {ci_txt}.{guard_txt}",
            guardrails=g,
        )
    more, unit, extra, more_range = None, "posts", "", None
    try:
        if isinstance(result, SplitComparison):
            base = result.rates[0]
            need = sample_size_proportions(
                base, min(base * (1 + min_effect), 0.999), alpha=alpha, power=power
            )
            more = max(0, math.ceil(need) - min(result.exposures))
            unit = "exposure"
            extra = f" About {more:,} more exposures (impressions) a variant would detect a {min_effect:.0%} change."
        else:
            need = posts_needed(
                result.rate_baseline,
                min_effect,
                dispersion=_nb_alpha(result),
                exposure_per_post=result.data["exposure"].to_numpy(),
                alpha=alpha,
                power=power,
                seed=seed,
                replicates=1000,
            )
            now = min(result.n_baseline, result.n_treatment)
            more = max(0, need - now)
            low_d, high_d = _dispersion_range(result)
            rng_txt = []
            for d in (low_d, high_d):
                try:
                    n_d = posts_needed(
                        result.rate_baseline, min_effect, dispersion=d,
                        exposure_per_post=result.data["exposure"].to_numpy(), alpha=alpha,
                        power=power, seed=seed, replicates=1000,
                    )  # fmt: skip
                    rng_txt.append(max(0, n_d - now))
                except AnalysisError:
                    rng_txt.append(None)
            more_range = tuple(rng_txt)
            high_txt = f"{more_range[1]}" if more_range[1] is not None else "more than 200"
            extra = (
                f" About {more} more posts a variant (between {more_range[0]} and {high_txt}: "
                f"the dispersion is uncertain from {result.n_baseline + result.n_treatment} posts) "
                f"would detect a {min_effect:.0%} change with {power:.0%} power."
            )
    except (AnalysisError, ParameterError) as exc:
        extra = f" {exc}"
    why = "not enough evidence either way"
    if result.p_value < alpha <= p_used:
        why = (
            "not enough evidence once every claim on the page is accounted for (the p-value is "
            "below alpha alone, not after the Benjamini-Hochberg adjustment)"
        )
    return Decision(
        "inconclusive",
        None,
        f"{why}: {ci_txt}.{extra}{guard_txt}",
        more_needed=more,
        more_needed_unit=unit,
        guardrails=g,
        more_needed_range=more_range,
    )


# =========================================================================== the whole registry
@dataclass(frozen=True)
class ExperimentsAnalysis:
    """Every registered test analysed: ``to_frame()`` (one row a test), ``plot()`` (forest plot),
    ``meta`` (random-effects pooling of tests sharing a question) and ``lessons()``."""

    table: pd.DataFrame = field(repr=False)
    results: Mapping[str, Any] = field(repr=False)
    decisions: Mapping[str, Decision] = field(repr=False)
    meta: pd.DataFrame = field(repr=False)
    warnings: tuple[str, ...]
    alpha: float
    min_effects: Mapping[str, float] = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def records(self) -> list[dict]:
        """``{id, design, effect, ci_low, ci_high, p_value, decision}`` per test (for record)."""
        cols = ["id", "design", "effect", "ci_low", "ci_high", "p_value", "decision"]
        return [
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in row.items()
            }
            for row in self.table[cols].to_dict("records")
        ]

    def lessons(self) -> pd.DataFrame:
        """Concluded tests and what they taught."""
        t = self.table[self.table["status"] == "concluded"]
        return t[["id", "hypothesis", "decision", "explanation", "registry_decision"]].reset_index(
            drop=True
        )

    def power_table(self, *, power: float = 0.8, seed: int = 0) -> pd.DataFrame:
        """Posts a variant each post-level test needs for its minimum effect of interest, from
        its own dispersion (simulation of the test that is run, see posts_needed), with a range
        from the dispersion's 80% range (few posts estimate it poorly).

        No "posts needed for the observed effect": that is post-hoc power, a restatement of the
        p-value, and says nothing the interval does not. The observed effect is shown as is.
        """
        rows = []
        for exp_id, res in self.results.items():
            if not isinstance(res, PostsComparison) or not np.isfinite(res.rate_baseline):
                continue
            row = self.table.set_index("id").loc[exp_id]
            min_effect = float(self.min_effects.get(exp_id, 0.10))
            d_low, d_high = _dispersion_range(res)
            out = {"id": exp_id, "posts_per_variant_now": min(res.n_baseline, res.n_treatment),
                   "dispersion_nb2": _nb_alpha(res), "dispersion_low": d_low,
                   "dispersion_high": d_high, "baseline_rate": res.rate_baseline,
                   "min_effect": min_effect, "observed": res.ratio - 1}  # fmt: skip
            for label, disp in (("needed_for_min_effect", _nb_alpha(res)),
                                ("needed_low", d_low), ("needed_high", d_high)):  # fmt: skip
                try:
                    out[label] = str(
                        posts_needed(
                            res.rate_baseline, min_effect, dispersion=disp,
                            exposure_per_post=res.data["exposure"].to_numpy(), alpha=self.alpha,
                            power=power, seed=seed, replicates=1000,
                        )
                    )  # fmt: skip
                except (AnalysisError, ParameterError):
                    out[label] = "more than 200"
            out["decision"] = row["decision"]
            rows.append(out)
        return pd.DataFrame(rows)

    @property
    def multiplicity_text(self) -> str:
        """One line for the page: how the page's several claims are controlled."""
        col = self.table.get("p_adjusted", pd.Series(dtype=float))
        n = int(pd.to_numeric(col, errors="coerce").notna().sum())
        guards = self.table.get("guardrails_assessed", pd.Series(dtype=float))
        n_guard = int(pd.to_numeric(guards, errors="coerce").fillna(0).sum())
        return (
            f"Multiplicity: the {n} tests' and {n_guard} guardrails' p-values on this page are "
            f"adjusted together (Benjamini-Hochberg, false discovery rate {self.alpha:.0%}); a "
            "winner or a harmed guardrail needs an adjusted p-value below that."
        )

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        t = self.table[np.isfinite(self.table["effect"].astype(float))].iloc[::-1]
        ax = ax or plt.subplots(figsize=(7, 0.6 + 0.55 * max(len(t), 1)))[1]
        y = np.arange(len(t))
        eff = t["effect"].astype(float).to_numpy()
        lo = t["ci_low"].astype(float).fillna(0).clip(lower=1e-3).to_numpy()
        hi = t["ci_high"].astype(float).replace(np.inf, np.nan).to_numpy()
        hi = np.where(np.isfinite(hi), hi, eff * 10)
        colors = {
            "winner": "tab:green",
            "no meaningful difference": "tab:gray",
            "inconclusive": "tab:orange",
        }
        for yi, e, l_, h_, d in zip(y, eff, lo, hi, t["decision"], strict=True):
            ax.plot([l_, h_], [yi, yi], "-", color=colors.get(d, "k"), lw=2)
            ax.plot([e], [yi], "o", color=colors.get(d, "k"))
        ax.axvline(1, color="k", lw=0.8)
        ax.set_xscale("log")
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(
            FuncFormatter(lambda v, _: f"{v:g}" if v in (0.5, 2, 3, 5) else "")
        )
        ax.set_yticks(y, [f"{i} ({d})" for i, d in zip(t["id"], t["decision"], strict=True)])
        ax.set_xlabel(
            f"effect (ratio, variant vs baseline), {100 * (1 - self.alpha):.0f}% interval, log scale"
        )
        return ax


def _guardrail_results(exp: Experiment, frame: pd.DataFrame, alpha: float, seed: int) -> dict:
    """Each guardrail's comparison (or the reason it could not be made)."""
    out: dict[str, PostsComparison | str] = {}
    for g in exp.guardrails:
        try:
            out[g] = compare_posts(
                frame,
                outcome=g,
                exposure=exp.exposure,
                baseline=exp.baseline,
                pair="slot" if exp.design == "paired" else None,
                alpha=alpha,
                seed=seed,
            )
        except (AnalysisError, ParameterError) as exc:
            out[g] = f"not assessed ({exc})"
    return out


#: The columns of ``ExperimentsAnalysis.table`` (one row a test; kept when there is none).
_TABLE_COLUMNS = ("id", "design", "platform", "metric", "status", "hypothesis",
                  "registry_decision", "baseline", "variant", "effect", "ci_low", "ci_high",
                  "p_value", "method", "n_per_variant", "decision", "winner", "explanation",
                  "guardrails", "guardrails_assessed", "dashboard_p_value", "question",
                  "p_adjusted")  # fmt: skip


def guardrail_status(
    result: PostsComparison, margin: float = GUARDRAIL_MARGIN, *, p_adjusted: float | None = None
) -> str:
    """A guardrail judged as non-inferiority: ``"ok"`` only when the interval rules out harm
    beyond ``margin`` (its low end above ``1 - margin``); ``"harmed"`` when it is clearly worse
    (interval below 1 and the p-value, adjusted across the page when ``p_adjusted`` is given,
    below alpha); otherwise ``"cannot rule out harm"``. A non-significant harm is never "ok"."""
    lo, hi = result.ci
    p = result.p_value if p_adjusted is None else p_adjusted
    ptxt = "p" if p_adjusted is None else "BH-adjusted p"
    txt = f"(ratio {result.ratio:.2f}, {lo:.2f} to {hi:.2f}, {ptxt} = {p:.2g}; margin {margin:.0%})"
    if np.isfinite(hi) and hi < 1 and p < result.alpha:
        return f"harmed {txt}"
    if np.isfinite(lo) and lo > 1 - margin:
        return f"ok: harm beyond {margin:.0%} ruled out {txt}"
    return f"cannot rule out harm {txt}"


def analyse_experiments(
    experiments: Sequence[Experiment],
    posts_df: pd.DataFrame,
    *,
    alpha: float = 0.05,
    seed: int = 0,
    pool_by: str = "question",
) -> ExperimentsAnalysis:
    """Analyse every registered test (planned ones are listed as not analysed).

    A problem with one test (unknown posts, a metric not reported, too few posts) becomes that
    test's row, with the reason, rather than stopping the others.
    """
    if pool_by not in ("question", "metric_design"):
        raise ParameterError(f"pool_by={pool_by!r}: use 'question' or 'metric_design'")
    rows, results, decisions, warns = [], {}, {}, []
    pending: dict[str, tuple] = {}
    for exp in experiments:
        row = {
            "id": exp.id,
            "design": exp.design,
            "platform": exp.platform,
            "metric": exp.primary_metric,
            "status": exp.status,
            "hypothesis": exp.hypothesis,
            "registry_decision": exp.decision,
            "baseline": exp.baseline,
            "variant": None,
            "effect": math.nan,
            "ci_low": math.nan,
            "ci_high": math.nan,
            "p_value": math.nan,
            "method": "",
            "n_per_variant": None,
            "decision": "not analysed",
            "winner": None,
            "explanation": "",
            "p_adjusted": math.nan,
            "guardrails": "",
            "guardrails_assessed": 0,
            "dashboard_p_value": math.nan,
            "question": exp.question,
        }
        try:
            if exp.status == "planned":
                raise AnalysisError("planned: not started yet")
            if exp.design == "split":
                if len(exp.variants) == 2:
                    va, vb = exp.variants
                    intended = (
                        [va.intended_share, vb.intended_share]
                        if va.intended_share is not None
                        else None
                    )
                    res = compare_split(
                        va.successes,
                        va.exposure,
                        vb.successes,
                        vb.exposure,
                        alpha=alpha,
                        names=(va.name, vb.name),
                        intended=intended,
                        seed=seed,
                    )
                    pending[exp.id] = (exp, res, {})
                    dec = None
                    row.update(
                        variant=vb.name,
                        effect=res.ratio,
                        ci_low=res.ratio_ci[0],
                        ci_high=res.ratio_ci[1],
                        p_value=res.p_value,
                        method=f"{res.test} (randomised split)",
                        n_per_variant=min(res.exposures),
                    )
                    if res.srm_flag:
                        pending.pop(exp.id)
                        dec = Decision("not analysed", None, res.notes[-1])
                        row.update(p_value=math.nan)
                else:
                    intended = [v.intended_share for v in exp.variants]
                    res = compare_split_many(
                        [v.successes for v in exp.variants],
                        [v.exposure for v in exp.variants],
                        names=[v.name for v in exp.variants],
                        intended=None if intended[0] is None else intended,
                        alpha=alpha,
                    )
                    pending[exp.id] = (exp, res, {})
                    dec = None
                    row.update(
                        p_value=res.p_value, method="chi-square on k variants + Holm pairwise"
                    )
            else:
                validate_against_posts([exp], posts_df)
                frame = _experiment_posts(exp, posts_df)
                frame = frame[frame["_merge"] == "both"].drop(columns="_merge")
                res = compare_posts(
                    frame,
                    outcome=exp.primary_metric,
                    exposure=exp.exposure,
                    pair="slot" if exp.design == "paired" else None,
                    baseline=exp.baseline,
                    alpha=alpha,
                    seed=seed,
                )
                pending[exp.id] = (exp, res, _guardrail_results(exp, frame, alpha, seed))
                dec = None
                row.update(
                    variant=res.treatment,
                    effect=res.ratio,
                    ci_low=res.ci[0],
                    ci_high=res.ci[1],
                    p_value=res.p_value,
                    method=res.method,
                    n_per_variant=min(res.n_baseline, res.n_treatment),
                    dashboard_p_value=res.naive_p_value,
                )
            results[exp.id] = res
        except (AnalysisError, ConfigError, ParameterError) as exc:
            dec = Decision("not analysed", None, str(exc))
            if exp.status != "planned":
                warns.append(f"{exp.id}: {exc}")
        if dec is not None:
            decisions[exp.id] = dec
            row.update(decision=dec.label, winner=dec.winner, explanation=dec.text)
        rows.append(row)
    _decide_page(rows, pending, decisions, alpha, seed)
    decisions = {e.id: decisions[e.id] for e in experiments if e.id in decisions}
    # the columns even with no test
    table = pd.DataFrame(rows) if rows else pd.DataFrame(columns=list(_TABLE_COLUMNS))
    with contextlib.suppress(ConfigError):  # problems were already reported per test
        active = [e for e in experiments if e.status != "planned"]
        warns.extend(validate_against_posts(active, posts_df))
    meta = _meta_analysis(table, pool_by, alpha)
    return ExperimentsAnalysis(
        min_effects={e.id: e.min_effect for e in experiments},
        table=table,
        results=results,
        decisions=decisions,
        meta=meta,
        warnings=tuple(dict.fromkeys(warns)),
        alpha=alpha,
    )


def _decide_page(rows: list[dict], pending: dict, decisions: dict, alpha: float, seed: int) -> None:
    """Benjamini-Hochberg across every claim the page makes from this data: each analysed
    test's p-value and each guardrail's; then the decisions, on the adjusted p-values."""
    family: list[tuple[str, str | None, float]] = []
    for exp_id, (_, res, guards) in pending.items():
        family.append((exp_id, None, float(res.p_value)))
        family += [
            (exp_id, g, float(r.p_value)) for g, r in guards.items() if not isinstance(r, str)
        ]
    family = [f for f in family if np.isfinite(f[2])]
    q = dict(
        zip([(i, g) for i, g, _ in family], adjust([p for *_, p in family], "bh"), strict=True)
    )
    by_id = {row["id"]: row for row in rows}
    for exp_id, (exp, res, guards) in pending.items():
        status = {}
        margins = list(exp.guardrail_margins)
        margins += [GUARDRAIL_MARGIN] * (len(guards) - len(margins))
        for (g, r), margin in zip(guards.items(), margins, strict=False):
            status[g] = (
                r if isinstance(r, str) else guardrail_status(r, margin, p_adjusted=q[(exp_id, g)])
            )
        p_adj = q.get((exp_id, None), math.nan)
        if isinstance(res, SplitManyComparison):
            best = res.pairwise.sort_values("p_holm").iloc[0]
            label = "winner" if p_adj < alpha and best["p_holm"] < alpha else "inconclusive"
            dec = Decision(label, None, f"omnibus chi-square p = {res.p_value:.2g} (BH-adjusted "
                           f"across the page {p_adj:.2g}); smallest Holm-adjusted pairwise p = "
                           f"{best['p_holm']:.2g} ({best['a']} vs {best['b']})")  # fmt: skip
        else:
            dec = decide(res, exp.min_effect, alpha=alpha, guardrails=status, seed=seed,
                         p_adjusted=p_adj)  # fmt: skip
        decisions[exp_id] = dec
        by_id[exp_id].update(decision=dec.label, winner=dec.winner, explanation=dec.text,
                             p_adjusted=p_adj, guardrails="; ".join(f"{k}: {v}" for k, v in status.items()),
                             guardrails_assessed=sum(not isinstance(r, str) for r in guards.values()))  # fmt: skip


def _meta_analysis(table: pd.DataFrame, pool_by: str, alpha: float) -> pd.DataFrame:
    cols = ["question", "k", "tests", "pooled_effect", "ci_low", "ci_high", "tau2", "method",
            "note"]  # fmt: skip
    if table.empty:
        return pd.DataFrame(columns=cols)
    t = table[
        (table["status"] == "concluded")
        & np.isfinite(table["effect"].astype(float))
        & np.isfinite(table["ci_low"].astype(float))
        & np.isfinite(table["ci_high"].astype(float))
        & (table["ci_low"].astype(float) > 0)
        & (table["effect"].astype(float) > 0)
    ].copy()
    if pool_by == "question":
        t["group"] = t["question"]
    else:
        t["group"] = (
            t["metric"] + " / " + np.where(t["design"] == "split", "randomised split", "post level")
        )
    rows = []
    z = stats.norm.ppf(1 - alpha / 2)
    for key, g in t.dropna(subset=["group"]).groupby("group"):
        if len(g) < 2:
            continue
        eff = np.log(g["effect"].astype(float).to_numpy())
        se = (np.log(g["ci_high"].astype(float)) - np.log(g["ci_low"].astype(float))).to_numpy() / (
            2 * z
        )
        m, lo, hi, tau2 = _stats.random_effects(eff, se**2, alpha)
        note = ""
        if len(g) < 3:
            note = (
                f"only {len(g)} tests: the between-test variance can hardly be estimated, so the "
                "pooled interval is wide (and may still be too narrow if the tests truly differ)"
            )
        rows.append(
            {
                "question": key,
                "k": len(g),
                "tests": ", ".join(g["id"]),
                "pooled_effect": math.exp(m),
                "ci_low": math.exp(lo),
                "ci_high": math.exp(hi),
                "tau2": tau2,
                "method": "random effects on log ratios (DerSimonian-Laird, floored at 0; "
                "interval: the wider of Hartung-Knapp-Sidik-Jonkman and the normal one)",
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=cols)
