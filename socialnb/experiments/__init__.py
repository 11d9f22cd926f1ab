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

The package, one module a concern: :mod:`~socialnb.experiments.registry` (experiments.yaml, one
declared model), :mod:`~socialnb.experiments.split`, :mod:`~socialnb.experiments.posts`,
:mod:`~socialnb.experiments.power`, :mod:`~socialnb.experiments.sequential`,
:mod:`~socialnb.experiments.decide` and :mod:`~socialnb.experiments.analyse` (the page). Every
analysis returns a frozen result with ``estimate``, ``interval``, ``p_value``, ``to_frame()``,
``plot()`` and a one-line repr.
"""

from __future__ import annotations

from .. import _lazy

# Each public name is imported from its module on first use (socialnb._lazy), so that one
# light module (the workspace's check of a brand's plan files) does not import them all.
__getattr__, __dir__ = _lazy.attach(
    __name__,
    {
        ".analyse": ("ExperimentsAnalysis", "analyse_experiments"),
        ".decide": ("Decision", "decide", "guardrail_status"),
        ".posts": ("PostsComparison", "compare_posts"),
        ".power": (
            "estimate_dispersion",
            "posts_needed",
            "posts_needed_range",
            "sample_size_proportions",
        ),
        ".registry": (
            "DESIGNS",
            "GUARDRAIL_MARGIN",
            "Experiment",
            "RegistrySpec",
            "Variant",
            "load_experiments",
            "metric_values",
            "select_experiments",
            "validate_against_posts",
        ),
        ".sequential": ("MonitorResult", "monitor"),
        ".split": (
            "SplitComparison",
            "SplitManyComparison",
            "adjust",
            "compare_split",
            "compare_split_many",
        ),
    },
    globals(),
)

__all__ = [
    "DESIGNS",
    "GUARDRAIL_MARGIN",
    "Variant",
    "Experiment",
    "RegistrySpec",
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
    "posts_needed_range",
    "estimate_dispersion",
    "sample_size_proportions",
    "adjust",
    "MonitorResult",
    "monitor",
    "Decision",
    "decide",
    "guardrail_status",
    "ExperimentsAnalysis",
    "analyse_experiments",
]
