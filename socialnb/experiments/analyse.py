"""The whole registry analysed for the page: one row a test, decisions with the page's claims
adjusted together (Benjamini-Hochberg), the power table, and the pooling of tests that ask the
same question."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .. import _stats, metrics
from ..errors import AnalysisError, ConfigError, ParameterError
from .decide import Decision, decide, guardrail_status
from .posts import PostsComparison, compare_posts
from .power import _dispersion_range, _nb_alpha, posts_needed_range
from .registry import GUARDRAIL_MARGIN, Experiment, _experiment_posts, validate_against_posts
from .split import SplitComparison, SplitManyComparison, adjust, compare_split, compare_split_many

__all__ = ["ExperimentsAnalysis", "analyse_experiments"]


@dataclass(frozen=True)
class ExperimentsAnalysis:
    """Every registered test analysed: ``to_frame()`` (one row a test), ``plot()`` (forest plot),
    ``meta`` (random-effects pooling of tests sharing a question) and ``lessons()``.
    ``planned`` says whether inconclusive decisions carry how many more posts would settle them
    (``analyse_experiments(plan=...)``); ``power_table()`` plans in either case."""

    table: pd.DataFrame = field(repr=False)
    results: Mapping[str, Any] = field(repr=False)
    decisions: Mapping[str, Decision] = field(repr=False)
    meta: pd.DataFrame = field(repr=False)
    warnings: tuple[str, ...]
    alpha: float
    min_effects: Mapping[str, float] = field(default_factory=dict, repr=False)
    planned: bool = True

    def __repr__(self) -> str:
        counts = self.table["decision"].value_counts()
        said = ", ".join(f"{k} {v}" for k, v in counts.items()) or "no test"
        return f"<ExperimentsAnalysis: {len(self.table)} test(s): {said}>"

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def rates_shown(self) -> list[dict]:
        """The rates this page shows, for ``socialnb.record("rates_shown", ...)``
        (:func:`socialnb.metrics.shown_rates`): each post-level test's variants, as the median
        of per-post rates (the plot's bars) and the rate of totals (the detail table, the power
        table's baseline rate). The scope names the test and variant: these rates are of a
        test's posts, never a month's."""
        rows: list[dict] = []
        for exp_id, res in self.results.items():
            if not isinstance(res, PostsComparison):
                continue
            metric = _metric_name(res.outcome, res.exposure)
            arms = ((res.baseline, res.median_rate_baseline, res.rate_baseline, res.n_baseline),
                    (res.treatment, res.median_rate_treatment, res.rate_treatment,
                     res.n_treatment))  # fmt: skip
            for name, median, total, n in arms:
                table = pd.DataFrame([{"metric": metric, "value": median, "rate_of_totals": total,
                                       "scope": f"posts of test {exp_id}, variant {name}",
                                       "n_posts": n}])  # fmt: skip
                for aggregation in (metrics.MEDIAN_OF_POSTS, metrics.RATE_OF_TOTALS):
                    rows += metrics.shown_rates(table, month="*", aggregation=aggregation)
        return rows

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
            min_effect = float(self.min_effects.get(exp_id, 0.10))
            d_low, d_high = _dispersion_range(res)
            needed = posts_needed_range(res, min_effect, alpha=self.alpha, power=power, seed=seed)
            out = {"id": exp_id, "posts_per_variant_now": min(res.n_baseline, res.n_treatment),
                   "dispersion_nb2": _nb_alpha(res), "dispersion_low": d_low,
                   "dispersion_high": d_high, "baseline_rate": res.rate_baseline,
                   "baseline_rate_definition": f"rate of totals: {res.rate_definition} over "
                   "the baseline's posts", "min_effect": min_effect,
                   "observed": res.ratio - 1}  # fmt: skip
            for label, n in zip(("needed_for_min_effect", "needed_low", "needed_high"), needed,
                                strict=True):  # fmt: skip
                out[label] = "more than 200" if n is None else str(n)
            out["decision"] = self.decisions[exp_id].label if exp_id in self.decisions else ""
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


def _metric_name(outcome: str, exposure: str) -> str:
    """The name of ``outcome / exposure`` in :data:`socialnb.metrics.METRICS` (``er_reach``), or
    the formula itself when no named metric is that ratio."""
    for name, d in metrics.METRICS.items():
        if (d.numerator, d.denominator, d.per) == (outcome, exposure, 1.0):
            return name
    return f"{outcome} / {exposure}"


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


#: A test's values before (or without) analysis.
_NOT_ANALYSED = {
    "variant": None, "effect": math.nan, "ci_low": math.nan, "ci_high": math.nan,
    "p_value": math.nan, "method": "", "n_per_variant": None, "decision": "not analysed",
    "winner": None, "explanation": "", "p_adjusted": math.nan, "guardrails": "",
    "guardrails_assessed": 0, "dashboard_p_value": math.nan,
}  # fmt: skip

#: The columns of ``ExperimentsAnalysis.table`` (one row a test; kept when there is none).
_TABLE_COLUMNS = ("id", "design", "platform", "metric", "status", "hypothesis",
                  "registry_decision", "baseline", *_NOT_ANALYSED, "question")  # fmt: skip


def _row(exp: Experiment) -> dict:
    """A test's row before it is analysed (kept as is for a test that cannot be)."""
    return {
        "id": exp.id, "design": exp.design, "platform": exp.platform,
        "metric": exp.primary_metric, "status": exp.status, "hypothesis": exp.hypothesis,
        "registry_decision": exp.decision, "baseline": exp.baseline, **_NOT_ANALYSED,
        "question": exp.question,
    }  # fmt: skip


def _analyse_split(exp: Experiment, alpha: float, seed: int) -> tuple[Any, dict, dict]:
    """A split test's comparison, its guardrails (none: counts only) and its row's values."""
    if len(exp.variants) > 2:
        shares = [v.intended_share for v in exp.variants]
        res = compare_split_many(
            [v.successes for v in exp.variants], [v.exposure for v in exp.variants],
            names=[v.name for v in exp.variants], alpha=alpha,
            intended=None if shares[0] is None else shares,
        )  # fmt: skip
        return res, {}, dict(p_value=res.p_value, method="chi-square on k variants + Holm pairwise")
    va, vb = exp.variants
    shares = None if va.intended_share is None else [va.intended_share, vb.intended_share]
    res = compare_split(va.successes, va.exposure, vb.successes, vb.exposure, alpha=alpha,
                        names=(va.name, vb.name), intended=shares, seed=seed)  # fmt: skip
    row = dict(variant=vb.name, effect=res.ratio, ci_low=res.ratio_ci[0], ci_high=res.ratio_ci[1],
               p_value=res.p_value, method=f"{res.test} (randomised split)",
               n_per_variant=min(res.exposures))  # fmt: skip
    return res, {}, row


def _analyse_posts(exp: Experiment, posts_df: pd.DataFrame, alpha: float, seed: int):
    """A post-level test's comparison, its guardrails' and its row's values."""
    validate_against_posts([exp], posts_df)
    frame = _experiment_posts(exp, posts_df)
    frame = frame[frame["_merge"] == "both"].drop(columns="_merge")
    res = compare_posts(frame, outcome=exp.primary_metric, exposure=exp.exposure,
                        pair="slot" if exp.design == "paired" else None, baseline=exp.baseline,
                        alpha=alpha, seed=seed)  # fmt: skip
    row = dict(variant=res.treatment, effect=res.ratio, ci_low=res.ci[0], ci_high=res.ci[1],
               p_value=res.p_value, method=res.method,
               n_per_variant=min(res.n_baseline, res.n_treatment),
               dashboard_p_value=res.naive_p_value)  # fmt: skip
    return res, _guardrail_results(exp, frame, alpha, seed), row


def analyse_experiments(
    experiments: Sequence[Experiment],
    posts_df: pd.DataFrame,
    *,
    alpha: float = 0.05,
    seed: int = 0,
    pool_by: str = "question",
    plan: bool = True,
) -> ExperimentsAnalysis:
    """Analyse every registered test (planned ones are listed as not analysed).

    ``plan=False`` gives the decisions without the how-many-more-posts simulation (for callers
    that use only the effects, intervals and labels, such as the ideation page): every label,
    effect, interval and p-value is the same as with planning; an inconclusive test's
    explanation then says that more data was not planned. ``power_table()`` still plans.

    A problem with one test (unknown posts, a metric not reported, too few posts) becomes that
    test's row, with the reason, rather than stopping the others.

    Examples
    --------
    >>> from socialnb.experiments import Experiment, Variant
    >>> cta = Experiment("cta", "split", "clicks", status="concluded", variants=(
    ...     Variant("A", successes=412, exposure=20140), Variant("B", successes=489, exposure=19890)))
    >>> analysis = analyse_experiments([cta], pd.DataFrame())
    >>> analysis.to_frame()[["id", "decision", "winner"]].to_dict("records")
    [{'id': 'cta', 'decision': 'winner', 'winner': 'B'}]
    """
    if pool_by not in ("question", "metric_design"):
        raise ParameterError(f"pool_by={pool_by!r}: use 'question' or 'metric_design'")
    rows, results, decisions, warns = [], {}, {}, []
    pending: dict[str, tuple] = {}
    for exp in experiments:
        row, dec = _row(exp), None
        try:
            if exp.status == "planned":
                raise AnalysisError("planned: not started yet")
            if exp.design == "split":
                res, guards, values = _analyse_split(exp, alpha, seed)
            else:
                res, guards, values = _analyse_posts(exp, posts_df, alpha, seed)
            row.update(values)
            results[exp.id] = res
            if isinstance(res, SplitComparison) and res.srm_flag:
                dec = Decision("not analysed", None, res.notes[-1])
                row.update(p_value=math.nan)
            else:
                pending[exp.id] = (exp, res, guards)
        except (AnalysisError, ConfigError, ParameterError) as exc:
            dec = Decision("not analysed", None, str(exc))
            if exp.status != "planned":
                warns.append(f"{exp.id}: {exc}")
        if dec is not None:
            decisions[exp.id] = dec
            row.update(decision=dec.label, winner=dec.winner, explanation=dec.text)
        rows.append(row)
    _decide_page(rows, pending, decisions, alpha, seed, plan)
    decisions = {e.id: decisions[e.id] for e in experiments if e.id in decisions}
    table = pd.DataFrame(rows, columns=list(_TABLE_COLUMNS))  # the columns even with no test
    with contextlib.suppress(ConfigError):  # problems were already reported per test
        active = [e for e in experiments if e.status != "planned"]
        warns.extend(validate_against_posts(active, posts_df))
    return ExperimentsAnalysis(
        min_effects={e.id: e.min_effect for e in experiments},
        table=table,
        results=results,
        decisions=decisions,
        meta=_meta_analysis(table, pool_by, alpha),
        warnings=tuple(dict.fromkeys(warns)),
        alpha=alpha,
        planned=plan,
    )


def _decide_page(
    rows: list[dict], pending: dict, decisions: dict, alpha: float, seed: int, plan: bool
) -> None:
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
                         p_adjusted=p_adj, plan=plan)  # fmt: skip
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
