"""One house style for every socialnb figure (notebooks, reports, the index).

Call :func:`use_style` once at the top of a notebook (after the parameters cell); every seaborn
and matplotlib figure after it uses the house palette, fonts and a size that reads on a phone.
"""

from __future__ import annotations

__all__ = ["PALETTE", "PLATFORM_COLORS", "FORMAT_ORDER", "use_style"]

#: The house palette, in order of use (colour-blind safe, from Okabe & Ito).
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)

#: One fixed colour per platform, so a platform keeps its colour across charts.
PLATFORM_COLORS: dict[str, str] = {
    "facebook": PALETTE[0],
    "instagram": PALETTE[3],
    "x": PALETTE[7],
    "linkedin": PALETTE[4],
    "tiktok": PALETTE[5],
    "youtube": PALETTE[1],
}

#: Display order of content formats.
FORMAT_ORDER: tuple[str, ...] = (
    "image",
    "carousel",
    "video",
    "reel",
    "story",
    "link",
    "text",
    "live",
)


def use_style() -> None:
    """Apply the socialnb house style to seaborn and matplotlib.

    Figures are PNG (embedded in the report HTML), 7 x 4 inches at 110 dpi, white background,
    light grid, the :data:`PALETTE` colours, and no top/right spines.

    Examples
    --------
    >>> from socialnb import plots
    >>> plots.use_style()
    """
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(
        context="notebook",
        style="whitegrid",
        palette=list(PALETTE),
        font="DejaVu Sans",
        rc={
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "savefig.bbox": "tight",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.edgecolor": "#9aa5b1",
            "grid.color": "#e4e7eb",
            "legend.frameon": False,
            "svg.fonttype": "none",
        },
    )
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=list(PALETTE))
    try:  # inside a kernel: embed figures as PNG (self-contained HTML, no external files)
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
    except Exception:  # pragma: no cover - outside IPython there is nothing to configure
        pass
