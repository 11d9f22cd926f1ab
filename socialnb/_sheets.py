"""Reading the spreadsheets people keep (calendar, idea backlog): one table reader and one way
of pointing at a row and column in errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import ConfigError

__all__ = ["read_sheet", "sheet_error"]


def sheet_error(
    path: Path, row: int | None, column: str | None, problem: str, fix: str
) -> ConfigError:
    """A ConfigError naming the file, the spreadsheet row (header = row 1) and the column."""
    where = str(path)
    if row is not None:
        where += f", row {row}"
    if column is not None:
        where += f", column {column!r}"
    return ConfigError(f"{where}: {problem} What to do: {fix}")


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
            f"{path}: no {what}. What to do: create it with the columns {', '.join(columns)}."
        )
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, dtype=str).fillna("")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ConfigError(
            f"{path}: cannot be read as a table ({exc}). What to do: save it as UTF-8 CSV or XLSX."
        ) from exc
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    return frame
