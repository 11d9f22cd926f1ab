"""Spreadsheet workbooks as rows of text: .xlsx (openpyxl), binary .xls (xlrd) and the
SpreadsheetML 2003 XML that old Facebook Insights saved with an ``.xls`` name.

Cells become text so that the shared converters apply: numbers as ``repr`` of the float (``"12.0"``),
dates and times as ISO strings (``"2024-03-05T00:00:00"``), empty cells as ``""``. Row numbers are the
spreadsheet's own (1-based), so messages point at the row a user sees in Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import OrderedDict

from .. import _lazy
from ..errors import ExportError
from ._raw import RawFile, Table, check_zip_sizes, damaged_zip

np = _lazy.module("numpy", globals(), "np")
pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["is_workbook", "sheets", "sheet_table", "is_spreadsheet_xml"]

_SSML_NS = "urn:schemas-microsoft-com:office:spreadsheet"
_CACHE: OrderedDict[tuple[str, str], dict[str, list[list[str]]]] = OrderedDict()


def is_spreadsheet_xml(raw: RawFile) -> bool:
    return (
        raw.text is not None
        and raw.text.lstrip()[:200].startswith("<?xml")
        and _SSML_NS in raw.text[:2000]
    )


def _is_xlsx(raw: RawFile) -> bool:
    return raw.text is None and raw.data[:4] == b"PK\x03\x04" and not raw.is_zip


def is_workbook(raw: RawFile) -> bool:
    """True for .xlsx, binary .xls and SpreadsheetML XML."""
    return _is_xlsx(raw) or raw.is_ole or is_spreadsheet_xml(raw)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def sheets(raw: RawFile) -> dict[str, list[list[str]]]:
    """Every sheet of a workbook as rows of text cells (cached per file).

    Raises
    ------
    ExportError
        When the workbook cannot be opened (corrupt, password-protected, not a workbook).
    """
    key = (str(raw.path), raw.sha256)
    if key in _CACHE:
        return _CACHE[key]
    try:
        if _is_xlsx(raw):
            out = _xlsx(raw)
        elif raw.is_ole:
            out = _xls(raw)
        elif is_spreadsheet_xml(raw):
            out = _ssml(raw)
        else:
            raise ExportError(
                raw.path, "is not a spreadsheet workbook.", fix="export it as .xlsx or CSV."
            )
    except ExportError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl/xlrd/XML raise many types on corrupt files
        damage = damaged_zip(raw) if isinstance(exc, zipfile.BadZipFile) else None
        if damage:
            raise ExportError(
                raw.path,
                damage,
                fix="download the export again (re-saving cannot repair a file that is cut short).",
            ) from exc
        raise ExportError(
            raw.path,
            f"is a workbook that cannot be opened ({type(exc).__name__}: {exc}).",
            fix="open it in Excel or LibreOffice and save it again as .xlsx, or download the export again.",
        ) from exc
    _CACHE[key] = out
    while len(_CACHE) > 4:
        _CACHE.popitem(last=False)
    return out


def _xlsx(raw: RawFile) -> dict[str, list[list[str]]]:
    import openpyxl

    with zipfile.ZipFile(io.BytesIO(raw.data)) as zf:  # sizes checked before anything unpacks
        check_zip_sizes(raw, zf.infolist())
    wb = openpyxl.load_workbook(io.BytesIO(raw.data), read_only=True, data_only=True)
    try:
        return {
            ws.title: [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
            for ws in wb.worksheets
        }
    finally:
        wb.close()


def _xls(raw: RawFile) -> dict[str, list[list[str]]]:
    import xlrd

    book = xlrd.open_workbook(file_contents=raw.data)
    out = {}
    for sh in book.sheets():
        rows = []
        for r in range(sh.nrows):
            row = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(_cell(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
                elif cell.ctype == xlrd.XL_CELL_EMPTY:
                    row.append("")
                else:
                    row.append(_cell(cell.value))
            rows.append(row)
        out[sh.name] = rows
    return out


def _ssml(raw: RawFile) -> dict[str, list[list[str]]]:
    ns = {"ss": _SSML_NS}
    root = ET.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", raw.text))
    out = {}
    for ws in root.findall("ss:Worksheet", ns):
        name = ws.get(f"{{{_SSML_NS}}}Name") or f"Sheet{len(out) + 1}"
        rows: list[list[str]] = []
        table = ws.find("ss:Table", ns)
        if table is None:
            out[name] = rows
            continue
        for row in table.findall("ss:Row", ns):
            idx = row.get(f"{{{_SSML_NS}}}Index")
            while idx is not None and len(rows) < int(idx) - 1:
                rows.append([])
            cells: list[str] = []
            for cell in row.findall("ss:Cell", ns):
                cidx = cell.get(f"{{{_SSML_NS}}}Index")
                while cidx is not None and len(cells) < int(cidx) - 1:
                    cells.append("")
                data = cell.find("ss:Data", ns)
                cells.append("".join(data.itertext()) if data is not None else "")
            rows.append(cells)
        out[name] = rows
    return out


def sheet_table(
    raw: RawFile, sheet: str, rows: list[list[str]], header_index: int, *, header_rows: int = 1
) -> Table:
    """A :class:`Table` from a sheet whose header is ``rows[header_index]`` (0-based); data start
    ``header_rows`` rows later. Fully blank rows are dropped; ``lines`` are spreadsheet row numbers."""
    header = [str(h).strip() for h in rows[header_index]]
    while header and header[-1] == "":
        header.pop()
    n = len(header)
    body = []
    numbers = []
    for i, row in enumerate(
        rows[header_index + header_rows :], start=header_index + header_rows + 1
    ):
        cells = (list(row) + [""] * n)[:n]
        if not any(c.strip() for c in cells):
            continue
        body.append(cells)
        numbers.append(i)
    frame = (
        pd.DataFrame(body, columns=range(n), dtype=object)
        if body
        else pd.DataFrame(columns=range(n), dtype=object)
    )
    table = Table(
        raw=raw,
        headers=header,
        frame=frame,
        lines=np.asarray(numbers, dtype=np.int64),
        header_line=header_index + 1,
    )
    table.sheet = sheet  # type: ignore[attr-defined]
    return table
