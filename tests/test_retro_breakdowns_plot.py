"""Promise of Retro.plot_breakdowns: the chart seaborn's heat maps drew, pixel for pixel, without
seaborn's figure draw per heat map."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

from socialnb import plots
from socialnb.retro import Retro

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _house_style():
    """The report's style for these figures only: the rest of the session keeps its own."""
    with matplotlib.rc_context():
        plots.use_style()
        yield


def _seaborn_breakdowns(breakdowns: dict):
    """plot_breakdowns as it was written with seaborn.heatmap (the reference look)."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    grids = []
    for dim in ("platform", "pillar", "series", "format"):
        b = breakdowns.get(dim)
        if b is None or b.empty or b["index_vs_baseline"].notna().sum() == 0:
            continue
        if dim != "platform" and set(b[dim].astype(str)) <= {"(none)"}:
            continue
        col = "all posts" if dim == "platform" else dim
        g = b.assign(_col=col if dim == "platform" else b[dim].astype(str))
        grids.append((dim, g.pivot_table(index="platform", columns="_col",
                                         values="index_vs_baseline", aggfunc="first")))  # fmt: skip
    platforms = sorted({p for _, g in grids for p in g.index})
    widths = [max(1.6, g.shape[1]) for _, g in grids]
    fig, axes = plt.subplots(
        1, len(grids), figsize=(min(9.5, 1.6 + 0.55 * sum(widths)), 1.3 + 0.3 * len(platforms)),
        gridspec_kw={"width_ratios": widths}, squeeze=False,
    )  # fmt: skip
    for n, (ax, (dim, g)) in enumerate(zip(axes[0], grids, strict=True)):
        g = g.reindex(platforms)
        sns.heatmap(np.log2(g.astype(float)), annot=g.astype(float), fmt=".2f", cmap="RdBu",
                    center=0, vmin=-1.5, vmax=1.5, cbar=False, linewidths=0.5,
                    linecolor="white", annot_kws={"fontsize": 8}, ax=ax)  # fmt: skip
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


def _pixels(fig) -> np.ndarray:
    import matplotlib.pyplot as plt

    fig.canvas.draw()
    out = np.asarray(fig.canvas.buffer_rgba()).copy()
    plt.close(fig)
    return out


def _breakdowns(n_series: int, seed: int) -> dict:
    """Hand-made breakdowns: three platforms, a missing cell, a ratio of 0, ratios beyond the
    colour range, and ``n_series`` series (many: labels thinned)."""
    rng = np.random.default_rng(seed)
    plats = ["instagram", "linkedin", "x"]

    def table(dim, levels, platforms=plats):
        rows = [{"platform": p, dim: lv, "index_vs_baseline": float(rng.lognormal(0, 0.7))}
                for p in platforms for lv in levels]  # fmt: skip
        return pd.DataFrame(rows)

    platform = pd.DataFrame({"platform": plats, "index_vs_baseline": [1.3, np.nan, 0.0]})
    pillar = table("pillar", ["how-to", "community", "product"], plats[:2])
    pillar.loc[0, "index_vs_baseline"] = 9.0  # far above the colour range
    series = table("series", [f"series {i:02d}" for i in range(n_series)], plats[1:])
    fmt = table("format", ["image", "video", "carousel", "text"])
    fmt.loc[2, "index_vs_baseline"] = np.nan
    return {"platform": platform, "pillar": pillar, "series": series, "format": fmt}


@pytest.mark.parametrize("n_series, seed", [(2, 1), (7, 2), (60, 3)])
def test_the_breakdown_heat_maps_look_as_seaborn_drew_them(n_series, seed):
    breakdowns = _breakdowns(n_series, seed)
    fig = Retro.plot_breakdowns(SimpleNamespace(breakdowns=breakdowns))
    labels = [t.get_text() for t in fig.axes[2].get_xticklabels()]
    assert (len(labels) < n_series) == (n_series == 60)  # many series: every k-th label
    np.testing.assert_array_equal(_pixels(fig), _pixels(_seaborn_breakdowns(breakdowns)))


def test_the_sample_retros_breakdowns_look_as_seaborn_drew_them(sample_workspace):
    from socialnb import retro

    sample = retro.build_retro(sample_workspace, "fernway", "2026-10", n_resamples=200)
    np.testing.assert_array_equal(
        _pixels(sample.plot_breakdowns()), _pixels(_seaborn_breakdowns(sample.breakdowns))
    )
