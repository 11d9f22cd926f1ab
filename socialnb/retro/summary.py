"""The retro as one result: the executive summary's takeaways, :class:`Retro` (every table the
page shows) and :func:`build_retro`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import metrics as M
from ..calendar import CalendarMatch, match_calendar, tag_posts
from ..config import BrandConfig
from ..errors import AnalysisError
from .audience import Audience, audience_growth
from .base import (
    _check_month,
    _with_indices,
    prepare_posts,
)
from .landed import FormatTable, breakdown, format_table, top_posts
from .planned import Delivery, delivery
from .series import SeriesHealth, series_health
from .targets import Kpis, kpis
from .timing import BestTime, best_time

#: The retro sections a takeaway can come from; the retro notebook marks each with an anchor
#: (``<a id="...">``, see :func:`socialnb.plots.anchor`) so the executive summary links to it.
TAKEAWAY_SECTIONS: tuple[str, ...] = (
    "Planned vs shipped",
    "KPIs vs target and baseline",
    "Series health",
    "Formats vs the platform baseline",
    "Follower growth",
)


@dataclass(frozen=True)
class Takeaway:
    """One executive-summary line and the table it comes from."""

    text: str
    table: str

    def __post_init__(self) -> None:
        if self.table not in TAKEAWAY_SECTIONS:  # the retro notebook has an anchor for each
            raise ValueError(f"takeaway section {self.table!r} is not in TAKEAWAY_SECTIONS")

    @property
    def anchor(self) -> str:
        """The ``id`` of the section the takeaway comes from (see :func:`socialnb.plots.anchor`)."""
        from ..plots import anchor

        return anchor(self.table)


@dataclass(frozen=True, eq=False)
class Retro:
    """The sprint retro of one brand and month (every table the notebook shows)."""

    brand: str
    brand_name: str
    month: str
    delivery: Delivery
    match: CalendarMatch
    kpis: Kpis
    breakdowns: dict[str, pd.DataFrame]
    formats: FormatTable
    top: pd.DataFrame
    bottom: pd.DataFrame
    series: SeriesHealth
    audience: Audience
    best_time: BestTime
    takeaways: tuple[Takeaway, ...]
    views_change: dict[str, str] = field(default_factory=dict)
    has_calendar: bool = True
    has_targets: bool = True

    def __repr__(self) -> str:
        return f"Retro({self.brand_name}, {self.month}: {self.summary_line()})"

    @property
    def followers(self) -> pd.DataFrame:
        """Follower growth per platform (``audience.followers``)."""
        return self.audience.followers

    @property
    def loyalty(self) -> pd.DataFrame:
        """Returning viewers per platform and sprint (``audience.loyalty``)."""
        return self.audience.loyalty

    @property
    def awareness(self) -> pd.DataFrame:
        """Reach, views and impressions by platform and sprint (``audience.awareness``)."""
        return self.audience.awareness

    def shown_breakdowns(self) -> dict[str, pd.DataFrame]:
        """The breakdowns the page shows: by platform and format always, by pillar and series
        only with a calendar (they come from it)."""
        dims = ("platform", "pillar", "series", "format")
        shown = [d for d in dims if self.has_calendar or d in ("platform", "format")]
        return {d: self.breakdowns[d] for d in shown if len(self.breakdowns[d])}

    def rates_shown(self) -> list[dict]:
        """Every engagement rate the page shows, with its definition (month, group, metric,
        aggregation, scope): the KPIs in both views, each breakdown's median post and rate of
        totals, and the format table's median rate over its window
        (:func:`socialnb.metrics.shown_rates`)."""
        rows = self.kpis.shown_rates()
        for table in self.shown_breakdowns().values():
            for aggregation in (M.MEDIAN_OF_POSTS, M.RATE_OF_TOTALS):
                rows += M.shown_rates(table, month=self.month, aggregation=aggregation)
        return rows + self.formats.shown_rates()

    def summary_line(self) -> str:
        """The sprint's delivery in one plain sentence (what the retro's first section says)."""
        d = self.delivery
        parts = [f"{d.shipped} of {d.planned} planned posts shipped within the sprint"]
        if d.planned:
            parts[0] += f" ({d.delivery_rate:.0%})"
        extra = [
            f"{n} {what}"
            for n, what in (
                (d.slipped, "slipped to a later sprint"),
                (d.dropped, "dropped"),
                (d.not_shipped, "not shipped"),
                (d.ambiguous, "ambiguous (several posts fit)"),
            )
            if n
        ]
        text = parts[0] + (": " + ", ".join(extra) if extra else "") + "."
        text += f" {d.published_posts} posts went out in the sprint"
        bits = []
        if d.unplanned_posts:
            bits.append(f"{d.unplanned_posts} unplanned")
        if d.shipped_from_earlier:
            bits.append(f"{d.shipped_from_earlier} planned for an earlier sprint")
        text += (", of which " + " and ".join(bits) if bits else "") + "."
        if d.likely_matches:
            text += (
                f" {d.likely_matches} not-shipped row{'s' * (d.likely_matches > 1)} look"
                f"{'s' * (d.likely_matches == 1)} like one of the unplanned posts: check "
                "the rows below."
            )
        return text

    def plot_breakdowns(self):
        """One chart of every breakdown: each platform's, pillar's, series' and format's median
        post against the usual post of its platform and format (1 = usual), as a heat map with
        the ratio written in each cell. Breakdowns with no rows (no calendar: no pillar or
        series) are left out. Returns the figure, or ``None`` when there is nothing to draw."""
        import matplotlib.pyplot as plt

        grids = []
        for dim in ("platform", "pillar", "series", "format"):
            b = self.breakdowns.get(dim)
            if b is None or b.empty or b["index_vs_baseline"].notna().sum() == 0:
                continue
            if dim != "platform" and set(b[dim].astype(str)) <= {"(none)"}:
                continue  # no calendar tags: nothing to compare
            key = "platform" if dim == "platform" else dim
            col = "all posts" if dim == "platform" else key
            g = b.assign(_col=col if dim == "platform" else b[key].astype(str))
            grids.append((dim, g.pivot_table(index="platform", columns="_col",
                                             values="index_vs_baseline", aggfunc="first")))  # fmt: skip
        if not grids:
            return None
        platforms = sorted({p for _, g in grids for p in g.index})
        widths = [max(1.6, g.shape[1]) for _, g in grids]
        fig, axes = plt.subplots(
            1, len(grids), figsize=(min(9.5, 1.6 + 0.55 * sum(widths)), 1.3 + 0.3 * len(platforms)),
            gridspec_kw={"width_ratios": widths}, squeeze=False,
        )  # fmt: skip
        for n, (ax, (dim, g)) in enumerate(zip(axes[0], grids, strict=True)):
            _ratio_heatmap(ax, g.reindex(platforms))
            ax.set_title(dim, fontsize=10)
            ax.set(xlabel="", ylabel="")
            ax.tick_params(axis="x", rotation=40, labelsize=8)
            ax.tick_params(axis="y", rotation=0, labelsize=8, left=False)
            for label in ax.get_xticklabels():
                label.set_horizontalalignment("right")
            if n:
                ax.set_yticklabels([])
        fig.suptitle("Median post vs a usual post of its platform and format (1 = usual; "
                     "blue better, red worse)", fontsize=10)  # fmt: skip
        fig.tight_layout()
        return fig

    def headline(self) -> dict:
        """The headline results the report collects (``socialnb.record``); planned posts and
        the delivery rate are missing (None) without a content calendar, not 0."""
        return {
            "planned_posts": self.delivery.planned if self.has_calendar else None,
            "published_posts": self.delivery.published_posts,
            "delivery_rate": self.delivery.delivery_rate if self.has_calendar else None,
            "series_verdicts": self.series.verdicts,
            "sunset_candidates": self.series.sunset_candidates,
            "kpis": self.kpis.records(),
            "takeaways": [{"text": t.text, "table": t.table} for t in self.takeaways],
        }

    def record(self) -> dict:
        """Record every headline with :func:`socialnb.record`, and the rates the page shows
        (``rates_shown``, :meth:`rates_shown`); returns the headlines."""
        from .._record import record

        out = self.headline()
        for name, value in out.items():
            record(name, value)
        record("rates_shown", self.rates_shown())
        return out

    def why_unranked(self) -> str:
        """Why no post of the sprint can be compared with a baseline (formats, top and bottom
        posts, best time), in one sentence: no exposure in the exports, or no history yet."""
        b = self.breakdowns["platform"]
        if b.empty or not (b["n_posts"] > 0).any():
            names = sorted({str(M.definition(M.PRIMARY_RATE.get(p, "er_impressions")).denominator)
                            for p in b["platform"]}) or ["exposure"]  # fmt: skip
            return (
                f"No organic post of {self.month} has an engagement rate: the exports report no "
                f"{' or '.join(names)} for them, so posts cannot be compared with a baseline."
            )
        return (
            "Too little history to compare: each post is compared with the posts of the same "
            "platform and format in the three sprints before it, and there are none yet."
        )

    def summary_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(t.text, t.table) for t in self.takeaways], columns=["takeaway", "see table"]
        )


def _pct(x: float) -> str:
    return f"{x:.0%}" if np.isfinite(x) else "n/a"


def _takeaways(
    d: Delivery,
    k: Kpis,
    s: SeriesHealth,
    formats: FormatTable,
    audience: Audience,
    has_calendar: bool = True,
) -> tuple[Takeaway, ...]:
    """The executive summary: three to five lines, each from one section's table."""
    out = []
    if not has_calendar:
        out.append(Takeaway(
            f"Delivery: {d.published_posts} posts published; with no content calendar "
            "(calendar.csv) planned vs shipped is not measured.", "Planned vs shipped"))  # fmt: skip
    else:
        out.append(Takeaway(
            f"Delivery: {d.shipped} of {d.planned} planned posts shipped within the sprint "
            f"({_pct(d.delivery_rate)}); {d.slipped} slipped, {d.dropped + d.not_shipped} dropped "
            f"or not shipped, and {d.unplanned_posts} of {d.published_posts} published posts "
            "were unplanned.", "Planned vs shipped"))  # fmt: skip
    if len(k.table):
        st = k.table["status"].value_counts()
        worst = k.table[k.table["status"] == "off track"]["name"].tolist()
        text = (f"KPIs: {st.get('on track', 0)} of {len(k.table)} on track, "
                f"{st.get('at risk', 0)} at risk, {st.get('off track', 0)} off track")  # fmt: skip
        text += f" ({', '.join(worst)})." if worst else "."
        out.append(Takeaway(text, "KPIs vs target and baseline"))
    if len(s.table):
        parts = [f"{v}: {', '.join(s.table[s.table['verdict'] == v]['series'])}"
                 for v in ("sunset", "scale", "keep", "too early to tell") if (s.table["verdict"] == v).any()]  # fmt: skip
        out.append(Takeaway("Series: " + "; ".join(parts) + ".", "Series health"))
    top = formats.strongest
    if top is not None:
        out.append(Takeaway(
            f"Strongest format: {top['format']} on {top['platform']}, at "
            f"{top['vs_other_formats']:.2f}x the platform's other formats over the last three "
            f"sprints (95% interval {top['vs_low']:.2f}-{top['vs_high']:.2f}, "
            f"{top['n_posts']} posts; BH-adjusted p = {top['p_adjusted']:.2g} across "
            f"{formats.table['p_adjusted'].notna().sum()} formats).",
            "Formats vs the platform baseline"))  # fmt: skip
    else:
        out.append(Takeaway(
            "Formats: no format clearly beat the platform's other formats over the last three "
            "sprints (none with at least 5 posts survives the Benjamini-Hochberg adjustment "
            "across formats with its interval above 1).",
            "Formats vs the platform baseline"))  # fmt: skip
    top = audience.fastest
    if top is not None:
        out.append(Takeaway(
            f"Audience: {top['platform']} grew fastest, {top['growth']:+.1%} followers "
            f"({top['net']:+,.0f}); baseline {_pct(top['baseline_growth'])} a sprint.",
            "Follower growth"))  # fmt: skip
    return tuple(out[:5])


def retro(
    posts: pd.DataFrame,
    calendar: pd.DataFrame,
    account_daily: pd.DataFrame,
    brand: BrandConfig,
    month: str,
    *,
    seed: int = 0,
    n_resamples: int = 2000,
    match: CalendarMatch | None = None,
) -> Retro:
    """Compute the whole retro of sprint ``month`` from DataFrames (see the module docstring).

    ``match`` is :func:`~socialnb.calendar.match_calendar` of ``calendar`` and ``posts`` when the
    caller has it already (:meth:`socialnb.Workspace.tagged_posts`); otherwise it is computed
    here."""
    _check_month(month)
    if posts.empty:
        raise AnalysisError(
            f"brand {brand.slug!r} has no posts in the warehouse. What to do: put the platform "
            f"exports under data/{brand.slug}/raw/ and run `socialnb ingest`."
        )
    posts = M.with_format(posts)  # a post whose export names no format is "unknown", kept
    if match is None:
        match = match_calendar(calendar, posts)
    tagged = tag_posts(posts, match)
    frame = _with_indices(prepare_posts(tagged, account_daily))
    if not (frame["sprint"] == month).any():
        raise AnalysisError(
            f"parameter 'month' = {month!r}: brand {brand.slug!r} has no posts in that sprint "
            f"(posts run from {frame['sprint'].min()} to {frame['sprint'].max()}). "
            "What to do: pick a month with posts, or ingest its exports."
        )
    d = delivery(match, tagged, month)
    k = kpis(frame, account_daily, brand, month, seed=seed, n_resamples=n_resamples)
    s = series_health(frame, month, brand.series_rule, seed=seed, n_resamples=n_resamples)
    formats = format_table(frame, month, seed=seed, n_resamples=n_resamples)
    aud = audience_growth(account_daily, frame, month)
    has_calendar = bool(len(calendar))
    return Retro(
        brand=brand.slug,
        brand_name=brand.name,
        month=month,
        delivery=d,
        match=match,
        kpis=k,
        breakdowns={
            dim: breakdown(frame, month, dim) for dim in ("platform", "pillar", "series", "format")
        },
        formats=formats,
        top=top_posts(frame, month),
        bottom=top_posts(frame, month, bottom=True),
        series=s,
        audience=aud,
        best_time=best_time(frame, month),
        takeaways=_takeaways(d, k, s, formats, aud, has_calendar),
        views_change={p: day.isoformat() for p, day in M.VIEWS_CHANGE.items()},
        has_calendar=has_calendar,
        has_targets=bool(brand.targets),
    )


def build_retro(
    workspace: str | Path, brand: str, month: str, *, seed: int = 0, n_resamples: int = 2000
) -> Retro:
    """Load brand ``brand`` from ``workspace`` (its warehouse and calendar) and compute the retro.

    The calendar is read from ``calendar.csv``/``calendar.xlsx`` with
    :func:`socialnb.calendar.load_calendar` (so a bad calendar fails with its row and column).
    """
    from ..calendar import brand_calendar
    from ..workspace import Workspace

    _check_month(month)
    ws = Workspace(workspace)
    cfg = ws.brand(brand)
    calendar = brand_calendar(Path(ws.path) / brand)
    posts, match = ws.tagged_posts(brand, calendar)  # the calendar matched once
    return retro(
        posts,
        calendar,
        ws.account_daily(brand),
        cfg,
        month,
        seed=seed,
        n_resamples=n_resamples,
        match=match,
    )


def _ratio_heatmap(ax, ratios: pd.DataFrame) -> None:
    """``ratios`` (rows x columns, 1 = usual) drawn as ``seaborn.heatmap`` drew them on this
    page: colour by log2 ratio (RdBu, centred on 1, from 1/2.8 to 2.8), the ratio written in
    each cell (dark on light cells, white on dark), white lines, no spines, every label that
    fits (seaborn's "auto" labels), missing cells left blank. Drawn directly because seaborn
    renders the whole figure once per heat map to test its labels for overlap, and this chart
    sets the labels' rotation itself."""
    import matplotlib as mpl
    from seaborn.utils import relative_luminance

    values = ratios.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log2(values)
    shown = np.ma.masked_where(np.isnan(log_ratio), log_ratio)
    for spine in ax.spines.values():
        spine.set_visible(False)
    cmap = mpl.colors.ListedColormap(mpl.colormaps["RdBu"](np.linspace(0, 1, 256)))  # seaborn's
    mesh = ax.pcolormesh(shown, cmap=cmap, vmin=-1.5, vmax=1.5, linewidths=0.5,
                         edgecolor="white")  # fmt: skip
    ax.set(xlim=(0, values.shape[1]), ylim=(0, values.shape[0]))
    ax.invert_yaxis()
    xticks, xlabels = _labels_that_fit(ax, [str(c) for c in ratios.columns], 0)
    yticks, ylabels = _labels_that_fit(ax, [str(i) for i in ratios.index], 1)
    ax.set(xticks=xticks, yticks=yticks)
    ax.set_xticklabels(xlabels)
    for label in ax.set_yticklabels(ylabels, rotation="vertical"):
        label.set_verticalalignment("center")
    mesh.update_scalarmappable()
    height, width = values.shape
    xs, ys = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    for x, y, m, colour, value in zip(xs.flat, ys.flat, mesh.get_array().flat,
                                      mesh.get_facecolors(), values.flat, strict=False):  # fmt: skip
        if m is not np.ma.masked:
            ax.text(x, y, f"{value:.2f}", color=".15" if relative_luminance(colour) > 0.408 else "w",
                    ha="center", va="center", fontsize=8)  # fmt: skip


def _labels_that_fit(ax, labels: list[str], axis: int) -> tuple[np.ndarray, list[str]]:
    """Tick positions and labels at the cells' centres, every k-th label when they would not
    fit at the tick labels' font size (seaborn.heatmap's "auto" rule)."""
    bbox = ax.get_window_extent().transformed(ax.figure.dpi_scale_trans.inverted())
    size = (bbox.width, bbox.height)[axis]
    (tick,) = (ax.xaxis, ax.yaxis)[axis].set_ticks([0])
    max_ticks = int(size // (tick.label1.get_size() / 72))
    if max_ticks < 1:
        return np.array([]), []
    every = len(labels) // max_ticks + 1
    return np.arange(0, len(labels), every) + 0.5, labels[::every]
