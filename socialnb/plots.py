"""One house style for every socialnb figure (notebooks, reports, the index).

Call :func:`use_style` once at the top of a notebook (after the parameters cell); every seaborn
and matplotlib figure after it uses the house palette, fonts and a size that reads on a phone.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from typing import Any

from .schema import FORMATS

__all__ = [
    "PALETTE",
    "PLATFORM_COLORS",
    "FORMAT_ORDER",
    "use_style",
    "format_number",
    "format_percent",
    "format_p",
    "label",
    "table",
    "collapsed",
    "how_computed",
    "anchor",
    "note",
    "missing_input",
    "layout_problems",
    "watch_layout",
    "LAYOUT_MIMETYPE",
]

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

#: Display order of content formats: the canonical list (so ``media`` and ``unknown`` are kept).
FORMAT_ORDER: tuple[str, ...] = FORMATS


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
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # pragma: no cover - both come with the stack
        return
    if get_ipython() is not None:  # inside a kernel: embed figures as PNG (self-contained HTML)
        set_matplotlib_formats("png")


# --- tables as a reader sees them ----------------------------------------------------------

#: Column labels that read better than the field name with its underscores replaced.
LABELS: dict[str, str] = {
    "p_value": "p-value",
    "ci_low": "interval low",
    "ci_high": "interval high",
    "n_posts": "posts",
    "n_per_variant": "posts a variant",
}

_NA = "–"


def label(name: Any) -> str:
    """A field name as a column heading: ``ci_low`` -> ``interval low``, ``n_posts`` -> ``posts``,
    other underscores become spaces (``dashboard_p_value`` -> ``dashboard p-value``)."""
    name = str(name)
    if name in LABELS:
        return LABELS[name]
    text = name.replace("_", " ")
    return text[:-7] + "p-value" if text.endswith("p value") else text


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA raises TypeError below
    except (TypeError, ValueError):
        return False


def format_number(value: Any, digits: int = 3) -> str:
    """A number as a person reads it: ``digits`` significant digits, thousands separators.

    Whole numbers keep every digit (``19,890``), numbers of 1,000 or more are rounded to a whole
    number (``2,495``), others to ``digits`` significant digits (``0.0606``, ``1.39``, ``1.20``).
    Missing values show as a dash; text is returned unchanged.

    Examples
    --------
    >>> format_number(2494.694), format_number(1.3924764), format_number(19890.0)
    ('2,495', '1.39', '19,890')
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _is_missing(value):
        return _NA
    if not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    # A measured 1.2025 reads 1.20 (trailing zero kept: 3 digits), a set 0.5 stays 0.5.
    exact = round(x, 2) == x
    text = f"{x:.{digits}g}" if exact else f"{x:#.{digits}g}".rstrip(".")
    if "e" in text:  # fixed decimals to ``digits`` significant digits: never 1e-06 or 1.5e+02
        places = max(0, digits - 1 - math.floor(math.log10(abs(x))))
        text = f"{x:.{places}f}"
    return text


def format_percent(value: Any, digits: int = 3) -> str:
    """A share or rate (0.0439) as a percentage with ``digits`` significant digits (``4.39%``)."""
    if _is_missing(value) or isinstance(value, str):
        return _NA if _is_missing(value) else value
    return f"{format_number(float(value) * 100, digits)}%"


def format_p(value: Any) -> str:
    """A p-value to 2 significant digits, or ``< 0.001`` below that."""
    if _is_missing(value) or isinstance(value, str):
        return _NA if _is_missing(value) else value
    x = float(value)
    if x < 0.001:
        return "< 0.001"
    return f"{x:.2g}"


def _is_percent_column(name: str) -> bool:
    name = name.lower()
    return name.endswith(("rate", "_share", "growth", "rate_low", "rate_high")) or name == "share"


def table(
    data: Any,
    *,
    percent: Iterable[str] | None = None,
    p_values: Iterable[str] | None = None,
    digits: int = 3,
    labels: Mapping[str, str] | None = None,
    index: bool = False,
    caption: str | None = None,
    links: Iterable[str] = (),
    empty: str | None = None,
):
    """A DataFrame styled for reading in the report: rounded numbers, human column names.

    Numbers get ``digits`` significant digits and thousands separators, rates are percentages,
    p-values read ``< 0.001``, identifiers (``id``, ``*_id``, ``*_row``) are shown as they are,
    dates without a time of day as ``YYYY-MM-DD`` (else ``YYYY-MM-DD HH:MM``), missing values
    as a dash, and text is escaped. The row index is hidden unless ``index``.

    Parameters
    ----------
    data : DataFrame or Series, as the package returns it (only its display is formatted).
    percent : columns shown as percentages (default: names ending in ``rate``, ``growth``,
        ``_share``, ``rate_low``, ``rate_high``).
    p_values : columns shown as p-values (default: ``p_value`` and ``*_p_value``).
    digits : significant digits of other numbers (whole numbers keep every digit).
    labels : column label overrides (others: :func:`label`).
    index : show the row index.
    caption : a sentence shown above the table (e.g. what the denominator is).
    links : columns of web addresses, shown as escaped links (``http(s)`` only).
    empty : the sentence shown instead of a table with no rows (never a header-only table).

    Returns
    -------
    pandas.io.formats.style.Styler, or the :func:`note` ``empty`` when there are no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from socialnb import plots
    >>> styled = plots.table(pd.DataFrame({"p_value": [4e-05], "effect": [1.3925]}))
    >>> import re
    >>> re.findall(r"<td[^>]*>([^<]*)</td>", styled.to_html())  # p-values and effects for people
    ['&lt; 0.001', '1.39']
    """
    import pandas as pd

    df = data.to_frame() if isinstance(data, pd.Series) else data.copy()
    if df.empty:
        return note(empty or "Nothing to show here for this month.")
    names = [str(c) for c in df.columns]
    default_p = {c for c in names if c == "p_value" or c.endswith("_p_value")}
    kinds = {
        "link": {str(c) for c in links},
        "p": set(p_values) if p_values is not None else default_p,
        "percent": set(percent) if percent is not None else set(filter(_is_percent_column, names)),
    }
    overrides = {**LABELS, **dict(labels or {})}
    new_names = {c: overrides.get(str(c), label(c)) for c in df.columns}
    formatters = {}
    for col in df.columns:
        fmt = _column_formatter(str(col), df[col], kinds, digits)
        if fmt is not None:
            formatters[new_names[col]] = fmt
    df = df.rename(columns=new_names)
    text_columns = [c for c in df.columns if c not in formatters or df[c].dtype == object]
    styler = df.style.format(formatters, na_rep=_NA, escape="html")  # captions stay text
    classes = pd.DataFrame("", index=df.index, columns=df.columns)
    classes[text_columns] = "text"  # left-aligned by the house CSS; numbers align right
    styler = styler.set_td_classes(classes)
    styler = styler if index else styler.hide(axis="index")
    return styler.set_caption(caption) if caption else styler


def _column_formatter(name: str, values: Any, kinds: Mapping[str, set], digits: int):
    """How :func:`table` shows the cells of column ``name`` (None: as pandas does)."""
    import pandas as pd

    if name in kinds["link"]:
        return _link
    if name == "id" or name.endswith(("_id", "_row")):  # identifiers: no separators
        return lambda v: _NA if _is_missing(v) else str(v)
    if pd.api.types.is_datetime64_any_dtype(values):
        times = values.dropna()
        midnight = bool((times == times.dt.normalize()).all()) if len(times) else True
        pattern = "%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M"
        return lambda v: _NA if _is_missing(v) else v.strftime(pattern)
    if name in kinds["p"]:  # pandas escapes text cells, not what a formatter returns
        return lambda v: html.escape(format_p(v))
    if name in kinds["percent"]:
        return lambda v: format_percent(v, digits)
    if pd.api.types.is_numeric_dtype(values) or values.dtype == object:
        return lambda v: format_number(v, digits)
    return None


def _link(value: Any) -> str:
    """A web address as a link (``http``/``https`` only), else text. ``table`` formats with
    ``escape="html"``, which escapes a text cell *before* its formatter: ``value`` arrives
    escaped (``&amp;``, ``&#34;``), so it is safe inside the attribute and the link text."""
    if _is_missing(value) or not str(value).strip():
        return _NA
    url = str(value).strip()
    if not url.lower().startswith(("https://", "http://")):
        return url
    return f'<a href="{url}" rel="noopener noreferrer">{url}</a>'


def note(text: str):
    """A plain sentence in the report (Markdown), e.g. an empty state: ``No posts on X this
    month.`` The text is escaped: a caption or a file name can never inject HTML.

    Examples
    --------
    >>> from socialnb import plots
    >>> plots.note("No posts on X this month.").data
    '_No posts on X this month._'
    """
    from IPython.display import Markdown

    return Markdown(f"_{html.escape(str(text), quote=False)}_")


def missing_input(shows: str, file: str, where: str = "to the brand's folder"):
    """The one sentence a section shows when its input is missing: what it would show and which
    file unlocks it.

    Parameters
    ----------
    shows : what the section would show (``"planned vs shipped posts"``).
    file : the file (or key) that unlocks it (``"calendar.csv"``).
    where : where it goes (``"to the brand's folder"``, ``"to brand.yaml"``).

    Examples
    --------
    >>> from socialnb import plots
    >>> print(plots.missing_input("planned vs shipped posts", "calendar.csv").data)
    _This section would show planned vs shipped posts. Add calendar.csv to the brand's folder to unlock it._
    """
    return note(f"This section would show {shows}. Add {file} {where} to unlock it.")


def collapsed(content: Any, summary: str):
    """``content`` (a :func:`table`, a DataFrame or HTML text) folded behind a one-line summary.

    For long tables a reader may want but should not have to scroll past: the report shows
    ``summary`` and opens the table on a click (an HTML ``<details>`` element, no script).

    Examples
    --------
    >>> import pandas as pd
    >>> from socialnb import plots
    >>> block = plots.collapsed(plots.table(pd.DataFrame({"id": ["I-001"]})), "All 28 scored ideas")
    >>> block.data.startswith("<details><summary>All 28 scored ideas</summary>")
    True
    """
    from IPython.display import HTML, Markdown

    if isinstance(content, Markdown):  # an empty state (see table's ``empty``): nothing to fold
        return content
    inner = content.to_html() if hasattr(content, "to_html") else str(content)
    return HTML(f"<details><summary>{html.escape(summary)}</summary>{inner}</details>")


def how_computed(*paragraphs: str, summary: str = "How this is computed"):
    """The methods behind a section (test names, models, corrections), folded under one line.

    Every page keeps plain words in its main text and puts the method names (NB2 GLM,
    Brunner-Munzel, Benjamini-Hochberg, bootstrap, ...) here, so a reader who wants them finds
    them in the same place on every page. Each argument is one paragraph of plain text
    (escaped); ``**bold**`` and ``*italic*`` are kept.

    Examples
    --------
    >>> from socialnb import plots
    >>> print(plots.how_computed("Medians with 95% bootstrap intervals over posts.").data)
    <details class="snb-how"><summary>How this is computed</summary><p>Medians with 95% bootstrap intervals over posts.</p></details>
    """
    import re

    from IPython.display import HTML

    def inline(text: str) -> str:
        text = html.escape(" ".join(str(text).split()), quote=False)
        text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
        return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", text)

    body = "".join(f"<p>{inline(p)}</p>" for p in paragraphs if str(p).strip())
    return HTML(
        f'<details class="snb-how"><summary>{html.escape(summary)}</summary>{body}</details>'
    )


def anchor(title: str) -> str:
    """The ``id`` of the section titled ``title``: lower case, words joined by ``-``
    (``"Planned vs shipped"`` -> ``"planned-vs-shipped"``). A notebook marks its section with
    ``<a id="planned-vs-shipped"></a>`` in the heading; a line links to it with
    ``f"[{title}](#{plots.anchor(title)})"``."""
    import re

    return "-".join(re.findall(r"[a-z0-9]+", str(title).lower()))


# --- layout: no text over text, no legend over data ------------------------------------------

#: Overlaps of up to this many pixels are the fonts' own padding, not a clash.
_OVERLAP_PX = 2.0


def _drawn_tick_labels(axis) -> tuple[list, set[int]]:
    """The tick labels ``axis`` draws (ticks inside the view), and the ids of all of them."""
    every = {id(t) for tick in axis.get_major_ticks() + axis.get_minor_ticks()
             for t in (tick.label1, tick.label2)}  # fmt: skip
    lo, hi = sorted(axis.get_view_interval())
    slack = 1e-9 * (hi - lo)
    drawn = []
    for locs, ticks in ((axis.get_majorticklocs(), axis.get_major_ticks),
                        (axis.get_minorticklocs(), axis.get_minor_ticks)):  # fmt: skip
        for loc, tick in zip(locs, ticks(len(locs)), strict=True):
            if lo - slack <= loc <= hi + slack:
                drawn += [t for t in (tick.label1, tick.label2) if t.get_visible()]
    return drawn, every


def _texts(fig) -> list[tuple[str, Any]]:
    """(text, outline) of every text a drawn figure shows (titles, axis labels, tick labels
    inside the view, annotations, legend entries and titles): the outline is the text's own
    rectangle in pixels, turned with the text (4 corners)."""
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    drawn, skip = [], set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            d, every = _drawn_tick_labels(axis)
            drawn += d
            skip |= every
    for hidden in fig.findobj(lambda a: not a.get_visible()):  # a legend switched off, say
        skip |= {id(t) for t in hidden.findobj(Text)}
    others = [t for t in fig.findobj(Text) if id(t) not in skip]
    out = []
    for t in drawn + others:
        if not t.get_visible() or not t.get_text().strip():
            continue
        box = t.get_window_extent(renderer)
        if box.width > 0 and box.height > 0:
            out.append((t.get_text(), _outline(t, box, renderer)))
    return out


def _outline(text, box, renderer):
    """The 4 corners of ``text``'s own rectangle, turned by its rotation, less the padding of
    :data:`_OVERLAP_PX` (``box``, its window extent, is the upright box around it)."""
    import numpy as np

    angle = np.deg2rad(text.get_rotation())
    w, h = box.width, box.height
    if abs(np.sin(angle)) > 1e-6:  # the unturned size, measured
        turned = text.get_rotation()
        text.set_rotation(0)
        flat = text.get_window_extent(renderer)
        text.set_rotation(turned)
        w, h = flat.width, flat.height
    w, h = max(w - _OVERLAP_PX, 0.0), max(h - _OVERLAP_PX, 0.0)
    corners = np.array([(-w, -h), (w, -h), (w, h), (-w, h)]) / 2
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    centre = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
    return corners @ turn.T + centre


def _overlap(a, b) -> bool:
    """Whether two convex outlines (4 corners each) overlap: no edge of either separates them."""
    import numpy as np

    for poly in (a, b):
        for i in range(len(poly)):
            edge = poly[(i + 1) % len(poly)] - poly[i]
            normal = np.array([-edge[1], edge[0]])
            pa, pb = a @ normal, b @ normal
            if pa.max() <= pb.min() or pb.max() <= pa.min():
                return False
    return True


def _data_points(ax) -> list[tuple[str, Any]]:
    """(what, display points) of the data an axes shows: line vertices (lines drawn in data
    coordinates, so not reference lines such as ``axvline``), scatter points, bar rectangles'
    corners and centres."""
    import numpy as np

    out = []
    for line in ax.get_lines():
        if line.get_visible() and line.get_transform().contains_branch(ax.transData):
            xy = np.asarray(line.get_xydata(), dtype=float)
            if line.get_transform() == ax.transData or xy.size:
                out.append((f"line {line.get_label()}", line.get_transform().transform(xy)))
    for coll in ax.collections:
        offsets = np.asarray(coll.get_offsets(), dtype=float)
        if coll.get_visible() and offsets.size:
            out.append(("points", coll.get_offset_transform().transform(offsets)))
    for patch in ax.patches:
        if patch.get_visible() and hasattr(patch, "get_bbox"):
            b = patch.get_window_extent()
            if b.width > 0 and b.height > 0:
                corners = [(b.x0, b.y0), (b.x1, b.y1), (b.x0, b.y1), (b.x1, b.y0)]
                out.append(("bar", np.array([*corners, ((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2)])))
    return out


def layout_problems(fig) -> list[str]:
    """What is wrong with a figure's layout, in words (empty: nothing).

    Draws the figure, then compares the bounding boxes matplotlib gives for what it drew
    (``get_window_extent``): two texts (tick labels, axis labels, titles, annotations, legend
    entries) overlapping by more than a pixel either way, and a legend over a data point (a line
    vertex, a scatter point, a bar) of an axes. Used by the tests on every chart the report's
    notebooks draw.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(3, 2)); ax = fig.subplots()
    >>> _ = ax.plot([0, 1, 2], [0, 1, 0], label="sessions"); _ = ax.legend(loc="upper center")
    >>> layout_problems(fig)
    ["legend covers line sessions of the axes ''"]
    >>> _ = ax.set_ylim(0, 2.5)
    >>> layout_problems(fig)
    []
    """
    import numpy as np

    if not hasattr(fig.canvas, "get_renderer"):  # a bare Figure: give it a canvas that draws
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.canvas.draw()
    problems = []
    texts = _texts(fig)
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1 :]:
            if _overlap(box_a, box_b):
                problems.append(f"text {a!r} overlaps text {b!r}")
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        legends = [lg for lg in [ax.get_legend(), *fig.legends] if lg is not None]
        for legend in legends:
            if not legend.get_visible():
                continue
            box = legend.get_window_extent(renderer)
            for what, pts in _data_points(ax):
                pts = pts[np.isfinite(pts).all(axis=1)] if len(pts) else pts
                inside = (pts[:, 0] > box.x0) & (pts[:, 0] < box.x1)
                inside &= (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)
                if inside.any():
                    problems.append(f"legend covers {what} of the axes {_name(ax)!r}")
                    break
    return list(dict.fromkeys(problems))


def _name(ax) -> str:
    titles = [ax.get_title(loc) for loc in ("left", "center", "right")]
    return next((t for t in titles if t), ax.get_ylabel() or ax.get_xlabel())


#: The MIME type of :func:`watch_layout`'s output beside each figure a notebook shows.
LAYOUT_MIMETYPE = "application/vnd.socialnb.layout+json"


def watch_layout() -> None:
    """Check every figure a notebook shows from now on with :func:`layout_problems`.

    Each figure's output then carries ``{"title", "problems"}`` under :data:`LAYOUT_MIMETYPE`
    (the report's HTML ignores it), so a test can execute the report's notebooks and read what
    every chart got wrong. Outside IPython it does nothing.
    """
    try:
        from IPython import get_ipython
        from IPython.core.formatters import JSONFormatter
        from traitlets import Unicode
    except ImportError:  # pragma: no cover - IPython comes with the stack
        return
    ip = get_ipython()
    if ip is None:
        return
    from matplotlib.figure import FigureBase

    class LayoutFormatter(JSONFormatter):
        format_type = Unicode(LAYOUT_MIMETYPE)

    display = ip.display_formatter
    formatter = LayoutFormatter(parent=display)
    formatter.for_type(  # the base class: matplotlib_inline pops the ``Figure`` key of every type
        FigureBase, lambda fig: {"title": _figure_title(fig), "problems": layout_problems(fig)}
    )
    display.formatters[LAYOUT_MIMETYPE] = formatter
    if display.active_types and LAYOUT_MIMETYPE not in display.active_types:
        display.active_types = [*display.active_types, LAYOUT_MIMETYPE]


def _figure_title(fig) -> str:
    if fig.get_suptitle():
        return fig.get_suptitle()
    return next((_name(ax) for ax in fig.axes if _name(ax)), "")
