"""HTML for the monthly report: notebook pages, the month index and the top-level index.

Private helpers of :mod:`socialnb.report`. Every page is one self-contained file: the house CSS
is inlined, figures are embedded as base64 PNG, a Content-Security-Policy forbids scripts and
requests to any other host, and every piece of user text is escaped.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

import bleach
import nbformat
from markupsafe import Markup, escape

from ._record import RECORD_MIMETYPE

__all__: list[str] = []

TEMPLATES = Path(str(importlib_resources.files("socialnb") / "templates"))

CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-src data:; "
    "base-uri 'none'; form-action 'none'"
)

#: Tags a notebook's HTML may keep. Everything else (script, img, iframe, svg, style, form...) is
#: escaped by bleach, so a hostile caption shows as text. Figures never need HTML tags: they are
#: image/png outputs, rendered by the template itself.
ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "ins",
        "kbd",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
)
ALLOWED_ATTRIBUTES = {
    "*": ["class", "id", "title"],
    "a": ["href", "title"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "align", "scope"],
    "table": ["class", "border"],
}
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL)
_RECORD_CALL = re.compile(r"^\s*(?:socialnb\.)?record\(")
_TABLE_OPEN = re.compile(r"<table\b", re.IGNORECASE)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.IGNORECASE)


def clean_html(html: str) -> Markup:
    """Whitelist-sanitise notebook HTML: harmless tags stay, everything else becomes text.

    ``<style>`` blocks (pandas Styler CSS) are dropped, links keep only http(s)/mailto/fragment
    targets, and tables are wrapped so they scroll sideways on a phone.
    """
    html = _STYLE_BLOCK.sub("", str(html))
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols={"http", "https", "mailto"},
        strip=False,
        strip_comments=True,
    )
    cleaned = _TABLE_OPEN.sub('<div class="table-scroll"><table', cleaned)
    cleaned = _TABLE_CLOSE.sub("</table></div>", cleaned)
    return Markup(cleaned)


@lru_cache(maxsize=1)
def house_css() -> str:
    """The house stylesheet (inlined into every page)."""
    return (TEMPLATES / "house.css").read_text(encoding="utf-8")


#: Page exporters not in use, per ``with_code``. Building one compiles nbconvert's Jinja
#: templates anew (a fifth of a page's render), so each is kept for the next page; one is not
#: thread-safe (a page registers filters on it), so a thread takes one out for one page.
_IDLE_EXPORTERS: dict[bool, list[Any]] = {False: [], True: []}
_IDLE_LOCK = threading.Lock()


@contextmanager
def _exporter(with_code: bool) -> Iterator[Any]:
    """An exporter of pages for this thread alone while the ``with`` block runs: one an earlier
    page left, else a new one; kept for the next page after."""
    with _IDLE_LOCK:
        idle = _IDLE_EXPORTERS[with_code]
        exporter = idle.pop() if idle else None
    if exporter is None:
        exporter = _page_exporter_class()(
            template_name="socialnb",
            extra_template_basedirs=[str(TEMPLATES)],
            exclude_input=not with_code,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            exclude_anchor_links=True,
            sanitize_html=True,
            embed_images=True,
            optimistic_validation=True,  # once after the preprocessors, not after each
        )
        exporter.register_filter("snb_clean", clean_html)
    try:
        yield exporter
    finally:
        with _IDLE_LOCK:
            _IDLE_EXPORTERS[with_code].append(exporter)


@lru_cache(maxsize=1)
def _page_exporter_class() -> type:
    """nbconvert's ``HTMLExporter`` with a lighter last pass (see ``from_notebook_node``)."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            """``HTMLExporter.from_notebook_node`` (nbconvert 7.17), the same page; its last
            pass finds images by tag, not by a CSS selector over the whole tree, and JupyterLab's
            cells only on a page that names their class (or holds a &#-reference to spell it)."""
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            soup = BeautifulSoup(html, features="html.parser")
            missing_alt = [e for e in soup.find_all("img") if "alt" not in e.attrs]
            for elem in missing_alt:
                elem.attrs["alt"] = "No description has been provided for this image"
            if missing_alt:
                self.log.warning("Alternative text is missing on %s image(s).", len(missing_alt))
            if "jp-notebook" in html.lower() or "&#" in html:  # where the class can be
                for selector in ("div.jp-Cell-inputWrapper", "div.jp-OutputArea-output"):
                    for elem in soup.select(f".jp-Notebook {selector}"):
                        elem.attrs["tabindex"] = "0"
            return str(soup), resources

    return PageExporter


#: An absolute POSIX path of at least two parts (``/home/ana/data/x.csv``) that is not part of a
#: URL or a relative path; group 2 is its last part.
_POSIX_PATH = re.compile(
    r"(?<![\w.,:/~\\-])(/(?:[^\s/'\"<>()\[\]{},;:|]+/)+)([^\s/'\"<>()\[\]{},;:|]*)"
)
#: An absolute Windows path (``C:\\Users\\ana\\x.csv``); group 2 is its last part.
_WINDOWS_PATH = re.compile(r"(?<![\w])([A-Za-z]:\\(?:[^\s\\'\"<>|]+\\)*)([^\s\\'\"<>|]*)")


def scrub_paths(text: str, replacements: Iterable[tuple[str, str]] = ()) -> str:
    """``text`` without any absolute path of the machine.

    Each ``(prefix, shown)`` pair replaces an absolute folder (the workspace, the report being
    built) by how the report shows it (``data``, ``reports/acme/2026-10``); any other absolute
    path is cut to its last part (the file name).
    """
    text = str(text)
    for prefix, shown in sorted(replacements, key=lambda r: -len(r[0])):
        if prefix and prefix not in ("/", "."):
            text = text.replace(prefix.rstrip("/\\"), shown)
    text = _POSIX_PATH.sub(lambda m: m.group(2) or m.group(1).rstrip("/").rsplit("/", 1)[-1], text)
    return _WINDOWS_PATH.sub(lambda m: m.group(2) or m.group(1), text)


def _scrub_output(out: Any, scrub: Callable[[str], str]) -> None:
    if out.get("output_type") == "stream":
        out["text"] = scrub(out.get("text", ""))
        return
    data = out.get("data", {})
    for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
        if mime in data:
            value = data[mime]
            data[mime] = scrub("".join(value) if isinstance(value, list) else value)


def _ends_with_record_call(source: str) -> bool:
    lines = [line for line in source.splitlines() if line.strip()]
    return (
        bool(lines) and bool(_RECORD_CALL.match(lines[-1])) and not lines[-1].rstrip().endswith(";")
    )


def prepare_for_html(
    nb: nbformat.NotebookNode,
    *,
    with_code: bool,
    title: str | None = None,
    failed_index: int | None = None,
    scrub: Callable[[str], str] | None = None,
) -> nbformat.NotebookNode:
    """A copy of an executed notebook as stakeholders should see it.

    Drops ``socialnb.record`` outputs (the values are on the index), papermill's error banner
    cells (the page header says what failed), the injected-parameters cell, every error output
    (a traceback stays in the executed notebook, never on the page), the cells after the failing
    cell ``failed_index`` (they did not run), and, unless ``with_code``, stderr streams
    (warnings). ``scrub`` rewrites every text that remains (absolute paths out).
    """
    nb = nbformat.from_dict(nb)  # deep copy
    scrub = scrub or scrub_paths
    cells = []
    seen_title = False
    for index, cell in enumerate(nb.cells):
        if failed_index is not None and index > failed_index:
            break
        if cell.cell_type == "markdown" and not seen_title and title:
            seen_title = True
            lines = cell.source.splitlines()
            if lines and lines[0].strip() == f"# {title}":  # the page header shows the title
                cell.source = "\n".join(lines[1:]).strip()
                if not cell.source:
                    continue
        tags = cell.get("metadata", {}).get("tags", [])
        if "papermill-error-cell-tag" in tags or "injected-parameters" in tags:
            continue
        if not with_code and "parameters" in tags:
            continue
        if cell.cell_type == "markdown":
            cell.source = scrub(cell.source)
        if cell.cell_type == "code":
            cell.source = scrub(cell.source)
            outputs = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    continue
                if out.get("output_type") in ("display_data", "execute_result") and (
                    RECORD_MIMETYPE in out.get("data", {})
                ):
                    continue
                if out.get("output_type") == "execute_result" and _ends_with_record_call(
                    cell.source
                ):  # record() returns its value; the index shows it already
                    continue
                if (
                    not with_code
                    and out.get("output_type") == "stream"
                    and out.get("name") == "stderr"
                ):
                    continue
                _scrub_output(out, scrub)
                outputs.append(out)
            cell.outputs = outputs
            if not with_code and not outputs:
                continue
        cells.append(cell)
    nb.cells = cells
    return nb


def render_notebook(
    nb: nbformat.NotebookNode,
    *,
    title: str,
    brand: str,
    month: str,
    with_code: bool = False,
    error: str | None = None,
    failed_cell: int | None = None,
    version: str = "",
    section: str | None = None,
    advice: str = "",
    failed_index: int | None = None,
    notebook: str = "",
    scrub: Callable[[str], str] | None = None,
) -> str:
    """Render an executed notebook to one self-contained HTML page (see module docstring).

    A failed notebook gets a plain notice: the section that failed (``section``, its heading),
    why in one line (``error``), what to do (``advice``) and where the full error is kept (the
    executed ``<notebook>.ipynb`` beside the page); the page stops at the failing cell.
    """
    scrub = scrub or scrub_paths
    page = prepare_for_html(
        nb, with_code=with_code, title=title, failed_index=failed_index, scrub=scrub
    )
    resources = {
        "socialnb": {
            "title": title,
            "brand": brand,
            "month": month,
            "failed": error is not None,
            "error": scrub(error or ""),
            "section": section,
            "advice": scrub(advice),
            "notebook": notebook,
            "failed_cell": failed_cell,
            "css": house_css(),
            "version": version,
            "rendered": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        }
    }
    with _exporter(with_code) as exporter:
        body, _ = exporter.from_notebook_node(page, resources=resources)
    return add_heading_ids(body)


# --- anchors and links between the pages of one month ---------------------------------------

_HEADING_TAG = re.compile(r"<h([1-6])([^>]*)>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_ID_ATTR = re.compile(r"""\bid\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
#: Where a notebook page's bar of links to the month's other pages goes (filled in by the
#: report once every page of the month is known).
NAV_START, NAV_END = "<!--socialnb:nav-->", "<!--/socialnb:nav-->"


def slug(text: str) -> str:
    """A heading's text as an anchor id: ``"Series health: keep"`` -> ``series-health-keep``."""
    import html as _std_html

    words = re.sub(r"[^\w]+", "-", _std_html.unescape(_TAGS.sub("", text)).lower(), flags=re.ASCII)
    return words.strip("-") or "section"


def add_heading_ids(html: str) -> str:
    """Give every heading without an id one made from its text (unique in the page), so that
    the index and the takeaways can link to a section."""
    seen = set(_ID_ATTR.findall(html))

    def one(m: re.Match) -> str:
        level, attrs, inner = m.groups()
        if _ID_ATTR.search(attrs):
            return m.group(0)
        base = slug(inner)
        anchor, n = base, 2
        while anchor in seen:
            anchor, n = f"{base}-{n}", n + 1
        seen.add(anchor)
        return f'<h{level}{attrs} id="{anchor}">{inner}</h{level}>'

    return _HEADING_TAG.sub(one, html)


def heading_ids(html: str) -> list[tuple[str, str]]:
    """``(id, text)`` of every heading of a page that has an id, in page order."""
    import html as _std_html

    out = []
    for m in _HEADING_TAG.finditer(html):
        found = _ID_ATTR.search(m.group(2))
        if found:
            out.append((found.group(1), _std_html.unescape(_TAGS.sub("", m.group(3))).strip()))
    return out


def nav_bar(pages: Iterable[tuple[str, str]], current: str | None = None) -> Markup:
    """The bar of links between the month's pages: ``(file name, title)`` pairs, the month's
    index first; the current page is marked, not linked."""
    items = []
    for href, title in pages:
        if href == current:
            items.append(f'<li><span aria-current="page">{escape(title)}</span></li>')
        else:
            items.append(f'<li><a href="{escape(href)}">{escape(title)}</a></li>')
    return Markup(
        f'<nav class="pages" aria-label="Pages of this report"><ul>{"".join(items)}</ul></nav>'
    )


def set_nav(html: str, nav: str) -> str:
    """Put ``nav`` between the page's nav markers (a page without them is left as it is)."""
    start, end = html.find(NAV_START), html.find(NAV_END)
    if start < 0 or end < start:
        return html
    return html[: start + len(NAV_START)] + str(nav) + html[end:]


def png_data_uri(fig: Any) -> str:
    """A matplotlib figure as an embedded PNG (``data:image/png;base64,...``)."""
    import base64
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


#: Record names (``socialnb.record``) as a reader reads them on the index.
RECORD_LABELS: dict[str, str] = {
    "posts": "posts published",
    "posts_by_platform": "posts per platform",
    "month_totals": "month totals per platform",
    "engagement_rate_by_platform": "engagement rate per platform",
    "engagement_rate_denominator": "engagement rate divides engagements by",
    "engagement_rate_by_format": "engagement rate per format",
    "planned_posts": "posts planned in the content calendar",
    "published_posts": "posts published (planned or not)",
    "shipped_of_planned": "planned posts shipped",
    "delivery_rate": "delivery rate (planned posts shipped in the month)",
    "series_verdicts": "verdict per series",
    "sunset_candidates": "series to sunset",
    "kpis": "KPIs against target",
    "tests": "tests",
    "ranked_ideas": "ideas in ranked order",
    "plan": "ideas planned for next month",
    "plan_hours": "hours planned",
    "plan_posts": "posts planned for next month",
    "plan_open_slots": "slots left open next month",
    "takeaways": "takeaways",
}


def record_label(name: str) -> str:
    """A record's name in words (``kpis`` -> ``KPIs against target``)."""
    return RECORD_LABELS.get(str(name), _label(name))


# --- values from summary.json, rendered readably --------------------------------------------

#: Reading order of record fields that recur in the headline tables: identifiers first, then
#: the estimate with its interval, then the verdict. summary.json comes back from the executed
#: notebook with its keys sorted (nbformat writes sorted JSON), so this restores an order a
#: person reads; unknown fields keep their place after the known ones.
COLUMN_ORDER: tuple[str, ...] = (
    "id",
    "name",
    "title",
    "platform",
    "format",
    "design",
    "variant",
    "value",
    "low",
    "high",
    "target",
    "baseline",
    "effect",
    "ci_low",
    "ci_high",
    "p_value",
    "status",
    "decision",
)
#: Words in a record's key (or a KPI's name) that mark a rate or share, shown as a percentage.
_PERCENT_WORDS = re.compile(r"\b(rate|share|growth)\b")
#: Keys under a rate-like row name that hold that rate (the rest, e.g. ``n_posts``, do not).
_RATE_FIELDS = frozenset({"value", "target", "baseline", "low", "high"})
#: Longer lists of ids are cut to this many, with the full list behind a disclosure.
_LIST_PREVIEW = 10


def _label(name: str) -> str:
    from .plots import label

    return label(name)


def _kind(key: Any) -> str | None:
    """How the values under ``key`` read: ``"percent"``, ``"p"`` or None (plain numbers)."""
    if key is None:
        return None
    key = str(key).lower()
    if key == "p_value" or key.endswith("_p_value"):
        return "p"
    words = key.replace("_", " ")
    if _PERCENT_WORDS.search(words) and not words.endswith(("denominator", "definition")):
        return "percent"
    return None


def format_scalar(value: Any, kind: str | None = None) -> str:
    """A number or text as a person reads it.

    Numbers get thousands separators and 3 significant digits; ``kind="percent"`` shows a rate
    as a percentage (``0.0439`` -> ``4.39%``) and ``kind="p"`` a p-value (``< 0.001``).
    """
    from .plots import format_number, format_p, format_percent

    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return "n/a"
        if kind == "percent":
            return format_percent(value)
        if kind == "p":
            return format_p(value)
        return format_number(value)
    return str(value)


def _ordered_columns(rows: list[dict]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    rank = {c: i for i, c in enumerate(COLUMN_ORDER)}
    return sorted(columns, key=lambda c: rank.get(c, len(rank)))  # stable for unknown keys


def _row_kind(row: dict, column: str, inherited: str | None) -> str | None:
    own = _kind(column)
    if own is not None:
        return own
    name = row.get("name")
    if column in _RATE_FIELDS and isinstance(name, str) and _kind(name) == "percent":
        return "percent"  # a KPI row named "... engagement rate": its value, target, baseline
    return inherited if column in _RATE_FIELDS else None


def _td(value: Any, html: Any) -> str:
    """A table cell; numbers get class ``num`` (right-aligned), text stays left-aligned."""
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<td class="num">{escape(html)}</td>' if numeric else f"<td>{escape(html)}</td>"


def format_value(value: Any, depth: int = 0, kind: str | None = None) -> Markup:
    """Escaped HTML for a JSON value: scalars as text, dicts as definition lists, lists of dicts
    as tables, other lists as comma-separated text (long ones cut, with the rest behind a
    disclosure).

    A key naming a rate or share (``delivery_rate``, ``engagement_rate_by_format``) shows its
    numbers as percentages, ``p_value`` as a p-value, anything else to 3 significant digits.
    """
    if depth > 4:
        return escape(str(value))
    scalar = (str, int, float, bool, type(None))
    if isinstance(value, dict):
        if not value:
            return Markup("<em>none</em>")
        if depth > 0 and all(isinstance(v, scalar) for v in value.values()):
            rows = "".join(
                f'<tr><th scope="row">{escape(_label(k))}</th>'
                f"{_td(v, format_scalar(v, _kind(k) or kind))}</tr>"
                for k, v in value.items()
            )
            return Markup(f'<div class="table-scroll"><table class="kv">{rows}</table></div>')
        items = "".join(
            f"<dt>{escape(_label(k))}</dt><dd>{format_value(v, depth + 1, _kind(k) or kind)}</dd>"
            for k, v in value.items()
        )
        return Markup(f'<dl class="kv">{items}</dl>')
    if isinstance(value, (list, tuple)):
        if not value:
            return Markup("<em>none</em>")
        if all(isinstance(v, dict) for v in value):
            columns = _ordered_columns(list(value))
            head = "".join(f"<th>{escape(_label(c))}</th>" for c in columns)
            rows = "".join(
                "<tr>"
                + "".join(
                    _td(row.get(c), format_value(row.get(c), depth + 1, _row_kind(row, c, kind)))
                    for c in columns
                )
                + "</tr>"
                for row in value
            )
            return Markup(
                f'<div class="table-scroll"><table><thead><tr>{head}</tr></thead>'
                f"<tbody>{rows}</tbody></table></div>"
            )
        if all(isinstance(v, scalar) for v in value):  # ids, names: one readable line
            texts = [format_scalar(v, kind) for v in value]
            if len(texts) <= _LIST_PREVIEW + 2:
                return escape(", ".join(texts))
            return Markup(
                f"{escape(', '.join(texts[:_LIST_PREVIEW]))} "
                f"<details><summary>and {len(texts) - _LIST_PREVIEW} more</summary>"
                f"{escape(', '.join(texts[_LIST_PREVIEW:]))}</details>"
            )
        items = "".join(f"<li>{format_value(v, depth + 1, kind)}</li>" for v in value)
        return Markup(f"<ul>{items}</ul>")
    return escape(format_scalar(value, kind))


@lru_cache(maxsize=1)
def _jinja():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["value"] = format_value
    env.filters["scalar"] = format_scalar
    env.filters["label"] = _label
    env.filters["record_label"] = record_label
    return env


def render_page(template: str, **context: Any) -> str:
    """Render one of the index templates (autoescaped) with the house CSS and CSP."""
    return _jinja().get_template(template).render(css=house_css(), csp=CSP, **context)
