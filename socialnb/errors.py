"""The one exception hierarchy of socialnb.

Every error the package raises on purpose derives from :class:`SocialnbError`, and its message
says what is wrong, where (file, line, column, parameter) and what would fix it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "SocialnbError",
    "ExportError",
    "UnknownFormatError",
    "ConfigError",
    "ParameterError",
    "WarehouseError",
    "NotebookError",
    "AnalysisError",
]


class SocialnbError(Exception):
    """Root of every error socialnb raises on purpose."""


class ExportError(SocialnbError):
    """A platform export (or a mapped spreadsheet) that cannot be read.

    Parameters
    ----------
    path
        The file at fault.
    problem
        What is wrong, in plain words.
    line, column
        1-based physical line in the file and the column name (or 1-based index), where known.
    fix
        What the user should do about it.
    """

    def __init__(
        self,
        path: str | Path,
        problem: str,
        *,
        line: int | None = None,
        column: str | int | None = None,
        fix: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.problem = problem
        self.line = line
        self.column = column
        self.fix = fix
        where = str(self.path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}" if isinstance(column, str) else f", column {column}"
        message = f"{where}: {problem}"
        if fix:
            message += f" What to do: {fix}"
        super().__init__(message)

    def __reduce__(self):  # keep pickling (multiprocessing) working with keyword arguments
        return (
            _rebuild_export_error,
            (str(self.path), self.problem, self.line, self.column, self.fix, type(self)),
        )


def _rebuild_export_error(path, problem, line, column, fix, cls):
    return cls(path, problem, line=line, column=column, fix=fix)


class UnknownFormatError(ExportError):
    """The file is not an export socialnb recognises."""


_UNSET: object = object()


class ConfigError(SocialnbError):
    """A workspace file written by people (brand.yaml, calendar, ideas, experiments, a mapping)
    is invalid, or a command's workspace is not usable.

    Parameters
    ----------
    problem
        What is wrong, in plain words. Given alone (no ``path``), it is the whole message.
    path
        The file at fault.
    key
        The key (``targets[2].metric``) or the column (``scheduled_date``) at fault.
    row
        The spreadsheet row (the header is row 1), for sheets.
    value
        The value found there, when there is one.
    fix
        What the user should do about it.

    Examples
    --------
    >>> err = ConfigError("is not a date.", path="calendar.csv", row=3, key="date",
    ...                   value="31/13/2026", fix="write it as YYYY-MM-DD.")
    >>> str(err)
    "calendar.csv, row 3, column 'date' (value '31/13/2026'): is not a date. What to do: write it as YYYY-MM-DD."
    >>> err.row, err.key
    (3, 'date')
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        key: str | None = None,
        row: int | None = None,
        value: object = _UNSET,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = Path(path) if path is not None else None
        self.key = key
        self.row = row
        self.value = None if value is _UNSET else value
        self.has_value = value is not _UNSET
        self.fix = fix
        parts = [str(self.path)] if self.path is not None else []
        if row is not None:
            parts.append(f"row {row}")
        if key is not None:  # in a sheet (a row is given) the key is a column
            parts.append(f"{'column' if row is not None else 'key'} {key!r}")
        where = ", ".join(parts)
        if self.has_value:
            where += f" (value {self.value!r})"
        message = f"{where}: {problem}" if where else problem
        if fix:
            message += f" What to do: {fix}"
        super().__init__(message)

    def __reduce__(self):  # keep pickling (multiprocessing) working with keyword arguments
        args = (self.problem, self.path, self.key, self.row, self.has_value, self.value)
        return (_rebuild_config_error, (*args, self.fix, type(self)))


def _rebuild_config_error(problem, path, key, row, has_value, value, fix, cls):
    extra = {"value": value} if has_value else {}
    return cls(problem, path=path, key=key, row=row, fix=fix, **extra)


class ParameterError(SocialnbError):
    """A notebook or command parameter is unknown, missing or of the wrong type."""


class WarehouseError(SocialnbError):
    """The warehouse cannot be opened or does not hold what was asked for."""


class NotebookError(SocialnbError):
    """A report notebook failed; carries the notebook, the cell and the error."""

    def __init__(
        self,
        notebook: str,
        message: str,
        *,
        cell: int | None = None,
        ename: str | None = None,
        evalue: str | None = None,
    ) -> None:
        self.notebook = notebook
        self.cell = cell
        self.ename = ename
        self.evalue = evalue
        where = notebook if cell is None else f"{notebook}, cell {cell}"
        super().__init__(f"{where}: {message}")


class AnalysisError(SocialnbError):
    """An analysis was asked something the data cannot answer (explains why)."""
