"""Reading the spreadsheets people keep (calendar, idea backlog): one table reader and one way
of pointing at a row and column in errors."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from . import _lazy
from ._yaml import not_utf8
from .errors import ConfigError

pd = _lazy.module("pandas", globals(), "pd")

__all__ = ["read_sheet", "sheet_error"]


def sheet_error(
    path: Path, row: int | None, column: str | None, problem: str, fix: str
) -> ConfigError:
    """A structured ConfigError naming the file, the spreadsheet row (header = row 1) and the
    column (prefer :func:`socialnb._schema.validate` with a declared row model).

    >>> str(sheet_error(Path("ideas.csv"), 3, "id", "is empty.", "fill in id."))
    "ideas.csv, row 3, column 'id': is empty. What to do: fill in id."
    """
    return ConfigError(problem, path=path, row=row, key=column, fix=fix)


def _check_quotes(path: Path, text: str) -> None:
    """An unclosed quote swallows every later row into one cell: say where it opened."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ConfigError(
            f"line {start}: a quoted cell that starts in this line is never closed ({exc}).",
            path=path,
            fix='close the quote (") or remove it, and save the file again.',
        ) from exc


def read_sheet(path: Path, *, what: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a CSV (UTF-8, with or without BOM) or XLSX as text cells, with normalised column
    names (stripped, lower case, spaces as underscores).

    Raises
    ------
    ConfigError
        When the file is missing or cannot be read as a table, saying which columns it needs.
    """
    if not path.exists():
        raise ConfigError(
            f"no {what}.", path=path, fix=f"create it with the columns {', '.join(columns)}."
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, dtype=str).fillna("")
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise ConfigError(
                f"is not a readable workbook (damaged, cut short, or not an .xlsx file: {exc}).",
                path=path,
                fix="open it in your spreadsheet program and save it again as .xlsx, or save "
                "it as UTF-8 CSV.",
            ) from exc
    else:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            fix = "save it again as 'CSV UTF-8'."
            raise not_utf8(path, data, exc, fix=fix, sep=": ") from exc
        _check_quotes(path, text)
        try:
            # blank lines are kept (and dropped later) so row numbers match the spreadsheet's
            frame = pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False
            )
        except (ValueError, pd.errors.ParserError) as exc:
            raise ConfigError(
                f"cannot be read as a table ({exc}).",
                path=path,
                fix="save it as UTF-8 CSV or XLSX.",
            ) from exc
        frame = frame.fillna("")
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    return frame
