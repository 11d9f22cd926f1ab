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


class ConfigError(SocialnbError):
    """A workspace file written by people (brand.yaml, calendar, ideas, experiments) is invalid."""


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
