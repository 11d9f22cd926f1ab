"""LinkedIn Page analytics workbooks (.xlsx and binary .xls): the content export with an
``All posts`` sheet (2020-era ``Update engagement`` with ``Update …`` names) and a daily ``Metrics``
sheet. The member (personal) analytics workbook is recognised and refused."""

from __future__ import annotations

import re

from .. import _lazy
from ..errors import ExportError
from ._base import ExportFormat, Parsed, column_map, register, require
from ._convert import coded, numbers, rates, texts
from ._dates import day_month_order, excel_serial, has_day_month_cells, resolve_day_month
from ._formats import settle_formats
from ._raw import RawFile, Table, normalise_header
from ._workbook import is_spreadsheet_xml, is_workbook, sheet_table, sheets
from .aliases import ALIASES

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["LinkedInPage", "LinkedInMember"]

_DMY_CELL = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")
_EPOCH_MS = re.compile(r"_(\d{13})(?:\D|$)")
_URN = re.compile(r"urn:li:(?:activity|share|ugcPost):(\d+)")
_POST_SHEETS = (
    "all posts",
    "update engagement",
    "all updates",
    "todas as publicações",
    "todas las publicaciones",
)
_METRIC_SHEETS = ("metrics", "métricas")
_MEMBER_SHEETS = {"discovery", "engagement", "followers", "demographics", "top posts"}
_CONTENT = {
    "image": "image",
    "photo": "image",
    "video": "video",
    "text": "text",
    "article": "link",
    "link": "link",
    "document": "carousel",
    "carousel": "carousel",
    "poll": "text",
    "event": "text",
    "multi-image": "carousel",
    "multiple images": "carousel",
    "live": "live",
    "live video": "live",
    "imagem": "image",
    "vídeo": "video",
    "texto": "text",
    "artigo": "link",
    "documento": "carousel",
    "imagen": "image",
    "artículo": "link",
}


def _sheet(
    book: dict[str, list[list[str]]], names: tuple[str, ...]
) -> tuple[str, list[list[str]]] | None:
    for title, rows in book.items():
        if normalise_header(title) in names:
            return title, rows
    return None


def _header_index(rows: list[list[str]], aliases, key: str) -> int | None:
    wanted = {normalise_header(a) for a in aliases[key]}
    for i, row in enumerate(rows[:6]):
        if wanted & {normalise_header(c) for c in row}:
            return i
    return None


def _workbook_sheets(raw: RawFile) -> dict[str, list[list[str]]] | None:
    if not is_workbook(raw) or is_spreadsheet_xml(raw):
        return None
    return sheets(raw)


def _created(
    table: Table, pos: int, order: tuple[str, str] | None = None
) -> tuple[pd.Series, str | None]:
    """Dates of a column: ISO, spreadsheet serials or ``NN/NN/YYYY`` text in the ``order``
    (order, proof) the workbook proves (see :meth:`LinkedInPage._day_month`)."""
    col = table.column(pos).astype(str).str.strip()
    iso = (
        pd.to_datetime(col, format="ISO8601", errors="coerce")
        if col.str.match(r"^\d{4}-\d{2}-\d{2}").any()
        else pd.Series(pd.NaT, index=col.index)
    )
    iso = iso.where(col.str.match(r"^\d{4}-\d{2}-\d{2}"))
    serial = excel_serial(col)
    if order is not None and order[0] == "refuse":
        cells = col.str.match(_DMY_CELL).to_numpy()
        if cells.any():
            table.fail(
                order[1],
                row=int(np.argmax(cells)),
                column=pos,
                fix="download the export again without re-saving it in a spreadsheet, for a "
                "period of more than 12 days with its Metrics sheet (which then proves the order).",
            )
        text, note = resolve_day_month(col)
    elif order is not None:
        text, note = resolve_day_month(col, order=order[0], proof=order[1])
    else:
        text, note = resolve_day_month(col)
    out = iso.fillna(serial).fillna(text)
    bad = out.isna().to_numpy() & (col != "").to_numpy()
    blank = (col == "").to_numpy()
    if bad.any() or blank.any():
        row = int(np.argmax(bad | blank))
        table.fail(
            f"{col.iloc[row]!r} is not a date (MM/DD/YYYY, DD/MM/YYYY or a spreadsheet date).",
            row=row,
            column=pos,
            fix="re-export the workbook; if it was edited, restore the original date.",
        )
    if serial.notna().any():
        note = ((note + "; ") if note else "") + "some dates were spreadsheet serial numbers"
    return out, note


@register
class LinkedInPage(ExportFormat):
    id = "linkedin_page"
    platform = "linkedin"
    kind = "posts"
    description = "LinkedIn Page content export (.xls/.xlsx: 'All posts' and 'Metrics' sheets)"
    aliases = ALIASES["linkedin_posts"]
    priority = 8

    def sniff(self, raw: RawFile) -> bool:
        book = _workbook_sheets(raw)
        if not book:
            return False
        return _sheet(book, _POST_SHEETS) is not None or (
            _sheet(book, _METRIC_SHEETS) is not None
            and _header_index(
                _sheet(book, _METRIC_SHEETS)[1], ALIASES["linkedin_metrics"], "impressions"
            )
            is not None
        )

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> list[Parsed]:
        book = sheets(raw)
        out: list[Parsed] = []
        m = _EPOCH_MS.search(raw.name)
        exported = pd.Timestamp(int(m.group(1)), unit="ms", tz="UTC") if m else None
        posts = _sheet(book, _POST_SHEETS)
        metrics = _sheet(book, _METRIC_SHEETS)
        order = self._day_month(raw, posts, metrics)
        if posts is not None:
            out.append(self._posts(raw, *posts, account, order))
        if metrics is not None:
            out.append(self._metrics(raw, *metrics, account, order))
        if exported is not None and pd.Timestamp("2010-01-01", tz="UTC") < exported:
            for part in out:
                part.exported_at = exported
                part.exported_at_source = "file name (export timestamp)"
        return out

    def _date_column(
        self, raw: RawFile, sheet: tuple[str, list[list[str]]] | None, aliases, head_key, key
    ) -> pd.Series | None:
        if sheet is None:
            return None
        head = _header_index(sheet[1], aliases, head_key)
        if head is None:
            return None
        table = sheet_table(raw, sheet[0], sheet[1], head)
        pos = table.find(aliases[key])
        return None if pos is None else table.column(pos).astype(str).str.strip()

    def _day_month(self, raw: RawFile, posts, metrics) -> tuple[str, str] | None:
        """The day/month order of the workbook's ``NN/NN/YYYY`` dates and why, from both sheets
        (one export, one locale): a number above 12 in either proves it. Contradictory sheets, or
        text dates that nothing proves, give ``("refuse", problem)``: :func:`_created` refuses
        them at their first cell, never a silent guess (7 Oct read as 10 Jul)."""
        columns = {
            "posts": self._date_column(raw, posts, self.aliases, "link", "published_local"),
            "metrics": self._date_column(
                raw, metrics, ALIASES["linkedin_metrics"], "impressions", "date"
            ),
        }
        found = {
            name: (day_month_order(col), (posts if name == "posts" else metrics)[0])
            for name, col in columns.items()
            if col is not None and has_day_month_cells(col)
        }
        if not found:
            return None  # ISO dates or spreadsheet serials: no order to decide
        proofs = {(o, title) for o, title in found.values() if o is not None}
        orders = {o for o, _ in proofs}
        if "both" in orders or len(orders) > 1:
            shown = "; ".join(f"sheet {t!r}: {o}" for o, t in sorted(proofs))
            return "refuse", (
                f"the workbook's day/month order contradicts itself ({shown}): some dates have "
                "a first number above 12 and others a second number above 12."
            )
        if not orders:
            titles = " and ".join(repr(t) for _, t in found.values())
            return "refuse", (
                f"{titles}: the dates are ambiguous: no day is above 12, so 07/10/2026 could be "
                "7 October or 10 July, and no sheet of the workbook proves the order."
            )
        order, title = next(iter(proofs))
        shape = "DD/MM" if order == "day-first" else "MM/DD"
        return order, f"sheet {title!r} has a number above 12 only where {shape} puts the day"

    def _posts(
        self,
        raw: RawFile,
        title: str,
        rows: list[list[str]],
        account: str | None,
        order: tuple[str, str] | None = None,
    ) -> Parsed:
        head = _header_index(rows, self.aliases, "link")
        if head is None:
            raise ExportError(
                raw.path,
                f"sheet {title!r} has no 'Post link' header in its first rows.",
                fix="download the LinkedIn Page content export again without editing it.",
            )
        table = sheet_table(raw, title, rows, head)
        found = column_map(table, self.aliases)
        require(table, found, ("link", "published_local", "impressions"), self.aliases)
        link = texts(table, found["link"])
        pid = link.str.extract(_URN, expand=False).astype("string")
        if pid.isna().any():
            row = int(pid.isna().to_numpy().argmax())
            table.fail(
                f"sheet {title!r}: {link.iloc[row]!r} has no urn:li:activity id.",
                row=row,
                column=found["link"],
                fix="export again; the post link is how socialnb identifies a post.",
            )
        day, note = _created(table, found["published_local"], order)
        dist = (
            table.column(found["distribution"]).astype(str).str.strip().str.casefold()
            if "distribution" in found
            else None
        )
        frame = pd.DataFrame(
            {
                "post_id": pid,
                "published_local": day,
                "published_at": day.dt.tz_localize("UTC"),
                "date_precision": "day",
                "text": texts(table, found.get("text")),
                "permalink": link,
                "format": coded(table, found.get("format"), _CONTENT),
                "distribution": (
                    np.where(
                        dist.isin(["sponsored", "patrocinado", "patrocinada"]), "boosted", "organic"
                    )
                    if dist is not None
                    else "organic"
                ),
                "metric_era": "",
                "account": account,
                "source_row": table.lines,
            }
        )
        for key in ("impressions", "views", "clicks", "likes", "comments", "shares", "follows"):
            if key in found:
                frame[key] = numbers(table, found[key])
        if "engagement_rate" in found:
            rates(table, found["engagement_rate"])  # validate 0.36 / 0.36% / "6.14%"
        # Without a Content Type: views are video views (LinkedIn counts views of videos only),
        # else a link in the text (socialnb.ingest._formats).
        frame = settle_formats(frame, rules=("video views", "link"), video=frame.get("views"))
        notes = [f"sheet {title!r}: created dates read in UTC (LinkedIn reports in UTC)"]
        if note:
            notes.append(f"sheet {title!r}: {note}")
        return Parsed(
            "posts",
            frame,
            raw_headers=tuple(table.headers[p] for p in sorted(found.values())),
            notes=tuple(notes),
        )

    def _metrics(
        self,
        raw: RawFile,
        title: str,
        rows: list[list[str]],
        account: str | None,
        order: tuple[str, str] | None = None,
    ) -> Parsed:
        aliases = ALIASES["linkedin_metrics"]
        head = _header_index(rows, aliases, "impressions")
        if head is None:
            raise ExportError(
                raw.path,
                f"sheet {title!r} has no 'Impressions (total)' header in its first rows.",
                fix="download the LinkedIn Page content export again without editing it.",
            )
        table = sheet_table(raw, title, rows, head)
        found = column_map(table, aliases)
        require(table, found, ("date", "impressions"), aliases)
        day, note = _created(table, found["date"], order)
        frame = pd.DataFrame({"date": day.dt.normalize(), "source_row": table.lines})
        for key in aliases:
            if key != "date" and key in found:
                frame[key] = numbers(
                    table, found[key], negative_ok=True
                )  # daily values can be negative (unlikes)
        parts = [c for c in ("_reactions", "_comments", "_reposts") if c in frame]
        if parts:
            frame["engagements"] = frame[parts].sum(axis=1, min_count=len(parts))
        frame["platform"] = "linkedin"
        frame["account"] = account or ""
        notes = (f"sheet {title!r}: {note}",) if note else ()
        return Parsed(
            "daily",
            frame,
            raw_headers=tuple(table.headers[p] for p in sorted(found.values())),
            notes=notes,
        )


@register
class LinkedInMember(ExportFormat):
    id = "linkedin_member"
    platform = "linkedin"
    kind = "posts"
    description = "LinkedIn personal (member) analytics workbook: recognised and refused"
    priority = 8

    def sniff(self, raw: RawFile) -> bool:
        book = _workbook_sheets(raw)
        return bool(book) and len(_MEMBER_SHEETS & {normalise_header(t) for t in book}) >= 3

    def read(self, raw: RawFile, *, tz: str, account: str | None = None) -> Parsed:
        raise ExportError(
            raw.path,
            "is LinkedIn's personal (member) analytics workbook (sheets DISCOVERY, ENGAGEMENT, FOLLOWERS, ...), "
            "not the Page analytics export socialnb reads.",
            fix="download the Page's export instead: LinkedIn Page admin view > Analytics > Content > Export "
            "(an 'All posts' sheet); remove this file from raw/.",
        )
