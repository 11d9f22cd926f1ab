"""Legacy Facebook Insights post-level exports (classic Pages, up to about 2020): CSV, XLSX and the
SpreadsheetML 2003 XML that Facebook saved with an ``.xls`` name.

Row 1 holds names, row 2 descriptions ending ``(Unique Users)`` or ``(Total Count)``; data start on
row 3. Names that repeat are told apart by row 2 (the column becomes ``<name> - <description>``).
Some exports use API names (``post_impressions_unique:lifetime``) as headers.
"""

from __future__ import annotations

import re

from .. import _lazy
from ..errors import ExportError
from ._base import ExportFormat, Parsed, column_map, quarantine_blank_ids, register, require
from ._convert import coded, ids, localise, numbers, texts, timestamps
from ._dates import day_month_order, excel_serial, has_day_month_cells, resolve_day_month
from ._raw import RawFile, Table, csv_header, normalise_header, read_csv_table
from ._workbook import is_workbook, sheet_table, sheets

pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["FacebookInsightsLegacy", "LEGACY_ALIASES"]

LEGACY_ALIASES: dict[str, tuple[str, ...]] = {
    "post_id": ("Post ID", "post_id"),
    "permalink": ("Permalink", "permalink"),
    "text": ("Post Message", "message"),
    "format": ("Type", "type"),
    "published_local": ("Posted", "created_time"),
    "reach": ("Lifetime Post Total Reach", "post_impressions_unique:lifetime"),
    "impressions": ("Lifetime Post Total Impressions", "post_impressions:lifetime"),
    "clicks": ("Lifetime Post Consumptions", "post_consumptions:lifetime"),
    "video_views": ("Lifetime Total Video Views", "post_video_views:lifetime"),
    "likes": (
        "Lifetime Talking About This (Post) by action type - like",
        "Lifetime Post Stories by action type - like",
        "post_stories_by_action_type:lifetime - like",
    ),
    "comments": (
        "Lifetime Talking About This (Post) by action type - comment",
        "Lifetime Post Stories by action type - comment",
        "post_stories_by_action_type:lifetime - comment",
    ),
    "shares": (
        "Lifetime Talking About This (Post) by action type - share",
        "Lifetime Post Stories by action type - share",
        "post_stories_by_action_type:lifetime - share",
    ),
}
_MARKERS = (
    "lifetime post total reach",
    "post_impressions_unique:lifetime",
    "lifetime post total impressions",
    "post_impressions:lifetime",
)
_TYPES = {
    "photo": "image",
    "link": "link",
    "status": "text",
    "video": "video",
    "sharedvideo": "video",
    "shared video": "video",
    "album": "carousel",
    "event": "text",
    "note": "text",
    "offer": "text",
}
_NAME = re.compile(
    r"Facebook Insights Data Export \(Post Level\) - (.+?) - (\d{4}-\d{2}-\d{2})", re.IGNORECASE
)


def _is_legacy_header(cells: list[str]) -> bool:
    norm = {normalise_header(c) for c in cells}
    return ("post id" in norm or "post_id" in norm) and any(m in norm for m in _MARKERS)


def _key_sheet(raw: RawFile) -> tuple[str, list[list[str]]] | None:
    book = sheets(raw)
    ordered = sorted(book.items(), key=lambda kv: normalise_header(kv[0]) != "key metrics")
    for title, rows in ordered:
        if rows and _is_legacy_header(rows[0]):
            return title, rows
    return None


def _disambiguate(names: list[str], descriptions: list[str] | None) -> list[str]:
    counts: dict[str, int] = {}
    for n in names:
        counts[normalise_header(n)] = counts.get(normalise_header(n), 0) + 1
    out = []
    for i, n in enumerate(names):
        if counts[normalise_header(n)] > 1 and descriptions is not None:
            desc = descriptions[i] if i < len(descriptions) else ""
            out.append(f"{n} - {_action(desc) or desc.strip() or i + 1}")
        else:
            out.append(n)
    return out


def _action(desc: str) -> str | None:
    """'like', 'comment' or 'share' from a row-2 description of a by-action-type column."""
    d = desc.casefold()
    for word in ("like", "comment", "share"):
        if re.search(rf"\b{word}s?\b", d):
            return word
    return None


def _is_description_row(row: list[str]) -> bool:
    cells = [c.strip() for c in row if c.strip()]
    if not cells:
        return False
    described = sum(
        c.endswith(("(Unique Users)", "(Total Count)", ")")) or len(c) > 40 for c in cells
    )
    return described >= max(1, len(cells) // 2) or not re.match(r"^\d+(_\d+)?$", row[0].strip())


@register
class FacebookInsightsLegacy(ExportFormat):
    id = "facebook_insights_legacy"
    platform = "facebook"
    kind = "posts"
    description = "Legacy Facebook Insights post-level export (CSV, XLSX or SpreadsheetML .xls; two header rows)"
    aliases = LEGACY_ALIASES
    priority = 7

    def sniff(self, raw: RawFile) -> bool:
        if is_workbook(raw):
            return _key_sheet(raw) is not None
        return _is_legacy_header(csv_header(raw))

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        table = _table(raw)
        found = column_map(table, self.aliases)
        require(table, found, ("post_id", "published_local"), self.aliases)
        if not len(table.frame):
            raise ExportError(
                raw.path,
                "has the two header rows but no posts.",
                line=3,
                fix="export a period in which the Page published posts.",
            )
        local = timestamps(
            table,
            found["published_local"],
            _parse_posted,
            example="08/18/2017 15:45 or 2017-08-18T15:45:00",
        )
        m = _NAME.search(raw.name)
        frame = pd.DataFrame(
            {
                "post_id": ids(table, found["post_id"]),
                "published_local": local,
                "published_at": localise(local, tz),
                "date_precision": "minute",
                "text": texts(table, found.get("text")),
                "permalink": texts(table, found.get("permalink")),
                "format": coded(table, found.get("format"), _TYPES),
                "distribution": "organic",
                "metric_era": "impressions",
                "account": account or (m.group(1) if m else None),
                "source_row": table.lines,
            }
        )
        for key in ("reach", "impressions", "clicks", "video_views", "likes", "comments", "shares"):
            if key in found:
                frame[key] = numbers(table, found[key])
        frame, rejected, blank_notes = quarantine_blank_ids(frame)
        keep, rejected, blank_notes = _odd_ids(frame, rejected, blank_notes)
        frame = frame[keep].reset_index(drop=True)
        exported = None
        if m:
            exported = pd.Timestamp(m.group(2)).tz_localize(tz).tz_convert("UTC") + pd.Timedelta(
                days=1
            )
        blank_notes = (*blank_notes, *_date_order(raw, table, found["published_local"]))
        notes = (
            "legacy Insights 'Lifetime Engaged Users' counts people, not actions: it is not loaded as engagements",
            *blank_notes,
        )
        return Parsed(
            "posts",
            frame,
            raw_headers=tuple(table.headers[p] for p in sorted(found.values())),
            exported_at=exported,
            exported_at_source="file name (export date)" if exported is not None else None,
            notes=notes,
            rejected_rows=rejected,
        )


def _table(raw: RawFile) -> Table:
    """The posts table, its names told apart by the description row when there is one."""
    if is_workbook(raw):
        found_sheet = _key_sheet(raw)
        assert found_sheet is not None
        title, rows = found_sheet
        two = len(rows) > 1 and _is_description_row(rows[1])
        names = _disambiguate(list(rows[0]), list(rows[1]) if two else None)
        return sheet_table(raw, title, [names, *rows[1:]], 0, header_rows=2 if two else 1)
    table = read_csv_table(raw)
    two = len(table.frame) > 0 and _is_description_row(list(table.frame.iloc[0]))
    names = _disambiguate(table.headers, list(table.frame.iloc[0]) if two else None)
    skip = 1 if two else 0
    return Table(
        raw=raw,
        headers=names,
        frame=table.frame.iloc[skip:].reset_index(drop=True),
        lines=table.lines[skip:],
        header_line=table.header_line,
    )


def _odd_ids(frame: pd.DataFrame, rejected: tuple, notes: tuple) -> tuple:
    """Rows whose Post ID is no Facebook post id: (rows kept, rejected rows, notes), never
    dropped silently (listed with the reason)."""
    keep = frame["post_id"].str.match(r"^\d+(_\d+)?$").fillna(False).to_numpy()
    if keep.all():
        return keep, rejected, notes
    odd = frame.loc[~keep, ["source_row", "post_id"]]
    rejected = (
        *rejected,
        *(
            (int(line), f"Post ID {pid!r} is not a Facebook post id (digits, or page_post)")
            for line, pid in odd.itertuples(index=False)
        ),
    )
    notes = (
        *notes,
        f"{len(odd)} row(s) whose Post ID is not a post id quarantined: not loaded, "
        "listed in rejected_rows",
    )
    return keep, rejected, notes


def _date_order(raw: RawFile, table: Table, column: int) -> tuple[str, ...]:
    """The note on the order of day and month in the Posted column (refused when its dates
    contradict each other)."""
    posted = table.column(column).astype(str).str.strip()
    order = day_month_order(posted) if has_day_month_cells(posted) else "none"
    if order is None:  # said out loud: the export's own order, no day above 12 proves it
        return (
            "Posted dates are ambiguous (no day above 12): read as MM/DD/YYYY, the order "
            "Facebook's legacy Insights export writes",
        )
    if order == "both":
        raise ExportError(
            raw.path,
            "its Posted dates contradict each other: some have a first number above 12, "
            "others a second number above 12.",
            column=table.headers[column],
            fix="download the export again without re-saving it in a spreadsheet.",
        )
    return ()


def _parse_posted(col: pd.Series) -> pd.Series:
    s = col.astype("string")
    iso = pd.to_datetime(
        s.where(s.str.match(r"^\d{4}-\d{2}-\d{2}")), format="ISO8601", errors="coerce"
    )
    serial = excel_serial(s)
    text, _note = resolve_day_month(s)
    out = iso.fillna(serial).fillna(text)
    return pd.to_datetime(out).dt.floor("min") if len(out) else out
